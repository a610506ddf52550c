"""Benchmark: every page of issues 11 and 22, and the API's list, at 1,000,000 serials.

`make bench-scale`.

Loads a throwaway PostgreSQL database `serialdesk_bench_scale` with set-based SQL
(2,000 products, 20 outlets, 1,000,000 serials over three years, 300,000 history
rows, one unit with 1,000 of them, stock levels), then, as a Manager, times each
page through Django's test client with production settings (debug off): median
and max server time of several rounds, response size and query count, against
the issue's target, with the 1-minute load average when each finished. Background
jobs (Export CSV of a long list, Import CSV) are timed to done: the job is run in
this process as the worker runs it. Where a floor exists (the direct stream of the
same rows, a bare COPY of the same rows) it is measured in the same run and the
ratio shown. Then the benchmarks through real servers (gunicorn, Chromium) run as
subprocesses, and a summary judges issue 22's five points. The database is
dropped afterwards unless `--keep`.

    make bench-scale
    .venv/bin/python -m bench.scale --reuse                    # load once, keep it
    .venv/bin/python -m bench.scale --reuse --only 'list-*' --rounds 3
    .venv/bin/python -m bench.scale --reuse --skip-http        # the test client's table only
    .venv/bin/python -m bench.scale --list                     # the measurements' names
"""

import argparse
import base64
import fnmatch
import importlib.util
import logging
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.harness import PG_SERVER, ROOT
from bench.scale_report import (
    API_DATES_MS,
    DASHBOARD_MS,
    EXPORT_JOB_ROWS_PER_S,
    LOOKUP_PARTIAL_MS,
    HttpOutcome,
    Result,
    floors_link,
    load_average,
    memory_growth,
    points,
    points_report,
    table,
)

PG_DATABASE = "serialdesk_bench_scale"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

PRODUCTS = 2_000
SERIALISED_PRODUCTS = 1_900
OUTLETS = 20
SERIALS = 1_000_000
EVENTS = 300_000
LONG_HISTORY = 1_000
# Sales for the Dashboard's chart: one per unit Sold (at its "sold" event's time),
# and these of products without serial numbers over the three years; a claim on
# every CLAIM_EVERY-th unit sold.
PLAIN_SALES = 100_000
CLAIM_EVERY = 100
# Units recorded together (one "Add Serial numbers" or import): same product,
# outlet, user and time, as the real table fills.
UNITS_PER_BATCH = 100
YEARS = 3
STAFF_USERS = 8
# Issue 11's target for the direct export of every row.
EXPORT_ROWS_PER_SECOND = 100_000
# The list Export CSV sends to a background job (about 200,000 rows: over the
# 100,000 that make the button start a job), and one about a seventh as long,
# whose job's peak memory shows whether the job's grows with its rows.
EXPORT_JOB_QUERY = "status=sold"
EXPORT_PROBE_QUERY = "status=faulty"
IMPORT_ROWS = 100_000
ADD_ROWS = 10_000
# Look up serial with part of a serial: the digits of about a dozen units.
PARTIAL_SERIAL = "0042424"
# Busy loops beside the "-busy" measurements, each ending by itself after this long.
BUSY_LOOPS, BUSY_SECONDS = 2, 120

BRANDS = ["Acme", "Borealis", "Corvid", "Dynamo", "Ember", "Fathom", "Gantry", "Halcyon"]
KINDS = ["Laptop", "Phone", "Tablet", "Monitor", "Router", "Drill", "Camera", "Speaker"]
CITIES = [
    "Aberdeen", "Bath", "Cardiff", "Derby", "Exeter", "Falkirk", "Glasgow", "Hull",
    "Inverness", "Kendal", "Leeds", "Margate", "Norwich", "Oxford", "Perth", "Reading",
    "Salford", "Truro", "Wells", "York",
]  # fmt: skip


# The measurements ----------------------------------------------------------


@dataclass
class Fixtures:
    """What the measurements point at, found in the loaded database."""

    user_id: int
    serials: int
    product: int  # the product with the most units
    product_sku: str
    outlet: int
    lookup_serials: list[str]
    unit: int  # the unit with 1,000 history events
    day_from: str
    day_to: str
    refused: list[str]  # serials of `product` already recorded
    import_skus: list[str]
    import_products: list[int]  # the ids of import_skus, in the same order
    outlet_names: list[str]
    outlet_ids: list[int]  # in the order of outlet_names
    sold: int  # rows of the list the export job writes (EXPORT_JOB_QUERY)
    deep: str  # the default sort's page token 250,000 rows in
    api_deep: str  # the API's cursor 250,000 rows in (newest first by id)
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6].upper())


@dataclass(frozen=True)
class Body:
    """A POST body, encoded before the clock starts."""

    content_type: str
    data: bytes


@dataclass(frozen=True)
class Measurement:
    """One row of the table: a request made `rounds` times, timed on the server side.

    `url` may hold `{placeholders}` filled from `Fixtures`, or be a function of the
    fixtures and the round (0 is the untimed warm-up, whose queries are counted).
    """

    name: str
    label: str
    method: str
    url: str | Callable[[Fixtures, int], str]
    target_ms: float | None = None
    status: int = 200
    body: Callable[[Fixtures, int], Body] | None = None
    stream: bool = False
    # Fewer rounds than --rounds for the slow ones.
    rounds: int | None = None
    # Untimed, after each round: undo what a write added, so the table stays as loaded.
    after_round: Callable[[Fixtures], None] | None = None
    # A page another change adds: a 404 skips it with a note instead of failing.
    optional: bool = False
    # The answer is a background job's page: the clock runs on until the job, run
    # here as the worker runs it, is done.
    job: bool = False
    # The rows a round must write (stream) or record (job), to be complete.
    rows: Callable[[Fixtures], int] | None = None
    min_rate: float | None = None  # rows/s at least
    # Another entry of MEASUREMENTS whose median is this one's floor, and the most
    # times that floor the median may be.
    floor: str | None = None
    max_ratio: float | None = None
    # A job whose peak memory must not grow with its rows: the same request on a
    # shorter list, whose job's peak is compared with the warm-up's (tracemalloc).
    memory_probe: str | None = None
    # CPU loops kept busy beside the timed rounds.
    busy: bool = False


@dataclass(frozen=True)
class CopyFloor:
    """A floor: a bare COPY of `rows` new serials into the serial table, with its COMMIT.

    The least the database does to hold the rows an add or an import records
    (they write no history row: the unit's origin is a column). The rows are made
    before the clock starts and deleted after each round, untimed. `spread`: over
    the import's products and every outlet, as its file is; else one product at one
    outlet, as Add Serial numbers.
    """

    name: str
    label: str
    rows: int
    spread: bool
    rounds: int | None = None


@dataclass(frozen=True)
class HttpBench:
    """A benchmark through real servers, run as a subprocess; its summary lines are shown.

    `summary`: a regular expression the lines to show match. `on_database`: it runs
    on the loaded database, named with `--database NAME` (by default it takes
    PG_DATABASE); else it makes its own.
    """

    name: str
    label: str
    module: str
    arguments: tuple[str, ...]
    summary: str
    on_database: bool
    timeout: int


