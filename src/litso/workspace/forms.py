"""The forms of the inbox and the ticket page.

They check what they can in the agent's language before an action runs (a status the ticket
cannot take, a merge target that does not exist), so most errors are translated; whatever
the action layer still refuses is shown next to the field it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from litso.core.choices import Channel, Language, Priority
from litso.departments.models import Department
from litso.tickets.access import tickets_visible_to
from litso.tickets.actions.tags import check_tags
from litso.tickets.models import Status, Ticket
from litso.tickets.transitions import TRANSITIONS
from litso.workspace.inbox import SORTS
from litso.workspace.widgets import FastForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ANY: list[tuple[str, StrOrPromise]] = [("", _("Any"))]


def with_any(choices: list[tuple[str, Any]]) -> list[tuple[str, StrOrPromise]]:
    return [*ANY, *choices]


class InboxFilterForm(FastForm):
    """GET parameters of the inbox; a value that is not a choice is ignored, not an error."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=with_any(Status.choices))
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=with_any(Priority.choices)
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=with_any(Channel.choices)
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=with_any(Language.choices)
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False)

    def __init__(self, *args: Any, agents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee: forms.ChoiceField = self.fields["assignee"]  # type: ignore[assignment]
        assignee.choices = [
            *ANY,
            ("me", _("Me")),
            ("none", _("Nobody")),
            *agents,
        ]
        sort: forms.ChoiceField = self.fields["sort"]  # type: ignore[assignment]
        sort.choices = [("", _("Default")), *((k, s.label) for k, s in SORTS.items())]

    def clean_tag(self) -> str:
        tag: str = self.cleaned_data["tag"].strip().lower()
        return tag

    def values(self) -> dict[str, Any]:
        """The valid filters; invalid ones are dropped so a stale link still shows a list."""
        if self.is_valid():
            return {k: v for k, v in self.cleaned_data.items() if v}
        return {
            name: self.data[name]
            for name in self.fields
            if name not in self.errors and self.data.get(name)
        }


class BulkForm(FastForm):
    tickets = forms.TypedMultipleChoiceField(coerce=int, required=True)
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Keep")), *Status.choices]
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.filter(active=True).order_by("name"),
        empty_label=_("Keep"),
    )
    add_tag = forms.CharField(label=_("Add tag"), required=False, max_length=64)

    def __init__(self, *args: Any, agents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        numbers = self.data.getlist("tickets") if hasattr(self.data, "getlist") else []
        tickets: forms.TypedMultipleChoiceField = self.fields["tickets"]  # type: ignore[assignment]
        tickets.choices = [(n, n) for n in numbers]
        assignee: forms.ChoiceField = self.fields["assignee"]  # type: ignore[assignment]
        assignee.choices = [("", _("Keep")), ("me", _("Me")), ("none", _("Nobody")), *agents]
        if not self.is_bound:
            # Shown from the process's list; a choice posted is checked by the queryset.
            from litso.workspace.departments import department_choices

            department: forms.ModelChoiceField = self.fields["department"]  # type: ignore[assignment]
            department.choices = [("", _("Keep")), *department_choices()]

    def clean_add_tag(self) -> list[str]:
        raw = self.cleaned_data["add_tag"]
        return _tags(raw) if raw.strip() else []

    def changes(self, user: User) -> dict[str, Any]:
        data = self.cleaned_data
        changes: dict[str, Any] = {}
        if data.get("department"):
            changes["department"] = data["department"]
        if data.get("assignee") == "me":
            changes["assignee"] = user
        elif data.get("assignee") == "none":
            changes["assignee"] = None
        elif data.get("assignee"):
            changes["assignee"] = int(data["assignee"])
        if data.get("status"):
            changes["status"] = data["status"]
        if data.get("add_tag"):
            changes["add_tags"] = data["add_tag"]
        return changes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name in ("assignee", "status", "department", "add_tag")):
            raise ValidationError(_("Choose what to change."), code="nothing")
        return data


