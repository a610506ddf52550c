"""Inventory > Stock control, Order stock and the order page, as Managers and Staff see them."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import StockOrder, StockOrderLine, StockOrderStatus
from inventory.services.stock_orders import OrderLineInput, stock_order_create
from tests.factories import OutletFactory, ProductFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("inventory:stock_order_create")
LIST_URL = reverse("inventory:stock_control")


@pytest.fixture
def supplier():
    return SupplierFactory(name="Acme Coffee Supply")


@pytest.fixture
def grinder():
    return ProductFactory(name="Grinder", sku="GR-1", has_serial_numbers=False)


def order_of(supplier, outlet, *lines, reference=""):
    return stock_order_create(
        supplier=supplier,
        outlet=outlet,
        reference=reference,
        lines=[OrderLineInput(product=p, quantity=q, cost=c) for p, q, c in lines],
        user=None,
    )


def post_data(supplier, outlet, lines, /, **fields):
    """Order stock's form as the browser sends it: (product, quantity, cost) per line."""
    data = {
        "supplier": str(supplier.pk),
        "outlet": str(outlet.pk),
        "reference": "",
        "due": "",
        "note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "500",
        **fields,
    }
    for i, (product, quantity, cost) in enumerate(lines):
        data[f"lines-{i}-product"] = str(product.pk)
        data[f"lines-{i}-product_search"] = f"{product.name} ({product.sku})"
        data[f"lines-{i}-quantity"] = str(quantity)
        data[f"lines-{i}-cost"] = str(cost)
    return data


# --- Order stock -------------------------------------------------------------


def labels(page: str) -> list[str]:
    """The text of each <label> of the page's form (without crispy's required asterisk)."""
    form = page.split("data-order-form")[1]
    found = re.findall(r"<label[^>]*>\s*(.*?)\s*(?:<span|</label>)", form, re.S)
    return [text for text in found if text]


