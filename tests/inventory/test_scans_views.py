"""Add Serial numbers and Import CSV pages with scans and serial number formats."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import SerialJob, SerialRecord
from lib.scans import GS
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("inventory:serial_create")
IMPORT_URL = reverse("inventory:serial_import")
PROBLEMS_URL = reverse("inventory:serial_batch_problems", args=["add"])
GTIN = "09506000134352"
KETTLE_GTIN = "04006381333931"
HEADER = "serial,product SKU,outlet"
ADD_ANYWAY = re.compile(r'<input type="checkbox"[^>]*name="format_confirmed"')


@pytest.fixture
def silvia():
    return ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=GTIN)


@pytest.fixture
def phone():
    return ProductFactory(name="Pixel 9", sku="PX-9", serial_format="imei")


def add(client, product, outlet, text, **extra):
    data = {"product": product.pk, "product_search": "", "outlet": outlet.pk}
    return client.post(ADD_URL, {**data, "serial_numbers": text, **extra})


def recorded() -> list[str]:
    return sorted(SerialRecord.objects.values_list("serial", flat=True))


def test_a_scan_and_a_plain_serial_are_added_as_their_serials(staff_client, silvia, outlet):
    response = add(staff_client, silvia, outlet, f"]d201{GTIN}10LOT{GS}21SCAN-1\nPLAIN-2")
    assert response.status_code == 302
    html = staff_client.get(response.url).content.decode()
    assert "2 serial numbers added" in html
    assert "SCAN-1" in html and "PLAIN-2" in html
    assert recorded() == ["PLAIN-2", "SCAN-1"]
    assert GTIN not in html


def test_a_scan_of_another_product_is_listed_under_its_heading(staff_client, silvia, outlet):
    ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=KETTLE_GTIN[1:])
    text = f"(01){KETTLE_GTIN}(21)K-1, (01){GTIN}, ]d2, OK-1"
    response = add(staff_client, silvia, outlet, text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 of the entries cannot be added. Nothing was saved." in html
    assert "1 scan of another product" in html
    assert "The scan is of Bosch Kettle (BK-1), not Rancilio Silvia (RS-1)." in html
    assert "1 scan with no serial number" in html
    assert "The scan has no serial number (GS1 AI 21)." in html
    assert "1 is not a readable GS1 scan" in html
    # The box keeps what was typed.
    assert f">\n{text}</textarea>" in html
    assert "with another problem" not in html
    assert recorded() == []


def test_download_all_problems_names_the_scan_problems(staff_client, silvia, outlet):
    data = {"product": silvia.pk, "product_search": "", "outlet": outlet.pk}
    response = staff_client.post(PROBLEMS_URL, {**data, "serial_numbers": f"(01){GTIN}"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert f"1,(01){GTIN},The scan has no serial number (GS1 AI 21)." in content


def test_format_problems_offer_add_anyway_to_a_manager(manager_client, phone, outlet):
    response = add(manager_client, phone, outlet, "356938035643809\n356938035643808")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 does not match the product&#x27;s serial number format" in html
    assert "Not an IMEI: the check digit should be 9." in html
    assert ADD_ANYWAY.search(html)
    assert '<label class="form-check-label" for="id_format_confirmed">Add anyway</label>' in html
    assert recorded() == []


def test_a_manager_who_ticks_add_anyway_records_them(manager_client, phone, outlet):
    response = add(
        manager_client, phone, outlet, "356938035643809\n356938035643808", format_confirmed="1"
    )
    assert response.status_code == 302
    assert "2 serial numbers added" in manager_client.get(response.url).content.decode()
    assert recorded() == ["356938035643808", "356938035643809"]


def test_add_anyway_stays_ticked_while_other_problems_are_left(manager_client, phone, outlet):
    response = add(manager_client, phone, outlet, "12, 12", format_confirmed="1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 entered more than once" in html
    assert "serial number format" not in html
    assert re.search(r'name="format_confirmed"[^>]*checked', html)
    assert recorded() == []


def test_staff_see_the_reason_but_no_add_anyway(staff_client, phone, outlet):
    response = add(staff_client, phone, outlet, "356938035643808")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not an IMEI: the check digit should be 9." in html
    assert not ADD_ANYWAY.search(html)
    assert "Add anyway" not in html


def test_staff_who_forge_add_anyway_get_403_and_nothing_is_saved(staff_client, phone, outlet):
    response = add(staff_client, phone, outlet, "356938035643808", format_confirmed="1")
    assert response.status_code == 403
    assert recorded() == []


def test_staff_who_forge_add_anyway_in_the_background_get_403(
    staff_client, phone, outlet, settings
):
    response = add(staff_client, phone, outlet, "12", format_confirmed="1", background="1")
    assert response.status_code == 403
    assert not SerialJob.objects.exists()


def test_a_manager_adds_anyway_in_the_background(manager_client, phone, outlet):
    response = add(manager_client, phone, outlet, "12", format_confirmed="1", background="1")
    assert response.status_code == 302
    assert SerialJob.objects.get().params["format_confirmed"] is True


def test_a_plain_product_shows_no_add_anyway(manager_client, silvia, outlet):
    response = add(manager_client, silvia, outlet, "A-1, A-1")
    assert response.status_code == 200
    assert not ADD_ANYWAY.search(response.content.decode())


# Import CSV -----------------------------------------------------------------------


def post_file(client, text, **extra):
    upload = SimpleUploadedFile("serials.csv", text.encode(), content_type="text/csv")
    return client.post(IMPORT_URL, {"file": upload, **extra})


def test_import_lists_format_problems_and_a_manager_imports_anyway(manager_client, phone, outlet):
    text = f"{HEADER}\n356938035643809,PX-9,Main Street\n356938035643808,PX-9,Main Street\n"
    response = post_file(manager_client, text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 does not match its product&#x27;s serial number format" in html
    assert ADD_ANYWAY.search(html)
    upload = re.search(r'name="upload" value="(\d+)"', html).group(1)
    response = manager_client.post(IMPORT_URL, {"upload": upload, "format_confirmed": "1"})
    assert response.status_code == 302
    assert recorded() == ["356938035643808", "356938035643809"]


def test_import_reads_a_scan_in_the_serial_cell(staff_client, silvia, outlet):
    response = post_file(staff_client, f'{HEADER}\n"(01){GTIN}(21)S-1",RS-1,Main Street\n')
    assert response.status_code == 302
    assert recorded() == ["S-1"]


def test_staff_who_forge_add_anyway_on_import_get_403(staff_client, phone, outlet):
    response = post_file(staff_client, f"{HEADER}\n12,PX-9,Main Street\n", format_confirmed="1")
    assert response.status_code == 403
    assert recorded() == []
