"""Benchmark: a sale of 20 serialised units, pre-recorded and In stock at the outlet.

Prints the server time of "Complete sale" on Sales > New sale (through the real
view, forms, `sale_create` and SQL) and its query count. Runs on SQLite (a
temporary file) and on PostgreSQL (a scratch database on 127.0.0.1), each in
its own process because settings are read at start-up:

    make bench
    .venv/bin/python -m bench.sale_create --only postgresql --units 20 --rounds 15
"""

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable

from bench.harness import bench_user_create, django_setup, run_on_each_database

PG_DATABASE = "serialdesk_bench_sales"
PAGE = "/sales/new/"


def run_target(args: argparse.Namespace) -> None:
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from catalog.models import Product
    from inventory.models import Outlet, SerialRecord, SerialStatus, StockLevel
    from sales.models import Sale, SaleLineSerial
    from sales.services import LineInput, sale_create

    user = bench_user_create(group="Staff")
    product = Product.objects.create(
        name="Bench Machine", sku="BENCH-1", retail_price=100, has_serial_numbers=True
    )
    outlet = Outlet.objects.create(name="Bench Outlet")
    sales_to_make = args.rounds + 2  # a warm-up, the timed rounds, one counted
    StockLevel.objects.create(product=product, outlet=outlet, on_hand=sales_to_make * args.units)
    # Other units of the product on the shelf, so the look-ups are not of an empty table.
    SerialRecord.objects.bulk_create(
        SerialRecord(
            product=product,
            outlet=outlet,
            serial=f"S{sale:03d}-{n:05d}",
            serial_normalised=SerialRecord.normalise(f"S{sale:03d}-{n:05d}"),
            status=SerialStatus.IN_STOCK,
        )
        for sale in range(sales_to_make + 50)
        for n in range(args.units)
    )

    def serials(sale: int) -> list[str]:
        return [f"S{sale:03d}-{n:05d}" for n in range(args.units)]

    # Production settings (debug off, so no query logging); HTTPS as behind the proxy.
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    # The form's field names come from the page itself. Only this GET renders a
    # template, and production settings want collected static files for that.
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
        page = client.get(PAGE)
    total_forms = re.search(rb'name="([\w-]+)-TOTAL_FORMS"', page.content)
    how: str
    sell: Callable[[int], None]
    if page.status_code == 200 and total_forms:
        prefix = total_forms.group(1).decode()
        how = f"POST {PAGE}"

        def sell_on_page(sale: int) -> None:
            data = {
                "outlet": outlet.pk,
                "customer": "",
                "customer_search": "",
                f"{prefix}-TOTAL_FORMS": 1,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 1,
                f"{prefix}-MAX_NUM_FORMS": 100,
                f"{prefix}-0-product": product.pk,
                f"{prefix}-0-product_search": f"{product.name} ({product.sku})",
                f"{prefix}-0-quantity": args.units,
                f"{prefix}-0-unit_price": "",
                # As a scanner types them: each scan ends with Enter.
                f"{prefix}-0-serial_numbers": "\n".join(serials(sale)),
            }
            response = client.post(PAGE, data)
            assert response.status_code == 302, (response.status_code, response.content[-3000:])

        sell = sell_on_page
    else:
        how = f"sale_create called directly: {PAGE} answered {page.status_code}"

        def sell_directly(sale: int) -> None:
            line = LineInput(product=product, quantity=args.units, serials=serials(sale))
            sale_create(outlet=outlet, customer=None, lines=[line], clerk=user)

        sell = sell_directly

    def timed(sale: int) -> float:
        started = time.perf_counter()
        sell(sale)
        return time.perf_counter() - started

    vendor = connection.vendor
    sell(0)  # warm-up: first-request costs (templates, content types) are not a sale's
    timings = [timed(sale) for sale in range(1, args.rounds + 1)]
    # One more, untimed, to count its queries.
    with CaptureQueriesContext(connection) as queries:
        sell(args.rounds + 1)
    assert Sale.objects.count() == sales_to_make
    sold = SaleLineSerial.objects.filter(returned_at__isnull=True).count()
    assert sold == sales_to_make * args.units, sold
    # Queries of the last sale, less session and auth look-ups and savepoints.
    work = [
        q
        for q in queries.captured_queries
        if "SAVEPOINT" not in q["sql"]
        and "django_session" not in q["sql"]
        and "auth_" not in q["sql"]
    ]
    print(
        f"{vendor:>10}  sale of {args.units} serialised units ({how}): "
        f"median {statistics.median(timings) * 1000:.1f} ms, "
        f"best {min(timings) * 1000:.1f} ms over {args.rounds} rounds; "
        f"{len(queries.captured_queries)} queries per sale ({len(work)} for the sale)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--target", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        run_target(args)
        return
    arguments = ["--units", str(args.units), "--rounds", str(args.rounds)]
    failures = run_on_each_database(
        module="bench.sale_create", arguments=arguments, only=args.only, pg_database=PG_DATABASE
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
