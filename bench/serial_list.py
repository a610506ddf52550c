"""Benchmark: the Serial numbers list on a database that already holds the rows.

Times GET /inventory/serials/ through the real view (Django's test client, debug
off) for the first page, each filter, a substring search, each sort, and the
pages behind the Next and Last links, on the database in DATABASE_URL. Load
one first (`make bench-scale` keeps one, or generate_series in psql).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/serialdesk_k_big \\
        .venv/bin/python -m bench.serial_list --rounds 7
"""

import argparse
import html
import os
import re
import statistics
import time


def run(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault(
        "DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-any-real-use-0123456789"
    )
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Product
    from inventory.models import Outlet, SerialRecord

    # Plain static storage: the bench needs no collectstatic run (static URLs only).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}
    user, _ = User.objects.get_or_create(username="bench-list")
    user.groups.add(Group.objects.get(name="Staff"))
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    url = "/inventory/serials/"
    product = Product.objects.order_by("id")[len("middle") * 100]
    outlet = Outlet.objects.order_by("id")[3]
    some = SerialRecord.objects.order_by("id")[500_000 if args.deep else 0]
    cases: list[tuple[str, str]] = [
        ("first page, no filter", ""),
        ("filtered by product", f"product={product.pk}"),
        ("filtered by outlet", f"outlet={outlet.pk}"),
        ("filtered by status", "status=faulty"),
        ("filtered by dates", "added_from=2024-03-01&added_to=2024-03-31"),
        ("serial contains text", f"q={some.serial_normalised[2:7]}"),
        ("sorted by serial", "sort=serial"),
        ("sorted by product", "sort=product"),
        ("sorted by outlet", "sort=outlet"),
        ("sorted by status", "sort=status"),
        ("sorted by product, descending", "sort=-product"),
    ]

    def link(query: str, caption: str) -> str | None:
        page = client.get(f"{url}?{query}").content.decode()
        found = re.search(rf'<a class="page-link"[^>]*href="([^"]*)"[^>]*>{caption}</a>', page)
        return html.unescape(found.group(1)).lstrip("?") if found else None

    for query, name in (
        ("", ""),
        ("sort=status", "sort=status, "),
        ("sort=product", "sort=product, "),
    ):
        for caption in ("Next", "Last"):
            target = link(query, caption)
            if target is not None:
                cases.append((f"{name}{caption} page", target))
                if caption == "Last" and (before := link(target, "Previous")):
                    cases.append((f"{name}page before the last", before))
    for legacy in ("page=5000", "page=last"):
        if not args.keyset_only:
            cases.append((legacy, legacy))

    client.get(url)  # warm-up: URL resolver, content types, the first connection
    total = SerialRecord.objects.count()
    print(f"{connection.vendor}, {total:,} serials; median / best of {args.rounds}")
    for name, query in cases:
        timings = []
        for _round in range(args.rounds):
            started = time.perf_counter()
            response = client.get(f"{url}?{query}")
            timings.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?{query}")
        assert response.status_code == 200, (name, response.status_code)
        rows = response.content.decode().count('class="serial-text"')
        print(
            f"{name:<34} {statistics.median(timings) * 1000:8.1f} / {min(timings) * 1000:6.1f} ms"
            f"  {len(queries.captured_queries):2} queries"
            f"  {sum(float(q['time']) for q in queries.captured_queries) * 1000:7.1f} ms SQL"
            f"  {len(response.content) / 1024:6.0f} KB  {rows} rows"
        )
        if args.show_queries:
            for query_row in queries.captured_queries:
                print(f"    {query_row['time']}  {query_row['sql'][:400]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--deep", action="store_true", help="search text from a middle row")
    parser.add_argument("--keyset-only", action="store_true", help="skip ?page=N links")
    parser.add_argument("--show-queries", action="store_true")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
