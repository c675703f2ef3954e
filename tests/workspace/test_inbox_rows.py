"""The inbox's rows written in Python: escaped, badged and translated like the template was."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.translation import override

from litso.tickets.models import Ticket
from litso.triage.models import TicketTriage
from litso.workspace import inbox_page, inbox_rows
from tests.workspace.helpers import set_due, update

pytestmark = pytest.mark.django_db


def rendered(*tickets) -> str:  # type: ignore[no-untyped-def]
    page = inbox_page.page_of(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).order_by("number"), 1
    )
    return str(inbox_rows.render(inbox_rows.rows(page, timezone.now())))


def test_a_row_shows_the_ticket_escaped_with_its_badges(desk) -> None:  # type: ignore[no-untyped-def]
    ticket = desk.open(subject='Refund <script>alert("x")</script> & more')
    ticket = update(ticket, escalated=True, priority="urgent", language="pl")
    TicketTriage.objects.update_or_create(
        ticket=ticket, defaults={"abusive": True, "chase_count": 3, "needs_review": True}
    )
    set_due(ticket, -5)
    html = rendered(ticket)
    assert html.count("<tr ") == 1
    assert f'data-href="/t/{ticket.number}/"' in html
    assert 'class="priority-urgent escalated abusive"' in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in html
    assert "<script>" not in html
    assert 'class="badge abuse"' in html
    assert 'title="The customer asked again 3 times">↻ 3</span>' in html
    assert 'class="badge review"' in html
    assert 'class="sla breached"' in html
    assert "<td>PL</td>" in html
    assert f'value="{ticket.number}" aria-label="#{ticket.number}"' in html


def test_a_plain_row_has_no_badges_and_words_follow_the_language(desk) -> None:  # type: ignore[no-untyped-def]
    plain = desk.open()
    chased = desk.open(customer=desk.customer_y, subject="Invoice", body="Send the invoice.")
    TicketTriage.objects.update_or_create(ticket=chased, defaults={"chase_count": 1})
    with override("ru"):
        html = rendered(plain, chased)
    first, second = html.split("\n")
    assert "badge abuse" not in first
    assert "badge chase" not in first
    assert 'class="sla' not in first
    assert "Новое" in first  # the status, translated once for the page
    assert "↻ 1" in second
    assert 'title="Клиент' in second
