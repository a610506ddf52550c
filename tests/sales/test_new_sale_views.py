"""The New sale page, the sale's page and its receipt, through the views."""

import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import SerialRecord, SerialStatus
from sales.models import Customer, Sale, SaleLineSerial
from sales.services import LineInput, sale_create
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW_SALE = reverse("sales:sale_create")


def sale_post(*, outlet, lines, customer="", **extra) -> dict:
    """The POST the New sale page sends for `lines` [(product, quantity, price, serials)]."""
    data = {
        "outlet": outlet.pk if outlet else "",
        "customer": customer,
        "customer_search": "",
        "lines-TOTAL_FORMS": len(lines),
        "lines-INITIAL_FORMS": 0,
        "lines-MIN_NUM_FORMS": 1,
        "lines-MAX_NUM_FORMS": 100,
        **extra,
    }
    for i, (product, quantity, price, serials) in enumerate(lines):
        data[f"lines-{i}-product"] = product.pk if product else ""
        data[f"lines-{i}-product_search"] = f"{product.name} ({product.sku})" if product else ""
        data[f"lines-{i}-quantity"] = quantity
        data[f"lines-{i}-unit_price"] = price
        data[f"lines-{i}-serial_numbers"] = serials
    return data


@pytest.fixture
def shop(db):
    main = OutletFactory(name="Main Street", address="1 Main Street\nSpringfield")
    harbour = OutletFactory(name="Harbour Mall")
    machine = ProductFactory(name="Barista Pro", sku="BP-900", retail_price=Decimal("499.00"))
    beans = ProductFactory(
        name="Coffee Beans 1kg",
        sku="CB-1",
        retail_price=Decimal("20.00"),
        has_serial_numbers=False,
    )
    StockLevelFactory(product=beans, outlet=main, on_hand=10)
    customer = Customer.objects.create(name="Ada Lovelace", email="ada@example.com")
    return {
        "main": main,
        "harbour": harbour,
        "machine": machine,
        "beans": beans,
        "customer": customer,
    }


def test_the_page_shows_one_line_and_the_fields(staff_client, shop):
    response = staff_client.get(NEW_SALE)
    assert response.status_code == 200
    content = response.content.decode()
    for text in ["New sale", "Outlet", "Customer", "Product", "Quantity", "Unit price"]:
        assert text in content
    assert "Serial numbers" in content and "Pick from stock" in content
    assert "Add line" in content and "Complete sale" in content
    assert response.context["lines"].total_form_count() == 1


def test_a_pre_recorded_unit_is_sold_and_the_sale_page_opens(staff_client, staff_user, shop):
    unit = SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial="BP-1")
    data = sale_post(
        outlet=shop["main"],
        customer=shop["customer"].pk,
        lines=[(shop["machine"], 1, "", "bp-1")],
    )
    response = staff_client.post(NEW_SALE, data, follow=True)

    sale = Sale.objects.get()
    assert response.redirect_chain == [(sale.get_absolute_url(), 302)]
    assert f"Sale {sale.number} completed." in response.content.decode()
    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD
    assert sale.customer == shop["customer"] and sale.clerk == staff_user
    assert sale.total == Decimal("499.00")
    assert SaleLineSerial.objects.get().serial == unit


def test_a_plain_product_sells_at_the_price_typed(staff_client, shop):
    data = sale_post(outlet=shop["main"], lines=[(shop["beans"], 2, "18.50", "")])
    response = staff_client.post(NEW_SALE, data)

    sale = Sale.objects.get()
    assert response.status_code == 302 and response.url == sale.get_absolute_url()
    assert sale.total == Decimal("37.00")
    assert sale.customer is None


def test_a_customer_typed_but_not_picked_is_found_by_email(staff_client, shop):
    data = sale_post(outlet=shop["main"], lines=[(shop["beans"], 1, "", "")])
    data["customer_search"] = "ADA@example.com"
    response = staff_client.post(NEW_SALE, data)
    assert response.status_code == 302
    assert Sale.objects.get().customer == shop["customer"]


