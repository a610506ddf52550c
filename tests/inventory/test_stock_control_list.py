"""Inventory > Stock control: stock orders, transfers and supplier returns in one list."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.filters_stock import STOCK_DOCUMENT_TYPES
from inventory.models import (
    SerialStatus,
    StockOrder,
    SupplierReturn,
    SupplierReturnOutcome,
    SupplierReturnReason,
    SupplierReturnStatus,
    SupplierReturnUnit,
    Transfer,
    TransferLine,
    TransferStatus,
)
from inventory.selectors.stock_control import StockDocumentFilters, stock_documents
from inventory.services.stock_orders import OrderLineInput, stock_order_create
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("inventory:stock_control")
VIEW_PERMS = ["view_stockorder", "view_transfer", "view_supplierreturn"]


def user_with(*codenames):
    user = UserFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="inventory", codename__in=codenames)
    )
    return user


@pytest.fixture
def viewer_client(client):
    """A user who may see every kind of document and start none: no buttons to draw."""
    client.force_login(user_with(*VIEW_PERMS))
    return client


@pytest.fixture
def supplier():
    return SupplierFactory(name="Acme Coffee Supply")


def order_of(supplier, outlet, product, quantity=3, *, reference="", received=0):
    order = stock_order_create(
        supplier=supplier,
        outlet=outlet,
        reference=reference,
        lines=[OrderLineInput(product=product, quantity=quantity, cost=Decimal("1"))],
        user=None,
    )
    order.lines.update(received=received)
    return order


def transfer_of(
    from_outlet, to_outlet, product, quantity=2, *, received=0, days_ago=0, status=None
):
    """A transfer's rows as Send and Receive leave them (the list reads only these)."""
    transfer = Transfer.objects.create(
        from_outlet=from_outlet,
        to_outlet=to_outlet,
        status=status or TransferStatus.IN_TRANSIT,
        created_at=timezone.now() - timedelta(days=days_ago),
    )
    TransferLine.objects.create(
        transfer=transfer, product=product, quantity=quantity, received=received
    )
    return transfer


def return_of(supplier, outlet, product, *, outcomes=("",), reference="", days_ago=0):
    supplier_return = SupplierReturn.objects.create(
        supplier=supplier,
        outlet=outlet,
        reason=SupplierReturnReason.FAULTY,
        supplier_reference=reference,
        status=SupplierReturnStatus.RESOLVED
        if all(outcomes)
        else SupplierReturnStatus.AT_SUPPLIER,
        created_at=timezone.now() - timedelta(days=days_ago),
    )
    for outcome in outcomes:
        unit = SerialRecordFactory(
            product=product,
            outlet=outlet,
            status=SerialStatus.WRITTEN_OFF if outcome else SerialStatus.AT_SUPPLIER,
        )
        SupplierReturnUnit.objects.create(
            supplier_return=supplier_return,
            serial=unit,
            from_status=SerialStatus.FAULTY,
            outcome=outcome,
        )
    return supplier_return


