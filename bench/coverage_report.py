"""Benchmark: Reports > Serial coverage and the Dashboard over a mid-sized shop.

Loads, with set-based SQL (generate_series, one INSERT ... SELECT per table),
1,000 products (half serialised; 20 priced at or above the High-value threshold
without serial numbers), 10 outlets, 200,000 serials (80 % In stock, the rest Sold,
Faulty, Written off), a stock level per product and outlet (about one in seven
serialised pairs counts more on hand than In stock serials, one in eleven fewer),
2,000 sales over 30 days and 300 warranty claims, then VACUUM ANALYZE. Then times
GETs of the coverage page, the Dashboard, Inventory > Stock and a product page as a
Manager through the real views, selectors and SQL (Django's test client, production
settings): one warm-up, then several rounds; prints the median and best server time
and the query count of one more GET.
PostgreSQL only (a scratch database, dropped afterwards). Target for the coverage
page: under 200 ms.

    make bench
    .venv/bin/python -m bench.coverage_report --rounds 15 --show-queries
"""

import argparse
import statistics
import sys
import time

from bench.harness import bench_user_create, django_setup, page_queries, run_on_each_database

PG_DATABASE = "serialdesk_bench_coverage"
PAGES = {
    "Serial coverage": "/reports/coverage/",
    "Dashboard": "/",
    # The pages that show the same mismatch per count.
    "Inventory > Stock, serialised": "/inventory/stock/?serialised=on",
}

PRODUCTS, OUTLETS, SERIALS = 1_000, 10, 200_000
SALES, CLAIMS = 2_000, 300


def _load(cursor, *, user_id: int) -> None:
    """Fill the tables with the shop above, each in one statement, the database doing the rows.

    No query parameters (`user_id` is an int), so `%` is SQL's modulo in every statement.
    """
    from catalog.models import Product
    from inventory.models import Outlet, SerialRecord, StockLevel
    from sales.models import Sale, SaleLine, WarrantyClaim

    serialised = PRODUCTS // 2
    pairs = serialised * OUTLETS
    # Products 1..1000 by sku number n: even n serialised (500.00 to 1,499.00), odd n
    # not; of those, every 50th is 1,200.00 (high value, no serials), the rest under 410.
    cursor.execute(
        f"""
        INSERT INTO {Product._meta.db_table} (name, sku, brand, retail_price, warranty_months,
            is_active, has_serial_numbers, created_at, updated_at)
        SELECT 'Bench product ' || n, 'BENCH-' || lpad(n::text, 5, '0'), 'Bench',
            CASE WHEN n % 2 = 0 THEN 500 + n WHEN n % 50 = 1 THEN 1200 ELSE 10 + n % 400 END,
            12, true, n % 2 = 0, now(), now()
        FROM generate_series(1, {PRODUCTS}) AS n
        """
    )
    cursor.execute(
        f"""
        INSERT INTO {Outlet._meta.db_table} (name, address, is_active,
            require_customer_for_serialised, created_at, updated_at)
        SELECT 'Bench outlet ' || lpad(n::text, 2, '0'), '', true, false, now(), now()
        FROM generate_series(1, {OUTLETS}) AS n
        """
    )
    # Serialised products and outlets numbered from 0, to spread serials over pairs.
    cursor.execute(
        f"""
        CREATE TEMP TABLE bench_sp AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, id
            FROM {Product._meta.db_table} WHERE has_serial_numbers;
        CREATE TEMP TABLE bench_o AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, id
            FROM {Outlet._meta.db_table};
        """
    )
    # Serial g is at pair g % pairs (product (g % pairs) % serialised, outlet
    # (g % pairs) / serialised); its round g / pairs (0..39) sets its status, so every
    # pair has 32 In stock, 6 Sold, 1 Faulty and 1 Written off.
    cursor.execute(
        f"""
        INSERT INTO {SerialRecord._meta.db_table} (product_id, outlet_id, serial,
            serial_normalised, status, notes, origin, created_by_id, created_at, updated_at)
        SELECT p.id, o.id, 'CV-' || lpad(g::text, 7, '0'), 'cv-' || lpad(g::text, 7, '0'),
            CASE WHEN (g / {pairs}) % 40 < 32 THEN 'in_stock'
                 WHEN (g / {pairs}) % 40 < 38 THEN 'sold'
                 WHEN (g / {pairs}) % 40 = 38 THEN 'faulty' ELSE 'written_off' END,
            '', 'added', {user_id}, now() - (g % 1000) * interval '1 hour', now()
        FROM generate_series(0, {SERIALS - 1}) AS g
        JOIN bench_sp p ON p.i = (g % {pairs}) % {serialised}
        JOIN bench_o o ON o.i = (g % {pairs}) / {serialised}
        """
    )
    # Every product at every outlet. Serialised pairs: 32 on hand (matching), or
    # 35 (stock without serials) every 7th pair, or 30 (serials without stock)
    # every 11th; the others 0 to 19.
    cursor.execute(
        f"""
        INSERT INTO {StockLevel._meta.db_table} (product_id, outlet_id, on_hand, updated_at)
        SELECT p.id, o.id,
            CASE WHEN NOT p.has_serial_numbers THEN (p.id + o.id) % 20
                 WHEN (p.id * {OUTLETS} + o.id) % 7 = 0 THEN 35
                 WHEN (p.id * {OUTLETS} + o.id) % 11 = 0 THEN 30
                 ELSE 32 END,
            now()
        FROM {Product._meta.db_table} p CROSS JOIN {Outlet._meta.db_table} o
        """
    )
    # Sales over the last 30 days, one line of a product without serials each.
    cursor.execute(
        f"""
        INSERT INTO {Sale._meta.db_table} (outlet_id, customer_id, clerk_id, created_at, total)
        SELECT o.id, NULL, {user_id}, now() - (s % 720) * interval '1 hour', 20
        FROM generate_series(0, {SALES - 1}) AS s JOIN bench_o o ON o.i = s % {OUTLETS}
        """
    )
    cursor.execute(
        f"""
        INSERT INTO {SaleLine._meta.db_table} (sale_id, position, product_id, quantity,
            unit_price)
        SELECT s.id, 1, (SELECT min(id) FROM {Product._meta.db_table}
                         WHERE NOT has_serial_numbers), 1 + s.id % 3, 10
        FROM {Sale._meta.db_table} s
        """
    )
    # Claims on Sold units, a third of them closed.
    cursor.execute(
        f"""
        INSERT INTO {WarrantyClaim._meta.db_table} (serial_id, sale_id, customer_id,
            fault_description, status, warranty_expired, opened_by_id, created_at, updated_at)
        SELECT u.id, (SELECT min(id) FROM {Sale._meta.db_table}), NULL, 'Bench fault',
            CASE WHEN u.k % 3 = 0 THEN 'resolved_repaired' ELSE 'open' END, false, {user_id},
            now(), now()
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS k
              FROM {SerialRecord._meta.db_table} WHERE status = 'sold' LIMIT {CLAIMS}) AS u
        """
    )


