import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from catalog import selectors
from catalog.models import Product, ProductQuerySet, Supplier
from lib.ids import IdChoiceFilter


class YesNoSelect(BooleanWidget):
    """Any / Yes / No, sent as ?name=true|false (django-filter's says "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorting with the primary key as tie-breaker, so pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "pk")
        return qs


def brand_choices() -> list[tuple[str, str]]:
    return [(brand, brand) for brand in selectors.brand_list()]


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Name, SKU or barcode"), "type": "search"}),
    )
    # A callable, so the brands are read when the form is shown, not at import.
    brand = django_filters.ChoiceFilter(
        label=_("Brand"), choices=brand_choices, empty_label=_("Any")
    )
    # All suppliers, inactive ones too: their products are still in the catalog.
    supplier = IdChoiceFilter(
        label=_("Supplier"),
        queryset=Supplier.objects.order_by("name", "id"),
        empty_label=_("Any"),
    )
    has_serial_numbers = django_filters.BooleanFilter(
        label=_("Has serial numbers"), widget=YesNoSelect
    )
    has_barcode = django_filters.BooleanFilter(
        label=_("Has barcode"), method="filter_has_barcode", widget=YesNoSelect
    )
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=YesNoSelect)
    ordering = StableOrderingFilter(
        label=_("Sort by"),
        fields=(("name", "name"), ("sku", "sku"), ("retail_price", "price")),
        field_labels={"name": _("Name"), "sku": _("SKU"), "retail_price": _("Retail price")},
        empty_label=None,
    )

    class Meta:
        model = Product
        fields: list[str] = []

    def search(
        self, queryset: ProductQuerySet[Product], name: str, value: str
    ) -> ProductQuerySet[Product]:
        return queryset.search(value)

    def filter_has_barcode(
        self, queryset: ProductQuerySet[Product], name: str, value: bool | None
    ) -> ProductQuerySet[Product]:
        return queryset.having_barcode(value)


class SupplierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Name, email or phone"), "type": "search"}),
    )
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=YesNoSelect)

    class Meta:
        model = Supplier
        fields: list[str] = []

    def search(self, queryset: QuerySet[Supplier], name: str, value: str) -> QuerySet[Supplier]:
        return selectors.supplier_search(queryset, value)
