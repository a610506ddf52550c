from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.filters import StableOrderingFilter
from inventory.filters import DayFilter
from inventory.models import Outlet
from sales import selectors
from sales.models import Customer, Sale


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Name, email or phone"), "type": "search"}),
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    def search(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return selectors.customers_matching(queryset, text=value)


class SaleFilter(django_filters.FilterSet):
    """Filters of the Sales list; also what "Export CSV" exports."""

    outlet = django_filters.ModelChoiceFilter(
        label=_("Outlet"), queryset=Outlet.objects.order_by("name", "id"), empty_label=_("Any")
    )
    customer = django_filters.CharFilter(
        label=_("Customer"),
        method="search_customer",
        widget=forms.TextInput(attrs={"placeholder": _("Name, email or phone"), "type": "search"}),
    )
    serial = django_filters.CharFilter(
        label=_("Serial number"),
        method="search_serial",
        widget=forms.TextInput(attrs={"placeholder": _("The whole serial"), "type": "search"}),
    )
    date_from = DayFilter(label=_("Date from"), method="filter_date_from")
    date_to = DayFilter(label=_("Date to"), method="filter_date_to")
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=[("created_at", "time"), ("total", "total"), ("outlet__name", "outlet")],
        field_labels={
            "created_at": _("Time"),
            "total": _("Total"),
            "outlet__name": _("Outlet"),
        },
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Sale
        fields: list[str] = []

    def search_customer(self, queryset: QuerySet[Sale], name: str, value: str) -> QuerySet[Sale]:
        return selectors.sales_matching_customer(queryset, text=value)

    def search_serial(self, queryset: QuerySet[Sale], name: str, value: str) -> QuerySet[Sale]:
        return selectors.sales_with_serial(queryset, text=value)

    # Whole days in the shop's time zone, as ranges on the indexed timestamp.
    def filter_date_from(self, queryset: QuerySet[Sale], name: str, value: date) -> QuerySet[Sale]:
        return queryset.filter(created_at__gte=_start_of_day(value))

    def filter_date_to(self, queryset: QuerySet[Sale], name: str, value: date) -> QuerySet[Sale]:
        return queryset.filter(created_at__lt=_start_of_day(value + timedelta(days=1)))
