"""Triage in the workspace: the ticket page's triage panel, the triage and escalated views,
row marks, abuse flags in the timeline, chasing, and the on-shift switch."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from litso.audit.models import Event
from litso.departments.models import Department
from litso.tickets.actions import do_add_inbound_message
from litso.tickets.models import Ticket
from litso.triage.models import MessageFlag, TicketTriage
from litso.workspace import triage_panel
from tests.workspace.helpers import update

RUDE = "You are fucking idiots, I will sue you!!!"


def set_triage(ticket: Ticket, **fields: Any) -> TicketTriage:
    triage, _ = TicketTriage.objects.update_or_create(ticket=ticket, defaults=fields)
    return triage


def guessed(desk: Any, ticket: Ticket, confidence: float = 0.41) -> TicketTriage:
    """The router's unsure guess: Billing first, Sales second, evidence words."""
    predictions = {
        "department": {
            "label": str(desk.dept_b.pk),
            "confidence": confidence,
            "alternatives": [[str(desk.dept_b.pk), confidence], [str(desk.dept_a.pk), 0.33]],
            "evidence": ["invoice", "charged"],
        },
        "priority": {"label": "high", "confidence": 0.8, "alternatives": [], "evidence": []},
    }
    return set_triage(
        ticket, predictions=predictions, needs_review=True, routed_by="", language="en"
    )


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/t/{ticket.number}/")
    assert response.status_code == 200
    return response.content.decode()


def panel_of(html: str) -> str:
    found = re.search(r'<section class="panel triage-panel".*?</section>', html, re.S)
    assert found is not None, "no triage panel on the page"
    return found.group(0)


def numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-href="/t/(\d+)/"', html)]


def test_the_panel_explains_the_routers_guess(desk, client: Client) -> None:
    ticket = desk.open(subject="Charged twice", body="The invoice charged me twice")
    guessed(desk, ticket)
    client.force_login(desk.agent_a)
    panel = panel_of(page(client, ticket))
    assert "Needs review" in panel
    assert "English" in panel
    assert re.search(r"Department:</span> <strong>Billing</strong>\s*<span[^>]*>41%", panel)
    assert "invoice</span>, <span class=\"evidence\">charged" in panel
    assert "Sales 33%" in panel  # the alternative, with its confidence
    assert re.search(r"Priority:</span> <strong>High</strong>\s*<span[^>]*>80%", panel)
    # Keep where it is, or move to the router's other guess; the current one is not offered.
    assert re.search(r'name="department" value=""[^>]*>Keep in Sales</button>', panel)
    assert f'value="{desk.dept_b.pk}">Move to Billing</button>' in panel
    assert "Move to Sales" not in panel


@pytest.mark.parametrize(
    ("routed_by", "words"),
    [
        ("rule:VIP customers", "the rule “VIP customers”"),
        ("router", "the router"),
        ("address", "the address the customer wrote to"),
        ("agent", "an agent"),
    ],
)
def test_the_panel_says_who_routed_it(desk, client: Client, routed_by: str, words: str) -> None:
    ticket = desk.open()
    set_triage(ticket, routed_by=routed_by, needs_review=False)
    client.force_login(desk.agent_a)
    panel = panel_of(page(client, ticket))
    assert re.search(rf"<dt>Routed by</dt><dd>{re.escape(words)}</dd>", panel)
    assert "Needs review" not in panel


def test_keep_settles_the_ticket_where_it_is(desk, client: Client) -> None:
    ticket = guessed(desk, desk.open()).ticket
    client.force_login(desk.agent_a)
    response = client.post(f"/t/{ticket.number}/route/", {"department": ""}, follow=True)
    assert "Kept in Sales." in response.content.decode()
    triage = TicketTriage.objects.get(ticket=ticket)
    assert not triage.needs_review
    assert triage.routed_by == "agent"
    assert Ticket.objects.get(pk=ticket.pk).department == desk.dept_a
    assert Event.objects.filter(ticket=ticket, verb="route_confirmed").exists()


def test_move_settles_it_in_the_other_department(desk, client: Client) -> None:
    ticket = guessed(desk, desk.open()).ticket
    client.force_login(desk.agent_a)
    response = client.post(f"/t/{ticket.number}/route/", {"department": desk.dept_b.pk})
    # Billing is not Anna's department: the ticket left her desk.
    assert response["Location"] == "/"
    assert Ticket.objects.get(pk=ticket.pk).department == desk.dept_b
    assert not TicketTriage.objects.get(ticket=ticket).needs_review


