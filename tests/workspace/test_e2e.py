"""The workspace in a real browser against the production server.

`litso run` starts uvicorn, a worker and the scheduler on a fresh database (SQLite, or a new
PostgreSQL database when DATABASE_URL is a postgres URL); outgoing mail goes over SMTP to a
sink in this process. Debian's chromium, driven by Playwright, signs in, opens the inbox,
opens the ticket with the keyboard, replies, and the customer's mail must arrive.
Screenshots go to $LITSO_TEST_ARTEFACTS (default: the test's tmp dir).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.mail.smtp_sink import SmtpSink
from tests.test_supervisor import children_of, free_port, healthy, wait_for

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"

SETUP = f"""
from django.contrib.auth.models import User
from litso.audit.record import Actor
from litso.customers.contacts import get_or_create_customer
from litso.departments.models import Department
from litso.staff.models import AgentProfile
from litso.tickets.actions import do_open_ticket
dept = Department.objects.create(name="Sales", inbound_addresses=["sales@shop.test"])
user = User.objects.create_user("olga", "olga@staff.test", {PASSWORD!r})
profile = AgentProfile.objects.create(user=user, display_name="Olga", time_zone="Europe/Warsaw")
profile.departments.set([dept])
colleague = User.objects.create_user("piotr", "piotr@staff.test", {PASSWORD!r})
AgentProfile.objects.create(user=colleague, display_name="Piotr").departments.set([dept])
customer, _ = get_or_create_customer("email", "jan@example.test", full_name="Jan Kowalski")
customer.address_as = "Panie Janie"
customer.save()
ticket, _ = do_open_ticket(
    customer=customer, subject="Zamówienie 4411 nie dotarło",
    body_text="Dzień dobry, paczka nie dotarła.\\n\\n> wcześniejsza wiadomość\\n",
    channel="email", department=dept, actor=Actor.customer(),
)
second, _ = do_open_ticket(
    customer=customer, subject="Faktura", body_text="Proszę o fakturę.",
    channel="email", department=dept, actor=Actor.customer(),
)
print(ticket.number, second.number)
"""


@dataclass
class LiveDesk:
    url: str
    env: dict[str, str]
    sink: SmtpSink
    ticket_number: int
    second_number: int


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    default = tmp_path_factory.mktemp("artefacts")
    directory = Path(os.environ.get("LITSO_TEST_ARTEFACTS") or default)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A fresh PostgreSQL database when the suite runs on PostgreSQL; SQLite otherwise."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield ""
        return
    import psycopg

    parts = urlsplit(url)
    name = f"litso_e2e_{secrets.token_hex(4)}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def live_desk(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[LiveDesk]:
    """One running desk for the tests of this module (starting it takes several seconds)."""
    tmp_path = tmp_path_factory.mktemp("desk")
    port = free_port()
    with SmtpSink() as sink:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            LITSO_DATA_DIR=str(tmp_path / "data"),
            LITSO_EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            LITSO_SITE_URL=f"http://127.0.0.1:{port}",
            LITSO_WORKER_DEAD_AFTER="5",
        )
        if database_url:
            env["DATABASE_URL"] = database_url
        log = (tmp_path / "desk.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "litso.cli", "run", "--no-demo", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )
        try:
            wait_for(lambda: healthy(port) or process.poll() is not None, 90, "the web server")
            assert process.poll() is None, (tmp_path / "desk.log").read_text()
            first, second = subprocess.run(
                [sys.executable, "-m", "litso.cli", "manage", "shell", "--no-imports", "-c",
                 SETUP],
                env=env, capture_output=True, text=True, check=True,
            ).stdout.strip().splitlines()[-1].split()
            yield LiveDesk(f"http://127.0.0.1:{port}", env, sink, int(first), int(second))
        finally:
            kids = children_of(process.pid)
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            for child in kids:
                if Path(f"/proc/{child}").exists():
                    os.kill(child, signal.SIGKILL)
            process.wait()
            log.close()


def watched_page(context, errors: list[str]):  # type: ignore[no-untyped-def]
    """A new tab whose script errors, CSP violations and failed requests land in `errors`."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.on(
        "response",
        lambda response: errors.append(f"{response.status} {response.url}")
        if response.status >= 400 and "/login/" not in response.url
        else None,
    )
    return page


