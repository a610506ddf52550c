"""Set-based SQL for the bulk paths (adding and importing thousands of serials).

Here a whole list travels as one parameter, a JSON array that the database
unpacks (`json_each` on SQLite, `json_array_elements` on PostgreSQL), so adding
10 or 10,000 serials costs the same number of queries and the database does the
per-row work. JSON, rather than a PostgreSQL array, because Python encodes it in
C and both databases read it.

The ORM's `bulk_create` splits rows into batches on SQLite (999 parameters a
query); on PostgreSQL, Django 5.2 sends one `UNNEST` statement, but first builds
a model instance and prepares each field of each row in Python. Adding 10,000
serials took 2 to 3 times as long with it on PostgreSQL and 6 times on SQLite
(`python -m bench.serials_add --insert both`).
"""

import json
from collections.abc import Sequence
from datetime import datetime

from django.db import connection
from django.db.models.expressions import RawSQL

from inventory.models import SerialRecord


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def text_values(values: Sequence) -> RawSQL:
    """A one-column subquery over `values`, for `field__in=text_values([...])`."""
    if _is_postgresql():
        return RawSQL("SELECT json_array_elements_text(%s::json)", [json.dumps(list(values))])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values))])


def _json_rows(columns: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The FROM clause over a JSON array of rows, and the SELECT list of its columns.

    `columns` are (name, PostgreSQL type) pairs; the rows' positions in the
    array come out as `r.position`.
    """
    if _is_postgresql():
        source = "json_array_elements(%s::json) WITH ORDINALITY AS r(value, position)"
        select = [f"(r.value->>{i})::{kind} AS {name}" for i, (name, kind) in enumerate(columns)]
    else:
        source = "(SELECT value, key AS position FROM json_each(%s)) AS r"
        select = [
            f"json_extract(r.value, '$[{i}]') AS {name}" for i, (name, _) in enumerate(columns)
        ]
    return source, ", ".join(select)


def serial_records_insert(
    *,
    rows: Sequence[tuple[int, int, str, str]],
    status: str,
    origin: str,
    created_by_id: int | None,
    created_at: datetime,
) -> int:
    """Insert (product_id, outlet_id, serial, normalised) rows in one statement.

    Returns how many were inserted. A duplicate raises IntegrityError from the
    (product, serial_normalised) unique constraint, and nothing is inserted.
    """
    if not rows:
        return 0
    source, select = _json_rows(
        [("product_id", "bigint"), ("outlet_id", "bigint"), ("serial", "text"), ("norm", "text")]
    )
    sql = (
        f"INSERT INTO {SerialRecord._meta.db_table} (product_id, outlet_id, serial, "
        "serial_normalised, status, notes, origin, created_by_id, created_at, updated_at) "
        f"SELECT v.product_id, v.outlet_id, v.serial, v.norm, %s, '', %s, %s, %s, %s "
        f"FROM (SELECT {select}, r.position FROM {source}) AS v ORDER BY v.position"
    )
    stamp = connection.ops.adapt_datetimefield_value(created_at)
    with connection.cursor() as cursor:
        cursor.execute(sql, [status, origin, created_by_id, stamp, stamp, json.dumps(rows)])
        return cursor.rowcount