def _lookup_url(fixtures: Fixtures, round_number: int) -> str:
    # Another unit each round, typed as a clerk might: lower case, spaces around.
    serial = fixtures.lookup_serials[round_number % len(fixtures.lookup_serials)]
    return "/inventory/serials/lookup/?" + urlencode({"q": f" {serial.lower()} "})


def _form(data: dict[str, Any]) -> Body:
    return Body("application/x-www-form-urlencoded", urlencode(data).encode())


def _add_new(fixtures: Fixtures, round_number: int) -> Body:
    prefix = f"BSA{fixtures.run}-{round_number}"
    serials = ", ".join(f"{prefix}-{n:05d}" for n in range(ADD_ROWS))
    return _form(
        {"product": fixtures.product, "outlet": fixtures.outlet, "serial_numbers": serials}
    )


def _add_refused(fixtures: Fixtures, round_number: int) -> Body:
    serials = ", ".join(fixtures.refused)
    return _form(
        {"product": fixtures.product, "outlet": fixtures.outlet, "serial_numbers": serials}
    )


def _import_csv(fixtures: Fixtures, round_number: int) -> Body:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import BOUNDARY, encode_multipart

    lines = ["serial,product SKU,outlet"]
    skus, outlets = fixtures.import_skus, fixtures.outlet_names
    for n in range(IMPORT_ROWS):
        serial = f"BSI{fixtures.run}-{round_number}-{n:06d}"
        lines.append(f"{serial},{skus[n % len(skus)]},{outlets[n % len(outlets)]}")
    upload = SimpleUploadedFile("serials.csv", "\n".join(lines).encode(), "text/csv")
    # Not the test client's MULTIPART_CONTENT object: with it the client would encode again.
    return Body(
        f"multipart/form-data; boundary={BOUNDARY}", encode_multipart(BOUNDARY, {"file": upload})
    )


def _api_add_new(fixtures: Fixtures, round_number: int) -> Body:
    import json

    serials = [f"BSP{fixtures.run}-{round_number}-{n:05d}" for n in range(10_000)]
    body = {"product": fixtures.product, "outlet": fixtures.outlet, "serials": serials}
    return Body("application/json", json.dumps(body).encode())


def _serials_delete(fixtures: Fixtures) -> int:
    """Delete the units the benchmark's user recorded; how many."""
    from django.db import connection

    from inventory.models import SerialRecord

    # One statement: the ORM's delete would fetch every id to cascade to events.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {SerialRecord._meta.db_table} WHERE created_by_id = %s",
            [fixtures.user_id],
        )
        return cursor.rowcount


def _jobs_forget(fixtures: Fixtures) -> None:
    """Delete the benchmark user's background jobs and their tasks (files: MEDIA_ROOT is
    a temporary folder of the run)."""
    from django_tasks_db.models import DBTaskResult

    from inventory.models import SerialJob

    jobs = SerialJob.objects.filter(user_id=fixtures.user_id)
    tasks = [task for task in jobs.values_list("task_id", flat=True) if task]
    DBTaskResult.objects.filter(id__in=tasks).delete()
    jobs.delete()


def _delete_bench_writes(fixtures: Fixtures) -> None:
    """Undo what the benchmark's user recorded: units, their stock on hand and its moves,
    the counts, and the jobs."""
    from django.db import connection, transaction

    from inventory.models import StockLevel, StockMove
    from inventory.services import serial_tally_rebuild

    stock, moves = StockLevel._meta.db_table, StockMove._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Units recorded In stock put their stock on hand up, by moves of this user.
        cursor.execute(
            f"UPDATE {stock} s SET on_hand = s.on_hand - m.change FROM (SELECT product_id, "
            f"outlet_id, sum(change) AS change FROM {moves} WHERE user_id = %s "
            "GROUP BY product_id, outlet_id) m "
            "WHERE s.product_id = m.product_id AND s.outlet_id = m.outlet_id",
            [fixtures.user_id],
        )
        cursor.execute(f"DELETE FROM {moves} WHERE user_id = %s", [fixtures.user_id])
        _serials_delete(fixtures)
        # Deleted behind the services' back: their counts too.
        serial_tally_rebuild(dry_run=False)
    _jobs_forget(fixtures)


def _dashboard_forget(fixtures: Fixtures) -> None:
    """The next Dashboard is a first view: it works out the trends itself."""
    from reports.models import DashboardSnapshot

    DashboardSnapshot.objects.all().delete()


def _dashboard_age(fixtures: Fixtures) -> None:
    """The next Dashboard finds its trends an hour old and queues their refresh (no worker
    runs here, so the queued task is dropped again)."""
    from django.db.models import F
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from reports.models import DashboardSnapshot

    # Aged once: the same stale snapshot every round, as pages see it until a worker
    # has refreshed it; each round asks for the refresh again.
    DashboardSnapshot.objects.filter(taken_at__gt=timezone.now() - timedelta(minutes=30)).update(
        taken_at=F("taken_at") - timedelta(hours=1)
    )
    DashboardSnapshot.objects.update(refresh_requested_at=None)
    DBTaskResult.objects.filter(task_path="reports.tasks.dashboard_refresh_task").delete()


LIST = "/inventory/serials/"
API_LIST = "/api/v1/serial-numbers/"
EXPORT_JOB = "/inventory/jobs/export/"

