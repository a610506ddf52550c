"""The app's servers on loopback, started as the README starts them, for benchmarks.

`manage.py runserver` with `make run`'s settings (debug on) and gunicorn with the
production settings (debug off, 3 workers, HTTPS as said by the proxy's
X-Forwarded-Proto), each on a scratch database: SQLite in a temporary folder or
PostgreSQL on 127.0.0.1:5432 (dropped afterwards).
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.harness import PG_SERVER, ROOT, _postgres

SECRET_KEY = "bench-only-secret-key-not-for-any-real-deployment-0123456789"
PYTHON = sys.executable
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@dataclass
class Database:
    name: str
    url: str


@dataclass
class Server:
    name: str
    debug: bool
    port: int
    env: dict[str, str]
    command: list[str]
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def headers(self) -> dict[str, str]:
        # The TLS proxy of the README's Production section says "https".
        return {} if self.debug else {"X-Forwarded-Proto": "https"}


def server_env(database: Database, *, debug: bool, port: int | None = None) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database.url, "DJANGO_DEBUG": "1" if debug else "0"}
    # make run's environment sets nothing else; production sets these.
    for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_CSRF_TRUSTED_ORIGINS"):
        env.pop(name, None)
    if not debug:
        env["DJANGO_SECRET_KEY"] = SECRET_KEY
        env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        if port is not None:
            # The browser's Origin is plain http on loopback; behind the proxy it
            # is the shop's https origin, which matches the forwarded scheme.
            env["DJANGO_CSRF_TRUSTED_ORIGINS"] = f"http://127.0.0.1:{port}"
    return env


def manage(database: Database, *arguments: str) -> None:
    env = server_env(database, debug=False)
    subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, check=True)


def servers_for(database: Database, names: list[str], *, reload: bool) -> list[Server]:
    servers = []
    for name in names:
        port = free_port()
        if name == "runserver":
            # make run's `manage.py runserver HOST:PORT`; its autoreloader only
            # with --reload, as it restarts the server whenever a file changes.
            command = [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}"]
            if not reload:
                command.append("--noreload")
            servers.append(Server(name, True, port, server_env(database, debug=True), command))
        else:
            command = [str(BIN / "gunicorn"), "config.wsgi"]
            command += ["--bind", f"127.0.0.1:{port}", "--workers", "3"]
            env = server_env(database, debug=False, port=port)
            servers.append(Server(name, False, port, env, command))
    return servers


@contextmanager
def running(server: Server) -> Iterator[Server]:
    log = open(Path(tempfile.gettempdir()) / f"serialdesk-bench-{server.name}.log", "w")  # noqa: SIM115
    # Its own process group, so the autoreloader's child stops with it.
    server.process = subprocess.Popen(
        server.command,
        cwd=ROOT,
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _headers, _body = http_request(server, "GET", "/accounts/login/")
                if status == 200:
                    break
            except OSError:
                pass
            if server.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{server.name} did not start on port {server.port}")
            time.sleep(0.2)
        yield server
    finally:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=30)
        log.close()


def http_request(
    server: Server,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        connection.request(method, path, body=body, headers={**server.headers, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@contextmanager
def scratch_database(name: str, *, pg_database: str) -> Iterator[Database]:
    if name == "sqlite":
        folder = tempfile.mkdtemp(prefix="serialdesk-bench-")
        try:
            yield Database(name, f"sqlite:///{folder}/bench.sqlite3")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    _postgres(f"DROP DATABASE IF EXISTS {pg_database} WITH (FORCE)")
    _postgres(f"CREATE DATABASE {pg_database}")
    try:
        yield Database(name, f"{PG_SERVER}/{pg_database}")
    finally:
        _postgres(f"DROP DATABASE IF EXISTS {pg_database} WITH (FORCE)")


def _cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(server: Server, *, username: str, password: str) -> dict[str, str]:
    """Log in through the login page, as a browser does; the session's cookies."""
    status, headers, page = http_request(server, "GET", "/accounts/login/")
    assert status == 200, status
    cookies = _cookies(headers)
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "no CSRF token on the login page"
    form = {"csrfmiddlewaretoken": found.group(1).decode(), "username": username}
    body = urlencode({**form, "password": password}).encode()
    status, headers, _page = http_request(
        server,
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Origin": server.base,
            "Referer": f"{server.base}/accounts/login/",
        },
    )
    assert status == 302, status
    return {**cookies, **_cookies(headers)}


def page_add_serials(
    server: Server, *, cookies: dict[str, str], data: dict[str, str]
) -> tuple[float, float]:
    """Add Serial numbers' POST, then the list page it leads to, each timed to its last byte."""
    body = urlencode({"csrfmiddlewaretoken": cookies["csrftoken"], **data}).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "Origin": server.base,
        "Referer": f"{server.base}/inventory/serials/add/",
    }
    started = time.perf_counter()
    status, answer, _body = http_request(
        server, "POST", "/inventory/serials/add/", body=body, headers=headers
    )
    post = time.perf_counter() - started
    assert status == 302, (status, _body[:2000])
    # The messages cookie the POST set, so the list page shows its message.
    sent = {**cookies, **_cookies(answer)}
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in sent.items())}
    started = time.perf_counter()
    status, _answer, page = http_request(server, "GET", answer["Location"], headers=headers)
    landing = time.perf_counter() - started
    assert status == 200 and b"serial numbers added" in page, status
    return post, landing
