"""Test personas, made once per test and reused: every permission case costs one line.

Department A (Sales) and B (Billing); an admin; a supervisor of A; an agent of A; an agent of B;
customers X and Y, each able to sign in to the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from litso.audit.record import Actor
from litso.customers.contacts import get_or_create_customer
from litso.customers.models import Customer
from litso.departments.models import Department
from litso.staff.models import AgentProfile, Role
from litso.tickets.actions import do_open_ticket
from litso.tickets.models import Ticket


@dataclass
class Desk:
    dept_a: Department
    dept_b: Department
    admin: User
    supervisor: User
    agent_a: User
    agent_b: User
    customer_x: Customer
    customer_y: Customer

    def open(
        self,
        customer: Customer | None = None,
        department: Department | None = None,
        subject: str = "Where is my order?",
        body: str = "Hello, it has not arrived.",
        **kwargs: Any,
    ) -> Ticket:
        ticket, _ = do_open_ticket(
            customer=customer or self.customer_x,
            subject=subject,
            body_text=body,
            channel=kwargs.pop("channel", "email"),
            department=department or self.dept_a,
            actor=Actor.customer(),
            **kwargs,
        )
        return ticket


def make_agent(
    username: str,
    role: str,
    departments: list[Department],
    display_name: str = "",
    languages: list[str] | None = None,
) -> User:
    user = User.objects.create_user(username, f"{username}@staff.test", "pw-" + username)
    profile = AgentProfile.objects.create(
        user=user,
        role=role,
        display_name=display_name or username.title(),
        languages=languages or ["en"],
        on_shift=True,
    )
    profile.departments.set(departments)
    return user


def make_customer(email: str, name: str) -> Customer:
    customer, _ = get_or_create_customer("email", email, full_name=name, language="en")
    customer.user = User.objects.create_user(email.split("@")[0] + "-portal", email, "pw")
    customer.save()
    return customer


@pytest.fixture
def desk(db: None) -> Desk:
    # Automatic assignment is off here so tests see exactly the owners they set; the tests of
    # assignment (tests/triage/test_assignment.py) switch it on.
    dept_a = Department.objects.create(
        name="Sales", inbound_addresses=["sales@shop.test"], auto_assign=False
    )
    dept_b = Department.objects.create(
        name="Billing", inbound_addresses=["billing@shop.test"], auto_assign=False
    )
    return Desk(
        dept_a=dept_a,
        dept_b=dept_b,
        admin=make_agent("admin", Role.ADMIN, []),
        supervisor=make_agent("super", Role.SUPERVISOR, [dept_a]),
        agent_a=make_agent("anna", Role.AGENT, [dept_a], "Anna"),
        agent_b=make_agent("boris", Role.AGENT, [dept_b], "Boris"),
        customer_x=make_customer("xena@example.test", "Xena X"),
        customer_y=make_customer("yuri@example.test", "Yuri Y"),
    )


@pytest.fixture(autouse=True)
def _fresh_address_cache() -> None:
    # Departments made (and rolled back) by other tests must not answer for mail here.
    from litso.mail.addresses import invalidate

    invalidate()


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    # Rules, departments, policies and shifts of other tests (rolled back, or flushed by a
    # transactional test without signals) must not be seen here.
    from litso.core.process_cache import forget_all

    forget_all()


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Path) -> None:
    # Attachments and blobs go to a fresh directory per test.
    settings.MEDIA_ROOT = tmp_path / "files"
    # Argon2 is the production hasher (tests/test_settings.py checks it); personas sign in
    # often, so tests hash quickly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
