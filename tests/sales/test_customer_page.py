"""A customer's page: the units they own with warranty state, their returns and claims."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lib.dates import date_display
from sales.selectors import warranty_until
from sales.services import LineInput, claim_open, claim_update, return_create, sale_create
from tests.factories import CustomerFactory, OutletFactory, ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db


def sell(customer, *, serial, days_ago=0, warranty_months=12, price="100.00"):
    product = ProductFactory(warranty_months=warranty_months)
    unit = SerialRecordFactory(product=product, serial=serial)
    sale = sale_create(
        outlet=unit.outlet,
        customer=customer,
        lines=[
            LineInput(product=product, quantity=1, unit_price=Decimal(price), serials=[serial])
        ],
        clerk=None,
        at=timezone.now() - timedelta(days=days_ago),
    )
    return unit, sale


def table(html, heading):
    """The rows of the table under `heading`, each as its cells' text."""
    section = html.split(f">{heading}</h2>", 1)[1].split("</table>", 1)[0]
    body = section.split("<tbody>", 1)[1]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", "", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def until(sale, months):
    return date_display(warranty_until(sold_at=sale.created_at, months=months))


def test_the_units_a_customer_owns_show_their_warranty_state(staff_client):
    alice = CustomerFactory(name="Alice Martin")
    fresh, fresh_sale = sell(alice, serial="NEW-1", days_ago=10, warranty_months=12)
    old, old_sale = sell(alice, serial="OLD-1", days_ago=400, warranty_months=12)
    sell(CustomerFactory(name="Someone else"), serial="OTHER-1")

    response = staff_client.get(alice.get_absolute_url())

    assert response.status_code == 200
    rows = table(response.content.decode(), "Units owned")
    assert [row[0] for row in rows] == ["NEW-1", "OLD-1"]
    assert rows[0][3] == f"In warranty until {until(fresh_sale, 12)}"
    assert rows[1][3] == f"Warranty expired on {until(old_sale, 12)}"
    assert rows[0][2].startswith(f"Sale {fresh_sale.pk},")


def test_a_returned_unit_is_no_longer_owned_and_its_return_is_listed(staff_client, staff_user):
    alice = CustomerFactory(name="Alice Martin")
    kept, _ = sell(alice, serial="KEPT-1")
    back, _ = sell(alice, serial="BACK-1")
    returned = return_create(
        serial=back,
        reason="unwanted",
        outcome="restock",
        outlet=back.outlet,
        refund_amount=Decimal("80.00"),
        clerk=staff_user,
    )

    response = staff_client.get(alice.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert [row[0] for row in table(html, "Units owned")] == ["KEPT-1"]
    [row] = table(html, "Returns")
    assert row[0] == f"Return {returned.pk}"
    assert row[2].startswith("BACK-1")
    assert row[3:6] == ["Unwanted purchase", "Restock", back.outlet.name]
    assert "80.00" in row[6]
    assert f'<a href="{returned.get_absolute_url()}">Return {returned.pk}</a>' in html


def test_a_customers_claims_are_listed_with_their_status_and_link(staff_client, staff_user):
    alice = CustomerFactory(name="Alice Martin")
    unit, _ = sell(alice, serial="CLAIM-1")
    claim = claim_open(serial=unit, fault_description="Does not start", user=staff_user)
    claim_update(claim=claim, status="in_repair", note="At the bench", user=staff_user)

    response = staff_client.get(alice.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    [row] = table(html, "Warranty claims")
    assert row[0] == f"Warranty claim {claim.pk}"
    assert row[2].startswith("CLAIM-1")
    assert row[3] == "In repair"
    assert f'<a href="{claim.get_absolute_url()}">Warranty claim {claim.pk}</a>' in html


def test_a_customer_with_nothing_yet_sees_empty_sections(staff_client):
    alice = CustomerFactory()

    response = staff_client.get(alice.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "This customer owns no units with serial numbers." in html
    assert "No returns from this customer." in html
    assert "No warranty claims from this customer." in html


@pytest.mark.parametrize("count", [2, 30])
def test_the_customer_page_queries_do_not_grow_with_sales_returns_and_claims(
    staff_client, staff_user, django_assert_num_queries, count
):
    alice = CustomerFactory()
    outlet = OutletFactory()
    product = ProductFactory(warranty_months=12)
    for n in range(count):
        units = [
            SerialRecordFactory(product=product, outlet=outlet, serial=f"U{n}-{k}")
            for k in range(3)
        ]
        sale_create(
            outlet=outlet,
            customer=alice,
            lines=[LineInput(product=product, quantity=3, serials=[u.serial for u in units])],
            clerk=None,
        )
        return_create(
            serial=units[0],
            reason="faulty",
            outcome="faulty",
            outlet=outlet,
            refund_amount=Decimal(0),
            clerk=staff_user,
        )
        claim = claim_open(serial=units[1], fault_description="Broken", user=staff_user)
        claim_update(claim=claim, status="in_repair", note="", user=staff_user)
    staff_client.get(alice.get_absolute_url())

    # Session, user, permissions (2); the customer; sales; units owned; returns;
    # claims.
    with django_assert_num_queries(9):
        response = staff_client.get(alice.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["sales"]) == count
    assert len(response.context["returns"]) == count
    assert len(response.context["claims"]) == count
    # Two of each sale's three units are still owned; the page shows the latest 50.
    assert len(response.context["units"]) == min(count * 2, 50)