def _tags(raw: str) -> list[str]:
    names = [name for name in raw.replace(",", " ").split() if name]
    try:
        return check_tags(names)
    except ValidationError:
        raise ValidationError(
            _("Tags are words of letters, digits, - and _, separated by spaces."), code="tag"
        ) from None


class MessageForm(FastForm):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
        strip=False,
    )

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if not body.strip():
            raise ValidationError(_("Write something first."), code="empty")
        return body


class ReplyForm(MessageForm):
    then_status = forms.ChoiceField(
        label=_("Then set status"),
        required=False,
        choices=[
            ("", _("Keep status")),
            (Status.PENDING_CUSTOMER, Status.PENDING_CUSTOMER.label),
            (Status.SOLVED, Status.SOLVED.label),
        ],
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket = ticket

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.ticket.status == Status.CLOSED:
            raise ValidationError(
                _("This ticket is closed; the customer's next message opens a follow-up."),
                code="closed",
            )
        target = data.get("then_status")
        if target:
            check_status_change(self.ticket, target, "then_status")
        return data


def check_status_change(ticket: Ticket, new: str, field: str = "status") -> None:
    if new != ticket.status and new not in TRANSITIONS[ticket.status]:
        raise ValidationError(
            {
                field: _("A ticket that is “%(old)s” cannot become “%(new)s”.")
                % {"old": Status(ticket.status).label, "new": Status(new).label}
            }
        )


class NoteForm(MessageForm):
    pass


class AssignForm(FastForm):
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args: Any, agents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["assignee"]  # type: ignore[assignment]
        field.choices = [("", _("Nobody")), *agents]


class StatusForm(FastForm):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket = ticket

    def clean_status(self) -> str:
        new: str = self.cleaned_data["status"]
        try:
            check_status_change(self.ticket, new)
        except ValidationError as error:
            raise ValidationError(error.message_dict["status"]) from None
        return new


class PriorityForm(FastForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class DepartmentForm(FastForm):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(active=True), empty_label=None
    )
    note = forms.CharField(
        label=_("Forward with a note (why)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=10_000,
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        if not self.is_bound:
            # Shown from the process's list; a choice posted is checked by the queryset.
            from litso.workspace.departments import department_choices

            field: forms.ModelChoiceField = self.fields["department"]  # type: ignore[assignment]
            field.choices = department_choices()  # the widget's too

    def clean_department(self) -> Department:
        department: Department = self.cleaned_data["department"]
        if department.pk == self.ticket.department_id:
            raise ValidationError(_("The ticket is already in this department."), code="same")
        return department


class SaveViewForm(FastForm):
    name = forms.CharField(label=_("Save this view as"), max_length=60)


class RouteForm(FastForm):
    """Settling a ticket that waits in triage: no department keeps it where it is."""

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(active=True), required=False
    )


class MergeForm(FastForm):
    target = forms.IntegerField(
        label=_("Merge into ticket number"), min_value=1, widget=forms.NumberInput()
    )

    def __init__(self, *args: Any, ticket: Ticket, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.user = user

    def clean_target(self) -> Ticket:
        number = self.cleaned_data["target"]
        if number == self.ticket.number:
            raise ValidationError(_("A ticket cannot be merged into itself."), code="self")
        target = tickets_visible_to(self.user).filter(number=number).first()
        if target is None:
            raise ValidationError(
                _("There is no ticket #%(number)s that you can see.") % {"number": number},
                code="missing",
            )
        if target.status == Status.CLOSED:
            raise ValidationError(
                _("Ticket #%(number)s is closed.") % {"number": number}, code="closed"
            )
        if target.merged_into_id is not None:
            raise ValidationError(
                _("Ticket #%(number)s was itself merged into another.") % {"number": number},
                code="merged",
            )
        return target


class TagsForm(FastForm):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=2000,
        help_text=_("Separated by spaces."),
    )

    def clean_tags(self) -> list[str]:
        return _tags(self.cleaned_data["tags"])
