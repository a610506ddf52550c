"""Filters of Inventory > Stock control: stock orders, transfers and supplier returns."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import Supplier
from inventory.filters import DayFilter
from inventory.models import Outlet, StockOrder
from inventory.selectors.stock_control import (
    STOCK_DOCUMENT_STATUSES,
    STOCK_DOCUMENT_TYPES,
    StockDocumentFilters,
    stock_documents,
)
from lib.dates import start_of_day
from lib.ids import IdChoiceFilter

__all__ = ["STOCK_DOCUMENT_TYPES", "StockControlFilter"]


class TickFilter(django_filters.BooleanFilter):
    """A box to tick: unticked is no filter, and an untouched form is unchanged."""

    field_class = forms.BooleanField


class StockControlFilter(django_filters.FilterSet):
    """The list's filters. Each one applies to the kinds of document that have it:
    a Supplier leaves transfers out, Overdue keeps only transfers, a status only
    the kinds that have that status."""

    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=STOCK_DOCUMENT_TYPES, empty_label=_("Any"), method="unused"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STOCK_DOCUMENT_STATUSES, empty_label=_("Any"), method="unused"
    )
    outlet = IdChoiceFilter(
        label=_("Outlet"),
        queryset=Outlet.objects.order_by("name", "id"),
        empty_label=_("Any"),
        method="unused",
    )
    supplier = IdChoiceFilter(
        label=_("Supplier"),
        queryset=Supplier.objects.order_by("name", "id"),
        empty_label=_("Any"),
        method="unused",
    )
    created_from = DayFilter(label=_("Date from"), method="unused")
    created_to = DayFilter(label=_("Date to"), method="unused")
    overdue = TickFilter(label=_("Only overdue transfers"), method="unused")

    class Meta:
        model = StockOrder
        fields: list[str] = []

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The kinds of document the user may see (None: all).
        self.kinds = kinds

    def unused(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # Every filter is applied by `filter_queryset`, over the three tables.
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        created_to = data.get("created_to")
        filters = StockDocumentFilters(
            kind=data.get("type") or "",
            status=data.get("status") or "",
            outlet_id=data["outlet"].pk if data.get("outlet") else None,
            supplier_id=data["supplier"].pk if data.get("supplier") else None,
            # Whole days in the shop's time zone, as ranges on the timestamp.
            created_from=start_of_day(data["created_from"]) if data.get("created_from") else None,
            created_before=start_of_day(created_to + timedelta(days=1)) if created_to else None,
            overdue=bool(data.get("overdue")),
        )
        return stock_documents(filters=filters, kinds=self.kinds)
