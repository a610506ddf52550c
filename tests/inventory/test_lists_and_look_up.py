"""The list pages' filters, the Look up serial page and the Add form's limits."""

import re
from html import unescape

import pytest
from django.urls import reverse

from inventory.models import SerialRecord, StockLevel
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("inventory:serial_list")
LOOKUP_URL = reverse("serial_lookup")
ADD_URL = reverse("inventory:serial_create")


def header_box_value(html: str) -> str:
    match = re.search(r'<input id="look-up-serial"[^>]*value="([^"]*)"', html)
    assert match, "no Look up serial box on the page"
    return unescape(match.group(1))


# Filters ------------------------------------------------------------------


def test_the_filter_button_does_not_claim_to_show_the_serials_just_recorded(staff_client):
    SerialRecordFactory(serial="ONE-1")
    # What the Filter button sends: every field, the hidden batch time empty.
    response = staff_client.get(LIST_URL, {"q": "one", "status": "", "added_at": ""})
    assert response.status_code == 200
    assert [s.serial for s in response.context["object_list"]] == ["ONE-1"]
    assert "Showing the serial numbers just recorded." not in response.content.decode()


def test_the_list_right_after_adding_says_it_shows_that_batch(staff_client, product, outlet):
    response = staff_client.post(
        ADD_URL,
        {"product": product.pk, "outlet": outlet.pk, "serial_numbers": "NEW-1, NEW-2"},
    )
    assert response.status_code == 302
    page = staff_client.get(response.url)
    assert page.status_code == 200
    assert "Showing the serial numbers just recorded." in page.content.decode()


