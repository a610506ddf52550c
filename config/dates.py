"""Dates and times on pages, in the style the shop's date filters take.

A list showed "7 Dec 2026, 3:11 a.m." while its filter asked for dd/mm/yyyy.
Pages now write dates the way the active locale's date box takes them
(its first `DATE_INPUT_FORMATS` entry, what `config.widgets.ShopDateInput`
shows): "07/12/2026 03:11" in en-gb, "07.12.2026 03:11" in de, "2026-12-07
03:11" in en-us. Nothing here names a locale.
"""

import re
from datetime import date, datetime

from django.utils import dateformat, formats, timezone

# strftime's directives (what input formats use) as Django's date format letters.
_DIRECTIVES = {
    "%d": "d",
    "%m": "m",
    "%Y": "Y",
    "%y": "y",
    "%H": "H",
    "%I": "h",
    "%M": "i",
    "%S": "s",
    "%p": "A",
    "%b": "M",
    "%B": "F",
    "%%": "%",
}


def _django_format(pattern: str) -> str:
    """An strftime `pattern` as a Django date format; other letters stay literal."""
    parts = re.split(r"(%.)", pattern)
    out = []
    for part in parts:
        if part in _DIRECTIVES:
            out.append(_DIRECTIVES[part])
        else:
            # A letter between directives is text ("г." in ru): escape it.
            out.append(re.sub(r"([A-Za-z])", r"\\\1", part))
    return "".join(out)


def date_display_format() -> str:
    """The active locale's date box format as a Django format ("d/m/Y" in en-gb)."""
    return _django_format(formats.get_format("DATE_INPUT_FORMATS")[0])


def time_display_format() -> str:
    """Hours and minutes as the active locale's time input writes them ("H:i")."""
    pattern = formats.get_format("TIME_INPUT_FORMATS")[0]
    # Seconds (and their fraction) say nothing a shop needs on a page.
    pattern = re.sub(r"[^%\w]?%S(\.%f)?", "", pattern)
    return _django_format(pattern)


def datetime_display_format() -> str:
    """The active locale's date box format followed by the time ("d/m/Y H:i" in en-gb)."""
    return f"{date_display_format()} {time_display_format()}"


def date_display(value: date | datetime | None) -> str:
    """`value` (a date, or a moment's day in the shop's time zone) as its date box writes it."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, date_display_format())


def datetime_display(value: datetime | None) -> str:
    """`value` in the shop's time zone as the shop writes a moment: "07/12/2026 03:11"."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, datetime_display_format())
