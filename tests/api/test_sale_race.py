"""Two tills calling POST /api/v1/sales/ at the same moment (PostgreSQL).

As in tests/sales/test_sale_races.py, each request runs in its own thread with
its own connection, and where the outcome depends on an interleaving the test
forces the worst one.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import IdempotentRequest
from api.services import api_token_create
from inventory.models import SerialRecord, SerialStatus, StockLevel
from sales.models import Sale, SaleLineSerial
from sales.services import selling
from tests.api.helpers import token_client
from tests.concurrency import hold_after, postgresql_only, run_both, waits_for_a_lock
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

SALES = reverse("api:sale-list")
TIMEOUT = 20


@pytest.fixture
def shop(roles):
    outlet = OutletFactory(name="Main Street")
    product = ProductFactory(name="Barista Pro", sku="BP-1")
    StockLevelFactory(product=product, outlet=outlet, on_hand=5)
    return outlet, product


def sell(api, outlet, product, serials, **headers):
    body = {
        "outlet": outlet.pk,
        "lines": [{"product": product.pk, "quantity": len(serials), "serials": serials}],
    }
    return api.post(SALES, body, format="json", **headers)


@pytest.fixture
def both_checked_before_either_locks(monkeypatch):
    """Hold each sale after its check until both tills have checked."""
    hold_after(monkeypatch, selling, "_plan_units", timeout=TIMEOUT)


def test_two_tills_selling_one_unit_at_once_make_one_sale(shop, both_checked_before_either_locks):
    outlet, product = shop
    unit = SerialRecordFactory(product=product, outlet=outlet, serial="BP-0001")
    tills = [
        token_client(UserFactory(username="till-1", groups=["Staff"])),
        token_client(UserFactory(username="till-2", groups=["Staff"])),
    ]

    results = run_both(
        [lambda till=till: sell(till, outlet, product, ["BP-0001"]) for till in tills]
    )

    assert sorted(response.status_code for response in results) == [201, 409]
    won = next(response for response in results if response.status_code == 201)
    lost = next(response for response in results if response.status_code == 409)
    sale = Sale.objects.get()
    assert won.json()["id"] == sale.pk
    assert lost.json()["errors"] == [
        {
            "code": "already_sold",
            "message": f"“BP-0001” is already sold (Sale {sale.pk}).",
            "field": "lines.0.serials",
            "serial": "BP-0001",
            "sale": sale.pk,
        }
    ]
    assert SaleLineSerial.objects.get().serial == unit
    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD
    assert unit.events.count() == 1
    assert StockLevel.objects.get(product=product, outlet=outlet).on_hand == 4


def test_two_tills_recording_one_new_serial_at_once_make_one_sale(
    shop, both_checked_before_either_locks
):
    outlet, product = shop
    tills = [
        token_client(UserFactory(username="till-1", groups=["Staff"])),
        token_client(UserFactory(username="till-2", groups=["Staff"])),
    ]

    def sell_as_new(till):
        body = {
            "outlet": outlet.pk,
            "record_new": True,
            "lines": [{"product": product.pk, "quantity": 1, "serials": ["NEW-77"]}],
        }
        return lambda: till.post(SALES, body, format="json")

    results = run_both([sell_as_new(till) for till in tills])

    assert sorted(response.status_code for response in results) == [201, 409]
    lost = next(response for response in results if response.status_code == 409)
    sale = Sale.objects.get()
    assert [(e["code"], e["sale"]) for e in lost.json()["errors"]] == [("already_sold", sale.pk)]
    record = SerialRecord.objects.get()
    assert (record.serial, record.status) == ("NEW-77", SerialStatus.SOLD)
    assert SaleLineSerial.objects.get().serial == record


def test_two_copies_of_one_sale_at_once_make_one_sale(shop, monkeypatch):
    """The till sent the sale, timed out, and sent it again while the first still ran."""
    outlet, product = shop
    SerialRecordFactory(product=product, outlet=outlet, serial="BP-0002")
    user = UserFactory(username="till-1", groups=["Staff"])
    _token, key = api_token_create(user=user, created_by=user)
    # One client per request, as two connections of one till would be.
    tills = [APIClient(), APIClient()]
    for till in tills:
        till.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    plan_units = selling._plan_units

    def plan_once_the_copy_waits(**kwargs):
        # Whichever copy got the key first goes on only once the other is
        # waiting for that key: then both really overlap.
        assert waits_for_a_lock(), "the second copy never waited for the key"
        return plan_units(**kwargs)

    monkeypatch.setattr(selling, "_plan_units", plan_once_the_copy_waits)

    results = run_both(
        [
            lambda till=till: sell(
                till, outlet, product, ["BP-0002"], HTTP_IDEMPOTENCY_KEY="till-1-sale-0001"
            )
            for till in tills
        ]
    )

    sale = Sale.objects.get()
    assert [response.status_code for response in results] == [201, 201]
    assert [response.json()["id"] for response in results] == [sale.pk, sale.pk]
    assert sorted("Idempotent-Replayed" in response for response in results) == [False, True]
    assert SaleLineSerial.objects.count() == 1
    assert IdempotentRequest.objects.get().status_code == 201
