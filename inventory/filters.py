from datetime import date, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from inventory.models import Outlet, SerialRecord, SerialStatus, StockLevel, StockOrder
from inventory.widgets import ProductFilterField
from lib.dates import start_of_day
from lib.ids import IdChoiceFilter
from lib.keyset import Sort
from lib.widgets import ShopDateInput, date_format_hint


class StockLevelFilter(django_filters.FilterSet):
    product = django_filters.CharFilter(
        label=_("Product"),
        method="search_product",
        widget=forms.TextInput(attrs={"placeholder": _("Name or SKU"), "type": "search"}),
    )
    outlet = IdChoiceFilter(
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


class ProductPickerFilter(django_filters.Filter):
    """The Product filter: the type-ahead of Add Serial numbers, over every product."""

    field_class = ProductFilterField

    def filter(self, qs: QuerySet, value: Product | None) -> QuerySet:
        return qs.filter(product=value) if value is not None else qs


# Every sort ends in a unique key, all in one direction, and each has an index
# that serves it (migration 0008): keyset paging seeks straight to a page.
# Product: products by (name, id), then the unique (product, serial) index.
# Outlet: the 20 outlets by name, then (outlet, id), one index seek per outlet.
StrOrPromise = str | Promise
_SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "serial": ("serial_normalised", "id"),
    "product": ("product__name", "product_id", "serial_normalised"),
    "outlet": ("outlet__name", "outlet_id", "id"),
    "status": ("status", "id"),
    "added": ("created_at", "id"),
}
_SORT_GROUPS = {"outlet": "outlet_id"}
SERIAL_SORTS: dict[str, Sort] = {
    f"{sign}{name}": Sort(columns, descending=bool(sign), group_by=_SORT_GROUPS.get(name, ""))
    for name, columns in _SORT_COLUMNS.items()
    for sign in ("", "-")
}
SERIAL_DEFAULT_SORT = "-added"
SERIAL_SORTS[""] = SERIAL_SORTS[SERIAL_DEFAULT_SORT]


def serial_sort_choices() -> list[tuple[str, StrOrPromise]]:
    labels = {
        "serial": _("Serial number"),
        "product": _("Product"),
        "outlet": _("Outlet"),
        "status": _("Status"),
        "added": _("Date added"),
    }
    choices: list[tuple[str, StrOrPromise]] = []
    for name, label in labels.items():
        choices.append((name, label))
        choices.append((f"-{name}", _("%(label)s (descending)") % {"label": label}))
    return choices


class SerialRecordFilter(django_filters.FilterSet):
    """Filters of the Serial numbers list; also what "Export CSV" exports."""

    q = django_filters.CharFilter(
        label=_("Serial number"),
        method="search_serial",
        widget=forms.TextInput(attrs={"placeholder": _("Part of a serial"), "type": "search"}),
    )
    # A type-ahead, not a <select> of every product (2,000 options made the page
    # 155 KB and most of its time); ?product=<id> links keep working.
    product = ProductPickerFilter(label=_("Product"))
    outlet = IdChoiceFilter(
        label=_("Outlet"), queryset=Outlet.objects.order_by("name", "id"), empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=SerialStatus.choices, empty_label=_("Any")
    )
    added_from = DayFilter(label=_("Added from"), method="filter_added_from")
    added_to = DayFilter(label=_("Added to"), method="filter_added_to")
    # The exact time of one "Add Serial numbers" submission or import: the list
    # shown right after it.
    added_at = django_filters.IsoDateTimeFilter(
        field_name="created_at",
        widget=forms.HiddenInput,
        # Far times would overflow when SQLite's adapter moves them to UTC.
        validators=[
            MinValueValidator(start_of_day(EARLIEST_DATE), _("Enter a date from 1900 to 2999.")),
            MaxValueValidator(start_of_day(LATEST_DATE), _("Enter a date from 1900 to 2999.")),
        ],
    )
    # The units that arrived on one stock order (Print labels from the order's page);
    # the partial index on arrival_order serves it.
    arrival_order = IdChoiceFilter(
        label=_("Received on"),
        queryset=StockOrder.objects.all(),
        widget=forms.HiddenInput,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=serial_sort_choices,
        empty_label=_("Newest first"),
        method="sort_by",
    )

    class Meta:
        model = SerialRecord
        fields: list[str] = []

    # Whole days in the shop's time zone, as ranges on the indexed timestamp.
    def filter_added_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__gte=start_of_day(value))

    def filter_added_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__lt=start_of_day(value + timedelta(days=1)))

    def search_serial(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A trigram index serves this on PostgreSQL (migration 0008); SQLite scans.
        value = SerialRecord.normalise(value)
        return queryset.filter(serial_normalised__contains=value) if value else queryset

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SERIAL_SORTS[value].order_by())

    def sort_name(self) -> str:
        """The sort the list is shown in (the default when none or an invalid one is asked)."""
        form = self.form
        chosen = form.cleaned_data.get("sort") if form.is_valid() else ""
        return chosen if chosen in SERIAL_SORTS else SERIAL_DEFAULT_SORT
