"""Export CSV of the Serial numbers list: two paths that write the same bytes.

On PostgreSQL the file streams from `COPY (SELECT ...) TO STDOUT`: the SELECT is
the list's own queryset (its filters and order) with every label resolved and
every cell made formula-safe in SQL, so Python only passes the database's rows
on (over 100,000 rows/s, `python -m bench.export_csv`). Elsewhere (SQLite)
Python's csv module writes rows fetched in chunks, which is slower. A plain
query outside a transaction would make Django declare its cursor WITH HOLD, and
PostgreSQL would write the whole result to a temporary file before the first
row; COPY sends rows as the query produces them.
"""

import itertools
from collections.abc import Generator
from contextlib import nullcontext

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, F, Func, QuerySet, TextField, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import NullIf, Ord
from django.db.models.lookups import Exact, In
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import SerialRecord, SerialStatus
from inventory.selectors.serials import serial_export_rows
from lib.csvfile import csv_cell_escape, csv_head, csv_rows

# Databases whose export is a COPY; any other writes its CSV in Python.
COPY_VENDORS = frozenset({"postgresql"})

# "Date added" as spreadsheets read it in any locale, in the shop's time zone:
# the same format for Python's strftime and PostgreSQL's to_char.
DATE_ADDED_FORMAT = "%Y-%m-%d %H:%M"
DATE_ADDED_SQL_FORMAT = "YYYY-MM-DD HH24:MI"

# csv_cell_escape's rule, the one copy of it in SQL: a cell whose first
# character after any leading ' is one of these gets one more leading '.
# tests/inventory/test_export_copy.py checks both against each other.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def serial_export_header() -> list[str]:
    """The export's column names, in the active language."""
    return [
        _("Serial number"),
        _("Product"),
        _("SKU"),
        _("Outlet"),
        _("Status"),
        _("Date added"),
        _("Notes"),
    ]


def serial_export_chunks(
    queryset: QuerySet[SerialRecord], *, chunk_rows: int, copy: bool = True
) -> Generator[bytes, None, None]:
    """The CSV of `queryset`'s rows in its order, as bytes: BOM and header, then
    pieces of `chunk_rows` rows (the last one shorter).

    Closing the generator (the server does when the client goes away) ends the
    query and leaves the connection usable. On PostgreSQL the COPY holds the
    connection while it streams: run no other query on it between two pieces
    (psycopg's connection lock would make it wait for ever); a background job
    reporting progress between pieces passes `copy=False` (the Python path).
    """
    head = csv_head(serial_export_header()).encode()
    connection = connections[queryset.db]
    if not copy or connection.vendor not in COPY_VENDORS:
        chunks = _python_chunks(queryset, head=head, chunk_rows=chunk_rows)
        # Runs the query now, so a database error gives an error page rather
        # than a file cut short.
        next(chunks)
        return chunks
    # Built now, so a query that cannot be built is an error page. COPY itself
    # waits for the first read: the connection must stay free until the
    # response leaves the middleware (the session is saved on every request),
    # and a COPY in progress holds it. Should the database fail after that,
    # the download stops short and the browser reports it failed.
    try:
        select, params = _copy_select(queryset)
    except EmptyResultSet:
        # A queryset that can match nothing (invalid filters) has no SQL.
        return (piece for piece in (head,))
    statement = f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER false)"
    return _copy_chunks(connection, statement, params, head=head, chunk_rows=chunk_rows)


# Python's path ----------------------------------------------------------------


def _python_cells(row: tuple) -> list[str]:
    """A row's cells as text, which the CSV writer makes formula-safe."""
    *values, created_at, notes = row
    added = timezone.localtime(created_at).strftime(DATE_ADDED_FORMAT)
    return [str(value) for value in (*values, added, notes)]


def _python_chunks(
    queryset: QuerySet[SerialRecord], *, head: bytes, chunk_rows: int
) -> Generator[bytes, None, None]:
    rows = serial_export_rows(queryset)
    try:
        chunk = list(itertools.islice(rows, chunk_rows))
        yield b""
        yield head
        while chunk:
            yield csv_rows(_python_cells(row) for row in chunk).encode()
            chunk = list(itertools.islice(rows, chunk_rows))
    finally:
        rows.close()


