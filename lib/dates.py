"""Dates and times on pages, in the style the shop's date filters take.

A list showed "7 Dec 2026, 3:11 a.m." while its filter asked for dd/mm/yyyy.
Pages now write dates the way the active locale's date box takes them: with its
first `DATE_INPUT_FORMATS` entry, the very strftime pattern
`lib.widgets.ShopDateInput` writes its value with, so a date copied from a
page can be typed into a filter. "07/12/2026 03:11" in en-gb, "07.12.2026 03:11"
in de, "2026-12-07 03:11" in en-us. Nothing here names a locale.
"""

import re
from datetime import date, datetime, time

from django.utils import formats, timezone

from lib.widgets import date_input_format


def time_input_format() -> str:
    """Hours and minutes as the active locale's time input writes them ("%H:%M")."""
    # Seconds (and their fraction) say nothing a shop needs on a page.
    return re.sub(r"[^%\w]?%S(\.%f)?", "", formats.get_format("TIME_INPUT_FORMATS")[0])


def datetime_display_format() -> str:
    """The active locale's date box format followed by the time ("%d/%m/%Y %H:%M" in en-gb)."""
    return f"{date_input_format()} {time_input_format()}"


def date_display(value: date | datetime | None) -> str:
    """`value` (a date, or a moment's day in the shop's time zone) as its date box writes it."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(date_input_format())


def datetime_display(value: datetime | None) -> str:
    """`value` in the shop's time zone as the shop writes a moment: "07/12/2026 03:11"."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(datetime_display_format())


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the shop's time zone: where a list filter's day begins."""
    return timezone.make_aware(datetime.combine(day, time.min))