def test_an_untouched_added_line_is_ignored(staff_client, shop):
    data = sale_post(outlet=shop["main"], lines=[(shop["beans"], 1, "", ""), (None, 1, "", "")])
    response = staff_client.post(NEW_SALE, data)
    assert response.status_code == 302
    assert Sale.objects.get().lines.count() == 1


def assert_input_kept(response, data) -> None:
    """Every field shows what was typed."""
    content = response.content.decode()
    form, lines = response.context["form"], response.context["lines"]
    assert form["outlet"].value() == str(data["outlet"])
    for i, line in enumerate(lines.forms):
        assert line["serial_numbers"].value() == data[f"lines-{i}-serial_numbers"]
        assert str(line["quantity"].value()) == str(data[f"lines-{i}-quantity"])
        assert data[f"lines-{i}-product_search"] in content
        if data[f"lines-{i}-serial_numbers"]:
            assert data[f"lines-{i}-serial_numbers"] in content


def test_an_unknown_serial_is_listed_as_not_recorded_with_the_input_kept(staff_client, shop):
    data = sale_post(outlet=shop["main"], lines=[(shop["machine"], 1, "450", "NEW-77")])
    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Not recorded" in content and "NEW-77" in content
    assert "Record as new" in content
    assert_input_kept(response, data)
    assert response.context["lines"].forms[0]["unit_price"].value() == "450"
    assert not Sale.objects.exists()


def test_the_not_recorded_panel_points_to_the_serial_box_above_it(staff_client, shop):
    data = sale_post(outlet=shop["main"], lines=[(shop["machine"], 1, "", "NEW-77")])
    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    content = text_of(response)
    assert "or correct them in Serial numbers above and press Complete sale again" in content
    assert "correct them below" not in content
    # The panel comes after the lines, so "above" is where the box is.
    assert content.index("Serial numbers") < content.index("Not recorded")


def text_of(response) -> str:
    """The page's text as a reader sees it: tags dropped, white space collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(text).split())


def hidden_fields(response) -> dict[str, str]:
    """The hidden inputs of the page's form, as the browser would send them back."""
    fields = re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.content.decode()
    )
    return {name: html.unescape(value) for name, value in fields}


def review_of(client, data):
    """Press Complete sale, then the decision the page asks for: the review page."""
    response = client.post(NEW_SALE, data)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "sales/sale_review.html"
    return response


def test_record_as_new_shows_the_whole_sale_before_completing_it(staff_client, shop):
    SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial="BP-1")
    data = sale_post(
        outlet=shop["main"],
        customer=shop["customer"].pk,
        lines=[(shop["machine"], 2, "", "BP-1\nNEW-77"), (shop["beans"], 3, "18.50", "")],
        record_new="1",
    )
    response = review_of(staff_client, data)

    content = text_of(response)
    assert "Review the sale" in content
    assert "Nothing is saved yet." in content
    assert "Outlet Main Street" in content
    assert "Customer Ada Lovelace (ada@example.com)" in content
    assert "Barista Pro (BP-900)" in content and "Coffee Beans 1kg (CB-1)" in content
    assert "BP-1 , in stock at Main Street" in content
    assert "NEW-77 will be recorded as new at Main Street" in content
    # Quantity, unit price and line total of each line, and the total.
    assert "2 £499.00 £998.00" in content
    assert "3 £18.50 £55.50" in content
    assert "Total £1,053.50" in content
    assert 'type="submit" class="btn btn-primary">Complete sale</button>' in (
        response.content.decode()
    )
    assert "Change the sale" in content
    assert not Sale.objects.exists()
    assert not SerialRecord.objects.filter(serial="NEW-77").exists()


