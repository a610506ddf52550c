"""A product's serial number format: Any, IMEI, or a pattern (a simple mask).

`serial_format_problem` is asked about every entry of a batch (10,000 at a
time), so each check is a few string operations and a pattern is compiled once.

A pattern is not a regular expression (unreadable for shop staff, and a typed
regular expression can take exponential time): `#` is a digit, `@` a letter,
`*` any one character, and anything else stands for itself, ignoring case.
"""

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import luhn

if TYPE_CHECKING:
    from catalog.models import Product

PATTERN_MAX_LENGTH = 100
IMEI_LENGTH = 15
IMEISV_LENGTH = 16
_DIGITS = re.compile(r"[0-9]+")

# A problem with an entry: (code, reason), as the other problems of a batch.
FormatProblem = tuple[str, str]


class SerialFormat(models.TextChoices):
    ANY = "any", gettext_lazy("Any")
    IMEI = "imei", gettext_lazy("IMEI")
    PATTERN = "pattern", gettext_lazy("Pattern")


_MASK = {
    "#": "[0-9]",
    # A letter of any alphabet: a word character that is neither a digit nor "_".
    "@": r"[^\W\d_]",
    "*": ".",
}


@functools.lru_cache(maxsize=256)
def pattern_compile(pattern: str) -> re.Pattern[str]:
    """The pattern as a regular expression made only of single characters (no repeats)."""
    text = unicodedata.normalize("NFKC", pattern)
    parts = (_MASK.get(char) or re.escape(char) for char in text)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def pattern_validate(value: str) -> None:
    """Refuse a pattern no serial number could match: a comma or a control character."""
    if "," in value or not value.isprintable():
        raise ValidationError(
            _("A pattern can hold only printable characters, and no commas."),
            code="pattern_invalid",
        )


def imei_problem(text: str) -> str | None:
    """Why `text` is no IMEI (15 digits, Luhn check digit) nor IMEISV (16 digits)."""
    if not _DIGITS.fullmatch(text):
        return _("Not an IMEI: an IMEI has only digits.")
    if len(text) == IMEISV_LENGTH:
        return None
    if len(text) != IMEI_LENGTH:
        return _("Not an IMEI: it has %(count)d digits; an IMEI has 15 (or 16 for an IMEISV).") % {
            "count": len(text)
        }
    digit = luhn.calc_check_digit(text[:-1])
    if text[-1] != digit:
        return _("Not an IMEI: the check digit should be %(digit)s.") % {"digit": digit}
    return None


def serial_format_problem(product: "Product", text: str) -> FormatProblem | None:
    """("format", reason) when `text` breaks its product's serial number format, else None.

    `text` is the entry as it will be stored (trimmed). Any format: never a problem.
    """
    kind = product.serial_format
    if kind == SerialFormat.IMEI:
        reason = imei_problem(text)
    elif kind == SerialFormat.PATTERN:
        pattern = product.serial_pattern
        matched = pattern_compile(pattern).fullmatch(unicodedata.normalize("NFKC", text))
        reason = (
            None
            if matched
            else _("Does not match the pattern %(pattern)s.") % {"pattern": pattern}
        )
    else:
        return None
    return ("format", reason) if reason else None
