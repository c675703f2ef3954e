"""Admin forms for calendars and policies: fields a person fills in, stored as the same JSON.

A calendar is edited as a time zone, one line of intervals per weekday ("09:00-13:00,
14:00-18:00"), holiday countries, closed dates and extra open dates; each field is checked
with the messages of `litso.sla.spec`, shown next to the field, and the whole is saved as the
calendar's JSON spec (`Calendar.to_spec`). A policy's conditions are multi-selects and its
paused statuses checkboxes, saved as the lists the model keeps.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from litso.core.choices import Channel, Priority
from litso.sla import spec as specs
from litso.sla.calendar import Calendar, CalendarError
from litso.sla.models import BusinessCalendar, SlaPolicy
from litso.tickets.models import Status, Tag

_SEPARATORS = re.compile(r"[,;\n]+")
_DASH = re.compile(r"\s*[-–—]\s*")


def parse_intervals(label: str, text: str) -> specs.Hours:
    """ "09:00-13:00, 14:00-18:00" → checked intervals; errors worded as in `spec`."""
    pairs = []
    for piece in _SEPARATORS.split(text):
        piece = piece.strip()
        if not piece:
            continue
        ends = _DASH.split(piece)
        if len(ends) != 2:
            raise CalendarError(f"{label}: expected a [start, end] pair, got {piece!r}")
        pairs.append([ends[0], ends[1]])
    return specs.check_hours(label, specs.parse_hours(label, pairs))


def format_intervals(hours: specs.Hours) -> str:
    return ", ".join(f"{specs.format_time(a)}-{specs.format_time(b)}" for a, b in hours)


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s,;]+", text) if word]


def _day(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=_("e.g. 09:00-13:00, 14:00-18:00; empty: closed")
    )


class BusinessCalendarForm(forms.ModelForm[BusinessCalendar]):
    timezone = forms.ChoiceField(label=_("time zone"), initial="UTC")
    mon = _day(_("Monday"))
    tue = _day(_("Tuesday"))
    wed = _day(_("Wednesday"))
    thu = _day(_("Thursday"))
    fri = _day(_("Friday"))
    sat = _day(_("Saturday"))
    sun = _day(_("Sunday"))
    holidays = forms.CharField(
        label=_("public holidays of"),
        required=False,
        help_text=_('Country codes of the "holidays" package, e.g. PL, RU or DE-BY.'),
    )
    closed = forms.CharField(
        label=_("closed dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("YYYY-MM-DD, one per line or separated by commas."),
    )
    open = forms.CharField(
        label=_("extra open dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: YYYY-MM-DD (Monday's hours) or YYYY-MM-DD 10:00-14:00 (its own)."
        ),
    )

    class Meta:
        model = BusinessCalendar
        fields = ["name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = sorted(available_timezones())
        self.fields["timezone"].choices = [(zone, zone) for zone in zones]  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self._fill_from(self.instance.spec)

    def _fill_from(self, spec: Any) -> None:
        try:
            calendar = Calendar.from_spec(spec)
        except CalendarError:
            return  # a broken stored spec: the form starts empty and says what it needs
        self.initial["timezone"] = calendar.timezone
        for day, hours in zip(specs.WEEKDAYS, calendar.week, strict=True):
            self.initial[day] = format_intervals(hours)
        self.initial["holidays"] = ", ".join(calendar.holiday_countries)
        self.initial["closed"] = "\n".join(sorted(d.isoformat() for d in calendar.closed_days))
        self.initial["open"] = "\n".join(
            f"{day.isoformat()} {format_intervals(hours)}" for day, hours in calendar.open_days
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        week: list[specs.Hours] = []
        for day in specs.WEEKDAYS:
            try:
                week.append(parse_intervals(day, cleaned.get(day, "")))
            except CalendarError as error:
                self.add_error(day, str(error))
        codes = tuple(code.upper() for code in _words(cleaned.get("holidays", "")))
        for code in codes:
            try:
                specs.holiday_source(code)
            except CalendarError as error:
                self.add_error("holidays", str(error))
        try:
            closed = specs.parse_dates("closed", _words(cleaned.get("closed", "")))
        except CalendarError as error:
            self.add_error("closed", str(error))
            closed = frozenset()
        open_days = self._open_days(cleaned.get("open", ""), week[0] if week else ())
        if self.errors or "timezone" not in cleaned:
            return cleaned
        try:
            calendar = Calendar(
                timezone=cleaned["timezone"],
                week=(week[0], week[1], week[2], week[3], week[4], week[5], week[6]),
                holiday_countries=codes,
                closed_days=closed,
                open_days=open_days,
            )
        except CalendarError as error:
            message = str(error)
            self.add_error("open" if "open" in message else None, message)
            return cleaned
        self.instance.spec = calendar.to_spec()
        return cleaned

    def _post_clean(self) -> None:
        # Without a valid spec the model's own check would only repeat the problems above.
        if not self.errors:
            super()._post_clean()  # type: ignore[misc]

    def _open_days(self, text: str, monday: specs.Hours) -> tuple[tuple[Any, specs.Hours], ...]:
        entries: list[Any] = []
        for line in text.splitlines():
            day, _, hours = line.strip().partition(" ")
            if not day:
                continue
            if hours.strip():
                try:
                    label = f"open {day}"
                    parsed = parse_intervals(label, hours)
                except CalendarError as error:
                    self.add_error("open", str(error))
                    continue
                entries.append({"date": day, "hours": specs.hours_to_json(parsed)})
            else:
                entries.extend(_words(day))
        try:
            return specs.parse_open_days(entries, monday)
        except CalendarError as error:
            self.add_error("open", str(error))
            return ()


OPEN_STATUS_CHOICES = [
    (status.value, status.label)
    for status in (Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD)
]


class SlaPolicyForm(forms.ModelForm[SlaPolicy]):
    priorities = forms.MultipleChoiceField(
        label=_("priorities"),
        choices=Priority.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.MultipleChoiceField(
        label=_("tags (any of)"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    paused_statuses = forms.MultipleChoiceField(
        label=_("statuses that pause the clock"),
        choices=OPEN_STATUS_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "position",
            "active",
            "calendar",
            "business_time",
            "priorities",
            "channels",
            "tags",
            "departments",
            "organisations",
            "request_types",
            "first_response_minutes",
            "next_response_minutes",
            "periodic_update_minutes",
            "resolution_minutes",
            "paused_statuses",
            "warn_at_percent",
            "notify_assignee",
            "notify_supervisor",
            "raise_priority",
            "reassign_on_shift",
            "send_customer_update",
            "remind_agent",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = set(Tag.objects.values_list("name", flat=True))
        # A tag named by the policy stays selectable even when no ticket carries it any more.
        names |= set(self.instance.tags or []) if self.instance.pk else set()
        self.fields["tags"].choices = [(name, name) for name in sorted(names)]  # type: ignore[attr-defined]
