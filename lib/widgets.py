"""Form widgets every app's pages share."""

import re
from datetime import date, datetime
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext


def date_input_format() -> str:
    """The active locale's first date input format: dates are shown and picked in it."""
    return formats.get_format("DATE_INPUT_FORMATS")[0]


def date_format_hint() -> str:
    """The active locale's date input format as a person reads it ("dd/mm/yyyy" in en-gb)."""
    words = {
        "%d": pgettext("date format hint: day", "dd"),
        "%m": pgettext("date format hint: month", "mm"),
        "%Y": pgettext("date format hint: year", "yyyy"),
        "%y": pgettext("date format hint: two-digit year", "yy"),
    }
    return re.sub(r"%.", lambda found: words.get(found[0], found[0]), date_input_format())


def date_parse_input(text: str) -> date | None:
    """`text` as a date, read with the active locale's input formats (ISO included), else None."""
    text = text.strip()
    for pattern in formats.get_format("DATE_INPUT_FORMATS"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class ShopDateInput(forms.DateInput):
    """A text box for a date in the shop's locale format, with a button opening a calendar.

    The browser's own date picker (`type="date"`) shows dates in the browser's
    language, not the shop's; this box shows and takes the shop's format and
    static/js/date-picker.js adds the calendar.
    """

    template_name = "includes/widgets/shop_date_input.html"
    input_type = "text"

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        *,
        min_date: date | None = None,
        max_date: date | None = None,
    ) -> None:
        # No fixed format: the active locale's is read at each render.
        super().__init__(attrs)
        self.min_date, self.max_date = min_date, max_date

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str):
            # A date typed another accepted way (an old bookmark's ISO date, a
            # two-digit year) comes back in the shop's format; text that is no
            # date stays as typed, next to its error.
            value = date_parse_input(value) or value
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("placeholder", date_format_hint())
        widget_attrs.update(
            {
                "autocomplete": "off",
                # Digits on a phone's keyboard; the script adds the separators.
                "inputmode": "numeric",
                "data-date-format": date_input_format(),
                "data-first-day-of-week": formats.get_format("FIRST_DAY_OF_WEEK"),
            }
        )
        if self.min_date:
            widget_attrs["data-min-date"] = self.min_date.isoformat()
        if self.max_date:
            widget_attrs["data-max-date"] = self.max_date.isoformat()
        return context

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        # Forms' default renderer searches only the apps' template folders; the
        # markup is a project template, so it goes through the project's engine
        # (what FORM_RENDERER = TemplatesSetting would do for every form).
        context = self.get_context(name, value, attrs)
        return mark_safe(render_to_string(self.template_name, context))
