"""Reads for one serial's page: the record, its history, its sale and warranty."""

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from inventory.models import SerialEvent, SerialEventKind, SerialRecord, SerialStatus


@dataclass(frozen=True)
class Warranty:
    """A sold serial's warranty: it runs from the sale date for the product's months."""

    until: date

    @property
    def expired(self) -> bool:
        return self.until < timezone.localdate()


def serial_get(*, pk: int) -> SerialRecord:
    """The serial with what its page shows; raises SerialRecord.DoesNotExist."""
    return SerialRecord.objects.select_related("product", "outlet", "created_by").get(pk=pk)


def serial_history(*, serial: SerialRecord) -> list[SerialEvent]:
    """The serial's history, newest first: its events, then how it was first recorded.

    The first line is not a row of its own: it is read from the record (origin,
    who, when) and from the first move away from the outlet it was recorded at.
    """
    events = list(
        serial.events.select_related("user", "from_outlet", "to_outlet")
        .prefetch_related("document")
        .order_by("-created_at", "-id")
    )
    first_move = next((e for e in reversed(events) if e.from_outlet_id), None)
    recorded = SerialEvent(
        serial=serial,
        kind=serial.origin,
        created_at=serial.created_at,
        user=serial.created_by,
        to_outlet=first_move.from_outlet if first_move else serial.outlet,
        # A unit recorded at a sale was never In stock here: its Sold event follows.
        to_status=""
        if serial.origin == SerialEventKind.RECORDED_AT_SALE
        else SerialStatus.IN_STOCK,
    )
    return [*events, recorded]


def serials_by_pks(*, pks: Iterable[int]) -> QuerySet[SerialRecord]:
    """The chosen serials (e.g. ticked on the list), with product and outlet."""
    return (
        SerialRecord.objects.filter(pk__in=list(pks))
        .select_related("product", "outlet")
        .order_by("serial_normalised", "pk")
    )


def serial_was_sold(*, serial: SerialRecord, history: Sequence[SerialEvent] | None = None) -> bool:
    """Whether the serial is or ever was sold (from its history when already loaded)."""
    if serial.status == SerialStatus.SOLD:
        return True
    if history is None:
        return serial.events.filter(kind=SerialEventKind.SOLD).exists()
    return any(event.kind == SerialEventKind.SOLD for event in history)


def serial_sale_event(
    *, serial: SerialRecord, history: Sequence[SerialEvent]
) -> SerialEvent | None:
    """The event that sold the serial to its current owner; None unless it is Sold."""
    if serial.status != SerialStatus.SOLD:
        return None
    # The history is newest first, so this is the latest sale.
    return next((event for event in history if event.kind == SerialEventKind.SOLD), None)


def serial_warranty(*, serial: SerialRecord, sale_event: SerialEvent | None) -> Warranty | None:
    """The warranty of a sold serial, from its sale date; None when it is not sold."""
    if sale_event is None:
        return None
    sold_on = timezone.localdate(sale_event.created_at)
    return Warranty(until=add_months(sold_on, serial.product.warranty_months))


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))
