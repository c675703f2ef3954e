"""Polish sentences for the demo company (see texts.py for how they are combined).

Fabric names stand in the nominative, so templates use them after a colon or as a subject;
``{city}`` is already "w mieście"; ``[a|b]`` is the masculine and feminine form for whoever
writes, ``<a|b>`` for the customer an agent writes to.
"""

from __future__ import annotations

from litso.demo.texts import Language, Topic

TOPICS = {
    "print_order": Topic(
        subjects=(
            "Zamówienie: {metres} m tkaniny z nadrukiem",
            "Pytanie o zamówienie {order}",
            "Czy wydrukujecie mój wzór? Materiał: {fabric}",
        ),
        problems=(
            "Chciał[bym|abym] zamówić {metres} m tkaniny z własnym wzorem, materiał: {fabric}. "
            "Wzór to powtarzalny raport z cytrynami, około 30 cm szerokości.",
            "Wczoraj [złożyłem|złożyłam] zamówienie {order} na {metres} m (materiał: {fabric}), "
            "ale [zapomniałem|zapomniałam] wybrać szerokość. Proszę o {width} cm.",
            "Zanim zamówię: czy możecie wydrukować panel na całą szerokość, a nie tylko "
            "raport? Potrzebuję {metres} m na zasłony.",
        ),
        details=(
            "Tkanina jest mi potrzebna do końca przyszłego tygodnia, na targi rękodzieła.",
            "Zależy mi, żeby kolory nie spłowiały po praniu w 40°C.",
            "Jeśli {fabric} się nie nada, proszę zaproponować coś podobnego.",
        ),
        info=(
            "Plik ze wzorem jest już w sklepie, numer zamówienia ten sam: {order}. Szerokość "
            "{width} cm jest w porządku.",
            "Tak, proszę drukować: materiał {fabric}, {metres} m, skala 100%.",
        ),
        asks=(
            "Proszę podać potrzebną szerokość ({width} cm lub 280 cm) i czy wzór ma być "
            "lustrzany na łączeniach.",
            "Do druku potrzebujemy projektu w 150 dpi w docelowym rozmiarze. Proszę go wgrać "
            "do zamówienia {order}.",
        ),
        answers=(
            "Zamówienie {order} jest potwierdzone: {metres} m, materiał {fabric}, szerokość "
            "{width} cm. Jutro idzie do druku, wysyłka w ciągu {days} dni roboczych.",
            "Tak, panel na całą szerokość jest możliwy. [Dodałem|Dodałam] go do zamówienia "
            "{order} bez dopłaty za przygotowanie.",
        ),
        notes=(
            "[Sprawdziłem|Sprawdziłam] plik: raport bez szwów, 150 dpi w skali 100%. Można "
            "drukować.",
            "Klient zamawiał już dwa razy, bez reklamacji. Priorytet w produkcji.",
        ),
    ),
    "quote": Topic(
        subjects=(
            "Wycena: {metres} m tkaniny z nadrukiem",
            "Ceny hurtowe druku na tkaninie",
            "Cena przy stałym comiesięcznym zamówieniu",
        ),
        problems=(
            "Jesteśmy małą pracownią krawiecką. Prosimy o wycenę {metres} m miesięcznie, "
            "materiał: {fabric}, 3–4 nasze wzory.",
            "Proszę o cennik hurtowy druku na szerokości {width} cm. Chodzi o około {metres} m "
            "na zamówienie.",
            "Do spektaklu potrzebujemy {metres} m tkaniny z nadrukiem. Ile to będzie kosztować "
            "i ile potrwa?",
        ),
        details=(
            "Najpierw potrzebowalibyśmy próbek każdego wzoru.",
            "Dostawa do nas, {city}, najlepiej waszym kurierem.",
        ),
        info=(
            "Dziękujemy. Projekty są gotowe, zaczniemy od {metres} m, a od przyszłego miesiąca "
            "zwiększymy, jeśli jakość będzie dobra.",
            "Budżet jest napięty. Czy jest rabat przy przedpłacie?",
        ),
        asks=(
            "Ile różnych wzorów i ile metrów każdego planujecie miesięcznie? Cena zależy "
            "głównie od liczby przygotowań maszyny.",
            "Jakiej gramatury potrzebujecie? Do tapicerki polecamy raczej kanwę niż materiał "
            "{fabric}.",
        ),
        answers=(
            "Za {metres} m miesięcznie (materiał: {fabric}) cena wynosi {amount} za "
            "zamówienie, z dostawą do pracowni {city}. Oferta ważna 30 dni.",
            "[Założyłem|Założyłam] dla Państwa konto hurtowe z rabatem 12% od cennika. Próbki "
            "dla klientów hurtowych są bezpłatne.",
        ),
        notes=(
            "Potencjalny klient hurtowy, jeśli przyjmą ofertę, przekazać Markowi.",
            "Wysłana wycena: {amount}, standardowy rabat hurtowy, bez specjalnych warunków.",
        ),
    ),
    "invoice": Topic(
        subjects=(
            "Faktura VAT do zamówienia {order}",
            "Błędna nazwa firmy na fakturze {invoice}",
            "Potrzebuję faktury za ostatnie zamówienie",
        ),
        problems=(
            "Proszę o fakturę VAT do zamówienia {order}. Przy zamawianiu nie "
            "[zaznaczyłem|zaznaczyłam] tej opcji.",
            "Na fakturze {invoice} do zamówienia {order} jest moje imię i nazwisko zamiast "
            "nazwy firmy. Czy można to poprawić?",
            "Nie mogę znaleźć na koncie faktury do zamówienia {order}. Księgowa potrzebuje jej "
            "w tym tygodniu.",
        ),
        details=(
            "Dane firmy są takie same jak przy poprzednim zamówieniu.",
            "Proszę o PDF na ten adres.",
        ),
        info=(
            "Firma: Atelier Len sp. z o.o., NIP 526-104-08-28, ul. Lniana 5, 90-001 Łódź.",
            "Na fakturze nadal jest stary adres, przeprowadziliśmy się w marcu.",
        ),
        asks=(
            "Proszę podać pełną nazwę firmy, adres i NIP, które mają być na fakturze.",
            "Czy faktura ma obejmować tylko zamówienie {order}, czy też dodruk, który "
            "wysłaliśmy później?",
        ),
        answers=(
            "[Wystawiłem|Wystawiłam] fakturę korygującą {invoice}; jest na koncie w zakładce "
            "Zamówienia oraz w załączniku.",
            "Faktura VAT do zamówienia {order} na kwotę {amount} jest już dostępna na koncie.",
        ),
        notes=(
            "Korekta faktury {invoice}: stara anulowana w systemie księgowym.",
            "Klient chce od teraz faktur na firmę, [zapisałem|zapisałam] w profilu.",
        ),
    ),
    "refund": Topic(
        subjects=(
            "Zwrot pieniędzy za zamówienie {order}",
            "Proszę anulować zamówienie i zwrócić pieniądze",
            "Nadal czekam na zwrot",
        ),
        problems=(
            "Chcę anulować zamówienie {order} i otrzymać zwrot {amount}. Przez pomyłkę "
            "[wybrałem|wybrałam] złą tkaninę.",
            "Dwa tygodnie temu obiecaliście zwrot {amount} za źle wydrukowaną tkaninę, ale "
            "pieniądze nie dotarły.",
            "Tkanina przyszła ze wzorem przesuniętym o kilka centymetrów. Nie chcę dodruku, "
            "proszę o zwrot pieniędzy.",
        ),
        details=(
            "[Płaciłem|Płaciłam] kartą.",
            "Mogę odesłać tkaninę, jeśli trzeba.",
        ),
        info=(
            "Bank twierdzi, że nic nie wpłynęło. Proszę o potwierdzenie przelewu.",
            "Dziś [odesłałem|odesłałam] tkaninę, numer przesyłki {tracking}.",
        ),
        asks=(
            "Proszę o zdjęcie błędu druku obok linijki, żeby produkcja mogła sprawdzić, co "
            "poszło nie tak.",
            "Czy zamówienie jest już wydrukowane? Jeśli nie, mogę je od razu anulować.",
        ),
        answers=(
            "Dziś [zwróciłem|zwróciłam] {amount} na <Pana|Pani> kartę. W zależności od banku "
            "środki pojawią się w ciągu 3–5 dni roboczych.",
            "Zamówienie {order} jest anulowane, a cała kwota {amount} wróciła tą samą metodą "
            "płatności.",
        ),
        notes=(
            "Zwrot {amount} zatwierdzony przez przełożoną, wysłany przez operatora płatności.",
            "Produkcja potwierdziła błąd (zła rejestracja na maszynie 2).",
        ),
    ),
    "payment": Topic(
        subjects=(
            "Podwójne obciążenie za zamówienie {order}",
            "Płatność nie przeszła, a pieniądze zniknęły",
            "Przelew nieprzypisany do zamówienia",
        ),
        problems=(
            "Karta została obciążona dwa razy po {amount} za zamówienie {order}. Proszę o "
            "zwrot drugiej płatności.",
            "Strona płatności pokazała błąd, ale pieniądze ({amount}) zeszły z konta, a "
            "zamówienie nadal jest nieopłacone.",
            "[Zapłaciłem|Zapłaciłam] za zamówienie {order} przelewem {days} dni temu, a nadal "
            "czeka na płatność.",
        ),
        details=(
            "W załączniku zrzut ekranu z wyciągu.",
            "Tkanina jest mi pilnie potrzebna, proszę nie anulować zamówienia.",
        ),
        info=(
            "W tytule przelewu było tylko moje nazwisko, przepraszam, "
            "[zapomniałem|zapomniałam] numeru zamówienia.",
            "[Sprawdziłem|Sprawdziłam] jeszcze raz: na wyciągu nadal są dwa obciążenia.",
        ),
        asks=(
            "Proszę podać datę i dokładną kwotę przelewu, nie znaleźliśmy go przy zamówieniu "
            "{order}.",
            "Czy drugie obciążenie jest na wyciągu jako blokada czy jako zaksięgowane?",
        ),
        answers=(
            "<Miał Pan|Miała Pani> rację: drugie obciążenie {amount} było zdublowane. "
            "[Zwróciłem|Zwróciłam] je, a zamówienie {order} jest opłacone.",
            "Znaleźliśmy przelew i przypisaliśmy go do zamówienia {order}. Jest już w produkcji.",
        ),
        notes=(
            "U operatora płatności dwie autoryzacje, druga anulowana.",
            "Przelew bez numeru zamówienia, [przypisałem|przypisałam] ręcznie.",
        ),
    ),
    "broken_file": Topic(
        subjects=(
            "Mój plik ze wzorem został odrzucony",
            "Nie mogę wgrać pliku do zamówienia {order}",
            "Podgląd wydruku jest rozmazany",
        ),
        problems=(
            "[Wgrałem|Wgrałam] projekt do zamówienia {order}, ale sklep twierdzi, że plik jest "
            "uszkodzony. U mnie otwiera się normalnie.",
            "Podgląd mojego wzoru jest bardzo rozmazany. Plik ma {dpi} dpi, czy to wystarczy? "
            "Materiał: {fabric}.",
            "Wysyłanie pliku za każdym razem zatrzymuje się na 99%. To TIFF o wielkości 180 MB.",
        ),
        details=(
            "[Próbowałem|Próbowałam] w dwóch różnych przeglądarkach.",
            "Projekt [wyeksportowałem|wyeksportowałam] z Illustratora do PDF.",
        ),
        info=(
            "[Zapisałem|Zapisałam] ponownie jako PNG 150 dpi i tym razem się udało.",
            "Z nowym plikiem to samo, znowu staje na końcu.",
        ),
        asks=(
            "Proszę przesłać plik linkiem (WeTransfer lub podobny), wtedy nasze studio DTP "
            "sprawdzi go bezpośrednio.",
            "Z jakiego programu i z jakimi ustawieniami był eksportowany plik?",
        ),
        answers=(
            "Nasze studio DTP naprawiło plik (uszkodzony osadzony profil kolorów). Poprawiony "
            "podgląd jest już w zamówieniu {order}.",
            "Dla tej tkaniny potrzeba co najmniej 150 dpi w docelowym rozmiarze. "
            "[Przeskalowałem|Przeskalowałam] projekt, nowy podgląd jest ostry.",
        ),
        notes=(
            "Plik ma profil CMYK z kolorami dodatkowymi, RIP go odrzuca. Skonwertowany do sRGB.",
            "Limit wysyłki to 150 MB, plik klienta jest większy. [Poprosiłem|Poprosiłam] o link.",
        ),
    ),
    "colour": Topic(
        subjects=(
            "Kolory niezgodne z projektem",
            "Kolory na tkaninie dużo ciemniejsze niż na ekranie",
            "Różnica koloru między dwoma zamówieniami",
        ),
        problems=(
            "Granat z mojego projektu wyszedł na tkaninie prawie czarny, a na ekranie jest "
            "wyraźnie niebieski. Materiał: {fabric}.",
            "[Zamawiałem|Zamawiałam] ten sam wzór dwa razy ({order} i wcześniej), a czerwień "
            "jest za każdym razem inna.",
            "Pastelowe kolory na tkaninie wyglądają na sprane. Czy to normalne?",
        ),
        details=(
            "Mogę przesłać zdjęcia w świetle dziennym.",
            "Muszę dopasować kolor do tkaniny, którą już mam.",
        ),
        info=(
            "Przesyłam zdjęcia w świetle dziennym, różnica jest wyraźna.",
            "Wzornik dotarł, najbliżej mojego niebieskiego jest numer 214.",
        ),
        asks=(
            "Proszę o zdjęcie tkaniny w świetle dziennym obok koloru na ekranie lub wydruku.",
            "Czy wysłać <Panu|Pani> nasz drukowany wzornik kolorów, żeby wybrać dokładny odcień?",
        ),
        answers=(
            "Włókna naturalne chłoną tusz inaczej. Bezpłatnie wydrukowaliśmy ponownie {metres} m "
            "z kolorem poprawionym według wzornika (numer 214).",
            "[Wysłałem|Wysłałam] wzornik na tej tkaninie. Proszę wybrać numer, a kolejne "
            "zamówienie wydrukujemy dokładnie w tym odcieniu.",
        ),
        notes=(
            "Przesunięcie koloru potwierdzone, nowa partia tuszu na maszynie 1. Dodruk OK.",
            "Plik klienta w CMYK z amerykańskim profilem. [Wyjaśniłem|Wyjaśniłam], dodruk "
            "niepotrzebny.",
        ),
    ),
    "delay": Topic(
        subjects=(
            "Gdzie jest moje zamówienie {order}?",
            "Opóźniona dostawa",
            "Zamówienie {order} nadal nie dotarło",
        ),
        problems=(
            "Zamówienie {order} miało dotrzeć {days} dni temu, a numer przesyłki {tracking} "
            "nie pokazuje żadnego ruchu.",
            "Kurier miał przyjechać wczoraj między 10 a 14, nikt nie przyjechał ani nie zadzwonił.",
            "Minęło już {days} dni od wysyłki, a zamówienia {order} nadal nie ma.",
        ),
        details=(
            "Tkanina jest potrzebna na wesele w sobotę.",
            "Cały dzień [czekałem|czekałam] w domu.",
        ),
        info=(
            "Nadal nie dotarło. Na stronie śledzenia jest teraz „nieznany adres”.",
            "Paczka przyszła dziś, ale tylko jedna rolka z dwóch.",
        ),
        asks=(
            "Proszę potwierdzić adres dostawy i numer telefonu, pod który może zadzwonić kierowca.",
            "Proszę zapytać sąsiadów lub recepcję budynku: kierowca oznaczył paczkę jako "
            "doręczoną.",
        ),
        answers=(
            "Nasz kurier dostarczy zamówienie {order} jutro między 9 a 13 i zadzwoni 30 minut "
            "wcześniej.",
            "Paczka utknęła w sortowni {city}. Dziś wysłaliśmy ją ponownie ekspresem na nasz "
            "koszt.",
        ),
        notes=(
            "Sortownia {city} potwierdza błędne sortowanie. Wysłane ponownie ekspresem.",
            "Wczoraj odwołana trasa kierowcy (awaria busa), dotyczy 14 paczek.",
        ),
    ),
    "damaged": Topic(
        subjects=(
            "Paczka dotarła uszkodzona",
            "Zła tkanina w zamówieniu {order}",
            "Tkanina mokra i poplamiona",
        ),
        problems=(
            "Paczka z zamówieniem {order} przyszła rozdarta, a tkanina w środku ma brudne ślady.",
            "[Zamawiałem|Zamawiałam] materiał {fabric}, a [dostałem|dostałam] rolkę innej tkaniny "
            "z cudzym wzorem.",
            "Karton był mokry, a tkanina ma zacieki wzdłuż jednego brzegu.",
        ),
        details=(
            "[Zrobiłem|Zrobiłam] zdjęcia kartonu przed otwarciem.",
            "Kierowca odjechał, zanim [zdążyłem|zdążyłam] sprawdzić paczkę.",
        ),
        info=(
            "Zdjęcia w załączniku. Plamy się nie spierają.",
            "Kurier odebrał dziś złą rolkę.",
        ),
        asks=(
            "Proszę o zdjęcia paczki i uszkodzonego fragmentu tkaniny, wtedy od razu "
            "drukujemy ponownie.",
            "Proszę na razie zachować opakowanie, firma kurierska może chcieć je obejrzeć.",
        ),
        answers=(
            "Bardzo przepraszamy. Zamówienie {order} wydrukowaliśmy ponownie i dziś wychodzi. "
            "Uszkodzoną tkaninę można zatrzymać.",
            "Właściwa rolka jest już w drodze, numer przesyłki {tracking}. Kurier przy okazji "
            "zabierze złą.",
        ),
        notes=(
            "Zgłoszona reklamacja u przewoźnika, zdjęcia dołączone.",
            "Pomyłka przy pakowaniu: dwa zamówienia o podobnych numerach na jednym stole.",
        ),
    ),
    "address": Topic(
        subjects=(
            "Zmiana adresu dostawy zamówienia {order}",
            "Czy mogę odebrać zamówienie osobiście?",
            "Błędny kod pocztowy w zamówieniu",
        ),
        problems=(
            "Proszę dostarczyć zamówienie {order} do mojego biura, w tym tygodniu nie będzie "
            "mnie w domu.",
            "Mieszkam blisko waszej pracowni. Czy mogę [sam|sama] odebrać zamówienie {order} i nie "
            "płacić za dostawę?",
            "[Pomyliłem|Pomyliłam] się w kodzie pocztowym w zamówieniu {order}. Czy można to "
            "poprawić przed wysyłką?",
        ),
        details=(
            "Nowy adres to ta sama ulica, numer 14, lokal 3.",
            "Pasuje mi każdy dzień po 16:00.",
        ),
        info=(
            "Prawidłowy adres: ul. Młyńska 14/7. Dziękuję!",
            "Mogę przyjechać w czwartek po południu.",
        ),
        asks=(
            "Proszę podać pełny nowy adres z kodem pocztowym i telefon dla kierowcy.",
            "Zamówienie {order} wyjechało już z pracowni. Przekierować je, czy kurier ma "
            "najpierw spróbować pod starym adresem?",
        ),
        answers=(
            "Gotowe: zamówienie {order} zostanie dostarczone na nowy adres, kierowca "
            "zadzwoni wcześniej.",
            "Zamówienie {order} można odebrać w pracowni w dni robocze od 9 do 17. Opłatę za "
            "dostawę zwróciliśmy.",
        ),
        notes=(
            "Adres zmieniony w systemie kurierskim przed ułożeniem trasy.",
            "Odbiór osobisty ustalony, paczka na półce w recepcji pracowni.",
        ),
    ),
}

