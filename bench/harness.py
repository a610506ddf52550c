"""What every benchmark shares: one process per database, with production settings.

Settings are read at start-up, so each database gets its own process: SQLite on a
temporary file, PostgreSQL on a scratch database (dropped afterwards) on
127.0.0.1:5432, or the server in BENCH_POSTGRES_URL.
"""

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def _spawn(module: str, database_url: str, arguments: Sequence[str]) -> int:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-any-real-deployment-0123456789",
        "DJANGO_ALLOWED_HOSTS": "localhost",
    }
    command = [sys.executable, "-m", module, "--target", *arguments]
    return subprocess.call(command, cwd=ROOT, env=env)


def run_on_each_database(
    *, module: str, arguments: Sequence[str], only: str | None, pg_database: str
) -> int:
    """Run `python -m module --target arguments` on SQLite and/or PostgreSQL; failures."""
    failures = 0
    if only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            failures += _spawn(module, f"sqlite:///{folder}/bench.sqlite3", arguments)
    if only in (None, "postgresql"):
        _postgres(f"DROP DATABASE IF EXISTS {pg_database}")
        _postgres(f"CREATE DATABASE {pg_database}")
        try:
            failures += _spawn(module, f"{PG_SERVER}/{pg_database}", arguments)
        finally:
            _postgres(f"DROP DATABASE IF EXISTS {pg_database} WITH (FORCE)")
    return failures


def django_setup() -> None:
    """Start Django in a benchmark's target process, with the settings it was spawned with."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def bench_user_create(*, group: str):
    """Migrate the scratch database and make the user the benchmark signs in as."""
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench", password="bench")
    user.groups.add(Group.objects.get(name=group))
    return user


def page_queries(captured: list[dict], *, show: bool) -> list[dict]:
    """The queries of the page itself: less the session, auth and transaction statements.

    With `show`, every captured query is printed first, with its time.
    """
    if show:
        for query in captured:
            print(f"{query['time']}  {query['sql'][:300]}")
    return [
        q
        for q in captured
        if "django_session" not in q["sql"]
        and "auth_" not in q["sql"]
        and q["sql"] not in ("BEGIN", "COMMIT")
    ]
