from __future__ import annotations

import datetime

from django.utils import timezone

from litso.workspace import presence
from litso.workspace.models import Presence
from litso.workspace.scheduled import forget_stale_presence


def test_an_agent_sees_the_others_on_the_ticket_not_themselves(desk) -> None:
    ticket = desk.open()
    presence.mark_viewing(desk.agent_a, ticket.pk)
    presence.mark_viewing(desk.supervisor, ticket.pk)
    [other] = presence.others_on(ticket.pk, desk.agent_a)
    assert (other.user_id, other.name, other.replying) == (desk.supervisor.pk, "Super", False)
    assert other.text == "Super is viewing"
    assert [v.name for v in presence.others_on(ticket.pk, desk.supervisor)] == ["Anna"]
    assert presence.others_on(desk.open().pk, desk.agent_a) == []


def test_one_row_per_agent_and_ticket_however_often_it_beats(desk) -> None:
    ticket = desk.open()
    for _ in range(3):
        presence.mark_viewing(desk.agent_a, ticket.pk)
    presence.mark_replying(desk.agent_a, ticket.pk)
    assert Presence.objects.filter(ticket=ticket, user=desk.agent_a).count() == 1


def test_a_viewer_who_stops_beating_is_gone_after_the_ttl(desk) -> None:
    ticket = desk.open()
    now = timezone.now()
    almost_stale = now - presence.TTL + datetime.timedelta(seconds=1)
    presence.mark_viewing(desk.supervisor, ticket.pk, now=almost_stale)
    assert [v.name for v in presence.others_on(ticket.pk, desk.agent_a, now=now)] == ["Super"]
    later = now + datetime.timedelta(seconds=2)
    assert presence.others_on(ticket.pk, desk.agent_a, now=later) == []


def test_replying_holds_for_a_few_seconds_and_a_heartbeat_does_not_end_it(desk) -> None:
    ticket = desk.open()
    now = timezone.now()
    presence.mark_replying(desk.supervisor, ticket.pk, now=now)
    presence.mark_viewing(desk.supervisor, ticket.pk, now=now + datetime.timedelta(seconds=1))
    [visitor] = presence.others_on(ticket.pk, desk.agent_a, now=now + datetime.timedelta(seconds=2))
    assert visitor.replying
    assert visitor.text == "Super is replying…"
    after = now + presence.REPLYING_FOR + datetime.timedelta(seconds=1)
    [visitor] = presence.others_on(ticket.pk, desk.agent_a, now=after)
    assert not visitor.replying, "typing that stopped is viewing again"


def test_stop_replying_and_leave(desk) -> None:
    ticket = desk.open()
    presence.mark_replying(desk.supervisor, ticket.pk)
    presence.stop_replying(desk.supervisor, ticket.pk)
    [visitor] = presence.others_on(ticket.pk, desk.agent_a)
    assert not visitor.replying
    presence.leave(desk.supervisor, ticket.pk)
    assert presence.others_on(ticket.pk, desk.agent_a) == []


def test_the_scheduler_sweeps_rows_older_than_an_hour(desk) -> None:
    ticket = desk.open()
    now = timezone.now()
    old = now - presence.KEEP - datetime.timedelta(minutes=1)
    presence.mark_viewing(desk.agent_a, ticket.pk, now=old)
    presence.mark_viewing(desk.supervisor, ticket.pk, now=now - datetime.timedelta(minutes=5))
    assert forget_stale_presence() == 1
    assert list(Presence.objects.values_list("user_id", flat=True)) == [desk.supervisor.pk]


def test_others_on_is_one_query(desk, django_assert_num_queries) -> None:
    ticket = desk.open()
    for user in (desk.admin, desk.supervisor, desk.agent_b):
        presence.mark_viewing(user, ticket.pk)
    with django_assert_num_queries(1):
        assert len(presence.others_on(ticket.pk, desk.agent_a)) == 3
