"""Set-based SQL for the bulk paths (adding and importing thousands of serials).

The ORM's `bulk_create` splits rows into batches (on SQLite, 999 parameters a
query), so its cost grows with the batch. Here a whole list travels as one
parameter — a JSON array that SQLite reads with `json_each`, a PostgreSQL array
read with `unnest` — so adding 10 or 10,000 serials costs the same number of
queries, and the database does the per-row work.
"""

import json
from collections.abc import Sequence
from datetime import datetime

from django.db import connection
from django.db.models.expressions import RawSQL

from inventory.models import SerialEvent, SerialRecord


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def text_values(values: Sequence[str]) -> RawSQL:
    """A one-column subquery over `values`, for `field__in=text_values([...])`."""
    if _is_postgresql():
        return RawSQL("SELECT unnest(%s::text[])", [list(values)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values))])


def id_values(ids: Sequence[int]) -> RawSQL:
    """A one-column subquery over primary keys, for `pk__in=id_values([...])`."""
    if _is_postgresql():
        return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


def serial_records_insert(
    *,
    rows: Sequence[tuple[int, int, str, str]],
    status: str,
    created_by_id: int | None,
    created_at: datetime,
) -> list[int]:
    """Insert (product_id, outlet_id, serial, normalised) rows in one statement.

    Returns the new primary keys in input order. A duplicate raises
    IntegrityError from the (product, serial_normalised) unique constraint.
    """
    if not rows:
        return []
    record = SerialRecord._meta
    columns = "product_id, outlet_id, serial, serial_normalised, status, notes, "
    columns += "created_by_id, created_at, updated_at"
    if _is_postgresql():
        source = (
            "unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[])"
            " WITH ORDINALITY AS r(product_id, outlet_id, serial, normalised, position)"
        )
        source_params = [list(column) for column in zip(*rows, strict=True)]
    else:
        source = (
            "(SELECT json_extract(value, '$[0]') AS product_id,"
            " json_extract(value, '$[1]') AS outlet_id,"
            " json_extract(value, '$[2]') AS serial,"
            " json_extract(value, '$[3]') AS normalised,"
            " key AS position FROM json_each(%s)) AS r"
        )
        source_params = [json.dumps([list(row) for row in rows])]
    sql = (
        f"INSERT INTO {record.db_table} ({columns}) "
        f"SELECT r.product_id, r.outlet_id, r.serial, r.normalised, %s, '', %s, %s, %s "
        f"FROM {source} ORDER BY r.position RETURNING id"
    )
    stamp = connection.ops.adapt_datetimefield_value(created_at)
    params = [status, created_by_id, stamp, stamp]
    # The placeholders of the SELECT list come before those of the FROM clause.
    with connection.cursor() as cursor:
        cursor.execute(sql, params + source_params)
        ids = [row[0] for row in cursor.fetchall()]
    # RETURNING follows the insertion order on both databases; sort to be sure
    # of it, since the sequence hands out ids in that order.
    return sorted(ids)


def serial_events_insert(
    *,
    serial_ids: Sequence[int],
    kind: str,
    user_id: int | None,
    created_at: datetime,
    note: str = "",
) -> int:
    """Write one history event per serial, from its current outlet and status.

    Used right after `serial_records_insert`, so "to outlet" and "to status" are
    where and what each new unit now is.
    """
    if not serial_ids:
        return 0
    event = SerialEvent._meta
    record = SerialRecord._meta
    ids = id_values(serial_ids)
    sql = (
        f"INSERT INTO {event.db_table} (serial_id, kind, created_at, user_id, to_outlet_id, "
        f"from_status, to_status, note) "
        f"SELECT s.id, %s, %s, %s, s.outlet_id, '', s.status, %s "
        f"FROM {record.db_table} s WHERE s.id IN ({ids.sql})"
    )
    with connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(created_at)
        cursor.execute(sql, [kind, stamp, user_id, note, *ids.params])
        return cursor.rowcount
