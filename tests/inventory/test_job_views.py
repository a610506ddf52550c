"""Background jobs' pages: list, progress, result, downloads, Resume, and who may see them."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialJob, SerialJobState, SerialRecord
from inventory.services import jobs
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory
from tests.inventory.job_helpers import media, run_worker  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]
LIST_URL = reverse("inventory:job_list")


def detail(job):
    return reverse("inventory:job_detail", args=[job.pk])


def download(job, which):
    return reverse("inventory:job_download", args=[job.pk, which])


@pytest.fixture
def sam(roles):
    return UserFactory(username="sam", groups=["Staff"])


def add_job(user, text="A1, A2", **kwargs):
    return jobs.serial_add_job_start(
        user=user, product=ProductFactory(), outlet=OutletFactory(), text=text, **kwargs
    )


def test_a_queued_job_page_shows_a_progress_bar_that_polls(client, sam):
    job = add_job(sam)
    client.force_login(sam)

    response = client.get(detail(job))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Waiting for a worker" in page
    assert 'role="progressbar"' in page and 'aria-valuenow="0"' in page
    assert 'hx-trigger="every 1s"' in page
    assert "This job is resumable" in page
    assert "style=" not in page


def test_a_finished_job_shows_its_rows_and_stops_polling(client, sam):
    job = add_job(sam, text="A1, A2, A3")
    run_worker()
    client.force_login(sam)

    response = client.get(reverse("inventory:job_status", args=[job.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Done" in page and "3 of 3 rows done" in page
    assert 'aria-valuenow="100"' in page and "job-progress-100" in page
    assert "Show the serial numbers saved" in page
    assert "hx-trigger" not in page


def test_a_job_with_problems_lists_them_with_their_rows_and_offers_them_all(client, sam):
    product, outlet = ProductFactory(), OutletFactory()
    SerialRecordFactory(product=product, outlet=outlet, serial="OLD")
    job = jobs.serial_add_job_start(user=sam, product=product, outlet=outlet, text="NEW, OLD")
    run_worker()
    client.force_login(sam)

    page = client.get(detail(job))
    problems = client.get(download(job, "problems"))

    assert page.status_code == 200
    assert "1 row has a problem. Nothing was saved." in page.content.decode()
    assert "Download all problems" in page.content.decode()
    assert "<td>2</td><td>OLD</td>" in page.content.decode()
    assert problems.status_code == 200
    assert b"OLD" in b"".join(problems.streaming_content)


def test_an_export_job_file_is_downloadable_by_its_owner_and_a_manager_only(client, sam):
    SerialRecordFactory(serial="EXPORTED-1")
    job = jobs.serial_export_job_start(user=sam, query=QueryDict(""))
    run_worker()
    other = UserFactory(username="tess", groups=["Staff"])
    manager = UserFactory(username="mia", groups=["Managers"])

    client.force_login(sam)
    own = client.get(download(job, "result"))
    client.force_login(manager)
    managers = client.get(download(job, "result"))
    client.force_login(other)
    others = client.get(download(job, "result"))

    assert own.status_code == 200
    assert own["Content-Disposition"].startswith("attachment")
    assert b"EXPORTED-1" in b"".join(own.streaming_content)
    assert managers.status_code == 200
    assert others.status_code == 404


def test_another_staff_user_cannot_see_someones_job(client, sam):
    job = add_job(sam)
    client.force_login(UserFactory(username="tess", groups=["Staff"]))

    assert client.get(LIST_URL).status_code == 200
    assert client.get(detail(job)).status_code == 404
    assert client.post(reverse("inventory:job_resume", args=[job.pk])).status_code == 404


def test_the_list_shows_a_staff_user_their_own_jobs_and_a_manager_all(client, sam):
    add_job(sam, text="MINE")
    other = UserFactory(username="tess", groups=["Staff"])
    add_job(other, text="THEIRS")

    client.force_login(sam)
    own = client.get(LIST_URL)
    client.force_login(UserFactory(username="mia", groups=["Managers"]))
    everyone = client.get(LIST_URL)

    assert own.status_code == 200
    assert [job.user for job in own.context["jobs"]] == [sam]
    assert everyone.status_code == 200
    assert {job.user for job in everyone.context["jobs"]} == {sam, other}


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_costs_the_same_queries_for_any_number_of_jobs(
    client, sam, count, django_assert_num_queries
):
    for _ in range(count):
        add_job(sam)
    client.force_login(sam)

    # The same for 2 and 20 jobs: no query per row (the user comes with its job).
    with django_assert_num_queries(6):
        response = client.get(LIST_URL)

    assert response.status_code == 200
    assert len(response.context["jobs"]) == count


def test_a_stopped_job_offers_resume_which_finishes_it(client, sam):
    job = add_job(sam, text="A1, A2")
    SerialJob.objects.filter(pk=job.pk).update(
        state=SerialJobState.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(sam)

    page = client.get(detail(job))
    resumed = client.post(reverse("inventory:job_resume", args=[job.pk]))
    run_worker()

    assert page.status_code == 200
    assert "Stopped" in page.content.decode() and ">Resume</button>" in page.content.decode()
    assert resumed.status_code == 302 and resumed["Location"] == detail(job)
    job.refresh_from_db()
    assert job.state == SerialJobState.DONE
    assert SerialRecord.objects.count() == 2


def test_resuming_a_running_job_is_refused(client, sam):
    job = add_job(sam)
    client.force_login(sam)

    response = client.post(reverse("inventory:job_resume", args=[job.pk]), follow=True)

    assert response.status_code == 200
    assert "Only a stopped job can be resumed." in response.content.decode()
    job.refresh_from_db()
    assert job.state == SerialJobState.QUEUED


def test_job_pages_send_anonymous_users_to_log_in(client, sam):
    job = add_job(sam)
    for url in [LIST_URL, detail(job), download(job, "problems")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_job_pages_refuse_users_without_the_permission(client, sam):
    job = add_job(sam)
    nobody = UserFactory(username="nobody")
    client.force_login(nobody)

    assert client.get(LIST_URL).status_code == 403
    assert client.get(detail(job)).status_code == 403


def test_a_staff_user_without_add_permission_cannot_open_an_add_job(client, sam):
    job = add_job(sam)
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_serialrecord", "view_serialjob"])
    )
    client.force_login(viewer)

    assert client.get(detail(job)).status_code == 403


def test_job_actions_refuse_the_wrong_method(client, sam):
    job = add_job(sam)
    client.force_login(sam)

    assert client.get(reverse("inventory:job_resume", args=[job.pk])).status_code == 405
    assert client.post(detail(job)).status_code == 405
    assert client.post(download(job, "problems")).status_code == 405


def test_adding_over_the_cap_offers_add_in_the_background_which_starts_a_job(
    client, sam, settings
):
    settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION = 2
    product, outlet = ProductFactory(), OutletFactory()
    form = {"product": product.pk, "outlet": outlet.pk, "serial_numbers": "B1, B2, B3"}
    client.force_login(sam)

    refused = client.post(reverse("inventory:serial_create"), form)
    started = client.post(reverse("inventory:serial_create"), {**form, "background": "1"})
    run_worker()

    assert refused.status_code == 200
    assert "At most 2 serial numbers can be added at once" in refused.content.decode()
    assert ">Add in the background</button>" in refused.content.decode()
    assert "B1, B2, B3" in refused.content.decode()
    job = SerialJob.objects.get()
    assert started.status_code == 302 and started["Location"] == detail(job)
    job.refresh_from_db()
    assert (job.state, job.done) == (SerialJobState.DONE, 3)
    assert SerialRecord.objects.filter(product=product, outlet=outlet).count() == 3


def test_a_csv_over_the_row_threshold_is_imported_by_a_job(client, sam, settings):
    settings.SERIALDESK_IMPORT_JOB_ROWS = 2
    ProductFactory(sku="ESP-1"), OutletFactory(name="Main Street")
    text = "serial,product SKU,outlet\n" + "".join(f"J-{n},ESP-1,Main Street\n" for n in range(3))
    client.force_login(sam)

    response = client.post(
        reverse("inventory:serial_import"),
        {"file": SimpleUploadedFile("big.csv", text.encode(), content_type="text/csv")},
    )
    run_worker()

    job = SerialJob.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(job)
    job.refresh_from_db()
    assert (job.kind, job.file_name, job.state, job.done) == ("import", "big.csv", "done", 3)
    assert SerialRecord.objects.count() == 3


def test_a_csv_under_the_row_threshold_is_still_imported_at_once(client, sam):
    ProductFactory(sku="ESP-1"), OutletFactory(name="Main Street")
    text = "serial,product SKU,outlet\nNOW-1,ESP-1,Main Street\n"
    client.force_login(sam)

    response = client.post(
        reverse("inventory:serial_import"),
        {"file": SimpleUploadedFile("small.csv", text.encode(), content_type="text/csv")},
    )

    assert response.status_code == 302
    assert SerialRecord.objects.count() == 1
    assert not SerialJob.objects.exists()


def test_export_csv_of_a_long_list_runs_in_the_background_with_the_lists_filters(
    client, sam, settings
):
    settings.SERIALDESK_EXPORT_JOB_ROWS = 2
    main, other = OutletFactory(name="Main Street"), OutletFactory(name="Harbour")
    for n in range(3):
        SerialRecordFactory(serial=f"MAIN-{n}", outlet=main)
    SerialRecordFactory(serial="HARBOUR-1", outlet=other)
    client.force_login(sam)

    page = client.get(reverse("inventory:serial_list"), {"outlet": main.pk})
    assert page.status_code == 200
    form_action = f'action="{reverse("inventory:serial_export_job")}?outlet={main.pk}"'
    assert form_action in page.content.decode()

    response = client.post(f"{reverse('inventory:serial_export_job')}?outlet={main.pk}")
    job = SerialJob.objects.get()
    assert response.status_code == 302
    assert response.url == detail(job)
    run_worker()
    file = client.get(download(job, "result"))
    assert file.status_code == 200
    text = b"".join(file.streaming_content).decode("utf-8-sig")
    assert sorted(line.split(",")[0] for line in text.splitlines()[1:]) == [
        "MAIN-0",
        "MAIN-1",
        "MAIN-2",
    ]


def test_export_csv_of_a_short_list_is_a_plain_download(client, sam, settings):
    settings.SERIALDESK_EXPORT_JOB_ROWS = 2
    SerialRecordFactory()
    client.force_login(sam)

    page = client.get(reverse("inventory:serial_list"))

    assert page.status_code == 200
    content = page.content.decode()
    assert f'href="{reverse("inventory:serial_export")}' in content
    assert reverse("inventory:serial_export_job") not in content


def test_starting_an_export_job_needs_a_post_and_the_view_permission(client, roles):
    nobody = UserFactory(username="nobody")
    client.force_login(nobody)
    url = reverse("inventory:serial_export_job")

    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    assert SerialJob.objects.count() == 0
