"""Finding and creating customers by how they reach us."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from litso.customers.models import ContactKind, ContactPoint, Customer

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise(kind: str, value: str) -> str:
    value = value.strip()
    if kind == ContactKind.EMAIL:
        return value.lower()
    if kind == ContactKind.PHONE:
        # Keep a leading + and digits only: "+48 600-100-200" and "+48600100200" are one phone.
        digits = re.sub(r"\D", "", value)
        return ("+" + digits) if value.startswith("+") else digits
    return value


def check_contact(kind: str, value: str) -> str:
    if kind not in ContactKind.values:
        raise ValidationError(
            {"kind": f"unknown contact kind {kind!r}; use one of {ContactKind.values}"}
        )
    normalised = normalise(kind, value)
    if not normalised:
        raise ValidationError({"value": f"an empty {kind} contact"})
    if kind == ContactKind.EMAIL and not _EMAIL_RE.match(normalised):
        raise ValidationError({"value": f"{value!r} is not an email address"})
    return normalised


def find_customer(kind: str, value: str) -> Customer | None:
    point = (
        ContactPoint.objects.select_related("customer")
        .filter(kind=kind, value=normalise(kind, value))
        .first()
    )
    return point.customer if point else None


def get_or_create_customer(
    kind: str, value: str, *, full_name: str = "", language: str = ""
) -> tuple[Customer, bool]:
    """The customer who owns this contact point, created on first contact."""
    normalised = check_contact(kind, value)
    existing = find_customer(kind, normalised)
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            customer = Customer.objects.create(full_name=full_name, language=language)
            ContactPoint.objects.create(customer=customer, kind=kind, value=normalised)
    except IntegrityError:
        # Another request created the same contact between our read and write.
        again = find_customer(kind, normalised)
        if again is None:
            raise
        return again, False
    return customer, True
