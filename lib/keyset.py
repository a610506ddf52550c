"""Keyset (cursor) paging and a count that stays cheap, for lists of a million rows.

A page is found by the sort key of the row before (or after) it, so the database
starts reading at the page instead of counting through every row it skips, as
OFFSET does. Each sort is a tuple of columns ending in a unique one, all in one
direction, so "the rows after this key" is one row-value comparison that a
B-tree index on the same columns answers directly.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import connection
from django.db.models import BooleanField, Expression, F, QuerySet, Value

Direction = str  # "after" or "before"


class RowCompare(Expression):
    """`(a, b, c) > (x, y, z)`: a row-value comparison, which a B-tree index can seek to.

    The same test written with OR (`a > x OR (a = x AND b > y) ...`) makes the
    database read every row tied on `a` before the page: with 250,000 units
    In stock, that is what paging sorted by status did.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, columns: Sequence[str], values: Sequence[Any], *, greater: bool):
        super().__init__()
        self.columns: list[Any] = [F(column) for column in columns]
        self.values: list[Any] = [Value(value) for value in values]
        self.greater = greater

    def get_source_expressions(self):
        return [*self.columns, *self.values]

    def set_source_expressions(self, exprs):
        count = len(self.columns)
        self.columns, self.values = list(exprs[:count]), list(exprs[count:])

    def as_sql(self, compiler, connection, **extra_context):
        columns = [compiler.compile(column) for column in self.columns]
        values = [compiler.compile(value) for value in self.values]
        operator = ">" if self.greater else "<"
        sql = "({}) {} ({})".format(
            ", ".join(sql for sql, _params in columns),
            operator,
            ", ".join(sql for sql, _params in values),
        )
        return sql, tuple(param for _sql, params in (*columns, *values) for param in params)


@dataclass(frozen=True)
class Sort:
    """A sort a list offers: its key columns (ORM paths), the last one unique.

    `group_by` names a foreign key to a small table (20 outlets) whose ordering
    leads the sort: columns are then (related ordering..., the foreign key, the
    unique column). PostgreSQL would read a whole group (50,000 units of an
    outlet) to sort it by the last column; the page is read instead with one
    index seek per group (a UNION ALL), then its rows by primary key.
    """

    columns: tuple[str, ...]
    descending: bool = False
    group_by: str = ""

    def order_by(self, *, reverse: bool = False) -> list[Any]:
        descending = self.descending != reverse
        return [F(c).desc() if descending else F(c).asc() for c in self.columns]

    def key_of(self, row: Any) -> list[Any]:
        """The sort key of a row (an instance), read along each column's path."""
        key = []
        for column in self.columns:
            value = row
            for part in column.split("__"):
                value = getattr(value, part)
            key.append(value)
        return key


def _encode(value: Any) -> Any:
    return {"t": value.isoformat()} if isinstance(value, datetime) else value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return datetime.fromisoformat(value["t"])
    if isinstance(value, int | str) and not isinstance(value, bool):
        return value
    raise ValueError("not a key value")


def cursor_dumps(*, salt: str, sort_name: str, key: Sequence[Any]) -> str:
    """An opaque, signed token for a page boundary; only this list's sort reads it back."""
    return signing.dumps(
        {"s": sort_name, "k": [_encode(v) for v in key]}, salt=salt, compress=True
    )


def cursor_loads(token: str, *, salt: str, sort_name: str, length: int) -> list[Any] | None:
    """The key in `token`, or None when it is damaged, forged or for another sort."""
    try:
        data = signing.loads(token, salt=salt)
        if data.get("s") != sort_name or len(data["k"]) != length:
            return None
        return [_decode(value) for value in data["k"]]
    except (signing.BadSignature, ValueError, TypeError, KeyError, AttributeError):
        return None


@dataclass
class KeysetPage:
    rows: list[Any]
    has_previous: bool
    has_next: bool
    first_key: list[Any] | None
    last_key: list[Any] | None