def test_an_unknown_department_is_refused_next_to_the_buttons(desk, client: Client) -> None:
    ticket = guessed(desk, desk.open()).ticket
    client.force_login(desk.agent_a)
    response = client.post(f"/t/{ticket.number}/route/", {"department": "999999"})
    assert response.status_code == 400
    assert "Select a valid choice." in panel_of(response.content.decode())
    assert TicketTriage.objects.get(ticket=ticket).needs_review


def test_moving_with_the_department_form_settles_triage_too(desk, client: Client) -> None:
    ticket = guessed(desk, desk.open()).ticket
    client.force_login(desk.supervisor)
    client.post(f"/t/{ticket.number}/department/", {"department": desk.dept_b.pk})
    assert Ticket.objects.get(pk=ticket.pk).department == desk.dept_b
    assert not TicketTriage.objects.get(ticket=ticket).needs_review


def test_the_triage_view_lists_unsure_tickets_oldest_first(desk, client: Client) -> None:
    newer, older, settled = desk.open(), desk.open(), desk.open()
    hidden = desk.open(department=desk.dept_b)
    for ticket in (newer, older, hidden):
        set_triage(ticket, needs_review=True)
    update(older, created_at=newer.created_at.replace(year=2020))
    set_triage(settled, needs_review=False)
    client.force_login(desk.agent_a)
    html = client.get("/inbox/triage/").content.decode()
    assert numbers(html) == [older.number, newer.number]
    assert re.search(r"Triage</span>\s*<span class=\"count\">2</span>", html)
    assert html.count('<span class="badge review">needs review</span>') == 2


def test_the_escalated_view_lists_abusive_tickets(desk, client: Client) -> None:
    calm, escalated = desk.open(), desk.open()
    rude = desk.open(subject="WHERE IS MY ORDER", body=RUDE)
    update(escalated, escalated=True)
    assert TicketTriage.objects.get(ticket=rude).abusive
    client.force_login(desk.agent_a)
    html = client.get("/inbox/escalated/").content.decode()
    assert sorted(numbers(html)) == sorted([escalated.number, rude.number])
    assert calm.number not in numbers(html)
    row = re.search(
        rf'<tr data-href="/t/{rude.number}/" class="[^"]* abusive">.*?</tr>', html, re.S
    )
    assert row is not None
    assert '<span class="badge abuse" title="Abusive or very angry">abuse</span>' in row.group(0)


def test_rows_show_the_chase_count(desk, client: Client) -> None:
    first = desk.open(subject="Order 1042 not delivered", body="The courier never came.")
    desk.open(subject="Order 1042??", body="Still no courier, order 1042 not delivered")
    client.force_login(desk.agent_a)
    html = client.get("/inbox/all/").content.decode()
    row = re.search(rf'<tr data-href="/t/{first.number}/".*?</tr>', html, re.S)
    assert row is not None
    assert 'title="The customer asked again once">↻ 1</span>' in row.group(0)


