"""Fold quoted history and signatures out of a reply.

``split_reply(text)`` returns what the customer wrote now (``visible``), the history their
client appended (``quoted``) and their signature. Folding hides text behind a click, so
every rule errs towards showing: an unrecognised shape stays visible, inline answers keep
the quotes they answer, and a message that would fold to nothing is shown whole.

Recognised reply headers (English, Russian, Polish, plus the common European clients):
"On … wrote:", "… написал(а):", "… пишет:", "… napisał(a):", "W dniu … pisze:",
Yandex "12.03.2024, 10:15, "Ivan" <i@ya.ru>:", Mail.ru "Среда, 12 марта 2024, 10:15 +03:00
от Иван <i@mail.ru>:", Gmail headers wrapped over up to three lines, "-----Original
Message-----" in several languages, Outlook "From:/Sent:/To:/Subject:" blocks (also
"От:/Отправлено:/Кому:/Тема:" and "Od:/Wysłano:/Do:/Temat:"), forwarded-message markers,
and lines starting with ">".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litso.mail.html_text import html_to_text


@dataclass(frozen=True, slots=True)
class Reply:
    visible: str
    quoted: str = ""
    signature: str = ""


_WEEKDAYS = (
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|пн|вт|ср|чт|пт|сб|вс|понедельник|вторник|среда|четверг|пятница|"
    r"суббота|воскресенье|pon|wt|śr|czw|sob|niedz|nd|poniedziałek|wtorek|środa|czwartek|"
    r"piątek|sobota|niedziela|lun|mer|jeu|ven|sam|dim|mo|di|mi|do|fr|sa|so|man|tir|ons|tor|"
    r"fre|lør|søn|ma|ti|ke|to|pe|la|su"
)
# Where an attribution line may begin: a preposition, a weekday, or a date.
_START = re.compile(
    rf"^(?:on|am|le|il|op|em|el|den|dnia|w dniu|in data|\d|(?:{_WEEKDAYS})\.?,?\s)", re.I
)
_VERB = re.compile(
    r"(wrote|writes|написал\(а\)|написал\(-а\)|написала|написал|пишет|napisał\(a\)|"
    r"napisała|napisał|pisze|schrieb|a écrit|ha scritto|escreveu|skrev|kirjoitti|schreef|"
    r"írta|escribió)\s*:?$",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|<[^<>]*@[^<>]*>")
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
_DATE = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")
_SEPARATOR_PHRASES = (
    r"original message|original|reply message|forwarded message|исходное сообщение|"
    r"пересылаемое сообщение|пересланное сообщение|oryginalna wiadomość|wiadomość oryginalna|"
    r"przekazana wiadomość|wiadomość przekazana|message d'origine|message transféré|"
    r"ursprüngliche nachricht|weitergeleitete nachricht|oprindelig besked|mensaje original|"
    r"messaggio originale|oorspronkelijk bericht|mensagem original"
)
_HARD = re.compile(
    rf"^\s*(?:-{{2,}}\s*(?:{_SEPARATOR_PHRASES})\s*-{{2,}}|begin forwarded message:|"
    r"начало переадресованного сообщения:|początek przekazanej wiadomości:)\s*$",
    re.I,
)
_FROM_LABEL = re.compile(
    r"^\s*\*?\s*(?:from|od|от|de|von|van|da|fra|från|lähettäjä)\s*\*?\s*:", re.I
)
_OTHER_LABEL = re.compile(
    r"^\s*\*?\s*(?:sent|date|to|cc|bcc|subject|reply-to|wysłano|wysłane|data|do|dw|temat|"
    r"отправлено|дата|кому|копия|тема|envoyé(?: le)?|à|a|objet|sujet|copie(?: à)?|gesendet|"
    r"an|betreff|datum|verzonden|aan|onderwerp|inviato|oggetto|sendt|til|emne|dato|enviado|"
    r"para|assunto|asunto)\s*\*?\s*:",
    re.I,
)
_LABEL_LIKE = re.compile(r"^\s*[^\s:]{1,15}(?: [^\s:]{1,15}){0,2}\s*:\s*\S")
_SEPARATOR_LINE = re.compile(r"^\s*(?:[-_=*~]\s*){3,}$")
_QUOTED = re.compile(r"^\s{0,3}>")
_UNDERSCORES = re.compile(r"^\s*_{2,}\s*$")
_LIST_FOOTER = re.compile(r"mailing list|listinfo|unsubscribe", re.I)
_URL_TAIL = re.compile(r"\s*(?:<[^>]*>|\([^)]*\)|\[[^\]]*\])\s*$")
_MOBILE = re.compile(
    r"^(?:sent from my [\w' .-]{1,40}|sent (?:from|with|via) [\w' .-]{1,30}|"
    r"get outlook for \w+|отправлено (?:с|из|через) [\w' .-]{1,40}|"
    r"wysłane (?:z|ze) [\w' .-]{1,40}|wysłano z [\w' .-]{1,40}|gesendet von [\w' .-]{1,40}|"
    r"envoyé (?:de|depuis|à partir de) [\w' .-]{1,40})$",
    re.I,
)
_CLOSING = re.compile(
    r"^(?:best|kind|warm|warmest|many)?\s*(?:regards|wishes)[,.!]?$|^sincerely[,.]?$|"
    r"^с уважением[,.]?$|^с наилучшими пожеланиями[,.]?$|^всего (?:доброго|хорошего)[,.!]?$|"
    r"^pozdrawiam(?: serdecznie)?[,.]?$|^serdecznie pozdrawiam[,.]?$|^z poważaniem[,.]?$|"
    r"^pozdrowienia[,.]?$|^cheers[,.!]?$",
    re.I,
)


def _blank(line: str) -> bool:
    return not line.strip()


def _quoted(line: str) -> bool:
    return bool(_QUOTED.match(line))


def _attribution_end(lines: list[str], i: int) -> int | None:
    """End of an "On … wrote:"-style header starting at line ``i`` (up to 3 lines)."""
    if _blank(lines[i]) or _quoted(lines[i]):
        return None
    first = lines[i].strip().strip("-* ").strip()
    starts_well = bool(_START.match(first))
    for k in range(1, 4):
        window = lines[i : i + k]
        if len(window) < k or any(_blank(line) or _quoted(line) for line in window[:1]):
            return None
        # ">:" is the tail of a wrapped "<address\n>:", not a quote.
        if any(_blank(line) or (_quoted(line) and line.strip() != ">:") for line in window[1:]):
            return None
        if k > 1 and not starts_well:
            return None  # a wrapped header must begin like one, or content gets folded
        core = " ".join(line.strip() for line in window).strip("-* ").strip()
        if len(core) > 400:
            return None
        has_email = bool(_EMAIL.search(core))
        if _VERB.search(core) and (starts_well or has_email) and re.search(r"\d|@", core):
            return i + k
        if (
            core.endswith(":")
            and starts_well
            and has_email
            and _TIME.search(core)
            and _DATE.search(core)
        ):
            return i + k
    return None


def _outlook_block(lines: list[str], i: int) -> bool:
    if not _FROM_LABEL.match(lines[i]):
        return False
    window = lines[max(0, i - 3) : i] + lines[i + 1 : i + 9]
    return sum(1 for line in window if _OTHER_LABEL.match(line)) >= 2


def _look_back(lines: list[str], start: int, floor: int) -> int:
    """Take separator rules and a "Message du : …" line above a header into the quote."""
    j = start - 1
    while j >= floor and _LABEL_LIKE.match(lines[j]) and not _blank(lines[j]):
        start, j = j, j - 1
    while j >= floor:
        if _blank(lines[j]):
            j -= 1
        elif _SEPARATOR_LINE.match(lines[j]):
            start, j = j, j - 1
        else:
            break
    return start


def _quote_end(lines: list[str], i: int) -> int:
    """End of a block of ">" lines starting at ``i``; blank lines inside it belong to it."""
    j = i
    n = len(lines)
    while j < n:
        if _quoted(lines[j]):
            j += 1
            continue
        if not _blank(lines[j]) and j + 1 < n and _quoted(lines[j + 1]) and _quoted(lines[j - 1]):
            j += 1  # a quoted line the sender's client wrapped without a new ">"
            continue
        k = j
        while k < n and _blank(lines[k]):
            k += 1
        if k > j and k < n and _quoted(lines[k]):
            j = k
            continue
        break
    return j


def _next_nonblank(lines: list[str], i: int) -> int:
    while i < len(lines) and _blank(lines[i]):
        i += 1
    return i


def _mobile(line: str) -> bool:
    text = _URL_TAIL.sub("", line.strip())
    return bool(_MOBILE.match(text)) and len(text.split()) <= 7


def _segments(lines: list[str]) -> list[tuple[str, int, int]]:
    """("content" | "quote" | "tail", start, end) covering all lines in order; a tail
    (history without ">" marks) runs to the end."""
    blocks: list[tuple[str, int, int]] = []
    n = len(lines)
    i = 0
    content_start = 0

    def close_content(end: int) -> None:
        if end > content_start:
            blocks.append(("content", content_start, end))

    while i < n:
        line = lines[i]
        if _quoted(line):
            close_content(i)
            end = _quote_end(lines, i)
            blocks.append(("quote", i, end))
            i = content_start = end
            continue
        if _HARD.match(line) or _outlook_block(lines, i):
            start = _look_back(lines, i, content_start)
            close_content(start)
            blocks.append(("tail", start, n))
            return blocks
        header_end = _attribution_end(lines, i)
        if header_end is not None:
            close_content(i)
            after = _next_nonblank(lines, header_end)
            if after < n and _quoted(lines[after]):
                stop = _quote_end(lines, after)
                blocks.append(("quote", i, stop))
                i = content_start = stop
                continue
            blocks.append(("tail", i, n))
            return blocks
        if _mobile(line) and i > 0 and any(not _blank(x) for x in lines[:i]):
            after = _next_nonblank(lines, i + 1)
            if after < n and not _quoted(lines[after]) and _attribution_end(lines, after) is None:
                # Phone clients put the original, unmarked, right under their tag line.
                close_content(i + 1)
                blocks.append(("tail", i + 1, n))
                return blocks
        i += 1
    close_content(n)
    return blocks


def _trim(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and _blank(lines[start]):
        start += 1
    while end > start and _blank(lines[end - 1]):
        end -= 1
    return "\n".join(line.rstrip() for line in lines[start:end]) if start < end else ""


def _delimiter(lines: list[str], i: int) -> bool:
    """ "-- " opens a signature; a rule of underscores only when a mailing-list footer
    follows, since people also draw rules in their text."""
    line = lines[i].rstrip()
    if line in ("--", "-- "):
        return True
    if _UNDERSCORES.match(line):
        tail = [x for x in lines[i + 1 : i + 7] if not _blank(x)]
        return bool(tail) and len(tail) <= 5 and any(_LIST_FOOTER.search(x) for x in tail)
    return False


def _short_tail(lines: list[str], limit: int, max_words: int) -> bool:
    tail = [line.strip() for line in lines if not _blank(line)]
    if len(tail) > limit:
        return False
    return all(
        len(line) <= 120 and not line.endswith("?") and len(line.split()) <= max_words
        for line in tail
    )


def signature_start(lines: list[str]) -> int | None:
    """Index where a trailing signature begins, if there clearly is one."""
    filled = [i for i, line in enumerate(lines) if not _blank(line)]
    if len(filled) < 2:
        return None
    first, found = filled[0], None
    for i in filled:
        if i == first:
            continue
        if _delimiter(lines, i) and _short_tail(lines[i + 1 :], 12, 12):
            found = i if found is None else min(found, i)
            break
    for i in filled[-10:]:
        if i == first or (found is not None and i >= found):
            continue
        if _CLOSING.match(lines[i].strip()) and _short_tail(lines[i + 1 :], 8, 8):
            found = i
            break
    for i in filled[-3:]:
        if i == first or (found is not None and i >= found):
            continue
        if _mobile(lines[i]) and _short_tail(lines[i + 1 :], 2, 8):
            found = i
            break
    return found


def _is_signature_block(lines: list[str]) -> bool:
    filled = [line for line in lines if not _blank(line)]
    if not filled:
        return False
    head = filled[0]
    start = lines.index(head)
    marker = _delimiter(lines, start) or _mobile(head) or bool(_CLOSING.match(head.strip()))
    return marker and len(filled) <= 15


def split_reply(text: str) -> Reply:
    """Split a plain-text reply into what is new, the quoted history and the signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = [b for b in _segments(lines) if b[0] != "content" or _trim(lines[b[1] : b[2]])]
    bottom_signature: list[str] = []
    if len(blocks) >= 3 and blocks[-1][0] == "content" and blocks[-2][0] != "content":
        _, s, e = blocks[-1]
        if _is_signature_block(lines[s:e]):
            # A signature under the quoted history (the client signs below the quote).
            bottom_signature = lines[s:e]
            blocks = blocks[:-1]
    # History at the end is folded; quotes between answers stay, they give them context.
    cut = len(blocks)
    while cut and blocks[cut - 1][0] != "content":
        cut -= 1
    kept = blocks[:cut]
    folded = blocks[cut:]
    content = [b for b in kept if b[0] == "content"]
    if not any(_trim(lines[s:e]) for _, s, e in content):
        return Reply(visible=_trim(lines))
    if len(kept) == 2 and kept[0][0] == "quote" and not folded:
        # Bottom-posting: one quote on top, the answer underneath.
        folded, kept = [kept[0]], [kept[1]]
    visible_lines = [line for _, s, e in kept for line in lines[s:e]]
    quoted = _trim([line for _, s, e in folded for line in lines[s:e]])
    signature = _trim(bottom_signature)
    start = signature_start(visible_lines)
    if start is not None:
        signature = _trim(visible_lines[start:] + bottom_signature)
        visible_lines = visible_lines[:start]
    return Reply(visible=_trim(visible_lines), quoted=quoted, signature=signature)


def split_reply_html(markup: str) -> Reply:
    """The same split for an HTML-only reply; blockquotes count as ">" quotes."""
    return split_reply(html_to_text(markup))
