"""One rule for raw input, wherever it comes from (form posts, query strings, API bodies).

Text must be storable in PostgreSQL (no NUL byte, no lone surrogate), numbers finite and in
range, dates inside the years the calendar code can count with. Bad input becomes a
`ValidationError` keyed by the field, which the pages show as a message or form error and the
API answers as a 400: never a 500. Django form fields and DRF's CharField already refuse NUL;
these functions are for the views that read `request.POST` / `request.GET` directly.
"""

import math
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Far enough for any contract or report; far from date.max, so a day or a week can be added.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def text_problem(value: str) -> str | None:
    """Why the text cannot be stored, or None if it can."""
    if "\x00" in value:
        return _("The text contains a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("The text contains an invalid character.")
    return None


def is_clean_text(value) -> bool:
    return isinstance(value, str) and text_problem(value) is None


def clean_text(value, *, field: str = "text", max_length: int | None = None) -> str:
    """The text as typed (cut at max_length), or a ValidationError for the field."""
    value = "" if value is None else str(value)
    problem = text_problem(value)
    if problem:
        raise ValidationError({field: problem})
    return value[:max_length] if max_length is not None else value


def posted_text(data, field: str, *, default: str = "", max_length: int | None = None) -> str:
    """`data.get(field)` (a QueryDict or dict) checked by `clean_text`."""
    return clean_text(data.get(field, default), field=field, max_length=max_length)


def clean_values(values) -> list[str]:
    """The clean, non-empty values of a multi-valued filter; anything else is dropped."""
    return [v for v in values if v and is_clean_text(v)]


def clean_number(
    value,
    *,
    field: str,
    minimum: float | int | Decimal | None = None,
    maximum: float | int | Decimal | None = None,
    integer: bool = False,
    places: int | None = None,
    required: bool = False,
):
    """A finite number inside [minimum, maximum], or a field error; None when empty
    (unless required).

    `integer` gives an int (no fraction allowed); `places` a Decimal rounded to that
    many places, checked against the range after rounding (9999999999.99999 rounds past
    a column of 14 digits); otherwise a float. A decimal comma is read as a point.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError({field: _("This field is required.")})
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({field: _("Not a number.")}) from exc
    if not number.is_finite():
        raise ValidationError({field: _("Not a number.")})
    if integer and number != number.to_integral_value():
        raise ValidationError({field: _("Enter a whole number.")})
    if places is not None:
        try:
            number = number.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation as exc:
            raise ValidationError({field: _("The number is out of range.")}) from exc
    if (minimum is not None and number < Decimal(str(minimum))) or (
        maximum is not None and number > Decimal(str(maximum))
    ):
        if minimum is not None and maximum is not None:
            raise ValidationError(
                {
                    field: _("Enter a number from %(low)s to %(high)s.")
                    % {"low": minimum, "high": maximum}
                }
            )
        raise ValidationError({field: _("The number is out of range.")})
    if integer:
        return int(number)
    if places is not None:
        return number
    result = float(number)
    if not math.isfinite(result):
        raise ValidationError({field: _("Not a number.")})
    return result


def date_problem(value: date) -> str | None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        return _("Choose a date between %(first)s and %(last)s.") % {
            "first": EARLIEST_DATE.isoformat(),
            "last": LATEST_DATE.isoformat(),
        }
    return None


def clean_date(value, *, field: str, required: bool = False) -> date | None:
    """An ISO date (YYYY-MM-DD) inside the supported years, None when empty, or a field error."""
    if isinstance(value, date):
        parsed = value
    elif value in (None, ""):
        if required:
            raise ValidationError({field: _("Enter a date.")})
        return None
    else:
        try:
            parsed = date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise ValidationError({field: _("Enter a valid date.")}) from exc
    problem = date_problem(parsed)
    if problem:
        raise ValidationError({field: problem})
    return parsed


# The largest id a bigint column holds.
MAX_ID = 2**63 - 1


def as_id(value) -> int | None:
    """A database id as it comes in a query string or a post: ASCII digits within a bigint,
    or None. (`str.isdigit` also takes "²" and "٣", which `int()` and the ORM refuse.)"""
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