def test_a_flagged_message_is_marked_with_guidance_in_the_agents_language(
    desk, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = desk.open(subject="WHERE IS MY ORDER", body=RUDE)
    flag = MessageFlag.objects.get(ticket=ticket)
    # What was stored in the desk language must not be what the agent reads.
    MessageFlag.objects.filter(pk=flag.pk).update(guidance="STORED IN THE DESK LANGUAGE")
    languages: list[str] = []
    original = triage_panel.abuse.guidance

    def spy(verdict: Any, language: str | None = None) -> str:
        languages.append(translation.get_language())
        return original(verdict, language)

    monkeypatch.setattr(triage_panel.abuse, "guidance", spy)
    desk.agent_a.agent.ui_language = "pl"
    desk.agent_a.agent.save()
    client.force_login(desk.agent_a)
    html = page(client, ticket)
    entry = re.search(
        rf'<li class="entry inbound flagged" id="m{flag.message_id}">.*?</li>', html, re.S
    )
    assert entry is not None
    text = entry.group(0)
    assert re.search(r"0[.,]98", text)  # the score, in the agent's number format
    for word in ("(fuck)", "(idiot)", "(court)"):  # the reasons, each with its word
        assert word in text
    assert "STORED IN THE DESK LANGUAGE" not in text
    assert '<p class="guidance">' in text
    assert languages == ["pl"]
    panel = panel_of(html)
    assert 'class="badge abuse"' in panel


def test_an_unflagged_message_has_no_mark(desk, client: Client) -> None:
    ticket = desk.open(body="I am very disappointed. Please help.")
    client.force_login(desk.agent_a)
    html = page(client, ticket)
    assert "flagged" not in html
    assert 'class="abuse-flag"' not in html


def test_chases_link_both_ways(desk, client: Client) -> None:
    first = desk.open(subject="Order 1042 not delivered", body="The courier never came.")
    second = desk.open(subject="Order 1042??", body="Still no courier, order 1042 not delivered")
    do_add_inbound_message(second, body_text="Hello??")
    client.force_login(desk.agent_a)
    panel = panel_of(page(client, first))
    assert "Chased once" in panel
    assert f'<a href="/t/{second.number}/">#{second.number} Order 1042??</a>' in panel
    panel = panel_of(page(client, second))
    assert f"This request chases #{first.number}." in panel
    assert f'href="/t/{first.number}/"' in panel


def test_a_chased_ticket_the_agent_cannot_see_is_not_named(desk, client: Client) -> None:
    hidden = desk.open(department=desk.dept_b, subject="Secret subject")
    ticket = desk.open()
    set_triage(ticket, chase_of=hidden)
    client.force_login(desk.agent_a)
    panel = panel_of(page(client, ticket))
    assert "This request chases an earlier one you cannot see." in panel
    assert "Secret subject" not in panel
    assert f"#{hidden.number}" not in panel


def test_waiting_for_an_agent_is_visible(desk, client: Client) -> None:
    ticket = desk.open()
    set_triage(ticket, waiting_for_agent=True)
    client.force_login(desk.agent_a)
    assert "Waiting for an agent" in panel_of(page(client, ticket))


def test_a_deleted_department_guess_still_shows(desk, client: Client) -> None:
    ticket = desk.open()
    gone = Department.objects.create(name="Closed shop")
    guessed(desk, ticket)
    triage = TicketTriage.objects.get(ticket=ticket)
    triage.predictions["department"]["alternatives"].append([str(gone.pk), 0.1])
    triage.save()
    gone_pk = gone.pk
    gone.delete()
    client.force_login(desk.agent_a)
    panel = panel_of(page(client, ticket))
    assert f"#{gone_pk} 10%" in panel
    assert f'value="{gone_pk}"' not in panel


def test_the_shift_switch(desk, client: Client) -> None:
    desk.dept_a.auto_assign = True
    desk.dept_a.save()
    profile = desk.agent_a.agent
    profile.on_shift = False
    profile.save()
    client.force_login(desk.agent_a)
    html = client.get("/").content.decode()
    assert re.search(r'aria-pressed="false"[^>]*>Off shift</button>', html)
    assert 'name="on_shift" value="1"' in html
    # Nobody on shift in Sales: the new ticket waits for the first one who starts.
    desk.supervisor.agent.on_shift = False
    desk.supervisor.agent.save()
    waiting = desk.open()
    assert TicketTriage.objects.get(ticket=waiting).waiting_for_agent
    response = client.post("/shift/", {"on_shift": "1", "next": "/inbox/all/"}, follow=True)
    assert response.redirect_chain == [("/inbox/all/", 302)]
    html = response.content.decode()
    assert "You are on shift" in html
    assert "1 waiting ticket was assigned." in html
    assert re.search(r'aria-pressed="true"[^>]*>On shift</button>', html)
    assert Ticket.objects.get(pk=waiting.pk).assignee == desk.agent_a
    response = client.post("/shift/", {"on_shift": "0", "next": "https://evil.test/"})
    assert response["Location"] == "/"
    profile.refresh_from_db()
    assert not profile.on_shift


def test_the_shift_switch_is_for_agents_only(desk, client: Client) -> None:
    client.force_login(desk.agent_a)
    assert client.get("/shift/").status_code == 405
    client.force_login(desk.customer_x.user)
    assert client.post("/shift/", {"on_shift": "1"}).status_code == 403


def test_the_triage_view_costs_the_same_queries_at_any_size(
    desk, client: Client, django_assert_num_queries
) -> None:
    from tests.workspace.test_views_inbox import _queries

    def fill(count: int) -> None:
        for i in range(count):
            ticket = desk.open(subject=f"Unsure {i}", body=f"Which department is {i} for?")
            set_triage(ticket, needs_review=True, chase_count=i, abusive=bool(i % 2))

    client.force_login(desk.agent_a)
    fill(2)
    expected = len(_queries(client, "/inbox/triage/"))
    fill(20)
    with django_assert_num_queries(expected):
        cache.clear()
        response = client.get("/inbox/triage/")
    assert len(numbers(response.content.decode())) == 22


def test_triage_events_read_as_sentences(desk, client: Client) -> None:
    ticket = desk.open(
        subject="Paczka nie dotarła",
        body="Dzień dobry, paczka nie dotarła do mnie do dzisiaj, proszę o pomoc.",
    )
    assert Event.objects.filter(ticket=ticket, verb="language").exists()
    client.force_login(desk.agent_a)
    html = page(client, ticket)
    assert "Language detected: Polski" in html
    assert "Language: en → pl" not in html
