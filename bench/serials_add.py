"""Benchmark: "Add Serial numbers" with 10,000 serials in one submission.

Prints the server time of the POST (through the real view, form, service and
SQL), its query count, and the memory the CSV export of 100,000 rows peaks at.
Runs on SQLite (a temporary file) and on PostgreSQL (a scratch database on
127.0.0.1), each in its own process because settings are read at start-up:

    make bench
    .venv/bin/python -m bench.serials_add --only sqlite --batch 10000 --rounds 5
    .venv/bin/python -m bench.serials_add --insert both    # JSON INSERT vs bulk_create
    .venv/bin/python -m bench.serials_add --only postgresql --refused  # + the same, all refused

With `--refused`, each accepted round's batch is then sent again: every entry is
already recorded, so the page answers 200 with the problems; its median is
printed beside the accepted one's (the target is "as fast as an accepted one").
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from datetime import datetime

from bench.harness import run_on_each_database

PG_DATABASE = "serialdesk_bench"
INSERTS = {
    "json": "JSON INSERT ... SELECT",
    "orm": "bulk_create",
}


def serial_records_insert_orm(
    *,
    rows: Sequence[tuple[int, int, str, str]],
    status: str,
    origin: str,
    created_by_id: int | None,
    created_at: datetime,
    cause: object = None,
    delivered: bool = False,
) -> int:
    """`inventory.sql.serial_records_insert` through `bulk_create`, for `--insert orm`.

    Django 5.2 sends one INSERT ... SELECT * FROM UNNEST(...) on PostgreSQL; on
    SQLite it splits the rows into batches of 999 parameters.
    """
    from inventory.models import SerialRecord

    records = [
        SerialRecord(
            product_id=product_id,
            outlet_id=outlet_id,
            serial=serial,
            serial_normalised=normalised,
            status=status,
            origin=origin,
            created_by_id=created_by_id,
            created_at=created_at,
        )
        for product_id, outlet_id, serial, normalised in rows
    ]
    return len(SerialRecord.objects.bulk_create(records))


def run_target(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.http import StreamingHttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    if args.refused:
        from django.conf import settings

        # A refused batch renders its page: plain static storage, so the bench
        # needs no collectstatic run (static URLs only).
        plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}
    if args.insert == "orm":
        from inventory import sql

        sql.serial_records_insert = serial_records_insert_orm
    from django.contrib.auth.models import Group, User

    from catalog.models import Product
    from inventory.models import Outlet, SerialRecord

    user = User.objects.create_user("bench", password="bench")
    user.groups.add(Group.objects.get(name="Staff"))
    product = Product.objects.create(
        name="Bench Machine", sku="BENCH-1", retail_price=100, has_serial_numbers=True
    )
    outlet = Outlet.objects.create(name="Bench Outlet")
    # Production settings (debug off, so no query logging); HTTPS as behind the proxy.
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)

    def post_batch(round_number: int, *, refused: bool = False) -> float:
        serials = ", ".join(f"R{round_number}-{n:07d}" for n in range(args.batch))
        data = {"product": product.pk, "outlet": outlet.pk, "serial_numbers": serials}
        started = time.perf_counter()
        response = client.post("/inventory/serials/add/", data)
        if refused:
            # The whole page, as the browser gets it.
            size = len(response.content)
        elapsed = time.perf_counter() - started
        assert response.status_code == (200 if refused else 302), response.status_code
        if refused:
            page_sizes.append(size)
        return elapsed

    page_sizes: list[int] = []

    vendor = connection.vendor
    timings = [post_batch(round_number) for round_number in range(args.rounds)]
    # One more, untimed, to count its queries.
    with CaptureQueriesContext(connection) as queries:
        post_batch(args.rounds)
    in_db = SerialRecord.objects.filter(product=product).count()
    assert in_db == args.batch * (args.rounds + 1), in_db
    # Queries of the last POST, less session and auth look-ups and savepoints.
    work = [
        q
        for q in queries.captured_queries
        if "SAVEPOINT" not in q["sql"]
        and "django_session" not in q["sql"]
        and "auth_" not in q["sql"]
    ]
    print(
        f"{vendor:>10}  add {args.batch:,} serials ({INSERTS[args.insert]}): "
        f"median {statistics.median(timings):.3f} s, "
        f"best {min(timings):.3f} s over {args.rounds} rounds; "
        f"{len(queries.captured_queries)} queries per POST ({len(work)} for the serials)"
    )

    if args.refused:
        refused = [post_batch(round_number, refused=True) for round_number in range(args.rounds)]
        with CaptureQueriesContext(connection) as queries:
            post_batch(0, refused=True)
        assert SerialRecord.objects.filter(product=product).count() == in_db
        accepted, median = statistics.median(timings), statistics.median(refused)
        print(
            f"{vendor:>10}  the same {args.batch:,} all refused: median {median:.3f} s, "
            f"best {min(refused):.3f} s ({median / accepted:.2f}x accepted), "
            f"page {page_sizes[-1] / 1000:.0f} KB; "
            f"{len(queries.captured_queries)} queries per POST"
        )

    def export() -> StreamingHttpResponse:
        response = client.get("/inventory/serials/export.csv")
        assert isinstance(response, StreamingHttpResponse), type(response)
        return response

    # Export: stream every row, once timed, once traced for its peak memory.
    started = time.perf_counter()
    size = sum(len(chunk) for chunk in export())
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    for _chunk in export():
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{vendor:>10}  export {in_db:,} rows as CSV: {elapsed:.2f} s, {size / 1e6:.1f} MB "
        f"streamed, peak Python memory {peak / 1e6:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--insert",
        choices=[*INSERTS, "both"],
        default="json",
        help="how the batch is inserted: the app's JSON INSERT (json), bulk_create (orm)",
    )
    parser.add_argument(
        "--refused",
        action="store_true",
        help="also send each batch again, all refused, and time that page",
    )
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
    failures = 0
    inserts = list(INSERTS) if args.insert == "both" else [args.insert]
    for insert in inserts:
        run = argparse.Namespace(**{**vars(args), "insert": insert})
        arguments = ["--batch", str(run.batch), "--rounds", str(run.rounds)]
        if run.refused:
            arguments.append("--refused")
        failures += run_on_each_database(
            module="bench.serials_add",
            arguments=[*arguments, "--insert", run.insert],
            only=args.only,
            pg_database=args.pg_database,
        )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
