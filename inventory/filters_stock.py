"""Filters of Inventory > Stock control."""

from datetime import date, timedelta

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import Supplier
from inventory.filters import DayFilter
from inventory.models import Outlet, StockOrder, StockOrderStatus
from lib.dates import start_of_day
from lib.ids import IdChoiceFilter

# The documents the list shows; issue 21 adds transfers and supplier returns.
STOCK_DOCUMENT_TYPES = [("stock_order", _("Stock order"))]


class StockControlFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=STOCK_DOCUMENT_TYPES, empty_label=_("Any"), method="filter_type"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=StockOrderStatus.choices, empty_label=_("Any")
    )
    outlet = IdChoiceFilter(
        label=_("Deliver to"),
        queryset=Outlet.objects.order_by("name", "id"),
        empty_label=_("Any"),
    )
    supplier = IdChoiceFilter(
        label=_("Supplier"),
        queryset=Supplier.objects.order_by("name", "id"),
        empty_label=_("Any"),
    )
    created_from = DayFilter(label=_("Ordered from"), method="filter_created_from")
    created_to = DayFilter(label=_("Ordered to"), method="filter_created_to")

    class Meta:
        model = StockOrder
        fields: list[str] = []

    def filter_type(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Only stock orders exist so far: every row is of the one type there is.
        return queryset

    # Whole days in the shop's time zone, as ranges on the timestamp.
    def filter_created_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__gte=start_of_day(value))

    def filter_created_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__lt=start_of_day(value + timedelta(days=1)))