def test_complete_sale_on_the_review_records_the_serial_and_completes(staff_client, shop):
    data = sale_post(
        outlet=shop["main"], lines=[(shop["machine"], 1, "4299", "NEW-77")], record_new="1"
    )
    review = review_of(staff_client, data)
    response = staff_client.post(NEW_SALE, hidden_fields(review))

    sale = Sale.objects.get()
    assert response.status_code == 302 and response.url == sale.get_absolute_url()
    assert sale.total == Decimal("4299.00")
    unit = SaleLineSerial.objects.get().serial
    assert (unit.serial, unit.status, unit.outlet) == ("NEW-77", SerialStatus.SOLD, shop["main"])


def test_the_review_carries_every_field_as_typed(staff_client, shop):
    data = sale_post(
        outlet=shop["main"],
        lines=[(shop["machine"], 2, "450", "NEW-1\nNEW-2"), (shop["beans"], 1, "", "")],
        record_new="1",
    )
    review = review_of(staff_client, data)

    carried = hidden_fields(review)
    for name, value in data.items():
        if name != "record_new":
            assert carried[name] == str(value), name
    assert carried["record_new"] == "1"
    assert len(carried["review"]) == 64


def test_sell_it_here_shows_the_move_on_the_review_then_completes(staff_client, shop):
    unit = SerialRecordFactory(product=shop["machine"], outlet=shop["harbour"], serial="BP-2")
    data = sale_post(outlet=shop["main"], lines=[(shop["machine"], 1, "", "BP-2")], sell_here="1")
    review = review_of(staff_client, data)

    content = text_of(review)
    assert "BP-2 will be moved from Harbour Mall and sold here" in content
    assert "Total £499.00" in content
    unit.refresh_from_db()
    assert (unit.status, unit.outlet) == (SerialStatus.IN_STOCK, shop["harbour"])

    response = staff_client.post(NEW_SALE, hidden_fields(review))
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.status, unit.outlet) == (SerialStatus.SOLD, shop["main"])


def test_both_decisions_are_asked_for_then_reviewed_together(staff_client, shop):
    SerialRecordFactory(product=shop["machine"], outlet=shop["harbour"], serial="BP-2")
    data = sale_post(
        outlet=shop["main"], lines=[(shop["machine"], 2, "", "BP-2; NEW-77")], record_new="1"
    )
    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    content = text_of(response)
    assert "Confirmed: they will be recorded as new." in content
    assert "Sell it here" in content
    assert "Review the sale" not in content
    review = review_of(staff_client, {**data, "sell_here": "1"})
    content = text_of(review)
    assert "NEW-77 will be recorded as new at Main Street" in content
    assert "BP-2 will be moved from Harbour Mall and sold here" in content
    assert not Sale.objects.exists()


def test_a_review_of_a_sale_changed_since_is_refused_with_the_input_kept(staff_client, shop):
    data = sale_post(
        outlet=shop["main"], lines=[(shop["machine"], 1, "4299", "NEW-77")], record_new="1"
    )
    carried = hidden_fields(review_of(staff_client, data))
    carried["lines-0-serial_numbers"] = "NEW-78"
    response = staff_client.post(NEW_SALE, carried)

    assert response.status_code == 200
    content = text_of(response)
    assert "it changed after you reviewed it" in content
    # The confirmation is asked for again, for the serial now typed.
    assert "Record as new" in content and "NEW-78" in content
    assert "Confirmed:" not in content
    assert_input_kept(response, carried)
    assert not Sale.objects.exists()
    assert not SerialRecord.objects.exists()


def test_a_review_made_stale_by_a_price_change_is_refused(staff_client, shop):
    data = sale_post(
        outlet=shop["main"], lines=[(shop["machine"], 1, "", "NEW-77")], record_new="1"
    )
    review = review_of(staff_client, data)
    assert "Total £499.00" in text_of(review)
    shop["machine"].retail_price = Decimal("549.00")
    shop["machine"].save()
    response = staff_client.post(NEW_SALE, hidden_fields(review))

    assert response.status_code == 200
    assert "it changed after you reviewed it" in text_of(response)
    assert not Sale.objects.exists()


