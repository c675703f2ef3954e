"""Small support requests in English, Russian and Polish for the router's tests.

Four departments; each message is written the way customers write (no template phrases), so a
model that passes has to use the words, in three languages.
"""

from __future__ import annotations

TRAIN: list[tuple[str, str]] = [
    # billing
    ("I was charged twice for my subscription this month", "billing"),
    ("Please send me the invoice for order 4471", "billing"),
    ("My refund has still not arrived on my card", "billing"),
    ("Why is the VAT on my invoice wrong?", "billing"),
    ("The payment failed but the money left my account", "billing"),
    ("Can I pay by bank transfer instead of card?", "billing"),
    ("С меня дважды списали деньги за подписку", "billing"),
    ("Пришлите, пожалуйста, счёт на оплату для бухгалтерии", "billing"),
    ("Где мой возврат денег? Прошло уже две недели", "billing"),
    ("В счёте неверно указан ИНН нашей компании", "billing"),
    ("Оплата картой не проходит, деньги заблокированы", "billing"),
    ("Можно ли оплатить по безналу?", "billing"),
    ("Pobrano ode mnie opłatę dwa razy za abonament", "billing"),
    ("Proszę o fakturę VAT do zamówienia 4471", "billing"),
    ("Nie otrzymałem zwrotu pieniędzy na kartę", "billing"),
    ("Na fakturze jest błędny NIP firmy", "billing"),
    ("Płatność nie przeszła, a pieniądze zniknęły z konta", "billing"),
    ("Czy mogę zapłacić przelewem bankowym?", "billing"),
    # technical
    ("The app crashes every time I try to log in", "technical"),
    ("I cannot reset my password, the link is broken", "technical"),
    ("Error 500 when I upload a file", "technical"),
    ("The website does not load in Firefox", "technical"),
    ("Two-factor code never arrives, I am locked out of my account", "technical"),
    ("Sync between the phone and the laptop stopped working", "technical"),
    ("Приложение вылетает при входе в аккаунт", "technical"),
    ("Не могу сбросить пароль, ссылка не работает", "technical"),
    ("Ошибка 500 при загрузке файла", "technical"),
    ("Сайт не открывается в браузере", "technical"),
    ("Не приходит код подтверждения, не могу войти", "technical"),
    ("Перестала работать синхронизация телефона и ноутбука", "technical"),
    ("Aplikacja się zawiesza przy logowaniu", "technical"),
    ("Nie mogę zresetować hasła, link nie działa", "technical"),
    ("Błąd 500 podczas wgrywania pliku", "technical"),
    ("Strona nie ładuje się w przeglądarce", "technical"),
    ("Nie dostaję kodu weryfikacyjnego, nie mogę się zalogować", "technical"),
    ("Synchronizacja telefonu z laptopem przestała działać", "technical"),
    # delivery
    ("My parcel has not been delivered yet, where is it?", "delivery"),
    ("The courier left the package at the wrong address", "delivery"),
    ("Tracking number shows no movement for a week", "delivery"),
    ("The box arrived damaged and the item is broken", "delivery"),
    ("Can you change the delivery address for my order?", "delivery"),
    ("How long does shipping to Germany take?", "delivery"),
    ("Посылка до сих пор не доставлена, где она?", "delivery"),
    ("Курьер оставил посылку не по тому адресу", "delivery"),
    ("Трек-номер не обновляется уже неделю", "delivery"),
    ("Коробка пришла помятой, товар сломан", "delivery"),
    ("Можно изменить адрес доставки заказа?", "delivery"),
    ("Сколько идёт доставка в Казань?", "delivery"),
    ("Paczka wciąż nie dotarła, gdzie ona jest?", "delivery"),
    ("Kurier zostawił przesyłkę pod złym adresem", "delivery"),
    ("Numer przesyłki nie zmienia statusu od tygodnia", "delivery"),
    ("Paczka przyszła uszkodzona, towar jest zniszczony", "delivery"),
    ("Czy można zmienić adres dostawy zamówienia?", "delivery"),
    ("Ile trwa wysyłka do Gdańska?", "delivery"),
    # sales
    ("How much does the enterprise plan cost for 50 users?", "sales"),
    ("I would like a quote for 200 licences", "sales"),
    ("Do you offer a discount for non-profits?", "sales"),
    ("Can we get a demo of the product next week?", "sales"),
    ("What is the difference between the basic and pro plans?", "sales"),
    ("We want to buy in bulk for our stores", "sales"),
    ("Сколько стоит корпоративный тариф на 50 пользователей?", "sales"),
    ("Подготовьте коммерческое предложение на 200 лицензий", "sales"),
    ("Есть ли скидка для некоммерческих организаций?", "sales"),
    ("Можно заказать демонстрацию продукта?", "sales"),
    ("Чем отличается базовый тариф от профессионального?", "sales"),
    ("Хотим купить оптом для наших магазинов", "sales"),
    ("Ile kosztuje plan firmowy dla 50 użytkowników?", "sales"),
    ("Proszę o ofertę na 200 licencji", "sales"),
    ("Czy jest rabat dla fundacji?", "sales"),
    ("Czy możemy umówić prezentację produktu?", "sales"),
    ("Czym różni się plan podstawowy od profesjonalnego?", "sales"),
    ("Chcemy kupić hurtowo do naszych sklepów", "sales"),
]

