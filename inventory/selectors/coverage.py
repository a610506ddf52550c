"""Where a serialised product's stock on hand and its In stock serials disagree."""

from dataclasses import dataclass

from catalog.models import Product
from inventory import sql
from inventory.models import Outlet


@dataclass
class StockSerialGap:
    """One product at one outlet whose stock on hand differs from its In stock serials."""

    product_id: int
    outlet_id: int
    on_hand: int
    in_stock: int
    # Filled by stock_serial_gaps (not by stock_serial_gap_counts).
    product: Product | None = None
    outlet: Outlet | None = None

    @property
    def difference(self) -> int:
        return abs(self.on_hand - self.in_stock)

    @property
    def is_stock_without_serials(self) -> bool:
        return self.on_hand > self.in_stock


def _gaps(outlet: Outlet | None) -> list[StockSerialGap]:
    # Compared in the database from the stock levels and the In stock tally
    # (not by grouping every unit: 285-500 ms at 1,000,000); a pair with serials
    # and no StockLevel row has 0 on hand.
    return [
        StockSerialGap(product_id, outlet_id, on_hand=on_hand, in_stock=in_stock)
        for product_id, outlet_id, on_hand, in_stock in sql.stock_serial_gap_rows(
            outlet_id=outlet.pk if outlet is not None else None
        )
    ]


def stock_serial_gap_counts(*, outlet: Outlet | None = None) -> tuple[int, int]:
    """How many (product, outlet) pairs have stock without serials, and serials without stock.

    Only products with serial numbers count; one query whatever the number of rows.
    """
    gaps = _gaps(outlet)
    over = sum(1 for gap in gaps if gap.is_stock_without_serials)
    return over, len(gaps) - over


def stock_serial_gaps(*, outlet: Outlet | None = None) -> list[StockSerialGap]:
    """Serialised products' (product, outlet) pairs whose on hand and In stock serials differ.

    Each with its product and outlet, by product name then outlet name; three
    queries whatever the number of products, outlets or serials.
    """
    # Every serialised product rather than an IN list of ids: SQLite caps the
    # parameters of one statement, and the stock read is as large.
    products = Product.objects.filter(has_serial_numbers=True).only("id", "name", "sku").in_bulk()
    # A product whose serial numbers were turned on between the two reads
    # waits for the next look.
    gaps = [gap for gap in _gaps(outlet) if gap.product_id in products]
    if not gaps:
        return []
    outlets = Outlet.objects.only("id", "name").in_bulk()
    for gap in gaps:
        gap.product, gap.outlet = products[gap.product_id], outlets[gap.outlet_id]
    gaps.sort(key=_by_names)
    return gaps


def _by_names(gap: StockSerialGap) -> tuple[str, int, str, int]:
    assert gap.product is not None and gap.outlet is not None
    return (gap.product.name, gap.product_id, gap.outlet.name, gap.outlet_id)