LANGUAGE = Language(
    code="pl",
    hello=("Dzień dobry,", "Witam,", "Dzień dobry!", "Szanowni Państwo,"),
    bye=("Pozdrawiam,", "Z góry dziękuję,", "Z poważaniem,", "Dziękuję i pozdrawiam,"),
    agent_hello_named=("Dzień dobry, {name}!", "Dzień dobry {name},"),
    agent_hello=("Dzień dobry,", "Dzień dobry!"),
    agent_bye=(
        "Pozdrawiam serdecznie,\n{agent}\nObsługa klienta Tkanina Print",
        "Z poważaniem,\n{agent}, Tkanina Print",
        "Miłego dnia!\n{agent}",
    ),
    phone_prefix="Rozmowa telefoniczna, notatka konsultanta: ",
    chat_prefix="",
    nudges=(
        "Czy są jakieś nowe informacje?",
        "Nadal nie [dostałem|dostałam] odpowiedzi. Proszę o sprawdzenie.",
        "Przypominam o mojej wiadomości z zeszłego tygodnia.",
    ),
    thanks=(
        "Dziękuję, sprawa załatwiona!",
        "Świetnie, dziękuję za szybką pomoc.",
        "[Dostałem|Dostałam], wszystko jest już w porządku. Dziękuję!",
    ),
    progress=(
        "Dziękuję za wiadomość. [Przekazałem|Przekazałam] ją do produkcji i odezwę się do jutra.",
        "Sprawdzam to teraz i dam znać, jak tylko będę wiedzieć więcej.",
        "Dziękuję za cierpliwość. Pracownia sprawdza dziś <Pana|Pani> zamówienie.",
    ),
    hold_notes=(
        "Czekamy na nową dostawę tkaniny od dostawcy, za ok. {days} dni.",
        "Wstrzymane do czasu wydruku próbnego w produkcji.",
        "Czekamy na odpowiedź firmy kurierskiej w sprawie reklamacji.",
    ),
    triage_notes=(
        "Wygląda na duplikat wcześniejszego zgłoszenia, sprawdzam przed odpowiedzią.",
        "Klient dzwonił też w tej samej sprawie.",
        "Rutynowe pytanie, odpowiedź z szablonu.",
    ),
    escalations=(
        "Klient grozi chargebackiem w banku.",
        "Trzecia reklamacja tego klienta w tym miesiącu.",
        "Duży klient hurtowy, zamówienie na {amount}.",
    ),
    priority_reasons=(
        "Wydarzenie klienta jest w tym tygodniu.",
        "Klient długo czeka na zwrot.",
        "Klient hurtowy.",
    ),
    fabrics={
        "cotton": "bawełna (popelina)",
        "linen": "len",
        "satin": "satyna",
        "velvet": "welur",
        "canvas": "kanwa bawełniana",
        "chiffon": "szyfon",
        "jersey": "dzianina bawełniana",
        "oxford": "oxford",
    },
    cities=("w Krakowie", "w Gdańsku", "w Poznaniu", "we Wrocławiu", "w Łodzi", "w Lublinie"),
    money="{amount} zł",
    topics=TOPICS,
)