@pytest.mark.parametrize("field", ["added_from", "added_to"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_far_date_is_a_filter_error_not_a_crash(staff_client, field, day):
    SerialRecordFactory(serial="ANY-1")
    response = staff_client.get(LIST_URL, {field: day})
    assert response.status_code == 200
    assert "Enter a date from 1900 to 2999." in response.content.decode()
    assert list(response.context["object_list"]) == []


def test_sorting_by_status_breaks_ties_by_id_so_pages_never_overlap(staff_client, settings):
    settings.SERIALDESK_PAGE_SIZE = 3
    for n in range(7):
        SerialRecordFactory(serial=f"TIE-{n}")
    seen = []
    url = f"{LIST_URL}?sort=status"
    for _page in (1, 2, 3):
        response = staff_client.get(url)
        assert response.status_code == 200
        seen += [s.pk for s in response.context["object_list"]]
        # The Next link carries the last unit's key (keyset paging).
        next_link = re.search(r'rel="next" href="([^"]*)"', response.content.decode())
        url = LIST_URL + unescape(next_link.group(1)) if next_link else ""
    assert url == ""
    assert len(seen) == 7
    assert len(set(seen)) == 7


# Look up serial -------------------------------------------------------------


def test_look_up_keeps_the_text_in_the_header_box(staff_client):
    SerialRecordFactory(serial="ABC-1234")
    response = staff_client.get(LOOKUP_URL, {"q": "abc-1"})
    assert response.status_code == 200
    assert header_box_value(response.content.decode()) == "abc-1"


def test_the_same_serial_on_two_products_lists_both_and_says_so(staff_client):
    bike = SerialRecordFactory(serial="SN-77", product=ProductFactory(name="City Bike"))
    phone = SerialRecordFactory(serial="sn-77", product=ProductFactory(name="Nova Phone"))
    response = staff_client.get(LOOKUP_URL, {"q": "SN-77"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "“SN-77” is recorded for 2 products (different makers). Choose the unit:" in html
    assert bike.get_absolute_url() in html and phone.get_absolute_url() in html
    assert "City Bike" in html and "Nova Phone" in html


def test_look_up_with_no_match_says_so_and_keeps_the_text(staff_client):
    SerialRecordFactory(serial="ABC-1")
    response = staff_client.get(LOOKUP_URL, {"q": "ZZZ-404"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No serial number matches “ZZZ-404”." in html
    assert header_box_value(html) == "ZZZ-404"


# Add Serial numbers: the Product field and the cap ----------------------------


def test_typed_text_matching_exactly_one_product_picks_it(staff_client, outlet):
    product = ProductFactory(name="Barista Pro 900", sku="BP-900")
    ProductFactory(name="Grinder", sku="GR-1")
    response = staff_client.post(
        ADD_URL,
        {"product_search": "pro 9", "outlet": outlet.pk, "serial_numbers": "ONE-1"},
    )
    assert response.status_code == 302
    assert SerialRecord.objects.get().product == product


def test_typed_text_matching_several_products_asks_to_choose(staff_client, outlet):
    ProductFactory(name="Barista Pro 900")
    ProductFactory(name="Barista Pro 700")
    response = staff_client.post(
        ADD_URL,
        {"product_search": "barista pro", "outlet": outlet.pk, "serial_numbers": "ONE-1"},
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Several products match “barista pro”. Select one from the list." in html
    assert 'value="barista pro"' in html
    assert not SerialRecord.objects.exists()


def test_the_add_form_states_its_cap_per_submission(staff_client, settings):
    settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION = 20_000
    response = staff_client.get(ADD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "At most 20,000 serial numbers per submission." in html
    assert 'data-cap="20000"' in html


def test_more_entries_than_the_cap_are_refused_and_the_input_kept(
    staff_client, settings, product, outlet
):
    settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION = 3
    typed = "A-1, A-2, A-3, A-4"
    response = staff_client.post(
        ADD_URL, {"product": product.pk, "outlet": outlet.pk, "serial_numbers": typed}
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert (
        "At most 3 serial numbers can be added at once; this has 4. "
        "Split them, or use Import CSV for bigger batches."
    ) in html
    assert f">\n{typed}</textarea>" in html
    assert not SerialRecord.objects.exists()


# Stock and outlets ---------------------------------------------------------------


def test_stock_beyond_the_columns_range_is_a_clear_error(manager_client, product, outlet):
    StockLevel.objects.create(product=product, outlet=outlet, on_hand=4)
    response = manager_client.post(
        reverse("inventory:stock_set", args=[product.pk]),
        {"outlet": outlet.pk, "on_hand": "2147483648"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Enter at most 1000000000 units." in response.content.decode()
    assert StockLevel.objects.get(product=product, outlet=outlet).on_hand == 4


def test_prices_show_in_the_shops_currency(staff_client, settings):
    settings.SERIALDESK_CURRENCY = "GBP"
    ProductFactory(name="Espresso 900", retail_price="1299.00")
    response = staff_client.get(reverse("catalog:product_list"))
    assert response.status_code == 200
    assert "£1,299.00" in response.content.decode()


def test_the_outlets_list_and_tables_scroll_inside_their_box(staff_client):
    OutletFactory(name="Main Street")
    response = staff_client.get(reverse("inventory:outlet_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Main Street" in html
    assert '<div class="table-responsive">' in html


# Look up serial: who owns each unit, and searching customers ---------------------


def sold_unit(serial, *, customer_name, product=None):
    from sales.services import LineInput, sale_create
    from tests.factories import CustomerFactory

    unit = SerialRecordFactory(serial=serial, **({"product": product} if product else {}))
    customer = CustomerFactory(name=customer_name)
    sale_create(
        outlet=unit.outlet,
        customer=customer,
        lines=[LineInput(product=unit.product, quantity=1, serials=[unit.serial])],
        clerk=None,
    )
    return unit, customer


def lookup_rows(html: str) -> list[list[list[str]]]:
    """The short list's rows, each cell as its words."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>|\s+", " ", cell).split()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


def test_the_short_list_shows_product_status_outlet_and_customer(staff_client):
    sold, alice = sold_unit("SN-77", customer_name="Alice", product=ProductFactory(name="Bike"))
    shelf = SerialRecordFactory(serial="sn-77", product=ProductFactory(name="Phone"))

    response = staff_client.get(LOOKUP_URL, {"q": "SN-77"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="{alice.get_absolute_url()}">Alice</a>' in html
    rows = {" ".join(cells[0]): cells for cells in lookup_rows(html)}
    assert rows["SN-77"][1:] == [
        ["Bike", sold.product.sku],
        ["Sold"],
        sold.outlet.name.split(),
        ["Alice"],
    ]
    assert rows["sn-77"][1:] == [
        ["Phone", shelf.product.sku],
        ["In", "stock"],
        shelf.outlet.name.split(),
        ["—"],
    ]


def test_a_partial_match_lists_the_customer_of_a_sold_unit(staff_client):
    sold_unit("PART-123", customer_name="Ben Okafor")

    response = staff_client.get(LOOKUP_URL, {"q": "part-1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Serial numbers containing it:" in html
    assert ["Ben", "Okafor"] in lookup_rows(html)[0]


def test_a_unit_sold_again_after_a_return_shows_its_latest_customer(staff_client):
    from sales.services import LineInput, return_create, sale_create
    from tests.factories import CustomerFactory

    unit, _ = sold_unit("AGAIN-1", customer_name="First Owner")
    SerialRecordFactory(serial="AGAIN-2", product=unit.product)
    return_create(
        serial=unit,
        reason="unwanted",
        outcome="restock",
        outlet=unit.outlet,
        refund_amount=0,
        clerk=None,
    )
    sale_create(
        outlet=unit.outlet,
        customer=CustomerFactory(name="Second Owner"),
        lines=[LineInput(product=unit.product, quantity=1, serials=[unit.serial])],
        clerk=None,
    )

    response = staff_client.get(LOOKUP_URL, {"q": "again"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Second Owner" in html
    assert "First Owner" not in html


def test_look_up_with_no_match_offers_to_search_customers_with_the_text(staff_client):
    response = staff_client.get(LOOKUP_URL, {"q": "Alice M"})

    assert response.status_code == 200
    html = unescape(response.content.decode())
    search_url = reverse("sales:customer_list") + "?q=Alice+M"
    assert f'<a href="{search_url}">Search customers for “Alice M”</a>' in html
    assert header_box_value(response.content.decode()) == "Alice M"


def test_the_customer_search_offered_by_look_up_finds_the_customer(staff_client):
    from tests.factories import CustomerFactory

    CustomerFactory(name="Alice Martin", email="alice@example.com")
    response = staff_client.get(reverse("sales:customer_list"), {"q": "Alice M"})

    assert response.status_code == 200
    assert [c.name for c in response.context["object_list"]] == ["Alice Martin"]


@pytest.mark.parametrize("units", [2, 30])
def test_the_short_lists_query_count_does_not_grow_with_its_rows(
    staff_client, django_assert_num_queries, units
):
    product = ProductFactory()
    for n in range(units):
        sold_unit(f"MANY-{n:03d}", customer_name=f"Customer {n}", product=product)
    SerialRecordFactory(serial="MANY-SPARE", product=product)
    staff_client.get(LOOKUP_URL, {"q": "warm-up"})

    # Session, user, two for permissions; exact then partial matches; the units'
    # open sale lines with their sales and customers (the session is not written again).
    with django_assert_num_queries(7):
        response = staff_client.get(LOOKUP_URL, {"q": "many"})

    assert response.status_code == 200
    assert len(response.context["rows"]) == units + 1
    assert response.content.decode().count("Customer ") == units
