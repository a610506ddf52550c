"""New sale with scans and Serial number formats, through the page."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import SerialRecord, SerialStatus
from sales.models import Sale, SaleLineSerial
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, StockLevelFactory
from tests.sales.test_new_sale_views import hidden_fields, review_of, sale_post, text_of

pytestmark = pytest.mark.django_db

NEW_SALE = reverse("sales:sale_create")
GS = "\x1d"
GTIN = "09506000134352"
KETTLE_GTIN = "09520123456788"


@pytest.fixture
def shop(db):
    main = OutletFactory(name="Main Street")
    silvia = ProductFactory(
        name="Rancilio Silvia", sku="RS-1", barcode=GTIN, retail_price=Decimal("699.00")
    )
    kettle = ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=KETTLE_GTIN)
    phone = ProductFactory(name="Nova Phone", sku="NP-1", serial_format="imei")
    for product in (silvia, kettle, phone):
        StockLevelFactory(product=product, outlet=main, on_hand=2)
    return {"main": main, "silvia": silvia, "kettle": kettle, "phone": phone}


def line_errors(response, index: int = 0) -> list[str]:
    return [str(e) for e in response.context["lines"].forms[index].non_field_errors()]


def typed_serials(response, index: int = 0) -> str:
    return response.context["lines"].forms[index]["serial_numbers"].value()


def test_a_scan_sells_its_serial_and_the_sale_page_and_receipt_show_the_serial(staff_client, shop):
    unit = SerialRecordFactory(serial="RS-0042", product=shop["silvia"], outlet=shop["main"])
    scan = f"]d201{GTIN}21RS-0042{GS}10LOT7"
    data = sale_post(outlet=shop["main"], lines=[(shop["silvia"], 1, "", scan)])

    response = staff_client.post(NEW_SALE, data, follow=True)

    sale = Sale.objects.get()
    assert response.redirect_chain == [(sale.get_absolute_url(), 302)]
    content = text_of(response)
    assert f"Sale {sale.number} completed." in content
    assert "Serial numbers: RS-0042" in content
    receipt = staff_client.get(reverse("sales:sale_receipt", args=[sale.pk]))
    assert "RS-0042" in text_of(receipt)
    for page in (response, receipt):
        assert "LOT7" not in page.content.decode()
        assert f"01{GTIN}" not in page.content.decode()
    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD


def test_a_scan_in_a_line_without_a_product_picks_the_product(staff_client, shop):
    SerialRecordFactory(serial="RS-0042", product=shop["silvia"], outlet=shop["main"])
    data = sale_post(outlet=shop["main"], lines=[(None, 1, "", f"(01){GTIN}(21)RS-0042")])

    response = staff_client.post(NEW_SALE, data)

    sale = Sale.objects.get()
    assert response.status_code == 302 and response.url == sale.get_absolute_url()
    line = sale.lines.get()
    assert (line.product, line.unit_price) == (shop["silvia"], Decimal("699.00"))


def test_a_line_without_a_product_and_without_a_scan_asks_for_the_product(staff_client, shop):
    data = sale_post(outlet=shop["main"], lines=[(None, 1, "", "RS-0042")])

    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    form = response.context["lines"].forms[0]
    assert form.errors["product"] == ["Enter and select the product name."]
    assert form.has_error("product", code="required")
    assert typed_serials(response) == "RS-0042"
    assert not Sale.objects.exists()


def test_a_broken_scan_is_an_error_on_its_line_with_the_input_kept(staff_client, shop):
    scan = f"]d201{GTIN}"
    data = sale_post(outlet=shop["main"], lines=[(shop["silvia"], 1, "", scan)])

    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    assert line_errors(response) == [f"“{scan}”: The scan has no serial number (GS1 AI 21)."]
    assert "The sale was not completed: see the lines below." in text_of(response)
    assert typed_serials(response) == scan
    assert "Record as new" not in text_of(response)
    assert not Sale.objects.exists()
    assert not SerialRecord.objects.exists()


def test_a_scan_of_another_product_is_refused_naming_both(staff_client, shop):
    SerialRecordFactory(serial="RS-0042", product=shop["silvia"], outlet=shop["main"])
    scan = f"(01){KETTLE_GTIN}(21)RS-0042"
    data = sale_post(outlet=shop["main"], lines=[(shop["silvia"], 1, "", scan)])

    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    assert line_errors(response) == [
        "“RS-0042”: The scan is of Bosch Kettle (BK-1), not Rancilio Silvia (RS-1)."
    ]
    assert typed_serials(response) == scan
    assert not Sale.objects.exists()


def test_a_scan_not_recorded_is_listed_by_its_serial_and_recorded_after_review(staff_client, shop):
    scan = f"https://id.gs1.org/01/{GTIN}/21/RS-NEW"
    data = sale_post(outlet=shop["main"], lines=[(None, 1, "", scan)])

    asked = staff_client.post(NEW_SALE, data)
    assert "Not recorded" in text_of(asked)
    assert "RS-NEW — Rancilio Silvia (RS-1)" in text_of(asked)

    review = review_of(staff_client, {**data, "record_new": "1"})
    assert "RS-NEW will be recorded as new at Main Street" in text_of(review)
    assert "Rancilio Silvia (RS-1)" in text_of(review)
    response = staff_client.post(NEW_SALE, hidden_fields(review))

    sale = Sale.objects.get()
    assert response.status_code == 302 and response.url == sale.get_absolute_url()
    unit = SaleLineSerial.objects.get().serial
    assert (unit.serial, unit.product) == ("RS-NEW", shop["silvia"])


def test_pick_from_stock_leaves_out_a_unit_already_scanned(staff_client, shop):
    SerialRecordFactory(serial="RS-0042", product=shop["silvia"], outlet=shop["main"])
    SerialRecordFactory(serial="RS-0043", product=shop["silvia"], outlet=shop["main"])
    query = {
        "product": shop["silvia"].pk,
        "outlet": shop["main"].pk,
        "typed": f"(01){GTIN}(21)RS-0042",
    }

    response = staff_client.get(reverse("sales:serial_options"), query)

    assert response.status_code == 200
    assert "RS-0043" in text_of(response)
    assert "RS-0042" not in text_of(response)


# Serial number format: Record as new at the time of sale -----------------------

BAD_IMEI = "490154203237519"
REASON = "Not an IMEI: the check digit should be 8."


def test_staff_are_refused_a_serial_off_format_with_the_reason(staff_client, shop):
    data = sale_post(outlet=shop["main"], lines=[(shop["phone"], 1, "", BAD_IMEI)])

    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    assert line_errors(response) == [
        f"“{BAD_IMEI}” is not recorded, and it breaks the Serial number format of Nova Phone: "
        f"{REASON} Ask a manager to record it, or correct it."
    ]
    content = text_of(response)
    assert "Record as new" not in content
    assert 'name="format_confirmed"' not in response.content.decode()
    assert typed_serials(response) == BAD_IMEI
    assert not SerialRecord.objects.exists()


def test_staff_who_send_the_managers_confirmation_get_403(staff_client, shop):
    data = sale_post(
        outlet=shop["main"], lines=[(shop["phone"], 1, "", BAD_IMEI)], format_confirmed="1"
    )

    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 403
    assert not SerialRecord.objects.exists()
    assert not Sale.objects.exists()


def test_a_manager_sees_the_reason_and_records_the_serial_anyway(manager_client, shop):
    data = sale_post(outlet=shop["main"], lines=[(shop["phone"], 1, "", f"{BAD_IMEI}\n")])

    asked = manager_client.post(NEW_SALE, data)

    content = text_of(asked)
    assert asked.status_code == 200
    assert f"{BAD_IMEI} — Nova Phone (NP-1): breaks the Serial number format ({REASON})" in (
        content
    )
    assert "are recorded anyway when you press Record as new" in content
    html = asked.content.decode()
    assert re.search(
        r'<button type="submit" name="format_confirmed" value="1"[^>]*>Record as new<', html
    )
    assert line_errors(asked) == []

    review = review_of(manager_client, {**data, "format_confirmed": "1"})
    assert (
        f"{BAD_IMEI} will be recorded as new at Main Street, although it breaks the "
        f"Serial number format ({REASON})"
    ) in text_of(review)
    carried = hidden_fields(review)
    assert (carried["record_new"], carried["format_confirmed"]) == ("1", "1")
    assert not SerialRecord.objects.exists()

    response = manager_client.post(NEW_SALE, carried)

    sale = Sale.objects.get()
    assert response.status_code == 302 and response.url == sale.get_absolute_url()
    unit = SaleLineSerial.objects.get().serial
    assert (unit.serial, unit.status) == (BAD_IMEI, SerialStatus.SOLD)


def test_record_as_new_pressed_before_an_off_format_serial_asks_again(manager_client, shop):
    # Record as new was confirmed for a good serial; one off format typed since
    # still waits for the Manager's Record as new.
    data = sale_post(outlet=shop["main"], lines=[(shop["phone"], 1, "", BAD_IMEI)], record_new="1")

    response = manager_client.post(NEW_SALE, data)

    assert response.status_code == 200
    assert "Confirmed: they will be recorded as new" not in text_of(response)
    assert 'name="format_confirmed" value="1"' in response.content.decode()
    assert not Sale.objects.exists()
