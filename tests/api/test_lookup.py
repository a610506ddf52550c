"""GET /api/v1/lookup/?serial=: the Look up serial box's answer."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.api.helpers import token_client
from tests.api.test_serials import codes, sell
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
    serial_twins_with_barcodes,
)

pytestmark = pytest.mark.django_db

LOOKUP_URL = reverse("api:lookup")


@pytest.fixture
def shop():
    return OutletFactory(name="Main Street"), ProductFactory(name="Barista Pro", sku="BP-1")


def test_an_anonymous_look_up_is_answered_401(anonymous_api):
    response = anonymous_api.get(LOOKUP_URL, {"serial": "SN-1"})

    assert response.status_code == 401
    assert codes(response) == ["not_authenticated"]


def test_a_user_without_the_look_up_pages_permission_gets_403(db):
    api = token_client(UserFactory(username="no-role"))

    response = api.get(LOOKUP_URL, {"serial": "SN-1"})

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]


def test_post_on_look_up_is_405(staff_api):
    response = staff_api.post(LOOKUP_URL, {"serial": "SN-1"}, format="json")

    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]


@pytest.mark.parametrize("query", [{}, {"serial": ""}, {"serial": "   "}])
def test_a_look_up_without_a_serial_is_a_400_required(staff_api, query):
    response = staff_api.get(LOOKUP_URL, query)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "required", "message": "Enter a serial number to look up.", "field": "serial"}
    ]


@pytest.mark.parametrize(
    "typed", ["SN-0042", "sn-0042", "  Sn-0042 ", "\uff33\uff2e\uff0d\uff10\uff10\uff14\uff12"]
)
def test_the_exact_match_ignores_case_spaces_and_full_width_forms(staff_api, shop, typed):
    outlet, product = shop
    unit = SerialRecordFactory(serial="SN-0042", product=product, outlet=outlet)
    SerialRecordFactory(serial="SN-00420", product=product, outlet=outlet)

    response = staff_api.get(LOOKUP_URL, {"serial": typed})

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["exact"]] == [unit.pk]
    assert (body["matches"], body["more_matches"]) == ([], False)
    assert body["exact"][0] == {
        "id": unit.pk,
        "serial": "SN-0042",
        "product": {"id": product.pk, "name": "Barista Pro", "sku": "BP-1"},
        "outlet": {"id": outlet.pk, "name": "Main Street"},
        "status": "in_stock",
        "status_display": "In stock",
        "notes": "",
        "created_at": body["exact"][0]["created_at"],
        "updated_at": body["exact"][0]["updated_at"],
        "sale": None,
        "customer": None,
    }


def test_one_serial_on_two_products_is_two_exact_matches(staff_api, shop):
    outlet, product = shop
    first = SerialRecordFactory(serial="DUP-1", product=product, outlet=outlet)
    second = SerialRecordFactory(
        serial="dup-1", product=ProductFactory(name="Grinder One"), outlet=outlet
    )

    body = staff_api.get(LOOKUP_URL, {"serial": "DUP-1"}).json()

    assert [row["id"] for row in body["exact"]] == [first.pk, second.pk]


def test_a_sold_match_carries_its_sale_and_customer(staff_api, shop):
    outlet, product = shop
    unit = SerialRecordFactory(serial="SOLD-1", product=product, outlet=outlet)
    customer = CustomerFactory()
    sale = sell(unit, customer=customer)

    body = staff_api.get(LOOKUP_URL, {"serial": "sold-1"}).json()

    assert (body["exact"][0]["sale"], body["exact"][0]["customer"]) == (sale.pk, customer.pk)


def test_without_an_exact_match_the_units_containing_the_text_are_listed(staff_api, shop):
    outlet, product = shop
    b = SerialRecordFactory(serial="AB-777-2", product=product, outlet=outlet)
    a = SerialRecordFactory(serial="AB-777-1", product=product, outlet=outlet)
    SerialRecordFactory(serial="ZZ-1", product=product, outlet=outlet)

    body = staff_api.get(LOOKUP_URL, {"serial": "777"}).json()

    assert body["exact"] == []
    # The page's order: by serial.
    assert [row["id"] for row in body["matches"]] == [a.pk, b.pk]
    assert body["more_matches"] is False


def test_partial_matches_stop_at_the_pages_limit_and_say_there_are_more(staff_api, shop):
    outlet, product = shop
    for n in range(52):
        SerialRecordFactory(serial=f"MANY-{n:03d}", product=product, outlet=outlet)

    body = staff_api.get(LOOKUP_URL, {"serial": "many"}).json()

    assert len(body["matches"]) == 50
    assert body["more_matches"] is True


def test_nothing_found_is_an_empty_answer_not_an_error(staff_api, shop):
    response = staff_api.get(LOOKUP_URL, {"serial": "NOPE"})

    assert response.status_code == 200
    assert response.json() == {"exact": [], "matches": [], "more_matches": False}


@pytest.mark.parametrize("typed", ["x" * 3000, "\u0663\u0664", "%", "_", "a'b\"c"])
def test_hostile_text_is_looked_up_as_text(staff_api, shop, typed):
    outlet, product = shop
    SerialRecordFactory(serial="AB_1", product=product, outlet=outlet)

    response = staff_api.get(LOOKUP_URL, {"serial": typed})

    assert response.status_code == 200
    found = [row["serial"] for row in response.json()["matches"]]
    assert found == (["AB_1"] if typed == "_" else [])


@pytest.mark.parametrize("units", [2, 20])
def test_the_look_up_costs_the_same_queries_whatever_it_finds(
    staff_api, shop, django_assert_num_queries, units
):
    outlet, product = shop
    for n in range(units):
        sell(
            SerialRecordFactory(serial=f"Q-{n:03d}", product=product, outlet=outlet),
            customer=CustomerFactory(),
        )
    staff_api.get(LOOKUP_URL, {"serial": "warm-up"})

    # Token, two for permissions, exact then partial matches, the units' open
    # sale lines with their sales and customers.
    with django_assert_num_queries(6):
        response = staff_api.get(LOOKUP_URL, {"serial": "q-"})

    assert len(response.json()["matches"]) == units
    assert all(row["customer"] for row in response.json()["matches"])


@override_settings(LANGUAGE_CODE="en")
def test_the_answer_is_the_same_as_the_header_boxs_page(staff_api, staff_client, shop):
    outlet, product = shop
    SerialRecordFactory(serial="PAGE-1", product=product, outlet=outlet)
    SerialRecordFactory(serial="PAGE-2", product=product, outlet=outlet)

    page = staff_client.get(reverse("serial_lookup"), {"q": "page"})
    api = staff_api.get(LOOKUP_URL, {"serial": "page"}).json()

    assert [row.serial.pk for row in page.context["rows"]] == [row["id"] for row in api["matches"]]


def test_a_nul_in_the_serial_is_a_400_not_a_500(staff_api):
    response = staff_api.get(LOOKUP_URL + "?serial=a%00b")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "nul_character"


def test_options_describes_the_look_up_to_a_user_who_may_use_it(staff_api):
    response = staff_api.options(LOOKUP_URL)

    assert response.status_code == 200
    assert response.json()["name"] == "Serial Lookup"


# Scans (issue 19) ------------------------------------------------------------------

GS = "\x1d"
GTIN = "09506000134352"
KETTLE_GTIN = "09520123456788"


@pytest.fixture
def twins():
    return serial_twins_with_barcodes()


def ids(items) -> list[int]:
    return [item["id"] for item in items]


@pytest.mark.parametrize(
    "scan",
    [f"]d201{GTIN}21AB-100{GS}10LOT7", f"https://id.gs1.org/01/{GTIN}/21/AB-100"],
)
def test_a_scan_finds_the_unit_of_its_product_exactly(staff_api, twins, scan):
    silvia_unit, _ = twins

    response = staff_api.get(LOOKUP_URL, {"serial": scan})

    assert response.status_code == 200
    body = response.json()
    assert ids(body["exact"]) == [silvia_unit.pk]
    assert body["matches"] == []


def test_a_scan_of_a_product_without_the_unit_lists_the_others_as_matches(staff_api, twins):
    response = staff_api.get(LOOKUP_URL, {"serial": "(01)95012345678903(21)AB-100"})

    assert response.status_code == 200
    body = response.json()
    assert body["exact"] == []
    assert sorted(ids(body["matches"])) == sorted(unit.pk for unit in twins)


def test_a_broken_scan_is_a_400_on_serial(staff_api, twins):
    response = staff_api.get(LOOKUP_URL, {"serial": f"]d201{GTIN}"})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "scan_no_serial",
            "message": "The scan has no serial number (GS1 AI 21).",
            "field": "serial",
        }
    ]


def test_the_address_of_a_units_page_finds_that_unit(staff_api, twins):
    _, kettle_unit = twins

    response = staff_api.get(
        LOOKUP_URL, {"serial": f"https://desk.example.com{kettle_unit.get_absolute_url()}"}
    )

    assert response.status_code == 200
    assert ids(response.json()["exact"]) == [kettle_unit.pk]