@pytest.fixture
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: run .ci/services.sh (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    errors: list[str] = []
    try:
        yield watched_page(context, errors)
    finally:
        context.close()
    # A Content-Security-Policy violation or a script error shows up here.
    assert errors == []


def test_sign_in_open_the_ticket_reply_and_the_customer_gets_the_mail(
    live_desk: LiveDesk, browser_page, artefacts: Path
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    number = live_desk.ticket_number

    page.goto(live_desk.url + "/")
    expect(page).to_have_url(live_desk.url + "/login/?next=/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("correct username and password")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    expect(page).to_have_url(live_desk.url + "/")
    row = page.locator(f'tr[data-href="/t/{number}/"]')
    expect(row).to_contain_text("Zamówienie 4411 nie dotarło")
    expect(row).to_contain_text("Jan Kowalski")
    expect(page.locator(".views li.current")).to_contain_text("Needs first response")
    page.screenshot(path=str(artefacts / "inbox.png"), full_page=True)

    # The keyboard: ? lists the shortcuts, j selects the first row, Enter opens it.
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-dialog")).to_be_hidden()
    page.keyboard.press("j")
    expect(row).to_have_class("priority-normal is-current")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_desk.url}/t/{number}/")
    expect(page.locator("h1")).to_contain_text("Zamówienie 4411 nie dotarło")
    expect(page.locator(".panel.customer")).to_contain_text("Panie Janie")
    # The quoted line is folded away until asked for.
    expect(page.get_by_text("wcześniejsza wiadomość")).to_be_hidden()
    page.screenshot(path=str(artefacts / "ticket.png"), full_page=True)

    page.keyboard.press("r")
    expect(page.locator("#reply-body")).to_be_focused()
    reply = "Dzień dobry, Panie Janie!\nPaczka wyjechała dziś rano; numer przesyłki: PL-77."
    page.keyboard.type(reply)
    page.click("#reply-form button[type=submit]")

    expect(page.locator(".messages")).to_contain_text("Reply sent to the outbox.")
    expect(page.locator(".entry.outbound")).to_contain_text("numer przesyłki: PL-77")

    [mail] = live_desk.sink.wait_for(1, timeout=60)
    assert mail.rcpt_tos == ["jan@example.test"]
    assert mail.message["Subject"] == f"[#{number}] Zamówienie 4411 nie dotarło"
    body = mail.message.get_body(preferencelist=("plain",))
    assert body is not None
    assert reply in body.get_content().replace("\r\n", "\n")

    # Once the worker sent it, the ticket says so.
    def delivered() -> bool:
        page.reload()
        return page.locator(".entry.outbound .delivery").inner_text() == "Sent"

    wait_for(delivered, 30, "the reply to show as sent")
    page.screenshot(path=str(artefacts / "ticket-replied.png"), full_page=True)
    assert (artefacts / "inbox.png").stat().st_size > 10_000


def sign_in(page, url: str, username: str = "olga") -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


def test_keyboard_shortcuts_on_the_ticket_page(live_desk: LiveDesk, browser_page) -> None:
    from playwright.sync_api import expect

    page = browser_page
    sign_in(page, live_desk.url)
    page.goto(f"{live_desk.url}/t/{live_desk.second_number}/")
    page.keyboard.press("a")
    expect(page.locator(".messages")).to_contain_text("The ticket is yours.")
    expect(page.locator(".ticket-head")).to_contain_text("Assigned to Olga")
    page.keyboard.press("n")
    expect(page.locator("#note-body")).to_be_focused()
    page.keyboard.type("sss aaa")  # typed into the note, not taken as shortcuts
    page.keyboard.press("Escape")
    expect(page.locator("#note-body")).not_to_be_focused()
    page.keyboard.press("s")
    expect(page.locator(".messages")).to_contain_text("Ticket solved.")
    expect(page.locator(".ticket-head .badge").first).to_have_text("Solved")
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type(str(live_desk.ticket_number))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_desk.url}/t/{live_desk.ticket_number}/")


OPEN_TICKET = """
from litso.audit.record import Actor
from litso.customers.contacts import get_or_create_customer
from litso.departments.models import Department
from litso.tickets.actions import do_open_ticket
customer, _ = get_or_create_customer("email", "ewa@example.test", full_name="Ewa Nowak")
ticket, _ = do_open_ticket(
    customer=customer, subject="Nowe zgłoszenie: zwrot tkaniny",
    body_text="Dzień dobry, chcę zwrócić dwa metry lnu.", channel="email",
    department=Department.objects.get(name="Sales"), actor=Actor.customer(),
)
print(ticket.number)
"""


def test_a_new_ticket_appears_in_the_open_inbox_without_reloading(
    live_desk: LiveDesk, browser_page, artefacts: Path
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    sign_in(page, live_desk.url)
    expect(page.locator("#inbox-main h1")).to_have_text("Needs first response")
    page.evaluate("window.drawnOnce = true")  # gone if the page were loaded again
    # Through the action layer, in another process, as the mail worker would.
    number = subprocess.run(
        [sys.executable, "-m", "litso.cli", "manage", "shell", "--no-imports", "-c", OPEN_TICKET],
        env=live_desk.env, capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]
    row = page.locator(f'tr[data-href="/t/{number}/"]')
    expect(row).to_contain_text("Nowe zgłoszenie: zwrot tkaniny", timeout=30_000)
    expect(row).to_contain_text("Ewa Nowak")
    assert page.evaluate("window.drawnOnce") is True, "the row came without a reload"
    page.screenshot(path=str(artefacts / "inbox-live.png"), full_page=True)


def test_two_agents_on_one_ticket_see_each_other_and_who_is_replying(
    live_desk: LiveDesk, browser, artefacts: Path
) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    size = {"width": 1360, "height": 900}
    olga_context = browser.new_context(viewport=size, locale="en-GB")
    piotr_context = browser.new_context(viewport=size, locale="en-GB")
    try:
        olga, piotr = watched_page(olga_context, errors), watched_page(piotr_context, errors)
        sign_in(olga, live_desk.url)
        sign_in(piotr, live_desk.url, "piotr")
        ticket_url = f"{live_desk.url}/t/{live_desk.second_number}/"
        olga.goto(ticket_url)
        piotr.goto(ticket_url)

        expect(olga.locator("#presence")).to_contain_text("Piotr is viewing", timeout=30_000)
        expect(piotr.locator("#presence")).to_contain_text("Olga is viewing", timeout=30_000)

        piotr.click("#reply-body")
        piotr.keyboard.type("Dzień dobry, sprawdzam fakturę")
        replying = olga.locator("#presence li.replying")
        expect(replying).to_have_text("Piotr is replying…", timeout=15_000)
        olga.screenshot(path=str(artefacts / "ticket-presence.png"), full_page=True)

        # Piotr's note shows up on Olga's page without a reload; her own draft stays.
        olga.fill("#reply-body", "Szanowny Panie,")
        piotr.goto(ticket_url)
        piotr.click("#note-section summary")
        piotr.fill("#note-body", "Faktura wysłana osobno.")
        piotr.click("#note-section button[type=submit]")
        expect(olga.locator(".entry.note").last).to_contain_text(
            "Faktura wysłana osobno.", timeout=30_000
        )
        expect(olga.locator("#reply-body")).to_have_value("Szanowny Panie,")

        # Piotr leaves: Olga no longer sees him.
        piotr.close()
        expect(olga.locator("#presence")).to_be_hidden(timeout=30_000)
    finally:
        olga_context.close()
        piotr_context.close()
    assert errors == []
