"""Phone numbers as callers say them, reduced to one comparable form.

Callers give mainland numbers as "+86 138 0013 8000", "0086-13800138000",
"138-0013-8000", landlines as "0371-53625804" or "+86 371 5362 5804", and
service numbers as "400-859-8181". The normal form is the digits a caller
would dial inside mainland China: mobiles as 11 digits, landlines with their
0-prefixed area code, 400/800 numbers as they are.
"""

import re

_NON_DIGITS = re.compile(r"\D")


def normalize_phone(raw: str | None) -> str:
    if not raw:
        return ""
    text = raw.strip()
    # An extension ("转 123", "ext 123", "#123") is not part of the number.
    text = re.split(r"(?i)(?:转|ext\.?|x|#)", text, maxsplit=1)[0]
    international = text.startswith("+") or text.startswith("00")
    digits = _NON_DIGITS.sub("", text)
    if digits.startswith("0086"):
        digits, international = digits[4:], True
    elif international and digits.startswith("86"):
        digits = digits[2:]
    elif digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        # "86 13800138000" written without the plus sign.
        digits, international = digits[2:], True
    if international and digits and not digits.startswith(("1", "0", "400", "800")):
        # International format drops the trunk 0 of a landline area code.
        digits = "0" + digits
    return digits
