from dataclasses import dataclass, field

from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from catalog.models import Product
from inventory.models import Outlet, SerialStatus, SerialTally, StockLevel


def stock_level_list() -> QuerySet[StockLevel]:
    """Stock levels with product and outlet, by product then outlet, each with its
    `serial_gap`: on hand less the In stock serials of that product at that outlet.

    The count is the (product, outlet, In stock) row of the units' tally: one
    look-up in its unique index per row of the page shown.
    """
    in_stock = SerialTally.objects.filter(
        product=OuterRef("product_id"),
        outlet=OuterRef("outlet_id"),
        status=SerialStatus.IN_STOCK,
    ).values("count")
    return (
        StockLevel.objects.select_related("product", "outlet")
        .alias(in_stock=Coalesce(Subquery(in_stock, output_field=IntegerField()), 0))
        .annotate(serial_gap=F("on_hand") - F("in_stock"))
        .order_by("product__name", "outlet__name", "id")
    )


@dataclass
class SerialCount:
    status: str
    label: str
    count: int


@dataclass
class ProductOutletRow:
    outlet: Outlet
    on_hand: int
    serial_counts: list[SerialCount] = field(default_factory=list)

    @property
    def in_stock(self) -> int:
        return sum(c.count for c in self.serial_counts if c.status == SerialStatus.IN_STOCK)

    @property
    def serial_gap(self) -> int:
        """Above zero: units on hand without a serial record; below zero: In stock
        serials with no stock counted."""
        return self.on_hand - self.in_stock


def product_stock_by_outlet(*, product: Product) -> list[ProductOutletRow]:
    """A product's stock on hand and serial counts by status at each outlet, in two queries.

    Active outlets are always listed (stock can be entered there); an inactive
    outlet only while it still holds stock or serials of the product. The
    counts are the units' tally, a row per outlet and status.
    """
    on_hand = StockLevel.objects.filter(product=product, outlet=OuterRef("pk")).values("on_hand")
    tallies = SerialTally.objects.filter(product=product, count__gt=0)
    outlets = (
        Outlet.objects.filter(
            Q(is_active=True)
            | Exists(StockLevel.objects.filter(product=product, outlet=OuterRef("pk")))
            | Exists(tallies.filter(outlet=OuterRef("pk")))
        )
        .annotate(on_hand=Coalesce(Subquery(on_hand, output_field=IntegerField()), 0))
        .order_by("name", "id")
    )
    counts = {
        (outlet_id, status): count
        for outlet_id, status, count in tallies.values_list("outlet_id", "status", "count")
    }
    return [
        ProductOutletRow(
            outlet=outlet,
            on_hand=outlet.on_hand,
            serial_counts=[
                SerialCount(status, str(label), counts.get((outlet.pk, status), 0))
                for status, label in SerialStatus.choices
            ],
        )
        for outlet in outlets
    ]
