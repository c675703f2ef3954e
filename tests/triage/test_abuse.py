"""The abuse detector on sentences written for these tests (never the evaluation data)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from litso.triage.abuse import AbuseVerdict, guidance, score_text
from litso.triage.abuse_text import views

RUSSIAN_OBSCENE = [
    ("Да пошли вы нахуй со своей доставкой", "profanity:ru:хуй"),
    ("Охуеть, третий день жду", "profanity:ru:хуй"),
    ("Какая-то хуйня с вашим приложением", "profanity:ru:хуй"),
    ("Пиздец, а не сервис", "profanity:ru:пизд"),
    ("Вы меня заебали своими отписками", "profanity:ru:еб"),
    ("Съебались все в отпуск, что ли?", "profanity:ru:еб"),
    ("Ёбаный курьер опять не приехал", "profanity:ru:еб"),
    ("Ваш оператор долбоёб", "profanity:ru:еб"),
    ("Блять, сколько можно ждать", "profanity:ru:бля"),
    ("Сука, опять списали деньги", "profanity:ru:сука"),
    ("Менеджер ваш мудак", "profanity:ru:мудак"),
    ("Гандоны, верните деньги", "profanity:ru:гандон"),
    # Obfuscation: Latin look-alikes, digits, separators, stretched letters, masks.
    ("Вы что, xуйню мне прислали?", "profanity:ru:хуй"),
    ("eбaть, опять сломалось", "profanity:ru:еб"),
    ("пиzдец полный", "profanity:ru:пизд"),
    ("бл9ть, ну когда уже", "profanity:ru:бля"),
    ("х у й вам, а не отзыв", "profanity:ru:хуй"),
    ("п.и.з.д.е.ц", "profanity:ru:пизд"),
    ("бляяяять, ну сколько можно", "profanity:ru:бля"),
    ("бл*ть, опять не работает", "profanity:ru:бля"),
    ("cyka, верните деньги", "profanity:ru:сука"),
    ("suka blyat, where is my order", "profanity:ru:бля"),
]
POLISH_OBSCENE = [
    ("Kurwa, znowu nie działa", "profanity:pl:kurwa"),
    ("Co za kurewski bałagan", "profanity:pl:kurwa"),
    ("Ty skurwysynu, oddaj pieniądze", "profanity:pl:kurwa"),
    ("Spierdalaj z tą ofertą", "profanity:pl:pierdolic"),
    ("Ja pierdolę, trzeci raz piszę", "profanity:pl:pierdolic"),
    ("Chujowa obsługa", "profanity:pl:chuj"),
    ("hujnia a nie aplikacja", "profanity:pl:chuj"),
    ("Zajebię was", "profanity:pl:jebac"),
    ("Pojebało was z tymi cenami?", "profanity:pl:jebac"),
    ("Niezajebany system", "profanity:pl:jebac"),
    ("Pizda z tym kurierem", "profanity:pl:pizda"),
    ("Ty kutasie", "profanity:pl:kutas"),
    ("qrwa mać", "profanity:pl:kurwa"),
    ("k***a, gdzie paczka", "profanity:pl:kurwa"),
    ("k.u.r.w.a", "profanity:pl:kurwa"),
    ("kuuuurwa", "profanity:pl:kurwa"),
    ("Obsługa do dupy", "profanity:pl:dupa"),
]
ENGLISH_OBSCENE = [
    ("Fuck this service", "profanity:en:fuck"),
    ("What the fucking hell is going on", "profanity:en:fuck"),
    ("You motherfuckers stole my money", "profanity:en:fuck"),
    ("This is bullshit", "profanity:en:shit"),
    ("Your manager is an asshole", "profanity:en:asshole"),
    ("stupid bitch hung up on me", "profanity:en:bitch"),
    ("f*ck you", "profanity:en:fuck"),
    ("f.u.c.k this", "profanity:en:fuck"),
    ("fuuuuuck, again?", "profanity:en:fuck"),
    ("sh1t service", "profanity:en:shit"),
    ("b-i-t-c-h", "profanity:en:bitch"),
    ("you a$$hole", "profanity:en:asshole"),
    ("fuсk", "profanity:en:fuck"),  # Cyrillic "с"
    ("f u c k you", "profanity:en:fuck"),
    ("s**t happens here every day", "profanity:en:shit"),
    ("what a cunt", "profanity:en:cunt"),
]
INSULTS = [
    ("Вы идиоты или как?", "insult:ru:идиот"),
    ("Дебилы, кто так работает", "insult:ru:дебил"),
    ("Уроды, верните деньги", "insult:ru:урод"),
    ("Мразь, а не компания", "insult:ru:мразь"),
    ("Jesteście idiotami", "insult:pl:idiota"),
    ("Ty debilu", "insult:pl:debil"),
    ("Kretyni z działu obsługi", "insult:pl:kretyn"),
    ("You are all idiots", "insult:en:idiot"),
    ("What a moron", "insult:en:moron"),
    ("Убью тебя, если не вернёте деньги", "threat:violence:ru:убью"),
    ("Zabiję was", "threat:violence:pl:zabije"),
    ("I will kill you", "threat:violence:en:kill"),
]
MILD = [  # a reason, but not enough to flag alone
    ("Ну вы тупой", "insult:ru:тупой"),
    ("To głupi pomysł", "insult:pl:glupi"),
    ("That was stupid", "insult:en:stupid"),
    ("Your staff are incompetent", "insult:en:incompetent"),
    ("Damn, it broke again", "profanity:en:damn"),
]
THREATS = [
    ("Я подам в суд на вашу компанию", "threat:legal:ru:суд"),
    ("Обращусь в Роспотребнадзор", "threat:legal:ru:надзор"),
    ("Напишу жалобу в прокуратуру", "threat:legal:ru:надзор"),
    ("Мой юрист с вами свяжется", "threat:legal:ru:юрист"),
    ("Уйду к конкурентам", "threat:leave:ru:конкуренты"),
    ("Złożę pozew do sądu", "threat:legal:pl:sad"),
    ("Zgłoszę sprawę do UOKiK", "threat:legal:pl:uokik"),
    ("Sprawa trafi do prokuratury", "threat:legal:pl:uokik"),
    ("Odejdę do konkurencji", "threat:leave:pl:konkurencja"),
    ("I will sue you", "threat:legal:en:court"),
    ("My lawyer will contact you", "threat:legal:en:lawyer"),
    ("I am reporting this to consumer protection", "threat:legal:en:regulator"),
    ("Cancel my account, I am going to your competitor", "threat:leave:en:competitor"),
]
INNOCENT = [
    # Russian words with the letters of mat inside.
    "употреблять", "скрипка", "оскорблять", "сукно", "корабль", "корабля", "рубля", "хлеба",
    "небеса", "потребитель", "учеба", "себе", "тебя", "веб-сайт", "скипидар", "спидран",
    "застрахуйте машину", "страхую квартиру", "педиатр", "хулиган", "мудрый", "ссылка",
    "ссуда", "сразу", "просрочка", "насос", "сосиски", "трахея", "Херсон", "ибо", "Ebay",
    "парашют", "срыв поставки", "урожай уродился", "программа уходит в петлю", "Ипанема",
    "подвесить потолок", "закопать кабель", "на кол-во товаров",
    # Polish.
    "huta", "Huta Katowice", "sukienka", "sukces", "duplikat", "dupleks", "ruch", "pieprz",
    "z pieprzem", "kawałek loda", "Osram", "skurcz", "kurtka", "numer CIP", "ceny spadają",
    "SRAM", "Jebel Ali",
    # English.
    "Scunthorpe", "assess", "class", "passion", "embarrassed", "Sussex", "cocktail",
    "peacock", "Hancock", "Dickens", "shitake", "shiitake", "Matsushita", "Niger", "niggle",
    "document", "therapist", "analysis", "flame retardant", "badass support", "dumbbell",
    "Moroni", "did my parcel get lost?", "I will find your order", "kill the process",
    # Numbers and masks that are not words.
    "Galaxy A55", "S21 ultra", "*very* important", "price* (see below)", "2020",
]
POLITE = [
    "I am very disappointed, this is the third time I write.",
    "Please cancel my order 4411, I found it cheaper elsewhere.",
    "Could you tell me when my refund will arrive? Thank you.",
    "Добрый день! Третий раз пишу, посылка так и не пришла. Помогите, пожалуйста.",
    "Здравствуйте, прошу вернуть деньги за заказ 12345, товар оказался с браком.",
    "Подскажите, пожалуйста, как поменять тариф?",
    "Dzień dobry, jestem bardzo rozczarowany, piszę już trzeci raz w tej sprawie.",
    "Uprzejmie proszę o zwrot pieniędzy za uszkodzoną sukienkę.",
    "Głupio mi pytać, ale jak zmienić hasło?",
]


def reasons(text: str, language: str | None = None) -> list[str]:
    return score_text(text, language).reasons


@pytest.mark.parametrize(("text", "reason"), RUSSIAN_OBSCENE + POLISH_OBSCENE + ENGLISH_OBSCENE)
def test_profanity_is_flagged_with_its_root(text: str, reason: str) -> None:
    verdict = score_text(text)
    assert verdict.flagged, verdict
    assert reason in verdict.reasons


@pytest.mark.parametrize(("text", "reason"), INSULTS)
def test_insults_and_violent_threats_are_flagged(text: str, reason: str) -> None:
    verdict = score_text(text)
    assert verdict.flagged, verdict
    assert reason in verdict.reasons


@pytest.mark.parametrize(("text", "reason"), MILD + THREATS)
def test_mild_words_and_threats_give_a_reason_without_flagging(text: str, reason: str) -> None:
    verdict = score_text(text)
    assert reason in verdict.reasons, verdict
    assert not verdict.flagged
    assert 0 < verdict.score < 0.5


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_look_alikes_have_no_reason(text: str) -> None:
    assert score_text(text) == AbuseVerdict(score=0.0, flagged=False, reasons=[])


@pytest.mark.parametrize("text", POLITE)
def test_polite_complaints_are_not_flagged(text: str) -> None:
    verdict = score_text(text)
    assert not verdict.flagged, verdict
    assert not [r for r in verdict.reasons if r.split(":")[0] in ("profanity", "insult", "slur")]


def test_shouting_is_a_reason_and_adds_up() -> None:
    calm = score_text("This is the third time I write and nobody answers")
    caps = score_text("THIS IS THE THIRD TIME I WRITE AND NOBODY ANSWERS")
    both = score_text("THIS IS THE THIRD TIME I WRITE AND NOBODY ANSWERS!!!")
    assert calm.reasons == []
    assert caps.reasons == ["shouting:caps"]
    assert not caps.flagged
    assert both.reasons == ["shouting:caps", "shouting:exclamations"]
    assert both.score > caps.score
    assert score_text("OK").reasons == []  # a short word in capitals is not shouting


def test_weak_signals_flag_together() -> None:
    alone = score_text("That was stupid")
    shouted = score_text("THAT WAS A STUPID ANSWER FROM YOUR STAFF")
    assert not alone.flagged
    assert shouted.flagged
    assert shouted.reasons == ["insult:en:stupid", "shouting:caps"]
    threats = score_text("I will sue you and go to your competitor")
    assert not threats.flagged
    angry = score_text("I will sue you and go to your competitor!!!")
    assert angry.flagged
    assert {"threat:legal:en:court", "threat:leave:en:competitor"} <= set(angry.reasons)


def test_score_combines_distinct_reasons_and_stays_in_range() -> None:
    one = score_text("fuck")
    many = score_text("FUCK YOU, YOU STUPID IDIOT BITCH, I WILL SUE!!!")
    assert one.score == 0.9
    assert 0.99 < many.score <= 1.0
    assert score_text("fuck fuck fuck").score == one.score  # repetition is not new evidence


def test_language_limits_mild_words_but_not_strong_ones() -> None:
    assert reasons("Ну вы тупой", "pl") == []
    assert reasons("Ну вы тупой", "ru") == ["insult:ru:тупой"]
    assert reasons("kurwa, where is my order", "en") == ["profanity:pl:kurwa"]
    assert reasons("I will sue you", "ru") == []
    assert reasons("I will sue you", "en") == ["threat:legal:en:court"]


def test_a_word_two_languages_know_is_reported_once() -> None:
    assert reasons("suka") == ["profanity:pl:suka"]  # Latin script: Polish before Russian
    assert reasons("ты suka") == ["profanity:ru:сука"]  # a Russian message
    assert reasons("You idiot") == ["insult:en:idiot"]
    assert reasons("Ty idioto, zażółć") == ["insult:pl:idiota"]


def test_threshold_can_be_moved() -> None:
    assert not score_text("That was stupid").flagged
    assert score_text("That was stupid", threshold=0.4).flagged
    assert not score_text("fuck", threshold=0.95).flagged
    assert not score_text("", threshold=0.0).flagged  # nothing found, nothing flagged


def test_empty_and_odd_input() -> None:
    for text in ("", "   ", "\u200b", "!!!", "😀😀😀", "\x00\x01", "a" * 10000):
        verdict = score_text(text)
        assert 0.0 <= verdict.score <= 1.0
        assert not verdict.flagged


def test_invisible_characters_and_stress_marks_do_not_hide_words() -> None:
    assert score_text("ху\u200bйня").flagged
    assert score_text("f\u00aduck").flagged
    assert score_text("пизде́ц").flagged


def test_verdict_is_frozen() -> None:
    verdict = score_text("fuck")
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.score = 0.0  # type: ignore[misc]


def test_views_read_words_both_ways() -> None:
    seen = views("xуй f.u.c.k sh1t Gówno")
    assert seen.primary == "хуй f u c k shit gowno"
    assert {"хуй", "fuck", "shit", "gowno"} <= seen.tokens
    assert views("бл*ть").masked


def test_guidance_for_abuse_threats_and_nothing() -> None:
    assert guidance(score_text("Thank you!")) == ""
    abuse = guidance(score_text("You fucking idiots"), "en")
    assert "abusive language" in abuse
    assert "supervisor" in abuse
    legal = guidance(score_text("I will sue you"), "en")
    assert "Legal action" in legal
    assert "abusive" not in legal
    leaving = guidance(score_text("Уйду к конкурентам"), "en")
    assert "may leave" in leaving
    violence = guidance(score_text("I know where you live"), "en")
    assert "threatens violence" in violence


def test_typical_message_takes_well_under_a_millisecond() -> None:
    messages = [
        f"Hello, order {n} has not arrived yet, could you check it please? Thanks, Anna"
        for n in range(100)
    ] + [
        f"Здравствуйте, заказ {n} до сих пор не пришёл, проверьте, пожалуйста. Анна"
        for n in range(100)
    ]
    for message in messages:  # the first call compiles the lexicons
        score_text(message)
    started = time.perf_counter()
    for message in messages:
        score_text(message)
    per_message = (time.perf_counter() - started) / len(messages)
    assert per_message < 0.001
