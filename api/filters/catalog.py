"""The Products and Outlets pages' filters, as query parameters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductQuerySet
from inventory.models import Outlet


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", help_text=_("Name or SKU contains this.")
    )
    brand = django_filters.CharFilter(field_name="brand", lookup_expr="iexact")
    has_serial_numbers = django_filters.BooleanFilter()
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Product
        fields: list[str] = []

    def search(
        self, queryset: ProductQuerySet[Product], name: str, value: str
    ) -> ProductQuerySet[Product]:
        return queryset.search(value)


class OutletFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Outlet
        fields: list[str] = []
