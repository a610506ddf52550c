"""A refused batch: its problems grouped by reason on the page, every one in a download."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import SerialImportUpload, SerialRecord
from inventory.services import serials_add
from inventory.views.serials import PROBLEMS_SHOWN_PER_REASON
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("inventory:serial_create")
IMPORT_URL = reverse("inventory:serial_import")
ADD_PROBLEMS_URL = reverse("inventory:serial_batch_problems", args=["add"])
IMPORT_PROBLEMS_URL = reverse("inventory:serial_batch_problems", args=["import"])
ROW = re.compile(r"<tr><td>(\d+)</td><td[^>]*>([^<]*)</td><td>([^<]*)</td></tr>")


def add_data(product, outlet, text):
    return {
        "product": product.pk,
        "product_search": "",
        "outlet": outlet.pk,
        "serial_numbers": text,
    }


def listed(html):
    """The (position, serial, reason) rows of the problems tables."""
    return [(int(position), serial, reason) for position, serial, reason in ROW.findall(html)]


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def record(product, outlet, serials):
    serials_add(product=product, outlet=outlet, entries=serials, user=None)


def kept_upload_id(html):
    return re.search(r'name="upload" value="(\d+)"', html).group(1)


# The page ------------------------------------------------------------------


def test_a_refused_batch_lists_each_reason_with_its_count_and_its_first_20(
    staff_client, product, outlet
):
    recorded = [f"OLD-{n:03d}" for n in range(1, 26)]
    record(product, outlet, recorded)
    # Entries 1-25 are recorded, 26-27 are new, 28-30 repeat entries 26, 27 and 26.
    text = "\n".join([*recorded, "NEW-1", "NEW-2", "new-1", "NEW-2", "NEW-1"])
    response = staff_client.post(ADD_URL, add_data(product, outlet, text))
    html = response.content.decode()

    assert response.status_code == 200
    assert "28 entries cannot be recorded" in html
    assert "25 already recorded for this product" in html
    assert "3 entered more than once" in html
    assert "and 5 more" in html
    exists = "Already recorded for this product at Main Street (In stock)."
    assert listed(html) == [
        *[(n, f"OLD-{n:03d}", exists) for n in range(1, PROBLEMS_SHOWN_PER_REASON + 1)],
        (28, "new-1", "Entered more than once (first as entry 26)."),
        (29, "NEW-2", "Entered more than once (first as entry 27)."),
        (30, "NEW-1", "Entered more than once (first as entry 26)."),
    ]
    # The choices stay as they were, with the text as typed.
    assert "Add only the 2 valid serial numbers" in html
    assert "Download all problems" in html
    assert f">\n{text}</textarea>" in html
    assert SerialRecord.objects.count() == 25


def test_counts_are_written_with_thousands_separators(staff_client, product, outlet):
    serials = [f"BIG-{n:05d}" for n in range(1500)]
    record(product, outlet, serials)
    response = staff_client.post(ADD_URL, add_data(product, outlet, ",".join(serials)))
    html = response.content.decode()
    assert response.status_code == 200
    assert "1,500 already recorded for this product" in html
    assert "and 1,480 more" in html
    assert len(listed(html)) == PROBLEMS_SHOWN_PER_REASON


def test_the_largest_group_comes_first(staff_client, product, outlet):
    record(product, outlet, ["OLD-1"])
    response = staff_client.post(ADD_URL, add_data(product, outlet, "OLD-1, A, a, B, b"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("2 entered more than once") < html.index(
        "1 already recorded for this product"
    )


def test_a_page_without_problems_offers_no_download(staff_client):
    response = staff_client.get(ADD_URL)
    assert response.status_code == 200
    assert "Add Serial numbers" in response.content.decode()
    assert "Download all problems" not in response.content.decode()


def test_the_refused_post_costs_the_same_queries_for_10_or_1000_entries(
    staff_client, product, outlet
):
    def refused_queries(count):
        serials = [f"Q{count}-{n:05d}" for n in range(count)]
        record(product, outlet, serials)
        data = add_data(product, outlet, "\n".join(serials))
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.post(ADD_URL, data)
        assert response.status_code == 200
        assert f"{count:,} already recorded for this product" in response.content.decode()
        return len(queries.captured_queries)

    assert refused_queries(10) == refused_queries(1000)


def test_an_import_with_problems_groups_them_by_row(staff_client, product, outlet):
    text = (
        "serial,product SKU,outlet\nI-1,BP-1,Main Street\nI-2,NOPE,Main Street\n"
        "I-3,BP-1,Nowhere\ni-1,BP-1,Main Street\nI-4,BP-1,Main Street\n"
    )
    file = io.BytesIO(text.encode())
    file.name = "delivery.csv"
    response = staff_client.post(IMPORT_URL, {"file": file})
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 entries cannot be recorded" in html
    assert "1 with an unknown product SKU" in html
    assert "1 with an unknown outlet" in html
    assert "1 repeats an earlier row" in html
    assert sorted(listed(html)) == [
        (3, "I-2", "Unknown product SKU “NOPE”."),
        (4, "I-3", "Unknown outlet “Nowhere”."),
        (5, "i-1", "Repeats row 2."),
    ]
    assert "Import only the 2 valid rows" in html
    assert "Download all problems" in html


# The download ----------------------------------------------------------------


def test_the_download_has_every_problem_of_10000_refused_entries(staff_client, product, outlet):
    serials = [f"=CMD-{n:05d}" if n == 7 else f"TEN-{n:05d}" for n in range(10_000)]
    record(product, outlet, serials)
    data = add_data(product, outlet, "\n".join(serials))

    response = staff_client.post(ADD_PROBLEMS_URL, data)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="serial-problems-')
    rows = read_csv(response)
    assert rows[0] == ["Entry", "Serial number", "Problem"]
    assert len(rows) == 1 + 10_000
    exists = "Already recorded for this product at Main Street (In stock)."
    assert rows[1] == ["1", "TEN-00000", exists]
    # A cell a spreadsheet would run as a formula is written as text.
    assert rows[8] == ["8", "'=CMD-00007", exists]
    assert rows[-1] == ["10000", "TEN-09999", exists]
    assert [int(row[0]) for row in rows[1:]] == list(range(1, 10_001))
    assert SerialRecord.objects.count() == 10_000


def test_the_download_checks_the_text_again_and_saves_nothing(staff_client, product, outlet):
    record(product, outlet, ["OLD-1"])
    data = add_data(product, outlet, "OLD-1, NEW-1, new-1")
    response = staff_client.post(ADD_PROBLEMS_URL, data)
    assert response.status_code == 200
    assert read_csv(response)[1:] == [
        ["1", "OLD-1", "Already recorded for this product at Main Street (In stock)."],
        ["3", "new-1", "Entered more than once (first as entry 2)."],
    ]
    assert list(SerialRecord.objects.values_list("serial", flat=True)) == ["OLD-1"]


def test_the_download_of_a_form_that_no_longer_checks_says_why(staff_client, outlet):
    product = ProductFactory(name="Off", sku="OFF-1", has_serial_numbers=False)
    response = staff_client.post(ADD_PROBLEMS_URL, add_data(product, outlet, "X-1"))
    assert response.status_code == 400
    assert response.content.decode() == "Enter and select the product name."
    assert not SerialRecord.objects.exists()


def test_the_download_of_a_batch_over_the_cap_says_why(staff_client, product, outlet, settings):
    settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION = 2
    response = staff_client.post(ADD_PROBLEMS_URL, add_data(product, outlet, "A, B, C"))
    assert response.status_code == 400
    assert response.content.decode().startswith("At most 2 serial numbers can be added at once")


def test_the_import_download_rereads_the_kept_file(staff_client, product, outlet):
    text = "serial,product SKU,outlet\nK-1,BP-1,Main Street\nK-2,NOPE,Main Street\n"
    file = io.BytesIO(text.encode())
    file.name = "delivery.csv"
    upload_id = kept_upload_id(staff_client.post(IMPORT_URL, {"file": file}).content.decode())

    response = staff_client.post(IMPORT_PROBLEMS_URL, {"upload": upload_id})

    assert response.status_code == 200
    assert read_csv(response) == [
        ["Row", "Serial number", "Problem"],
        ["3", "K-2", "Unknown product SKU “NOPE”."],
    ]
    assert not SerialRecord.objects.exists()
    assert SerialImportUpload.objects.filter(pk=upload_id).exists()


def test_another_users_kept_file_cannot_be_downloaded(client, staff_client, product, outlet):
    text = "serial,product SKU,outlet\nK-1,NOPE,Main Street\n"
    file = io.BytesIO(text.encode())
    file.name = "secret.csv"
    upload_id = kept_upload_id(staff_client.post(IMPORT_URL, {"file": file}).content.decode())
    client.force_login(UserFactory(username="other", groups=["Staff"]))

    response = client.post(IMPORT_PROBLEMS_URL, {"upload": upload_id})

    assert response.status_code == 400
    html = response.content.decode()
    assert "The file checked earlier is no longer kept. Choose it again." in html
    assert "K-1" not in html


def test_an_unknown_kind_of_batch_is_not_found(staff_client):
    response = staff_client.post(reverse("inventory:serial_batch_problems", args=["sale"]))
    assert response.status_code == 404


def test_the_download_asks_an_anonymous_user_to_log_in(client, product, outlet):
    response = client.post(ADD_PROBLEMS_URL, add_data(product, outlet, "X-1"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_download_needs_the_permission_to_add_serials(client, product, outlet):
    client.force_login(UserFactory(username="viewer"))
    response = client.post(ADD_PROBLEMS_URL, add_data(product, outlet, "X-1"))
    assert response.status_code == 403


def test_the_download_is_a_post(staff_client):
    response = staff_client.get(ADD_PROBLEMS_URL)
    assert response.status_code == 405


def test_the_download_needs_the_pages_csrf_token(staff_user, product, outlet):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    record(product, outlet, ["OLD-1"])
    data = add_data(product, outlet, "OLD-1")

    refused = client.post(ADD_PROBLEMS_URL, data)
    assert refused.status_code == 403

    page = client.get(ADD_URL)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    response = client.post(ADD_PROBLEMS_URL, {**data, "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 200
    assert len(read_csv(response)) == 2
