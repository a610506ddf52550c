"""Reads of supplier returns: the list with its units still away, one return, a unit's return."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from inventory.models import (
    SerialRecord,
    SerialStatus,
    SupplierReturn,
    SupplierReturnUnit,
)

UNRESOLVED = Q(units__outcome="")


def days_since(moment: datetime | None) -> int | None:
    """Whole days from `moment` to today, in the shop's time zone (None for None)."""
    if moment is None:
        return None
    return max((timezone.localdate() - timezone.localdate(moment)).days, 0)


def supplier_return_list() -> QuerySet[SupplierReturn]:
    """Supplier returns, newest first, each with `units_count`, `units_at_supplier` (no
    outcome yet) and `oldest_at_supplier` (when the oldest of those was sent; None when
    none is away): "N units, oldest X days". One query, whatever the number of units.
    """
    return (
        SupplierReturn.objects.select_related("supplier", "outlet", "created_by")
        .annotate(
            units_count=Count("units"),
            units_at_supplier=Count("units", filter=UNRESOLVED),
            oldest_at_supplier=Min("created_at", filter=UNRESOLVED),
        )
        .order_by("-created_at", "-id")
    )


def supplier_return_detail(pk: int) -> SupplierReturn:
    """One return with what its page shows; raises SupplierReturn.DoesNotExist."""
    return supplier_return_list().get(pk=pk)


@dataclass(frozen=True)
class ReturnedUnit:
    """A unit on a return as its page shows it: the row, and its days at the supplier."""

    row: SupplierReturnUnit
    days: int | None  # None once it has its outcome

    @property
    def resolved(self) -> bool:
        return bool(self.row.outcome)


def supplier_return_units(supplier_return: SupplierReturn) -> list[ReturnedUnit]:
    """The return's units in the order they were scanned, with their product and outcome."""
    rows = supplier_return.units.select_related(
        "serial", "serial__product", "replacement", "resolved_by"
    ).order_by("pk")
    days = days_since(supplier_return.created_at)
    return [ReturnedUnit(row, None if row.outcome else days) for row in rows]


@dataclass(frozen=True)
class SerialSupplierReturn:
    """What a serial's page says of supplier returns: where it is away, what it replaced."""

    # The return it is on now (At supplier), and for how many days.
    away: SupplierReturnUnit | None = None
    days: int | None = None
    # The unit it replaced (it came from the supplier in its place), and its replacement.
    replaces: SupplierReturnUnit | None = None
    replaced_by: SupplierReturnUnit | None = None


def serial_supplier_return(*, serial: SerialRecord) -> SerialSupplierReturn:
    """A unit's supplier returns for its page: at most two small queries."""
    rows = list(
        SupplierReturnUnit.objects.filter(Q(serial=serial) | Q(replacement=serial))
        .select_related("supplier_return__supplier", "serial", "replacement")
        .order_by("-pk")[:20]
    )
    away = None
    if serial.status == SerialStatus.AT_SUPPLIER:
        away = next((r for r in rows if r.serial_id == serial.pk and not r.outcome), None)
    return SerialSupplierReturn(
        away=away,
        days=days_since(away.supplier_return.created_at) if away else None,
        replaces=next((r for r in rows if r.replacement_id == serial.pk), None),
        replaced_by=next(
            (r for r in rows if r.serial_id == serial.pk and r.replacement_id is not None), None
        ),
    )
