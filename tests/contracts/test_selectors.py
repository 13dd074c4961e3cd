import pytest

from contracts.selectors import contacts_by_phone
from tests.factories import ContactFactory


@pytest.mark.django_db
def test_caller_found_by_phone_written_differently_from_the_record():
    mobile = ContactFactory(phone="+86 139 0000 0041")
    landline = ContactFactory(phone="0371-5550-0142")
    ContactFactory(phone="13900000099")

    assert list(contacts_by_phone(phone="139-0000-0041")) == [mobile]
    assert list(contacts_by_phone(phone="0086 13900000041")) == [mobile]
    assert list(contacts_by_phone(phone="+86 371 5550 0142")) == [landline]
    # A landline given without its area code still finds the caller.
    assert list(contacts_by_phone(phone="5550-0142")) == [landline]
    # Too few digits would match half the customer base.
    assert list(contacts_by_phone(phone="0142")) == []
