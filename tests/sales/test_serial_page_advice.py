"""The serial page's advice on Delete and Write off, for each status, against the
buttons the page actually offers: advice only ever points to an action on the page."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from inventory import services
from inventory.models import SerialRecord, SerialStatus
from sales.models import ReturnOutcome, ReturnReason
from sales.services import LineInput, return_create, sale_create
from tests.factories import OutletFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

RETURN_FIRST = "Sold units cannot be deleted or written off: record a Return first."
WRITE_IT_OFF = "This serial number was sold, so it cannot be deleted. Write it off instead."
KEEPS_HISTORY = "This serial number was sold, so it cannot be deleted; it keeps its history."


@pytest.fixture
def unit():
    product = ProductFactory(name="Nova X12", retail_price=Decimal("899.00"))
    outlet = OutletFactory(name="Main Street")
    services.serials_add(product=product, outlet=outlet, entries=["NX-0001"], user=None)
    return SerialRecord.objects.get(serial="NX-0001")


def sold(unit):
    sale_create(
        outlet=unit.outlet,
        customer=None,
        lines=[LineInput(product=unit.product, quantity=1, serials=[unit.serial])],
        clerk=None,
    )


def returned(unit, outcome=ReturnOutcome.RESTOCK):
    sold(unit)
    return_create(
        serial=unit,
        reason=ReturnReason.FAULTY,
        outcome=outcome,
        outlet=unit.outlet,
        refund_amount=Decimal("0.00"),
        clerk=None,
    )


def buttons(html) -> list[str]:
    """The captions of the controls in the serial page's button row, in order."""
    row = html.split("<h1", 1)[1].split("</div>", 1)[0]
    return re.findall(r'class="btn [^"]*"[^>]*>([^<]+)</(?:a|button)>', row)


def advice(html) -> str:
    """The advice under the button row, as read (tags dropped), or "" when there is none."""
    found = re.search(r'</div>\s*<p class="text-muted small">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


def page(client, unit) -> str:
    response = client.get(unit.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_an_in_stock_unit_never_sold_offers_delete_and_needs_no_advice(manager_client, unit):
    html = page(manager_client, unit)

    assert buttons(html) == [
        "Edit",
        "Transfer",
        "Mark faulty",
        "Write off",
        "Print labels",
        "Delete",
    ]
    assert advice(html) == ""


def test_a_sold_unit_says_to_record_a_return_first_and_links_to_it(manager_client, unit):
    sold(unit)

    html = page(manager_client, unit)

    assert buttons(html) == ["Edit", "Return", "Open warranty claim", "Print labels"]
    assert advice(html) == RETURN_FIRST
    return_url = reverse("sales:return_create", args=[unit.pk])
    assert f'<a href="{return_url}">record a Return</a>' in html
    assert manager_client.get(return_url).status_code == 200


def test_a_sold_unit_returned_as_the_advice_says_can_be_written_off(manager_client, unit):
    sold(unit)
    assert advice(page(manager_client, unit)) == RETURN_FIRST

    response = manager_client.post(
        reverse("sales:return_create", args=[unit.pk]),
        {
            "reason": ReturnReason.FAULTY,
            "outcome": ReturnOutcome.FAULTY,
            "outlet": unit.outlet_id,
            "refund_amount": "0.00",
            "note": "",
        },
    )

    assert response.status_code == 302
    html = page(manager_client, unit)
    assert "Write off" in buttons(html)
    assert advice(html) == WRITE_IT_OFF


def test_a_sold_unit_without_return_permission_gets_no_link_it_cannot_follow(client, unit):
    sold(unit)
    user = UserFactory(username="wendy")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_serialrecord", "writeoff_serialrecord", "delete_serialrecord"]
        )
    )
    client.force_login(user)

    html = page(client, unit)

    assert buttons(html) == ["Print labels"]
    assert advice(html) == "Sold units cannot be deleted or written off until they are returned."
    assert reverse("sales:return_create", args=[unit.pk]) not in html


def test_a_unit_sold_and_restocked_says_to_write_it_off_and_offers_write_off(manager_client, unit):
    returned(unit)

    html = page(manager_client, unit)

    assert buttons(html) == ["Edit", "Transfer", "Mark faulty", "Write off", "Print labels"]
    assert advice(html) == WRITE_IT_OFF


def test_a_faulty_unit_never_sold_offers_delete_and_needs_no_advice(manager_client, unit):
    services.serial_mark_faulty(serial=unit, note="Dead on arrival", user=None)

    html = page(manager_client, unit)

    assert buttons(html) == [
        "Edit",
        "Transfer",
        "Reinstate",
        "Write off",
        "Print labels",
        "Delete",
    ]
    assert advice(html) == ""


def test_a_faulty_unit_returned_from_a_sale_says_to_write_it_off(manager_client, unit):
    returned(unit, outcome=ReturnOutcome.FAULTY)

    html = page(manager_client, unit)

    assert buttons(html) == ["Edit", "Transfer", "Reinstate", "Write off", "Print labels"]
    assert advice(html) == WRITE_IT_OFF


def test_a_written_off_unit_never_sold_offers_delete_and_needs_no_advice(manager_client, unit):
    services.serial_write_off(serial=unit, reason="Lost", user=None)

    html = page(manager_client, unit)

    assert buttons(html) == ["Edit", "Print labels", "Delete"]
    assert advice(html) == ""


def test_a_written_off_unit_that_was_sold_says_it_keeps_its_history(manager_client, unit):
    returned(unit, outcome=ReturnOutcome.FAULTY)
    services.serial_write_off(
        serial=SerialRecord.objects.get(pk=unit.pk), reason="Scrap", user=None
    )

    html = page(manager_client, unit)

    assert SerialRecord.objects.get(pk=unit.pk).status == SerialStatus.WRITTEN_OFF
    assert buttons(html) == ["Edit", "Print labels"]
    assert advice(html) == KEEPS_HISTORY


def test_staff_who_may_neither_delete_nor_write_off_get_no_advice(staff_client, unit):
    sold(unit)

    html = page(staff_client, unit)

    assert buttons(html) == ["Return", "Open warranty claim", "Print labels"]
    assert advice(html) == ""


def test_the_delete_page_of_a_sold_unit_says_to_return_it_first(manager_client, unit):
    sold(unit)

    response = manager_client.get(reverse("serial_delete", args=[unit.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    warning = re.search(r'<div class="alert alert-warning" role="alert">(.*?)</div>', html)
    assert warning is not None
    assert re.sub(r"<[^>]+>", "", warning.group(1)) == RETURN_FIRST
    return_url = reverse("sales:return_create", args=[unit.pk])
    assert f'<a href="{return_url}">record a Return</a>' in warning.group(1)
    assert ">Delete</button>" not in html
