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
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.expressions import RawSQL

from catalog.models import Product
from inventory.models import (
    InventoryCount,
    InventoryCountScan,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    SerialTally,
    StockLevel,
    StockMove,
    StockMoveReason,
    StockOrder,
    StockOrderExpected,
)

# A (product_id, outlet_id, status) key of SerialTally, and its count or change.
TallyKey = tuple[int, int, str]


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
    cause: "MoveCause | None" = None,
    delivered: bool = False,
) -> int:
    """Insert (product_id, outlet_id, serial, normalised) rows in one statement.

    Returns how many were inserted, counted in SerialTally in the same
    transaction; In stock units also count on hand (`stock_apply`), their stock
    moves saying `cause` (by default Serial numbers changed, by the user who
    recorded them). Units recorded at the shelf (Add Serial numbers, Import)
    label units counted without a serial first (arriving); `delivered` units
    came in from outside (a supplier's replacement) and are +1 each. A
    duplicate raises IntegrityError from the
    (product, serial_normalised) unique constraint, and nothing is inserted or
    counted.
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
        inserted = cursor.rowcount
    # The units are counted once, per product and outlet; stock, then the tally,
    # the order every path takes their locks in (inventory.services.effects).
    placed = Counter((product_id, outlet_id) for product_id, outlet_id, *_ in rows)
    if status == SerialStatus.IN_STOCK:
        stock_apply(
            changes={
                key: StockChange(delta=n, uncounted=n) if delivered else StockChange(arriving=n)
                for key, n in placed.items()
            },
            cause=cause or MoveCause(StockMoveReason.UNITS_CHANGED, user_id=created_by_id),
            at=created_at,
        )
    serial_tally_apply(deltas={(*key, status): n for key, n in placed.items()})
    return inserted


class StockChange(NamedTuple):
    """What a transaction's units do to one product's stock on hand at one outlet.

    `delta`: units that left (-) or came onto (+) the shelf, each counted as it
    goes, and quantities of products without serial numbers. `arriving`: new
    In stock units, which label units counted without a serial first.
    `leaving`: units first recorded as they left the shelf (a sale's Record as
    new), which come off only units counted without a serial. `uncounted`: the
    transaction's change to the In stock units here that SerialTally does not
    hold yet (it is counted after stock).
    """

    delta: int = 0
    arriving: int = 0
    leaving: int = 0
    uncounted: int = 0


class MoveCause(NamedTuple):
    """Why stock on hand changes, for the `StockMove` rows `stock_apply` writes.

    Build it with `inventory.services.stock_moves.move_cause` from a user and a
    document; here it is ids only, as the JSON rows carry it.
    """

    reason: str
    user_id: int | None = None
    document_type_id: int | None = None
    document_id: int | None = None
    note: str = ""


_STOCK_COLUMNS = [
    ("product_id", "bigint"),
    ("outlet_id", "bigint"),
    ("delta", "bigint"),
    ("arriving", "bigint"),
    ("leaving", "bigint"),
    ("uncounted", "bigint"),
    ("reason", "text"),
    ("user_id", "bigint"),
    ("document_type_id", "bigint"),
    ("document_id", "bigint"),
    ("note", "text"),
]

_MOVE_COLUMNS = (
    "product_id, outlet_id, change, on_hand, reason, note, user_id, created_at, "
    "document_type_id, document_id"
)


def stock_apply(
    *,
    changes: Mapping[tuple[int, int], StockChange],
    cause: MoveCause,
    at: datetime,
    causes: Mapping[tuple[int, int], MoveCause] | None = None,
) -> None:
    """Apply each (product_id, outlet_id)'s stock change, locking the rows in that order.

    On hand becomes GREATEST(on_hand + delta, 0), so a count already lower than
    the units say never stops the move of a unit that is physically there; then
    of the units counted without a serial (on hand above the In stock units,
    SerialTally plus `uncounted`), arriving units label as many as there are
    and leaving units take off as many as there are. Missing rows are created
    first, in key order. Where the In stock count is read, or several rows
    change, PostgreSQL locks them in key order before the count is read: every
    change of In stock units updates its stock row before its tally, so the
    count read under the lock is the one the row goes with.

    Each pair whose on hand changes gets a `StockMove` row at `at`: its change,
    on hand after, and `cause` (or the pair's own in `causes`, as a claim's
    replacement sale has). On PostgreSQL the update returns the rows it changed
    straight into the insert, one statement; SQLite cannot read an UPDATE's
    RETURNING in a statement, so it inserts the moves first, computed by the
    same expression from the same rows. Two to four statements whatever the
    number of pairs.
    """
    pairs = {key: c for key, c in changes.items() if c.delta or c.arriving or c.leaving}
    if not pairs:
        return
    why = causes or {}
    stock, tally = StockLevel._meta.db_table, SerialTally._meta.db_table
    postgresql = _is_postgresql()
    greatest, least = ("GREATEST", "LEAST") if postgresql else ("MAX", "MIN")
    source, select = _json_rows(_STOCK_COLUMNS)
    rows = f"(SELECT {select}, r.position FROM {source}) AS v"
    data = json.dumps(
        [[*key, *change, *why.get(key, cause)] for key, change in sorted(pairs.items())]
    )
    stamp = connection.ops.adapt_datetimefield_value(at)
    shelf = f"{greatest}(s.on_hand + c.delta, 0)"
    without_serial = f"{greatest}({shelf} - c.in_stock, 0)"
    on_hand = (
        f"{shelf} + {greatest}(c.arriving - {without_serial}, 0) "
        f"- {least}(c.leaving, {without_serial})"
    )
    counted = (
        "SELECT v.product_id, v.outlet_id, v.delta, v.arriving, v.leaving, v.reason, "
        "v.user_id, v.document_type_id, v.document_id, v.note, "
        f'COALESCE(t."count", 0) + v.uncounted AS in_stock FROM {rows} '
        f"LEFT JOIN {tally} AS t ON t.product_id = v.product_id "
        "AND t.outlet_id = v.outlet_id AND t.status = %s"
    )
    in_stock = SerialStatus.IN_STOCK.value
    moves = StockMove._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {stock} (product_id, outlet_id, on_hand, updated_at) "
            f"SELECT v.product_id, v.outlet_id, 0, %s FROM {rows} WHERE true "
            "ORDER BY v.position ON CONFLICT (product_id, outlet_id) DO NOTHING",
            [stamp, data],
        )
        reads_count = any(change.arriving or change.leaving for change in pairs.values())
        if postgresql and (reads_count or len(pairs) > 1):
            cursor.execute(
                f"SELECT s.id FROM {stock} AS s JOIN {rows} ON s.product_id = v.product_id "
                "AND s.outlet_id = v.outlet_id ORDER BY s.product_id, s.outlet_id FOR UPDATE OF s",
                [data],
            )
        # Units that only label counted ones leave the row (and its updated_at) alone.
        changed = f"(c.arriving = 0 OR {on_hand} <> s.on_hand)"
        if postgresql:
            # `held` locks the rows (again, or first for a lone pair) and reads
            # them as they are under the lock, which this statement's snapshot
            # may not be; the update then works on that same version.
            cursor.execute(
                f"WITH c AS ({counted}), "
                f"held AS (SELECT s.id, s.on_hand FROM {stock} AS s JOIN c "
                "ON s.product_id = c.product_id AND s.outlet_id = c.outlet_id "
                "ORDER BY s.product_id, s.outlet_id FOR UPDATE OF s), "
                f"moved AS (UPDATE {stock} AS s SET on_hand = {on_hand}, updated_at = %s "
                "FROM c, held WHERE s.id = held.id AND s.product_id = c.product_id "
                f"AND s.outlet_id = c.outlet_id AND {changed} "
                "RETURNING s.product_id, s.outlet_id, s.on_hand - held.on_hand AS change, "
                "s.on_hand, c.reason, c.note, c.user_id, c.document_type_id, c.document_id) "
                f"INSERT INTO {moves} ({_MOVE_COLUMNS}) "
                "SELECT m.product_id, m.outlet_id, m.change, m.on_hand, m.reason, m.note, "
                "m.user_id, %s, m.document_type_id, m.document_id FROM moved AS m "
                "WHERE m.change <> 0 ORDER BY m.product_id, m.outlet_id",
                [data, in_stock, stamp, stamp],
            )
            return
        cursor.execute(
            f"INSERT INTO {moves} ({_MOVE_COLUMNS}) "
            f"SELECT s.product_id, s.outlet_id, {on_hand} - s.on_hand, {on_hand}, c.reason, "
            "c.note, c.user_id, %s, c.document_type_id, c.document_id "
            f"FROM {stock} AS s JOIN ({counted}) AS c ON s.product_id = c.product_id "
            f"AND s.outlet_id = c.outlet_id WHERE {on_hand} <> s.on_hand "
            "ORDER BY s.product_id, s.outlet_id",
            [stamp, data, in_stock],
        )
        cursor.execute(
            f"UPDATE {stock} AS s SET on_hand = {on_hand}, updated_at = %s FROM ({counted}) AS c "
            "WHERE s.product_id = c.product_id AND s.outlet_id = c.outlet_id "
            f"AND {changed}",
            [stamp, data, in_stock],
        )


_TALLY_COLUMNS = [
    ("product_id", "bigint"),
    ("outlet_id", "bigint"),
    ("status", "text"),
    ("n", "bigint"),
]


def _tally_rows(counts: Mapping[TallyKey, int]) -> str:
    """The JSON array of [product, outlet, status, n], in key order."""
    return json.dumps([[*key, n] for key, n in sorted(counts.items())])


def serial_tally_apply(*, deltas: Mapping[TallyKey, int]) -> None:
    """Add each change to its (product, outlet, status) count, in one or two statements.

    Call it after the units' rows are written, in the same transaction. The
    first statement touches every key, in key order: it creates missing rows
    and adds the increases, and in doing so locks the rows (PostgreSQL locks a
    conflicting row even where DO UPDATE's WHERE skips it). So every batch
    takes the tally's row locks in one (product, outlet, status) order, after
    its units' and its stock rows', and two batches cannot deadlock on them.
    The decreases follow as an UPDATE of rows this transaction holds already.
    They are two statements because a CHECK constraint applies to the row
    proposed by INSERT even when it conflicts, so a negative change cannot
    travel in EXCLUDED.

    A count that would go below zero stops at zero, as stock on hand does: a
    count gone wrong (say, units changed by hand in SQL) never stops a sale;
    `serial_tally_check` finds and fixes it.
    """
    changes = {key: n for key, n in deltas.items() if n}
    if not changes:
        return
    table = SerialTally._meta.db_table
    greatest = "GREATEST" if _is_postgresql() else "MAX"
    source, select = _json_rows(_TALLY_COLUMNS)
    rows = f"(SELECT {select}, r.position FROM {source}) AS v"
    upsert = (
        f'INSERT INTO {table} (product_id, outlet_id, status, "count") '
        f"SELECT v.product_id, v.outlet_id, v.status, {greatest}(v.n, 0) FROM {rows} "
        # WHERE true: SQLite would read "ON CONFLICT" as a join's ON otherwise.
        "WHERE true ORDER BY v.position "
        "ON CONFLICT (product_id, outlet_id, status) DO UPDATE "
        f'SET "count" = {table}."count" + EXCLUDED."count" WHERE EXCLUDED."count" > 0'
    )
    decreases = {key: n for key, n in changes.items() if n < 0}
    with connection.cursor() as cursor:
        cursor.execute(upsert, [_tally_rows(changes)])
        if decreases:
            cursor.execute(
                f'UPDATE {table} AS t SET "count" = {greatest}(t."count" + v.n, 0) FROM {rows} '
                "WHERE t.product_id = v.product_id AND t.outlet_id = v.outlet_id "
                "AND t.status = v.status",
                [_tally_rows(decreases)],
            )


def serial_tally_set(*, counts: Mapping[TallyKey, int]) -> None:
    """Set each (product, outlet, status) count to the value given, in key order, in one
    statement (the repair of `serial_tally_check`)."""
    if not counts:
        return
    table = SerialTally._meta.db_table
    source, select = _json_rows(_TALLY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (product_id, outlet_id, status, "count") '
            f"SELECT v.product_id, v.outlet_id, v.status, v.n "
            f"FROM (SELECT {select}, r.position FROM {source}) AS v "
            "WHERE true ORDER BY v.position "
            "ON CONFLICT (product_id, outlet_id, status) DO UPDATE "
            'SET "count" = EXCLUDED."count"',
            [_tally_rows(counts)],
        )


def stock_serial_gap_rows(*, outlet_id: int | None = None) -> list[tuple[int, int, int, int]]:
    """(product_id, outlet_id, on_hand, in_stock) of each serialised product and outlet
    whose stock on hand differs from its count of In stock units.

    One statement: stock levels and In stock counts are compared in the database,
    which sends back only the mismatches (about 1,100 of 18,000 pairs at a
    million serials), not every pair to compare in Python (30-57 ms).
    """
    where_outlet = "AND outlet_id = %s" if outlet_id is not None else ""
    outlet_params: list[int | str] = [outlet_id] if outlet_id is not None else []
    sql = f"""
        SELECT pair.product_id, pair.outlet_id, SUM(pair.on_hand), SUM(pair.in_stock)
        FROM (
            SELECT product_id, outlet_id, on_hand, 0 AS in_stock
            FROM {StockLevel._meta.db_table} WHERE on_hand > 0 {where_outlet}
            UNION ALL
            SELECT product_id, outlet_id, 0, count
            FROM {SerialTally._meta.db_table}
            WHERE status = %s AND count > 0 {where_outlet}
        ) AS pair
        JOIN {Product._meta.db_table} AS product ON product.id = pair.product_id
        WHERE product.has_serial_numbers
        GROUP BY pair.product_id, pair.outlet_id
        HAVING SUM(pair.on_hand) <> SUM(pair.in_stock)
    """
    params: list[int | str] = [*outlet_params, SerialStatus.IN_STOCK.value, *outlet_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(p), int(o), int(h), int(n)) for p, o, h, n in cursor.fetchall()]


def serial_records_receive(
    *,
    rows: Sequence[tuple[int, int, str, str]],
    order_id: int,
    created_by_id: int | None,
    created_at: datetime,
    quantities: Mapping[tuple[int, int], int] | None = None,
) -> int:
    """Insert the In stock units a stock order brought, in one statement, linked to the order.

    The sibling of `serial_records_insert` for Receive: the same (product_id,
    outlet_id, serial, normalised) rows, origin Received and `arrival_order` the
    order. `quantities` are the units of products without serial numbers that
    came too, by (product_id, outlet_id): they go on hand in the same
    `stock_apply` as the units, so the stock rows are locked once, in key
    order. A duplicate raises IntegrityError and nothing is inserted or counted.
    """
    inserted = 0
    if rows:
        source, select = _json_rows(
            [
                ("product_id", "bigint"),
                ("outlet_id", "bigint"),
                ("serial", "text"),
                ("norm", "text"),
            ]
        )
        sql = (
            f"INSERT INTO {SerialRecord._meta.db_table} (product_id, outlet_id, serial, "
            "serial_normalised, status, notes, origin, arrival_order_id, created_by_id, "
            "created_at, updated_at) "
            f"SELECT v.product_id, v.outlet_id, v.serial, v.norm, %s, '', %s, %s, %s, %s, %s "
            f"FROM (SELECT {select}, r.position FROM {source}) AS v ORDER BY v.position"
        )
        stamp = connection.ops.adapt_datetimefield_value(created_at)
        status, origin = SerialStatus.IN_STOCK.value, SerialEventKind.RECEIVED.value
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [status, origin, order_id, created_by_id, stamp, stamp, json.dumps(rows)]
            )
            inserted = cursor.rowcount
    placed = Counter((product_id, outlet_id) for product_id, outlet_id, *_ in rows)
    # Delivered units come onto the shelf: +1 each, even where the outlet counts
    # units without a serial (those are other, older units; a count labels them).
    changes = {key: StockChange(delta=n, uncounted=n) for key, n in placed.items()}
    for key, n in (quantities or {}).items():
        if n:
            changes[key] = changes.get(key, StockChange())._replace(delta=n)
    # Their stock moves say Received, by the user, on the order.
    cause = MoveCause(
        StockMoveReason.RECEIVED,
        user_id=created_by_id,
        document_type_id=ContentType.objects.get_for_model(StockOrder).pk,
        document_id=order_id,
    )
    stock_apply(changes=changes, cause=cause, at=created_at)
    serial_tally_apply(
        deltas={(*key, SerialStatus.IN_STOCK.value): n for key, n in placed.items()}
    )
    return inserted


def stock_order_expected_insert(*, order_id: int, rows: Sequence[tuple[int, str, str]]) -> int:
    """Insert a Supplier list's (line_id, serial, normalised) rows in one statement.

    A serial the line already expects is skipped (ON CONFLICT on the line's
    unique serial); returns how many were added.
    """
    if not rows:
        return 0
    source, select = _json_rows([("line_id", "bigint"), ("serial", "text"), ("norm", "text")])
    sql = (
        f"INSERT INTO {StockOrderExpected._meta.db_table} "
        "(order_id, line_id, serial, serial_normalised, received) "
        f"SELECT %s, v.line_id, v.serial, v.norm, %s "
        f"FROM (SELECT {select}, r.position FROM {source}) AS v WHERE true ORDER BY v.position "
        "ON CONFLICT (line_id, serial_normalised) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [order_id, False, json.dumps(rows)])
        return cursor.rowcount


def count_scans_add(
    *,
    count_id: int,
    open_status: str,
    rows: Sequence[tuple[str, str, int | None, int]],
    user_id: int | None,
    at: datetime,
) -> list[tuple[int, str, int]]:
    """Add (serial, key, product_id, repeats) scans to an open inventory count, one statement.

    A key the count has already bumps its row's `repeats` instead (ON CONFLICT on the
    count's unique key), so several devices scanning one count at once never count a
    unit twice nor lose a scan; `rows` hold each key once, with the times it repeats
    within them. A GS1 product fills a row that had none. Nothing is added when the
    count is no longer `open_status`: on PostgreSQL the count row is read FOR SHARE,
    so a scan waits for an Apply holding it FOR UPDATE and then sees it Applied
    (SQLite has one writer at a time and reads it after that writer). Returns the
    (id, key, repeats) of each row written, none if the count is closed.
    """
    if not rows:
        return []
    table = InventoryCountScan._meta.db_table
    counts = InventoryCount._meta.db_table
    share = " FOR SHARE" if _is_postgresql() else ""
    source, select = _json_rows(
        [("serial", "text"), ("norm", "text"), ("product_id", "bigint"), ("repeats", "bigint")]
    )
    sql = (
        f"WITH c AS (SELECT id FROM {counts} WHERE id = %s AND status = %s{share}) "
        f"INSERT INTO {table} "
        "(count_id, serial, serial_normalised, product_id, repeats, user_id, created_at) "
        "SELECT c.id, v.serial, v.norm, v.product_id, v.repeats, %s, %s "
        f"FROM c, (SELECT {select}, r.position FROM {source}) AS v "
        "WHERE true ORDER BY v.position "
        "ON CONFLICT (count_id, serial_normalised) DO UPDATE "
        f"SET repeats = {table}.repeats + EXCLUDED.repeats + 1, "
        f"product_id = COALESCE({table}.product_id, EXCLUDED.product_id) "
        "RETURNING id, serial_normalised, repeats"
    )
    stamp = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(sql, [count_id, open_status, user_id, stamp, json.dumps(rows)])
        return [(int(pk), key, int(repeats)) for pk, key, repeats in cursor.fetchall()]