def test_a_review_made_stale_by_a_unit_moving_is_refused(staff_client, shop):
    unit = SerialRecordFactory(product=shop["machine"], outlet=shop["harbour"], serial="BP-2")
    data = sale_post(outlet=shop["main"], lines=[(shop["machine"], 1, "", "BP-2")], sell_here="1")
    review = review_of(staff_client, data)
    third = OutletFactory(name="Airport")
    unit.outlet = third
    unit.save()
    response = staff_client.post(NEW_SALE, hidden_fields(review))

    assert response.status_code == 200
    content = text_of(response)
    assert "it changed after you reviewed it" in content
    assert "in stock at Airport" in content
    assert not Sale.objects.exists()
    unit.refresh_from_db()
    assert (unit.status, unit.outlet) == (SerialStatus.IN_STOCK, third)


def test_change_the_sale_brings_back_the_form_as_typed(staff_client, shop):
    data = sale_post(
        outlet=shop["main"], lines=[(shop["machine"], 2, "450", "NEW-1\nNEW-2")], record_new="1"
    )
    carried = hidden_fields(review_of(staff_client, data))
    response = staff_client.post(NEW_SALE, {**carried, "edit": "1"})

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "sales/sale_form.html"
    assert_input_kept(response, data)
    assert "Confirmed: they will be recorded as new." in text_of(response)
    assert not Sale.objects.exists()
    # Complete sale on the form again: the review, never the sale itself.
    again = {k: v for k, v in carried.items() if k != "review"}
    review_of(staff_client, again)
    assert not Sale.objects.exists()


def test_a_confirmation_with_nothing_left_to_confirm_sells_as_typed(staff_client, shop):
    SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial="BP-1")
    data = sale_post(outlet=shop["main"], lines=[(shop["machine"], 1, "", "BP-1")], record_new="1")
    response = staff_client.post(NEW_SALE, data)

    sale = Sale.objects.get()
    assert response.status_code == 302 and response.url == sale.get_absolute_url()


def test_a_unit_at_another_outlet_is_named_with_it_and_kept(staff_client, shop):
    SerialRecordFactory(product=shop["machine"], outlet=shop["harbour"], serial="BP-2")
    data = sale_post(outlet=shop["main"], lines=[(shop["machine"], 1, "", "BP-2")])
    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "In stock at another outlet" in content
    assert "in stock at Harbour Mall" in content
    assert "Sell it here" in content
    assert_input_kept(response, data)
    assert not Sale.objects.exists()


def test_an_already_sold_unit_is_refused_on_its_line_naming_the_sale(staff_client, shop):
    unit = SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial="BP-3")
    first = sale_create(
        outlet=shop["main"],
        customer=None,
        lines=[LineInput(product=shop["machine"], quantity=1, serials=["BP-3"])],
        clerk=None,
    )
    data = sale_post(
        outlet=shop["main"],
        lines=[(shop["beans"], 1, "", ""), (shop["machine"], 1, "", "BP-3")],
    )
    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    line = response.context["lines"].forms[1]
    assert line.non_field_errors() == [f"“BP-3” is already sold (Sale {first.number})."]
    assert f"“BP-3” is already sold (Sale {first.number})." in response.content.decode()
    assert response.context["lines"].forms[0].non_field_errors() == []
    assert_input_kept(response, data)
    assert Sale.objects.count() == 1
    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD


def test_the_wrong_number_of_serials_is_an_error_on_its_line(staff_client, shop):
    data = sale_post(outlet=shop["main"], lines=[(shop["machine"], 2, "", "BP-1")])
    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    errors = response.context["lines"].forms[0].non_field_errors()
    assert errors == ["Enter 2 serial numbers, one per unit (1 entered)."]
    assert_input_kept(response, data)


