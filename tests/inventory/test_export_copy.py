"""Export CSV through PostgreSQL's COPY and through Python: the same bytes, the
list's rows and order, and a connection left usable when the client goes away.

On PostgreSQL every test runs the COPY path and, where it says so, the Python
path too; on SQLite the Python path, the only one there.
"""

import csv
import io
import random
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory import exports, selectors
from inventory.filters import SerialRecordFilter
from inventory.models import SerialRecord, SerialStatus
from inventory.views import serials as serial_views
from lib.csvfile import csv_cell_escape
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

EXPORT_URL = reverse("inventory:serial_export")
HEADER = "\ufeffSerial number,Product,SKU,Outlet,Status,Date added,Notes\r\n"


def export_bytes(client, query=None):
    response = client.get(EXPORT_URL, query or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content)


def expected_bytes(query):
    """What Export CSV must write for `query`: the list's rows, in its order, written
    cell by cell with Python's csv module (the oracle for both paths)."""
    filterset = SerialRecordFilter(query, queryset=selectors.serial_list())
    assert filterset.is_valid(), filterset.errors
    out = io.StringIO()
    writer = csv.writer(out)
    for record in filterset.qs:
        added = timezone.localtime(record.created_at).strftime("%Y-%m-%d %H:%M")
        cells = [
            record.serial,
            record.product.name,
            record.product.sku,
            record.outlet.name,
            record.get_status_display(),
            added,
            record.notes,
        ]
        writer.writerow([csv_cell_escape(cell) for cell in cells])
    return (HEADER + out.getvalue()).encode()


# What a user sees -------------------------------------------------------------


@pytest.mark.django_db
def test_tricky_cells_are_exported_as_exactly_these_bytes(staff_client, settings):
    settings.TIME_ZONE = "Europe/Paris"
    cafe = ProductFactory(name='Café "Crème", grande', sku="=CC-1")
    plain = ProductFactory(name="Plain", sku="PL-1")
    eglise = OutletFactory(name="@Église\nNord")
    harbour = OutletFactory(name="Harbour")
    for serial, product, outlet, status, notes, created_at in [
        ("=1+2", cafe, eglise, "sold", 'Line one\nline "two"', "2026-01-15T23:30:59"),
        ("'-5", cafe, harbour, "faulty", "\tTabbed\r", "2026-03-29T00:59:00"),
        ("SN;4", plain, harbour, "written_off", "-dash, comma", "2026-03-29T01:00:00"),
        ("ÆØÅ-ñ", cafe, eglise, "in_stock", "", "2026-07-01T10:05:00"),
    ]:
        SerialRecordFactory(
            serial=serial,
            product=product,
            outlet=outlet,
            status=status,
            notes=notes,
            created_at=datetime.fromisoformat(created_at).replace(tzinfo=UTC),
        )

    content = export_bytes(staff_client)

    # Newest first; Paris time (summer time from 29 March, 01:00 UTC); formula
    # starts behind one more '; quotes doubled; an empty note is an empty cell.
    assert (
        content
        == (
            HEADER + 'ÆØÅ-ñ,"Café ""Crème"", grande",\'=CC-1,"\'@Église\nNord",In stock,'
            "2026-07-01 12:05,\r\n"
            'SN;4,Plain,PL-1,Harbour,Written off,2026-03-29 03:00,"\'-dash, comma"\r\n'
            '\'\'-5,"Café ""Crème"", grande",\'=CC-1,Harbour,Faulty,2026-03-29 01:59,'
            '"\'\tTabbed\r"\r\n'
            '\'=1+2,"Café ""Crème"", grande",\'=CC-1,"\'@Église\nNord",Sold,2026-01-16 00:30,'
            '"Line one\nline ""two"""\r\n'
        ).encode()
    )


FORMULA_LIKE_STARTS = ["", "=", "+", "-", "@", "'", "''="]


