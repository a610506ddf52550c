from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.filters import StableOrderingFilter
from catalog.models import Product
from config.widgets import ShopDateInput, date_format_hint
from inventory.models import Outlet, SerialRecord, SerialStatus, StockLevel


class StockLevelFilter(django_filters.FilterSet):
    product = django_filters.CharFilter(
        label=_("Product"),
        method="search_product",
        widget=forms.TextInput(attrs={"placeholder": _("Name or SKU"), "type": "search"}),
    )
    outlet = django_filters.ModelChoiceFilter(
        label=_("Outlet"), queryset=Outlet.objects.order_by("name", "id"), empty_label=_("Any")
    )
    serialised = django_filters.BooleanFilter(
        label=_("Only products with serial numbers"),
        method="only_serialised",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = StockLevel
        fields: list[str] = []

    def search_product(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        return queryset.filter(product__in=Product.objects.search(value))

    def only_serialised(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        # An unticked box means "all products", not "products without serials".
        return queryset.filter(product__has_serial_numbers=True) if value else queryset


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# Dates a shop can mean: far ones (year 1, 9999-12-31) would overflow when
# turned into the day's bounds in the shop's time zone.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2999, 12, 31)


class ShopDateField(forms.DateField):
    """A date in the shop's locale format or ISO (old bookmarks); a wrong one names the format."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid":
                raise
            raise ValidationError(
                _("Enter a date as %(format)s."),
                code="invalid",
                params={"format": date_format_hint()},
            ) from error


class DayFilter(django_filters.DateFilter):
    """A whole day in the shop's time zone, typed or picked in the shop's date format."""

    field_class = ShopDateField

    def __init__(self, *, label, method):
        super().__init__(
            label=label,
            method=method,
            widget=ShopDateInput(min_date=EARLIEST_DATE, max_date=LATEST_DATE),
            validators=[
                MinValueValidator(EARLIEST_DATE, _("Enter a date from 1900 to 2999.")),
                MaxValueValidator(LATEST_DATE, _("Enter a date from 1900 to 2999.")),
            ],
        )


class SerialRecordFilter(django_filters.FilterSet):
    """Filters of the Serial numbers list; also what "Export CSV" exports."""

    q = django_filters.CharFilter(
        label=_("Serial number"),
        method="search_serial",
        widget=forms.TextInput(attrs={"placeholder": _("Part of a serial"), "type": "search"}),
    )
    product = django_filters.ModelChoiceFilter(
        label=_("Product"), queryset=Product.objects.order_by("name", "id"), empty_label=_("Any")
    )
    outlet = django_filters.ModelChoiceFilter(
        label=_("Outlet"), queryset=Outlet.objects.order_by("name", "id"), empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=SerialStatus.choices, empty_label=_("Any")
    )
    added_from = DayFilter(label=_("Added from"), method="filter_added_from")
    added_to = DayFilter(label=_("Added to"), method="filter_added_to")
    # The exact time of one "Add Serial numbers" submission or import: the list
    # shown right after it.
    added_at = django_filters.IsoDateTimeFilter(field_name="created_at", widget=forms.HiddenInput)
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=[
            ("serial_normalised", "serial"),
            ("product__name", "product"),
            ("outlet__name", "outlet"),
            ("status", "status"),
            ("created_at", "added"),
        ],
        field_labels={
            "serial_normalised": _("Serial number"),
            "product__name": _("Product"),
            "outlet__name": _("Outlet"),
            "status": _("Status"),
            "created_at": _("Date added"),
        },
        empty_label=_("Newest first"),
    )

    class Meta:
        model = SerialRecord
        fields: list[str] = []

    # Whole days in the shop's time zone, as ranges on the indexed timestamp.
    def filter_added_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__gte=_start_of_day(value))

    def filter_added_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__lt=_start_of_day(value + timedelta(days=1)))

    def search_serial(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = SerialRecord.normalise(value)
        return queryset.filter(serial_normalised__contains=value) if value else queryset