def test_a_sale_wide_error_is_shown_at_the_top(staff_client, shop):
    shop["main"].require_customer_for_serialised = True
    shop["main"].save()
    SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial="BP-1")
    data = sale_post(outlet=shop["main"], lines=[(shop["machine"], 1, "", "BP-1")])
    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'role="alert"' in content
    assert "Main Street requires a customer for serialised products" in content
    assert_input_kept(response, data)


@pytest.mark.parametrize(
    ("quantity", "product", "error"),
    [
        ("0", True, "The quantity must be at least 1."),
        ("two", True, "Enter a whole number."),
        ("1", False, "Enter and select the product name."),
    ],
)
def test_form_errors_keep_everything_typed(staff_client, shop, quantity, product, error):
    data = sale_post(outlet=shop["main"], lines=[(shop["machine"], quantity, "12", "BP-1; BP-2")])
    if not product:
        data["lines-0-product"] = ""
        data["lines-0-product_search"] = ""
    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert error in content
    line = response.context["lines"].forms[0]
    assert line["serial_numbers"].value() == "BP-1; BP-2"
    assert line["quantity"].value() == quantity
    assert line["unit_price"].value() == "12"
    assert not Sale.objects.exists()


def test_a_customer_typed_that_matches_nobody_is_an_error_and_kept(staff_client, shop):
    data = sale_post(outlet=shop["main"], lines=[(shop["beans"], 1, "", "")])
    data["customer_search"] = "Nobody Known"
    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "No customer matches “Nobody Known”" in content
    assert 'value="Nobody Known"' in content
    assert not Sale.objects.exists()