def rows(page: str) -> list[str]:
    """The text of each row of the table's body, white space squeezed."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    found = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in found]


def test_the_list_shows_the_three_kinds_newest_first(
    viewer_client, supplier, main_street, harbour, product
):
    order = order_of(supplier, main_street, product, 10, reference="PO-5", received=2)
    StockOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=3))
    transfer = transfer_of(main_street, harbour, product, 3, received=1, days_ago=1)
    supplier_return = return_of(
        supplier,
        harbour,
        product,
        outcomes=("", "", SupplierReturnOutcome.CREDITED),
        reference="RMA-42",
    )
    response = viewer_client.get(LIST_URL)
    assert response.status_code == 200
    page = response.content.decode()
    for column in ("Number", "Type", "Supplier", "From", "To", "Reference", "Status", "Units"):
        assert f">{column}</th>" in page
    assert rows(page) == [
        f"Supplier return {supplier_return.pk} Supplier return Acme Coffee Supply Harbour Mall"
        f" — RMA-42 — At supplier 2 at supplier, sent today {timezone.localdate():%d/%m/%Y}",
        f"Transfer {transfer.pk} Transfer — Main Street Harbour Mall — — In transit"
        f" 1 of 3 received {timezone.localdate(transfer.created_at):%d/%m/%Y}",
        f"Stock order {order.pk} Stock order Acme Coffee Supply — Main Street PO-5 — Open"
        f" 2 of 10 received {timezone.localdate(order.created_at - timedelta(days=3)):%d/%m/%Y}",
    ]
    # Each number links to its document's page.
    assert f'href="/inventory/stock-orders/{order.pk}/">Stock order {order.pk}</a>' in page
    assert f'href="{transfer.get_absolute_url()}">Transfer {transfer.pk}</a>' in page
    assert f'href="{supplier_return.get_absolute_url()}">Supplier return' in page


def test_a_return_shows_the_age_of_its_units_still_at_the_supplier(
    viewer_client, supplier, outlet, product
):
    return_of(supplier, outlet, product, outcomes=("",), days_ago=1)
    return_of(supplier, outlet, product, outcomes=("", ""), days_ago=12)
    done = return_of(supplier, outlet, product, outcomes=(SupplierReturnOutcome.REPAIRED,) * 2)
    page = viewer_client.get(LIST_URL).content.decode()
    assert "1 at supplier, oldest 1 day" in page
    assert "2 at supplier, oldest 12 days" in page
    assert f"Supplier return {done.pk} " in " ".join(rows(page))
    assert "All 2 resolved" in page


def test_the_type_filter_offers_and_filters_the_three_kinds(
    viewer_client, supplier, main_street, harbour, product
):
    order_of(supplier, main_street, product, reference="REF-ORDER")
    transfer = transfer_of(main_street, harbour, product)
    return_of(supplier, main_street, product, reference="REF-RETURN")

    def shown(**query):
        text = " ".join(rows(viewer_client.get(LIST_URL, query).content.decode()))
        found = {ref for ref in ("REF-ORDER", "REF-RETURN") if ref in text}
        return found | ({"transfer"} if f"Transfer {transfer.pk}" in text else set())

    page = viewer_client.get(LIST_URL).content.decode()
    assert re.search(r'<label\s+for="id_type"[^>]*>\s*Type\s*</label>', page)
    for value, label in (
        ("stock_order", "Stock order"),
        ("transfer", "Transfer"),
        ("supplier_return", "Supplier return"),
    ):
        assert f'<option value="{value}">{label}</option>' in page
    assert [value for value, _label in STOCK_DOCUMENT_TYPES] == [
        "stock_order",
        "transfer",
        "supplier_return",
    ]
    assert shown() == {"REF-ORDER", "REF-RETURN", "transfer"}
    assert shown(type="stock_order") == {"REF-ORDER"}
    assert shown(type="transfer") == {"transfer"}
    assert shown(type="supplier_return") == {"REF-RETURN"}
    assert shown(type="count") == set()


def test_status_outlet_supplier_and_dates_filter_every_kind(
    viewer_client, supplier, main_street, harbour, product
):
    beans = SupplierFactory(name="Beans Ltd")
    airport = OutletFactory(name="Airport")
    order_of(supplier, main_street, product, reference="ORDER-MAIN")
    late = order_of(beans, airport, product, reference="ORDER-AIRPORT")
    StockOrder.objects.filter(pk=late.pk).update(status="received")
    sent = transfer_of(main_street, harbour, product)
    arrived = transfer_of(harbour, airport, product, received=2, status=TransferStatus.RECEIVED)
    return_of(beans, harbour, product, reference="RETURN-HARBOUR")
    old = return_of(supplier, main_street, product, reference="RETURN-OLD")
    SupplierReturn.objects.filter(pk=old.pk).update(created_at="2026-01-10T12:00:00Z")

    names = {
        "ORDER-MAIN": "ORDER-MAIN",
        "ORDER-AIRPORT": "ORDER-AIRPORT",
        "RETURN-HARBOUR": "RETURN-HARBOUR",
        "RETURN-OLD": "RETURN-OLD",
        "sent": f"Transfer {sent.pk} ",
        "arrived": f"Transfer {arrived.pk} ",
    }

    def shown(**query):
        response = viewer_client.get(LIST_URL, query)
        assert response.status_code == 200
        text = " ".join(rows(response.content.decode())) + " "
        return {name for name, needle in names.items() if needle in text}

    assert shown() == set(names)
    # A status two kinds share filters both; one only a kind has filters that kind.
    assert shown(status="received") == {"ORDER-AIRPORT", "arrived"}
    assert shown(status="in_transit") == {"sent"}
    assert shown(status="at_supplier") == {"RETURN-HARBOUR", "RETURN-OLD"}
    assert shown(status="open") == {"ORDER-MAIN"}
    # Outlet: where an order is delivered, either end of a transfer, where a return left.
    assert shown(outlet=str(harbour.pk)) == {"sent", "arrived", "RETURN-HARBOUR"}
    assert shown(outlet=str(airport.pk)) == {"ORDER-AIRPORT", "arrived"}
    # Supplier: transfers have none.
    assert shown(supplier=str(beans.pk)) == {"ORDER-AIRPORT", "RETURN-HARBOUR"}
    assert shown(supplier=str(beans.pk), type="transfer") == set()
    assert shown(created_to="31/01/2026") == {"RETURN-OLD"}
    assert shown(created_from="01/02/2026") == set(names) - {"RETURN-OLD"}
    assert shown(type="stock_order", status="at_supplier") == set()
    assert shown(status="nonsense") == set()


def test_overdue_keeps_transfers_not_received_after_the_set_days(
    viewer_client, settings, supplier, main_street, harbour, product
):
    settings.SERIALDESK_TRANSFER_OVERDUE_DAYS = 3
    order = order_of(supplier, main_street, product)
    StockOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=9))
    fresh = transfer_of(main_street, harbour, product, days_ago=2)
    late = transfer_of(main_street, harbour, product, days_ago=4)
    partly = transfer_of(
        harbour,
        main_street,
        product,
        received=1,
        days_ago=5,
        status=TransferStatus.PARTLY_RECEIVED,
    )
    done = transfer_of(
        main_street, harbour, product, received=2, days_ago=8, status=TransferStatus.RECEIVED
    )
    page = viewer_client.get(LIST_URL, {"overdue": "1"}).content.decode()
    text = " ".join(rows(page)) + " "
    assert f"Transfer {late.pk} " in text
    assert f"Transfer {partly.pk} " in text
    assert f"Transfer {fresh.pk} " not in text
    assert f"Transfer {done.pk} " not in text
    assert f"Stock order {order.pk} " not in text
    assert text.count(" Overdue ") == 2
    # The box is ticked on the page it filtered; the Dashboard's link asks the same.
    assert re.search(r'<input type="checkbox" name="overdue"[^>]* checked', page)
    dashboard_link = viewer_client.get(LIST_URL, {"type": "transfer", "overdue": "1"})
    assert " ".join(rows(dashboard_link.content.decode())).count(" Overdue ") == 2
    # Without the filter every transfer is listed, the late ones marked Overdue.
    everything = " ".join(rows(viewer_client.get(LIST_URL).content.decode())) + " "
    assert f"Transfer {fresh.pk} " in everything and f"Transfer {done.pk} " in everything
    assert everything.count(" Overdue ") == 2
    settings.SERIALDESK_TRANSFER_OVERDUE_DAYS = 10
    assert "Overdue" not in " ".join(rows(viewer_client.get(LIST_URL).content.decode()))


def test_the_list_pages_the_documents_without_repeating_one(
    viewer_client, settings, supplier, main_street, harbour, product
):
    settings.SERIALDESK_PAGE_SIZE = 4
    at = timezone.now()
    made = []
    for i in range(3):
        # The three kinds at the very same moment: the sort's last keys decide.
        order = order_of(supplier, main_street, product)
        StockOrder.objects.filter(pk=order.pk).update(created_at=at - timedelta(hours=i))
        transfer = transfer_of(main_street, harbour, product)
        Transfer.objects.filter(pk=transfer.pk).update(created_at=at - timedelta(hours=i))
        supplier_return = return_of(supplier, main_street, product)
        SupplierReturn.objects.filter(pk=supplier_return.pk).update(
            created_at=at - timedelta(hours=i)
        )
        made += [str(order), str(transfer), str(supplier_return)]
    seen = []
    for number in (1, 2, 3):
        page = viewer_client.get(LIST_URL, {"page": number}).content.decode()
        seen += [re.match(r"(\S+ (?:order|return)? ?\d+|Transfer \d+)", r)[1] for r in rows(page)]
    assert len(seen) == 9
    assert sorted(seen) == sorted(made)
    assert viewer_client.get(LIST_URL, {"page": 4}).status_code == 404


def test_the_lists_queries_do_not_grow_with_its_rows(
    viewer_client, supplier, main_street, harbour, product
):
    order_of(supplier, main_street, product)
    transfer_of(main_street, harbour, product)
    return_of(supplier, main_street, product)
    with CaptureQueriesContext(connection) as one:
        assert viewer_client.get(LIST_URL).status_code == 200
    for _i in range(12):
        order_of(SupplierFactory(), harbour, ProductFactory())
        transfer_of(harbour, main_street, product, received=1)
        return_of(supplier, harbour, product, outcomes=("", SupplierReturnOutcome.CREDITED))
    with CaptureQueriesContext(connection) as many:
        response = viewer_client.get(LIST_URL)
    assert len(rows(response.content.decode())) == 39
    assert len(many) == len(one)


def test_a_user_sees_only_the_kinds_they_may_view(client, supplier, main_street, harbour, product):
    order_of(supplier, main_street, product, reference="REF-ORDER")
    transfer = transfer_of(main_street, harbour, product)
    client.force_login(user_with("view_transfer"))
    response = client.get(LIST_URL)
    assert response.status_code == 200
    text = " ".join(rows(response.content.decode()))
    assert f"Transfer {transfer.pk}" in text
    assert "REF-ORDER" not in text
    assert client.get(LIST_URL, {"type": "stock_order"}).status_code == 200


def test_a_user_who_may_view_none_of_them_is_refused(client):
    client.force_login(user_with("view_stocklevel"))
    assert client.get(LIST_URL).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_get_transfer_stock_and_managers_every_button(staff_client, client, manager_user):
    page = staff_client.get(LIST_URL).content.decode()
    assert f'action="{reverse("inventory:transfer_create")}"' in page
    assert ">Transfer stock</button>" in page
    assert "Return stock" not in page
    assert "Order stock" not in page
    client.force_login(manager_user)
    page = client.get(LIST_URL).content.decode()
    for url, label in (
        ("inventory:stock_order_create", "Order stock"),
        ("inventory:transfer_create", "Transfer stock"),
        ("inventory:supplier_return_create", "Return stock"),
    ):
        assert f'<form method="get" action="{reverse(url)}"' in page
        assert f">{label}</button>" in page


def test_the_list_says_when_nothing_matches(viewer_client):
    page = viewer_client.get(LIST_URL).content.decode()
    assert "No stock orders, transfers or supplier returns yet." in page
    page = viewer_client.get(LIST_URL, {"status": "received"}).content.decode()
    assert "No stock orders, transfers or supplier returns match these filters." in page


@pytest.mark.parametrize(
    "query",
    [
        {"overdue": "x" * 3000},
        {"overdue": "١"},
        {"type": "x" * 3000},
        {"type": "stock_order", "supplier": "-1"},
        {"status": "in_transit", "supplier": "99999999999999999999"},
    ],
)
def test_hostile_filters_answer_a_page_never_an_error(
    viewer_client, main_street, harbour, product, query
):
    transfer_of(main_street, harbour, product, days_ago=10)
    assert viewer_client.get(LIST_URL, query).status_code == 200


def test_the_selector_sorts_newest_first_and_ends_in_a_unique_key(
    supplier, main_street, harbour, product
):
    at = timezone.now()
    order = order_of(supplier, main_street, product)
    transfer = transfer_of(main_street, harbour, product)
    StockOrder.objects.filter(pk=order.pk).update(created_at=at)
    Transfer.objects.filter(pk=transfer.pk).update(created_at=at)
    older = return_of(supplier, main_street, product, days_ago=1)
    listed = [(row["kind"], row["number"]) for row in stock_documents()]
    assert listed == [
        ("stock_order", order.pk),
        ("transfer", transfer.pk),
        ("supplier_return", older.pk),
    ]
    assert stock_documents(kinds=["transfer"]).count() == 1
    assert (
        list(stock_documents(filters=StockDocumentFilters(kind="transfer", supplier_id=1))) == []
    )
