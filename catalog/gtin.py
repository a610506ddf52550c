"""Product barcodes: GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN) and GTIN-14.

A barcode is stored as its digits were typed; products are compared by its
GTIN-14 (the digits zero-padded on the left), so 012345678905 (UPC-A) and
0012345678905 (the same number as an EAN-13) are one barcode.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import ean

BARCODE_LENGTHS = (8, 12, 13, 14)
GTIN_LENGTH = 14
_DIGITS = re.compile(r"[0-9]+")


def gtin14(digits: str) -> str:
    """`digits` (8 to 14 of them) as a GTIN-14; "" for anything else."""
    if 8 <= len(digits) <= GTIN_LENGTH and _DIGITS.fullmatch(digits):
        return digits.zfill(GTIN_LENGTH)
    return ""


def barcode_validate(value: str) -> None:
    """Refuse a barcode that is not 8, 12, 13 or 14 digits with their check digit.

    The model field's validator: forms, the admin and the API all run it on the
    trimmed text. Blank is no barcode and passes.
    """
    if not value:
        return
    if len(value) not in BARCODE_LENGTHS or not _DIGITS.fullmatch(value):
        raise ValidationError(
            _("Enter a barcode of 8, 12, 13 or 14 digits."), code="barcode_invalid"
        )
    expected = ean.calc_check_digit(value[:-1])
    if value[-1] != expected:
        raise ValidationError(
            _("The check digit of this barcode should be %(digit)s."),
            code="barcode_check_digit",
            params={"digit": expected},
        )
