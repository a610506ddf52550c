"""Look up serial with a scan: by its serial (AI 21), its GTIN (AI 01) choosing the
product's unit, and our own QR labels (the unit's page address)."""

import pytest
from django.urls import reverse

from tests.factories import SerialRecordFactory, serial_twins_with_barcodes
from tests.sales.test_new_sale_views import text_of

pytestmark = pytest.mark.django_db

LOOKUP = reverse("serial_lookup")
GS = "\x1d"
GTIN = "09506000134352"
KETTLE_GTIN = "09520123456788"


@pytest.fixture
def twins():
    """The same serial on two products with barcodes (two makers)."""
    return serial_twins_with_barcodes()


@pytest.mark.parametrize(
    "scan",
    [
        f"]d201{GTIN}21AB-100{GS}10LOT7",
        f"(01){GTIN}(21)AB-100",
        f"https://id.gs1.org/01/{GTIN}/21/AB-100",
        f"  {GS}01{GTIN}21AB-100 ",
    ],
)
def test_a_scan_opens_the_unit_of_its_product_when_two_products_have_the_serial(
    staff_client, twins, scan
):
    silvia_unit, _kettle_unit = twins

    response = staff_client.get(LOOKUP, {"q": scan})

    assert response.status_code == 302
    assert response.url == silvia_unit.get_absolute_url()


def test_typed_the_same_serial_lists_both_units(staff_client, twins):
    response = staff_client.get(LOOKUP, {"q": "ab-100"})

    assert response.status_code == 200
    content = text_of(response)
    assert "“ab-100” is recorded for 2 products (different makers)." in content
    assert "Rancilio Silvia" in content and "Bosch Kettle" in content


def test_a_scan_without_a_gtin_is_looked_up_by_its_serial(staff_client, twins):
    silvia_unit, _ = twins
    only = SerialRecordFactory(serial="ONLY-1", product=silvia_unit.product)

    response = staff_client.get(LOOKUP, {"q": "]C0ONLY-1"})

    assert response.status_code == 302 and response.url == only.get_absolute_url()


def test_a_scan_of_a_product_without_the_unit_lists_the_others_with_a_warning(staff_client, twins):
    silvia_unit, _ = twins
    SerialRecordFactory(serial="ZZ-9", product=silvia_unit.product)

    response = staff_client.get(LOOKUP, {"q": f"(01){KETTLE_GTIN}(21)ZZ-9"})

    # The only ZZ-9 is a Rancilio Silvia: not the Bosch Kettle scanned.
    assert response.status_code == 200
    content = text_of(response)
    assert "Scanned serial number: ZZ-9 — Bosch Kettle (BK-1)" in content
    assert (
        "Bosch Kettle (BK-1) has no unit “ZZ-9”. Units of other products with this serial "
        "number:" in content
    )
    assert "Rancilio Silvia" in content


def test_a_scan_of_a_barcode_no_product_has_lists_the_units_with_a_warning(staff_client, twins):
    response = staff_client.get(LOOKUP, {"q": "(01)95012345678903(21)AB-100"})

    assert response.status_code == 200
    content = text_of(response)
    assert "No product has the barcode 95012345678903 of the scan." in content
    assert "Rancilio Silvia" in content and "Bosch Kettle" in content


def test_a_scan_that_matches_nothing_says_so_by_its_serial(staff_client, twins):
    response = staff_client.get(LOOKUP, {"q": f"(01){GTIN}(21)NOPE-1"})

    assert response.status_code == 200
    content = text_of(response)
    assert "No serial number matches “NOPE-1”." in content
    # A scan names no customer: no customer search is offered for it.
    assert "Search customers" not in content


def test_a_broken_scan_says_why_and_keeps_the_text_in_the_box(staff_client, twins):
    scan = f"]d201{GTIN}"

    response = staff_client.get(LOOKUP, {"q": scan})

    assert response.status_code == 200
    content = text_of(response)
    assert (
        "The scan has no serial number (GS1 AI 21). Scan it again, or type the serial number."
        in (content)
    )
    assert f'value="{scan}"' in response.content.decode()
    assert "No serial number matches" not in content


def test_our_own_qr_label_opens_the_unit(staff_client, twins):
    _silvia_unit, kettle_unit = twins
    address = f"http://shop.example.com{kettle_unit.get_absolute_url()}"

    response = staff_client.get(LOOKUP, {"q": address})

    assert response.status_code == 302 and response.url == kettle_unit.get_absolute_url()


def test_our_own_qr_label_scanned_with_its_symbology_identifier_opens_the_unit(
    staff_client, twins
):
    silvia_unit, _ = twins
    address = f"]Q1https://desk.example.com{silvia_unit.get_absolute_url()}"

    response = staff_client.get(LOOKUP, {"q": address})

    assert response.status_code == 302 and response.url == silvia_unit.get_absolute_url()


@pytest.mark.parametrize(
    "address",
    [
        "http://shop.example.com/inventory/serials/",
        "http://shop.example.com/inventory/serials/999999/",
        "http://shop.example.com/admin/",
        "ftp://shop.example.com/inventory/serials/{pk}/",
        "/inventory/serials/{pk}/",
        "http://shop.example.com/inventory/serials/{pk}/delete/",
    ],
)
def test_any_other_address_is_looked_up_as_text(staff_client, twins, address):
    # A fixed id: "/414/delete/" (a GS1 key and a value) would read as a Digital Link.
    unit = SerialRecordFactory(id=7_000_001, serial="FIXED-1")

    response = staff_client.get(LOOKUP, {"q": address.format(pk=unit.pk)})

    assert response.status_code == 200
    assert "No serial number matches" in text_of(response)


@pytest.mark.parametrize(
    "typed",
    [
        f"(01){GTIN}(21)" + "X" * 5000,
        "]d2" + "\x07" * 50,
        "https://id.gs1.org/01/" + "9" * 3000,
        "http://" + "a" * 5000 + "/x/",
        "(01)ＲＳ",
    ],
)
def test_hostile_scans_get_a_page_not_a_500(staff_client, twins, typed, settings):
    settings.DEBUG = False
    staff_client.raise_request_exception = False

    response = staff_client.get(LOOKUP, {"q": typed})

    assert response.status_code == 200
    assert "Look up serial" in text_of(response)
