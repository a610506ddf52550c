"""The Dashboard at 1,000,000 serials as a browser waits for it, through gunicorn.

`make bench-scale BENCH_SCALE_ARGS=--keep` first leaves the million-serial database
`serialdesk_bench_scale`; this starts gunicorn on it with the README's production
settings (debug off, 3 workers, HTTPS said by the proxy header), logs in through the
login page as a Manager, and times GET / from the request to the last byte, idle and
then beside two busy CPU loops (bounded in time), each several rounds after one
warm-up. The figures are what a person waits for on this machine, less the browser's
drawing of the page.
"""

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.harness import PG_SERVER
from bench.scale import PG_DATABASE
from bench.servers import (
    Database,
    http_request,
    load_average,
    manage,
    running,
    servers_for,
    sign_in,
)

PASSWORD = "bench-dashboard-pass-1"
TARGET_MS = 50


def _manager(database: Database) -> None:
    """The Manager who logs in; made again with the same password on every run."""
    code = (
        "from django.contrib.auth.models import Group, User\n"
        "user, _ = User.objects.get_or_create(username='bench-dashboard')\n"
        f"user.set_password({PASSWORD!r}); user.save()\n"
        "user.groups.add(Group.objects.get(name='Managers'))\n"
    )
    manage(database, "shell", "-c", code)


@contextmanager
def busy(loops: int, seconds: int) -> Iterator[None]:
    """`loops` processes that keep a core busy, each ending by itself after `seconds`."""
    burn = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
    processes = [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(loops)]
    try:
        time.sleep(2)
        yield
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def timed(server, cookie: str, rounds: int) -> list[float]:
    http_request(server, "GET", "/", headers={"Cookie": cookie})  # warm-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        status, _headers, page = http_request(server, "GET", "/", headers={"Cookie": cookie})
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200 and b"<svg" in page, status
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25, help="timed rounds each (25)")
    args = parser.parse_args()
    database = Database("postgres", f"{PG_SERVER}/{PG_DATABASE}")
    _manager(database)
    manage(database, "collectstatic", "--no-input", "-v0")  # as the README's Production
    (server,) = servers_for(database, ["gunicorn"], reload=False)
    with running(server):
        cookies = sign_in(server, username="bench-dashboard", password=PASSWORD)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        rows = [("idle", load_average(), timed(server, cookie, args.rounds))]
        with busy(loops=2, seconds=120):
            rows.append(("2 busy loops", load_average(), timed(server, cookie, args.rounds)))
    print(f"Dashboard through gunicorn on {PG_DATABASE}, request to last byte, ms:")
    for name, load, times in rows:
        median, worst = statistics.median(times), max(times)
        verdict = "OK" if median <= TARGET_MS else "SLOW"
        print(f"  {name:13} median {median:6.1f}  max {worst:6.1f}  load {load}  {verdict}")


if __name__ == "__main__":
    main()
