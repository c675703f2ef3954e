"""Saved views: an agent keeps an inbox queue with its filters and sort under a name.

A saved view is the agent's own preference, not a change to any ticket, so it records no
audit event. Only the inbox's own filter parameters are kept (never ``page``), so a saved
link cannot carry anything else into the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from litso.core.prepared import Prepared
from litso.workspace.models import SavedView

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from litso.workspace.inbox import InboxView

MAX_PER_AGENT = 30
QUERY_LENGTH = 500  # SavedView.query's max_length
# The GET parameters of the inbox (forms.InboxFilterForm) worth keeping.
KEPT = ("status", "priority", "channel", "language", "tag", "assignee", "sort")


def query_of(params: QueryDict) -> str:
    """The inbox filters of a request, as a query string in a fixed order."""
    kept = [(key, value) for key in KEPT for value in params.getlist(key) if value]
    return urlencode(kept)[:QUERY_LENGTH]


def check_saved_view(user: User, name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the view a name.")}, code="required")
    if SavedView.objects.filter(user=user, name=name).exists():
        raise ValidationError(
            {"name": _("You already have a view called “%(name)s”.") % {"name": name}},
            code="unique",
        )
    if SavedView.objects.filter(user=user).count() >= MAX_PER_AGENT:
        raise ValidationError(
            {"name": _("You have %(count)d saved views; delete one first.")
             % {"count": MAX_PER_AGENT}},
            code="too_many",
        )
    return name


@transaction.atomic
def do_save_view(user: User, name: str, view: str, params: QueryDict) -> SavedView:
    name = check_saved_view(user, name)
    last = SavedView.objects.filter(user=user).aggregate(last=Max("position"))["last"]
    return SavedView.objects.create(
        user=user,
        name=name,
        view=view,
        query=query_of(params),
        position=0 if last is None else last + 1,
    )


def do_delete_view(user: User, pk: int) -> bool:
    """Delete one of the agent's own views; another agent's is as good as missing."""
    deleted, _ = SavedView.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


def url_of(saved: SavedView) -> str:
    url = reverse("workspace:inbox_view", args=[saved.view])
    return f"{url}?{saved.query}" if saved.query else url


@dataclass(frozen=True)
class SavedLink:
    pk: int
    name: str
    url: str
    # The queue it filters still exists for this agent (a department may have gone).
    available: bool
    current: bool


# On every inbox page: compiled once per process (core/prepared.py).
_saved_of = Prepared(
    lambda user_id: SavedView.objects.filter(user_id=user_id).order_by("position", "pk")
)


def links(user: User, views: list[InboxView], here: str = "") -> list[SavedLink]:
    """The agent's saved views for the sidebar, one query; ``here`` is the page's own URL."""
    slugs = {view.slug for view in views}
    found = []
    for saved in _saved_of(user.pk):
        url = url_of(saved)
        found.append(
            SavedLink(saved.pk, saved.name, url, saved.view in slugs, current=url == here)
        )
    return found
