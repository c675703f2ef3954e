import pytest
from django.core.exceptions import ValidationError

from litso.customers.contacts import get_or_create_customer, normalise


def test_contacts_are_normalised_and_unique_per_kind(db):
    first, created = get_or_create_customer("email", " Ola@Example.PL ", full_name="Ola")
    again, created_again = get_or_create_customer("email", "ola@example.pl")
    assert created
    assert not created_again
    assert first == again
    phone, _ = get_or_create_customer("phone", "+48 600-100-200")
    assert get_or_create_customer("phone", "+48600100200")[0] == phone
    assert normalise("phone", "+7 (912) 000-11-22") == "+79120001122"


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [("fax", "1", "kind"), ("email", "not-an-address", "value"), ("phone", " - ", "value")],
)
def test_bad_contacts_are_refused_naming_the_field(db, kind, value, field):
    with pytest.raises(ValidationError) as caught:
        get_or_create_customer(kind, value)
    assert field in caught.value.message_dict
