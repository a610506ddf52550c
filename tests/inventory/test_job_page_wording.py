"""A background job's page says what is happening: checking, why in the background,
when it ended and how long it took, and when no worker has taken it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inventory.models import SerialJob, SerialJobState
from inventory.services import jobs
from inventory.templatetags.job_times import duration_short, duration_words
from tests.factories import OutletFactory, ProductFactory, UserFactory
from tests.inventory.job_helpers import media, run_worker  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]
NO_WORKER = (
    "No worker has taken this job for {}. Is a worker running? (see README, Background jobs)"
)


@pytest.fixture
def sam(roles, client):
    user = UserFactory(username="sam", groups=["Staff"])
    client.force_login(user)
    return user


def status(client, job):
    response = client.get(reverse("inventory:job_status", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def add_job(user, text="A1, A2, A3"):
    return jobs.serial_add_job_start(
        user=user, product=ProductFactory(), outlet=OutletFactory(), text=text
    )


def import_big_file(client, settings):
    settings.SERIALDESK_IMPORT_JOB_ROWS = 2
    ProductFactory(sku="ESP-1"), OutletFactory(name="Main Street")
    text = "serial,product SKU,outlet\n" + "".join(f"J-{n},ESP-1,Main Street\n" for n in range(3))
    response = client.post(
        reverse("inventory:serial_import"),
        {"file": SimpleUploadedFile("big.csv", text.encode(), content_type="text/csv")},
        follow=True,
    )
    assert response.status_code == 200
    return SerialJob.objects.get(), response.content.decode()


def taken_by_a_worker(job):
    """As the worker's first step: the job runs, its rows not yet checked or counted."""
    SerialJob.objects.filter(pk=job.pk).update(
        state=SerialJobState.RUNNING, heartbeat_at=timezone.now()
    )


def queued_ago(job, age):
    """The job and its task as if queued `age` ago."""
    job.refresh_from_db()
    SerialJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - age)
    DBTaskResult.objects.filter(id=job.task_id).update(enqueued_at=timezone.now() - age)


@pytest.mark.parametrize(
    ("start", "says"),
    [
        ("import", "Checking the file…"),
        ("add", "Checking the serial numbers…"),
        ("export", "Counting the rows to export…"),
    ],
)
def test_a_job_being_checked_says_so_instead_of_zero_of_zero_rows(client, sam, start, says):
    if start == "import":
        job = jobs.serial_import_job_start(user=sam, file_name="big.csv", csv_text="serial\n")
    elif start == "add":
        job = add_job(sam)
    else:
        job = jobs.serial_export_job_start(user=sam, query=QueryDict(""))
    taken_by_a_worker(job)

    page = status(client, job)

    assert "Running" in page and says in page
    assert f'aria-valuetext="{says}"' in page and "progress-bar-animated" in page
    assert "0 of 0 rows done" not in page


def test_a_job_whose_rows_are_checked_shows_how_many_are_done(client, sam):
    job = add_job(sam)
    SerialJob.objects.filter(pk=job.pk).update(
        state=SerialJobState.RUNNING, heartbeat_at=timezone.now(), checked=True, total=3, done=1
    )

    page = status(client, job)

    assert "1 of 3 rows done" in page and 'aria-valuenow="33"' in page
    assert "Checking the serial numbers…" not in page


def test_a_queued_job_shows_no_row_count_yet(client, sam):
    job = add_job(sam)

    page = status(client, job)

    assert "Waiting for a worker" in page and 'aria-valuenow="0"' in page
    assert "rows done" not in page


def test_the_big_file_banner_shows_while_the_job_waits_and_runs_and_not_once_done(
    client, sam, settings
):
    job, first_page = import_big_file(client, settings)
    waiting = status(client, job)
    taken_by_a_worker(job)
    running = status(client, job)
    run_worker()
    done = status(client, job)
    reloaded = client.get(reverse("inventory:job_detail", args=[job.pk]))

    banner = "The file is big, so it is imported in the background."
    # Once, in the job's own status: not also as a message over the page.
    assert first_page.count(banner) == 1
    assert "Waiting for a worker" in waiting and banner in waiting
    assert "Running" in running and banner in running
    assert "Done" in done and "3 of 3 rows done" in done
    assert banner not in done
    assert reloaded.status_code == 200 and "3 of 3 rows done" in reloaded.content.decode()
    assert banner not in reloaded.content.decode()