MEASUREMENTS: list[Measurement | CopyFloor] = [
    Measurement("lookup", "look up one serial (header box)", "GET", _lookup_url, 10, status=302),
    Measurement(
        "lookup-partial",
        "look up part of a serial (the matches listed)",
        "GET",
        "/inventory/serials/lookup/?" + urlencode({"q": PARTIAL_SERIAL}),
        LOOKUP_PARTIAL_MS,
    ),
    Measurement("list", "Serial numbers list, first page, no filter", "GET", LIST, 150),
    Measurement(
        "list-product", "list filtered by product", "GET", LIST + "?product={product}", 150
    ),
    Measurement("list-outlet", "list filtered by outlet", "GET", LIST + "?outlet={outlet}", 150),
    Measurement(
        "list-status", "list filtered by status (Faulty)", "GET", LIST + "?status=faulty", 150
    ),
    Measurement(
        "list-dates",
        "list filtered by dates (30 days)",
        "GET",
        LIST + "?added_from={day_from}&added_to={day_to}",
        150,
    ),
    Measurement(
        "list-contains", "list, serial contains text (few match)", "GET", LIST + "?q=42424", 150
    ),
    Measurement(
        "list-contains-many",
        "list, serial contains text (many match)",
        "GET",
        LIST + "?q=777",
        150,
    ),
    Measurement("list-sort-product", "list sorted by product", "GET", LIST + "?sort=product", 150),
    Measurement("list-sort-status", "list sorted by status", "GET", LIST + "?sort=status", 150),
    # Keyset paging: a page 5,000 deep is the Next link of the row 250,000 rows in;
    # the last page is the Last link.
    Measurement(
        "list-page-5000", "list, page 5,000 (its Next link)", "GET", LIST + "?after={deep}", 150
    ),
    Measurement("list-page-last", "list, last page", "GET", LIST + "?last=1", 150),
    # The Dashboard's first view ever works out the trends (units sold per week, age
    # of stock) in the request; later ones read them, and a stale one queues a refresh.
    Measurement(
        "dashboard-first",
        "Dashboard, first view ever (works out the trends)",
        "GET",
        "/",
        1_000,
        rounds=3,
        after_round=_dashboard_forget,
    ),
    Measurement("dashboard", "Dashboard (charts)", "GET", "/", DASHBOARD_MS),
    Measurement(
        "dashboard-stale",
        "Dashboard, trends stale (queues their refresh)",
        "GET",
        "/",
        DASHBOARD_MS,
        after_round=_dashboard_age,
    ),
    Measurement(
        "dashboard-busy",
        f"Dashboard beside {BUSY_LOOPS} busy CPU loops",
        "GET",
        "/",
        DASHBOARD_MS,
        busy=True,
    ),
    Measurement(
        "serial-page",
        "serial page, unit with 1,000 events",
        "GET",
        "/inventory/serials/{unit}/",
        50,
    ),
    Measurement(
        "export",
        "Export CSV of every row, streamed",
        "GET",
        "/inventory/serials/export.csv",
        stream=True,
        rounds=3,
        rows=lambda fixtures: fixtures.serials,
        min_rate=EXPORT_ROWS_PER_SECOND,
    ),
    # Export CSV of a list of over 100,000 rows: the button starts a job; its floor
    # is the direct stream of the same rows, just before it.
    Measurement(
        "export-stream",
        "Export CSV of the Sold list, streamed (floor of export-job)",
        "GET",
        "/inventory/serials/export.csv?" + EXPORT_JOB_QUERY,
        stream=True,
        rounds=3,
        rows=lambda fixtures: fixtures.sold,
    ),
    Measurement(
        "export-job",
        "Export CSV of the Sold list as a background job, to done",
        "POST",
        f"{EXPORT_JOB}?{EXPORT_JOB_QUERY}",
        status=302,
        rounds=3,
        job=True,
        rows=lambda fixtures: fixtures.sold,
        min_rate=EXPORT_JOB_ROWS_PER_S,
        floor="export-stream",
        memory_probe=f"{EXPORT_JOB}?{EXPORT_PROBE_QUERY}",
        after_round=_jobs_forget,
    ),
    CopyFloor("copy-10000", f"bare COPY of {ADD_ROWS:,} serials (floor of add)", ADD_ROWS, False),
    Measurement(
        "add",
        f"Add Serial numbers, {ADD_ROWS:,} new",
        "POST",
        "/inventory/serials/add/",
        # Issue 11's figure; its target is "as fast as a refused batch" too.
        700,
        status=302,
        body=_add_new,
        after_round=_delete_bench_writes,
        floor="copy-10000",
    ),
    Measurement(
        "add-refused",
        f"Add Serial numbers, {ADD_ROWS:,} all refused",
        "POST",
        "/inventory/serials/add/",
        # "A refused batch answers as fast as an accepted one".
        700,
        body=_add_refused,
    ),
    CopyFloor(
        "copy-100000",
        f"bare COPY of {IMPORT_ROWS:,} serials (floor of import)",
        IMPORT_ROWS,
        True,
        rounds=5,
    ),
    # The upload answers at once with the job's page; the clock runs until the job
    # has recorded every row.
    Measurement(
        "import",
        f"Import CSV of {IMPORT_ROWS:,} rows, to done (background job)",
        "POST",
        "/inventory/serials/import/",
        # No target: neither issue sets one; the ratio to its floor says how it does.
        status=302,
        body=_import_csv,
        rounds=5,
        job=True,
        rows=lambda fixtures: IMPORT_ROWS,
        floor="copy-100000",
        after_round=_delete_bench_writes,
    ),
    Measurement(
        "coverage",
        "Reports > Serial coverage",
        "GET",
        "/reports/coverage/",
        DASHBOARD_MS,
        optional=True,
    ),
    Measurement(
        "coverage-busy",
        f"Reports > Serial coverage beside {BUSY_LOOPS} busy CPU loops",
        "GET",
        "/reports/coverage/",
        DASHBOARD_MS,
        optional=True,
        busy=True,
    ),
    # The REST API's list pages by cursor (newest first by id), as a script pages them.
    Measurement("api-list", "API: serial numbers, first page", "GET", API_LIST, 150),
    Measurement(
        "api-list-product", "API: filtered by product", "GET", API_LIST + "?product={product}", 150
    ),
    Measurement(
        "api-list-outlet", "API: filtered by outlet", "GET", API_LIST + "?outlet={outlet}", 150
    ),
    Measurement(
        "api-list-status",
        "API: filtered by status (Faulty)",
        "GET",
        API_LIST + "?status=faulty",
        150,
    ),
    Measurement(
        "api-list-dates",
        "API: filtered by dates (30 days)",
        "GET",
        API_LIST + "?added_from={day_from}&added_to={day_to}",
        API_DATES_MS,
    ),
    Measurement(
        "api-list-contains", "API: serial contains text", "GET", API_LIST + "?q=42424", 150
    ),
    Measurement(
        "api-list-deep",
        "API: 250,000 rows in (its next link)",
        "GET",
        API_LIST + "?cursor={api_deep}",
        150,
    ),
    Measurement(
        "api-lookup",
        "API: look up one serial",
        "GET",
        lambda fixtures, n: (
            "/api/v1/lookup/?"
            + urlencode({"serial": fixtures.lookup_serials[n % len(fixtures.lookup_serials)]})
        ),
        10,
    ),
    Measurement(
        "api-add",
        f"API: bulk create, {ADD_ROWS:,} new",
        "POST",
        "/api/v1/serial-numbers/bulk/",
        700,
        status=201,
        body=_api_add_new,
        after_round=_delete_bench_writes,
    ),
]

# Through real servers, after the table; each writes its whole output to a log.
HTTP_BENCHES = [
    HttpBench(
        "lookup-http",
        "Look up serial through gunicorn, 4 clients",
        "bench.lookup_http",
        (),
        summary=r"^lookup",
        on_database=True,
        timeout=600,
    ),
    HttpBench(
        "dashboard-http",
        "Dashboard through gunicorn, idle and busy",
        "bench.dashboard_http",
        (),
        summary=r"median",
        on_database=True,
        timeout=600,
    ),
    HttpBench(
        "browser-wait",
        "Add Serial numbers of 10,000 in Chromium, make run's server",
        "bench.add_in_browser",
        ("--only", "postgresql", "--servers", "runserver", "--rounds", "3"),
        summary=r"median|wait|floor|load average",
        on_database=False,
        timeout=900,
    ),
]


# Loading -------------------------------------------------------------------


def _marker(serials: int) -> str:
    """The database comment that says a load finished, and of what size."""
    events = _events_for(serials)
    return (
        f"serialdesk bench-scale v2: {PRODUCTS} products, {OUTLETS} outlets, "
        f"{serials} serials, {events} events, sales of the sold ones and {PLAIN_SALES}"
    )


