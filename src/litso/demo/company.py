"""The demo company's structure: departments, request types and the people who work there."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from litso.departments.models import Department
from litso.staff.groups import desk_staff_group
from litso.staff.models import AgentProfile, Role
from litso.tickets.fields import check_definitions
from litso.tickets.models import RequestType

COMPANY = "Tkanina Print"
DOMAIN = "tkanina-print.example"
FALLBACK_PASSWORD = "litso-demo"  # noqa: S105 (the documented demo password)

# key → (name, description, inbound local parts, default priority)
DEPARTMENTS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "sales": (
        "Sales",
        "Questions before ordering, quotes for studios and wholesale customers, custom print "
        "orders.",
        ("sales", "orders", "hello"),
        "normal",
    ),
    "billing": (
        "Billing",
        "Invoices, payments, refunds and everything the accountants ask about.",
        ("billing", "invoices"),
        "normal",
    ),
    "tech": (
        "Technical support",
        "Design files that will not upload or print, colour questions, the shop's website.",
        ("support", "files"),
        "normal",
    ),
    "delivery": (
        "Delivery",
        "Our own couriers and the parcel carriers: late, damaged or redirected parcels, "
        "pick-ups at the workshop.",
        ("delivery", "courier"),
        "high",
    ),
}

FABRICS = ["cotton", "linen", "satin", "velvet", "canvas", "chiffon", "jersey", "oxford"]

# name → (department key, field definitions)
REQUEST_TYPES: dict[str, tuple[str, list[dict[str, object]]]] = {
    "Print order": (
        "sales",
        [
            {
                "name": "fabric",
                "type": "choice",
                "label": "Fabric",
                "required": True,
                "choices": FABRICS,
            },
            {"name": "metres", "type": "number", "label": "Metres", "required": True},
            {"name": "width_cm", "type": "integer", "label": "Width (cm)"},
            {"name": "design_ready", "type": "boolean", "label": "Design file ready"},
            {"name": "needed_by", "type": "date", "label": "Needed by"},
        ],
    ),
    "Invoice request": (
        "billing",
        [
            {"name": "order_number", "type": "text", "label": "Order number", "required": True},
            {"name": "vat_id", "type": "text", "label": "VAT / tax number"},
        ],
    ),
    "Refund": (
        "billing",
        [
            {"name": "order_number", "type": "text", "label": "Order number", "required": True},
            {"name": "amount", "type": "number", "label": "Amount"},
            {
                "name": "reason",
                "type": "choice",
                "label": "Reason",
                "choices": ["cancelled", "misprint", "damaged", "late", "duplicate payment"],
            },
        ],
    ),
    "Print file problem": (
        "tech",
        [
            {
                "name": "file_format",
                "type": "choice",
                "label": "File format",
                "choices": ["PDF", "TIFF", "PNG", "JPG", "SVG", "AI"],
            },
            {"name": "dpi", "type": "integer", "label": "Resolution (dpi)"},
        ],
    ),
    "Delivery problem": (
        "delivery",
        [
            {"name": "tracking_number", "type": "text", "label": "Tracking number"},
            {
                "name": "carrier",
                "type": "choice",
                "label": "Carrier",
                "choices": ["Tkanina courier", "InPost", "DPD", "DHL"],
            },
            {"name": "parcel_damaged", "type": "boolean", "label": "Parcel damaged"},
        ],
    ),
}


@dataclass(frozen=True)
class StaffMember:
    username: str
    display_name: str
    role: str
    departments: tuple[str, ...]
    languages: tuple[str, ...]
    female: bool
    on_shift: bool
    time_zone: str = "Europe/Warsaw"

    @property
    def ui_language(self) -> str:
        return self.languages[0]


STAFF = (
    StaffMember("admin", "Natalia", Role.ADMIN, (), ("en", "pl", "ru"), True, False),
    StaffMember(
        "supervisor", "Anna", Role.SUPERVISOR, tuple(DEPARTMENTS), ("pl", "en", "ru"), True, True
    ),
    StaffMember("agent1", "Elena", Role.AGENT, ("sales", "tech"), ("ru", "en"), True, True),
    StaffMember("agent2", "Marek", Role.AGENT, ("sales", "billing"), ("pl", "en"), False, True),
    StaffMember("agent3", "Olga", Role.AGENT, ("billing",), ("ru", "en"), True, False),
    StaffMember("agent4", "Kasia", Role.AGENT, ("tech",), ("pl", "en"), True, True),
    StaffMember(
        "agent5", "James", Role.AGENT, ("tech", "delivery"), ("en",), False, False, "Europe/London"
    ),
    StaffMember("agent6", "Dmitry", Role.AGENT, ("delivery", "billing"), ("ru", "pl"), False, True),
)


@dataclass
class Agent:
    """A staff member as the ticket generator needs them: the user and how they write."""

    user: User
    member: StaffMember


@dataclass
class Company:
    departments: dict[str, Department]
    request_types: dict[str, RequestType]
    agents: list[Agent]
    created: list[str]

    def by_username(self, username: str) -> Agent:
        return next(a for a in self.agents if a.user.username == username)


def demo_password() -> str:
    return str(getattr(settings, "LITSO_DEMO_PASSWORD", "") or FALLBACK_PASSWORD)


def build_company(joined: datetime.datetime) -> Company:
    created: list[str] = []
    departments = {}
    for key, (name, description, inbound, priority) in DEPARTMENTS.items():
        dept, new = Department.objects.get_or_create(
            name=name,
            defaults={
                "description": description,
                "inbound_addresses": [f"{local}@{DOMAIN}" for local in inbound],
                "default_priority": priority,
            },
        )
        departments[key] = dept
        if new:
            created.append(f"department {name}")
    request_types = {}
    for name, (dept_key, fields) in REQUEST_TYPES.items():
        check_definitions(fields)
        rtype, new = RequestType.objects.get_or_create(
            name=name, defaults={"department": departments[dept_key], "fields": fields}
        )
        request_types[name] = rtype
        if new:
            created.append(f"request type {name}")
    # One hash for the eight sign-ins: they share the password anyway, so distinct salts would
    # protect nothing, and each Argon2 hash costs a noticeable part of the demo's run time.
    password = make_password(demo_password())
    agents = [_staff_member(member, departments, joined, password, created) for member in STAFF]
    return Company(departments, request_types, agents, created)


def _staff_member(
    member: StaffMember,
    departments: dict[str, Department],
    joined: datetime.datetime,
    password: str,
    created: list[str],
) -> Agent:
    user = User.objects.filter(username=member.username).first()
    if user is None:
        superuser = member.role == Role.ADMIN
        user = User(
            username=member.username,
            email=f"{member.username}@{DOMAIN}",
            first_name=member.display_name,
            # Until the agent workspace exists, everyone reads the desk in the admin.
            is_staff=True,
            is_superuser=superuser,
            date_joined=joined,
            password=password,
        )
        user.save()
        if not superuser:
            user.groups.add(desk_staff_group())
        created.append(f"user {member.username}")
    # A sign-in that was there before the demo keeps its password; it only gets a profile.
    profile = AgentProfile.objects.filter(user=user).first()
    if profile is None:
        profile = AgentProfile.objects.create(
            user=user,
            role=member.role,
            display_name=member.display_name,
            languages=list(member.languages),
            on_shift=member.on_shift,
            time_zone=member.time_zone,
            ui_language=member.ui_language,
            max_load=40 if member.role == Role.AGENT else 15,
        )
        profile.departments.set([departments[key] for key in member.departments])
    # The actions read user.agent on every call; keep it loaded on the instance.
    user.agent = profile
    return Agent(user, member)
