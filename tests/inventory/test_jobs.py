"""Background jobs run by the real database worker: add, import, export, resume."""

import csv
import io
from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inventory import exports
from inventory.models import SerialJob, SerialJobState, SerialRecord, SerialStatus
from inventory.services import jobs
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory
from tests.inventory.job_helpers import media, run_worker  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]


@pytest.fixture
def user(roles):
    return UserFactory(username="sam", groups=["Staff"])


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK_ROWS", 3)


def csv_rows(file) -> list[list[str]]:
    with file.open("rb") as kept:
        return list(csv.reader(io.StringIO(kept.read().decode("utf-8").removeprefix("\ufeff"))))


def test_starting_a_job_queues_a_task_for_the_worker_after_commit(user):
    product, outlet = ProductFactory(), OutletFactory()

    job = jobs.serial_add_job_start(user=user, product=product, outlet=outlet, text="A1, A2")

    job.refresh_from_db()
    task = DBTaskResult.objects.get()
    assert job.state == SerialJobState.QUEUED
    assert job.task_id == str(task.id)
    assert task.task_path == "inventory.tasks.serial_job_task"
    assert SerialRecord.objects.count() == 0


def test_an_add_job_records_every_serial_in_chunks_with_its_progress(user, small_chunks):
    product, outlet = ProductFactory(), OutletFactory()
    text = "\n".join(f"SN-{n}" for n in range(1, 11))
    job = jobs.serial_add_job_start(user=user, product=product, outlet=outlet, text=text)

    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.DONE
    assert (job.total, job.done, job.resume_after) == (10, 10, 10)
    units = SerialRecord.objects.filter(product=product, outlet=outlet)
    assert units.count() == 10
    assert set(units.values_list("created_by", flat=True)) == {user.pk}
    assert set(units.values_list("created_at", flat=True)) == {job.batch_at}
    assert set(units.values_list("status", flat=True)) == {SerialStatus.IN_STOCK}


def test_an_add_job_with_problems_saves_nothing_and_lists_them_with_their_entries(user):
    product, outlet = ProductFactory(), OutletFactory()
    SerialRecordFactory(product=product, outlet=outlet, serial="OLD-1")
    job = jobs.serial_add_job_start(
        user=user, product=product, outlet=outlet, text="NEW-1, OLD-1, NEW-2, NEW-1"
    )

    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.FAILED
    assert job.message == "2 rows have problems. Nothing was saved."
    assert job.problem_count == 2
    assert [(p["row"], p["text"]) for p in job.problems] == [(2, "OLD-1"), (4, "NEW-1")]
    assert "Already recorded for this product" in job.problems[0]["reason"]
    assert csv_rows(job.problems_file)[0] == ["Entry", "Serial number", "Problem"]
    assert [row[:2] for row in csv_rows(job.problems_file)[1:]] == [["2", "OLD-1"], ["4", "NEW-1"]]
    assert SerialRecord.objects.filter(product=product).count() == 1


def test_an_add_job_for_only_the_valid_entries_records_them_and_keeps_the_problems(user):
    product, outlet = ProductFactory(), OutletFactory()
    job = jobs.serial_add_job_start(
        user=user, product=product, outlet=outlet, text="A1, bad\x07, A2", only_valid=True
    )

    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.DONE
    assert (job.done, job.problem_count, job.problem_rows) == (2, 1, [2])
    assert set(SerialRecord.objects.values_list("serial", flat=True)) == {"A1", "A2"}


def test_an_import_job_records_the_rows_of_a_csv(user, small_chunks):
    product, outlet = ProductFactory(sku="ESP-1"), OutletFactory(name="Main Street")
    lines = ["serial,product SKU,outlet", *(f"IMP-{n},esp-1,main street" for n in range(7))]
    job = jobs.serial_import_job_start(user=user, file_name="big.csv", csv_text="\n".join(lines))

    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.DONE
    assert (job.total, job.done) == (7, 7)
    assert SerialRecord.objects.filter(product=product, outlet=outlet).count() == 7
    assert set(SerialRecord.objects.values_list("origin", flat=True)) == {"imported"}


def test_an_import_job_names_the_rows_with_problems(user):
    ProductFactory(sku="ESP-1"), OutletFactory(name="Main Street")
    text = "serial,product SKU,outlet\nA1,ESP-1,Main Street\nA2,NOPE,Main Street\n"
    job = jobs.serial_import_job_start(user=user, file_name="f.csv", csv_text=text)

    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.FAILED
    assert job.problems == [{"row": 3, "text": "A2", "reason": "Unknown product SKU “NOPE”."}]
    assert csv_rows(job.problems_file)[0][0] == "Row"
    assert SerialRecord.objects.count() == 0


class _Killed(BaseException):
    """The worker's process dying mid-way: nothing of ours runs after it."""


