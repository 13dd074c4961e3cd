import pytest

from contracts.phones import normalize_phone
from contracts.selectors import contacts_by_phone
from tests.factories import ContactFactory


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "0086 13800138000",
        "138-0013-8000",
        "(+86)13800138000",
        "86 13800138000",
        " 138 0013 8000 ",
    ],
)
def test_mobile_numbers_in_any_common_format(raw):
    assert normalize_phone(raw) == "13800138000"


@pytest.mark.parametrize(
    "raw", ["0371-53625804", "+86 371 5362 5804", "0086-371-53625804", "(0371) 5362 5804"]
)
def test_landlines_keep_their_area_code(raw):
    assert normalize_phone(raw) == "037153625804"


def test_service_numbers_and_extensions():
    assert normalize_phone("400-859-8181") == "4008598181"
    assert normalize_phone("021-5555-0101 转 123") == "02155550101"
    assert normalize_phone("") == ""


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
