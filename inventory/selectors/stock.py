from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from catalog.models import Product
from inventory.models import Outlet, SerialRecord, SerialStatus, StockLevel


def stock_level_list() -> QuerySet[StockLevel]:
    return StockLevel.objects.select_related("product", "outlet").order_by(
        "product__name", "outlet__name", "id"
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


def product_stock_by_outlet(*, product: Product) -> list[ProductOutletRow]:
    """A product's stock on hand and serial counts by status at each outlet, in two queries.

    Active outlets are always listed (stock can be entered there); an inactive
    outlet only while it still holds stock or serials of the product.
    """
    on_hand = StockLevel.objects.filter(product=product, outlet=OuterRef("pk")).values("on_hand")
    outlets = (
        Outlet.objects.filter(
            Q(is_active=True)
            | Exists(StockLevel.objects.filter(product=product, outlet=OuterRef("pk")))
            | Exists(SerialRecord.objects.filter(product=product, outlet=OuterRef("pk")))
        )
        .annotate(on_hand=Coalesce(Subquery(on_hand, output_field=IntegerField()), 0))
        .order_by("name", "id")
    )
    counts = {
        (row["outlet_id"], row["status"]): row["n"]
        for row in SerialRecord.objects.filter(product=product)
        .values("outlet_id", "status")
        .annotate(n=Count("id"))
        .order_by()
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
