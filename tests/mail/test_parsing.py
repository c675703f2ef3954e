"""parse_message over a corpus of hostile mail written for this project (tests/mail/corpus).

Each file is named after the shape it exercises; the assertions check the decoded content,
not merely that parsing survived.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litso.mail import mime
from litso.mail.parsing import ParsedMail, UnparseableMail, parse_message

CORPUS = Path(__file__).parent / "corpus"
RU = "Здравствуйте! Не могу войти в личный кабинет, пишет ошибка доступа. Помогите, пожалуйста."
RU_SUBJECT = "Не работает вход в кабинет"


def load(name: str, **kwargs: int) -> ParsedMail:
    return parse_message((CORPUS / f"{name}.eml").read_bytes(), **kwargs)


def names(mail: ParsedMail) -> list[str]:
    return [a.filename for a in mail.attachments]


# --- charsets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "charset_koi8r",
        "charset_cp1251_labelled_latin1",
        "charset_missing_cyrillic",
        "charset_utf8_labelled_cp1251",
    ],
)
def test_cyrillic_bodies_and_subjects_decode_whatever_the_label(name: str) -> None:
    mail = load(name)
    assert mail.subject == RU_SUBJECT
    assert mail.body_text == RU + "\n"


def test_a_wrong_label_is_reported_as_a_warning() -> None:
    assert load("charset_cp1251_labelled_latin1").warnings == (
        "labelled iso-8859-1, bytes look like cp1251",
    )
    assert load("charset_missing_cyrillic").warnings == ("no charset; guessed cp1251",)
    assert load("charset_koi8r").warnings == ()


def test_polish_iso_8859_2() -> None:
    mail = load("charset_iso8859_2_polish")
    assert mail.subject == "Zażółć gęślą jaźń"
    assert mail.body_text.startswith("Dzień dobry, proszę o pomoc: zamówienie nr 1234 nie dotarło.")


def test_iso_8859_15_euro_sign() -> None:
    mail = load("charset_iso8859_15_euro")
    assert mail.subject == "Facture 150 €"
    assert mail.body_text == "Le montant est de 150 € pour l'œuvre.\n"


def test_gb2312_label_decodes_gb18030_only_characters() -> None:
    mail = load("charset_gb18030_labelled_gb2312")
    assert mail.subject == "订单查询"
    assert mail.body_text == "您好，我的订单还没有收到，请帮忙查询。镕\n"


def test_unusual_charset_names() -> None:
    assert load("charset_utf8_alias").subject == "Привет, мир"
    assert load("charset_utf8_alias").body_text == "Тело письма в utf8.\n"
    mail = load("charset_unknown_names")
    assert mail.body_text == "Первая часть в utf-8.\nВторая часть в cp1251.\n"


# --- headers ------------------------------------------------------------------------------


def test_encoded_words_split_inside_a_character_and_across_lines() -> None:
    mail = load("header_encoded_words_split")
    assert mail.subject == "Не работает вход в кабинет (повторно)"
    assert (mail.from_name, mail.from_address) == ("Иванов, Иван", "ivanov@example.ru")


def test_broken_words_raw_8bit_headers_and_odd_addresses() -> None:
    mail = load("header_broken_and_8bit")
    assert mail.subject.startswith("Сломанный заголовок")
    assert mail.subject.endswith("without end")
    assert (mail.from_name, mail.from_address) == ("Пётр Сидоров", "petr@example.ru")
    assert mail.cc == (
        ("alice@example.com", "bob@example.com"),
        ("Иванов, Иван", "ivan@example.ru"),
    )
    assert mail.message_id == "<no-brackets-id@example.com>"
    assert mail.in_reply_to == "<orig-1@litso.test>"
    assert mail.references == ("<a@x>", "<b@y>", "<orig-1@litso.test>")


def test_dates() -> None:
    assert load("charset_koi8r").date == datetime(
        2024, 3, 12, 10, 15, tzinfo=timezone(timedelta(hours=3))
    )
    naive = load("header_mbox_from_and_blank_lines")
    assert naive.date == datetime(2024, 3, 12, 10, 15, tzinfo=UTC)
    assert naive.subject == "Date without zone"
    broken = load("header_broken_date")
    assert broken.date is None
    assert any("unreadable date" in w for w in broken.warnings)


def test_kept_headers_are_decoded_and_lower_case() -> None:
    mail = load("normal_google_group")
    assert mail.headers["precedence"] == "list"
    assert mail.headers["list-id"] == "<support.litso.test>"
    assert mail.headers["x-google-group-id"] == "123456"


# --- MIME structure -----------------------------------------------------------------------


def test_rfc2231_and_encoded_word_file_names() -> None:
    mail = load("mime_rfc2231_filenames")
    assert names(mail) == ["Отчёт за март 2024.pdf", "Письмо.txt"]
    assert mail.attachments[0].data == b"%PDF-1.4 fake"
    assert mail.attachments[1].data.decode() == "текст вложения\n"
    assert mail.body_text == "See attached.\n"


def test_boundary_that_never_appears_gives_the_body_as_text() -> None:
    mail = load("mime_broken_boundary")
    assert mail.body_text.startswith("This body was meant to be multipart")
    assert "multipart boundary never appears" in mail.defects
    assert any("treated as plain text" in w for w in mail.warnings)


def test_missing_boundary_parameter_is_recovered_from_the_body() -> None:
    mail = load("mime_boundary_param_missing")
    assert mail.body_text == "Recovered body text.\n"
    assert names(mail) == ["notes.txt"]
    assert any("recovered" in w for w in mail.warnings)


def test_html_only_mail_gets_a_text_body_and_safe_html() -> None:
    mail = load("mime_html_only")
    assert mail.body_text == (
        "Hello Support,\n\nMy order is here (https://shop.example.com/o/42).\n"
        "Second line\nThird line\n\n- first\n- second\n\nPath C:\\Users\\new.log"
    )
    assert "<script" not in mail.body_html
    assert "onerror" not in mail.body_html
    assert "Ignore me" not in mail.body_html
    assert 'href="https://shop.example.com/o/42"' in mail.body_html


def test_alternative_keeps_plain_text_and_html() -> None:
    mail = load("mime_alternative")
    assert mail.body_text == "Plain version of the message.\n"
    assert "<i>version</i>" in mail.body_html


def test_cid_images_are_inline_only_when_the_html_shows_them() -> None:
    mail = load("mime_related_cid")
    assert 'src="cid:logo@litso"' in mail.body_html
    logo, unused = mail.attachments
    assert (logo.filename, logo.content_id, logo.inline) == ("logo.png", "logo@litso", True)
    assert logo.data.startswith(b"\x89PNG")
    assert (unused.content_id, unused.inline) == ("unused@litso", False)


def test_forwarded_message_is_attached_enclosed_and_appended() -> None:
    mail = load("mime_forwarded_rfc822")
    assert mail.is_forward
    assert names(mail) == ["Счёт на оплату.eml", "invoice.pdf"]
    assert mail.attachments[0].data.startswith(b"From: Supplier <billing@supplier.example>")
    (inner,) = mail.enclosed
    assert inner.subject == "Счёт на оплату"
    assert inner.message_id == "<inner-1@supplier.example>"
    assert mail.body_text.startswith("Please see the forwarded invoice below.\n")
    assert "---------- Forwarded message ----------" in mail.body_text
    assert "Subject: Счёт на оплату" in mail.body_text
    assert mail.body_text.endswith("Оплатите счёт до пятницы.\n")


def test_uuencoded_block_becomes_an_attachment() -> None:
    mail = load("mime_uuencoded")
    assert names(mail) == ["app.log"]
    assert mail.attachments[0].data == b"line one of the log\nline two\n"
    assert "begin 644" not in mail.body_text
    assert mail.body_text.startswith("Here is the log.")
    assert mail.body_text.rstrip().endswith("Thanks.")


def test_text_attachments_stay_attachments() -> None:
    mail = load("mime_text_attachments")
    assert mail.body_text == "The logs are attached.\n"
    assert names(mail) == ["readme.txt", "server.log", "data.csv"]
    assert mail.attachments[1].data == b"ERROR 42 at C:\\srv\\app\n"
    assert mail.attachments[2].content_type == "text/csv"


def test_oversized_attachments_are_listed_not_kept() -> None:
    mail = load("mime_text_attachments", max_attachment_bytes=15)
    assert names(mail) == ["readme.txt", "data.csv"]
    (big,) = mail.oversized_attachments
    assert (big.filename, big.size) == ("server.log", 23)
    assert any("server.log" in w for w in mail.warnings)


# --- bodies kept exactly ------------------------------------------------------------------


def test_windows_paths_and_backslash_sequences_are_untouched_and_crlf_becomes_lf() -> None:
    mail = load("body_windows_path_crlf")
    assert mail.body_text == (
        "Please check C:\\Users\\new.log and C:\\temp\\x.txt\n"
        "A literal \\n and \\t stay.\nLast line\n"
    )


def test_base64_with_bad_padding_and_stray_characters() -> None:
    mail = load("body_base64_bad_padding")
    assert mail.body_text == "Тело в base64 без паддинга!"
    assert mail.attachments[0].data == bytes(range(8))
    assert "base64 padding repaired" in mail.defects


def test_quoted_printable_soft_breaks_and_broken_escapes() -> None:
    mail = load("body_quoted_printable")
    assert mail.body_text.startswith("Café crème: a very long line that will certainly need")
    assert "seventy six characters.\n" in mail.body_text
    assert "Broken escape =ZZ stays." in mail.body_text


def test_nul_bytes_are_dropped() -> None:
    mail = load("body_nul_bytes")
    assert mail.body_text == "Beforeafter.\n"
    assert "NUL characters removed from text" in mail.defects


# --- never raises -------------------------------------------------------------------------


def test_every_corpus_file_parses_to_readable_text() -> None:
    files = sorted(CORPUS.glob("*.eml"))
    assert len(files) >= 30
    for path in files:
        mail = parse_message(path.read_bytes())
        assert mail.from_address, path.name
        assert mail.subject, path.name
        for text in (mail.subject, mail.body_text, mail.from_name):
            assert "\ufffd" not in text, path.name
            assert "\x00" not in text, path.name
            assert "\r" not in text, path.name


@pytest.mark.parametrize(
    "raw", [b"", b"   \r\n\r\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x01"]
)
def test_nothing_usable_raises_unparseable(raw: bytes) -> None:
    with pytest.raises(UnparseableMail) as caught:
        parse_message(raw)
    assert caught.value.reason


def test_text_without_headers_is_kept_as_a_body() -> None:
    mail = parse_message("Просто текст без заголовков.\n".encode())
    assert mail.body_text == "Просто текст без заголовков.\n"
    assert "no headers; the whole input is the body" in mail.warnings


def _never_raises_otherwise(raw: bytes) -> None:
    reason = ""
    try:
        mail = parse_message(raw)
    except UnparseableMail as exc:
        reason = exc.reason
        mail = None
    if mail is None:
        assert reason
        return
    assert isinstance(mail.body_text, str)
    mail.body_text.encode("utf-8")  # no lone surrogates
    mail.subject.encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(raw: bytes) -> None:
    _never_raises_otherwise(raw)


_MUTATIONS = [
    (CORPUS / name).read_bytes()
    for name in ("mime_forwarded_rfc822.eml", "mime_rfc2231_filenames.eml", "bounce_dsn.eml")
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_MUTATIONS),
    st.lists(st.tuples(st.integers(0, 4000), st.binary(min_size=0, max_size=8)), max_size=6),
    st.integers(0, 4000),
)
def test_mutated_corpus_mail_never_crashes(
    raw: bytes, edits: list[tuple[int, bytes]], cut: int
) -> None:
    data = bytearray(raw[: max(cut, 200)])
    for position, junk in edits:
        position %= len(data) + 1
        data[position : position + len(junk)] = junk
    _never_raises_otherwise(bytes(data))


def test_deep_nesting_is_cut_off_not_crashing() -> None:
    depth = 100
    parts = [f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)]
    raw = (
        "From: a@b.c\nSubject: deep\n" + "".join(parts) + "Content-Type: text/plain\n\nhi\n"
    ).encode()
    mail = parse_message(raw)
    assert mail.subject == "deep"


def test_a_crash_in_the_mime_walk_falls_back_to_plain_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(*_args: object, **_kwargs: object) -> list[object]:
        raise ValueError("synthetic bug")

    monkeypatch.setattr(mime.Walker, "walk", boom)
    mail = load("charset_koi8r")
    assert mail.subject == RU_SUBJECT
    assert mail.from_address == "customer@example.com"
    assert mail.defects == ("parser error: ValueError: synthetic bug",)
    assert mail.body_text  # raw, still readable text rather than a lost mail
