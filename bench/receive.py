"""Benchmark: Receive a 10,000-unit supplier list on a stock order, in a big serial table.

Builds a table of `--table` units (1,000,000 by default) with the app's own bulk
insert, then per round: uploads a supplier list of `--batch` serials onto a
stock order, receives them (POST Receive with the serials in the box), and adds
as many other serials with Add Serial numbers, all through the real views. The
target: Receive within 2x of Add Serial numbers. Then the live check of the
Scan serial numbers box (the htmx POST) with one scan, on an order expecting
`--batch` serials: the target is under 50 ms server time.

    make bench                                              # the full 1,000,000
    .venv/bin/python -m bench.receive --table 100000        # a quick run
    .venv/bin/python -m bench.receive --only postgresql --rounds 5
"""

import argparse
import statistics
import sys
import time

from bench.harness import django_setup, run_on_each_database

PG_DATABASE = "serialdesk_bench_receive"
CHUNK = 50_000


def _table_build(*, size: int, outlet_id: int, user_id: int) -> float:
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import Product
    from inventory import sql
    from inventory.models import SerialEventKind, SerialRecord, SerialStatus

    started = time.perf_counter()
    products = [
        Product.objects.create(
            name=f"Stock Machine {n}", sku=f"STOCK-{n}", retail_price=100, has_serial_numbers=True
        )
        for n in range(20)
    ]
    for start in range(0, size, CHUNK):
        rows = []
        for n in range(start, min(start + CHUNK, size)):
            serial = f"T-{n:08d}"
            product = products[n % len(products)]
            rows.append((product.pk, outlet_id, serial, SerialRecord.normalise(serial)))
        with transaction.atomic():
            sql.serial_records_insert(
                rows=rows,
                status=SerialStatus.IN_STOCK,
                origin=SerialEventKind.ADDED,
                created_by_id=user_id,
                created_at=timezone.now(),
            )
    return time.perf_counter() - started


def run_target(args: argparse.Namespace) -> None:
    django_setup()
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.harness import bench_user_create
    from catalog.models import Product, Supplier
    from inventory.models import Outlet, SerialRecord, StockOrder, StockOrderLine

    # Pages render: plain static storage, so the bench needs no collectstatic run.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}
    user = bench_user_create(group="Staff")
    user.user_permissions.add(Permission.objects.get(codename="receive_stockorder"))
    outlet = Outlet.objects.create(name="Bench Outlet")
    supplier = Supplier.objects.create(name="Bench Supplier")
    built = _table_build(size=args.table, outlet_id=outlet.pk, user_id=user.pk)
    vendor = connection.vendor
    print(f"{vendor:>10}  table of {args.table:,} units built in {built:.1f} s")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)

    def order_for(product: Product) -> StockOrder:
        order = StockOrder.objects.create(supplier=supplier, outlet=outlet, status="sent")
        StockOrderLine.objects.create(
            order=order, product=product, quantity=args.batch, cost=Decimal("1.00")
        )
        return order

    def timed(call) -> float:
        started = time.perf_counter()
        call()
        return time.perf_counter() - started

    uploads, receives, adds, queries = [], [], [], 0
    for round_number in range(args.rounds):
        product = Product.objects.create(
            name=f"Received {round_number}",
            sku=f"RCV-{round_number}",
            retail_price=100,
            has_serial_numbers=True,
        )
        order = order_for(product)
        serials = [f"R{round_number}-{n:07d}" for n in range(args.batch)]
        csv = "serial,sku\n" + "".join(f"{s},{product.sku}\n" for s in serials)

        def upload(order=order, csv=csv):
            response = client.post(
                f"/inventory/stock-orders/{order.pk}/receive/supplier-list/",
                {"file": SimpleUploadedFile("list.csv", csv.encode())},
            )
            assert response.status_code == 302, response.status_code

        def receive(order=order, serials=serials):
            response = client.post(
                f"/inventory/stock-orders/{order.pk}/receive/",
                {"serial_numbers": "\n".join(serials), "receive": "1"},
            )
            assert response.status_code == 302, response.status_code

        uploads.append(timed(upload))
        with CaptureQueriesContext(connection) as captured:
            receives.append(timed(receive))
        queries = len(captured)
        assert SerialRecord.objects.filter(arrival_order=order).count() == args.batch

        added = Product.objects.create(
            name=f"Added {round_number}",
            sku=f"ADD-{round_number}",
            retail_price=100,
            has_serial_numbers=True,
        )
        typed = ", ".join(f"A{round_number}-{n:07d}" for n in range(args.batch))

        def add(added=added, typed=typed):
            data = {"product": added.pk, "outlet": outlet.pk, "serial_numbers": typed}
            response = client.post("/inventory/serials/add/", data)
            assert response.status_code == 302, response.status_code

        adds.append(timed(add))

    receive_s, add_s, upload_s = (statistics.median(x) for x in (receives, adds, uploads))
    print(
        f"{vendor:>10}  receive {args.batch:,} serials: median {receive_s:.3f} s "
        f"({queries} queries); Add Serial numbers of as many: median {add_s:.3f} s; "
        f"receive / add = {receive_s / add_s:.2f}x (target <= 2x); "
        f"supplier list upload: median {upload_s:.3f} s "
        f"(upload + receive = {(upload_s + receive_s) / add_s:.2f}x add)"
    )

    # One scan's live answer, on an order that expects `batch` serials.
    product = Product.objects.create(
        name="Scanned", sku="SCAN-1", retail_price=100, has_serial_numbers=True
    )
    big = order_for(product)
    csv = "serial,sku\n" + "".join(f"E-{n:07d},SCAN-1\n" for n in range(args.batch))
    client.post(
        f"/inventory/stock-orders/{big.pk}/receive/supplier-list/",
        {"file": SimpleUploadedFile("list.csv", csv.encode())},
    )
    url = f"/inventory/stock-orders/{big.pk}/receive/check/"

    def check(text: str) -> float:
        def post():
            response = client.post(url, {"serial_numbers": text})
            assert response.status_code == 200, response.status_code

        return timed(post)

    one = [check(f"E-{n:07d}") for n in range(args.scans)]
    box = "\n".join(f"E-{n:07d}" for n in range(100))
    hundred = [check(box) for _ in range(max(args.scans // 4, 3))]
    ms = statistics.median(one) * 1000
    print(
        f"{vendor:>10}  live check of one scan: median {ms:.1f} ms, "
        f"max {max(one) * 1000:.1f} ms (target < 50 ms); "
        f"a box of 100 scans: median {statistics.median(hundred) * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scans", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
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
        *("--table", str(args.table), "--batch", str(args.batch)),
        *("--rounds", str(args.rounds), "--scans", str(args.scans)),
    ]
    failures = run_on_each_database(
        module="bench.receive", arguments=arguments, only=args.only, pg_database=args.pg_database
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
