"""Reads of Inventory > Inventory counts: the list, a count's scope, its running lists.

A count's lists come from its scans and the scope's units, read by their indexes
(ids and keys only) and sorted in Python (`count_sort`): a fixed number of queries
whatever the count's size, then the first rows of each list by id:

- **Counted**: units of the scope at the count's outlet, on the shelf or in the
  back room (In stock or Faulty), whose serial was scanned;
- **Expected, not counted yet**: the same units not scanned;
- **At another outlet**: scanned units of the scope that are not on this outlet's
  shelf: In stock or Faulty at another outlet (Transfer here moves them), or In
  transit, Sold, At supplier or Written off anywhere (shown with their status);
- **Not recorded**: scans no unit of the scope has;
- **Scanned twice**: scans repeated (ignored), with how many times.

A scan matches a unit by its key (`SerialRecord.normalise`) and, when a GS1 scan
named its product, that product only.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from catalog.models import Product
from inventory.models import (
    InventoryCount,
    InventoryCountQuantity,
    InventoryCountScan,
    SerialRecord,
    SerialStatus,
    StockLevel,
)
from inventory.sql import stock_serial_gap_rows, text_values

# Where a unit is physically at its outlet: on the shelf, or Faulty in the back room.
SHELF = (SerialStatus.IN_STOCK, SerialStatus.FAULTY)
# Rows of each list on the count page; the rest are "and N more".
LIST_CAP = 50


def count_list() -> QuerySet[InventoryCount]:
    """Every count, newest first, with its outlet, product, who started it and what it
    counted (serials scanned, units by quantity): one query a page."""
    scans = (
        InventoryCountScan.objects.filter(count=OuterRef("pk"))
        .order_by()
        .values("count")
        .annotate(n=Count("*"))
        .values("n")
    )
    quantities = (
        InventoryCountQuantity.objects.filter(count=OuterRef("pk"))
        .order_by()
        .values("count")
        .annotate(n=Sum("counted"))
        .values("n")
    )
    return (
        InventoryCount.objects.select_related("outlet", "product", "created_by")
        .annotate(
            serials_counted=Coalesce(Subquery(scans), 0),
            units_counted=Coalesce(Subquery(quantities), 0),
        )
        .order_by("-created_at", "-id")
    )


def count_get(pk: int) -> InventoryCount:
    """One count with its outlet, product and people (raises DoesNotExist)."""
    return InventoryCount.objects.select_related(
        "outlet", "product", "created_by", "applied_by"
    ).get(pk=pk)


def scope_products(count: InventoryCount) -> QuerySet[Product]:
    """The products a count covers: its product, its brand's, or every product."""
    if count.product_id:
        return Product.objects.filter(pk=count.product_id)
    if count.brand:
        return Product.objects.filter(brand=count.brand)
    return Product.objects.all()


def _unit_scope(count: InventoryCount) -> Q:
    if count.product_id:
        return Q(product_id=count.product_id)
    if count.brand:
        return Q(product__brand=count.brand)
    return Q()


def _units(count: InventoryCount) -> QuerySet[SerialRecord]:
    return SerialRecord.objects.filter(_unit_scope(count))


@dataclass
class CountSort:
    """Where each scan and each unit of a count belongs, by id, in list order."""

    counted: list[int] = field(default_factory=list)  # unit ids, newest scan first
    expected: list[int] = field(default_factory=list)  # unit ids, by serial
    elsewhere: list[int] = field(default_factory=list)  # unit ids, by serial
    # Of `elsewhere`, the units on another outlet's shelf (Transfer here applies).
    transferable: set[int] = field(default_factory=set)
    not_recorded: list[int] = field(default_factory=list)  # scan ids, newest first


def count_sort(count: InventoryCount) -> CountSort:
    """Sort a count's scans and its scope's units into the lists, in three queries.

    The scans and the units are read by their indexes and matched in Python, so
    the cost follows the count's size (a few ms for 4,000) and never the planner's
    guess of how many scans a count has: a join of a count's scans with the units
    was planned for one scan while 4,000 came in (statistics lag), and took a
    second on PostgreSQL.
    """
    scans = list(count.scans.order_by("-id").values_list("pk", "serial_normalised", "product_id"))
    wanted = {key: product_id for _pk, key, product_id in scans}
    newest = {key: position for position, (_pk, key, _p) in enumerate(scans)}
    here = count.outlet_id
    sort = CountSort()
    recorded: set[str] = set()
    counted: list[tuple[int, int]] = []
    elsewhere: list[tuple[str, int]] = []
    if wanted:
        # Every unit of the scope with a scanned serial (one look-up per key).
        matched = _units(count).filter(serial_normalised__in=text_values(sorted(wanted)))
        for pk, key, product_id, outlet_id, status in matched.values_list(
            "pk", "serial_normalised", "product_id", "outlet_id", "status"
        ):
            named = wanted[key]
            if named is not None and named != product_id:
                continue
            recorded.add(key)
            if outlet_id == here and status in SHELF:
                counted.append((newest[key], pk))
            else:
                elsewhere.append((key, pk))
                if status in SHELF:
                    sort.transferable.add(pk)
    counted_ids = {pk for _position, pk in counted}
    shelf = _units(count).filter(outlet_id=here, status__in=SHELF)
    sort.expected = [
        pk
        for key, pk in sorted(shelf.values_list("serial_normalised", "pk"))
        if pk not in counted_ids
    ]
    sort.counted = [pk for _position, pk in sorted(counted)]
    sort.elsewhere = [pk for _key, pk in sorted(elsewhere)]
    sort.not_recorded = [pk for pk, key, _p in scans if key not in recorded]
    return sort


