"""Background jobs record serials through the pages' own check and insert, run by one task."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from catalog.models import Product
from catalog.services import product_update
from inventory import tasks
from inventory.models import SerialJobState, SerialRecord, StockLevel
from inventory.services import jobs, serials_add
from tests.factories import OutletFactory, ProductFactory, UserFactory
from tests.inventory.job_helpers import media, run_worker  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]


@pytest.fixture
def user(roles):
    return UserFactory(username="sam", groups=["Staff"])


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK_ROWS", 3)


def change_product_after_the_check(monkeypatch, product, **fields):
    """A manager changes the product once the job has checked its entries, before a chunk."""
    real_check = jobs._job_check

    def check_then_change(job):
        check = real_check(job)
        product_update(product=Product.objects.get(pk=product.pk), **fields)
        return check

    monkeypatch.setattr(jobs, "_job_check", check_then_change)


def change_product_after_the_first_chunk(monkeypatch, product, **fields):
    real_insert = jobs._chunk_insert
    calls = []

    def insert_then_change(job, chunk):
        real_insert(job, chunk)
        if not calls:
            product_update(product=Product.objects.get(pk=product.pk), **fields)
        calls.append(chunk)

    monkeypatch.setattr(jobs, "_chunk_insert", insert_then_change)


def test_an_add_jobs_chunk_refuses_a_product_turned_off_since_its_check_as_the_page_does(
    user, monkeypatch
):
    product = ProductFactory(name="Barista Pro", has_serial_numbers=True)
    outlet = OutletFactory()
    job = jobs.serial_add_job_start(user=user, product=product, outlet=outlet, text="A1, A2")
    change_product_after_the_check(monkeypatch, product, has_serial_numbers=False)

    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.FAILED
    assert job.message == "Barista Pro does not have serial numbers enabled."
    assert job.done == 0
    assert not SerialRecord.objects.exists()
    assert not StockLevel.objects.filter(on_hand__gt=0).exists()
    # The page says the same of the same batch.
    with pytest.raises(ValidationError) as refused:
        serials_add(product=product, outlet=outlet, entries=["A1", "A2"], user=user)
    assert refused.value.code == "product_not_serialised"
    assert refused.value.messages == [job.message]


def test_an_add_job_stops_at_the_chunk_after_its_product_was_made_inactive(
    user, monkeypatch, small_chunks
):
    product = ProductFactory(name="Barista Pro")
    outlet = OutletFactory()
    text = ", ".join(f"A{n}" for n in range(1, 8))
    job = jobs.serial_add_job_start(user=user, product=product, outlet=outlet, text=text)
    change_product_after_the_first_chunk(monkeypatch, product, is_active=False)

    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.FAILED
    assert job.message == "The product Barista Pro is inactive."
    # The first chunk stays recorded; Resume would go on after it.
    assert (job.done, job.resume_after) == (3, 3)
    assert sorted(SerialRecord.objects.values_list("serial", flat=True)) == ["A1", "A2", "A3"]


def test_an_import_jobs_chunk_lists_the_rows_of_a_product_turned_off_since_its_check(
    user, monkeypatch
):
    product = ProductFactory(name="Barista Pro", sku="BP-1", has_serial_numbers=True)
    other = ProductFactory(sku="GR-1")
    OutletFactory(name="Main Street")
    text = "serial,product SKU,outlet\nB1,BP-1,Main Street\nG1,GR-1,Main Street\n"
    job = jobs.serial_import_job_start(user=user, file_name="f.csv", csv_text=text)
    change_product_after_the_check(monkeypatch, product, has_serial_numbers=False)

    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.DONE
    assert job.done == 1
    assert job.problems == [
        {"row": 2, "text": "B1", "reason": "Barista Pro does not have serial numbers enabled."}
    ]
    assert list(SerialRecord.objects.values_list("serial", "product")) == [("G1", other.pk)]


def test_every_kind_of_job_is_queued_as_the_one_task(user):
    product, outlet = ProductFactory(sku="BP-1"), OutletFactory(name="Main Street")
    jobs.serial_add_job_start(user=user, product=product, outlet=outlet, text="A1")
    jobs.serial_import_job_start(
        user=user, file_name="f.csv", csv_text="serial,sku,outlet\nB1,BP-1,Main Street\n"
    )
    jobs.serial_export_job_start(user=user, query=QueryDict(""))

    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == {"inventory.tasks.serial_job_task"}
    assert DBTaskResult.objects.count() == 3


@pytest.mark.parametrize("old_name", ["serial_batch_task", "serial_export_task"])
def test_a_task_queued_under_an_old_name_still_runs_its_job(user, old_name):
    product, outlet = ProductFactory(), OutletFactory()
    job = jobs.serial_add_job_start(user=user, product=product, outlet=outlet, text="A1, A2")
    # As a queue written before the tasks were one would hold it.
    DBTaskResult.objects.update(task_path=f"inventory.tasks.{old_name}")

    run_worker()

    job.refresh_from_db()
    assert (job.state, job.done) == (SerialJobState.DONE, 2)
    assert SerialRecord.objects.count() == 2
    assert import_string(f"inventory.tasks.{old_name}") is tasks.serial_job_task


def test_the_jobs_module_does_not_import_the_tasks_that_import_it():
    text = Path(jobs.__file__).read_text()
    found = re.search(
        r"^\s*(from|import)\s+inventory(\.tasks\b|\s+import\s+.*\btasks\b)", text, re.M
    )
    assert found is None, found.group(0)
