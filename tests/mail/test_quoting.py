"""split_reply: what the customer wrote now versus history and signature."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litso.mail.parsing import parse_message
from litso.mail.quoting import split_reply, split_reply_html

CORPUS = Path(__file__).parent / "corpus"


def corpus_reply(name: str) -> str:
    return parse_message((CORPUS / f"{name}.eml").read_bytes()).body_text


@pytest.mark.parametrize(
    ("name", "visible", "quoted_starts"),
    [
        ("reply_gmail_en", "Thanks, that fixed it!", "On Tue, Mar 12, 2024 at 10:15 AM Support"),
        ("reply_gmail_wrapped", "It works now.", "On Tue, Mar 12, 2024 at 10:15 AM Litso"),
        ("reply_gmail_ru", "Спасибо, всё заработало.", "вт, 12 мар. 2024 г. в 10:15, Support"),
        ("reply_ru_napisal", "Проблема осталась.", "12 марта 2024 г., 10:15 пользователь"),
        ("reply_thunderbird_ru", "Да, помогло.", "12.03.2024 10:15, Support пишет:"),
        ("reply_gmail_pl", "Dziękuję, działa.", "wt., 12 mar 2024 o 10:15 Support"),
        ("reply_yandex", "Всё ещё не работает.", '12.03.2024, 10:15, "Support"'),
        ("reply_mailru", "Ответ выше.", "Среда, 12 марта 2024, 10:15 +03:00 от Support"),
        ("reply_apple", "Got it, thanks.", "> On 12 Mar 2024, at 10:15, Support"),
        ("reply_outlook_en", "I still see the error.", "________________________________\nFrom:"),
        (
            "reply_outlook_ru",
            "Ошибка сохраняется.",
            "От: Support <support@litso.test>\nОтправлено:",
        ),
        ("reply_outlook_pl", "Nadal nie działa.", "Od: Support <support@litso.test>\nWysłano:"),
        ("reply_original_message_en", "See below.", "-----Original Message-----"),
        ("reply_original_message_ru", "Смотрите ниже.", "-----Исходное сообщение-----"),
        ("reply_original_message_pl", "Patrz niżej.", "-----Oryginalna wiadomość-----"),
    ],
)
def test_reply_headers_in_each_client_shape(name: str, visible: str, quoted_starts: str) -> None:
    reply = split_reply(corpus_reply(name))
    assert reply.visible == visible
    assert reply.quoted.startswith(quoted_starts)
    assert reply.signature == ""


@pytest.mark.parametrize(
    ("name", "visible", "signature"),
    [
        (
            "reply_signature_dashes",
            "The invoice is wrong.",
            "--\nAnna Kowalska\nACME Sp. z o.o.\n+48 600 000 000",
        ),
        (
            "reply_signature_pozdrawiam",
            "Proszę o fakturę korygującą.",
            "Pozdrawiam,\nAnna Kowalska",
        ),
        (
            "reply_signature_s_uvazheniem",
            "Прошу выставить новый счёт.",
            "С уважением,\nИван Петров\nООО «Ромашка»",
        ),
        ("reply_signature_iphone_ru", "Хорошо, жду.", "Отправлено с iPhone"),
    ],
)
def test_signatures(name: str, visible: str, signature: str) -> None:
    reply = split_reply(corpus_reply(name))
    assert (reply.visible, reply.signature) == (visible, signature)


def test_inline_answers_keep_the_questions_they_answer() -> None:
    reply = split_reply(corpus_reply("reply_inline_answers"))
    assert "Firefox 123." in reply.visible
    assert "> Did you clear the cache?" in reply.visible
    assert reply.visible.endswith("Yes, twice.")
    assert reply.quoted == ""


def test_gmail_header_wrapped_over_three_lines() -> None:
    text = (
        "Fine now.\n\nOn Tue, Mar 12, 2024 at 10:15 AM Support\n<support@litso.test>\nwrote:\n\n"
        "> Old text\n"
    )
    assert split_reply(text).visible == "Fine now."


def test_bottom_posting_shows_the_answer() -> None:
    reply = split_reply("On 12.03.2024 10:15, Support wrote:\n> Question?\nAnswer.\n")
    assert reply.visible == "Answer."
    assert reply.quoted.startswith("On 12.03.2024")


def test_phone_tag_line_folds_the_unmarked_original_under_it() -> None:
    reply = split_reply("Ok.\n\nWysłane z iPhone'a\n\nProszę spróbować ponownie.\n")
    assert (reply.visible, reply.signature) == ("Ok.", "Wysłane z iPhone'a")
    assert reply.quoted == "Proszę spróbować ponownie."


def test_signature_below_the_quote_is_a_signature() -> None:
    text = (
        "Thanks!\n\nOn Tue, Mar 12, 2024 at 10:15 AM Support <s@x.test> wrote:\n> Hi\n\n-- \nAnna\n"
    )
    reply = split_reply(text)
    assert (reply.visible, reply.signature) == ("Thanks!", "--\nAnna")


@pytest.mark.parametrize(
    "text",
    [
        "On the surface this looks like a header.\n\nOn Monday I wrote: nothing.\n",
        "Best regards to your team, you were great.\nThe problem is solved.\n",
        "Sent from my desk, is much easier than from my phone.\n",
        "I wrote to you on 12.03.2024 at 10:15:\nplease call me back.\n",
        "Here are the steps:\n\n-- first\n-- second\n-- third\n\nThen it fails.\n",
        "The job was sent from my iPhone app to all users.\n",
        "My question is about the -- option.\nCan you help?\n",
        "Out of curiosity, pozdrawiam is Polish.\n",
        "To: all staff\nPlease read this.\n",
        "2 items arrived at 10:15, see <orders@shop.test>:\nplease check them.\n",
    ],
)
def test_ordinary_content_is_never_folded(text: str) -> None:
    reply = split_reply(text)
    assert reply.visible == text.strip()
    assert (reply.quoted, reply.signature) == ("", "")


def test_closing_followed_by_more_content_is_not_a_signature() -> None:
    text = (
        "Hello,\n\nBest regards,\nbut there is one more thing I need to explain in detail "
        "because the issue is not fixed yet and my whole team is waiting for your answer\n"
    )
    assert split_reply(text).signature == ""


def test_a_message_that_is_only_a_forward_stays_visible() -> None:
    text = "---------- Forwarded message ---------\nFrom: A <a@x.test>\nSubject: Hi\n\nBody\n"
    reply = split_reply(text)
    assert reply.visible == text.strip()
    assert reply.quoted == ""


def test_windows_crlf_and_paths_survive() -> None:
    reply = split_reply("Log at C:\\Users\\new.log\r\n\r\n> old\r\n")
    assert reply.visible == "Log at C:\\Users\\new.log"


def test_html_reply_uses_blockquotes() -> None:
    markup = (
        '<div dir="ltr">Works now, thanks!</div><br><div class="gmail_quote">'
        '<div dir="ltr">On Tue, Mar 12, 2024 at 10:15 AM Support &lt;s@x.test&gt; wrote:</div>'
        "<blockquote>Please try again.</blockquote></div>"
    )
    reply = split_reply_html(markup)
    assert reply.visible == "Works now, thanks!"
    assert "> Please try again." in reply.quoted


_LINES = st.sampled_from(
    [
        "",
        "Hello,",
        "> quoted line",
        "On Tue, Mar 12, 2024 at 10:15 AM Support <s@x.test> wrote:",
        "-----Original Message-----",
        "From: Support <s@x.test>",
        "Sent: Tuesday",
        "To: Customer",
        "Subject: Hi",
        "-- ",
        "Pozdrawiam,",
        "Sent from my iPhone",
        '12.03.2024, 10:15, "Support" <s@x.test>:',
        "Please call me at 10:15.",
        "C:\\Users\\new.log",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINES | st.text(max_size=40), max_size=25))
def test_every_line_lands_somewhere(lines: list[str]) -> None:
    text = "\n".join(lines)
    reply = split_reply(text)
    kept = "\n".join((reply.visible, reply.quoted, reply.signature))
    for line in text.replace("\r", "\n").split("\n"):
        assert line.strip() in kept
