"""Triage of every customer message, inside the transaction of the action that brought it.

A new request: language → admin rules → learned router (department, request type, priority;
misaddressed mail forwarded, unsure ones wait for a person) → abuse → chasing → an owner.
A further message on a ticket: language, abuse, chasing. Each decision is an audit event
saying who decided (a rule by its name, the router with its confidence, the system) and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from litso.audit.models import ActorKind
from litso.audit.record import Actor, record
from litso.core import rows
from litso.core.choices import PRIORITY_RANK, Priority
from litso.core.rows import insert
from litso.tickets.models import OPEN_STATUSES, Message, RequestType, Ticket
from litso.triage import abuse, chasing, language, router
from litso.triage.assignment import do_auto_assign, needs_owner
from litso.triage.classifier import Prediction
from litso.triage.models import MessageFlag, TicketTriage
from litso.triage.rules import Incoming, apply_rules

ROUTER = "router"
ABUSE_PRIORITY = Priority.HIGH


@dataclass(frozen=True)
class Arrival:
    """How a new request reached the desk, beyond the ticket itself."""

    sender: str = ""
    recipients: Sequence[str] = ()
    # The department came from the address the customer wrote to (or the caller chose it),
    # not from a fallback: the router may forward it elsewhere only when very sure.
    addressed: bool = True


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def _router_actor(prediction: Prediction, what: str) -> Actor:
    why = ", ".join(prediction.evidence[:5])
    return Actor.rule(
        ROUTER,
        reason=f"{what}: {_percent(prediction.confidence)} sure"
        + (f" (words: {why})" if why else ""),
    )


def detect_language(subject: str, body: str) -> str:
    """The desk language a customer's message is in, "" when its text cannot tell.

    The ticket actions ask before writing the message (and a new ticket), so both are
    written with it; triage then only records what it found."""
    found = language.detect(f"{subject}\n{body}")
    return found.language if found is not None else ""


def raise_priority(ticket: Ticket, actor: Actor, *, at_least: str | None = None) -> Ticket:
    """One step up (or up to ``at_least``), never down."""
    from litso.tickets.actions import do_change_priority

    current = PRIORITY_RANK[Priority(ticket.priority)]
    ordered = sorted(PRIORITY_RANK, key=PRIORITY_RANK.__getitem__)
    wanted = PRIORITY_RANK[Priority(at_least)] if at_least else current + 1
    if wanted <= current or wanted >= len(ordered):
        return ticket
    return do_change_priority(ticket, ordered[wanted], actor, reason=actor.reason)


def _tell_customer_forwarded(ticket: Ticket, actor: Actor) -> None:
    from litso.mail.ack import SIGNATURES
    from litso.tickets.actions.messages import send_automatic_message

    lang = ticket.language if ticket.language in SIGNATURES else "en"
    text = render_to_string(
        f"triage/forwarded/{lang}.txt",
        {
            "name": ticket.customer.salutation,
            "department": ticket.department.name,
            "number": ticket.number,
            "subject": ticket.subject,
            "signature": SIGNATURES[lang],
        },
    )
    send_automatic_message(ticket, actor, text=text, verb="forwarded_notice")


def _route_department(
    ticket: Ticket, triage: TicketTriage, prediction: Prediction | None, arrival: Arrival
) -> Ticket:
    from litso.tickets.actions import do_change_department, do_forward

    route_at = settings.LITSO_TRIAGE_ROUTE_CONFIDENCE / 100
    forward_at = settings.LITSO_TRIAGE_FORWARD_CONFIDENCE / 100
    if prediction is not None and prediction.label.isdigit():
        target_id = int(prediction.label)
        same = target_id == ticket.department_id
        if not same and prediction.confidence >= forward_at:
            actor = _router_actor(prediction, "looks misaddressed")
            source = ticket.department.name
            ticket = do_forward(
                ticket,
                target_id,
                actor,
                note=f"written to {source}, but the router is "
                f"{_percent(prediction.confidence)} sure it belongs here "
                f"(words: {', '.join(prediction.evidence[:5])})",
            )
            triage.routed_by = ROUTER
            _tell_customer_forwarded(ticket, actor)
            return ticket
        if not arrival.addressed and prediction.confidence >= route_at:
            if not same:
                actor = _router_actor(prediction, "routed")
                ticket = do_change_department(ticket, target_id, actor)
            triage.routed_by = ROUTER
            return ticket
    if arrival.addressed:
        triage.routed_by = "address"
        return ticket
    confidence = prediction.confidence if prediction else 0.0
    # Unsure: it stays where it is and a person decides — never a random department.
    triage.needs_review = True
    record(
        ticket,
        Actor.rule(ROUTER),
        "needs_review",
        reason="the router is not sure where this belongs"
        + (f" (best guess {_percent(confidence)})" if prediction else ""),
    )
    return ticket


def _apply_request_type(ticket: Ticket, prediction: Prediction) -> Ticket:
    from litso.tickets.actions import do_set_request_type

    if ticket.request_type_id is not None or not prediction.label.isdigit():
        return ticket
    if prediction.confidence < settings.LITSO_TRIAGE_ROUTE_CONFIDENCE / 100:
        return ticket
    request_type = RequestType.objects.filter(pk=int(prediction.label), active=True).first()
    if request_type is None or request_type.department_id not in (None, ticket.department_id):
        return ticket
    try:
        with transaction.atomic():
            return do_set_request_type(
                ticket, request_type, _router_actor(prediction, "request type")
            )
    except ValidationError:
        # Required custom fields the customer did not give: an agent sets the type.
        return ticket


def _apply_priority(ticket: Ticket, prediction: Prediction) -> Ticket:
    if prediction.label not in Priority.values:
        return ticket
    if prediction.confidence < settings.LITSO_TRIAGE_ROUTE_CONFIDENCE / 100:
        return ticket
    # The router only ever raises: lowering an urgent request on a guess is the costly mistake.
    return raise_priority(ticket, _router_actor(prediction, "priority"), at_least=prediction.label)


def _check_abuse(ticket: Ticket, triage: TicketTriage, message: Message, text: str) -> Ticket:
    from litso.tickets.actions import do_add_note, do_escalate

    verdict = abuse.score_text(text, triage.language or ticket.language or None)
    if not verdict.flagged:
        return ticket
    # In the desk language; the workspace shows it again in each agent's own.
    note = abuse.guidance(verdict)
    MessageFlag.objects.create(
        message=message,
        ticket=ticket,
        score=verdict.score,
        reasons=list(verdict.reasons),
        guidance=note,
    )
    triage.abusive = True
    triage.abuse_score = max(triage.abuse_score, verdict.score)
    triage.abuse_reasons = sorted(set(triage.abuse_reasons) | set(verdict.reasons))
    actor = Actor.system(f"abusive or very angry message ({', '.join(verdict.reasons[:4])})")
    record(ticket, actor, "abuse_flag", new=f"{verdict.score:.2f}", data={"message": message.pk})
    ticket = raise_priority(ticket, actor, at_least=ABUSE_PRIORITY)
    # Escalated, so supervisors see it whatever its department (principle 9: never silence).
    ticket = do_escalate(ticket, actor, reason=actor.reason)
    do_add_note(ticket, actor, body_text=note)
    _notify_supervisors(ticket, "abuse")
    return ticket


def _notify_supervisors(ticket: Ticket, what: str) -> None:
    from litso.triage.tasks import notify_supervisors

    rows.enqueue(notify_supervisors, ticket.pk, what)


def _locked_triage(ticket: Ticket) -> TicketTriage:
    # Almost every ticket has its row (written as it is opened): read by plain SQL.
    found = rows.get(TicketTriage, ticket.pk, for_update=True)
    if found is not None:
        return found
    return TicketTriage.objects.select_for_update().get_or_create(ticket=ticket)[0]


def _triage_of(ticket: Ticket) -> TicketTriage:
    found = rows.get(TicketTriage, ticket.pk)
    if found is not None:
        return found
    return TicketTriage.objects.get_or_create(ticket=ticket)[0]


def _register_chase(
    chased: Ticket, actor: Actor, *, by: Ticket | None = None, triage: TicketTriage | None = None
) -> Ticket:
    """Count a chase on ``chased``; ``triage`` is its triage row if the caller locked it."""
    triage = triage or _locked_triage(chased)
    triage.chase_count += 1
    triage.last_chased_at = timezone.now()
    rows.update(triage, ["chase_count", "last_chased_at"])
    record(
        chased,
        actor,
        "chase",
        new=triage.chase_count,
        reason=f"the customer wrote again in #{by.number}" if by else "the customer wrote again",
    )
    chased = raise_priority(chased, actor)
    if triage.chase_count >= 2:
        _notify_supervisors(chased, "chase")
    return chased


def _assign(ticket: Ticket, triage: TicketTriage) -> Ticket:
    """An owner for a new ticket; ``triage`` is its triage row, saved by the caller after."""
    from litso.tickets.actions import do_assign

    if not needs_owner(ticket):
        return ticket
    chased = triage.chase_of
    if chased is not None and chased.assignee_id and chased.department_id == ticket.department_id:
        # The agent already on the problem takes the chase too.
        return do_assign(
            ticket,
            chased.assignee_id,
            Actor.system(f"owner of #{chased.number}, which this request chases"),
        )
    return do_auto_assign(ticket, new_triage=triage)


def on_ticket_opened(
    ticket: Ticket,
    message: Message,
    actor: Actor,
    arrival: Arrival | None = None,
    *,
    language_given: str = "",
) -> Ticket:
    """Triage a new ticket; returns it as it stands afterwards. Call inside the transaction.

    The ticket and its message were written with the language detected in the message
    (`detect_language`); ``language_given`` is the one the ticket would have had without
    it (the customer's), recorded as the old value when detection changed it.
    """
    arrival = arrival or Arrival()
    text = f"{ticket.subject}\n{message.body_text}"
    triage = TicketTriage(ticket=ticket)
    triage.language = message.language
    if triage.language and triage.language != language_given:
        record(
            ticket,
            Actor.system("detected from the text"),
            "language",
            field="language",
            old=language_given,
            new=triage.language,
        )
    if ticket.follow_up_of_id is not None:
        # A follow-up of a closed ticket keeps its department and owner's context.
        triage.routed_by = "follow-up"
        ticket = _check_abuse(ticket, triage, message, text)
        ticket = _assign(ticket, triage)
        insert(triage)
        return ticket

    incoming = Incoming(
        subject=ticket.subject,
        body=message.body_text,
        sender=arrival.sender or _sender_of(ticket),
        recipients=tuple(arrival.recipients),
        channel=ticket.channel,
        organisation_id=ticket.customer.organisation_id,
        language=ticket.language,
        received_at=message.created_at,
    )
    outcome = apply_rules(ticket, message, incoming)
    ticket = outcome.ticket
    if outcome.applied:
        triage.routed_by = "rule:" + outcome.applied[0]
    predictions = router.predict(ticket.subject, message.body_text)
    triage.predictions = {target: router.as_dict(p) for target, p in predictions.items()}
    agent_opened = actor.kind == ActorKind.AGENT
    if "department" not in outcome.decided and not agent_opened:
        ticket = _route_department(ticket, triage, predictions.get("department"), arrival)
    elif agent_opened and not outcome.applied:
        triage.routed_by = "agent"
    if "request_type" not in outcome.decided and "request_type" in predictions:
        ticket = _apply_request_type(ticket, predictions["request_type"])
    if "priority" not in outcome.decided and "priority" in predictions:
        ticket = _apply_priority(ticket, predictions["priority"])
    ticket = _check_abuse(ticket, triage, message, text)
    chased = chasing.find_chased(ticket, text)
    if chased is not None:
        chased_triage = _locked_triage(chased)
        root = rows.get(Ticket, chased_triage.chase_of_id) if chased_triage.chase_of_id else None
        if root is not None and root.status in OPEN_STATUSES:
            # A chase of a chase is about the first request: count it there.
            chased, chased_triage = root, _locked_triage(root)
        triage.chase_of = chased
        record(
            ticket, Actor.system("similar to an open request"), "chase_of", new=f"#{chased.number}"
        )
        _register_chase(
            chased, Actor.system("the customer asked again"), by=ticket, triage=chased_triage
        )
    if "assignee" not in outcome.decided:
        ticket = _assign(ticket, triage)
    # One INSERT with all of the above: nothing on the way reads this ticket's triage row.
    insert(triage)
    return ticket


def on_customer_message(ticket: Ticket, message: Message) -> Ticket:
    """Triage a further customer message on an existing ticket. Call inside the transaction."""
    text = f"{message.subject}\n{message.body_text}"
    triage = _triage_of(ticket)
    abuse_fields = ["abusive", "abuse_score", "abuse_reasons"]
    before = [getattr(triage, name) for name in abuse_fields]
    ticket = _check_abuse(ticket, triage, message, text)
    if [getattr(triage, name) for name in abuse_fields] != before:
        # Only an abusive message changes the row here.
        rows.update(triage, abuse_fields)
    if chasing.is_chase_on_thread(ticket, message):
        ticket = _register_chase(ticket, Actor.system("the customer wrote again unanswered"))
    return ticket


def _sender_of(ticket: Ticket) -> str:
    from litso.customers.models import ContactKind

    return (
        ticket.customer.contacts.filter(kind=ContactKind.EMAIL)
        .values_list("value", flat=True)
        .first()
        or ""
    )


@transaction.atomic
def do_confirm_route(ticket: Ticket, actor: Actor, department: int | None = None) -> Ticket:
    """A person settles a ticket waiting in the triage view: keep or move its department.

    Moving it is an agent's correction — the next training run learns from it.
    """
    from litso.tickets.actions import do_change_department

    triage, _ = TicketTriage.objects.select_for_update().get_or_create(ticket=ticket)
    if department is not None and department != ticket.department_id:
        ticket = do_change_department(ticket, department, actor, reason="settled in triage")
    triage.needs_review = False
    triage.reviewed_at = timezone.now()
    triage.routed_by = "agent"
    triage.save(update_fields=["needs_review", "reviewed_at", "routed_by"])
    record(ticket, actor, "route_confirmed", new=ticket.department)
    return ticket
