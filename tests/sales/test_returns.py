"""Returns: the Return page, the refusals, the state changes, the lists and the sale's page."""

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialEvent, SerialEventKind, SerialRecord, SerialStatus, StockLevel
from sales.models import Return, ReturnOutcome, ReturnReason, SaleLineSerial
from sales.services import LineInput, return_create, sale_create
from sales.services import returns as returns_service
from tests.concurrency import postgresql_only, run_in_thread, waits_for_a_lock
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PRICE = Decimal("199.00")


@pytest.fixture
def shop():
    product = ProductFactory(name="Barista Pro", sku="BP-1", retail_price=PRICE)
    main = OutletFactory(name="Main Street")
    harbour = OutletFactory(name="Harbour Mall")
    StockLevelFactory(product=product, outlet=main, on_hand=3)
    return {"product": product, "main": main, "harbour": harbour}


def sell(shop, serial="RT-0001", *, customer=None, outlet=None, price=PRICE):
    outlet = outlet or shop["main"]
    unit = SerialRecord.objects.filter(serial=serial).first() or SerialRecordFactory(
        product=shop["product"], outlet=outlet, serial=serial
    )
    sale = sale_create(
        outlet=outlet,
        customer=customer if customer is not None else CustomerFactory(name="Ada Lovelace"),
        lines=[LineInput(product=shop["product"], quantity=1, unit_price=price, serials=[serial])],
        clerk=None,
    )
    unit.refresh_from_db()
    return unit, sale


def on_hand(product, outlet):
    level = StockLevel.objects.filter(product=product, outlet=outlet).first()
    return level.on_hand if level else 0


def give_back(unit, outlet, **kwargs):
    fields = {
        "reason": ReturnReason.UNWANTED,
        "outcome": ReturnOutcome.RESTOCK,
        "refund_amount": PRICE,
        "clerk": None,
    }
    return return_create(serial=unit, outlet=outlet, **(fields | kwargs))


def post_return(client, unit, sale=None, **data):
    url = reverse("sales:return_create", args=[unit.pk])
    if sale is not None:
        url += f"?sale={sale.pk}"
    fields = {
        "reason": "unwanted",
        "outcome": "restock",
        "outlet": unit.outlet_id,
        "refund_amount": "199.00",
        "note": "Changed their mind",
    }
    return client.post(url, fields | data)


# The refusals: a clear message, and nothing changed.


def assert_nothing_changed(unit, events_before):
    stored = SerialRecord.objects.get(pk=unit.pk)
    assert (stored.status, stored.outlet_id) == (unit.status, unit.outlet_id)
    assert SerialEvent.objects.filter(serial=unit).count() == events_before
    assert not Return.objects.exists()


def test_a_unit_not_sold_is_refused(shop):
    unit = SerialRecordFactory(product=shop["product"], outlet=shop["main"], serial="NEW-1")

    with pytest.raises(ValidationError) as refused:
        give_back(unit, shop["main"])

    assert refused.value.code == "not_sold"
    assert refused.value.messages == ["“NEW-1” was not sold, so it cannot be returned."]
    assert_nothing_changed(unit, 0)
    assert on_hand(shop["product"], shop["main"]) == 3


def test_the_return_page_shows_the_refusal_of_a_unit_not_sold(staff_client, shop):
    unit = SerialRecordFactory(product=shop["product"], outlet=shop["main"], serial="NEW-1")

    response = post_return(staff_client, unit, note="Kept note")

    assert response.status_code == 200
    html = response.content.decode()
    assert "“NEW-1” was not sold, so it cannot be returned." in html
    assert "Kept note" in html
    assert_nothing_changed(unit, 0)


def test_a_unit_already_returned_from_that_sale_is_refused(staff_client, shop):
    unit, sale = sell(shop)
    give_back(unit, shop["main"])
    unit.refresh_from_db()
    events = SerialEvent.objects.filter(serial=unit).count()

    response = post_return(staff_client, unit, sale=sale)

    assert response.status_code == 200
    assert f"“RT-0001” was already returned from Sale {sale.pk}." in response.content.decode()
    assert Return.objects.count() == 1
    assert SerialEvent.objects.filter(serial=unit).count() == events
    assert on_hand(shop["product"], shop["main"]) == 3