def _by_ids(queryset: QuerySet, ids: Sequence[int]) -> list[Any]:
    """The rows of `ids`, in that order (one query)."""
    found = queryset.in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


def units_listed(ids: Sequence[int]) -> list[SerialRecord]:
    """Units by id, in order, with their products and outlets (one query)."""
    return _by_ids(SerialRecord.objects.select_related("product", "outlet"), ids)


def scans_listed(ids: Sequence[int]) -> list[InventoryCountScan]:
    """Scans by id, in order, with their products (one query)."""
    return _by_ids(InventoryCountScan.objects.select_related("product"), ids)


def transferable(unit: SerialRecord, count: InventoryCount) -> bool:
    """Transfer here applies to a unit on another outlet's shelf (or back room)."""
    return unit.outlet_id != count.outlet_id and unit.status in SHELF


def repeated_scans(count: InventoryCount) -> QuerySet[InventoryCountScan]:
    """Scanned twice: scans repeated (ignored)."""
    return count.scans.filter(repeats__gt=0)


def count_quantities(count: InventoryCount) -> QuerySet[InventoryCountQuantity]:
    """The counted quantities of products without serial numbers, with on hand now."""
    on_hand = StockLevel.objects.filter(
        product_id=OuterRef("product_id"), outlet_id=count.outlet_id
    ).values("on_hand")[:1]
    return (
        count.quantities.select_related("product")
        .annotate(on_hand=Coalesce(Subquery(on_hand), 0))
        .order_by("product__name", "id")
    )


@dataclass
class CountList:
    """The first rows of one list and how many it has in all."""

    rows: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass
class CountLists:
    counted: CountList
    expected: CountList
    elsewhere: CountList
    not_recorded: CountList
    scanned_twice: CountList
    quantities: list[InventoryCountQuantity] = field(default_factory=list)

    @property
    def scanned(self) -> int:
        return self.counted.total + self.elsewhere.total + self.not_recorded.total


def _capped(queryset: QuerySet, cap: int) -> CountList:
    rows = list(queryset[:cap]) if cap else []
    total = len(rows) if len(rows) < cap else queryset.order_by().count()
    return CountList(rows=rows, total=total)


def count_lists(count: InventoryCount, *, cap: int = LIST_CAP) -> CountLists:
    """The count page's running lists, each capped at `cap` rows with its total."""
    sort = count_sort(count)
    shown = sort.counted[:cap] + sort.expected[:cap] + sort.elsewhere[:cap]
    units = {unit.pk: unit for unit in units_listed(shown)} if shown else {}
    scans = scans_listed(sort.not_recorded[:cap]) if cap and sort.not_recorded else []

    def listed(ids: list[int]) -> CountList:
        return CountList(rows=[units[pk] for pk in ids[:cap] if pk in units], total=len(ids))

    return CountLists(
        counted=listed(sort.counted),
        expected=listed(sort.expected),
        elsewhere=listed(sort.elsewhere),
        not_recorded=CountList(rows=scans, total=len(sort.not_recorded)),
        scanned_twice=_capped(repeated_scans(count).order_by("-repeats", "-id"), cap),
        quantities=list(count_quantities(count)),
    )


def count_has_counts(count: InventoryCount) -> bool:
    """Whether anything was counted: a scan or a quantity."""
    return count.scans.exists() or count.quantities.exists()


@dataclass(frozen=True)
class StockPreviewRow:
    product: Product
    on_hand: int
    # In stock units here (serialised), or the quantity counted.
    target: int
    serialised: bool


def stock_preview(count: InventoryCount) -> list[StockPreviewRow]:
    """What Apply would set on hand to before the choices: each serialised product of the
    scope here whose on hand differs from its In stock units, and each counted quantity
    that differs from on hand. A few queries; the mismatches only."""
    gaps = {
        product_id: (on_hand, in_stock)
        for product_id, _outlet, on_hand, in_stock in stock_serial_gap_rows(
            outlet_id=count.outlet_id
        )
    }
    rows = []
    if gaps:
        products = scope_products(count).filter(pk__in=sorted(gaps)).order_by("name", "id")
        for product in products:
            on_hand, in_stock = gaps[product.pk]
            rows.append(StockPreviewRow(product, on_hand, in_stock, True))
    for quantity in count_quantities(count):
        now = getattr(quantity, "on_hand", 0)  # annotated by count_quantities
        if now != quantity.counted and not quantity.product.has_serial_numbers:
            rows.append(StockPreviewRow(quantity.product, now, quantity.counted, False))
    return rows
