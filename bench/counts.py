"""Benchmark: an inventory count of 4,000 serials, scanned one by one, its lists, Apply.

Builds `--units` In stock units at the counted outlet (20 products with serial
numbers) and `--table` other units at another outlet, with the app's own bulk insert,
then through the real views (Django's test client, production settings): New count;
the first units scanned as typed lists of 100; the last `--scans` scanned one at a
time as a scanner sends them (the htmx POST of the scan box), each timed, target under
50 ms server time; the running lists (the htmx GET every device polls), the count
page and Complete count, timed; then Apply (the last 50 units missing: Write off all;
a few scans Not recorded: Record), target under 2 s.

    make bench                                              # as make bench runs it
    .venv/bin/python -m bench.counts --table 10000          # a quick run
    .venv/bin/python -m bench.counts --only postgresql
"""

import argparse
import statistics
import sys
import time

from bench.harness import django_setup, run_on_each_database

PG_DATABASE = "serialdesk_bench_counts"
CHUNK = 50_000


def _insert(rows, *, user_id: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from inventory import sql
    from inventory.models import SerialEventKind, SerialStatus

    for start in range(0, len(rows), CHUNK):
        with transaction.atomic():
            sql.serial_records_insert(
                rows=rows[start : start + CHUNK],
                status=SerialStatus.IN_STOCK,
                origin=SerialEventKind.ADDED,
                created_by_id=user_id,
                created_at=timezone.now(),
            )


def run_target(args: argparse.Namespace) -> None:
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.harness import bench_user_create
    from catalog.models import Product
    from inventory.models import InventoryCount, Outlet, SerialRecord, StockLevel

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}
    user = bench_user_create(group="Managers")
    here = Outlet.objects.create(name="Counted Outlet")
    there = Outlet.objects.create(name="Other Outlet")
    products = [
        Product.objects.create(
            name=f"Count Machine {n}", sku=f"CNT-{n}", retail_price=100, has_serial_numbers=True
        )
        for n in range(20)
    ]
    started = time.perf_counter()
    serials = [f"C-{n:07d}" for n in range(args.units)]
    _insert(
        [
            (products[n % 20].pk, here.pk, s, SerialRecord.normalise(s))
            for n, s in enumerate(serials)
        ],
        user_id=user.pk,
    )
    others = [f"O-{n:08d}" for n in range(args.table)]
    _insert(
        [
            (products[n % 20].pk, there.pk, s, SerialRecord.normalise(s))
            for n, s in enumerate(others)
        ],
        user_id=user.pk,
    )
    # Stock from before serials: each product counted 3 more than its units.
    for product in products:
        StockLevel.objects.filter(product=product, outlet=here).update(
            on_hand=args.units // 20 + 3
        )
    vendor = connection.vendor
    built = time.perf_counter() - started
    print(
        f"{vendor:>10}  {args.units:,} units at the outlet and {args.table:,} elsewhere "
        f"built in {built:.1f} s"
    )
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    htmx = {"HX-Request": "true"}

    def timed(call) -> float:
        begun = time.perf_counter()
        call()
        return time.perf_counter() - begun

    response = client.post(
        "/inventory/counts/new/", {"outlet": here.pk, "name": "Bench count", "brand": ""}
    )
    assert response.status_code == 302, response.status_code
    count = InventoryCount.objects.get()
    base = f"/inventory/counts/{count.pk}"
    missing = 50
    scanned = serials[: args.units - missing]
    single = scanned[-args.scans :]
    typed = scanned[: -args.scans]

    def post_scan(text: str) -> None:
        answer = client.post(f"{base}/scan/", {"serial_numbers": text}, headers=htmx)
        assert answer.status_code == 200, answer.status_code

    batches = [
        timed(lambda chunk=typed[i : i + 100]: post_scan("\n".join(chunk)))
        for i in range(0, len(typed), 100)
    ]
    one = [timed(lambda s=s: post_scan(s)) for s in single]
    with CaptureQueriesContext(connection) as captured:
        post_scan(single[0])  # a repeat: Scanned twice
    scan_queries = len(captured)
    for n in range(3):
        post_scan(f"NEW-{n}")
    ms = statistics.median(one) * 1000
    print(
        f"{vendor:>10}  scan one serial into a count of {len(scanned):,}: median {ms:.1f} ms, "
        f"max {max(one) * 1000:.1f} ms over {len(one)} scans (target < 50 ms; "
        f"{scan_queries} queries); a typed list of 100: median "
        f"{statistics.median(batches) * 1000:.1f} ms"
    )

    def get(path: str) -> float:
        def call():
            answer = client.get(path, headers=htmx)
            assert answer.status_code == 200, answer.status_code

        return statistics.median(timed(call) for _ in range(args.rounds))

    with CaptureQueriesContext(connection) as captured:
        client.get(f"{base}/lists/", headers=htmx)
    lists_queries = len(captured)
    if args.show_queries:
        for query in captured:
            print(f"{query['time']}  {query['sql'][:400]}")
    lists_ms = get(f"{base}/lists/") * 1000
    page_ms = get(f"{base}/") * 1000
    complete_ms = get(f"{base}/complete/") * 1000
    print(
        f"{vendor:>10}  running lists: median {lists_ms:.1f} ms ({lists_queries} queries); "
        f"count page {page_ms:.1f} ms; Complete count {complete_ms:.1f} ms"
    )

    scans = list(count.scans.filter(serial__startswith="NEW-").values_list("pk", flat=True))
    data = {"missing_all": "write_off"}
    for pk in scans:
        data[f"record_{pk}"] = "record"
        data[f"product_{pk}"] = str(products[0].pk)

    def apply() -> None:
        answer = client.post(f"{base}/complete/", data)
        assert answer.status_code == 302, answer.status_code

    with CaptureQueriesContext(connection) as captured:
        apply_s = timed(apply)
    count.refresh_from_db()
    assert count.status == "applied", count.status
    written_off = SerialRecord.objects.filter(outlet=here, status="written_off").count()
    assert written_off == missing, written_off
    print(
        f"{vendor:>10}  Apply ({missing} written off, {len(scans)} recorded, on hand set for "
        f"20 products): {apply_s:.3f} s, {len(captured)} queries (target < 2 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=4_000)
    parser.add_argument("--table", type=int, default=200_000)
    parser.add_argument("--scans", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument(
        "--pg-database",
        default=PG_DATABASE,
        help=f"scratch database, dropped afterwards (default {PG_DATABASE})",
    )
    parser.add_argument("--target", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        run_target(args)
        return
    arguments = [
        *("--units", str(args.units), "--table", str(args.table)),
        *("--scans", str(args.scans), "--rounds", str(args.rounds)),
        *(["--show-queries"] if args.show_queries else []),
    ]
    failures = run_on_each_database(
        module="bench.counts", arguments=arguments, only=args.only, pg_database=args.pg_database
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
