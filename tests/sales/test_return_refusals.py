"""return_create's refusals by their codes and words, and what a return writes down.

The page tests (test_returns.py) show the words on the form; these hold the codes
API clients read, and the cases the page cannot reach (a unit deleted meanwhile, a
return from a sale the unit has since left and been sold again).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory.models import SerialEvent, SerialEventKind, SerialStatus
from sales.models import Return, ReturnOutcome, ReturnReason
from sales.selectors import serial_last_sale
from sales.services import LineInput, return_create, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PRICE = Decimal("250.00")


@pytest.fixture
def shop():
    return {"product": ProductFactory(retail_price=PRICE), "outlet": OutletFactory()}


def sell(shop, unit):
    return sale_create(
        outlet=shop["outlet"],
        customer=CustomerFactory(),
        lines=[
            LineInput(product=shop["product"], quantity=1, unit_price=PRICE, serials=[unit.serial])
        ],
        clerk=None,
    )


def give_back(shop, unit, **fields):
    values = {
        "reason": ReturnReason.UNWANTED,
        "outcome": ReturnOutcome.RESTOCK,
        "outlet": shop["outlet"],
        "refund_amount": PRICE,
        "clerk": None,
    }
    return return_create(serial=unit, **(values | fields))


def return_and_sell_again(shop, unit):
    """Take `unit` back from its sale and sell it on a new one (returned; `unit` refreshed)."""
    give_back(shop, unit)
    unit.refresh_from_db()
    sale = sell(shop, unit)
    unit.refresh_from_db()
    return sale


@pytest.fixture
def sold(shop):
    unit = SerialRecordFactory(product=shop["product"], outlet=shop["outlet"], serial="RF-1")
    sale = sell(shop, unit)
    unit.refresh_from_db()
    return unit, sale


def refusal(shop, unit, **fields) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        give_back(shop, unit, **fields)
    assert not Return.objects.exists()
    return refused.value


@pytest.mark.parametrize(
    "fields", [{"reason": "bored"}, {"outcome": "keep"}], ids=["reason", "outcome"]
)
def test_an_unknown_reason_or_outcome_is_refused_by_code(shop, sold, fields):
    unit, _sale = sold
    error = refusal(shop, unit, **fields)
    assert (error.code, error.messages) == ("invalid_choice", ["Choose a reason and an outcome."])


def test_a_unit_deleted_meanwhile_is_refused_by_code(shop):
    # A unit ever sold cannot be deleted (its sale link protects it); one never sold can.
    unit = SerialRecordFactory(product=shop["product"], outlet=shop["outlet"])
    type(unit).objects.filter(pk=unit.pk).delete()
    error = refusal(shop, unit)
    assert (error.code, error.messages) == ("not_found", ["This serial number no longer exists."])


@pytest.mark.parametrize(
    ("refund", "code", "message"),
    [
        ("-0.01", "negative_refund", "The refund cannot be negative."),
        (
            "250.01",
            "refund_too_high",
            "The refund cannot be more than the 250.00 paid for this unit.",
        ),
    ],
)
def test_a_refund_out_of_bounds_is_refused_on_its_field_by_code(shop, sold, refund, code, message):
    unit, _sale = sold
    error = refusal(shop, unit, refund_amount=Decimal(refund))
    [field_error] = error.error_dict["refund_amount"]
    assert (field_error.code, field_error.messages) == (code, [message])


def test_the_whole_price_may_be_refunded(shop, sold):
    unit, _sale = sold
    assert give_back(shop, unit, refund_amount=PRICE).refund_amount == PRICE


def test_a_return_from_a_sale_the_unit_has_left_and_been_sold_again_is_refused(shop, sold):
    unit, first = sold
    second = return_and_sell_again(shop, unit)
    assert unit.status == SerialStatus.SOLD

    with pytest.raises(ValidationError) as refused:
        give_back(shop, unit, sale=first)

    assert refused.value.code == "already_returned"
    assert refused.value.messages == [f"“RF-1” was already returned from Sale {first.pk}."]
    assert Return.objects.count() == 1
    assert give_back(shop, unit).sale == second


def test_the_refusal_names_the_latest_sale_the_unit_was_returned_from(shop, sold):
    unit, _first = sold
    second = return_and_sell_again(shop, unit)
    give_back(shop, unit)
    unit.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        give_back(shop, unit)

    assert refused.value.messages == [f"“RF-1” was already returned from Sale {second.pk}."]


def test_a_back_dated_return_dates_its_return_link_and_history_line_by_that_time(shop, sold):
    unit, _sale = sold
    when = timezone.now() - timedelta(days=3)

    returned = give_back(shop, unit, at=when)

    assert returned.created_at == when
    assert returned.unit.returned_at == when
    event = SerialEvent.objects.get(serial=unit, kind=SerialEventKind.RETURNED)
    assert (event.created_at, event.document) == (when, returned)


def test_a_return_without_a_note_keeps_no_note(shop, sold):
    unit, _sale = sold
    returned = give_back(shop, unit)
    event = SerialEvent.objects.get(serial=unit, kind=SerialEventKind.RETURNED)
    assert (returned.note, event.note) == ("", "")


def test_the_last_sale_of_a_unit_returned_twice_is_the_later_one(shop, sold):
    unit, _first = sold
    second = return_and_sell_again(shop, unit)
    give_back(shop, unit)

    last = serial_last_sale(serial=unit)

    assert last is not None
    assert (last.sale, last.is_open) == (second, False)


@pytest.mark.parametrize("refund", ["0.00", "0.50"])
def test_a_refund_of_nothing_or_under_one_is_taken(shop, sold, refund):
    unit, _sale = sold
    assert give_back(shop, unit, refund_amount=Decimal(refund)).refund_amount == Decimal(refund)


def test_an_inactive_outlet_is_refused_on_its_field_by_code(shop, sold):
    unit, _sale = sold
    closed = OutletFactory(name="Old Quay", is_active=False)
    error = refusal(shop, unit, outlet=closed)
    [field_error] = error.error_dict["outlet"]
    assert field_error.code == "outlet_inactive"


def test_the_history_line_of_a_return_names_its_clerk(shop, sold):
    unit, _sale = sold
    clerk = UserFactory(username="rita")
    give_back(shop, unit, clerk=clerk)
    event = SerialEvent.objects.get(serial=unit, kind=SerialEventKind.RETURNED)
    assert event.user == clerk
