"""Is this mail from a person? ``classify`` tells normal mail from auto-replies, bounces
and spam complaints so the desk neither opens tickets for robots nor answers them in a
loop; ``bounce_info`` says which of our recipients failed and which mail bounced."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from litso.mail.model import ParsedMail

_DAEMONS = {"mailer-daemon", "mail-daemon", "mailerdaemon", "postmaster", "mail.daemon"}
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undelivered mail returned to sender|undeliverable(?:\s+mail)?\s*(?::|$)|"
    r"undeliverable:|delivery status notification \((?:failure|delay)\)|"
    r"mail delivery failed|delivery fail(?:ure|ed)|returned mail\s*:|failure notice|"
    r"delivery has failed|mail system error|delayed mail|warning: could not send|"
    r"message (?:not delivered|delivery (?:failed|delayed))|"
    r"недоставленное сообщение|сообщение не доставлено|не удалось доставить|"
    r"ошибка доставки|уведомление о недоставке|"
    r"niedostarczona wiadomość|wiadomość niedostarczona|niedostarczalne|niedoręczalne|"
    r"nie można dostarczyć|błąd dostarczenia|"
    r"unzustellbar|nicht zustellbar|non remis|onbestelbaar)",
    re.I,
)
# Vacation phrases must end the subject or be followed by punctuation: "Out of office
# hours support" is a customer's question, "Out of Office: back on Monday" is a robot.
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|odp|ответ)\s*:\s*)?(?:"
    r"(?:automatic|auto)[- ]?(?:reply|response|answer)|autoreply|autoresponse|"
    r"out of (?:the )?office|away from (?:the |my )?office|on vacation|vacation reply|"
    r"i am out of the office|i'm out of the office|"
    r"автоответ|автоматический ответ|вне офиса|нет на месте|в отпуске|"
    r"nieobecność|autoodpowiedź|automatyczna odpowiedź|odpowiedź automatyczna|poza biurem|"
    r"abwesenheitsnotiz|réponse automatique|absence du bureau)"
    r"(?:\s*$|\s*[:\-–—(\[!.,])",
    re.I,
)
_AUTO_ANYWHERE = re.compile(r"автоответ|autoodpowiedź|auto-reply|autoreply", re.I)
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_SMTP_LINE = re.compile(r"^.*\b[45]\d\d[ -][^\n]{3,}$", re.M)
_EMAIL = re.compile(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+")
_MSGID_IN_TEXT = re.compile(r"^\s*message-id:\s*(<[^>\s]+>)", re.I | re.M)
_RECIPIENT_HINTS = (
    re.compile(
        r"^\s*(?:final|original)-recipient:\s*(?:rfc822;)?\s*<?([^>\s]+@[^>\s]+)>?", re.I | re.M
    ),
    re.compile(r"^\s*<([^>\s]+@[^>\s]+)>\s*[:.(]", re.M),  # Postfix: "<x@y>: host said"
    re.compile(
        r"(?:following (?:recipient|address)e?s?|recipients? failed|failed recipients?|"
        r"delivery failed[^:\n]*|could not be delivered to|addresses had[^\n]*|"
        r"не удалось доставить[^:\n]*|получател[ьяюи][^:\n]*|adresat[^:\n]*)"
        r"[^@\n]{0,80}?:?\s*\n?[^@\n]{0,40}?<?([\w.+'=-]+@[\w-]+(?:\.[\w-]+)+)",
        re.I,
    ),
)


class MailKind(enum.StrEnum):
    NORMAL = "normal"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    COMPLAINT = "complaint"


@dataclass(frozen=True, slots=True)
class BounceInfo:
    recipient: str | None
    status: str | None  # RFC 3463 code such as "5.1.1"
    diagnostic: str | None
    original_message_id: str | None

    @property
    def permanent(self) -> bool:
        """4.x.x is a delay the sending server still retries; assume the worst otherwise."""
        return not (self.status or "").startswith("4.")


def _local_part(address: str) -> str:
    return address.split("@", 1)[0].strip().lower()


def _is_daemon(parsed: ParsedMail) -> bool:
    if parsed.from_address:
        return _local_part(parsed.from_address) in _DAEMONS
    words = re.findall(r"[\w.-]+", parsed.from_name.lower())
    return bool(words) and words[0] in _DAEMONS


def explain(parsed: ParsedMail) -> tuple[MailKind, tuple[str, ...]]:
    """The kind and the evidence for it, for logs and the agent's "why" tooltip."""
    headers = parsed.headers
    report = parsed.report_type
    if report == "feedback-report" or parsed.feedback_report:
        return MailKind.COMPLAINT, ("ARF feedback report",)
    reasons: list[str] = []
    if report in ("delivery-status", "global-delivery-status"):
        reasons.append(f"multipart/report; report-type={report}")
    if parsed.content_type in ("message/delivery-status", "message/global-delivery-status"):
        reasons.append(parsed.content_type)
    if parsed.delivery_status and not reasons:
        reasons.append("delivery-status part")
    if headers.get("x-failed-recipients"):
        reasons.append("X-Failed-Recipients")
    if _BOUNCE_SUBJECT.match(parsed.subject):
        reasons.append(f"bounce subject {parsed.subject[:60]!r}")
    local = _local_part(parsed.from_address)
    # MAILER-DAEMON never writes by hand; postmaster@ is sometimes a person, so it only
    # supports other evidence.
    if (local != "postmaster" and _is_daemon(parsed)) or (reasons and local == "postmaster"):
        reasons.append(f"sender {parsed.from_address or parsed.from_name}")
    if reasons:
        return MailKind.BOUNCE, tuple(reasons)
    auto = _auto_reasons(parsed)
    if auto:
        return MailKind.AUTO_REPLY, tuple(auto)
    return MailKind.NORMAL, ()


