import pytest

from core.phones import normalize_phone


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
