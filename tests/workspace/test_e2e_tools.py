"""The agent's tools in a real browser: canned answers inserted at the cursor, the search
box behind "/", the on-shift switch and settling a ticket that waits in triage.

Uses the running desk of test_e2e.py (its own instance: module-scoped fixtures).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workspace import test_e2e as e2e
from tests.workspace.test_e2e import LiveDesk, sign_in

# The running desk and the browser of test_e2e.py, as fixtures of this module too.
artefacts = e2e.artefacts
browser = e2e.browser
browser_page = e2e.browser_page
database_url = e2e.database_url
live_desk = e2e.live_desk

pytestmark = pytest.mark.slow

SETUP = """
from litso.tickets.models import Ticket
from litso.triage.models import TicketTriage
from litso.workspace.models import CannedAnswer
CannedAnswer.objects.create(
    name="Przeprosiny",
    text_en="Dear {customer_name}, sorry about {ticket_number}. {agent_name}",
    text_pl="{customer_name}, przepraszamy za zgłoszenie {ticket_number}. {agent_name}",
)
ticket = Ticket.objects.get(number=%d)
TicketTriage.objects.filter(ticket=ticket).update(needs_review=True)
"""


def test_canned_answer_search_shift_and_triage(
    live_desk: LiveDesk, browser_page, artefacts: Path
) -> None:
    from playwright.sync_api import expect

    subprocess.run(
        [sys.executable, "-m", "litso.cli", "manage", "shell", "--no-imports", "-c",
         SETUP % live_desk.ticket_number],
        env=live_desk.env, capture_output=True, text=True, check=True,
    )
    page = browser_page
    number = live_desk.ticket_number
    sign_in(page, live_desk.url)

    # The on-shift switch in the header.
    toggle = page.locator("button.shift-toggle")
    expect(toggle).to_have_text("Off shift")
    toggle.click()
    expect(page.locator(".messages")).to_contain_text("You are on shift")
    expect(toggle).to_have_text("On shift")

    # "/" goes to the search box; the hits come with the words marked.
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("paczka")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_desk.url}/search/?q=paczka")
    row = page.locator(f'tr[data-href^="/t/{number}/"]')
    expect(row.locator("mark").first).to_have_text("paczka")
    page.screenshot(path=str(artefacts / "search.png"), full_page=True)
    row.locator("td.subject a").click()
    ticket_url = re.compile(rf"{re.escape(live_desk.url)}/t/{number}/#m\d+$")
    expect(page).to_have_url(ticket_url)  # at the message that matched

    # The canned text, in the ticket's language, goes where the cursor is.
    box = page.locator("#reply-body")
    box.fill("Dzień dobry. Pozdrawiam")
    box.click()
    page.keyboard.press("End")
    for _ in range(len("Pozdrawiam")):
        page.keyboard.press("ArrowLeft")
    page.select_option("#canned-pick", label="Przeprosiny")
    page.click("[data-insert-canned]")
    expect(box).to_have_value(
        f"Dzień dobry. Panie Janie, przepraszamy za zgłoszenie {number}. OlgaPozdrawiam"
    )
    expect(page).to_have_url(ticket_url)  # nothing was posted

    # The ticket waits in triage: keep it where it is.
    panel = page.locator("#triage")
    expect(panel).to_contain_text("Needs review")
    page.screenshot(path=str(artefacts / "ticket-triage.png"), full_page=True)
    panel.get_by_role("button", name="Keep in Sales").click()
    expect(page.locator(".messages")).to_contain_text("Kept in Sales.")
    expect(page.locator("#triage")).not_to_contain_text("Needs review")
