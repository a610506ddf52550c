from collections.abc import Generator
from dataclasses import dataclass

from django.db.models import QuerySet

from catalog.models import Product, ProductQuerySet
from inventory.models import SerialRecord, SerialStatus
from lib.keyset import RowCount, Sort, count_rows, cursor_dumps, cursor_loads, keyset_page


def serial_list() -> QuerySet[SerialRecord]:
    """Serial records with what a list line shows, in two joins."""
    return SerialRecord.objects.select_related("product", "outlet").order_by("-created_at", "-id")


# Up to this many rows the list counts exactly; above it PostgreSQL's planner
# estimates ("about 1,000,000"), since an exact count of a million rows costs
# 100-200 ms on every page.
LIST_COUNT_CAP = 10_000
_CURSOR_SALT = "inventory.serial_list"


@dataclass(frozen=True)
class SerialListPage:
    """One page of the Serial numbers list, with the tokens of the pages around it."""

    rows: list[SerialRecord]
    count: RowCount
    previous_token: str
    next_token: str
    has_previous: bool
    has_next: bool
    # The link's page boundary could not be read (damaged, or from another sort).
    cursor_ignored: bool


def serial_list_page(
    *,
    queryset: QuerySet[SerialRecord],
    sort_name: str,
    sort: Sort,
    after: str = "",
    before: str = "",
    last: bool = False,
    size: int,
) -> SerialListPage:
    """A page of `queryset` in `sort` order, found by key, not offset, whatever its depth.

    `after`/`before` are tokens from a previous page's Next/Previous links; `last`
    asks for the last page (the first of the reverse order). Two queries, or three
    above the count's cap on PostgreSQL, whatever the rows and the page.
    """
    token = after or before
    key = None
    if token and not last:
        key = cursor_loads(token, salt=_CURSOR_SALT, sort_name=sort_name, length=len(sort.columns))
    count = count_rows(queryset, cap=LIST_COUNT_CAP)
    page = keyset_page(
        queryset,
        sort=sort,
        size=size,
        key=key,
        direction="before" if before and not after else "after",
        from_end=last,
        few_rows=not count.estimated and count.value <= LIST_COUNT_CAP,
    )

    def dumps(key: list | None) -> str:
        if key is None:
            return ""
        return cursor_dumps(salt=_CURSOR_SALT, sort_name=sort_name, key=key)

    return SerialListPage(
        rows=page.rows,
        count=count,
        previous_token=dumps(page.first_key) if page.has_previous else "",
        next_token=dumps(page.last_key) if page.has_next else "",
        has_previous=page.has_previous,
        has_next=page.has_next,
        cursor_ignored=bool(token) and not last and key is None,
    )


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


def serial_export_rows(queryset: QuerySet[SerialRecord]) -> Generator[tuple, None, None]:
    """The export's rows for Python's CSV path, fetched in chunks so no more than one
    chunk is in memory (PostgreSQL exports through COPY instead: inventory.exports)."""
    statuses = dict(SerialStatus.choices)
    rows = queryset.values_list(
        "serial", "product__name", "product__sku", "outlet__name", "status", "created_at", "notes"
    )
    for serial, name, sku, outlet, status, created_at, notes in rows.iterator(chunk_size=2000):
        yield serial, name, sku, outlet, str(statuses.get(status, status)), created_at, notes


def serialised_products() -> ProductQuerySet[Product]:
    """Active products with serial numbers: what "Add Serial numbers" offers."""
    return Product.objects.filter(has_serial_numbers=True, is_active=True)