def _fill_with_hostile_text(count):
    """`count` units whose texts mix accents, quotes, separators, formula starts and new lines."""
    pick = random.Random(11)
    alphabet = list("aZ09 é€ÆØ😀'\",;=+-@\t\r\n")

    def text(size):
        return "".join(pick.choice(alphabet) for _ in range(pick.randint(0, size)))

    products = [ProductFactory(name=text(12) or "P", sku=f"{text(4)}-{n}") for n in range(3)]
    outlets = [OutletFactory(name=f"{text(10)} {n}") for n in range(3)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(count):
        serial = pick.choice(FORMULA_LIKE_STARTS) + f"{text(6)}é{n}"
        SerialRecordFactory(
            serial=serial,
            product=pick.choice(products),
            outlet=pick.choice(outlets),
            status=pick.choice(SerialStatus.values),
            notes=text(20),
            created_at=start + timedelta(minutes=pick.randint(0, 800_000)),
        )
    return products[0], outlets[0]


QUERIES = [
    {},
    {"sort": "serial"},
    {"sort": "-product"},
    {"sort": "outlet"},
    {"sort": "status"},
    {"sort": "-added"},
    {"q": "é1"},
    {"status": "sold"},
    {"product": "<first product>"},
    {"outlet": "<first outlet>", "sort": "-serial"},
    {"added_from": "2025-03-01", "added_to": "2025-09-30"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_each_path_exports_the_lists_rows_in_its_order_as_the_same_bytes(
    staff_client, settings, monkeypatch, query
):
    settings.TIME_ZONE = "America/New_York"
    product, outlet = _fill_with_hostile_text(60)
    query = {
        key: {"<first product>": product.pk, "<first outlet>": outlet.pk}.get(value, value)
        for key, value in query.items()
    }
    expected = expected_bytes(query)
    assert expected.count(b"\r\n") > 1  # the list has rows for this query

    # PostgreSQL's COPY path, then its Python path; SQLite's Python path twice.
    for vendors in (exports.COPY_VENDORS, frozenset()):
        monkeypatch.setattr(exports, "COPY_VENDORS", vendors)
        assert export_bytes(staff_client, query) == expected


@pytest.mark.django_db
def test_invalid_filters_export_only_the_header(staff_client):
    SerialRecordFactory(serial="HIDDEN-1")
    assert export_bytes(staff_client, {"product": "abc"}) == HEADER.encode()


@pytest.mark.django_db
def test_the_sql_formula_rule_is_the_python_one():
    """Every first character, behind zero to two quotes: SQL escapes exactly what
    csv_cell_escape escapes."""
    firsts = [chr(code) for code in range(1, 128)] + ["＝", "é", "😀"]
    texts = [f"{quotes}{first}x" for quotes in ("", "'", "''") for first in firsts]
    texts += ["", "'", "''", "=", "'-"]
    product, outlet = ProductFactory(), OutletFactory()
    SerialRecord.objects.bulk_create(
        SerialRecord(
            product=product, outlet=outlet, serial=f"S{n}", serial_normalised=f"s{n}", notes=text
        )
        for n, text in enumerate(texts)
    )
    rows = SerialRecord.objects.annotate(safe=exports._formula_safe(F("notes")))
    found = {row.notes: row.safe for row in rows}
    assert found == {text: csv_cell_escape(text) for text in texts}
    assert found["=x"] == "'=x" and found["''\tx"] == "'''\tx" and found["ax"] == "ax"
    # Constants go through the same rule.
    assert SerialRecord.objects.annotate(safe=exports._formula_safe(Value("@cmd"))).values_list(
        "safe", flat=True
    )[0] == ("'@cmd")


@pytest.mark.django_db
def test_no_hostile_filter_breaks_the_file_once_it_streams(staff_client):
    """COPY runs after the response has started, where an error can only cut the
    file short: each filter's hostile values give the list's rows or none."""
    from tests.test_hostile_input import HOSTILE_VALUES

    SerialRecordFactory(serial="FULL-1")
    for name in ("q", "product", "outlet", "status", "added_from", "added_to", "sort"):
        for kind, value in HOSTILE_VALUES.items():
            if kind == "nul":
                # Refused before any view (config's middleware), export or not.
                assert staff_client.get(EXPORT_URL, {name: value}).status_code == 400
                continue
            content = export_bytes(staff_client, {"sort": "-serial", name: value})
            assert content.startswith(HEADER.encode()), (name, kind)
    # The fullwidth text is the unit's own serial, as typed on another keyboard.
    assert export_bytes(staff_client, {"q": HOSTILE_VALUES["fullwidth"]}).count(b"FULL-1") == 1


# How it runs ------------------------------------------------------------------


@pytest.mark.django_db
def test_on_postgresql_the_export_is_one_copy_without_a_cursor_with_hold(staff_client, product):
    SerialRecordFactory.create_batch(3, product=product)
    with CaptureQueriesContext(connection) as queries:
        content = export_bytes(staff_client)
    assert content.count(b"\r\n") == 4
    statements = [query["sql"] for query in queries.captured_queries]
    copies = [sql for sql in statements if sql.startswith("COPY (SELECT")]
    if connection.vendor == "postgresql":
        assert len(copies) == 1, statements
        assert copies[0].endswith("TO STDOUT WITH (FORMAT csv, HEADER false)")
        assert not [sql for sql in statements if "DECLARE" in sql or "WITH HOLD" in sql]
    else:
        assert copies == []


def _insert_long_lines(count):
    """`count` units whose lines are about 450 bytes (long notes), in one statement."""
    product, outlet = ProductFactory(), OutletFactory()
    table = SerialRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
            f"INSERT INTO {table} (product_id, outlet_id, serial, serial_normalised, status, "
            "notes, origin, created_at, updated_at) "
            "SELECT %s, %s, 'X' || i, 'x' || i, 'in_stock', %s, 'added', %s, %s FROM n",
            [count, product.pk, outlet.pk, "n" * 400, timezone.now(), timezone.now()],
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pieces_read", [0, 1, 3])
def test_an_export_the_client_leaves_half_read_leaves_the_connection_usable(
    client, monkeypatch, pieces_read
):
    """Outside a transaction, as in production. 40,000 lines of 450 bytes: the
    COPY is still sending when the download stops after the header and two chunks
    (the header alone, nothing at all: the COPY has not started)."""
    client.force_login(UserFactory(username="sam", groups=["Staff"]))
    monkeypatch.setattr(serial_views, "EXPORT_CHUNK_ROWS", 100)
    _insert_long_lines(40_000)
    # A persistent connection, as in production, so the end of the request
    # keeps it for the next one.
    database = connections[DEFAULT_DB_ALIAS]
    monkeypatch.setitem(database.settings_dict, "CONN_MAX_AGE", 600)
    monkeypatch.setattr(database, "close_at", time.monotonic() + 600)

    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    pieces = iter(response.streaming_content)
    read = [next(pieces) for _ in range(pieces_read)]
    in_use = connection.connection
    response.close()  # what the server does when the client goes away

    assert b"".join(read).count(b"\r\n") == min(pieces_read, 1) + 100 * max(pieces_read - 1, 0)
    assert connection.connection is in_use
    if connection.vendor == "postgresql":
        # Checked first: a COPY left open would hold the connection's lock, and
        # the next query would wait for ever instead of failing.
        assert in_use.info.transaction_status.name == "IDLE"
    assert connection.is_usable()
    assert SerialRecord.objects.count() == 40_000
    monkeypatch.setattr(serial_views, "EXPORT_CHUNK_ROWS", 2000)
    assert export_bytes(client, {"q": "x39999"}).count(b"\r\n") == 2


# Access -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_export_is_sent_to_log_in(client):
    response = client.get(EXPORT_URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_exporting_without_the_view_permission_is_refused(client):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(EXPORT_URL).status_code == 403


@pytest.mark.django_db
def test_posting_to_the_export_is_refused(staff_client):
    assert staff_client.post(EXPORT_URL).status_code == 405