def _auto_reasons(parsed: ParsedMail) -> list[str]:
    headers = parsed.headers
    reasons: list[str] = []
    submitted = headers.get("auto-submitted", "").split(";")[0].strip().lower()
    if submitted and submitted != "no":
        reasons.append(f"Auto-Submitted: {submitted}")
    precedence = headers.get("precedence", "").strip().lower()
    google_group = "x-google-group-id" in headers or "googlegroups.com" in headers.get(
        "list-id", ""
    )
    # Google Groups stamps "Precedence: list" on every message it relays, including a
    # customer's mail to a support@ group; that one is a person.
    if precedence in ("bulk", "junk", "auto_reply", "auto-reply") or (
        precedence == "list" and not google_group
    ):
        reasons.append(f"Precedence: {precedence}")
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        value = headers.get(name, "").strip().lower()
        if name in headers and value not in ("no", "false", "0"):
            reasons.append(name)
    suppress = headers.get("x-auto-response-suppress", "").lower()
    if any(token in suppress for token in ("all", "oof", "autoreply")):
        reasons.append(f"X-Auto-Response-Suppress: {suppress}")
    if parsed.report_type == "disposition-notification":
        reasons.append("read receipt")
    if _AUTO_SUBJECT.match(parsed.subject) or _AUTO_ANYWHERE.search(parsed.subject):
        reasons.append(f"vacation subject {parsed.subject[:60]!r}")
    return reasons


def classify(parsed: ParsedMail) -> MailKind:
    return explain(parsed)[0]


def _dsn_group(parsed: ParsedMail) -> dict[str, str]:
    groups = [g for g in parsed.delivery_status if "final-recipient" in g or "action" in g]
    failed = [g for g in groups if g.get("action", "").lower() in ("failed", "delayed")]
    return (failed or groups or [{}])[0]


def _address(value: str) -> str | None:
    found = _EMAIL.search(value.split(";", 1)[-1])
    return found.group(0) if found else None


def bounce_info(parsed: ParsedMail) -> BounceInfo:
    """Best-effort facts from a bounce (or a complaint); any field may be None."""
    group = _dsn_group(parsed)
    arf = parsed.feedback_report
    recipient = _address(group.get("final-recipient", "") or group.get("original-recipient", ""))
    recipient = recipient or _address(
        arf.get("original-rcpt-to", "") or arf.get("removal-recipient", "")
    )
    failed_header = parsed.headers.get("x-failed-recipients", "")
    recipient = recipient or (_address(failed_header) if failed_header else None)
    body = parsed.body_text
    if recipient is None:
        for pattern in _RECIPIENT_HINTS:
            match = pattern.search(body)
            if match:
                recipient = match.group(1).strip(".,;:")
                break
    original = parsed.enclosed[0] if parsed.enclosed else None
    if recipient is None and original is not None and original.to:
        recipient = original.to[0][1]

    status = group.get("status")
    status_match = _STATUS.search(status or "") or _STATUS.search(body)
    status = status_match.group(1) if status_match else None

    diagnostic = group.get("diagnostic-code") or None
    if diagnostic and ";" in diagnostic[:12]:
        diagnostic = diagnostic.split(";", 1)[1].strip()
    if diagnostic is None and arf:
        diagnostic = f"feedback-type: {arf.get('feedback-type', 'unknown')}"
    if diagnostic is None:
        match = _SMTP_LINE.search(body)
        diagnostic = match.group(0).strip()[:500] if match else None

    message_id = original.message_id if original is not None else None
    if message_id is None:
        match = _MSGID_IN_TEXT.search(body)
        message_id = match.group(1) if match else None
    if message_id is None:
        message_id = parsed.in_reply_to or (parsed.references[-1] if parsed.references else None)
    return BounceInfo(recipient, status, diagnostic, message_id)