@pytest.mark.parametrize(
    ("refund", "message"),
    [
        ("199.01", "The refund cannot be more than the 199.00 paid for this unit."),
        ("-1.00", "The refund cannot be negative."),
    ],
)
def test_a_refund_above_the_price_or_below_zero_is_refused_on_its_field(
    staff_client, shop, refund, message
):
    unit, _sale = sell(shop)
    events = SerialEvent.objects.filter(serial=unit).count()

    response = post_return(staff_client, unit, refund_amount=refund)

    assert response.status_code == 200
    field = response.context["form"]["refund_amount"]
    assert field.errors == [message]
    assert field.value() == refund
    assert message in response.content.decode()
    assert_nothing_changed(unit, events)


def test_an_inactive_outlet_is_refused(shop):
    unit, _sale = sell(shop)
    closed = OutletFactory(name="Old Town", is_active=False)
    events = SerialEvent.objects.filter(serial=unit).count()

    with pytest.raises(ValidationError) as refused:
        give_back(unit, closed)

    assert refused.value.message_dict == {"outlet": ["The outlet Old Town is inactive."]}
    assert_nothing_changed(unit, events)


def test_the_return_page_offers_only_active_outlets(staff_client, shop):
    unit, _sale = sell(shop)
    closed = OutletFactory(name="Old Town", is_active=False)

    response = post_return(staff_client, unit, outlet=closed.pk)

    assert response.status_code == 200
    assert response.context["form"]["outlet"].errors == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Return.objects.exists()


# The state changes.


def test_restock_puts_the_unit_in_stock_at_the_chosen_outlet(staff_client, shop):
    unit, sale = sell(shop, customer=CustomerFactory(name="Ada Lovelace"))
    assert on_hand(shop["product"], shop["main"]) == 2

    response = post_return(staff_client, unit, outlet=shop["harbour"].pk, refund_amount="150.00")

    assert response.status_code == 302
    assert response["Location"] == unit.get_absolute_url()
    unit.refresh_from_db()
    assert (unit.status, unit.outlet) == (SerialStatus.IN_STOCK, shop["harbour"])
    assert on_hand(shop["product"], shop["harbour"]) == 1
    assert on_hand(shop["product"], shop["main"]) == 2
    returned = Return.objects.get()
    assert (returned.sale, returned.customer) == (sale, sale.customer)
    assert returned.refund_amount == Decimal("150.00")
    assert returned.note == "Changed their mind"
    assert returned.clerk.username == "sam"
    assert SaleLineSerial.objects.get(serial=unit).returned_at == returned.created_at
    page = staff_client.get(response["Location"])
    assert "Return recorded." in page.content.decode()
    assert "In stock" in page.content.decode()


def test_faulty_makes_the_unit_faulty_and_leaves_stock_as_it_was(staff_client, shop):
    unit, _sale = sell(shop)

    response = post_return(staff_client, unit, reason="faulty", outcome="faulty")

    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.status == SerialStatus.FAULTY
    assert on_hand(shop["product"], shop["main"]) == 2
    event = SerialEvent.objects.filter(serial=unit).latest("created_at", "id")
    assert (event.kind, event.document) == (SerialEventKind.RETURNED, Return.objects.get())


