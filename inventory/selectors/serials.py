from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from catalog.models import Product
from inventory.models import SerialRecord, SerialStatus


def serial_list() -> QuerySet[SerialRecord]:
    """Serial records with what a list line shows, in two joins."""
    return SerialRecord.objects.select_related("product", "outlet").order_by("-created_at", "-id")


def serials_matching_exactly(*, text: str) -> QuerySet[SerialRecord]:
    """Records whose serial is `text`, ignoring case and surrounding spaces."""
    return SerialRecord.objects.filter(serial_normalised=SerialRecord.normalise(text))


@dataclass(frozen=True)
class SerialLookup:
    """What "Look up serial" found for a text: exact matches, else partial ones."""

    exact: list[SerialRecord]
    partial: list[SerialRecord]
    more_partial: bool


def serial_lookup(*, text: str, limit: int = 50) -> SerialLookup:
    """Exact matches of `text` (one per product); without any, up to `limit` partial ones."""
    if not text.strip():
        return SerialLookup([], [], False)
    records = serial_list().order_by("serial_normalised", "product__name", "pk")
    exact = list(records.filter(serial_normalised=SerialRecord.normalise(text)))
    if exact:
        return SerialLookup(exact, [], False)
    partial = list(
        records.filter(serial_normalised__contains=SerialRecord.normalise(text))[: limit + 1]
    )
    return SerialLookup([], partial[:limit], len(partial) > limit)


def serial_counts_by_status() -> dict[str, int]:
    rows = SerialRecord.objects.values("status").annotate(count=Count("id")).order_by()
    return {row["status"]: row["count"] for row in rows}


def serial_export_rows(queryset: QuerySet[SerialRecord]) -> Iterator[tuple]:
    """The export's rows, fetched in chunks so no more than one chunk is in memory."""
    statuses = dict(SerialStatus.choices)
    rows = queryset.values_list(
        "serial", "product__name", "product__sku", "outlet__name", "status", "created_at", "notes"
    )
    for serial, name, sku, outlet, status, created_at, notes in rows.iterator(chunk_size=2000):
        yield serial, name, sku, outlet, str(statuses.get(status, status)), created_at, notes


def product_options(*, query: str, limit: int = 10) -> QuerySet[Product]:
    """Active products with serial numbers whose name or SKU contains `query`."""
    products = Product.objects.filter(has_serial_numbers=True, is_active=True).search(query)
    return products.order_by("name", "id")[:limit]
