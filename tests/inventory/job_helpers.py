"""A real background worker for tests: django-tasks-db's `db_worker`, in-process."""

import signal

import pytest
from django.core.management import call_command

_SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


def run_worker() -> None:
    """Run every queued task with the real worker command, then return."""
    # The worker installs its own shutdown handlers; pytest's Ctrl+C must keep working.
    kept = {number: signal.getsignal(number) for number in _SIGNALS}
    try:
        call_command(
            "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
        )
    finally:
        for number, handler in kept.items():
            signal.signal(number, handler)


@pytest.fixture
def media(settings, tmp_path):
    """Job files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