def test_the_return_page_shows_the_unit_its_sale_customer_and_price(staff_client, shop):
    unit, sale = sell(shop, customer=CustomerFactory(name="Ada Lovelace"), outlet=shop["harbour"])

    response = staff_client.get(reverse("sales:return_create", args=[unit.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<h1[^>]*>Return <span[^>]*>RT-0001</span></h1>", html)
    assert f'<a href="{sale.get_absolute_url()}">Sale {sale.pk}</a>' in html
    assert "Ada Lovelace" in html
    assert "199.00" in html
    form = response.context["form"]
    assert form["outlet"].value() == shop["harbour"].pk
    assert form["refund_amount"].value() == PRICE
    assert [label for _value, label in form.fields["reason"].choices] == [
        "Unwanted purchase",
        "Faulty",
        "Other",
    ]
    assert [label for _value, label in form.fields["outcome"].choices] == ["Restock", "Faulty"]


def test_a_return_from_the_sale_page_goes_back_to_the_sale_and_is_listed_there(staff_client, shop):
    unit, sale = sell(shop)
    page = staff_client.get(sale.get_absolute_url())
    return_url = f"{reverse('sales:return_create', args=[unit.pk])}?sale={sale.pk}"
    assert page.status_code == 200
    assert f'href="{return_url}"' in page.content.decode()

    response = post_return(staff_client, unit, sale=sale, refund_amount="120.00")

    assert response.status_code == 302
    assert response["Location"] == sale.get_absolute_url()
    page = staff_client.get(sale.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    returns = html.split("<h2", 2)[2]
    assert "Unwanted purchase" in returns
    assert "Restock" in returns
    assert "120.00" in returns
    assert "sam" in returns
    assert f'href="{Return.objects.get().get_absolute_url()}"' in returns
    assert f'href="{return_url}"' not in html


def test_a_restocked_unit_can_be_sold_again_and_its_history_tells_it_in_order(staff_client, shop):
    unit, first = sell(shop, customer=CustomerFactory(name="Ada Lovelace"))
    returned = give_back(unit, shop["main"])
    unit, second = sell(shop, customer=CustomerFactory(name="Grace Hopper"))

    assert unit.status == SerialStatus.SOLD
    events = list(
        SerialEvent.objects.filter(serial=unit)
        .exclude(document_id=None)
        .order_by("created_at", "id")
    )
    assert [(e.kind, e.document) for e in events] == [
        (SerialEventKind.SOLD, first),
        (SerialEventKind.RETURNED, returned),
        (SerialEventKind.SOLD, second),
    ]
    page = staff_client.get(unit.get_absolute_url())
    assert page.status_code == 200
    assert page.context["history"][:3] == events[::-1]


def test_a_resold_unit_can_be_returned_from_its_new_sale(shop):
    unit, _first = sell(shop)
    give_back(unit, shop["main"])
    unit, second = sell(shop)

    returned = give_back(unit, shop["main"], outcome=ReturnOutcome.FAULTY)

    assert returned.sale == second
    unit.refresh_from_db()
    assert unit.status == SerialStatus.FAULTY


# The serial page's buttons.


def test_a_sold_units_page_has_return_and_open_warranty_claim(staff_client, shop):
    unit, _sale = sell(shop)

    response = staff_client.get(unit.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    return_url = reverse("sales:return_create", args=[unit.pk])
    claim_url = reverse("sales:claim_create", args=[unit.pk])
    assert re.search(rf'action="{return_url}"[^>]*><button[^>]*>Return</button>', html)
    assert re.search(rf'action="{claim_url}"[^>]*><button[^>]*>Open warranty claim</button>', html)


def test_a_unit_in_stock_has_neither_button(staff_client, shop):
    unit, _sale = sell(shop)
    give_back(unit, shop["main"])

    response = staff_client.get(unit.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Serial number" in html
    assert reverse("sales:return_create", args=[unit.pk]) not in html
    assert reverse("sales:claim_create", args=[unit.pk]) not in html


def test_a_user_without_the_permissions_sees_neither_button(client, shop):
    unit, _sale = sell(shop)
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_serialrecord"))
    client.force_login(viewer)

    response = client.get(unit.get_absolute_url())

    assert response.status_code == 200
    assert "RT-0001" in response.content.decode()
    assert reverse("sales:return_create", args=[unit.pk]) not in response.content.decode()


# Permissions.


def test_an_anonymous_visitor_is_sent_to_log_in(client, shop):
    unit, _sale = sell(shop)
    for url in (
        reverse("sales:return_create", args=[unit.pk]),
        reverse("sales:return_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_user_without_add_return_is_refused(client, shop):
    unit, _sale = sell(shop)
    client.force_login(UserFactory(username="viewer"))

    response = post_return(client, unit)

    assert response.status_code == 403
    assert client.get(reverse("sales:return_list")).status_code == 403
    assert not Return.objects.exists()


def test_other_methods_are_not_allowed(staff_client, shop):
    unit, _sale = sell(shop)

    response = staff_client.put(reverse("sales:return_create", args=[unit.pk]))

    assert response.status_code == 405
    assert not Return.objects.exists()


# Sales > Returns.


@pytest.fixture
def returns(shop):
    ada = CustomerFactory(name="Ada Lovelace")
    a, _sale = sell(shop, "RT-A", customer=ada)
    b, _sale = sell(shop, "RT-B", customer=ada)
    c, _sale = sell(shop, "RT-C", customer=ada)
    first = give_back(a, shop["main"])
    second = give_back(b, shop["harbour"], reason=ReturnReason.FAULTY, outcome="faulty")
    third = give_back(c, shop["main"], reason=ReturnReason.OTHER)
    Return.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=5))
    return first, second, third


def listed(client, **params):
    response = client.get(reverse("sales:return_list"), params)
    assert response.status_code == 200
    return [r.serial.serial for r in response.context["object_list"]]


def test_the_returns_list_filters(staff_client, shop, returns):
    today = timezone.localdate()

    assert listed(staff_client) == ["RT-C", "RT-B", "RT-A"]
    assert listed(staff_client, outlet=shop["harbour"].pk) == ["RT-B"]
    assert listed(staff_client, reason="other") == ["RT-C"]
    assert listed(staff_client, outcome="restock") == ["RT-C", "RT-A"]
    assert listed(staff_client, date_from=today.isoformat()) == ["RT-C", "RT-B"]
    assert listed(staff_client, date_to=(today - timedelta(days=1)).isoformat()) == ["RT-A"]
    assert listed(staff_client, serial="  rt-b ") == ["RT-B"]
    assert listed(staff_client, serial="RT") == []


def test_the_returns_list_shows_its_columns_and_links(staff_client, returns):
    first = returns[0]

    response = staff_client.get(reverse("sales:return_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 returns" in html
    assert f'href="{first.get_absolute_url()}"' in html
    assert f'href="{first.sale.get_absolute_url()}"' in html
    detail = staff_client.get(first.get_absolute_url())
    assert detail.status_code == 200
    assert "Unwanted purchase" in detail.content.decode()


def test_the_returns_list_is_menu_item_returns_under_sales(staff_client):
    response = staff_client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a class="dropdown-item" href="{reverse("sales:return_list")}">Returns</a>' in html


def test_the_returns_lists_query_count_does_not_grow_with_rows(staff_client, shop):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("sales:return_list")).status_code == 200
        return len(queries)

    for n in range(2):
        unit, _sale = sell(shop, f"Q-{n}")
        give_back(unit, shop["main"])
    with_two = count_queries()
    for n in range(2, 30):
        unit, _sale = sell(shop, f"Q-{n}")
        give_back(unit, shop["main"])
    assert count_queries() == with_two


def test_the_sale_pages_query_count_does_not_grow_with_returns(staff_client, shop):
    customer = CustomerFactory()
    serials = [f"S-{n}" for n in range(10)]
    for serial in serials:
        SerialRecordFactory(product=shop["product"], outlet=shop["main"], serial=serial)
    sale = sale_create(
        outlet=shop["main"],
        customer=customer,
        lines=[LineInput(product=shop["product"], quantity=10, serials=serials)],
        clerk=None,
    )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(sale.get_absolute_url()).status_code == 200
        return len(queries)

    for unit in SerialRecord.objects.filter(serial__in=serials[:2]):
        give_back(unit, shop["main"], sale=sale)
    with_two = count_queries()
    for unit in SerialRecord.objects.filter(serial__in=serials[2:]):
        give_back(unit, shop["main"], sale=sale)
    assert count_queries() == with_two


# Two clerks at once (PostgreSQL: SQLite cannot show locking bugs).

TIMEOUT = 20


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_clerks_returning_the_same_unit_at_once_make_one_return(shop, monkeypatch):
    unit, sale = sell(shop)
    clerks = [UserFactory(username="sam"), UserFactory(username="kim")]
    # The first clerk holds the unit, its return written, until the second is
    # seen waiting for the lock: the second then reads what the first wrote.
    first_in, let_go = threading.Event(), threading.Event()
    change = returns_service.serials_change

    def change_then_hold(**kwargs):
        result = change(**kwargs)
        if not first_in.is_set():
            first_in.set()
            let_go.wait(timeout=TIMEOUT)
        return result

    monkeypatch.setattr(returns_service, "serials_change", change_then_hold)
    results: list = []
    first = run_in_thread(lambda: give_back(unit, shop["main"], clerk=clerks[0]), results)
    assert first_in.wait(timeout=TIMEOUT)
    second = run_in_thread(lambda: give_back(unit, shop["main"], clerk=clerks[1]), results)
    waited = waits_for_a_lock(timeout=TIMEOUT)
    let_go.set()
    for thread in (first, second):
        thread.join(timeout=TIMEOUT)

    assert not any(thread.is_alive() for thread in (first, second)), "a return did not finish"
    assert waited, "the second clerk did not wait for the first"
    assert len(results) == 2, results
    returned, refused = results
    assert isinstance(returned, Return)
    assert isinstance(refused, ValidationError)
    assert refused.messages == [f"“RT-0001” was already returned from Sale {sale.pk}."]
    assert Return.objects.get().clerk == clerks[0]
    assert on_hand(shop["product"], shop["main"]) == 3
    assert SerialEvent.objects.filter(serial=unit, kind=SerialEventKind.RETURNED).count() == 1
