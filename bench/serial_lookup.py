"""Benchmark: look up one serial among 1,000,000 (the "Look up serial" box).

Fills the serial table with 1,000,000 units (4 products, 3 outlets) in batches of
100,000 through the app's bulk insert, then times GET /inventory/serials/lookup/
?q=<an exact serial> through the real view and SQL (Django's test client,
production settings): the answer is a redirect to the unit's page. Each round
looks up another unit, typed as a clerk might (lower case, spaces around).
PostgreSQL only: the target is a live shop's database.

    make bench
    .venv/bin/python -m bench.serial_lookup --rows 1000000 --rounds 25
"""

import argparse
import random
import statistics
import sys
import time

from bench.harness import bench_user_create, django_setup, page_queries, run_on_each_database

PG_DATABASE = "serialdesk_bench_lookup"
PAGE = "/inventory/serials/lookup/"
BATCH = 100_000


def run_target(args: argparse.Namespace) -> None:
    django_setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from catalog.models import Product
    from inventory.models import Outlet, SerialEventKind, SerialRecord, SerialStatus
    from inventory.sql import serial_records_insert

    user = bench_user_create(group="Staff")
    products = [
        Product.objects.create(
            name=f"Bench Product {n}", sku=f"BENCH-{n}", retail_price=100, has_serial_numbers=True
        )
        for n in range(4)
    ]
    outlets = [Outlet.objects.create(name=f"Bench Outlet {n}") for n in range(3)]

    def serial(n: int) -> str:
        return f"LK-{n:08d}"

    started = time.perf_counter()
    for start in range(0, args.rows, BATCH):
        rows = [
            (
                products[n % len(products)].pk,
                outlets[n % len(outlets)].pk,
                serial(n),
                SerialRecord.normalise(serial(n)),
            )
            for n in range(start, min(start + BATCH, args.rows))
        ]
        with transaction.atomic():
            serial_records_insert(
                rows=rows,
                status=SerialStatus.IN_STOCK,
                origin=SerialEventKind.ADDED,
                created_by_id=user.pk,
                created_at=timezone.now(),
            )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SerialRecord._meta.db_table}")
    filled = time.perf_counter() - started
    assert SerialRecord.objects.count() == args.rows

    # Production settings (debug off, so no query logging); HTTPS as behind the proxy.
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    picks = random.Random(9).sample(range(args.rows), args.rounds + 2)

    def look_up(n: int) -> None:
        response = client.get(PAGE, {"q": f"  {serial(n).lower()} "})
        assert response.status_code == 302, (response.status_code, response.content[-2000:])
        assert "/inventory/serials/" in response["Location"], response["Location"]

    def timed(n: int) -> float:
        started = time.perf_counter()
        look_up(n)
        return time.perf_counter() - started

    look_up(picks[0])  # warm-up: first-request costs (URL resolver, content types)
    timings = [timed(n) for n in picks[1:-1]]
    with CaptureQueriesContext(connection) as queries:
        look_up(picks[-1])
    work = page_queries(queries.captured_queries, show=args.show_queries)
    print(
        f"{connection.vendor:>10}  look up one serial among {args.rows:,} "
        f"(GET {PAGE}?q=<exact serial>, redirect to its page): "
        f"median {statistics.median(timings) * 1000:.2f} ms, "
        f"best {min(timings) * 1000:.2f} ms over {args.rounds} rounds; "
        f"{len(queries.captured_queries)} queries ({len(work)} for the look-up, "
        f"{sum(float(q['time']) for q in work) * 1000:.1f} ms in the database); "
        f"table filled in {filled:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--show-queries", action="store_true", help="print the last one's SQL")
    parser.add_argument("--target", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        run_target(args)
        return
    arguments = ["--rows", str(args.rows), "--rounds", str(args.rounds)]
    arguments += ["--show-queries"] if args.show_queries else []
    failures = run_on_each_database(
        module="bench.serial_lookup",
        arguments=arguments,
        only="postgresql",
        pg_database=PG_DATABASE,
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