def _events_for(serials: int) -> int:
    return max(EVENTS * serials // SERIALS, LONG_HISTORY)


def load(serials: int) -> None:
    """Fill the migrated, empty database with set-based SQL, then VACUUM ANALYZE."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from catalog.models import Product
    from inventory.models import Outlet, SerialEvent, SerialRecord, StockLevel
    from inventory.services import serial_tally_rebuild
    from sales.models import Sale, SaleLine, SaleLineSerial, WarrantyClaim

    product = Product._meta.db_table
    outlet = Outlet._meta.db_table
    record = SerialRecord._meta.db_table
    event = SerialEvent._meta.db_table
    stock = StockLevel._meta.db_table
    user = User._meta.db_table
    sale, line = Sale._meta.db_table, SaleLine._meta.db_table
    sold_unit, claim = SaleLineSerial._meta.db_table, WarrantyClaim._meta.db_table
    batches = -(-serials // UNITS_PER_BATCH)
    events = _events_for(serials)

    def step(title: str, sql: str, params: list[Any] | None = None) -> None:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
            rows = cursor.rowcount
        print(
            f"  {title}: {max(rows, 0):,} rows, {time.perf_counter() - started:.1f} s", flush=True
        )

    with transaction.atomic():
        # Reproducible: every random() below follows this seed.
        step("seed", "SELECT setseed(0.42)")
        step(
            "staff users",
            f"INSERT INTO {user} (password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined) "
            "SELECT '!', false, format('staff%%s', lpad(n::text, 2, '0')), 'Staff', n::text, "
            "'', false, true, now() - interval '3 years' FROM generate_series(1, %s) n",
            [STAFF_USERS],
        )
        step(
            "products",
            f"INSERT INTO {product} (name, sku, brand, retail_price, warranty_months, is_active, "
            "has_serial_numbers, created_at, updated_at, barcode, serial_format, serial_pattern, "
            "supplier_code) "
            "SELECT format('%%s %%s %%s', (%s::text[])[1 + n %% 8], "
            "(%s::text[])[1 + (n / 8) %% 8], n), "
            "format('SKU-%%s', lpad(n::text, 5, '0')), (%s::text[])[1 + n %% 8], "
            "(20 + n %% 980)::numeric(10, 2), (ARRAY[12, 24, 36])[1 + n %% 3], true, "
            "n <= %s, now() - interval '3 years', now(), '', 'any', '', '' "
            "FROM generate_series(1, %s) n",
            [BRANDS, KINDS, BRANDS, SERIALISED_PRODUCTS, PRODUCTS],
        )
        step(
            "outlets",
            f"INSERT INTO {outlet} (name, address, is_active, require_customer_for_serialised, "
            "created_at, updated_at) "
            "SELECT (%s::text[])[n], format('%%s High Street', n), true, false, "
            "now() - interval '3 years', now() FROM generate_series(1, %s) n",
            [CITIES, OUTLETS],
        )
        # Numbered copies, so the random picks below can join on 1..N.
        step(
            "numbered",
            f"CREATE TEMP TABLE bench_product AS SELECT id, row_number() OVER (ORDER BY id) AS k "
            f"FROM {product} WHERE has_serial_numbers; "
            f"CREATE TEMP TABLE bench_outlet AS SELECT id, row_number() OVER (ORDER BY id) AS k "
            f"FROM {outlet}; "
            f"CREATE TEMP TABLE bench_user AS SELECT id, row_number() OVER (ORDER BY id) AS k "
            f"FROM {user} WHERE username LIKE 'staff%%'",
        )
        # A batch is one product at one outlet, by one user, at one time; older
        # batches first, and a few products hold most units (random() squared).
        step(
            "batches",
            "CREATE TEMP TABLE bench_batch AS SELECT b, "
            "1 + floor(power(random(), 2) * %s)::int AS product_k, "
            "1 + floor(random() * %s)::int AS outlet_k, "
            "1 + floor(random() * %s)::int AS user_k, "
            "b::float / %s AS age, "
            "now() - make_interval(years => %s) + (b::float / %s) * make_interval(years => %s) "
            "- random() * interval '2 hours' AS created_at "
            "FROM generate_series(0, %s - 1) b",
            [
                SERIALISED_PRODUCTS, OUTLETS, STAFF_USERS, batches, YEARS, batches, YEARS, batches,
            ],
        )  # fmt: skip
        # Serials like "KB000123456": unique, ASCII, so `normalise` (NFKC and
        # case folding) is lower(). Old units are more often sold.
        step(
            "serials",
            f"INSERT INTO {record} (product_id, serial, serial_normalised, outlet_id, status, "
            "notes, created_by_id, created_at, origin, updated_at) "
            "SELECT p.id, s.serial, lower(s.serial), o.id, "
            "CASE WHEN g.u < 0.03 THEN 'faulty' WHEN g.u < 0.055 THEN 'written_off' "
            "WHEN g.u < 0.055 + 0.4 * (1 - t.age) THEN 'sold' ELSE 'in_stock' END, "
            "'', u.id, t.created_at, CASE WHEN t.b %% 5 = 0 THEN 'imported' ELSE 'added' END, "
            "t.created_at "
            "FROM (SELECT n, random() AS u FROM generate_series(1, %s) n) g "
            "CROSS JOIN LATERAL (SELECT chr(65 + g.n %% 26) || chr(65 + (g.n / 26) %% 26) "
            "|| lpad(g.n::text, 9, '0') AS serial) s "
            "JOIN bench_batch t ON t.b = (g.n - 1) / %s "
            "JOIN bench_product p ON p.k = t.product_k "
            "JOIN bench_outlet o ON o.k = t.outlet_k "
            "JOIN bench_user u ON u.k = t.user_k "
            "ORDER BY g.n",
            [serials, UNITS_PER_BATCH],
        )
        # One event for each unit that left In stock, as serials_change writes it.
        step(
            "status events",
            f"INSERT INTO {event} (serial_id, kind, created_at, user_id, from_outlet_id, "
            "to_outlet_id, from_status, to_status, note) "
            "SELECT r.id, CASE r.status WHEN 'sold' THEN 'sold' WHEN 'faulty' THEN "
            "'marked_faulty' ELSE 'written_off' END, "
            "least(r.created_at + random() * interval '300 days', now()), r.created_by_id, "
            "NULL, NULL, 'in_stock', r.status, "
            "CASE r.status WHEN 'written_off' THEN 'Lost in transit' ELSE '' END "
            f"FROM {record} r WHERE r.status <> 'in_stock' ORDER BY r.id LIMIT %s",
            [events - LONG_HISTORY],
        )
        # The rest of the history: units In stock moved here from another outlet.
        step(
            "transfer events",
            f"INSERT INTO {event} (serial_id, kind, created_at, user_id, from_outlet_id, "
            "to_outlet_id, from_status, to_status, note) "
            "SELECT r.id, 'transferred', least(r.created_at + interval '3 days', now()), "
            "r.created_by_id, o.id, r.outlet_id, '', '', '' "
            f"FROM {record} r JOIN bench_outlet o ON o.k = 1 + (r.id %% %s) "
            "WHERE r.status = 'in_stock' AND r.outlet_id <> o.id ORDER BY r.id "
            f"LIMIT greatest(%s - (SELECT count(*) FROM {event}), 0)",
            [OUTLETS, events - LONG_HISTORY],
        )
        # The unit with a long history: moved away and back, marked faulty and
        # reinstated, 250 times over, one hour apart, ending In stock where it is.
        step(
            "long history",
            f"INSERT INTO {event} (serial_id, kind, created_at, user_id, from_outlet_id, "
            "to_outlet_id, from_status, to_status, note) "
            "SELECT r.id, (ARRAY['transferred', 'transferred', 'marked_faulty', 'reinstated'])"
            "[1 + i %% 4], r.created_at + i * interval '1 hour', r.created_by_id, "
            "CASE i %% 4 WHEN 0 THEN r.outlet_id WHEN 1 THEN o.id END, "
            "CASE i %% 4 WHEN 0 THEN o.id WHEN 1 THEN r.outlet_id END, "
            "(ARRAY['', '', 'in_stock', 'faulty'])[1 + i %% 4], "
            "(ARRAY['', '', 'faulty', 'in_stock'])[1 + i %% 4], "
            "format('Round %%s', i / 4 + 1) "
            f"FROM (SELECT * FROM {record} WHERE status = 'in_stock' "
            f"AND id >= (SELECT max(id) / 2 FROM {record}) ORDER BY id LIMIT 1) r "
            "CROSS JOIN LATERAL (SELECT id FROM bench_outlet WHERE id <> r.outlet_id "
            "ORDER BY k LIMIT 1) o "
            "CROSS JOIN generate_series(0, %s - 1) i",
            [LONG_HISTORY],
        )
        # A sale of one line for each unit Sold, at its "sold" event's time, and
        # sales of products without serials; ids drawn first, so lines and units
        # can name their sale in the same set-based statements.
        step(
            "sales to make",
            "CREATE TEMP TABLE bench_sale AS "
            f"SELECT nextval(pg_get_serial_sequence('{sale}', 'id')) AS sale_id, "
            f"nextval(pg_get_serial_sequence('{line}', 'id')) AS line_id, "
            "r.id AS serial_id, r.product_id, r.outlet_id, e.user_id, e.created_at, "
            "1 AS quantity, p.retail_price "
            f"FROM {event} e JOIN {record} r ON r.id = e.serial_id "
            f"JOIN {product} p ON p.id = r.product_id WHERE e.kind = 'sold' "
            "UNION ALL "
            f"SELECT nextval(pg_get_serial_sequence('{sale}', 'id')), "
            f"nextval(pg_get_serial_sequence('{line}', 'id')), NULL, p.id, o.id, u.id, "
            "now() - random() * make_interval(years => %s), 1 + floor(random() * 3)::int, "
            "p.retail_price "
            "FROM generate_series(1, %s) n "
            f"JOIN (SELECT id, retail_price, row_number() OVER (ORDER BY id) AS k FROM {product} "
            "WHERE NOT has_serial_numbers) p "
            f"ON p.k = 1 + n %% {PRODUCTS - SERIALISED_PRODUCTS} "
            "JOIN bench_outlet o ON o.k = 1 + (n / 7) %% %s "
            "JOIN bench_user u ON u.k = 1 + n %% %s",
            [YEARS, PLAIN_SALES, OUTLETS, STAFF_USERS],
        )
        step(
            "sales",
            f"INSERT INTO {sale} (id, outlet_id, customer_id, clerk_id, created_at, total) "
            "SELECT sale_id, outlet_id, NULL, user_id, created_at, quantity * retail_price "
            "FROM bench_sale ORDER BY sale_id",
        )
        step(
            "sale lines",
            f"INSERT INTO {line} (id, sale_id, position, product_id, quantity, unit_price) "
            "SELECT line_id, sale_id, 1, product_id, quantity, retail_price "
            "FROM bench_sale ORDER BY line_id",
        )
        step(
            "units sold",
            f"INSERT INTO {sold_unit} (line_id, serial_id, returned_at) "
            "SELECT line_id, serial_id, NULL FROM bench_sale "
            "WHERE serial_id IS NOT NULL ORDER BY line_id",
        )
        # Claims opened up to 60 days after the sale; those of the last 90 days
        # mostly still open (Open, In repair, Sent to supplier), older ones closed.
        step(
            "warranty claims",
            f"INSERT INTO {claim} (serial_id, sale_id, customer_id, fault_description, status, "
            "warranty_expired, opened_by_id, created_at, updated_at) "
            "SELECT serial_id, sale_id, NULL, 'Bench fault', "
            "CASE WHEN opened < now() - interval '90 days' THEN "
            "(ARRAY['resolved_repaired', 'resolved_replaced', 'resolved_refunded', "
            "'rejected'])[1 + serial_id %% 4] "
            "ELSE (ARRAY['open', 'open', 'in_repair', 'sent_to_supplier', "
            "'resolved_repaired'])[1 + serial_id %% 5] END, "
            "false, user_id, opened, opened "
            "FROM (SELECT *, least(created_at + random() * interval '60 days', now()) AS opened "
            "FROM bench_sale WHERE serial_id %% %s = 0) c",
            [CLAIM_EVERY],
        )
        # Counts as the shop keeps them: one per unit In stock, with a few
        # counted higher than the serials say (what the coverage report finds);
        # the products without serials counted at every outlet.
        step(
            "stock levels",
            f"INSERT INTO {stock} (product_id, outlet_id, on_hand, updated_at) "
            "SELECT product_id, outlet_id, in_stock + CASE WHEN random() < 0.1 "
            "THEN 1 + floor(random() * 5)::int ELSE 0 END, now() "
            "FROM (SELECT product_id, outlet_id, count(*) FILTER (WHERE status = 'in_stock') "
            f"AS in_stock FROM {record} GROUP BY product_id, outlet_id) c "
            "UNION ALL SELECT p.id, o.id, floor(random() * 40)::int, now() "
            f"FROM {product} p CROSS JOIN {outlet} o WHERE NOT p.has_serial_numbers",
        )
        # Units loaded by SQL, not through the services: counted as they count them.
        counting = time.perf_counter()
        serial_tally_rebuild(dry_run=False)
        print(f"  serial tally: {time.perf_counter() - counting:.1f} s", flush=True)
        step(
            "drop temporary tables",
            "DROP TABLE bench_batch, bench_product, bench_outlet, bench_user, bench_sale",
        )
        committing = time.perf_counter()
    # The foreign keys are deferred: PostgreSQL checks every new row's here.
    print(f"  COMMIT: {time.perf_counter() - committing:.1f} s", flush=True)
    # Outside the transaction: the state autovacuum reaches soon after a load.
    step("VACUUM ANALYZE", "VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute(
            f"COMMENT ON DATABASE {connection.settings_dict['NAME']} IS %s", [_marker(serials)]
        )


def fixtures_find() -> Fixtures:
    """Pick what the measurements use from the loaded data; make the Manager who asks."""
    from django.contrib.auth.models import Group, User
    from django.db.models import Count

    from catalog.models import Product
    from inventory.models import Outlet, SerialEvent, SerialRecord, SerialStatus

    user, _created = User.objects.get_or_create(username="bench-manager")
    user.groups.add(Group.objects.get(name="Managers"))
    top = (
        SerialRecord.objects.values("product")
        .annotate(units=Count("id"))
        .order_by("-units", "product")
        .first()
    )
    assert top is not None, "no serials loaded"
    product = Product.objects.get(pk=top["product"])
    refused = list(
        SerialRecord.objects.filter(product=product)
        .order_by("id")
        .values_list("serial", flat=True)[:10_000]
    )
    if len(refused) < 10_000:
        print(f"Only {len(refused):,} units of {product} to refuse (a smaller load).")
    long_unit = (
        SerialEvent.objects.values("serial")
        .annotate(events=Count("id"))
        .filter(events__gte=LONG_HISTORY)
        .order_by("serial")
        .first()
    )
    assert long_unit is not None, "no unit with a long history"
    oldest = (
        SerialRecord.objects.order_by("created_at").values_list("created_at", flat=True).first()
    )
    assert oldest is not None
    day_from = (oldest + timedelta(days=365)).date()
    last_id = SerialRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    # Ten units spread over the table, by id: ORDER BY random() would read all of it.
    picks = SerialRecord.objects.filter(id__in=[last_id * k // 11 for k in range(1, 11)])
    lookup_serials = list(picks.values_list("serial", flat=True))
    assert lookup_serials, "no serials to look up"
    outlets = list(Outlet.objects.order_by("name", "id"))
    # The token the list's Next link carries after 5,000 pages of 50, newest first.
    from inventory.selectors.serials import _CURSOR_SALT
    from lib.keyset import cursor_dumps

    boundary = SerialRecord.objects.order_by("-created_at", "-id").values_list("created_at", "id")[
        5_000 * 50 - 1
    ]
    # The list without a sort asked for is newest first, under the sort name "".
    deep = cursor_dumps(salt=_CURSOR_SALT, sort_name="", key=list(boundary))
    # DRF's cursor: the base64 of a query string holding the last row's position.
    api_boundary = SerialRecord.objects.order_by("-id").values_list("id", flat=True)[
        5_000 * 50 - 1
    ]
    api_deep = base64.b64encode(urlencode({"p": api_boundary}).encode()).decode()
    imported = list(
        Product.objects.filter(has_serial_numbers=True, is_active=True)
        .exclude(pk=product.pk)
        .order_by("id")
        .values_list("pk", "sku")[:10]
    )
    return Fixtures(
        user_id=user.pk,
        serials=SerialRecord.objects.count(),
        product=product.pk,
        product_sku=product.sku,
        outlet=outlets[0].pk,
        lookup_serials=lookup_serials,
        unit=long_unit["serial"],
        day_from=day_from.isoformat(),
        day_to=(day_from + timedelta(days=29)).isoformat(),
        refused=refused,
        import_skus=[sku for _pk, sku in imported],
        import_products=[pk for pk, _sku in imported],
        outlet_names=[o.name for o in outlets],
        outlet_ids=[o.pk for o in outlets],
        sold=SerialRecord.objects.filter(status=SerialStatus.SOLD).count(),
        deep=deep,
        api_deep=api_deep,
    )


# Measuring -----------------------------------------------------------------

MB = 1024 * 1024


@dataclass
class Answer:
    """One round of a measurement: its status, time, and what came back."""

    status: int
    seconds: float = 0.0
    size: int = 0
    rows: int | None = None
    answered: float = 0.0  # a job's: the time until the page saying it was started
    error: str = ""


def _job_run(location: str) -> tuple[int, str]:
    """Run the job whose page `location` is, as `manage.py db_worker` runs it: its queued
    task claimed and run by the worker's own code, in this process. Returns the rows
    done, and what went wrong when the job did not finish."""
    from django.urls import resolve
    from django_tasks_db.models import DBTaskResult

    from inventory.management.commands.db_worker import ReconnectingWorker
    from inventory.models import SerialJob, SerialJobState

    job = SerialJob.objects.get(pk=resolve(urlsplit(location).path).kwargs["pk"])
    task = DBTaskResult.objects.filter(pk=job.task_id).first() if job.task_id else None
    if task is None:
        return 0, "JOB NOT QUEUED"
    worker = ReconnectingWorker(
        queue_names=[task.queue_name],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name=task.backend_name,
        startup_delay=False,
        max_tasks=1,
        worker_id="bench-scale",
    )
    task.claim(worker.worker_id)
    worker.run_task(task)
    job.refresh_from_db()
    if job.state != SerialJobState.DONE:
        print(f"    job {job.pk} {job.state}: {job.message}", flush=True)
        return job.done, f"JOB {str(job.state).upper()}"
    return job.done, ""


def _request(
    client: Any, measurement: Measurement, fixtures: Fixtures, round_number: int, url: str
) -> Answer:
    """Make the measurement's request once: timed to its last byte, or a job's to done."""
    body = measurement.body(fixtures, round_number) if measurement.body else None
    started = time.perf_counter()
    if body is None:
        response = client.generic(measurement.method, url)
    else:
        response = client.generic(
            measurement.method, url, data=body.data, content_type=body.content_type
        )
    answer = Answer(response.status_code)
    if measurement.stream and response.streaming:
        answer.rows = -1  # the header
        for chunk in response.streaming_content:
            answer.size += len(chunk)
            answer.rows += chunk.count(b"\n")
    else:
        answer.size = len(response.content)
    answer.answered = time.perf_counter() - started
    if measurement.job and answer.status == measurement.status:
        answer.rows, answer.error = _job_run(response["Location"])
    answer.seconds = time.perf_counter() - started
    if measurement.after_round:
        measurement.after_round(fixtures)
    return answer


def _peak_memory(run: Callable[[], Answer]) -> tuple[Answer, int]:
    """Run once under tracemalloc: the answer, and the peak of what Python allocated meanwhile."""
    tracemalloc.start()
    try:
        answer = run()
        return answer, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@contextmanager
def _busy_beside(measurement: Measurement) -> Iterator[None]:
    """The busy CPU loops of a "-busy" measurement (bench.dashboard_http's), or nothing."""
    if not measurement.busy:
        yield
        return
    from bench.dashboard_http import busy

    with busy(loops=BUSY_LOOPS, seconds=BUSY_SECONDS):
        yield


def _result_for(measurement: Measurement) -> Result:
    return Result(
        measurement.name,
        measurement.label,
        target_ms=measurement.target_ms,
        min_rate=measurement.min_rate,
        max_ratio=measurement.max_ratio,
        flat_memory=measurement.memory_probe is not None,
        floor=measurement.floor,
    )


def measure(client: Any, measurement: Measurement, fixtures: Fixtures, rounds: int) -> Result:
    """The warm-up round (queries counted), then `rounds` timed ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = _result_for(measurement)

    def one(round_number: int, url: str | None = None) -> Answer:
        if url is None:
            page = measurement.url
            url = page(fixtures, round_number) if callable(page) else page.format(**vars(fixtures))
        return _request(client, measurement, fixtures, round_number, url)

    probe = measurement.memory_probe
    if probe:
        # One-time costs (imports, caches) fall in this run, not in the two compared.
        one(0, probe)
    with CaptureQueriesContext(connection) as queries:
        warm, peak = _peak_memory(lambda: one(0)) if probe else (one(0), 0)
    result.queries = len(queries.captured_queries)
    result.size = warm.size
    if warm.status == 404 and measurement.optional:
        result.skipped = f"{measurement.url} answers 404: not built yet"
        return result
    if probe and not warm.error and warm.status == measurement.status:
        small, small_peak = _peak_memory(lambda: one(0, probe))
        result.memory_per_100k = memory_growth(
            peak=peak, rows=warm.rows or 0, probe_peak=small_peak, probe_rows=small.rows or 0
        )
        result.note = (
            f"peak memory {peak / MB:.1f} MB for {warm.rows or 0:,} rows, "
            f"{small_peak / MB:.1f} MB for {small.rows or 0:,} (tracemalloc, untimed)"
        )
    answers: list[Answer] = []
    last = warm
    with _busy_beside(measurement):
        for round_number in range(1, rounds + 1):
            if last.status != measurement.status or last.error:
                break
            last = one(round_number)
            if last.status == measurement.status and not last.error:
                answers.append(last)
                result.timings.append(last.seconds)
                result.rounds += 1
    if last.status != measurement.status:
        result.error = f"HTTP {last.status}"
    elif last.error:
        result.error = last.error
    result.rows = (answers[-1] if answers else warm).rows
    expected = measurement.rows(fixtures) if measurement.rows else None
    if not result.error and expected is not None and result.rows != expected:
        result.error = "CUT SHORT"
        result.note = _joined(result.note, f"{result.rows:,} of {expected:,} rows")
    if measurement.job and answers:
        answered = statistics.median(a.answered for a in answers) * 1000
        result.note = _joined(
            f"the click answered in {answered:,.0f} ms; then the job, run here as the "
            "worker runs it",
            result.note,
        )
    result.load = load_average()
    return result


def _joined(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def measure_copy(floor: CopyFloor, fixtures: Fixtures, rounds: int) -> Result:
    """One warm-up and `rounds` timed COPYs of the floor's rows, each committed, then deleted."""
    from django.db import connection, transaction

    from inventory.models import SerialEventKind, SerialRecord, SerialStatus

    statement = (
        f"COPY {SerialRecord._meta.db_table} (product_id, outlet_id, serial, serial_normalised, "
        "status, notes, origin, created_by_id, created_at, updated_at) FROM STDIN"
    )
    origin = (SerialEventKind.IMPORTED if floor.spread else SerialEventKind.ADDED).value
    products = fixtures.import_products if floor.spread else [fixtures.product]
    outlets = fixtures.outlet_ids if floor.spread else [fixtures.outlet]
    result = Result(floor.name, floor.label, rows=floor.rows)
    copies: list[float] = []
    for round_number in range(rounds + 1):
        # COPY's text format, made before the clock starts: the floor is the database's work.
        lines = []
        for n in range(floor.rows):
            serial = f"BSC{fixtures.run}-{round_number}-{n:06d}"
            lines.append(
                f"{products[n % len(products)]}\t{outlets[n % len(outlets)]}\t{serial}\t"
                f"{serial.lower()}\t{SerialStatus.IN_STOCK.value}\t\t{origin}\t"
                f"{fixtures.user_id}\tnow\tnow\n"
            )
        data = "".join(lines).encode()
        connection.ensure_connection()
        started = time.perf_counter()
        # psycopg's own cursor for its COPY, in Django's transaction; the COMMIT (which
        # checks the deferred foreign keys) is timed too, as the app's commits are.
        with transaction.atomic():
            with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
                copy.write(data)
            copied = time.perf_counter() - started
        elapsed = time.perf_counter() - started
        _serials_delete(fixtures)
        if round_number:
            copies.append(copied)
            result.timings.append(elapsed)
            result.rounds += 1
        result.size = len(data)
    if copies:
        alone = statistics.median(copies) * 1000
        result.note = (
            f"the COPY alone {alone:,.0f} ms, the rest its COMMIT (deferred foreign keys)"
        )
    result.load = load_average()
    return result


def selected(patterns: list[str] | None) -> tuple[list[Measurement | CopyFloor], list[HttpBench]]:
    """What `--only` names (all without it), with the floor of each measurement chosen."""
    if not patterns:
        return list(MEASUREMENTS), list(HTTP_BENCHES)
    names = [name for pattern in patterns for name in pattern.split(",") if name]

    def chosen(name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, n) for n in names)

    wanted = {m.name for m in MEASUREMENTS if chosen(m.name)}
    # A floor is measured in the same run as what it is the floor of.
    wanted |= {
        m.floor
        for m in MEASUREMENTS
        if isinstance(m, Measurement) and m.name in wanted and m.floor
    }
    entries = [m for m in MEASUREMENTS if m.name in wanted]
    benches = [b for b in HTTP_BENCHES if chosen(b.name)]
    if not entries and not benches:
        sys.exit(f"--only {' '.join(names)} names no measurement; --list shows them")
    return entries, benches


def _help_text(module: str) -> str:
    found = subprocess.run(
        [sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True
    )
    return found.stdout


def http_run(bench: HttpBench, database: str) -> HttpOutcome:
    """Run one benchmark through real servers; its summary lines, or why there are none.

    A module not written yet, or one that cannot be pointed at `database`, is not
    run, and the outcome says so. Its whole output goes to a log file.
    """
    command = [sys.executable, "-m", bench.module, *bench.arguments]
    if bench.on_database and database != PG_DATABASE:
        command += ["--database", database]
    outcome = HttpOutcome(bench.name, " ".join(["python", *command[1:]]))
    if importlib.util.find_spec(bench.module) is None:
        outcome.missing = f"{bench.module} is not there yet"
        return outcome
    if (
        bench.on_database
        and database != PG_DATABASE
        and "--database" not in _help_text(bench.module)
    ):
        outcome.missing = (
            f"{bench.module} takes no --database, so it would run on {PG_DATABASE}, "
            f"not on {database}"
        )
        return outcome
    log = Path(tempfile.gettempdir()) / f"serialdesk-bench-scale-{bench.name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        try:
            code = process.wait(timeout=bench.timeout)
        except subprocess.TimeoutExpired:
            # Ctrl-C, so its own clean-up stops the servers it started; then for sure.
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            outcome.failed = f"no end after {bench.timeout} s (log: {log})"
            code = 0
    said = [line.rstrip() for line in log.read_text().splitlines() if line.strip()]
    outcome.lines = [line for line in said if re.search(bench.summary, line)]
    if code:
        last = f": {said[-1].strip()}" if said else ""
        outcome.failed = f"exit code {code}{last} (log: {log})"
    outcome.load = load_average()
    outcome.log = str(log)
    return outcome


def _http_section(outcome: HttpOutcome, *, markdown: bool) -> str:
    title = f"{outcome.name} (`{outcome.command}`)" if markdown else outcome.name
    if outcome.missing:
        return f"{title}: not run, {outcome.missing}."
    said = f"load {outcome.load:.1f} when it ended" if outcome.load is not None else ""
    said = _joined(said, f"failed: {outcome.failed}" if outcome.failed else "")
    head = f"{title}: {said}" + ("" if markdown else f"\n  {outcome.command}; log {outcome.log}")
    lines = outcome.lines or ["(no summary line)"]
    if markdown:
        return head + "\n\n```text\n" + "\n".join(lines) + "\n```"
    return head + "\n" + "\n".join(f"  | {line}" for line in lines)


def _figure(result: Result) -> str:
    if not result.timed:
        return result.verdict
    rate = f", {result.rate:,.0f} rows/s" if result.rate is not None else ""
    return f"median {result.median_ms:,.1f} ms{rate} {result.verdict}"


def run_target(args: argparse.Namespace) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    # django-axes logs every force_login at INFO, the worker every task.
    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from inventory.models import SerialRecord

    entries, benches = selected(args.only)
    if args.skip_http:
        benches = []
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Migrated in {time.perf_counter() - started:.1f} s.", flush=True)
    if args.load:
        print(f"Loading {args.serials:,} serials with set-based SQL:", flush=True)
        started = time.perf_counter()
        load(args.serials)
        print(f"Loaded in {time.perf_counter() - started:.1f} s.", flush=True)
    else:
        print(f"Reusing the loaded database ({SerialRecord.objects.count():,} serials).")
    fixtures = fixtures_find()
    # What an earlier, interrupted run may have left.
    _delete_bench_writes(fixtures)
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "current_setting('server_version')"
        )
        size, version = cursor.fetchone()
        print(f"Database {database}, size {size}; PostgreSQL {version}.")
    if fixtures.sold <= settings.SERIALDESK_EXPORT_JOB_ROWS:
        print(f"The Sold list has {fixtures.sold:,} rows: its button streams, not a job.")

    results: list[Result] = []
    load_before = load_average()
    # Production settings render templates from collected, hashed static files:
    # collect them here, not into the project's staticfiles/; jobs' files go aside too.
    with (
        tempfile.TemporaryDirectory() as static_root,
        tempfile.TemporaryDirectory() as media_root,
        override_settings(STATIC_ROOT=static_root, MEDIA_ROOT=media_root),
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        # HTTPS as behind the proxy; errors come back as pages, not exceptions.
        client = Client(
            HTTP_HOST="localhost",
            HTTP_X_FORWARDED_PROTO="https",
            raise_request_exception=False,
        )
        client.force_login(User.objects.get(pk=fixtures.user_id))
        assert not settings.DEBUG
        for entry in entries:
            rounds = min(args.rounds, entry.rounds or args.rounds)
            print(f"  {entry.name} ({rounds} rounds) ...", end=" ", flush=True)
            if isinstance(entry, CopyFloor):
                result = measure_copy(entry, fixtures, rounds)
            else:
                result = measure(client, entry, fixtures, rounds)
            if isinstance(entry, CopyFloor) or entry.after_round:
                # Leave the table as loaded for the next run (--reuse).
                with connection.cursor() as cursor:
                    cursor.execute(f"VACUUM ANALYZE {SerialRecord._meta.db_table}")
            print(f"{_figure(result)}, load {result.load:.1f}", flush=True)
            results.append(result)
    load_after = load_average()
    outcomes = []
    for bench in benches:
        print(f"  {bench.name}: python -m {bench.module} ...", end=" ", flush=True)
        outcome = http_run(bench, database)
        print(outcome.missing or outcome.failed or f"done, load {outcome.load:.1f}", flush=True)
        outcomes.append(outcome)

    floors_link(results)
    print()
    if results:
        print(
            f"PostgreSQL, {fixtures.serials:,} serials, Django test client, DJANGO_DEBUG=0, "
            f"as a Manager; median and max of n timed rounds after one warm-up (queries "
            f"counted in the warm-up); ratio: the median over its floor's, measured in the "
            f"same run; load: the 1-minute load average when each measurement ended "
            f"({load_before:.1f} before, {load_after:.1f} after, {os.cpu_count()} cores):"
        )
        print(table(results, markdown=args.markdown))
    for outcome in outcomes:
        print()
        print(_http_section(outcome, markdown=args.markdown))
    judged = points({r.name: r for r in results}, {o.name: o for o in outcomes})
    if any(point.verdict != "NOT MEASURED" for point in judged):
        print("\nIssue 22's five points:")
        print(points_report(judged, markdown=args.markdown))
    failed = [r.name for r in results if r.error] + [o.name for o in outcomes if o.failed]
    if failed:
        print(f"Failed: {', '.join(failed)}")
    return 1 if failed else 0


# The database around the run -------------------------------------------------


def _server(database: str = "postgres") -> str:
    return f"{PG_SERVER}/{database}"


def _admin(sql: str, params: list[Any] | None = None) -> list[tuple]:
    import psycopg

    with psycopg.connect(_server(), autocommit=True) as connection:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _loaded_marker() -> str | None:
    """The comment of the kept database, or None when there is none."""
    rows = _admin(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [PG_DATABASE],
    )
    return rows[0][0] or "" if rows else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per page (7)")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="measurements to run: names or globs, comma-separated",
    )
    parser.add_argument("--keep", action="store_true", help=f"keep {PG_DATABASE} afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="skip loading when the kept database is there (implies --keep)",
    )
    parser.add_argument("--serials", type=int, default=SERIALS, help=argparse.SUPPRESS)
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    parser.add_argument(
        "--skip-http",
        action="store_true",
        help="leave out the benchmarks through gunicorn and Chromium (a quick run)",
    )
    parser.add_argument("--list", action="store_true", help="list the measurements and exit")
    parser.add_argument("--target", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.list:
        for m in MEASUREMENTS:
            if isinstance(m, CopyFloor):
                print(f"{m.name:20} COPY {m.rows:,} serials  ({m.label})")
                continue
            url = m.url if isinstance(m.url, str) else "(another unit each round)"
            print(f"{m.name:20} {m.method:4} {url}  ({m.label})")
        for b in HTTP_BENCHES:
            print(f"{b.name:20} python -m {' '.join([b.module, *b.arguments])}  ({b.label})")
        return
    if args.target:
        sys.exit(run_target(args))
    selected(args.only)  # a wrong name fails before the load, not after
    host = urlsplit(PG_SERVER).hostname
    if host not in LOOPBACK_HOSTS:
        sys.exit(f"bench-scale runs on this machine only; {host} is not a loopback address")

    started = time.perf_counter()
    keep = args.keep or args.reuse
    marker = _loaded_marker()
    reuse = args.reuse and marker == _marker(args.serials)
    if args.reuse and not reuse:
        print(f"No loaded {PG_DATABASE} to reuse ({marker or 'none'}); loading one.")
    if not reuse:
        _admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        _admin(f"CREATE DATABASE {PG_DATABASE}")
    env = {
        **os.environ,
        "DATABASE_URL": _server(PG_DATABASE),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-any-real-deployment-0123456789",
        "DJANGO_ALLOWED_HOSTS": "localhost",
    }
    arguments = ["--rounds", str(args.rounds), "--serials", str(args.serials)]
    arguments += [f"--only={pattern}" for pattern in args.only or []]
    arguments += ["--markdown"] if args.markdown else []
    arguments += ["--skip-http"] if args.skip_http else []
    arguments += [] if reuse else ["--load"]
    try:
        code = subprocess.call(
            [sys.executable, "-m", "bench.scale", "--target", *arguments], cwd=ROOT, env=env
        )
    finally:
        if not keep:
            _admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    kept = f"; {PG_DATABASE} kept (--reuse to run on it again)" if keep else ""
    print(f"Total run time {time.perf_counter() - started:.0f} s{kept}.")
    sys.exit(code)


if __name__ == "__main__":
    main()
