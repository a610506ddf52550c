from datetime import date, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.filters import StableOrderingFilter
from inventory.filters import DayFilter
from inventory.models import Outlet, SerialRecord
from lib.dates import start_of_day
from lib.ids import IdChoiceFilter
from sales import selectors
from sales.models import (
    CLOSED_CLAIM_STATUSES,
    ClaimStatus,
    Customer,
    Return,
    ReturnOutcome,
    ReturnReason,
    Sale,
    WarrantyClaim,
)


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

    outlet = IdChoiceFilter(
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
        return queryset.filter(created_at__gte=start_of_day(value))

    def filter_date_to(self, queryset: QuerySet[Sale], name: str, value: date) -> QuerySet[Sale]:
        return queryset.filter(created_at__lt=start_of_day(value + timedelta(days=1)))


# Every status that still needs work, in one choice: the dashboard's "open claims".
OPEN_ANY = "open_any"


class ClaimFilter(django_filters.FilterSet):
    """Filters of Sales > Warranty claims."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN_ANY, _("Open (any)")), *ClaimStatus.choices],
        empty_label=_("Any"),
        method="filter_status",
    )
    outlet = IdChoiceFilter(
        label=_("Outlet"),
        field_name="sale__outlet",
        queryset=Outlet.objects.order_by("name", "id"),
        empty_label=_("Any"),
    )
    opened_from = DayFilter(label=_("Opened from"), method="filter_opened_from")
    opened_to = DayFilter(label=_("Opened to"), method="filter_opened_to")
    serial = django_filters.CharFilter(
        label=_("Serial number"),
        method="search_serial",
        widget=forms.TextInput(attrs={"placeholder": _("The whole serial"), "type": "search"}),
    )
    customer = django_filters.CharFilter(
        label=_("Customer"),
        method="search_customer",
        widget=forms.TextInput(attrs={"placeholder": _("Name, email or phone"), "type": "search"}),
    )

    class Meta:
        model = WarrantyClaim
        fields: list[str] = []

    def filter_status(
        self, queryset: QuerySet[WarrantyClaim], name: str, value: str
    ) -> QuerySet[WarrantyClaim]:
        if value == OPEN_ANY:
            return queryset.exclude(status__in=CLOSED_CLAIM_STATUSES)
        return queryset.filter(status=value)

    def search_serial(
        self, queryset: QuerySet[WarrantyClaim], name: str, value: str
    ) -> QuerySet[WarrantyClaim]:
        key = SerialRecord.normalise(value)
        return queryset.filter(serial__serial_normalised=key) if key else queryset

    def search_customer(
        self, queryset: QuerySet[WarrantyClaim], name: str, value: str
    ) -> QuerySet[WarrantyClaim]:
        if not value.strip():
            return queryset
        return queryset.filter(
            customer__in=selectors.customers_matching(Customer.objects.all(), text=value)
        )

    def filter_opened_from(
        self, queryset: QuerySet[WarrantyClaim], name: str, value: date
    ) -> QuerySet[WarrantyClaim]:
        return queryset.filter(created_at__gte=start_of_day(value))

    def filter_opened_to(
        self, queryset: QuerySet[WarrantyClaim], name: str, value: date
    ) -> QuerySet[WarrantyClaim]:
        return queryset.filter(created_at__lt=start_of_day(value + timedelta(days=1)))


class ReturnFilter(django_filters.FilterSet):
    """Filters of Sales > Returns."""

    outlet = IdChoiceFilter(
        label=_("Outlet"), queryset=Outlet.objects.order_by("name", "id"), empty_label=_("Any")
    )
    reason = django_filters.ChoiceFilter(
        label=_("Reason"), choices=ReturnReason.choices, empty_label=_("Any")
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=ReturnOutcome.choices, empty_label=_("Any")
    )
    date_from = DayFilter(label=_("Date from"), method="filter_date_from")
    date_to = DayFilter(label=_("Date to"), method="filter_date_to")
    serial = django_filters.CharFilter(
        label=_("Serial number"),
        method="search_serial",
        widget=forms.TextInput(attrs={"placeholder": _("The whole serial"), "type": "search"}),
    )

    class Meta:
        model = Return
        fields: list[str] = []

    def search_serial(self, queryset: QuerySet[Return], name: str, value: str) -> QuerySet[Return]:
        key = SerialRecord.normalise(value)
        return queryset.filter(serial__serial_normalised=key) if key else queryset

    def filter_date_from(
        self, queryset: QuerySet[Return], name: str, value: date
    ) -> QuerySet[Return]:
        return queryset.filter(created_at__gte=start_of_day(value))

    def filter_date_to(
        self, queryset: QuerySet[Return], name: str, value: date
    ) -> QuerySet[Return]:
        return queryset.filter(created_at__lt=start_of_day(value + timedelta(days=1)))
