"""SerialTally, the units counted per (product, outlet, status): keeping it and checking it.

The services that write units count them in the same transaction: inserts in
`inventory.sql.serial_records_insert`; every other change (`serials_change`,
`serials_record_sold`, `serial_delete`) is noted on the service's one
`UnitEffects` collector (inventory.services.effects), which applies the stock
and tally changes of all its units once, last. A unit's product never changes,
and editing its text changes no count. Lock order: units (locked by the
service), then stock rows in (product, outlet) order, then tally rows in
(product, outlet, status) order (`inventory.sql.serial_tally_apply`).
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count

from inventory import sql
from inventory.models import SerialRecord, SerialTally


@dataclass(frozen=True)
class TallyDifference:
    """A (product, outlet, status) whose tally differs from its units."""

    product_id: int
    outlet_id: int
    status: str
    counted: int  # the tally's count
    units: int  # the units there are


@transaction.atomic
def serial_tally_rebuild(*, dry_run: bool) -> list[TallyDifference]:
    """Compare every tally count with a count of the units and, unless `dry_run`, set it right.

    Returns the differences found, by key. On PostgreSQL the tally is locked
    against writes first (SHARE ROW EXCLUSIVE): services that change units wait
    the second or so this takes, and none can change units between the count
    and the fix, so the fix is exact while the shop works. Safe to run again:
    a second run finds nothing.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {SerialTally._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    units: dict[sql.TallyKey, int] = {
        (row["product_id"], row["outlet_id"], row["status"]): row["n"]
        for row in SerialRecord.objects.values("product_id", "outlet_id", "status")
        .annotate(n=Count("*"))
        .order_by()
    }
    counted: dict[sql.TallyKey, int] = {
        (product_id, outlet_id, status): count
        for product_id, outlet_id, status, count in SerialTally.objects.values_list(
            "product_id", "outlet_id", "status", "count"
        )
    }
    differences = [
        TallyDifference(*key, counted=counted.get(key, 0), units=units.get(key, 0))
        for key in sorted(units.keys() | counted.keys())
        if counted.get(key, 0) != units.get(key, 0)
    ]
    if differences and not dry_run:
        sql.serial_tally_set(
            counts={(d.product_id, d.outlet_id, d.status): d.units for d in differences}
        )
    return differences