def run_target(args: argparse.Namespace) -> None:
    django_setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from catalog.models import Product
    from inventory.models import SerialRecord, StockLevel
    from inventory.services import serial_tally_rebuild
    from reports.selectors import coverage_counts

    user = bench_user_create(group="Managers")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _load(cursor, user_id=user.pk)
        # Units loaded by SQL, not through the services: counted as they count them.
        serial_tally_rebuild(dry_run=False)
    with connection.cursor() as cursor:
        # Autovacuum keeps a live table's visibility map mostly set, which lets
        # index-only scans skip the table; --no-vacuum shows a freshly loaded one.
        maintenance = "ANALYZE" if args.no_vacuum else "VACUUM ANALYZE"
        cursor.execute(maintenance)
    loaded = time.perf_counter() - started
    assert Product.objects.count() == PRODUCTS
    assert SerialRecord.objects.count() == SERIALS
    assert StockLevel.objects.count() == PRODUCTS * OUTLETS
    counts = coverage_counts()
    print(
        f"{connection.vendor:>10}  loaded {PRODUCTS:,} products, {OUTLETS} outlets, "
        f"{SERIALS:,} serials, {PRODUCTS * OUTLETS:,} stock levels, {SALES:,} sales, "
        f"{CLAIMS} claims in {loaded:.1f} s ({maintenance}); "
        "coverage problems: "
        f"{counts.high_value_without_serials} high value, "
        f"{counts.stock_without_serials} stock without serials, "
        f"{counts.serials_without_stock} serials without stock"
    )

    # Production settings (debug off, so no query logging); HTTPS as behind the proxy.
    # Pages render templates, which production settings want collected static files for.
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    product = Product.objects.filter(has_serial_numbers=True).order_by("id").first()
    assert product is not None
    pages = {**PAGES, "Product page, serialised": product.get_absolute_url()}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
        for name, path in pages.items():
            _time_page(client, name=name, path=path, args=args, capture=CaptureQueriesContext)
    print(f"{'':>10}  target: Serial coverage under 200 ms")


def _time_page(client, *, name: str, path: str, args: argparse.Namespace, capture) -> None:
    from django.db import connection

    def get() -> float:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        return elapsed

    get()  # warm-up: first-request costs (URL resolver, templates, content types)
    timings = [get() for _ in range(args.rounds)]
    with capture(connection) as queries:
        get()
    work = page_queries(queries.captured_queries, show=args.show_queries)
    print(
        f"{connection.vendor:>10}  {name} (GET {path}): "
        f"median {statistics.median(timings) * 1000:.1f} ms, "
        f"best {min(timings) * 1000:.1f} ms over {args.rounds} rounds; "
        f"{len(queries.captured_queries)} queries ({len(work)} for the page, "
        f"{sum(float(q['time']) for q in work) * 1000:.1f} ms in the database)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--show-queries", action="store_true", help="print the last GET's SQL")
    parser.add_argument("--no-vacuum", action="store_true", help="ANALYZE only after loading")
    parser.add_argument("--target", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        run_target(args)
        return
    arguments = ["--rounds", str(args.rounds)]
    arguments += ["--show-queries"] if args.show_queries else []
    arguments += ["--no-vacuum"] if args.no_vacuum else []
    failures = run_on_each_database(
        module="bench.coverage_report",
        arguments=arguments,
        only="postgresql",
        pg_database=PG_DATABASE,
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