def test_order_stock_page_shows_the_fields_and_buttons(manager_client, supplier, outlet):
    response = manager_client.get(CREATE_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert labels(page)[:8] == [
        "Supplier",
        "Deliver to",
        "Reference",
        "Due",
        "Note",
        "Product",
        "Quantity",
        "Cost",
    ]
    assert ">Add line</button>" in page
    assert ">Save order</button>" in page
    assert '<h1 class="h3 mb-3">Order stock</h1>' in page
    # One line to start with, its Cost blank (no default).
    cost = re.search(r'<input[^>]*name="lines-0-cost"[^>]*>', page)
    assert cost is not None and "value=" not in cost[0]
    assert 'name="lines-1-cost"' not in page


def test_saving_an_order_shows_stock_order_n_open(
    manager_client, manager_user, supplier, outlet, product, grinder
):
    data = post_data(
        supplier,
        outlet,
        [(product, 5, "120.50"), (grinder, 2, "")],
        reference="PO-77",
        due="24/12/2026",
    )
    response = manager_client.post(CREATE_URL, data, follow=True)
    order = StockOrder.objects.get()
    assert response.redirect_chain == [(order.get_absolute_url(), 302)]
    page = response.content.decode()
    assert f"Stock order {order.pk} saved as Open." in page
    assert f'<h1 class="h3 me-auto mb-0">Stock order {order.pk}</h1>' in page
    assert ">Open</span>" in page
    assert "PO-77" in page and "Acme Coffee Supply" in page and "Main Street" in page
    assert "24/12/2026" in page
    assert order.created_by == manager_user
    assert order.lines.count() == 2
    # 5 x 120.50 + 2 x 0.00
    assert "602.50" in page


def test_a_product_on_two_lines_is_refused_naming_it(manager_client, supplier, outlet, product):
    data = post_data(supplier, outlet, [(product, 1, ""), (product, 2, "")], reference="PO-9")
    response = manager_client.post(CREATE_URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Barista Pro (BP-1) is on another line already" in page
    # What was typed stays.
    assert 'value="PO-9"' in page
    assert not StockOrder.objects.exists()


@pytest.mark.parametrize(
    ("line", "fields", "message"),
    [
        ((0, ""), {}, "The quantity must be at least 1."),
        ((-2, ""), {}, "The quantity must be at least 1."),
        ((1, "-5"), {}, "The cost cannot be negative."),
        ((1, "abc"), {}, "Enter a number, such as 12.50."),
        ((1, ""), {"reference": "PO\x07"}, "Remove the control character"),
        ((1, ""), {"reference": "x" * 101}, "Ensure this value has at most 100 characters"),
        ((1, ""), {"supplier": "99999"}, "That supplier does not exist."),
        ((1, ""), {"supplier": "١٢"}, "That supplier does not exist."),
        ((1, ""), {"supplier": ""}, "Select a supplier."),
        ((1, ""), {"due": "31/02/2026"}, "Enter a date as dd/mm/yyyy."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    manager_client, supplier, outlet, product, line, fields, message
):
    quantity, cost = line
    data = post_data(supplier, outlet, [(product, quantity, cost)], **fields)
    response = manager_client.post(CREATE_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StockOrder.objects.exists()


def test_order_stock_sent_empty_flags_supplier_outlet_and_product(
    manager_client, supplier, outlet
):
    data = {
        "supplier": "",
        "outlet": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "",
        "lines-0-product_search": "",
        "lines-0-quantity": "1",
        "lines-0-cost": "",
    }
    response = manager_client.post(CREATE_URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    for message in (
        "Select a supplier.",
        "Select an outlet.",
        "Enter and select the product name.",
    ):
        assert message in page
    assert re.findall(r'<select name="outlet"[^>]*>\s*<option value=""[^>]*>([^<]*)', page) == [
        "Select an outlet"
    ]
    assert "---------" not in page
    assert not StockOrder.objects.exists()


def test_a_nul_in_reference_is_refused_before_the_page(manager_client, supplier, outlet, product):
    data = post_data(supplier, outlet, [(product, 1, "")], reference="PO\x00-1")
    response = manager_client.post(CREATE_URL, data)
    assert response.status_code == 400
    assert not StockOrder.objects.exists()


def test_a_product_typed_or_scanned_without_a_pick_is_found(
    manager_client, supplier, outlet, grinder
):
    data = post_data(supplier, outlet, [(grinder, 3, "")])
    data["lines-0-product"] = ""
    data["lines-0-product_search"] = "GR-1"
    response = manager_client.post(CREATE_URL, data)
    assert response.status_code == 302
    assert StockOrderLine.objects.get().product == grinder


def test_an_unknown_product_names_the_text(manager_client, supplier, outlet, product):
    data = post_data(supplier, outlet, [(product, 1, "")])
    data["lines-0-product"] = ""
    data["lines-0-product_search"] = "Nothing like this ✓"
    response = manager_client.post(CREATE_URL, data)
    assert response.status_code == 200
    assert "No active product matches “Nothing like this ✓”" in response.content.decode()
    assert not StockOrder.objects.exists()


def test_inactive_suppliers_and_outlets_are_not_offered(manager_client, supplier, outlet):
    SupplierFactory(name="Gone Supplies", is_active=False)
    OutletFactory(name="Closed Outlet", is_active=False)
    page = manager_client.get(CREATE_URL).content.decode()
    assert "Acme Coffee Supply" in page and "Main Street" in page
    assert "Gone Supplies" not in page
    assert "Closed Outlet" not in page


def test_staff_cannot_order_stock(staff_client, supplier, outlet, product):
    assert staff_client.get(CREATE_URL).status_code == 403
    response = staff_client.post(CREATE_URL, post_data(supplier, outlet, [(product, 1, "")]))
    assert response.status_code == 403
    assert not StockOrder.objects.exists()
    page = staff_client.get(LIST_URL).content.decode()
    assert "Order stock" not in page


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(CREATE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_product_options_offer_active_products_to_managers_only(
    client, manager_user, staff_user, product, grinder
):
    client.force_login(manager_user)
    manager_client = client
    ProductFactory(name="Old Grinder", sku="GR-OLD", is_active=False)
    url = reverse("inventory:stock_order_product_options")
    page = manager_client.get(url, {"q": "GR"}).content.decode()
    assert "Grinder (GR-1)" in page and "GR-OLD" not in page
    exact = manager_client.get(url, {"q": "GR-1"}).content.decode()
    assert 'data-exact="true">Grinder (GR-1)' in exact
    assert manager_client.get(url, {"q": "a\x00b"}).status_code == 400
    client.force_login(staff_user)
    assert client.get(url, {"q": "GR"}).status_code == 403


# --- Edit ---------------------------------------------------------------------


def test_editing_an_open_order(manager_client, supplier, outlet, product, grinder):
    order = order_of(supplier, outlet, (product, 1, Decimal("10")), reference="PO-1")
    url = reverse("inventory:stock_order_update", args=[order.pk])
    page = manager_client.get(url).content.decode()
    assert f"Edit stock order {order.pk}" in page
    assert 'value="PO-1"' in page and "Barista Pro (BP-1)" in page
    seen = page.split('name="seen" value="')[1].split('"')[0]
    data = post_data(supplier, outlet, [(grinder, 4, "2.50")], reference="PO-2", seen=seen)
    response = manager_client.post(url, data, follow=True)
    assert f"Stock order {order.pk} saved." in response.content.decode()
    order.refresh_from_db()
    assert order.reference == "PO-2"
    assert list(order.lines.values_list("product__sku", "quantity")) == [("GR-1", 4)]


def test_an_edit_from_a_stale_page_is_refused(manager_client, supplier, outlet, product):
    order = order_of(supplier, outlet, (product, 1, Decimal("10")))
    url = reverse("inventory:stock_order_update", args=[order.pk])
    page = manager_client.get(url).content.decode()
    seen = page.split('name="seen" value="')[1].split('"')[0]
    # Someone else saves it meanwhile.
    order_copy = StockOrder.objects.get(pk=order.pk)
    order_copy.reference = "theirs"
    order_copy.save()
    data = post_data(supplier, outlet, [(product, 9, "")], reference="mine", seen=seen)
    response = manager_client.post(url, data)
    assert response.status_code == 200
    assert "was changed by someone else after you opened it" in response.content.decode()
    assert StockOrder.objects.get().reference == "theirs"
    assert StockOrderLine.objects.get().quantity == 1


def test_a_sent_order_cannot_be_edited(manager_client, supplier, outlet, product):
    order = order_of(supplier, outlet, (product, 1, Decimal("10")))
    StockOrder.objects.filter(pk=order.pk).update(status=StockOrderStatus.SENT)
    url = reverse("inventory:stock_order_update", args=[order.pk])
    response = manager_client.get(url, follow=True)
    assert response.redirect_chain == [(order.get_absolute_url(), 302)]
    assert "is sent, so it can no longer be edited" in response.content.decode()


# --- The order page and its actions -------------------------------------------


def _buttons(page: str) -> set[str]:
    names = {"Edit", "Mark as sent", "Cancel order", "Receive"}
    return {name for name in names if f">{name}</button>" in page}


@pytest.mark.parametrize(
    ("status", "manager", "staff"),
    [
        (StockOrderStatus.OPEN, {"Edit", "Mark as sent", "Cancel order", "Receive"}, {"Receive"}),
        (StockOrderStatus.SENT, {"Cancel order", "Receive"}, {"Receive"}),
        (StockOrderStatus.PARTLY_RECEIVED, {"Receive"}, {"Receive"}),
        (StockOrderStatus.RECEIVED, set(), set()),
        (StockOrderStatus.CANCELLED, set(), set()),
    ],
)
def test_the_order_page_offers_the_buttons_of_its_status_and_permission(
    client, manager_user, staff_user, supplier, outlet, product, status, manager, staff
):
    order = order_of(supplier, outlet, (product, 3, Decimal("100")))
    StockOrder.objects.filter(pk=order.pk).update(status=status)
    url = order.get_absolute_url()
    client.force_login(manager_user)
    assert _buttons(client.get(url).content.decode()) == manager
    client.force_login(staff_user)
    response = client.get(url)
    assert response.status_code == 200
    assert _buttons(response.content.decode()) == staff


def test_the_order_page_shows_lines_and_total_cost(
    staff_client, supplier, outlet, product, grinder
):
    order = order_of(
        supplier, outlet, (product, 3, Decimal("100.00")), (grinder, 2, Decimal("12.25"))
    )
    StockOrderLine.objects.filter(product=product).update(received=1)
    page = staff_client.get(order.get_absolute_url()).content.decode()
    for heading in ("Ordered", "Received", "Cost", "Total cost"):
        assert f">{heading}</th>" in page
    assert "Barista Pro" in page and "Grinder" in page
    assert "324.50" in page
    assert f'action="{reverse("inventory:stock_order_receive", args=[order.pk])}"' in page


def test_marking_as_sent(manager_client, supplier, outlet, product):
    order = order_of(supplier, outlet, (product, 1, Decimal("1")))
    url = reverse("inventory:stock_order_send", args=[order.pk])
    assert manager_client.get(url).status_code == 405
    response = manager_client.post(url, follow=True)
    assert f"Stock order {order.pk} marked as sent." in response.content.decode()
    assert ">Sent</span>" in response.content.decode()
    assert StockOrder.objects.get().status == StockOrderStatus.SENT


def test_mark_as_sent_from_a_stale_page_is_refused(manager_client, supplier, outlet, product):
    order = order_of(supplier, outlet, (product, 1, Decimal("1")))
    StockOrder.objects.filter(pk=order.pk).update(status=StockOrderStatus.CANCELLED)
    url = reverse("inventory:stock_order_send", args=[order.pk])
    response = manager_client.post(url, follow=True)
    page = response.content.decode()
    assert f"Stock order {order.pk} is cancelled now, so it cannot be marked as sent." in page
    assert StockOrder.objects.get().status == StockOrderStatus.CANCELLED


def test_staff_cannot_send_or_cancel(staff_client, supplier, outlet, product):
    order = order_of(supplier, outlet, (product, 1, Decimal("1")))
    for name in ("stock_order_send", "stock_order_cancel", "stock_order_update"):
        assert staff_client.post(reverse(f"inventory:{name}", args=[order.pk])).status_code == 403
    assert StockOrder.objects.get().status == StockOrderStatus.OPEN


def test_cancelling_asks_first_then_cancels(manager_client, supplier, outlet, product):
    order = order_of(supplier, outlet, (product, 1, Decimal("1")))
    url = reverse("inventory:stock_order_cancel", args=[order.pk])
    page = manager_client.get(url).content.decode()
    assert f"Cancel stock order {order.pk}?" in page
    assert ">Cancel order</button>" in page
    assert StockOrder.objects.get().status == StockOrderStatus.OPEN
    response = manager_client.post(url, follow=True)
    assert f"Stock order {order.pk} cancelled." in response.content.decode()
    assert StockOrder.objects.get().status == StockOrderStatus.CANCELLED


def test_cancelling_an_order_with_units_received_is_refused(
    manager_client, supplier, outlet, product
):
    order = order_of(supplier, outlet, (product, 2, Decimal("1")))
    StockOrder.objects.filter(pk=order.pk).update(status=StockOrderStatus.PARTLY_RECEIVED)
    StockOrderLine.objects.update(received=1)
    url = reverse("inventory:stock_order_cancel", args=[order.pk])
    response = manager_client.post(url, follow=True)
    assert "is partly received now, so it cannot be cancelled" in response.content.decode()
    assert StockOrder.objects.get().status == StockOrderStatus.PARTLY_RECEIVED


def test_an_unknown_order_is_not_found(manager_client):
    for name in ("stock_order_detail", "stock_order_update", "stock_order_cancel"):
        assert manager_client.get(reverse(f"inventory:{name}", args=[999])).status_code == 404


# --- Stock control: the list ----------------------------------------------------


def test_the_list_shows_orders_with_units_received_of_ordered(
    staff_client, supplier, outlet, product, grinder
):
    order = order_of(
        supplier, outlet, (product, 3, Decimal("1")), (grinder, 7, Decimal("1")), reference="PO-5"
    )
    StockOrderLine.objects.filter(product=product).update(received=2)
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="h3 me-auto mb-0">Stock control</h1>' in page
    for column in ("Number", "Type", "Supplier", "From", "To", "Reference", "Due", "Status"):
        assert f">{column}</th>" in page
    assert f">Stock order {order.pk}</a>" in page
    assert "2 of 10 received" in page
    assert "PO-5" in page


def test_the_navbar_links_stock_control(staff_client):
    page = staff_client.get(LIST_URL).content.decode()
    assert f'href="{LIST_URL}">Stock control</a>' in page


def test_the_list_filters_by_status_outlet_supplier_and_date(
    manager_client, supplier, outlet, product
):
    harbour = OutletFactory(name="Harbour Mall")
    beans = SupplierFactory(name="Beans Ltd")
    a = order_of(supplier, outlet, (product, 1, Decimal("1")), reference="REF-A")
    b = order_of(beans, harbour, (product, 1, Decimal("1")), reference="REF-B")
    StockOrder.objects.filter(pk=b.pk).update(status=StockOrderStatus.SENT)
    StockOrder.objects.filter(pk=a.pk).update(created_at="2026-01-10T12:00:00Z")

    def shown(**query):
        page = manager_client.get(LIST_URL, query).content.decode()
        return {ref for ref in ("REF-A", "REF-B") if ref in page}

    assert shown() == {"REF-A", "REF-B"}
    assert shown(type="stock_order") == {"REF-A", "REF-B"}
    assert shown(status="sent") == {"REF-B"}
    assert shown(outlet=str(harbour.pk)) == {"REF-B"}
    assert shown(supplier=str(supplier.pk)) == {"REF-A"}
    assert shown(created_to="31/01/2026") == {"REF-A"}
    assert shown(created_from="01/02/2026") == {"REF-B"}
    assert shown(status="nonsense") == set()


def test_the_list_says_when_nothing_matches(manager_client):
    page = manager_client.get(LIST_URL, {"status": "received"}).content.decode()
    assert "No stock orders, transfers or supplier returns match these filters." in page


def test_the_lists_queries_do_not_grow_with_its_rows(staff_client, supplier, product):
    outlets = [OutletFactory() for _ in range(3)]
    order_of(supplier, outlets[0], (product, 1, Decimal("1")))
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(LIST_URL).status_code == 200
    for i in range(29):
        other = ProductFactory()
        order_of(SupplierFactory(), outlets[i % 3], (product, 2, Decimal("1")), (other, 1, None))
    with CaptureQueriesContext(connection) as thirty:
        response = staff_client.get(LIST_URL)
    assert response.content.decode().count(">Stock order ") >= 25
    assert len(thirty) == len(one)


def test_the_admin_lists_orders_with_their_lines_read_only(client, supplier, outlet, product):
    order = order_of(supplier, outlet, (product, 2, Decimal("5")), reference="PO-ADM")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:inventory_stockorder_changelist"))
    assert listing.status_code == 200
    assert "PO-ADM" in listing.content.decode()
    change = client.get(reverse("admin:inventory_stockorder_change", args=[order.pk]))
    assert change.status_code == 200
    assert "Barista Pro" in change.content.decode()
    assert client.get(reverse("admin:inventory_stockorder_add")).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"supplier": "١٢"},
        {"supplier": "99999999999999999999"},
        {"outlet": "-1"},
        {"type": "transfer"},
        {"status": "x" * 3000},
        {"created_from": "9999-12-31"},
        {"created_to": "0001-01-01"},
        {"created_from": "31/02/2026"},
        {"page": "99999"},
    ],
)
def test_hostile_filters_answer_a_page_never_an_error(
    staff_client, supplier, outlet, product, query
):
    order_of(supplier, outlet, (product, 1, Decimal("1")), reference="REF-A")
    response = staff_client.get(LIST_URL, query)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "REF-A" not in response.content.decode()


def test_a_nul_in_a_filter_is_refused(staff_client):
    assert staff_client.get(LIST_URL, {"supplier": "a\x00b"}).status_code == 400