# Phrasings not in TRAIN; each names its department by a word the training set used, in
# another form where the language inflects.
TEST: list[tuple[str, str]] = [
    ("Where is my refund? I returned the item a month ago", "billing"),
    ("The invoice has the wrong company name", "billing"),
    ("Верните деньги, списание прошло дважды", "billing"),
    ("Нужен счёт для оплаты", "billing"),
    ("Proszę o zwrot pieniędzy za zamówienie", "billing"),
    ("Faktura ma zły adres firmy", "billing"),
    ("I forgot my password and cannot log in", "technical"),
    ("The app shows error 500 on start", "technical"),
    ("Не работает вход, пароль не подходит", "technical"),
    ("Приложение выдаёт ошибку при загрузке", "technical"),
    ("Nie mogę się zalogować do aplikacji", "technical"),
    ("Hasło nie działa po zmianie", "technical"),
    ("The parcel still has not arrived", "delivery"),
    ("The courier never came", "delivery"),
    ("Посылку так и не доставили", "delivery"),
    ("Курьер не приехал, где моя посылка", "delivery"),
    ("Gdzie jest moja paczka?", "delivery"),
    ("Kurier nie przyjechał z przesyłką", "delivery"),
    ("What would a quote for 30 licences cost?", "sales"),
    ("Is there a discount on the pro plan?", "sales"),
    ("Сколько стоят лицензии для команды?", "sales"),
    ("Какая скидка на корпоративный тариф?", "sales"),
    ("Ile kosztuje licencja dla zespołu?", "sales"),
    ("Czy dostaniemy rabat na plan profesjonalny?", "sales"),
]

DESCRIPTIONS: dict[str, str] = {
    "billing": "Billing: invoices, payments, refunds, charges. Счета, оплата, возврат денег. "
    "Faktury, płatności, zwroty pieniędzy.",
    "technical": "Technical support: login, password, errors, the app crashes. Вход, пароль, "
    "ошибка, приложение. Logowanie, hasło, błąd, aplikacja.",
    "delivery": "Delivery: parcels, couriers, shipping, tracking. Доставка, посылка, курьер. "
    "Dostawa, paczka, kurier, przesyłka.",
    "sales": "Sales: prices, quotes, discounts, licences, plans. Цена, скидка, лицензии, "
    "тариф. Cena, oferta, rabat, licencje.",
}


def texts(rows: list[tuple[str, str]]) -> list[str]:
    return [text for text, _ in rows]


def labels(rows: list[tuple[str, str]]) -> list[str]:
    return [label for _, label in rows]
