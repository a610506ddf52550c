"""Ids read from a request: ASCII digits naming a positive bigint, or no id at all.

The one parser of every id a user types, links or posts (pages, forms, filters,
the admin, the API). Python alone takes more: `int("١٢")` is 12 and `int("１")`
is 1, another row than the text shows, and `"²".isdigit()` is true though
`int("²")` fails. Django's model choice fields use `int()` too, hence the
field and filter below.
"""

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField as FilterModelChoiceField

# The bigint column's largest value (PostgreSQL and SQLite): a longer number
# names no row, and SQLite cannot even bind it.
MAX_ID = 2**63 - 1
_ASCII_DIGITS = frozenset("0123456789")


def parse_id(value: object) -> int | None:
    """`value` as a primary key: 1 to MAX_ID, as an int or in ASCII digits; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not value or len(value) > 19 or not _ASCII_DIGITS.issuperset(value):
            return None
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


class IdField(forms.Field):
    """A hidden id (a kept upload...) by `parse_id`: an int, or None when left empty."""

    default_error_messages = {"invalid": _("This is not an id.")}

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        found = parse_id(value)
        if found is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return found


def _refuse_other_than_an_id(field: forms.ModelChoiceField, value: Any) -> None:
    if value in field.empty_values or isinstance(value, models.Model):
        return
    if parse_id(value) is None:
        raise ValidationError(
            field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class IdChoiceField(forms.ModelChoiceField):
    """A `<select>` of rows whose submitted choice is an id by `parse_id`."""

    def to_python(self, value: Any) -> Any:
        _refuse_other_than_an_id(self, value)
        return super().to_python(value)


class _IdFilterChoiceField(FilterModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if self.null_label is None or value != self.null_value:
            _refuse_other_than_an_id(self, value)
        return super().to_python(value)


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """A list's `<select>` filter (Outlet...) whose choice is an id by `parse_id`."""

    field_class = _IdFilterChoiceField
