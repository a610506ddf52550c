"""A claim's Replacement serial takes a scan: its serial (AI 21), its GTIN (AI 01)
checked against the claimed unit's product."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inventory.models import SerialStatus
from sales.models import ClaimStatus
from sales.services import claim_replacement_find
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory
from tests.sales.test_claim_replacement import suggested
from tests.sales.test_claims import open_claim, sell

pytestmark = pytest.mark.django_db

GS = "\x1d"
GTIN = "09506000134352"
KETTLE_GTIN = "09520123456788"
REPLACED = ClaimStatus.RESOLVED_REPLACED


@pytest.fixture
def claim():
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=GTIN)
    unit, _sale = sell(product=product)
    return open_claim(unit)


@pytest.fixture
def spare(claim):
    return SerialRecordFactory(
        product=claim.serial.product, outlet=OutletFactory(name="Harbour"), serial="SPARE-7"
    )


def refusal(claim, text: str):
    with pytest.raises(ValidationError) as caught:
        claim_replacement_find(claim=claim, status=REPLACED, text=text)
    [error] = caught.value.error_dict["replacement_serial"]
    return error.code, error.message


@pytest.mark.parametrize(
    "scan",
    [
        f"]d201{GTIN}21SPARE-7{GS}10LOT7",
        f"{GS}01{GTIN}21SPARE-7",
        f"(01){GTIN}(21)SPARE-7",
        f"https://id.gs1.org/01/{GTIN}/21/SPARE-7",
        "]C0SPARE-7",
    ],
)
def test_a_scanned_replacement_is_the_unit_of_its_serial(claim, spare, scan):
    assert claim_replacement_find(claim=claim, status=REPLACED, text=scan) == spare


def test_a_scan_of_another_products_barcode_is_refused_naming_both(claim, spare):
    ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=KETTLE_GTIN)

    code, message = refusal(claim, f"(01){KETTLE_GTIN}(21)SPARE-7")

    assert code == "gtin_other_product"
    assert message == (
        "“SPARE-7”: The scan is of Bosch Kettle (BK-1), not Rancilio Silvia (RS-1). "
        "In stock: SPARE-7 (Harbour)."
    )


@pytest.mark.parametrize(
    "scan, code, message",
    [
        (f"]d201{GTIN}", "scan_no_serial", "The scan has no serial number (GS1 AI 21)."),
        (
            "(01)09506000134353(21)SPARE-7",
            "scan_invalid",
            "The scan's GTIN 09506000134353 has a wrong check digit.",
        ),
    ],
)
def test_a_broken_scan_is_refused_with_its_reason(claim, spare, scan, code, message):
    assert refusal(claim, scan) == (code, message)


def test_the_claim_page_replaces_with_a_scanned_unit(staff_client, claim, spare):
    scan = f"]d201{GTIN}21SPARE-7{GS}17281231"

    response = staff_client.post(
        claim.get_absolute_url(),
        {"status": REPLACED, "note": "Swapped", "replacement_serial": scan},
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    spare.refresh_from_db()
    assert (claim.status, claim.replacement_serial) == (REPLACED, spare)
    assert spare.status == SerialStatus.SOLD


def test_a_long_digital_link_scan_fits_the_box(staff_client, claim, spare):
    # Longer than a serial may be (100), as a Digital Link with more data is.
    scan = f"https://resolver.example-shop-domain.com/some/prefix/01/{GTIN}/21/SPARE-7?17=281231"
    scan += "&10=" + "L" * 20
    assert len(scan) > 100

    response = staff_client.post(
        claim.get_absolute_url(),
        {"status": REPLACED, "note": "", "replacement_serial": scan},
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.replacement_serial == spare


def test_the_claim_page_keeps_a_refused_scan_with_its_reason(staff_client, claim, spare):
    scan = f"]d201{GTIN}"

    response = staff_client.post(
        claim.get_absolute_url(),
        {"status": REPLACED, "note": "Swap", "replacement_serial": scan},
    )

    assert response.status_code == 200
    assert "The scan has no serial number (GS1 AI 21)." in response.content.decode()
    assert response.context["form"]["replacement_serial"].value() == scan
    claim.refresh_from_db()
    assert (claim.status, claim.replacement_serial) == (ClaimStatus.OPEN, None)


def test_the_suggestions_for_a_scan_show_the_unit_of_its_serial(staff_client, claim, spare):
    SerialRecordFactory(product=claim.serial.product, serial="SPARE-8")
    url = reverse("sales:claim_replacement_options", args=[claim.pk])

    response = staff_client.get(url, {"replacement_serial": f"(01){GTIN}(21)SPARE-7"})

    assert response.status_code == 200
    assert suggested(response.content.decode()) == ["SPARE-7 · Harbour"]
