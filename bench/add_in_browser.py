"""Benchmark: what a user waits for when adding 10,000 serials in the browser.

Starts the app's servers on loopback as the README does -- `manage.py runserver`
with `make run`'s settings (debug on) and gunicorn with the production settings
(debug off, 3 workers, HTTPS as said by the proxy's X-Forwarded-Proto) -- on
SQLite (a temporary file) and PostgreSQL (a scratch database), and drives
Chromium through Inventory > Serial numbers > Add Serial numbers with 10,000
serials. It times, for each round's batch:

- wait: from the click on **Add Serial numbers** until the list of the batch
  shows "10000 serial numbers added" (the browser's own clock, and Playwright's);
- the parts of that wait as the browser saw them (Navigation Timing): the POST,
  the list page's GET, and parsing and painting it;
- the same POST alone and the same list page alone, from a plain HTTP client on
  loopback with the browser's session cookie and CSRF token;
- the floor: a bare psycopg COPY of 10,000 serial rows and 10,000 history rows,
  on PostgreSQL, alone and with its COMMIT (then deleted); and wait / floor.

`--profile` also times the POST and the list page through Django's test client
with debug on and off, split into request body, form, the service's check,
insert and commit, the debug SQL log, the session, and the list page's count,
rows and rendering, to show where the time goes. Figures move with the
machine's load: the load average is printed before and after.

    .venv/bin/python -m bench.add_in_browser
    .venv/bin/python -m bench.add_in_browser --only postgresql --servers runserver --rounds 7
    .venv/bin/python -m bench.add_in_browser --only postgresql --profile
"""

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import ROOT
from bench.servers import (
    PYTHON,
    Database,
    Server,
    load_average,
    manage,
    page_add_serials,
    running,
    scratch_database,
    server_env,
    servers_for,
)

PG_DATABASE = "serialdesk_bench_browser"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The flags of tests/e2e/conftest.py.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USERNAME, PASSWORD = "bench", "bench-pass-123"
PRODUCT_NAME, PRODUCT_SKU = "Bench Espresso", "BENCH-ESP"
OUTLET_NAME = "Bench Outlet"

# Navigation Timing of the list page, and the click's time kept in sessionStorage
# by the Add page (sessionStorage outlives the navigation; the tab is the same).
_MARK_CLICK = """button => button.addEventListener("click", () => sessionStorage.setItem(
    "benchClick", String(performance.timeOrigin + performance.now())), {capture: true})"""
