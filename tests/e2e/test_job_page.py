"""A background job's page as a clerk watches it: waiting, no worker, checking, done."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from inventory.models import SerialJob, SerialJobState, SerialRecord
from lib.dates import datetime_display
from tests.factories import OutletFactory, ProductFactory, UserFactory
from tests.inventory.job_helpers import media, run_worker  # noqa: F401

pytestmark = pytest.mark.usefixtures("media")
BANNER = "The file is big, so it is imported in the background."


def test_a_big_import_says_what_happens_until_it_ends_and_when_it_did(page, log_in, settings):
    settings.SERIALDESK_IMPORT_JOB_ROWS = 2
    UserFactory(username="sam", groups=["Staff"])
    ProductFactory(name="Barista Pro", sku="BP-900")
    OutletFactory(name="Main Street")
    log_in("sam")

    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Serial numbers").click()
    page.get_by_role("link", name="Import CSV").click()
    csv = "serial,product SKU,outlet\n" + "".join(f"BP-{n},BP-900,Main Street\n" for n in range(3))
    page.get_by_label("CSV file").set_input_files(
        {"name": "delivery.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Import", exact=True).click()

    job = SerialJob.objects.get()
    expect(page.get_by_role("heading", name=f"Background job {job.pk}")).to_be_visible()
    expect(page.get_by_text("State: Waiting for a worker")).to_be_visible()
    expect(page.get_by_text(BANNER)).to_have_count(1)
    expect(page.get_by_text(BANNER)).to_be_visible()

    # Nobody started a worker: after a while the page says so, and where to look.
    queued = timezone.now() - timedelta(minutes=2, seconds=5)
    SerialJob.objects.filter(pk=job.pk).update(created_at=queued)
    DBTaskResult.objects.filter(id=SerialJob.objects.get().task_id).update(enqueued_at=queued)
    no_worker = page.get_by_text(
        "No worker has taken this job for 2 minutes. Is a worker running? "
        "(see README, Background jobs)"
    )
    expect(no_worker).to_be_visible()

    # A worker takes it and checks every row first: the page says so, not "0 of 0".
    SerialJob.objects.filter(pk=job.pk).update(
        state=SerialJobState.RUNNING, heartbeat_at=timezone.now()
    )
    expect(page.get_by_text("Checking the file…", exact=True)).to_be_visible()
    expect(page.get_by_role("progressbar", name="Progress")).to_have_attribute(
        "aria-valuetext", "Checking the file…"
    )
    expect(page.get_by_text("0 of 0 rows done")).to_have_count(0)
    expect(no_worker).to_have_count(0)
    expect(page.get_by_text(BANNER)).to_be_visible()

    run_worker()

    expect(page.get_by_text("3 of 3 rows done")).to_be_visible()
    job.refresh_from_db()
    finished = re.escape(f"Finished at {datetime_display(job.finished_at)} (took ")
    expect(page.get_by_text(re.compile(finished + r"[^)]+\)\."))).to_be_visible()
    expect(page.get_by_text("State: Done")).to_be_visible()
    # Once the job is done, the page no longer says it is being imported.
    expect(page.get_by_text(BANNER)).to_have_count(0)
    expect(page.get_by_text("Checking the file…")).to_have_count(0)
    assert SerialRecord.objects.count() == 3
