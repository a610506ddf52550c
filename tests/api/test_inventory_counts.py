"""/api/v1/inventory-counts/: start a count, scan into it, count quantities, Apply."""

import pytest

from inventory.models import InventoryCount, InventoryCountStatus, SerialRecord, StockMove
from tests.api.helpers import codes, token_client
from tests.factories import OutletFactory, ProductFactory, UserFactory
from tests.inventory.test_counts_helpers import count_at, on_hand, scanned, units

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory-counts/"


@pytest.fixture
def shop():
    outlet = OutletFactory(name="Main Street")
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    units(product, outlet, "HERE-1", "HERE-2", "LOST-1")
    return outlet, product


def test_staff_start_a_count_and_read_it_back(staff_api, shop):
    outlet, _product = shop

    created = staff_api.post(URL, {"outlet": outlet.pk, "name": "Shelf count"}, format="json")
    listed = staff_api.get(URL)

    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Shelf count"
    assert body["outlet"] == {"id": outlet.pk, "name": "Main Street"}
    assert (body["product"], body["brand"], body["status"]) == (None, "", "open")
    assert body["created_by"] == "till-1"
    assert body["lists"] == {
        "counted": 0,
        "expected": 3,
        "elsewhere": 0,
        "not_recorded": 0,
        "scanned_twice": 0,
    }
    assert [c["id"] for c in listed.json()["results"]] == [body["id"]]


def test_a_product_and_a_brand_together_are_refused(staff_api, shop):
    outlet, product = shop

    response = staff_api.post(
        URL, {"outlet": outlet.pk, "product": product.pk, "brand": "Barista Co"}, format="json"
    )

    assert response.status_code == 400
    assert codes(response) == ["product_and_brand"]
    assert not InventoryCount.objects.exists()


def test_scans_answer_each_verdict_and_the_lists_totals(staff_api, shop):
    outlet, _product = shop
    count = count_at(outlet)

    response = staff_api.post(
        f"{URL}{count.pk}/scans/", {"serials": ["HERE-1", "here-1", "NEW-1"]}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert [(r["entry"], r["serial"], r["verdict"]) for r in body["results"]] == [
        (1, "HERE-1", "counted"),
        (2, "here-1", "twice"),
        (3, "NEW-1", "not_recorded"),
    ]
    assert body["lists"] == {
        "counted": 1,
        "expected": 2,
        "elsewhere": 0,
        "not_recorded": 1,
        "scanned_twice": 1,
    }


def test_two_tills_scanning_the_same_count_count_each_unit_once(shop):
    outlet, _product = shop
    count = count_at(outlet)
    one = token_client(UserFactory(username="till-a", groups=["Staff"]))
    two = token_client(UserFactory(username="till-b", groups=["Staff"]))

    one.post(f"{URL}{count.pk}/scans/", {"serials": ["HERE-1", "HERE-2"]}, format="json")
    answer = two.post(f"{URL}{count.pk}/scans/", {"serials": ["HERE-2"]}, format="json")

    assert answer.json()["results"][0]["verdict"] == "twice"
    assert answer.json()["lists"]["counted"] == 2
    assert sorted(count.scans.values_list("serial", "repeats")) == [("HERE-1", 0), ("HERE-2", 1)]


def test_quantities_keep_the_last_value(staff_api, shop):
    outlet, _product = shop
    beans = ProductFactory(name="Coffee beans", sku="CB-1", has_serial_numbers=False)
    count = count_at(outlet)
    url = f"{URL}{count.pk}/quantities/"

    staff_api.post(url, {"product": beans.pk, "counted": 9}, format="json")
    response = staff_api.post(url, {"product": beans.pk, "counted": 7}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "product": {"id": beans.pk, "name": "Coffee beans", "sku": "CB-1"},
        "counted": 7,
    }
    assert list(count.quantities.values_list("counted", flat=True)) == [7]


def test_a_quantity_of_a_serialised_product_is_refused(staff_api, shop):
    outlet, product = shop
    count = count_at(outlet)

    response = staff_api.post(
        f"{URL}{count.pk}/quantities/", {"product": product.pk, "counted": 2}, format="json"
    )

    assert response.status_code == 400
    assert codes(response) == ["product_serialised"]


def test_staff_cannot_apply(staff_api, shop):
    outlet, _product = shop
    count = count_at(outlet)
    scanned(count, "HERE-1")

    response = staff_api.post(f"{URL}{count.pk}/apply/", {"write_off_all": True}, format="json")

    assert response.status_code == 403
    assert SerialRecord.objects.filter(status="in_stock").count() == 3
    count.refresh_from_db()
    assert count.status == InventoryCountStatus.OPEN


def test_a_manager_applies_the_choices(manager_api, shop):
    outlet, product = shop
    count = count_at(outlet, product=product)
    scanned(count, "HERE-1", "HERE-2", "NEW-1")
    lost = SerialRecord.objects.get(serial="LOST-1")
    new = count.scans.get(serial="NEW-1")

    response = manager_api.post(
        f"{URL}{count.pk}/apply/",
        {"write_off": [lost.pk], "record": [{"scan": new.pk}]},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["written_off"], body["recorded"], body["transferred"], body["left"]) == (
        1,
        1,
        0,
        0,
    )
    assert body["count"]["status"] == "applied"
    assert body["count"]["applied_by"] == "script-1"
    statuses = dict(SerialRecord.objects.values_list("serial", "status"))
    assert statuses == {
        "HERE-1": "in_stock",
        "HERE-2": "in_stock",
        "LOST-1": "written_off",
        "NEW-1": "in_stock",
    }
    assert on_hand(product, outlet) == 3
    assert set(StockMove.objects.values_list("reason", flat=True)) == {"counted"}


def test_an_empty_count_is_refused(manager_api, shop):
    outlet, _product = shop
    count = count_at(outlet)

    response = manager_api.post(f"{URL}{count.pk}/apply/", {"write_off_all": True}, format="json")

    assert response.status_code == 400
    assert codes(response) == ["count_empty"]
    assert SerialRecord.objects.filter(status="in_stock").count() == 3


def test_an_applied_count_refuses_more_scans(staff_api, manager_api, shop):
    outlet, _product = shop
    count = count_at(outlet)
    scanned(count, "HERE-1")
    manager_api.post(f"{URL}{count.pk}/apply/", {}, format="json")

    response = staff_api.post(f"{URL}{count.pk}/scans/", {"serials": ["HERE-2"]}, format="json")

    assert response.status_code == 400
    assert codes(response) == ["count_closed"]


def test_a_retried_apply_with_its_key_answers_the_first_time_again(manager_api, shop):
    outlet, _product = shop
    count = count_at(outlet)
    scanned(count, "HERE-1")
    url = f"{URL}{count.pk}/apply/"

    first = manager_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="apply-1")
    again = manager_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="apply-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()


def test_no_group_gets_403_and_an_unknown_count_404(staff_api, shop):
    outlet, _product = shop
    count = count_at(outlet)
    nobody = token_client(UserFactory(username="nobody"))

    assert nobody.get(URL).status_code == 403
    assert (
        nobody.post(f"{URL}{count.pk}/scans/", {"serials": ["X"]}, format="json").status_code
        == 403
    )
    assert staff_api.get(f"{URL}999999/").status_code == 404
    assert staff_api.post(f"{URL}١٢/scans/", {"serials": ["X"]}, format="json").status_code == 404
    assert not count.scans.exists()