def test_a_stopped_add_job_resumes_after_its_last_chunk_and_records_none_twice(
    user, small_chunks, monkeypatch
):
    product, outlet = ProductFactory(), OutletFactory()
    text = "\n".join(f"SN-{n}" for n in range(1, 9))
    job = jobs.serial_add_job_start(
        user=user, product=product, outlet=outlet, text=text + "\nSN-1", only_valid=True
    )
    real_insert = jobs._chunk_insert
    calls = []

    def die_after_first_chunk(job, chunk):
        if calls:
            raise _Killed
        calls.append(chunk)
        real_insert(job, chunk)

    monkeypatch.setattr(jobs, "_chunk_insert", die_after_first_chunk)
    run_worker()

    job.refresh_from_db()
    assert (job.state, job.done, job.resume_after) == (SerialJobState.RUNNING, 3, 3)
    assert not job.can_resume  # its heartbeat is fresh: it may still be running
    SerialJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    job.refresh_from_db()
    assert job.shown_state == SerialJobState.STOPPED
    assert job.can_resume

    monkeypatch.setattr(jobs, "_chunk_insert", real_insert)
    jobs.serial_job_resume(job=job)
    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.DONE
    assert (job.total, job.done, job.problem_count) == (8, 8, 1)
    serials = list(SerialRecord.objects.values_list("serial", flat=True))
    assert sorted(serials) == sorted(f"SN-{n}" for n in range(1, 9))


def test_a_worker_shut_down_mid_job_leaves_it_stopped_and_resumable(
    user, small_chunks, monkeypatch
):
    product, outlet = ProductFactory(), OutletFactory()
    job = jobs.serial_add_job_start(
        user=user, product=product, outlet=outlet, text="A, B, C, D, E"
    )
    real_insert = jobs._chunk_insert

    def shut_down_after_first_chunk(job, chunk):
        real_insert(job, chunk)
        raise SystemExit(1)

    monkeypatch.setattr(jobs, "_chunk_insert", shut_down_after_first_chunk)
    run_worker()
    job.refresh_from_db()
    assert (job.state, job.done) == (SerialJobState.STOPPED, 3)

    monkeypatch.setattr(jobs, "_chunk_insert", real_insert)
    jobs.serial_job_resume(job=job)
    run_worker()
    job.refresh_from_db()
    assert (job.state, job.done) == (SerialJobState.DONE, 5)
    assert SerialRecord.objects.count() == 5


def test_a_run_replaced_by_a_resume_writes_nothing(user):
    product, outlet = ProductFactory(), OutletFactory()
    job = jobs.serial_add_job_start(user=user, product=product, outlet=outlet, text="A, B")
    old_run = job.run_id
    SerialJob.objects.filter(pk=job.pk).update(run_id="another-run")

    jobs.serial_job_run(job_id=job.pk, run_id=old_run)

    job.refresh_from_db()
    assert (job.state, job.done) == (SerialJobState.QUEUED, 0)
    assert SerialRecord.objects.count() == 0


def test_only_a_stopped_job_can_be_resumed(user):
    job = jobs.serial_add_job_start(
        user=user, product=ProductFactory(), outlet=OutletFactory(), text="A"
    )

    with pytest.raises(jobs.ValidationError) as refused:
        jobs.serial_job_resume(job=job)

    assert refused.value.code == "not_stopped"


def test_an_export_job_writes_the_filtered_list_with_formulas_neutralised(user):
    outlet, other = OutletFactory(name="Main Street"), OutletFactory(name="Harbour")
    product = ProductFactory(name="Nova", sku="NOVA-1")
    SerialRecordFactory(product=product, outlet=outlet, serial="=1+1")
    SerialRecordFactory(product=product, outlet=outlet, serial="SN-2")
    SerialRecordFactory(product=product, outlet=other, serial="ELSEWHERE")
    job = jobs.serial_export_job_start(
        user=user, query=QueryDict(f"outlet={outlet.pk}&page=3&sort=serial")
    )

    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.DONE
    assert (job.total, job.done) == (2, 2)
    assert job.result.name.endswith(".csv")
    with job.result.open("rb") as file:
        assert file.read(3) == b"\xef\xbb\xbf"
    rows = csv_rows(job.result)
    assert rows[0][:5] == ["Serial number", "Product", "SKU", "Outlet", "Status"]
    assert sorted(row[0] for row in rows[1:]) == ["'=1+1", "SN-2"]
    assert {row[3] for row in rows[1:]} == {"Main Street"}


def test_an_export_that_fails_half_way_attaches_no_file(user, monkeypatch):
    SerialRecordFactory()

    def broken(row):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "_python_cells", broken)
    job = jobs.serial_export_job_start(user=user, query=QueryDict(""))
    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.FAILED
    assert "unexpected error" in job.message
    assert not job.result
