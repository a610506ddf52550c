"""`manage.py db_worker`: django-tasks-db's worker, made to outlive a database restart.

django-tasks-db's loop lets an `OperationalError` out when the database goes away
(a restart, a fail-over, a dropped connection) and the process ends, so jobs queued
after it wait for ever. This command has the same name and options and overrides it
(`inventory` comes before `django_tasks_db` in INSTALLED_APPS): when the connection
is lost it logs the error, waits, tries the database again with a capped exponential
back-off (1 s, 2 s, 4 s ... 30 s), and goes back to the same loop once it answers.
A task that was running when the connection went is left as it was; its job shows
**Stopped** after SERIALDESK_JOB_STALE_SECONDS and **Resume** goes on with it.
"""

import contextlib
import logging
import os
import time
from typing import Any

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connections, router
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# Errors of a database that cannot be reached; anything else still stops the worker.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
FIRST_DELAY = 1.0
MAX_DELAY = 30.0


class ReconnectingWorker(upstream.Worker):
    """django-tasks-db's worker, which waits for the database instead of exiting."""

    def __init__(
        self, *, first_delay: float = FIRST_DELAY, max_delay: float = MAX_DELAY, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.delay = first_delay

    def run(self) -> None:
        while True:
            started = time.monotonic()
            try:
                super().run()
                return
            except CONNECTION_ERRORS as error:
                if not self.running:
                    raise  # shutting down anyway: leave as django-tasks-db would
                # A loop that ran well for a while starts the back-off afresh; one
                # that fails straight after reconnecting keeps it growing.
                if time.monotonic() - started >= self.max_delay:
                    self.delay = self.first_delay
                logger.warning("Lost the database connection: %s", str(error).strip())
            self.startup_delay = False
            if not self.wait_for_database():
                return

    def wait_for_database(self) -> bool:
        """Try the database with a growing pause until it answers; False if told to stop."""
        alias = router.db_for_write(DBTaskResult)
        while self.running:
            self.drop_connections()
            logger.warning("Trying the database again in %g s.", self.delay)
            time.sleep(self.delay)
            self.delay = min(self.delay * 2, self.max_delay)
            try:
                connections[alias].ensure_connection()
            except CONNECTION_ERRORS as error:
                logger.warning("The database is still unreachable: %s", str(error).strip())
                continue
            logger.info("Connected to the database again; the worker goes on.")
            return True
        return False

    @staticmethod
    def drop_connections() -> None:
        """Close this thread's connections, which may be broken, so the next use opens anew."""
        for connection in connections.all(initialized_only=True):
            # A connection the server already dropped may complain; it is closed on our side.
            with contextlib.suppress(*CONNECTION_ERRORS):
                connection.close()


class Command(upstream.Command):
    help = "Run a database background worker that reconnects when the database restarts"

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queues = options["queue_name"].split(",")
        excluded = [name for name in options["exclude_queues"].split(",") if name]
        if excluded and "*" not in queues:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ReconnectingWorker(
            queue_names=queues,
            excluded_queue_names=excluded,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        # --batch runs what is queued and ends: nothing to reload.
        if not options["reload"] or options["batch"]:
            worker.configure_signals()
            worker.run()
            return
        # The reloader's child process runs the worker; only it takes the signals.
        if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            worker.configure_signals()
        run_with_reloader(worker.run)
