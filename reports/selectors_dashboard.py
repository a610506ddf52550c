"""Reads of the Dashboard: each figure in one aggregate query, whatever the data."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from inventory.models import Outlet, SerialStatus, SerialTally
from sales.models import CLOSED_CLAIM_STATUSES, SaleLine, WarrantyClaim

# "The last 7 days": today and the six days before it, in the shop's time zone.
SOLD_DAYS = 7


@dataclass(frozen=True)
class OutletInStock:
    outlet: Outlet
    in_stock: int


def serials_in_stock_by_outlet() -> list[OutletInStock]:
    """Each active outlet (and an inactive one still holding units) with its count of In
    stock serials, by name."""
    # One sum per outlet over its units' tally (a range of the (outlet, status)
    # index, a row per product), not a count of every unit: 285-500 ms at
    # 1,000,000 units.
    in_stock = (
        SerialTally.objects.filter(outlet=OuterRef("pk"), status=SerialStatus.IN_STOCK)
        .order_by()
        .values("outlet")
        .annotate(n=Sum("count"))
        .values("n")
    )
    outlets = Outlet.objects.annotate(
        in_stock=Coalesce(Subquery(in_stock, output_field=IntegerField()), 0)
    ).order_by("name", "id")
    # Filtered here, not in SQL, where the count would be worked out a second time.
    return [
        OutletInStock(outlet=outlet, in_stock=outlet.in_stock)
        for outlet in outlets
        if outlet.is_active or outlet.in_stock
    ]


def sold_since_day() -> date:
    """The first day of "the last 7 days" in the shop's time zone."""
    return timezone.localdate() - timedelta(days=SOLD_DAYS - 1)


def units_sold_since(*, day: date) -> int:
    """Units on the lines of sales made from the start of `day` (shop's time zone) on."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    total = SaleLine.objects.filter(sale__created_at__gte=start).aggregate(units=Sum("quantity"))[
        "units"
    ]
    return total or 0


def open_claim_count() -> int:
    """Warranty claims neither resolved nor rejected (the claim list's "Open (any)")."""
    return WarrantyClaim.objects.exclude(status__in=CLOSED_CLAIM_STATUSES).count()
