"""Business calendars, SLA policies, and each ticket's running deadlines and breaches."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from litso.core.choices import Channel, Priority
from litso.sla.calendar import Calendar, CalendarError

TARGETS = ("first_response", "next_response", "periodic_update", "resolution")
DEFAULT_PAUSED = ["pending_customer", "on_hold"]
ALWAYS_OPEN_SPEC = {"timezone": "UTC", "week": "24/7"}


def default_paused() -> list[str]:
    return list(DEFAULT_PAUSED)


class BusinessCalendar(models.Model):
    """Opening hours, holidays and exceptions in one time zone (see litso.sla.calendar)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    spec = models.JSONField(_("specification"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            Calendar.from_spec(self.spec)
        except CalendarError as error:
            raise ValidationError({"spec": str(error)}) from error

    def calendar(self) -> Calendar:
        # from_spec keeps recently built calendars, so this is cheap after the first call.
        return Calendar.from_spec(self.spec)


class SlaPolicy(models.Model):
    """Targets for the tickets it matches; policies are tried by position, first match wins.

    An empty condition list matches everything; targets are minutes, business minutes of the
    calendar when `business_time` is set, plain elapsed minutes otherwise.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    active = models.BooleanField(_("active"), default=True)

    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    tags = models.JSONField(_("tags (any of)"), default=list, blank=True)
    departments = models.ManyToManyField(
        "departments.Department", blank=True, related_name="+", verbose_name=_("departments")
    )
    organisations = models.ManyToManyField(
        "customers.Organisation", blank=True, related_name="+", verbose_name=_("organisations")
    )
    request_types = models.ManyToManyField(
        "tickets.RequestType", blank=True, related_name="+", verbose_name=_("request types")
    )

    # Without one, the ticket's department calendar is used, and without that, 24/7 UTC.
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("calendar"),
    )
    business_time = models.BooleanField(_("count business time only"), default=True)
    first_response_minutes = models.PositiveIntegerField(_("first response"), null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(_("next response"), null=True, blank=True)
    periodic_update_minutes = models.PositiveIntegerField(
        _("periodic update"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(_("resolution"), null=True, blank=True)
    paused_statuses = models.JSONField(_("statuses that pause the clock"), default=default_paused)
    warn_at_percent = models.PositiveSmallIntegerField(
        _("warn at this percent of the target"), default=75
    )

    notify_assignee = models.BooleanField(_("notify the assignee"), default=True)
    # The supervisors of the ticket's department (AgentProfile role), on warning and breach.
    notify_supervisor = models.BooleanField(
        _("notify the department's supervisors"), default=False
    )
    raise_priority = models.BooleanField(_("raise priority on breach"), default=False)
    reassign_on_shift = models.BooleanField(_("hand to an on-shift agent on breach"), default=False)
    send_customer_update = models.BooleanField(
        _("periodic update: tell the customer we are still working"), default=False
    )
    remind_agent = models.BooleanField(_("periodic update: remind the agent"), default=False)
    # Bumped by every change, also of conditions and calendars (see signals): each process
    # keeps the active policies until this moves (see clock.active_policies).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name

    def target(self, kind: str) -> int | None:
        value: int | None = getattr(self, f"{kind}_minutes")
        return value

    def clean(self) -> None:
        from litso.tickets.models import Status

        if all(self.target(kind) is None for kind in TARGETS):
            raise ValidationError(
                "a policy needs at least one target (first response, next response, "
                "periodic update or resolution)"
            )
        for kind in TARGETS:
            if self.target(kind) == 0:
                raise ValidationError({f"{kind}_minutes": "a target must be at least one minute"})
        if not 1 <= self.warn_at_percent <= 99:
            raise ValidationError({"warn_at_percent": "give a share between 1 and 99 percent"})
        open_statuses: list[str] = [
            Status.NEW,
            Status.OPEN,
            Status.PENDING_CUSTOMER,
            Status.ON_HOLD,
        ]
        checks: list[tuple[str, list[str]]] = [
            ("priorities", list(Priority.values)),
            ("channels", list(Channel.values)),
            ("paused_statuses", open_statuses),
        ]
        for field, allowed in checks:
            values = getattr(self, field)
            if not isinstance(values, list):
                raise ValidationError({field: f"expected a list, got {values!r}"})
            unknown = [value for value in values if value not in allowed]
            if unknown:
                raise ValidationError(
                    {field: f"unknown {', '.join(map(str, unknown))}; use {', '.join(allowed)}"}
                )
        if not isinstance(self.tags, list) or not all(isinstance(t, str) for t in self.tags):
            raise ValidationError({"tags": "expected a list of tag names"})

    def engine_calendar(self, department_calendar: BusinessCalendar | None = None) -> Calendar:
        chosen = self.calendar or department_calendar
        return chosen.calendar() if chosen else Calendar.from_spec(ALWAYS_OPEN_SPEC)


class TicketSla(models.Model):
    """A ticket's SLA clock: its deadlines, the next timer to fire, and what already fired."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla", primary_key=True
    )
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_response_due = models.DateTimeField(null=True, blank=True, db_index=True)
    next_response_due = models.DateTimeField(null=True, blank=True, db_index=True)
    periodic_update_due = models.DateTimeField(null=True, blank=True, db_index=True)
    resolution_due = models.DateTimeField(null=True, blank=True, db_index=True)
    # Claimed by the scheduler: the earliest warning or deadline not yet fired.
    next_timer_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Keys "kind:stage:cycle start" of the timers that fired, so none fires twice.
    fired = models.JSONField(default=list, blank=True)

    # The clock stops in a paused status; paused_minutes is the total stopped time, in the
    # policy's measure, and each cycle remembers how much of it had passed when it began.
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_minutes = models.PositiveIntegerField(default=0)
    # The same stopped time in both measures, whatever the policy counts: the first response
    # time is recorded in both, less the time the clock stood still.
    paused_business_minutes = models.PositiveIntegerField(default=0)
    paused_calendar_minutes = models.PositiveIntegerField(default=0)
    response_cycle_start = models.DateTimeField(null=True, blank=True)
    response_cycle_pause = models.PositiveIntegerField(default=0)
    update_cycle_start = models.DateTimeField(null=True, blank=True)
    update_cycle_pause = models.PositiveIntegerField(default=0)
    # The ticket counters seen last time, to tell which event this is without a query.
    seen_customer_messages = models.PositiveIntegerField(default=0)
    seen_agent_replies = models.PositiveIntegerField(default=0)

    first_response_business_minutes = models.PositiveIntegerField(null=True, blank=True)
    first_response_calendar_minutes = models.PositiveIntegerField(null=True, blank=True)
    silence_gaps = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")

    def __str__(self) -> str:
        return f"SLA of ticket {self.ticket_id}"


class SlaBreach(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="breaches")
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=[(kind, kind.replace("_", " ")) for kind in TARGETS]
    )
    due_at = models.DateTimeField(_("due"))
    breached_at = models.DateTimeField(_("breached"), db_index=True)

    class Meta:
        ordering = ["-breached_at"]
        verbose_name = _("SLA breach")
        verbose_name_plural = _("SLA breaches")

    def __str__(self) -> str:
        return f"{self.kind} breach on ticket {self.ticket_id}"