def keyset_page(
    queryset: QuerySet,
    *,
    sort: Sort,
    size: int,
    key: list[Any] | None = None,
    direction: Direction = "after",
    from_end: bool = False,
    few_rows: bool = False,
) -> KeysetPage:
    """One page of `queryset` in `sort` order, in one query: after or before `key`, or the last.

    Without a key, the first page (or with `from_end`, the last: the first of the
    reverse order). The database reads only the page and one row more, to know
    whether another page follows. `few_rows` (the caller counted them, under
    a cap) makes a grouped sort one plain sort: cheaper than a seek per group.
    """
    backwards = from_end or (key is not None and direction == "before")
    grouped = sort.group_by and not few_rows
    if grouped and connection.features.supports_slicing_ordering_in_compound:
        rows = _grouped_rows(
            queryset, sort=sort, size=size, key=None if from_end else key, backwards=backwards
        )
        return _page(rows, sort=sort, size=size, key=key, direction=direction, end=from_end)
    rows_qs = queryset.order_by(*sort.order_by(reverse=backwards))
    if key is not None and not from_end:
        # The key's direction in the sort: "after" in ascending order is greater.
        greater = (direction == "after") != sort.descending
        leading = f"{sort.columns[0]}__{'gte' if greater else 'lte'}"
        # The leading column alone as well: on a join (sort by product name) it
        # lets the outer index scan start at the page instead of the first product.
        rows_qs = rows_qs.filter(
            RowCompare(sort.columns, key, greater=greater), **{leading: key[0]}
        )
    rows = list(rows_qs[: size + 1])
    return _page(rows, sort=sort, size=size, key=key, direction=direction, end=from_end)


def _grouped_rows(
    queryset: QuerySet, *, sort: Sort, size: int, key: list[Any] | None, backwards: bool
) -> list[Any]:
    """Up to size + 1 rows of a grouped sort, in the order read (three queries).

    The unique last column is an integer (the primary key), ordered in Python too.
    """
    if queryset.query.is_empty():
        return []
    *group_columns, _foreign_key, unique = sort.columns
    relation = group_columns[0].split("__")[0]
    group_model = queryset.model._meta.get_field(relation).related_model
    descending = sort.descending != backwards
    group_order = [c.split("__", 1)[1] for c in group_columns] + ["pk"]
    groups = list(
        group_model._base_manager.order_by(
            *[F(c).desc() if descending else F(c).asc() for c in group_order]
        ).values_list("pk", flat=True)
    )
    seek: dict[str, Any] = {}
    if key is not None:
        if key[-2] not in groups:
            return []
        groups = groups[groups.index(key[-2]) :]
        seek = {f"{unique}__{'lt' if descending else 'gt'}": key[-1]}
    tail_order = F(unique).desc() if descending else F(unique).asc()
    parts = [
        queryset.filter(**{sort.group_by: group}, **(seek if n == 0 else {}))
        .order_by(tail_order)
        .values_list("pk", sort.group_by, unique)[: size + 1]
        for n, group in enumerate(groups)
    ]
    if not parts:
        return []
    found = list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])
    rank = {group: n for n, group in enumerate(groups)}
    found.sort(key=lambda row: (rank[row[1]], -row[2] if descending else row[2]))
    wanted = [row[0] for row in found[: size + 1]]
    by_pk = queryset.order_by().in_bulk(wanted)
    return [by_pk[pk] for pk in wanted if pk in by_pk]


def _page(
    rows: list[Any], *, sort: Sort, size: int, key: list[Any] | None, direction: str, end: bool
) -> KeysetPage:
    """The page from up to size + 1 rows read in reading order (reversed when backwards)."""
    from_end = end
    backwards = from_end or (key is not None and direction == "before")
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if from_end:
        has_previous, has_next = more, False
    elif key is None:
        has_previous, has_next = False, more
    elif direction == "before":
        has_previous, has_next = more, True
    else:
        has_previous, has_next = True, more
    return KeysetPage(
        rows=rows,
        has_previous=has_previous,
        has_next=has_next,
        first_key=sort.key_of(rows[0]) if rows else None,
        last_key=sort.key_of(rows[-1]) if rows else None,
    )


@dataclass(frozen=True)
class RowCount:
    """How many rows a list has: exact, or (`estimated`) the planner's guess above a cap."""

    value: int
    estimated: bool = False
    cap: int = 0

    @property
    def over_cap(self) -> bool:
        """More rows than the cap, and the estimate says fewer: we know only "more than"."""
        return self.estimated and self.value <= self.cap


def _round_estimate(value: int) -> int:
    # Two significant figures: 999,987 reads "about 1,000,000", 123,456 "about 120,000".
    digits = len(str(value))
    scale = 10 ** max(digits - 2, 0)
    return round(value / scale) * scale


def count_rows(queryset: QuerySet, *, cap: int) -> RowCount:
    """The number of rows: exact up to `cap`; above it, on PostgreSQL, the planner's estimate.

    Counting a million rows exactly costs 100-200 ms on every page; counting up
    to the cap reads at most cap + 1 index entries. SQLite has no planner
    estimate, so it counts exactly (slower on a big table).
    """
    queryset = queryset.order_by()
    if connection.vendor != "postgresql":
        return RowCount(queryset.count())
    counted = queryset.values("pk")[: cap + 1].count()
    if counted <= cap:
        return RowCount(counted)
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    return RowCount(_round_estimate(max(estimate, 0)), estimated=True, cap=cap)
