"""Benchmark: Export CSV of 1,000,000 serial numbers, Python's path against COPY.

Fills a scratch PostgreSQL database with 2,000 products, 20 outlets and
1,000,000 units in a few set-based statements (accents, quotes, commas, new
lines and formula-looking text among them), then downloads Inventory > Serial
numbers > Export CSV (GET /inventory/serials/export.csv) through the real view
(Django's test client, production settings), reading every byte: once or more
through PostgreSQL's COPY (the app's path there), and once through Python's csv
path (the app's path on SQLite), forced by emptying inventory.exports.COPY_VENDORS.
Prints rows/s, seconds, MB, the time to the first row and whether both paths
wrote the same bytes. Target: at least 100,000 rows/s.

    .venv/bin/python -m bench.export_csv --rows 1000000 --rounds 3
"""

import argparse
import hashlib
import resource
import statistics
import sys
import time

from bench.harness import bench_user_create, django_setup, run_on_each_database

PG_DATABASE = "serialdesk_bench_export"
PAGE = "/inventory/serials/export.csv"
PRODUCTS = 2_000
OUTLETS = 20


def _fill(rows: int) -> float:
    """Products and outlets through the ORM, the units in one INSERT ... SELECT; seconds."""
    from django.db import connection, transaction

    from catalog.models import Product
    from inventory.models import Outlet, SerialRecord

    started = time.perf_counter()
    products = Product.objects.bulk_create(
        Product(
            # Every 50th name starts like a formula; the rest carry accents, quotes, commas.
            name=(f"=Modèle {n}" if n % 50 == 0 else f'Café "Crème" {n}, grand'),
            sku=f"SKU-{n:05d}",
            retail_price=100,
            has_serial_numbers=True,
        )
        for n in range(PRODUCTS)
    )
    outlets = Outlet.objects.bulk_create(
        Outlet(name=f"Boutique Église {n}" if n % 2 else f"@Harbour {n}") for n in range(OUTLETS)
    )
    statement = f"""
        INSERT INTO {SerialRecord._meta.db_table}
            (product_id, outlet_id, serial, serial_normalised, status, notes, origin,
             created_at, updated_at)
        SELECT (%s::bigint[])[1 + i %% {PRODUCTS}], (%s::bigint[])[1 + i %% {OUTLETS}],
               s.serial, lower(s.serial),
               (ARRAY['in_stock', 'in_stock', 'in_stock', 'sold', 'sold', 'faulty',
                      'written_off'])[1 + i %% 7],
               CASE WHEN i %% 10 = 0 THEN E'Box dented, "as new"\\nCafé' ELSE '' END,
               'added', now() - i * interval '90 seconds', now()
        FROM generate_series(1, %s) AS i,
             LATERAL (SELECT CASE WHEN i %% 1000 = 0 THEN '=SN-' ELSE 'SN-' END
                             || lpad(i::text, 8, '0') AS serial) AS s
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [[p.pk for p in products], [o.pk for o in outlets], rows])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SerialRecord._meta.db_table}")
    assert SerialRecord.objects.count() == rows
    return time.perf_counter() - started


def _download(client, query: dict) -> tuple[float, float, int, int, str]:
    """Seconds to the first row and to the end, bytes, lines and SHA-256 of one export."""
    from django.http import StreamingHttpResponse

    started = time.perf_counter()
    response = client.get(PAGE, query)
    assert isinstance(response, StreamingHttpResponse), response.status_code
    digest = hashlib.sha256()
    first_row = 0.0
    size = lines = 0
    for chunk in response:
        if lines and not first_row:
            first_row = time.perf_counter() - started
        digest.update(chunk)
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    return first_row, time.perf_counter() - started, size, lines, digest.hexdigest()


def run_target(args: argparse.Namespace) -> None:
    django_setup()
    from django.db import connection
    from django.test import Client

    from inventory import exports
    from inventory.filters import SerialRecordFilter
    from inventory.selectors import serial_list

    user = bench_user_create(group="Staff")
    filled = _fill(args.rows)
    query = dict(part.split("=", 1) for part in args.query.split("&") if part)
    expected_rows = SerialRecordFilter(query, queryset=serial_list()).qs.count()

    # Production settings (debug off); HTTPS as behind the proxy.
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)

    def report(path: str, runs: list[tuple[float, float, int, int, str]]) -> None:
        seconds = [run[1] for run in runs]
        first_row, _total, size, lines, _digest = runs[0]
        assert lines == expected_rows + 1, (lines, expected_rows)
        median = statistics.median(seconds)
        print(
            f"{connection.vendor:>10}  export {expected_rows:,} rows, {path}: "
            f"{expected_rows / median:,.0f} rows/s (median {median:.2f} s, best "
            f"{min(seconds):.2f} s over {len(runs)} round{'s' if len(runs) > 1 else ''}), "
            f"{size / 1e6:.1f} MB, first row after {first_row * 1000:.0f} ms, "
            f"peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )

    copy_runs = [_download(client, query) for _ in range(args.rounds)]
    report("PostgreSQL COPY", copy_runs)
    if args.python_rounds:
        exports.COPY_VENDORS = frozenset()
        python_runs = [_download(client, query) for _ in range(args.python_rounds)]
        report("Python csv", python_runs)
        same = {run[4] for run in copy_runs} == {run[4] for run in python_runs}
        print(f"{'':>10}  same bytes from both paths: {'yes' if same else 'NO'}")
        if not same:
            sys.exit(1)
    print(f"{'':>10}  table filled in {filled:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="COPY downloads")
    parser.add_argument(
        "--python-rounds", type=int, default=1, help="Python downloads (0: skip that path)"
    )
    parser.add_argument("--query", default="", help="the list's filters, e.g. status=sold")
    parser.add_argument("--target", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        run_target(args)
        return
    arguments = ["--rows", str(args.rows), "--rounds", str(args.rounds)]
    arguments += ["--python-rounds", str(args.python_rounds), "--query", args.query]
    failures = run_on_each_database(
        module="bench.export_csv",
        arguments=arguments,
        only="postgresql",
        pg_database=PG_DATABASE,
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
