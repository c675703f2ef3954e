"""The demo company's customers: Russian, Polish and English speakers, a few organisations."""

from __future__ import annotations

import datetime
import random
import unicodedata
from dataclasses import dataclass

from litso.customers.contacts import normalise
from litso.customers.models import ContactKind, ContactPoint, Customer, Organisation
from litso.demo.clock import Clock

# (Cyrillic, Latin) first names; men, then women.
RU_MEN = (
    ("Иван", "ivan"),
    ("Дмитрий", "dmitry"),
    ("Алексей", "alexey"),
    ("Сергей", "sergey"),
    ("Андрей", "andrey"),
    ("Михаил", "mikhail"),
    ("Николай", "nikolay"),
    ("Павел", "pavel"),
    ("Артём", "artem"),
    ("Олег", "oleg"),
)
RU_WOMEN = (
    ("Анна", "anna"),
    ("Мария", "maria"),
    ("Елена", "elena"),
    ("Ольга", "olga"),
    ("Наталья", "natalya"),
    ("Татьяна", "tatyana"),
    ("Ирина", "irina"),
    ("Светлана", "svetlana"),
    ("Екатерина", "ekaterina"),
    ("Юлия", "yulia"),
)
# (masculine, Latin); the feminine form adds "а".
RU_SURNAMES = (
    ("Иванов", "ivanov"),
    ("Смирнов", "smirnov"),
    ("Кузнецов", "kuznetsov"),
    ("Попов", "popov"),
    ("Соколов", "sokolov"),
    ("Лебедев", "lebedev"),
    ("Козлов", "kozlov"),
    ("Новиков", "novikov"),
    ("Морозов", "morozov"),
    ("Волков", "volkov"),
    ("Орлов", "orlov"),
    ("Белов", "belov"),
)
RU_PATRONYMICS = (
    ("Петрович", "Петровна"),
    ("Сергеевич", "Сергеевна"),
    ("Александрович", "Александровна"),
    ("Иванович", "Ивановна"),
    ("Николаевич", "Николаевна"),
    ("Викторович", "Викторовна"),
)

# (name, vocative): "Pani Anno", "Panie Marku".
PL_MEN = (
    ("Marek", "Marku"),
    ("Piotr", "Piotrze"),
    ("Tomasz", "Tomaszu"),
    ("Krzysztof", "Krzysztofie"),
    ("Paweł", "Pawle"),
    ("Michał", "Michale"),
    ("Jakub", "Jakubie"),
    ("Łukasz", "Łukaszu"),
    ("Wojciech", "Wojciechu"),
    ("Adam", "Adamie"),
)
PL_WOMEN = (
    ("Anna", "Anno"),
    ("Katarzyna", "Katarzyno"),
    ("Magdalena", "Magdaleno"),
    ("Agnieszka", "Agnieszko"),
    ("Joanna", "Joanno"),
    ("Ewa", "Ewo"),
    ("Zofia", "Zofio"),
    ("Małgorzata", "Małgorzato"),
    ("Barbara", "Barbaro"),
    ("Monika", "Moniko"),
)
# (masculine, feminine)
PL_SURNAMES = (
    ("Kowalski", "Kowalska"),
    ("Nowak", "Nowak"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Mazur", "Mazur"),
    ("Krawczyk", "Krawczyk"),
    ("Grabowski", "Grabowska"),
)

# (name, what they like to be called, or "")
EN_MEN = (
    ("James", "Jim"),
    ("William", "Will"),
    ("Thomas", "Tom"),
    ("Robert", "Rob"),
    ("Daniel", "Dan"),
    ("Oliver", "Ollie"),
    ("George", ""),
    ("Henry", "Harry"),
    ("Edward", "Ed"),
    ("Jack", ""),
)
EN_WOMEN = (
    ("Emily", "Em"),
    ("Sarah", ""),
    ("Elizabeth", "Liz"),
    ("Samantha", "Sam"),
    ("Jessica", "Jess"),
    ("Olivia", ""),
    ("Charlotte", "Lottie"),
    ("Hannah", ""),
    ("Rebecca", "Becky"),
    ("Grace", ""),
)
EN_SURNAMES = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Evans",
    "Thomas",
    "Johnson",
    "Roberts",
    "Walker",
    "Wright",
    "Patel",
    "O'Brien",
    "Murphy",
    "Clarke",
)

MAIL_DOMAINS = {
    "ru": ("mail.example", "yandex.example", "gmail.example"),
    "pl": ("wp.example", "onet.example", "interia.example", "gmail.example", "o2.example"),
    "en": ("gmail.example", "outlook.example", "yahoo.example", "btinternet.example"),
}
TIME_ZONES = {
    "ru": ("Europe/Moscow", "Europe/Riga", "Europe/Vilnius"),
    "pl": ("Europe/Warsaw",),
    "en": ("Europe/London", "Europe/Dublin", "America/New_York"),
}
# (name, language, mail domain, notes)
ORGANISATIONS = (
    (
        "Atelier Len",
        "pl",
        "atelier-len.example",
        "Sewing studio in Łódź. Linen every month, wholesale discount 12%.",
    ),
    (
        "Текстиль-Дизайн",
        "ru",
        "textile-design.example",
        "Interior textile studio. Invoices always on the company name.",
    ),
    (
        "Bright Banners Ltd",
        "en",
        "brightbanners.example",
        "Event banners and flags; urgent orders before every trade fair.",
    ),
    (
        "Teatr Nowa Scena",
        "pl",
        "nowascena.example",
        "Theatre costume workshop: large one-off orders, tight premiere dates.",
    ),
)
CUSTOMER_NOTES = (
    "Prefers phone calls to email.",
    "Wholesale customer since 2023.",
    "Had a misprint last year, reprinted for free. Be extra careful with colours.",
    "Always pays by bank transfer, sometimes without the order number.",
)


