"""The Products, Suppliers and Outlets pages' filters, as query parameters."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from api.filters.fields import IdFilter
from catalog import selectors
from catalog.gtin import gtin14
from catalog.models import Product, ProductQuerySet, Supplier
from inventory.models import Outlet
from lib.scans import scan_gtin


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_(
            "Name, SKU or barcode contains this; a barcode in another length "
            "or a GS1 scan finds its product too."
        ),
    )
    brand = django_filters.CharFilter(field_name="brand", lookup_expr="iexact")
    barcode = django_filters.CharFilter(
        label=_("Barcode"),
        method="filter_barcode",
        help_text=_("The product with this GTIN (8, 12, 13 or 14 digits, or a GS1 scan)."),
    )
    has_barcode = django_filters.BooleanFilter(label=_("Has barcode"), method="filter_has_barcode")
    supplier = IdFilter(
        label=_("Supplier"), field_name="supplier_id", help_text=_("The supplier's id.")
    )
    has_serial_numbers = django_filters.BooleanFilter()
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Product
        fields: list[str] = []

    def search(
        self, queryset: ProductQuerySet[Product], name: str, value: str
    ) -> ProductQuerySet[Product]:
        return queryset.search(value)

    def filter_barcode(
        self, queryset: ProductQuerySet[Product], name: str, value: str
    ) -> ProductQuerySet[Product]:
        if not value:
            return queryset
        # Text that is no GTIN names no product (not every product without one).
        key = scan_gtin(value) or gtin14(value.strip())
        return queryset.filter(gtin=key) if key else queryset.none()

    def filter_has_barcode(
        self, queryset: ProductQuerySet[Product], name: str, value: bool | None
    ) -> ProductQuerySet[Product]:
        return queryset.having_barcode(value)


class SupplierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("Name, email or phone contains this."),
    )
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Supplier
        fields: list[str] = []

    def search(self, queryset: QuerySet[Supplier], name: str, value: str) -> QuerySet[Supplier]:
        return selectors.supplier_search(queryset, value)


class OutletFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Outlet
        fields: list[str] = []
