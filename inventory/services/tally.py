"""SerialTally, the units counted per (product, outlet, status): keeping it and checking it.

The services that write units count them here in the same transaction: inserts
in `inventory.sql.serial_records_insert`, status and outlet changes in
`serials_change`, units recorded at a sale in `serials_record_sold`, deletes in
`serial_delete`. A unit's product never changes, and editing its text changes
no count. Lock order: units, then stock rows, then tally rows in (product,
outlet, status) order (`inventory.sql.serial_tally_apply`).
"""

import functools
from collections import Counter
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.db import connection, transaction
from django.db.models import Count

from inventory import sql
from inventory.models import SerialRecord, SerialTally

# The tally changes of the `serial_tally_batched` call running in this thread
# (or task), applied when it returns; None outside one.
_tally_batch: ContextVar[Counter[sql.TallyKey] | None] = ContextVar("tally_batch", default=None)

P = ParamSpec("P")
R = TypeVar("R")


def serial_tally_batched(service: Callable[P, R]) -> Callable[P, R]:
    """Collect the tally changes of `service` and apply them once, in key order, as it returns.

    For services that change units more than once in a transaction (a sale
    moves, sells and records units; a claim sells a replacement and takes back
    the faulty unit): applied change by change, their tally rows would be
    locked in the order of the changes, not in key order, and two such
    transactions could deadlock. Put it under @transaction.atomic, so the
    changes are applied in the service's transaction, and only when the service
    succeeds. A batched service called by another one adds its changes to the
    caller's batch, again only when it succeeds.
    """

    @functools.wraps(service)
    def batched(*args: P.args, **kwargs: P.kwargs) -> R:
        outer = _tally_batch.get()
        deltas: Counter[sql.TallyKey] = Counter()
        token = _tally_batch.set(deltas)
        try:
            result = service(*args, **kwargs)
        finally:
            _tally_batch.reset(token)
        if outer is not None:
            outer.update(deltas)
        else:
            sql.serial_tally_apply(deltas=deltas)
        return result

    return batched


def serial_tally_change(*, deltas: Mapping[sql.TallyKey, int]) -> None:
    """Count units the caller wrote: now, or as the running batched service returns."""
    batch = _tally_batch.get()
    if batch is None:
        sql.serial_tally_apply(deltas=deltas)
    else:
        batch.update(deltas)


def serial_tally_count(*, key: sql.TallyKey) -> int:
    """The units at `key` as this transaction leaves them: the row plus the batch's change."""
    product_id, outlet_id, status = key
    row = SerialTally.objects.filter(product_id=product_id, outlet_id=outlet_id, status=status)
    counted = row.values_list("count", flat=True).first() or 0
    batch = _tally_batch.get()
    return counted + (batch[key] if batch is not None else 0)


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
