"""Helpers for tests where two users act at the same moment (PostgreSQL only)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite cannot show locking bugs"
)


def run_in_thread(target, results, start=None):
    """Run `target` in a thread with its own connection; its result or error goes in `results`."""

    def run():
        try:
            if start:
                start.wait(timeout=10)
            results.append(target())
        except ValidationError as error:
            results.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def waits_for_a_lock(timeout=10):
    """Whether another connection to the test database is waiting for a lock, within `timeout`.

    Only this process's own test database counts (`current_database()`): under
    pytest-xdist each worker has one (test_<name>_gw0, ...), so a lock another
    worker waits for never answers here.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Inside a transaction PostgreSQL answers from the snapshot it took on
            # the first read of pg_stat_activity: drop it, to see the waits of now.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


def run_both(calls, *, timeout: float = 20) -> list:
    """Run two calls at once, each in its thread; their results in finishing order.

    A thread that died of anything but a ValidationError (a deadlock, an
    IntegrityError, a failed assertion) leaves no result, and this fails.
    """
    start = threading.Barrier(2, timeout=timeout)
    results: list = []
    threads = [run_in_thread(call, results, start) for call in calls]
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a call did not finish"
    assert len(results) == 2, results
    return results


def hold_after(monkeypatch, owner, name: str, *, timeout: float = 20) -> None:
    """Make `owner.name` wait, once it has run, until a second caller has run it too."""
    both = threading.Barrier(2, timeout=timeout)
    original = getattr(owner, name)

    def run_then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        both.wait()
        return result

    monkeypatch.setattr(owner, name, run_then_wait)
