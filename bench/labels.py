"""Benchmark: Print labels for 1,000 units, in each code (issue 19: under 2 s server time).

Records 1,000 units of a product with a barcode (and 4,000 of another) through the
app's one-statement insert, then times GET /inventory/serials/labels/ for the 1,000
(the list's Product filter) on an A4 sheet in Code 128, QR code and GS1 DataMatrix,
and Code 128 on the label roll:

- through the real view (Django's test client, production settings with plain static
  storage, HTTPS as behind the proxy): one warm-up whose queries are counted, then
  `--rounds` timed rounds; median and best, the page's size;
- through `make run`'s server (`manage.py runserver`, debug on) on the same database,
  signed in through the login page: request to last byte, the same rounds;
- the cap, 5,000 units (every unit, no filter), once per code through the test client.

SQLite runs on a temporary file, PostgreSQL on a scratch database
`serialdesk_bench_labels` (`BENCH_POSTGRES_URL` for another server), dropped afterwards.

    make bench
    .venv/bin/python -m bench.labels --only postgresql --rounds 7
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

from bench.harness import bench_user_create, django_setup, run_on_each_database

PG_DATABASE = "serialdesk_bench_labels"
PAGE = "/inventory/serials/labels/"
UNITS = 1000
CAP_UNITS = 5000
TARGET_MS = 2000
# (name, query) of each timed page; {product} is the 1,000 units' product.
PAGES = [
    ("Code 128, A4 sheet", "product={product}&code=code128&layout=sheet"),
    ("QR code, A4 sheet", "product={product}&code=qr&layout=sheet"),
    ("GS1 DataMatrix, A4 sheet", "product={product}&code=datamatrix&layout=sheet"),
    ("Code 128, label roll", "product={product}&code=code128&layout=roll"),
]
FIGURE = b'<figure class="label'


def _load(user) -> int:
    """1,000 units of a product with a barcode, 4,000 of another; the first product's id."""
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import Product
    from inventory.models import Outlet, SerialEventKind, SerialRecord, SerialStatus
    from inventory.sql import serial_records_insert

    machine = Product.objects.create(
        name="Espresso Machine Barista 900",
        sku="BAR-900",
        retail_price=499,
        has_serial_numbers=True,
        barcode="09506000134352",
    )
    kettle = Product.objects.create(
        name="Stovetop Kettle", sku="KET-1", retail_price=49, has_serial_numbers=True
    )
    outlet = Outlet.objects.create(name="Main Street")
    rows = [(machine.pk, outlet.pk, f"BAR-{n:06d}") for n in range(UNITS)]
    rows += [(kettle.pk, outlet.pk, f"KET-{n:06d}") for n in range(CAP_UNITS - UNITS)]
    with transaction.atomic():
        serial_records_insert(
            rows=[(p, o, s, SerialRecord.normalise(s)) for p, o, s in rows],
            status=SerialStatus.IN_STOCK,
            origin=SerialEventKind.ADDED,
            created_by_id=user.pk,
            created_at=timezone.now(),
        )
    return machine.pk


def _timed(get: Callable[[], bytes], rounds: int, expected: int) -> tuple[list[float], int]:
    page = get()  # warm-up
    assert page.count(FIGURE) == expected, page[-3000:]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        page = get()
        times.append((time.perf_counter() - started) * 1000)
    return times, len(page)


def _line(
    vendor: str, how: str, name: str, times: list[float], size: int, extra: str = ""
) -> None:
    median = statistics.median(times)
    verdict = "OK" if median <= TARGET_MS else "SLOW"
    print(
        f"{vendor:>10}  {how:11} {name:26} median {median:7.1f} ms  best {min(times):7.1f} ms  "
        f"{size / 1024:7.0f} KB{extra}  {verdict}"
    )


def run_target(args: argparse.Namespace) -> None:
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bench.servers import Database, running, servers_for, sign_in
    from bench.servers import http_request as request

    user = bench_user_create(group="Staff")
    product = _load(user)
    vendor = connection.vendor
    print(f"{vendor:>10}  {UNITS:,} labels per page, {args.rounds} rounds after a warm-up")

    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
        for name, query in PAGES:
            url = f"{PAGE}?{query.format(product=product)}"

            def get(url: str = url) -> bytes:
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                return response.content

            with CaptureQueriesContext(connection) as queries:
                get()
            # Counted now: the next request's request_started signal empties the log.
            counted = len(queries.captured_queries)
            times, size = _timed(get, args.rounds, UNITS)
            _line(vendor, "test client", name, times, size, f"  {counted} queries")
        for code in ("code128", "qr", "datamatrix"):
            url = f"{PAGE}?code={code}"

            def get_all(url: str = url) -> bytes:
                return client.get(url).content

            started = time.perf_counter()
            page = get_all()
            elapsed = (time.perf_counter() - started) * 1000
            assert page.count(FIGURE) == CAP_UNITS
            print(f"{vendor:>10}  the cap, {CAP_UNITS:,} labels, {code}: {elapsed:,.0f} ms once")

    if args.no_server:
        return
    database = Database(vendor, os.environ["DATABASE_URL"])
    (server,) = servers_for(database, ["runserver"], reload=False)
    with running(server):
        cookies = sign_in(server, username="bench", password="bench")
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        for name, query in PAGES:
            path = f"{PAGE}?{query.format(product=product)}"

            def fetch(path: str = path) -> bytes:
                status, _headers, body = request(server, "GET", path, headers={"Cookie": cookie})
                assert status == 200, status
                return body

            times, size = _timed(fetch, args.rounds, UNITS)
            _line(vendor, "runserver", name, times, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--no-server", action="store_true", help="the test client only")
    parser.add_argument("--target", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        run_target(args)
        return
    arguments = ["--rounds", str(args.rounds)] + (["--no-server"] if args.no_server else [])
    failures = run_on_each_database(
        module="bench.labels", arguments=arguments, only=args.only, pg_database=PG_DATABASE
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