def test_new_sale_needs_login(client):
    response = client.get(NEW_SALE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_new_sale_needs_the_add_sale_permission(client, db):
    user = UserFactory(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_sale"))
    client.force_login(user)
    assert client.get(NEW_SALE).status_code == 403
    assert client.get(reverse("sales:product_options"), {"q": "a"}).status_code == 403
    assert client.get(reverse("sales:customer_options"), {"q": "a"}).status_code == 403
    assert client.get(reverse("sales:serial_options")).status_code == 403


def test_new_sale_refuses_other_methods(staff_client):
    assert staff_client.put(NEW_SALE).status_code == 405
    assert staff_client.post(reverse("sales:product_options")).status_code == 405


def test_product_options_offer_active_products_with_their_price(staff_client, shop):
    ProductFactory(name="Barista Old", sku="BO-1", is_active=False)
    response = staff_client.get(reverse("sales:product_options"), {"q": "barista"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Barista Pro (BP-900)" in content and 'data-price="499.00"' in content
    assert "Barista Old" not in content


def test_customer_options_match_name_email_or_phone(staff_client, shop):
    Customer.objects.create(name="Grace Hopper", phone="555-0100")
    by_phone = staff_client.get(reverse("sales:customer_options"), {"q": "0100"})
    assert by_phone.status_code == 200
    assert "Grace Hopper (555-0100)" in by_phone.content.decode()
    by_email = staff_client.get(reverse("sales:customer_options"), {"q": "ada@"})
    assert "Ada Lovelace (ada@example.com)" in by_email.content.decode()
    assert "Grace Hopper" not in by_email.content.decode()


def test_serial_options_list_the_units_in_stock_at_the_outlet(staff_client, shop):
    SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial="BP-10")
    SerialRecordFactory(product=shop["machine"], outlet=shop["harbour"], serial="BP-20")
    SerialRecordFactory(
        product=shop["machine"], outlet=shop["main"], serial="BP-30", status=SerialStatus.SOLD
    )
    url = reverse("sales:serial_options")
    params = {"product": shop["machine"].pk, "outlet": shop["main"].pk}
    response = staff_client.get(url, params)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-pick-serial="BP-10"' in content
    assert "BP-20" not in content and "BP-30" not in content

    unchosen = staff_client.get(url, {"product": shop["machine"].pk, "outlet": "x"})
    assert "Select the outlet and the product first." in unchosen.content.decode()


def make_sale(shop, units: int) -> Sale:
    serials = [
        str(SerialRecordFactory(product=shop["machine"], outlet=shop["main"]).serial)
        for _ in range(units)
    ]
    return sale_create(
        outlet=shop["main"],
        customer=shop["customer"],
        lines=[
            LineInput(product=shop["machine"], quantity=units, serials=serials),
            LineInput(product=shop["beans"], quantity=1),
        ],
        clerk=None,
    )


def test_the_sale_page_shows_the_sale_and_links_each_serial(staff_client, shop):
    sale = make_sale(shop, 2)
    unit = SaleLineSerial.objects.select_related("serial").first()
    assert unit is not None
    response = staff_client.get(sale.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert f"Sale {sale.number}" in content
    assert "Main Street" in content
    assert f'href="{shop["customer"].get_absolute_url()}"' in content
    assert f'href="{unit.serial.get_absolute_url()}"' in content
    assert "1,018.00" in content or "1018.00" in content
    assert reverse("sales:sale_receipt", args=[sale.pk]) in content
    assert "Print receipt" in content


def test_the_sale_page_query_count_does_not_grow_with_units(staff_client, shop):
    small, big = make_sale(shop, 2), make_sale(shop, 20)
    staff_client.get(small.get_absolute_url())  # the session and permissions, cached
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(small.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(big.get_absolute_url()).status_code == 200
    assert len(many) == len(few)


def test_the_receipt_lists_lines_serials_outlet_and_customer(staff_client, shop):
    sale = make_sale(shop, 2)
    serials = sorted(u.serial.serial for u in SaleLineSerial.objects.select_related("serial"))
    response = staff_client.get(reverse("sales:sale_receipt", args=[sale.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    for text in ["Main Street", "1 Main Street", "Springfield", "Ada Lovelace", *serials]:
        assert text in content
    assert "Coffee Beans 1kg" in content


def test_sale_pages_need_the_view_permission(client, shop):
    sale = make_sale(shop, 1)
    client.force_login(UserFactory(username="nobody"))
    assert client.get(sale.get_absolute_url()).status_code == 403
    assert client.get(reverse("sales:sale_receipt", args=[sale.pk])).status_code == 403
    client.logout()
    response = client.get(sale.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_receipt_refuses_post(staff_client, shop):
    sale = make_sale(shop, 1)
    assert staff_client.post(reverse("sales:sale_receipt", args=[sale.pk])).status_code == 405


def test_the_running_total_starts_at_zero_in_the_shops_currency(staff_client, shop):
    response = staff_client.get(NEW_SALE)
    assert response.status_code == 200
    assert "Total £0.00" in text_of(response)
    assert 'data-currency="GBP"' in response.content.decode()


def test_a_page_shown_again_totals_what_was_typed(staff_client, shop):
    # Line 1 at the retail price (blank), line 2 as typed; the sale is refused.
    data = sale_post(
        outlet=shop["main"],
        lines=[(shop["machine"], 2, "", "BP-1"), (shop["beans"], 3, "18.50", "")],
    )
    response = staff_client.post(NEW_SALE, data)

    assert response.status_code == 200
    assert "Enter 2 serial numbers, one per unit (1 entered)." in text_of(response)
    assert "Total £1,053.50" in text_of(response)
    # The running total knows line 1's retail price for its blank Unit price.
    assert 'data-sale-line data-price="499.00" data-serialised="true"' in (
        response.content.decode()
    )


def test_product_options_mark_the_product_a_code_names_exactly(staff_client, shop):
    for n in range(12):
        ProductFactory(name=f"Aardvark Grinder {n}", sku=f"BP-900-{n}")
    url = reverse("sales:product_options")
    response = staff_client.get(url, {"q": "bp-900"})

    assert response.status_code == 200
    options = re.findall(r'<li [^>]*role="option"[^>]*>', response.content.decode())
    assert len(options) == 10
    # Exact by SKU, first though others sort before it by name, and marked.
    assert f'data-value="{shop["machine"].pk}"' in options[0]
    assert 'data-exact="true"' in options[0] and 'data-serialised="true"' in options[0]
    assert all("data-exact" not in option for option in options[1:])

    by_name = staff_client.get(url, {"q": "COFFEE BEANS 1KG"}).content.decode()
    assert re.search(r'data-serialised="false" data-exact="true">Coffee Beans 1kg', by_name)
    partial = staff_client.get(url, {"q": "Barista"}).content.decode()
    assert "Barista Pro (BP-900)" in partial and "data-exact" not in partial


def test_product_options_mark_no_product_when_a_name_is_shared(staff_client, shop):
    ProductFactory(name="Barista Pro", sku="BP-901")
    response = staff_client.get(reverse("sales:product_options"), {"q": "barista pro"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Barista Pro (BP-900)" in content and "Barista Pro (BP-901)" in content
    assert "data-exact" not in content


def test_serial_options_leave_out_the_serials_typed_on_the_sale(staff_client, shop):
    for serial in ["BP-10", "BP-11", "BP-12"]:
        SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial=serial)
    url = reverse("sales:serial_options")
    params = {"product": shop["machine"].pk, "outlet": shop["main"].pk}
    response = staff_client.get(url, {**params, "typed": "bp-10\nＢＰ-12; NOT-HERE"})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-pick-serial="BP-11"' in content
    assert "BP-10" not in content and "BP-12" not in content

    every = staff_client.get(url, {**params, "typed": "BP-10, BP-11, BP-12"})
    assert every.status_code == 200
    text = text_of(every)
    assert "Every serial number of Barista Pro in stock at Main Street is on this sale" in text
    assert "data-pick-serial" not in every.content.decode()


@pytest.mark.parametrize(
    "typed",
    ["BP-10," * 20_000, "\x01BP-10", "9" * 5_000, "BP-10\u202e"],
    ids=["20000-entries", "control", "one-huge", "bidi"],
)
def test_hostile_typed_serials_still_offer_the_stock(staff_client, shop, typed):
    SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial="BP-11")
    url = reverse("sales:serial_options")
    params = {"product": shop["machine"].pk, "outlet": shop["main"].pk, "typed": typed}

    response = staff_client.get(url, params)

    assert response.status_code == 200
    assert 'data-pick-serial="BP-11"' in response.content.decode()


@pytest.mark.parametrize(
    "review",
    ["0" * 64, "f" * 100_000, "<script>", "١٢٣"],
    ids=["tampered", "huge", "markup", "non-ascii"],
)
def test_a_hostile_review_is_refused_with_a_clear_message(staff_client, shop, review):
    data = sale_post(
        outlet=shop["main"], lines=[(shop["machine"], 1, "4299", "NEW-77")], record_new="1"
    )
    carried = hidden_fields(review_of(staff_client, data))
    response = staff_client.post(NEW_SALE, {**carried, "review": review})

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "sales/sale_form.html"
    content = text_of(response)
    assert "it changed after you reviewed it" in content
    # The confirmation is asked for again; nothing is saved.
    assert "Record as new" in content and "Confirmed:" not in content
    assert not Sale.objects.exists()
    assert not SerialRecord.objects.exists()


def test_a_review_with_a_nul_character_is_a_bad_request_that_says_so(staff_client, shop):
    data = sale_post(
        outlet=shop["main"], lines=[(shop["machine"], 1, "4299", "NEW-77")], record_new="1"
    )
    carried = hidden_fields(review_of(staff_client, data))
    response = staff_client.post(NEW_SALE, {**carried, "review": "\x00" + "a" * 63})

    assert response.status_code == 400
    assert "Remove the character and try again." in text_of(response)
    assert not Sale.objects.exists()
