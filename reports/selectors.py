"""Reads of the Serial coverage report; the dashboard counts its problems too."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from catalog.models import Product
from inventory.models import Outlet, StockLevel
from inventory.selectors import StockSerialGap, stock_serial_gap_counts, stock_serial_gaps
from reports.models import HighValueThreshold

DEFAULT_HIGH_VALUE_THRESHOLD = Decimal("500.00")

# How many changes of the threshold the report's page shows.
THRESHOLD_CHANGES_SHOWN = 5


def high_value_threshold() -> Decimal:
    """The current High-value threshold: the latest change, else the default (500.00)."""
    latest = HighValueThreshold.objects.values_list("amount", flat=True).first()
    return DEFAULT_HIGH_VALUE_THRESHOLD if latest is None else latest


@dataclass(frozen=True)
class ThresholdState:
    """The current High-value threshold and its latest changes, newest first."""

    amount: Decimal
    changes: list[HighValueThreshold]

    @property
    def latest_change(self) -> HighValueThreshold | None:
        return self.changes[0] if self.changes else None


def high_value_threshold_state(*, changes_shown: int = THRESHOLD_CHANGES_SHOWN) -> ThresholdState:
    """The current threshold (the latest change, else the default) and its recent changes."""
    changes = list(HighValueThreshold.objects.select_related("changed_by")[:changes_shown])
    amount = changes[0].amount if changes else DEFAULT_HIGH_VALUE_THRESHOLD
    return ThresholdState(amount=amount, changes=changes)


def high_value_products_without_serials(
    *, threshold: Decimal, outlet: Outlet | None = None
) -> QuerySet[Product]:
    """Active products priced at or above `threshold` with serial numbers off.

    With an outlet, only those with stock on hand there: the ones whose units
    at that outlet go unrecorded.
    """
    products = Product.objects.filter(
        is_active=True, has_serial_numbers=False, retail_price__gte=threshold
    )
    if outlet is not None:
        products = products.filter(
            Exists(StockLevel.objects.filter(product=OuterRef("pk"), outlet=outlet, on_hand__gt=0))
        )
    return products.order_by("name", "id")


@dataclass(frozen=True)
class CoverageCounts:
    """How many problems of each kind the Serial coverage report lists."""

    high_value_without_serials: int
    stock_without_serials: int  # (product, outlet) rows of "Stock without serials"
    serials_without_stock: int  # (product, outlet) rows of "Serials without stock"


def coverage_counts(*, outlet: Outlet | None = None) -> CoverageCounts:
    """The number of rows in each section of the report, in three queries whatever the data."""
    high_value = high_value_products_without_serials(
        threshold=high_value_threshold(), outlet=outlet
    ).count()
    over, under = stock_serial_gap_counts(outlet=outlet)
    return CoverageCounts(
        high_value_without_serials=high_value,
        stock_without_serials=over,
        serials_without_stock=under,
    )


@dataclass(frozen=True)
class CoverageReport:
    """The three sections of the Serial coverage page, for one outlet or all."""

    high_value_without_serials: list[Product]
    stock_without_serials: list[StockSerialGap]
    serials_without_stock: list[StockSerialGap]


def coverage_report(*, threshold: Decimal, outlet: Outlet | None = None) -> CoverageReport:
    """The report's rows, in four queries whatever the number of products, outlets or serials."""
    gaps = stock_serial_gaps(outlet=outlet)
    return CoverageReport(
        high_value_without_serials=list(
            high_value_products_without_serials(threshold=threshold, outlet=outlet)
        ),
        stock_without_serials=[gap for gap in gaps if gap.is_stock_without_serials],
        serials_without_stock=[gap for gap in gaps if not gap.is_stock_without_serials],
    )