@pytest.mark.parametrize(
    ("start", "banner"),
    [
        ("add", "The serial numbers are being added in the background."),
        ("export", "The export was sent to a worker: its file appears here."),
    ],
)
def test_other_jobs_say_they_run_in_the_background_only_until_done(client, sam, start, banner):
    if start == "add":
        job = add_job(sam)
    else:
        job = jobs.serial_export_job_start(user=sam, query=QueryDict(""))

    waiting = status(client, job)
    run_worker()
    done = status(client, job)

    assert banner in waiting
    assert "Done" in done and banner not in done


def test_a_finished_job_says_when_it_ended_and_how_long_it_took(client, sam):
    job = add_job(sam)
    run_worker()
    finished = datetime(2026, 12, 7, 3, 11, 40, tzinfo=UTC)
    SerialJob.objects.filter(pk=job.pk).update(
        created_at=finished - timedelta(minutes=1, seconds=12), finished_at=finished
    )

    page = status(client, job)

    assert "Done" in page
    assert "Finished at 07/12/2026 03:11 (took 1 min 12 s)." in page
    assert "a.m." not in page


def test_a_failed_job_says_when_it_failed_and_after_how_long(client, sam):
    job = jobs.serial_add_job_start(
        user=sam, product=ProductFactory(), outlet=OutletFactory(), text=" ,, "
    )
    run_worker()
    job.refresh_from_db()
    SerialJob.objects.filter(pk=job.pk).update(created_at=job.finished_at - timedelta(seconds=3))

    page = status(client, job)

    assert "Failed" in page and "Enter at least one serial number." in page
    assert f"Failed at {timezone.localtime(job.finished_at):%d/%m/%Y %H:%M}, after 3 s." in page
    assert "rows done" not in page


def test_a_running_job_says_nothing_of_an_end(client, sam):
    job = add_job(sam)
    taken_by_a_worker(job)

    page = status(client, job)

    assert "Running" in page
    assert "Finished at" not in page and "Failed at" not in page


def test_a_job_no_worker_has_taken_for_a_while_says_so_and_where_to_look(client, sam):
    job = add_job(sam)
    queued_ago(job, timedelta(minutes=3, seconds=20))

    page = client.get(reverse("inventory:job_detail", args=[job.pk]))

    assert page.status_code == 200
    assert "Waiting for a worker" in page.content.decode()
    assert NO_WORKER.format("3 minutes") in page.content.decode()


def test_a_job_queued_a_moment_ago_has_no_worker_warning(client, sam):
    job = add_job(sam)
    queued_ago(job, timedelta(seconds=30))

    page = status(client, job)

    assert "Waiting for a worker" in page
    assert "No worker has taken this job" not in page


def test_the_worker_warning_waits_as_long_as_the_setting_says(client, sam, settings):
    settings.SERIALDESK_JOB_UNCLAIMED_SECONDS = 20
    job = add_job(sam)
    queued_ago(job, timedelta(seconds=45))

    page = status(client, job)

    assert NO_WORKER.format("45 seconds") in page


def test_a_job_resumed_a_moment_ago_counts_its_wait_from_the_resume(client, sam):
    job = add_job(sam)
    SerialJob.objects.filter(pk=job.pk).update(
        state=SerialJobState.RUNNING,
        created_at=timezone.now() - timedelta(hours=2),
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    resumed = client.post(reverse("inventory:job_resume", args=[job.pk]))

    page = status(client, job)

    assert resumed.status_code == 302
    assert "Waiting for a worker" in page
    assert "No worker has taken this job" not in page


def test_a_job_a_worker_has_taken_has_no_worker_warning(client, sam):
    job = add_job(sam)
    queued_ago(job, timedelta(minutes=10))
    # The worker has claimed the task and is about to mark the job running.
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")

    page = status(client, job)

    assert "Waiting for a worker" in page
    assert "No worker has taken this job" not in page


@pytest.mark.parametrize(
    ("seconds", "short", "words"),
    [
        (0.2, "under a second", "0 seconds"),
        (1, "1 s", "1 second"),
        (45, "45 s", "45 seconds"),
        (72, "1 min 12 s", "1 minute"),
        (120, "2 min 0 s", "2 minutes"),
        (3600, "1 h 0 min", "1 hour"),
        (3600 + 5 * 60 + 9, "1 h 5 min", "1 hour 5 minutes"),
        (2 * 3600 + 60, "2 h 1 min", "2 hours 1 minute"),
    ],
)
def test_durations_read_as_a_person_would_say_them(seconds, short, words):
    assert duration_short(timedelta(seconds=seconds)) == short
    assert duration_words(timedelta(seconds=seconds)) == words
