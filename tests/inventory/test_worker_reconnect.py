"""The background worker outlives a database restart: it reconnects and runs later jobs.

The real worker loop (`db_worker`'s) runs in the test, and the test acts in the
loop's own pauses, so the worker and the test never use the database at the same
moment (SQLite's shared in-memory test database would refuse that). On PostgreSQL
the outage is real: from a connection to the `postgres` database, the test database
stops taking connections and the worker's backend is ended with pg_terminate_backend.
SQLite has no server to restart, so there every use of the database fails for that
moment, as an unreadable database file does.
"""

import logging
import sqlite3
import time

import psycopg
import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django_tasks_db.management.commands import db_worker as upstream

from inventory.management.commands import db_worker
from inventory.management.commands.db_worker import ReconnectingWorker
from inventory.models import SerialJob, SerialJobState, SerialRecord
from inventory.services import jobs
from tests.factories import OutletFactory, ProductFactory, UserFactory
from tests.inventory.job_helpers import media  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]
WORKER_LOG = "inventory.management.commands.db_worker"


class Outage:
    """The test database going away (connections dropped, new ones refused) and coming back."""

    def __init__(self, monkeypatch):
        self.on = False
        self.admin = None
        if connection.vendor == "postgresql":
            params = connection.settings_dict
            self.name = connection.ops.quote_name(params["NAME"])
            self.admin = psycopg.connect(
                dbname="postgres",
                host=params["HOST"],
                port=params["PORT"] or 5432,
                user=params["USER"],
                password=params["PASSWORD"] or None,
                autocommit=True,
            )
            return
        for name in ("get_new_connection", "create_cursor"):
            monkeypatch.setattr(SQLiteWrapper, name, self._refused(getattr(SQLiteWrapper, name)))

    def _refused(self, original):
        def call(wrapper, *args, **kwargs):
            if self.on:
                raise sqlite3.OperationalError("unable to open database file")
            return original(wrapper, *args, **kwargs)

        return call

    def start(self):
        self.on = True
        if self.admin is not None:
            self.admin.execute(f"ALTER DATABASE {self.name} ALLOW_CONNECTIONS false")
            ended = self.admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [connection.settings_dict["NAME"]],
            ).fetchall()
            assert ended == [(True,)], f"the worker's backend was not ended: {ended}"

    def end(self):
        if self.on and self.admin is not None:
            self.admin.execute(f"ALTER DATABASE {self.name} ALLOW_CONNECTIONS true")
        self.on = False

    def close(self):
        self.end()
        if self.admin is not None:
            self.admin.close()


@pytest.fixture
def outage(monkeypatch):
    outage = Outage(monkeypatch)
    yield outage
    outage.close()


class _Clock:
    """A module's `time`, whose `sleep` lets the test act before it pauses."""

    def __init__(self, on_sleep):
        self.sleep = on_sleep
        self.monotonic = time.monotonic


def add_job(user, serials):
    return jobs.serial_add_job_start(
        user=user, product=ProductFactory(), outlet=OutletFactory(), text=serials
    )


def is_done(job):
    return SerialJob.objects.filter(pk=job.pk, state=SerialJobState.DONE).exists()


def test_a_job_queued_after_the_database_came_back_is_run(roles, outage, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger=WORKER_LOG)
    user = UserFactory(username="sam", groups=["Staff"])
    before = add_job(user, "BEFORE-1")
    worker = ReconnectingWorker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=0.01,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        first_delay=0.01,
        max_delay=0.04,
    )
    seen = {"after": None, "retries": 0}
    deadline = time.monotonic() + 30
    real_sleep = time.sleep

    def between_polls(seconds):
        """The loop's pause when no task was waiting: the database answers here."""
        if time.monotonic() > deadline:
            worker.running = False  # the assertions below say what did not happen
        elif not outage.on and seen["after"] is None and is_done(before):
            if seen["retries"] == 0:
                outage.start()
            else:
                seen["after"] = add_job(user, "AFTER-1, AFTER-2")
        elif seen["after"] is not None and is_done(seen["after"]):
            worker.running = False
        real_sleep(seconds)

    def in_back_off(seconds):
        """The worker waiting for the database: it comes back after a few tries."""
        seen["retries"] += 1
        if seen["retries"] == 3:
            outage.end()
        real_sleep(seconds)

    monkeypatch.setattr(upstream, "time", _Clock(between_polls))
    monkeypatch.setattr(db_worker, "time", _Clock(in_back_off))

    worker.run()

    assert seen["retries"] >= 3, "the worker never met the outage"
    assert seen["after"] is not None, "the worker did not come back to its loop"
    assert is_done(seen["after"])
    assert sorted(SerialRecord.objects.values_list("serial", flat=True)) == [
        "AFTER-1",
        "AFTER-2",
        "BEFORE-1",
    ]
    messages = [r.getMessage() for r in caplog.records if r.name == WORKER_LOG]
    assert messages[0].startswith("Lost the database connection: ")
    assert "Connected to the database again; the worker goes on." in messages
    # The pause doubles: 0.01 s, 0.02 s, then at most 0.04 s.
    pauses = [m for m in messages if m.startswith("Trying the database again in")]
    assert pauses[:3] == [f"Trying the database again in {s:g} s." for s in (0.01, 0.02, 0.04)]