@dataclass
class Person:
    """A customer and what the ticket writer needs to sound like them and to answer them."""

    customer: Customer
    language: str
    female: bool
    signature: str  # how they sign their mail
    salutation: str  # how an agent greets them ("" for a plain greeting)


@dataclass
class _Name:
    full: str
    first: str
    ascii_first: str
    ascii_last: str
    female: bool
    address_as: str
    salutation: str


def _ascii(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L").replace("'", "")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _name(rng: random.Random, language: str) -> _Name:
    female = rng.random() < 0.6  # print-on-fabric customers: more sewists than not
    polite = rng.random() < 0.3
    if language == "ru":
        first, first_lat = rng.choice(RU_WOMEN if female else RU_MEN)
        last, last_lat = rng.choice(RU_SURNAMES)
        if female:
            last, last_lat = last + "а", last_lat + "a"
        patronymic = rng.choice(RU_PATRONYMICS)[1 if female else 0]
        address_as = f"{first} {patronymic}" if polite else ""
        return _Name(
            f"{first} {last}", first, first_lat, last_lat, female, address_as, address_as or first
        )
    if language == "pl":
        first, vocative = rng.choice(PL_WOMEN if female else PL_MEN)
        last = rng.choice(PL_SURNAMES)[1 if female else 0]
        address_as = (f"Pani {vocative}" if female else f"Panie {vocative}") if polite else ""
        return _Name(
            f"{first} {last}", first, _ascii(first), _ascii(last), female, address_as, address_as
        )
    first, nickname = rng.choice(EN_WOMEN if female else EN_MEN)
    last = rng.choice(EN_SURNAMES)
    address_as = ""
    if polite:
        address_as = nickname or f"{'Ms' if female else 'Mr'} {last}"
    return _Name(
        f"{first} {last}",
        first,
        _ascii(first),
        _ascii(last),
        female,
        address_as,
        address_as or first,
    )


def _email(rng: random.Random, name: _Name, domain: str, taken: set[str]) -> str:
    patterns = (
        f"{name.ascii_first}.{name.ascii_last}",
        f"{name.ascii_first[0]}{name.ascii_last}",
        f"{name.ascii_last}.{name.ascii_first[0]}",
        f"{name.ascii_first}{rng.randint(70, 99)}",
    )
    local = rng.choice(patterns)
    email = f"{local}@{domain}"
    n = 2
    while email in taken:
        email = f"{local}{n}@{domain}"
        n += 1
    taken.add(email)
    return email


def _phone(rng: random.Random, language: str, taken: set[str]) -> str:
    while True:
        if language == "ru":
            raw = (
                f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-"
                f"{rng.randint(10, 99)}"
            )
        elif language == "pl":
            raw = (
                f"+48 {rng.choice('5678')}{rng.randint(10, 99)} {rng.randint(100, 999)} "
                f"{rng.randint(100, 999)}"
            )
        else:
            raw = f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}"
        value = normalise(ContactKind.PHONE, raw)
        if value not in taken:
            taken.add(value)
            return value


def create_people(
    rng: random.Random, count: int, clock: Clock, now: datetime.datetime
) -> tuple[list[Person], list[Organisation]]:
    """``count`` customers, who first wrote to the shop before the demo's three months."""
    organisations = [
        Organisation.objects.get_or_create(
            name=name, defaults={"domains": [domain], "notes": notes}
        )[0]
        for name, _, domain, notes in ORGANISATIONS
    ]
    taken_mail = set(
        ContactPoint.objects.filter(kind=ContactKind.EMAIL).values_list("value", flat=True)
    )
    taken_phone = set(
        ContactPoint.objects.filter(kind=ContactKind.PHONE).values_list("value", flat=True)
    )
    # Every organisation gets a few people, however small the demo.
    per_org = max(2, count // 25)
    members = [
        (org, language, domain)
        for org, (_, language, domain, _) in zip(organisations, ORGANISATIONS, strict=True)
        for _ in range(per_org)
    ][:count]
    people = []
    for i in range(count):
        if i < len(members):
            org, language, domain = members[i]
        else:
            org, domain = None, ""
            language = ("ru", "pl", "en")[i % 3] if i < 12 else rng.choice(("ru", "pl", "en"))
        name = _name(rng, language)
        domain = domain or rng.choice(MAIL_DOMAINS[language])
        clock.set(now - datetime.timedelta(days=rng.uniform(95, 700)))
        customer = Customer.objects.create(
            full_name=name.full,
            address_as=name.address_as,
            # Some customers never said which language they prefer; tickets still have one.
            language=language if rng.random() < 0.9 else "",
            time_zone=rng.choice(TIME_ZONES[language]),
            organisation=org,
            notes=rng.choice(CUSTOMER_NOTES) if rng.random() < 0.06 else "",
        )
        contacts = [
            ContactPoint(
                customer=customer,
                kind=ContactKind.EMAIL,
                value=_email(rng, name, domain, taken_mail),
            )
        ]
        if rng.random() < 0.4:
            contacts.append(
                ContactPoint(
                    customer=customer,
                    kind=ContactKind.PHONE,
                    value=_phone(rng, language, taken_phone),
                )
            )
        ContactPoint.objects.bulk_create(contacts)
        signature = name.full if rng.random() < 0.6 else name.first
        if org is not None:
            signature += f"\n{org.name}"
        people.append(Person(customer, language, name.female, signature, name.salutation))
    return people, organisations
