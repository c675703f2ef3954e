from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from litso.departments.models import Department
from litso.mail import addresses
from litso.mail.addresses import known_recipient, split_plus
from tests.conftest import Desk


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    addresses.invalidate()
    yield
    addresses.invalidate()


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("support@shop.test", ("support@shop.test", None)),
        ("support+t1042.ab12cd34@shop.test", ("support@shop.test", "t1042.ab12cd34")),
        ("Support+Tag@Shop.Test", ("Support@Shop.Test", "Tag")),
        ("a+b+c@shop.test", ("a@shop.test", "b+c")),
        ("support+@shop.test", ("support@shop.test", "")),
        ("postmaster", ("postmaster", None)),
        ("x+y", ("x", "y")),
    ],
)
def test_split_plus(address: str, expected: tuple[str, str | None]) -> None:
    assert split_plus(address) == expected


def test_known_addresses_plus_addresses_and_case(desk: Desk) -> None:
    assert known_recipient("sales@shop.test") == desk.dept_a
    assert known_recipient("SALES@Shop.TEST") == desk.dept_a
    assert known_recipient("<sales@shop.test>") == desk.dept_a
    assert known_recipient("sales+t1042.ab12cd34@shop.test") == desk.dept_a
    assert known_recipient("billing+anything@shop.test") == desk.dept_b
    assert known_recipient("nobody@shop.test") is None
    assert known_recipient("sales@elsewhere.test") is None
    assert known_recipient("nobody+sales@shop.test") is None
    assert known_recipient("") is None


def test_inactive_departments_receive_nothing(desk: Desk) -> None:
    desk.dept_b.active = False
    desk.dept_b.save()
    assert known_recipient("billing@shop.test") is None
    assert known_recipient("sales@shop.test") == desk.dept_a


def test_an_address_containing_a_plus_matches_exactly(desk: Desk) -> None:
    Department.objects.create(name="Help", inbound_addresses=["help+desk@shop.test"])
    assert known_recipient("help+desk@shop.test") is not None
    assert known_recipient("help@shop.test") is None


def test_the_map_is_cached_and_saving_a_department_drops_it(
    desk: Desk, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        known_recipient("sales@shop.test")
        known_recipient("billing+x@shop.test")
        known_recipient("nobody@shop.test")

    desk.dept_a.inbound_addresses = ["sales@shop.test", "orders@shop.test"]
    desk.dept_a.save()
    with django_assert_num_queries(1):
        assert known_recipient("orders@shop.test") == desk.dept_a
        assert known_recipient("orders+t1.abc@shop.test") == desk.dept_a


def test_the_cache_expires(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    assert known_recipient("sales@shop.test") == desk.dept_a
    # Changed behind the cache's back (another process): seen after CACHE_SECONDS.
    Department.objects.filter(pk=desk.dept_a.pk).update(inbound_addresses=[])
    assert known_recipient("sales@shop.test") == desk.dept_a
    monkeypatch.setattr(addresses, "CACHE_SECONDS", 0.0)
    assert known_recipient("sales@shop.test") is None


def test_returned_departments_are_copies(desk: Desk) -> None:
    first = known_recipient("sales@shop.test")
    assert first is not None
    first.name = "Changed"
    second = known_recipient("sales@shop.test")
    assert second is not None
    assert second.name == "Sales"
