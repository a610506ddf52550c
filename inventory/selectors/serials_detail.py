"""Reads for one serial's page: the record and its history."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from inventory.models import SerialEvent, SerialEventKind, SerialRecord, SerialStatus


def serial_get(*, pk: int) -> SerialRecord:
    """The serial with what its page shows; raises SerialRecord.DoesNotExist."""
    return SerialRecord.objects.select_related("product", "outlet", "created_by").get(pk=pk)


# Lines of history the serial page shows at once; older ones are a link away.
# A unit can gather thousands of events (transfers, claims); rendering them all
# took the page of a unit with 1,000 to 470 ms and 268 KB.
HISTORY_PAGE_SIZE = 50


@dataclass(frozen=True)
class HistoryPage:
    """Some lines of a serial's history, newest first, and where they sit in the whole.

    The lines are `SerialEvent`s; the oldest line of all is the record itself
    (see `serial_history`). `older_than` is the id to ask for the next, older,
    page with; None on the page that ends with the oldest line.
    """

    events: list[SerialEvent]
    total: int  # lines in the whole history, the first line included
    first: int  # the position of this page's first line, 1 for the newest
    older_than: int | None
    ever_sold: bool  # is Sold or has a Sold event anywhere in its history

    @property
    def last(self) -> int:
        return self.first + len(self.events) - 1

    @property
    def is_newest(self) -> bool:
        return self.first == 1

    @property
    def complete(self) -> bool:
        """Whether this page holds the whole history."""
        return self.is_newest and self.older_than is None


def _history_rows(serial: SerialRecord) -> QuerySet[SerialEvent]:
    # The document (sale, return, claim) is a generic link: prefetching it reads
    # each kind of document with one query for the whole page; content types
    # come from Django's cache, so the page reads no document row by row.
    return (
        serial.events.select_related("user", "from_outlet", "to_outlet")
        .prefetch_related("document")
        .order_by("-created_at", "-id")
    )


def _recorded_line(serial: SerialRecord, first_move: SerialEvent | None) -> SerialEvent:
    """The history's first line, read from the record (origin, who, when) and from
    the first move away from the outlet it was recorded at."""
    return SerialEvent(
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


def serial_history(*, serial: SerialRecord) -> list[SerialEvent]:
    """The serial's whole history, newest first: its events, then how it was first recorded.

    Unbounded: pages show `serial_history_page` instead.
    """
    events = list(_history_rows(serial))
    first_move = next((e for e in reversed(events) if e.from_outlet_id), None)
    return [*events, _recorded_line(serial, first_move)]


def serial_history_page(
    *, serial: SerialRecord, older_than: int | None = None, size: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """`size` lines of the serial's history, newest first, after the event `older_than`.

    Pages follow (created_at, id), the order the index on (serial, created_at)
    reads, so a page costs the same at the first line and at the thousandth,
    and events sharing a timestamp are neither skipped nor repeated. Raises
    SerialEvent.DoesNotExist when `older_than` is not one of this serial's events.
    """
    rows = _history_rows(serial)
    counts = {
        "total": Count("pk"),
        "sold": Count("pk", filter=Q(kind=SerialEventKind.SOLD)),
    }
    if older_than is not None:
        at, pk = serial.events.values_list("created_at", "pk").get(pk=older_than)
        rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
        counts["newer"] = Count("pk", filter=Q(created_at__gt=at) | Q(created_at=at, pk__gte=pk))
    found = serial.events.order_by().aggregate(**counts)
    events = list(rows[: size + 1])
    next_cursor = None
    if len(events) >= size:
        # Fewer than `size` rows left means the record's own line fits on this page.
        events = events[:size]
        next_cursor = events[-1].pk
    else:
        first_move = next((e for e in reversed(events) if e.from_outlet_id), None)
        if first_move is None and older_than is not None:
            # This page holds the oldest events but none moved the unit; newer ones may.
            first_move = (
                serial.events.filter(from_outlet__isnull=False)
                .select_related("from_outlet")
                .order_by("created_at", "id")
                .first()
            )
        events.append(_recorded_line(serial, first_move))
    return HistoryPage(
        events=events,
        total=found["total"] + 1,
        first=found.get("newer", 0) + 1,
        older_than=next_cursor,
        ever_sold=serial.status == SerialStatus.SOLD or found["sold"] > 0,
    )


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