_READ_TIMING = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const click = Number(sessionStorage.getItem("benchClick"));
  const start = performance.timeOrigin - click;
  return {
    start, redirects: n.redirectCount,
    post: n.redirectEnd - n.redirectStart,
    get: n.responseEnd - n.fetchStart,
    dom: n.domContentLoadedEventEnd - n.responseEnd,
    load: start + n.loadEventEnd,
    paint: fcp ? start + fcp.startTime : null,
    // Static files asked of the server again (fetched, or revalidated: 304).
    static: performance.getEntriesByType("resource").filter(r => r.transferSize > 0).length,
  };
}"""


# Setting up, in a process with Django (production settings) --------------------


def run_setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth.models import Group, User

    from catalog.models import Product
    from inventory.models import Outlet

    user = User.objects.create_user(USERNAME, password=PASSWORD)
    user.groups.add(Group.objects.get(name="Staff"))
    Product.objects.create(
        name=PRODUCT_NAME, sku=PRODUCT_SKU, retail_price=100, has_serial_numbers=True
    )
    # Others, so the type-ahead and the Outlet list are not of one.
    for n in range(1, 20):
        Product.objects.create(
            name=f"Other Machine {n}", sku=f"OTHER-{n}", retail_price=100, has_serial_numbers=True
        )
        Outlet.objects.create(name=f"Other Outlet {n}")
    Outlet.objects.create(name=OUTLET_NAME)


# The browser -------------------------------------------------------------------


@dataclass
class Round:
    wait: float  # click to the message visible, Playwright's clock
    browser: dict[str, Any]  # Navigation Timing of the list page, ms from the click
    post: float  # the POST alone, plain HTTP client
    landing: float  # the list page alone, plain HTTP client


@dataclass
class Result:
    database: str
    server: str
    rounds: list[Round] = field(default_factory=list)
    rows: int = 0


def _serials(tag: str, batch: int) -> str:
    # The procedure's commas. Not one per line: Chromium's fill of a text area
    # grows with lines squared (2,000 lines took 8 s, 10,000 never ended).
    return ", ".join(f"{tag}-{n:06d}" for n in range(batch))


def browser_rounds(server: Server, *, batch: int, rounds: int, tag: str) -> list[Round]:
    from playwright.sync_api import expect, sync_playwright

    results: list[Round] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=server.base,
            viewport={"width": 1400, "height": 900},
            extra_http_headers=server.headers,
        )
        context.set_default_timeout(120_000)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        # One untimed warm-up round: the server's first request of each page, and
        # the browser's first fetch of the static files.
        for number in range(rounds + 1):
            page.get_by_role("button", name="Inventory").click()
            page.get_by_role("link", name="Serial numbers", exact=True).click()
            page.get_by_role("button", name="Add Serial numbers").click()
            expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()
            page.get_by_label("Product").fill(PRODUCT_SKU.lower())
            page.get_by_role("option", name=f"{PRODUCT_NAME} ({PRODUCT_SKU})").click()
            page.get_by_label("Outlet").select_option(label=OUTLET_NAME)
            page.get_by_label("Serial numbers").fill(_serials(f"{tag}{number}", batch))
            expect(page.get_by_text(f"{batch:,} serial numbers entered")).to_be_visible()
            button = page.get_by_role("button", name="Add Serial numbers", exact=True)
            button.evaluate(_MARK_CLICK)
            # "10000" or "10,000", however the message comes to group digits.
            added = re.compile(rf"({batch}|{batch:,}) serial numbers added")
            message = page.get_by_role("alert").filter(has_text=added)
            started = time.perf_counter()
            button.click()
            message.wait_for(state="visible")
            wait = time.perf_counter() - started
            page.wait_for_load_state("load")
            timing = page.evaluate(_READ_TIMING)
            # Then the same batch size through a plain HTTP client with the
            # browser's session, right after, so both meet the same workers,
            # table and machine load.
            query = page.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")
            post, landing = page_add_serials(
                server,
                cookies={c["name"]: c["value"] for c in context.cookies()},
                data={
                    "product": query["product"],
                    "product_search": f"{PRODUCT_NAME} ({PRODUCT_SKU})",
                    "outlet": query["outlet"],
                    "serial_numbers": _serials(f"{tag}h{number}", batch),
                    "only_valid": "",
                },
            )
            if number:
                results.append(Round(wait=wait, browser=timing, post=post, landing=landing))
        browser.close()
    return results


# The floor: a bare COPY --------------------------------------------------------


def copy_floor(database: Database, *, batch: int, rounds: int) -> tuple[float, float]:
    """Best times of a bare COPY of `batch` serials and `batch` history rows: the two
    COPYs alone (the floor; what a rolled-back transaction costs), and with COMMIT.

    The ids are taken from the sequence beforehand, untimed; the rows are deleted after.
    """
    import psycopg

    copies, committed = [], []
    with psycopg.connect(database.url) as connection:
        found = connection.execute(
            "SELECT p.id, o.id, u.id FROM catalog_product p, inventory_outlet o, auth_user u "
            "WHERE p.sku = %s AND o.name = %s AND u.username = %s",
            [PRODUCT_SKU, OUTLET_NAME, USERNAME],
        ).fetchone()
        assert found is not None, "run_setup's product, outlet and user"
        product_id, outlet_id, user_id = found
        for number in range(rounds + 1):
            ids = [
                row[0]
                for row in connection.execute(
                    "SELECT nextval(pg_get_serial_sequence('inventory_serialrecord', 'id')) "
                    "FROM generate_series(1, %s)",
                    [batch],
                )
            ]
            # The rows as COPY's text format, made before the clock starts: the floor
            # is the database's work, not Python's.
            serials = "".join(
                f"{pk}\t{product_id}\t{outlet_id}\tCOPY{number}-{pk}\tcopy{number}-{pk}\t"
                f"in_stock\t\tadded\t{user_id}\tnow\tnow\n"
                for pk in ids
            ).encode()
            events = "".join(
                f"{pk}\tadded\tnow\t{user_id}\t{outlet_id}\t\tin_stock\t\n" for pk in ids
            ).encode()
            connection.commit()
            started = time.perf_counter()
            with connection.cursor() as cursor:
                with cursor.copy(
                    "COPY inventory_serialrecord (id, product_id, outlet_id, serial, "
                    "serial_normalised, status, notes, origin, created_by_id, created_at, "
                    "updated_at) FROM STDIN"
                ) as copy:
                    copy.write(serials)
                with cursor.copy(
                    "COPY inventory_serialevent (serial_id, kind, created_at, user_id, "
                    "to_outlet_id, from_status, to_status, note) FROM STDIN"
                ) as copy:
                    copy.write(events)
            copied = time.perf_counter()
            # The deferred foreign keys of every new row are checked here.
            connection.commit()
            if number:
                copies.append(copied - started)
                committed.append(time.perf_counter() - started)
            connection.execute(
                "DELETE FROM inventory_serialevent WHERE serial_id = ANY(%s)", [ids]
            )
            connection.execute("DELETE FROM inventory_serialrecord WHERE id = ANY(%s)", [ids])
            connection.commit()
    return min(copies), min(committed)


def _row_count(database: Database) -> int:
    if database.name == "postgresql":
        import psycopg

        with psycopg.connect(database.url) as connection:
            count = connection.execute("SELECT count(*) FROM inventory_serialrecord").fetchone()
            return count[0] if count else 0
    import sqlite3

    path = database.url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM inventory_serialrecord").fetchone()[0]


# Where the time goes: the test client, debug on and off ------------------------


def run_profile(args: argparse.Namespace) -> None:
    """Time the POST and its list page through the test client, split into parts."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.handlers.wsgi import WSGIRequest
    from django.db import connections
    from django.template.response import SimpleTemplateResponse
    from django.test import Client

    import inventory.selectors.serials as serial_selectors
    from catalog.models import Product
    from inventory import services, sql
    from inventory.forms import SerialsAddForm
    from inventory.models import Outlet
    from inventory.services import serials as serial_services

    connection = connections["default"]  # the wrapper itself, whose class we patch
    spent: dict[str, float] = {}

    def timed(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def wrapper(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        setattr(owner, name, wrapper)

    timed(WSGIRequest, "_load_post_and_files", "request body")
    timed(SerialsAddForm, "full_clean", "form")
    timed(services, "serials_add", "service")
    timed(serial_services, "serials_check", "  check")
    timed(sql, "serial_records_insert", "  insert")
    timed(type(connection.ops), "last_executed_query", "debug SQL log")
    timed(type(connection), "_commit", "commit")
    timed(SessionStore, "save", "session save")
    timed(serial_selectors, "count_rows", "list: count")
    timed(serial_selectors, "keyset_page", "list: page")
    timed(SimpleTemplateResponse, "render", "list: render")

    user = User.objects.get(username=USERNAME)
    product = Product.objects.get(sku=PRODUCT_SKU)
    outlet = Outlet.objects.get(name=OUTLET_NAME)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    debug = "on" if settings.DEBUG else "off"
    rows: list[dict[str, float]] = []
    profiler = cProfile.Profile()
    for number in range(args.rounds + 1):
        data = {
            "product": product.pk,
            "product_search": f"{PRODUCT_NAME} ({PRODUCT_SKU})",
            "outlet": outlet.pk,
            "serial_numbers": _serials(f"P{debug}{number}", args.batch),
        }
        spent.clear()
        last = number == args.rounds
        if last:
            profiler.enable()
        started = time.perf_counter()
        response = client.post("/inventory/serials/add/", data)
        post = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        posted = dict(spent)
        spent.clear()
        started = time.perf_counter()
        page = client.get(response["Location"])
        landing = time.perf_counter() - started
        if last:
            profiler.disable()
        assert page.status_code == 200 and b"serial numbers added" in page.content
        # The list page's own session save and commit, apart from the POST's.
        listed = {k if k.startswith("list") else f"list: {k.strip()}": v for k, v in spent.items()}
        if number:
            rows.append({"POST": post, **posted, "list page": landing, **listed})
    print(f"\n  test client, debug {debug} ({connection.vendor}), median of {args.rounds}:")
    for label in rows[0]:
        values = [row.get(label, 0.0) for row in rows]
        print(f"    {label:<16} {statistics.median(values) * 1000:8.1f} ms")
    if args.show_profile:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(40)
        print("\n".join(out.getvalue().splitlines()[6:50]))


# Output ------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:6.0f} {min(values) * 1000:6.0f}"


def print_result(result: Result, floor: tuple[float, float] | None) -> None:
    rounds = result.rounds
    browser = [r.browser for r in rounds]

    def part(key: str) -> list[float]:
        return [b[key] / 1000 for b in browser if b.get(key) is not None]

    lines = [
        ("wait: click to message shown", [r.wait for r in rounds]),
        ("  browser: click to first paint", part("paint")),
        ("  browser: click to load event", part("load")),
        ("  browser: click to POST sent", part("start")),
        ("  browser: POST (to redirect)", part("post")),
        ("  browser: GET list page", part("get")),
        ("  browser: parse to DOM ready", part("dom")),
        ("POST alone (HTTP client)", [r.post for r in rounds]),
        ("list page alone (HTTP client)", [r.landing for r in rounds]),
    ]
    print(
        f"\n{result.database} / {result.server}  ({len(rounds)} rounds; "
        f"{result.rows:,} serials in the table at the end)"
    )
    print(f"  {'':<34} {'median':>6} {'best':>6} ms")
    for label, values in lines:
        if values:
            print(f"  {label:<34} {_ms(values)}")
    static = [b["static"] for b in browser]
    print(f"  static files requested again per list page: {statistics.median(static):.0f}")
    if floor:
        copy, committed = floor
        waits = [r.wait for r in rounds]
        print(
            f"  COPY floor {copy * 1000:.0f} ms ({committed * 1000:.0f} ms with its COMMIT): "
            f"wait / floor = {statistics.median(waits) / copy:.1f} median, "
            f"{min(waits) / copy:.1f} best (target under 10)"
        )


# Main --------------------------------------------------------------------------


def _profile(database: Database, args: argparse.Namespace) -> None:
    for debug in (True, False):
        command = [PYTHON, "-m", "bench.add_in_browser", "--profile-target"]
        command += ["--batch", str(args.batch), "--rounds", str(args.rounds)]
        if args.show_profile:
            command.append("--show-profile")
        subprocess.run(command, cwd=ROOT, env=server_env(database, debug=debug), check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--servers", default="runserver,gunicorn", help="runserver,gunicorn")
    parser.add_argument(
        "--reload",
        action="store_true",
        help="runserver with make run's autoreloader (restarts when any file changes)",
    )
    parser.add_argument("--profile", action="store_true", help="also split the test client's time")
    parser.add_argument("--show-profile", action="store_true", help="and print cProfile's top")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-target", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        run_setup()
        return
    if args.profile_target:
        run_profile(args)
        return
    if not Path(CHROMIUM).exists():
        sys.exit(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    names = [name.strip() for name in args.servers.split(",") if name.strip()]
    print(
        f"load average {load_average()}; batch {args.batch:,}, "
        f"{args.rounds} rounds after a warm-up"
    )
    collected = False
    for vendor in ("sqlite", "postgresql"):
        if args.only not in (None, vendor):
            continue
        with scratch_database(vendor, pg_database=PG_DATABASE) as database:
            manage(database, "migrate", "--no-input", "-v0")
            if not collected and "gunicorn" in names:
                # The README's production steps; CI runs the same.
                manage(database, "collectstatic", "--no-input", "-v0")
                collected = True
            setup = [PYTHON, "-m", "bench.add_in_browser", "--setup"]
            subprocess.run(setup, cwd=ROOT, env=server_env(database, debug=False), check=True)
            floor = None
            if vendor == "postgresql":
                floor = copy_floor(database, batch=args.batch, rounds=args.rounds)
            for server in servers_for(database, names, reload=args.reload):
                with running(server):
                    result = Result(vendor, server.name)
                    # Serials of each server start with its letter: R..., G...
                    tag = server.name[0].upper()
                    result.rounds = browser_rounds(
                        server, batch=args.batch, rounds=args.rounds, tag=tag
                    )
                result.rows = _row_count(database)
                print_result(result, floor)
            if args.profile:
                _profile(database, args)
    print(f"\nload average {load_average()}")


if __name__ == "__main__":
    main()