# PostgreSQL's COPY ------------------------------------------------------------


def _formula_safe(expression: Combinable) -> Case:
    """`expression` as csv_cell_escape writes it: FORMULA_STARTS, compared by code.

    A cell's first character code costs no copy of its text; only a cell that
    starts with a quote is trimmed to look behind its quotes (a quarter less
    database time for 1,000,000 rows than trimming every cell).
    """
    codes = [ord(start) for start in FORMULA_STARTS]
    first = Ord(expression)
    behind_quotes = Ord(Func(expression, Value("'"), function="LTRIM", output_field=TextField()))
    quoted = Func(
        Value("'"),
        expression,
        template="(%(expressions)s)",
        arg_joiner=" || ",
        output_field=TextField(),
    )
    return Case(
        When(In(first, codes), then=quoted),
        When(Exact(first, ord("'")) & In(behind_quotes, codes), then=quoted),
        default=expression,
        output_field=TextField(),
    )


def _status_label() -> Case:
    """The status's label in the active language, escaped in Python: labels are constants."""
    labels = [
        When(status=value, then=Value(csv_cell_escape(str(label))))
        for value, label in SerialStatus.choices
    ]
    return Case(*labels, default=_formula_safe(F("status")), output_field=TextField())


def _date_added() -> Func:
    """created_at in the shop's time zone as DATE_ADDED_FORMAT; a date is never formula-like."""
    local = Func(
        F("created_at"),
        Value(timezone.get_current_timezone_name()),
        template="(%(expressions)s)",
        arg_joiner=" AT TIME ZONE ",
    )
    return Func(
        local,
        Value(DATE_ADDED_SQL_FORMAT),
        function="to_char",
        output_field=TextField(),
    )


def _copy_select(queryset: QuerySet[SerialRecord]) -> tuple[str, tuple]:
    """The SELECT of the export's cells over `queryset`, keeping its filters and order.

    COPY writes NULL as an empty cell and an empty text as `""`; Python's csv
    writes an empty text as an empty cell, hence NULLIF.
    """
    cells = {
        "export_serial": _formula_safe(F("serial")),
        "export_product": _formula_safe(F("product__name")),
        "export_sku": _formula_safe(F("product__sku")),
        "export_outlet": _formula_safe(F("outlet__name")),
        "export_status": _status_label(),
        "export_added": _date_added(),
        "export_notes": _formula_safe(F("notes")),
    }
    columns = {
        name: NullIf(cell, Value(""), output_field=TextField()) for name, cell in cells.items()
    }
    rows = queryset.annotate(**columns).values_list(*columns)
    return rows.query.get_compiler(using=queryset.db).as_sql()


def _copy_read(copy, rows: int) -> bytes:
    """Up to `rows` rows from `copy`, ending each in CRLF as Python's csv module does.

    libpq hands over one row per read, ending in the LF that COPY writes after
    every row (a new line inside a cell is inside its quotes), so swapping the
    last byte is all the conversion there is.
    """
    lines = []
    for _row in range(rows):
        line = copy.read()
        if not line:
            break
        lines.append(line[:-1])
    if lines:
        lines.append(b"")
    return b"\r\n".join(lines)


def _copy_chunks(
    connection: BaseDatabaseWrapper,
    statement: str,
    params: tuple,
    *,
    head: bytes,
    chunk_rows: int,
) -> Generator[bytes, None, None]:
    yield head
    with connection.wrap_database_errors, connection.cursor() as cursor:
        # Shown in connection.queries like any query when debugging (and in
        # tests); Django's own debug `copy` takes no parameters, hence psycopg's.
        debug_sql = getattr(cursor, "debug_sql", None)
        logged = debug_sql(statement, params) if debug_sql else nullcontext()
        # Leaving this block early (GeneratorExit at a yield) makes psycopg cancel
        # the COPY and read what the server had already sent, so the connection
        # is idle again before Django reuses it.
        with logged, cursor.cursor.copy(statement, params) as copy:
            while chunk := _copy_read(copy, chunk_rows):
                yield chunk
