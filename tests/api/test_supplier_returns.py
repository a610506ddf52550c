"""/api/v1/supplier-returns/: read returns, Send one, and record a unit's outcome."""

import pytest

from inventory.models import SerialRecord, SerialStatus, StockLevel, SupplierReturn
from tests.api.helpers import codes, errors
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/supplier-returns/"


@pytest.fixture
def main_street():
    return OutletFactory(name="Main Street")


@pytest.fixture
def supplier():
    return SupplierFactory(name="Acme Coffee Supply")


@pytest.fixture
def silvia(main_street):
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    StockLevelFactory(product=product, outlet=main_street, on_hand=1)
    SerialRecordFactory(product=product, outlet=main_street, serial="S-1")
    SerialRecordFactory(product=product, outlet=main_street, serial="F-1", status="faulty")
    return product


def send_body(supplier, outlet, serials, **fields):
    return {
        "supplier": supplier.pk,
        "outlet": outlet.pk,
        "serials": serials,
        "reason": "faulty",
        "supplier_reference": "RMA-9",
        **fields,
    }


def test_a_manager_sends_units_and_staff_read_the_return(
    manager_api, staff_api, supplier, main_street, silvia
):
    sent = manager_api.post(
        URL, send_body(supplier, main_street, ["S-1", "F-1", "s-1"]), format="json"
    )

    assert sent.status_code == 201, sent.json()
    body = sent.json()
    assert body["status"] == "at_supplier"
    assert body["supplier"] == {"id": supplier.pk, "name": "Acme Coffee Supply"}
    assert body["supplier_reference"] == "RMA-9"
    assert [(u["serial"]["serial"], u["from_status"]) for u in body["units"]] == [
        ("S-1", "in_stock"),
        ("F-1", "faulty"),
    ]
    assert body["units_at_supplier"] == 2 and body["oldest_at_supplier"] is not None
    assert set(SerialRecord.objects.values_list("status", flat=True)) == {"at_supplier"}
    assert StockLevel.objects.get(product=silvia).on_hand == 0

    listed = staff_api.get(URL)
    one = staff_api.get(f"{URL}{body['id']}/")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [body["id"]]
    assert one.json()["units"] == body["units"]


def test_send_refuses_every_unit_if_one_cannot_go(manager_api, supplier, main_street, silvia):
    SerialRecordFactory(product=silvia, outlet=main_street, serial="SOLD-1", status="sold")

    response = manager_api.post(
        URL, send_body(supplier, main_street, ["S-1", "SOLD-1", "NOPE"]), format="json"
    )

    assert response.status_code == 400
    assert codes(response) == ["sold", "not_found"]
    assert errors(response)[0]["entry"] == 2 and errors(response)[0]["serial"] == "SOLD-1"
    assert not SupplierReturn.objects.exists()
    assert SerialRecord.objects.get(serial="S-1").status == SerialStatus.IN_STOCK


def test_staff_cannot_send_or_resolve(staff_api, manager_api, supplier, main_street, silvia):
    assert (
        staff_api.post(URL, send_body(supplier, main_street, ["F-1"]), format="json").status_code
        == 403
    )
    sent = manager_api.post(URL, send_body(supplier, main_street, ["F-1"]), format="json").json()
    unit = sent["units"][0]["id"]

    refused = staff_api.post(
        f"{URL}{sent['id']}/resolve/", {"unit": unit, "outcome": "repaired"}, format="json"
    )

    assert refused.status_code == 403
    assert SerialRecord.objects.get(serial="F-1").status == SerialStatus.AT_SUPPLIER


def test_resolve_records_a_replacement_and_the_return_is_resolved(
    manager_api, supplier, main_street, silvia
):
    sent = manager_api.post(URL, send_body(supplier, main_street, ["F-1"]), format="json").json()
    unit = sent["units"][0]["id"]

    response = manager_api.post(
        f"{URL}{sent['id']}/resolve/",
        {"unit": unit, "outcome": "replaced", "replacement_serial": "NEW-1"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "resolved" and body["units_at_supplier"] == 0
    assert body["units"][0]["outcome"] == "replaced"
    assert body["units"][0]["replacement"]["serial"] == "NEW-1"
    assert body["units"][0]["replacement"]["status"] == "in_stock"
    assert SerialRecord.objects.get(serial="F-1").status == SerialStatus.WRITTEN_OFF


def test_resolve_refusals_are_coded_and_change_nothing(manager_api, supplier, main_street, silvia):
    sent = manager_api.post(URL, send_body(supplier, main_street, ["F-1"]), format="json").json()
    unit = sent["units"][0]["id"]
    resolve_url = f"{URL}{sent['id']}/resolve/"

    no_credit = manager_api.post(resolve_url, {"unit": unit, "outcome": "credited"}, format="json")
    negative = manager_api.post(
        resolve_url, {"unit": unit, "outcome": "credited", "credit_amount": "-1"}, format="json"
    )
    taken = manager_api.post(
        resolve_url,
        {"unit": unit, "outcome": "replaced", "replacement_serial": "S-1"},
        format="json",
    )
    other = manager_api.post(resolve_url, {"unit": 999999, "outcome": "repaired"}, format="json")

    assert (no_credit.status_code, codes(no_credit)) == (400, ["required"])
    assert errors(no_credit)[0]["field"] == "credit_amount"
    assert negative.status_code == 400
    assert (taken.status_code, codes(taken)) == (400, ["exists"])
    assert (other.status_code, codes(other)) == (400, ["not_on_return"])
    assert SerialRecord.objects.get(serial="F-1").status == SerialStatus.AT_SUPPLIER
    assert SupplierReturn.objects.get().status == "at_supplier"

    done = manager_api.post(
        resolve_url, {"unit": unit, "outcome": "credited", "credit_amount": "50"}, format="json"
    )
    twice = manager_api.post(resolve_url, {"unit": unit, "outcome": "repaired"}, format="json")

    assert done.status_code == 200
    assert done.json()["units"][0]["credit_amount"] == "50.00"
    assert (twice.status_code, codes(twice)) == (400, ["already_resolved"])


def test_an_unknown_return_is_404(staff_api):
    assert staff_api.get(f"{URL}999999/").status_code == 404
    assert staff_api.get(f"{URL}١٢/").status_code == 404


def test_the_list_costs_a_fixed_number_of_queries(
    manager_api, supplier, main_street, silvia, django_assert_max_num_queries
):
    for n in range(5):
        SerialRecordFactory(product=silvia, outlet=main_street, serial=f"X-{n}", status="faulty")
        manager_api.post(URL, send_body(supplier, main_street, [f"X-{n}"]), format="json")

    with django_assert_max_num_queries(12):
        response = manager_api.get(URL)

    assert len(response.json()["results"]) == 5
