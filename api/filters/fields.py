"""Query-string fields every API filter shares: ids and ISO days as the pages check them."""

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from inventory.filters import EARLIEST_DATE, LATEST_DATE
from lib.ids import parse_id


class IdFormField(forms.Field):
    """An id in a query string: ASCII digits within the bigint range, as the pages take them."""

    default_error_messages = {"invalid": _("Enter an id: a whole number.")}

    def to_python(self, value: Any) -> int | None:
        text = "" if value in self.empty_values else str(value).strip()
        if not text:
            return None
        pk = parse_id(text)
        if pk is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return pk


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    field_class = IdFormField


class IsoDateField(forms.DateField):
    """A date as YYYY-MM-DD only: a script's date, not a person's in the shop's format."""

    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": _("Enter a date as YYYY-MM-DD.")}

    def to_python(self, value: Any) -> date | None:
        # strptime reads "٢٠٢٤" as 2024; a script sends ASCII digits.
        if isinstance(value, str) and not value.isascii():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IsoDayFilter(django_filters.DateFilter):
    """A whole day in the shop's time zone, within the page's 1900..2999."""

    field_class = IsoDateField

    def __init__(self, *, method: str, help_text: str | Promise) -> None:
        bounds = _("Enter a date from 1900 to 2999.")
        super().__init__(
            method=method,
            help_text=help_text,
            validators=[
                MinValueValidator(EARLIEST_DATE, bounds),
                MaxValueValidator(LATEST_DATE, bounds),
            ],
        )
