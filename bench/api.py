"""Benchmark: the REST API against the page, as a till or a script waits for it.

Starts the servers the README starts (`bench.servers`: runserver with `make
run`'s settings, gunicorn with production settings) on SQLite and PostgreSQL,
and times on loopback, to the last byte of each answer:

- bulk create: POST /api/v1/serial-numbers/bulk/ with 10,000 serials and a
  token, beside Add Serial numbers with the same 10,000 through the page (its
  POST and the list page it leads to: what the person waits for). The issue's
  target: the API within 2x of the page.
- sale: POST /api/v1/sales/ of one line of 20 serials, pre-recorded In stock
  at the outlet (attached), and 20 serials unknown until the sale
  (`"record_new": true`).

    make bench
    .venv/bin/python -m bench.api --only postgresql --servers gunicorn --rounds 7
"""

import argparse
import json
import statistics
import subprocess
import time

from bench.harness import ROOT
from bench.servers import (
    PYTHON,
    Server,
    http_request,
    load_average,
    manage,
    page_add_serials,
    running,
    scratch_database,
    server_env,
    servers_for,
    sign_in,
)

PG_DATABASE = "serialdesk_bench_api"
USERNAME, PASSWORD = "bench", "bench-pass-123"


def run_setup() -> None:
    """In a Django process: the clerk, with a token, a product and an outlet; prints their ids."""
    from bench.harness import django_setup

    django_setup()
    from django.contrib.auth.models import Group, User

    from api.services import api_token_create
    from catalog.models import Product
    from inventory.models import Outlet

    user = User.objects.create_user(USERNAME, password=PASSWORD)
    user.groups.add(Group.objects.get(name="Staff"))
    _token, key = api_token_create(user=user, created_by=user)
    product = Product.objects.create(
        name="Bench Bike", sku="BENCH-BIKE", retail_price=900, has_serial_numbers=True
    )
    outlet = Outlet.objects.create(name="Bench Outlet")
    print(json.dumps({"key": key, "product": product.pk, "outlet": outlet.pk}))


class Api:
    """Calls to one server's API with the bench clerk's token."""

    def __init__(self, server: Server, key: str):
        self.server = server
        self.headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}

    def post(self, path: str, payload: dict, *, expect: int = 201) -> float:
        body = json.dumps(payload).encode()
        started = time.perf_counter()
        status, _headers, answer = http_request(
            self.server, "POST", path, body=body, headers=self.headers
        )
        elapsed = time.perf_counter() - started
        assert status == expect, (status, answer[:2000])
        return elapsed


def _serials(tag: str, count: int) -> list[str]:
    return [f"{tag}-{n:07d}" for n in range(count)]


def bench_server(server: Server, fixtures: dict, *, batch: int, rounds: int) -> None:
    api = Api(server, fixtures["key"])
    cookies = sign_in(server, username=USERNAME, password=PASSWORD)
    where = {"product": fixtures["product"], "outlet": fixtures["outlet"]}
    tag = server.name[0].upper()
    page, page_post, bulk = [], [], []
    # Round 0 warms each path up and is not counted.
    for number in range(rounds + 1):
        texts = _serials(f"{tag}P{number}", batch)
        data = {**{k: str(v) for k, v in where.items()}, "serial_numbers": ", ".join(texts)}
        post, landing = page_add_serials(server, cookies=cookies, data=data)
        took = api.post(
            "/api/v1/serial-numbers/bulk/",
            {**where, "serials": _serials(f"{tag}A{number}", batch)},
        )
        if number:
            page.append(post + landing)
            page_post.append(post)
            bulk.append(took)
    page_median, bulk_median = statistics.median(page), statistics.median(bulk)
    print(
        f"  add {batch:,} serials: page {page_median:.3f} s "
        f"(its POST {statistics.median(page_post):.3f} s + list page), "
        f"API bulk create {bulk_median:.3f} s: "
        f"{bulk_median / page_median:.2f}x the page (target: within 2x)"
    )

    attached, recorded = [], []
    for number in range(rounds + 1):
        known = _serials(f"{tag}S{number}", 20)
        api.post("/api/v1/serial-numbers/bulk/", {**where, "serials": known})
        line = {"product": fixtures["product"], "quantity": 20}
        sale = {"outlet": fixtures["outlet"], "customer": None}
        took = api.post("/api/v1/sales/", {**sale, "lines": [{**line, "serials": known}]})
        new = _serials(f"{tag}N{number}", 20)
        took_new = api.post(
            "/api/v1/sales/", {**sale, "lines": [{**line, "serials": new}], "record_new": True}
        )
        if number:
            attached.append(took)
            recorded.append(took_new)
    print(
        f"  sale of 20 serials: pre-recorded {statistics.median(attached) * 1000:.1f} ms, "
        f"recorded at the sale {statistics.median(recorded) * 1000:.1f} ms "
        f"(medians of {rounds})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--servers", default="runserver,gunicorn", help="runserver,gunicorn")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        run_setup()
        return
    names = [name.strip() for name in args.servers.split(",") if name.strip()]
    print(f"load average {load_average()}; {args.rounds} rounds after a warm-up")
    for vendor in ("sqlite", "postgresql"):
        if args.only not in (None, vendor):
            continue
        with scratch_database(vendor, pg_database=PG_DATABASE) as database:
            manage(database, "migrate", "--no-input", "-v0")
            if "gunicorn" in names:
                manage(database, "collectstatic", "--no-input", "-v0")
            setup = subprocess.run(
                [PYTHON, "-m", "bench.api", "--setup"],
                cwd=ROOT,
                env=server_env(database, debug=False),
                check=True,
                capture_output=True,
                text=True,
            )
            fixtures = json.loads(setup.stdout.strip().splitlines()[-1])
            for server in servers_for(database, names, reload=False):
                print(f"{vendor}, {server.name} ({'debug on' if server.debug else 'production'}):")
                with running(server):
                    bench_server(server, fixtures, batch=args.batch, rounds=args.rounds)
    print(f"load average {load_average()}")


if __name__ == "__main__":
    main()
