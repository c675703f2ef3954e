from __future__ import annotations

import pytest

from litso.mail.threading import normalise_subject


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Fwd: RE[2]: Faktura za maj", "faktura za maj"),
        ("Отв: ВД: Заказ 77", "заказ 77"),
        ("Odp:  PD: zamówienie", "zamówienie"),
        ("Re: [#1042] Where is my order?", "where is my order?"),
        ("Re: [support-2] Where is my order?", "where is my order?"),
        ("AW: [Ticket#123] Lieferung", "lieferung"),
        ("Price list [2024]", "price list [2024]"),
        ("Re: [support-1] Where is my order 131244? (Opened)", "where is my order 131244?"),
    ],
)
def test_subjects_are_normalised_for_matching(subject: str, expected: str) -> None:
    assert normalise_subject(subject) == expected
