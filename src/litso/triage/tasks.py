"""Triage side effects run by the worker: supervisors told; the routers retrained."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from litso.jobs.durable import durable_task
from litso.staff.models import AgentProfile, Role
from litso.tickets.models import Ticket

SUBJECTS = {
    "abuse": gettext_noop("[#%(number)s] abusive or very angry message: %(subject)s"),
    "chase": gettext_noop(
        "[#%(number)s] the customer is chasing us (%(chases)s times): %(subject)s"
    ),
}


@durable_task(queue_name="default")
def notify_supervisors(ticket_id: int, what: str) -> str:
    """Mail the supervisors of the ticket's department, each in their interface language."""
    ticket = Ticket.objects.select_related("triage").filter(pk=ticket_id).first()
    if ticket is None:
        return "no longer relevant"
    profiles = AgentProfile.objects.filter(
        role=Role.SUPERVISOR, departments=ticket.department_id, user__is_active=True
    ).select_related("user")
    sent = 0
    chases = getattr(getattr(ticket, "triage", None), "chase_count", 0)
    for profile in profiles:
        if not profile.user.email:
            continue
        with translation.override(profile.ui_language):
            values = {"number": ticket.number, "subject": ticket.subject, "chases": chases}
            subject = _(SUBJECTS[what]) % values
            body = _("Please look at ticket #%(number)s.") % values
        EmailMessage(
            subject=subject,
            body=f"{body}\n{settings.SITE_URL}/t/{ticket.number}/",
            to=[profile.user.email],
            headers={"Auto-Submitted": "auto-generated"},
        ).send(fail_silently=False)
        sent += 1
    return f"notified {sent} supervisors"


@durable_task(queue_name="maintenance")
def train_routers() -> str:
    from litso.triage.training import train_all

    results = train_all()
    return ", ".join(f"{r.target}: {r.examples} examples" for r in results) or "nothing to learn"
