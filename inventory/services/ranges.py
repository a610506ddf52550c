"""Serial ranges: "Generate" on Add Serial numbers, from a first serial and a count.

Only the last group of ASCII digits counts up; the text around it stays, zeros
and all. Other Unicode digits (`٣`, `３`) are text: a range is what a label
printer or a supplier's list counts in, and those count in 0-9.
"""

import re
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory.services.serials import MAX_SERIAL_LENGTH, serial_text_problem

# The last run of 0-9 in the text: digits followed by no other digit.
_LAST_NUMBER = re.compile(r"[0-9]+(?=[^0-9]*\Z)")


def serial_range(*, first: str, count: int) -> list[str]:
    """`count` serial numbers from `first` on, its last number counting up by one.

    `SN-0098` x 5 is SN-0098 to SN-0102; `SN-99` x 3 is SN-99, SN-100, SN-101
    (the number grows a digit when it runs out). Raises a `ValidationError`
    listing every problem with `first` and `count`, each with its code.
    """
    errors = []
    problem = _first_problem(first)
    if problem is not None:
        code, reason = problem
        errors.append(ValidationError(reason, code=code))
    cap = settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION
    if not 1 <= count <= cap:
        message = _("Enter a count from 1 to %(max)s.") % {
            "max": number_format(cap, force_grouping=True)
        }
        errors.append(ValidationError(message, code="count_out_of_range"))
    if errors:
        raise ValidationError(errors)

    number = _LAST_NUMBER.search(first)
    assert number is not None  # _first_problem refuses a text without one
    head, tail = first[: number.start()], first[number.end() :]
    start, width = int(number.group()), len(number.group())
    serials = [f"{head}{n:0{width}d}{tail}" for n in range(start, start + count)]

    # Only the digits differ from `first`, which passed: the one rule a later
    # serial can break is the length, once its number has grown.
    for fit, serial in enumerate(serials):
        if fit and serial_text_problem(serial) is not None:
            message = ngettext(
                "Only %(fit)s serial number can be generated from this first serial: "
                "the next would be longer than %(max)s characters.",
                "Only %(fit)s serial numbers can be generated from this first serial: "
                "the next would be longer than %(max)s characters.",
                fit,
            ) % {"fit": number_format(fit, force_grouping=True), "max": MAX_SERIAL_LENGTH}
            raise ValidationError([ValidationError(message, code="range_too_long")])
    return serials


def serial_range_grown_at(serials: Sequence[str]) -> str | None:
    """The first of `serials` whose number has more digits than the first's, if any."""
    if not serials:
        return None
    width = len(serials[0])
    return next((serial for serial in serials if len(serial) > width), None)


def _first_problem(first: str) -> tuple[str, str] | None:
    problem = serial_text_problem(first)
    if problem is not None:
        return problem
    # Commas, tabs and new lines are refused above; a semicolon is printable text,
    # but the Serial numbers box splits entries on it too.
    if ";" in first:
        return "semicolon", _("Contains a semicolon, which separates serial numbers.")
    if _LAST_NUMBER.search(first) is None:
        return "no_number", _("The first serial has no number to count up from.")
    return None
