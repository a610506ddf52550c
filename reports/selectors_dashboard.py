"""Reads of the Dashboard.

Live, in one aggregate query each whatever the data: In stock by outlet (from
SerialTally), open warranty claims by status and age. Worked out in the
background (`DashboardSnapshot`), because they read a good part of the sales or
serial tables: units sold per week by outlet, and the age of stock in hand.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from inventory.models import Outlet, SerialRecord, SerialStatus, SerialTally
from lib.dates import start_of_day
from reports.models import DASHBOARD_SNAPSHOT_ID, DashboardSnapshot
from sales.models import CLOSED_CLAIM_STATUSES, ClaimStatus, SaleLine, WarrantyClaim

# Units sold per week: this week (from Monday, in the shop's time zone) and the 11 before.
SOLD_WEEKS = 12
# The statuses of a claim that still needs work, in the order the chart shows them.
OPEN_CLAIM_STATUSES = [s for s in ClaimStatus if s not in CLOSED_CLAIM_STATUSES]
# The shape of DashboardSnapshot.figures (SOLD_WEEKS and the age edges included); a row
# of another shape is worked out again.
SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class AgeBand:
    """Days since a unit was added (or a claim opened), from `oldest` back to `newest`.

    `first_day` and `last_day` are the days added (or opened) that fall in the
    band: the list filters' "from" and "to", None for an open end.
    """

    newest: int
    oldest: int | None
    first_day: date | None
    last_day: date | None


def age_bands(*, day: date, edges: list[int]) -> list[AgeBand]:
    """Bands of age in whole days as of `day`: edges [90, 180] give 0-90, 91-180 and over 180."""
    bands = []
    newest = 0
    for oldest in [*edges, None]:
        bands.append(
            AgeBand(
                newest=newest,
                oldest=oldest,
                first_day=None if oldest is None else day - timedelta(days=oldest),
                last_day=day - timedelta(days=newest),
            )
        )
        newest = (oldest or 0) + 1
    return bands


# Stock in hand: up to 90 days since it was added, 91 to 180, 181 to 365, over a year.
STOCK_AGE_EDGES = [90, 180, 365]
# Open claims: opened in the last 7 days (0-6 days ago), 7 to 30 days ago, over 30.
CLAIM_AGE_EDGES = [6, 30]


def _band_case(*, field: str, bands: list[AgeBand]) -> Case:
    """The index of the band a row's `field` (a time) falls in, newest band first."""
    whens = [
        When(**{f"{field}__gte": start_of_day(band.first_day)}, then=Value(index))
        for index, band in enumerate(bands)
        if band.first_day is not None
    ]
    return Case(*whens, default=Value(len(bands) - 1), output_field=IntegerField())


# Live figures -----------------------------------------------------------------


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


@dataclass(frozen=True)
class OpenClaims:
    """Open warranty claims counted by status and by how long ago they were opened."""

    bands: list[AgeBand]
    counts: dict[tuple[str, int], int]  # (status, band index) -> claims

    def count(self, status: str, band: int) -> int:
        return self.counts.get((status, band), 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def open_claims_by_status_and_age(*, day: date) -> OpenClaims:
    """Claims neither resolved nor rejected, by status and age band as of `day`, in one query."""
    bands = age_bands(day=day, edges=CLAIM_AGE_EDGES)
    # The open statuses by name, so the (status, created_at) index finds them.
    rows = (
        WarrantyClaim.objects.filter(status__in=OPEN_CLAIM_STATUSES)
        .annotate(band=_band_case(field="created_at", bands=bands))
        .values("status", "band")
        .annotate(n=Count("id"))
        .order_by()
    )
    return OpenClaims(bands=bands, counts={(row["status"], row["band"]): row["n"] for row in rows})


# Worked out in the background ---------------------------------------------------


def week_starts(*, day: date, weeks: int = SOLD_WEEKS) -> list[date]:
    """The Mondays of the week of `day` and of the `weeks - 1` before it, oldest first."""
    this_week = day - timedelta(days=day.weekday())
    return [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def units_sold_by_outlet_and_day(*, since: date) -> list[tuple[int, date, int]]:
    """(outlet id, day in the shop's time zone, units) of the sale lines from `since` on."""
    rows = (
        SaleLine.objects.filter(sale__created_at__gte=start_of_day(since))
        .annotate(day=TruncDate("sale__created_at"))
        .values("sale__outlet_id", "day")
        .annotate(sold=Sum("quantity"))
        .order_by()
    )
    return [(row["sale__outlet_id"], row["day"], row["sold"]) for row in rows]


def stock_in_hand_by_age(*, day: date) -> list[tuple[int, Decimal]]:
    """(units, retail value) of the In stock serials in each band of STOCK_AGE_EDGES as of
    `day`, newest band first, in one query."""
    bands = age_bands(day=day, edges=STOCK_AGE_EDGES)
    rows = (
        SerialRecord.objects.filter(status=SerialStatus.IN_STOCK)
        .annotate(band=_band_case(field="created_at", bands=bands))
        .values("band")
        .annotate(
            units=Count("id"),
            value=Sum(
                "product__retail_price",
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
        )
        .order_by()
    )
    found = {row["band"]: (row["units"], row["value"] or Decimal(0)) for row in rows}
    return [found.get(index, (0, Decimal(0))) for index in range(len(bands))]


@dataclass(frozen=True)
class OutletSold:
    outlet_id: int
    name: str
    units: list[int]  # one per week, oldest first

    @property
    def total(self) -> int:
        return sum(self.units)


@dataclass(frozen=True)
class AgeFigure:
    band: AgeBand
    units: int
    value: Decimal


@dataclass(frozen=True)
class DashboardTrends:
    """The snapshot's figures, as the charts draw them."""

    taken_at: datetime
    day: date
    weeks: list[date]  # Mondays, oldest first
    outlets: list[OutletSold]  # by name
    stock_age: list[AgeFigure]  # newest band first

    def week_total(self, index: int) -> int:
        return sum(outlet.units[index] for outlet in self.outlets)

    @property
    def is_stale(self) -> bool:
        """Older than SERIALDESK_DASHBOARD_REFRESH_SECONDS, or counted for an earlier day."""
        fresh_for = timedelta(seconds=settings.SERIALDESK_DASHBOARD_REFRESH_SECONDS)
        return self.taken_at < timezone.now() - fresh_for or self.day < timezone.localdate()


def dashboard_trends() -> DashboardTrends | None:
    """The latest snapshot's figures, or None when there is none (or one of an older shape)."""
    snapshot = DashboardSnapshot.objects.filter(pk=DASHBOARD_SNAPSHOT_ID).first()
    return None if snapshot is None else dashboard_trends_of(snapshot)


def dashboard_trends_of(snapshot: DashboardSnapshot) -> DashboardTrends | None:
    """A snapshot's figures, or None when they are of an older shape."""
    if snapshot.figures.get("version") != SNAPSHOT_VERSION:
        return None
    figures = snapshot.figures
    bands = age_bands(day=snapshot.day, edges=STOCK_AGE_EDGES)
    return DashboardTrends(
        taken_at=snapshot.taken_at,
        day=snapshot.day,
        # Weeks and bands follow from the day, as they did when it was counted.
        weeks=week_starts(day=snapshot.day),
        outlets=[
            OutletSold(outlet_id=row["id"], name=row["name"], units=row["units"])
            for row in figures["outlets"]
        ],
        stock_age=[
            AgeFigure(band=band, units=row["units"], value=Decimal(row["value"]))
            for band, row in zip(bands, figures["stock_age"], strict=True)
        ],
    )
