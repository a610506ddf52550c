"""Warranty claims: Open warranty claim, a claim's page and its updates, the list."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialEvent, SerialEventKind, SerialStatus
from lib.dates import date_display
from sales.models import ClaimStatus, ClaimUpdate, SaleLineSerial, WarrantyClaim
from sales.services import LineInput, claim_open, claim_update, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("sales:claim_list")


def sell(*, serial="CLM-0001", days_ago=10, warranty_months=12, product=None, outlet=None):
    product = product or ProductFactory(name="Barista Pro", warranty_months=warranty_months)
    outlet = outlet or OutletFactory(name="Main Street")
    unit = SerialRecordFactory(product=product, outlet=outlet, serial=serial)
    sold_at = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days_ago), datetime.min.time())
    ) + timedelta(hours=11)
    sale = sale_create(
        outlet=outlet,
        customer=CustomerFactory(name="Alice Martin"),
        lines=[LineInput(product=product, quantity=1, serials=[unit.serial])],
        clerk=None,
        at=sold_at,
    )
    unit.refresh_from_db()
    return unit, sale


def open_url(unit):
    return reverse("sales:claim_create", args=[unit.pk])


def open_claim(unit, user=None):
    return claim_open(serial=unit, fault_description="Does not heat up", user=user)


# Open warranty claim ------------------------------------------------------------


def test_the_open_page_shows_the_unit_its_sale_customer_and_warranty(staff_client):
    unit, sale = sell(days_ago=10)

    response = staff_client.get(open_url(unit))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Open warranty claim</h1>" in html
    assert "Barista Pro" in html
    assert f'<a href="{sale.get_absolute_url()}">Sale {sale.pk}</a>' in html
    assert f'<a href="{sale.customer.get_absolute_url()}">Alice Martin</a>' in html
    until = sale.created_at.date().replace(year=sale.created_at.year + 1)
    assert f"In warranty until {date_display(until)}" in html
    assert "Fault description" in html
    assert ">Open claim</button>" in html


def test_a_claim_in_warranty_opens_and_shows_its_page(staff_client, staff_user):
    unit, sale = sell(days_ago=10)

    response = staff_client.post(
        open_url(unit), {"fault_description": "Does not heat up"}, follow=True
    )

    claim = WarrantyClaim.objects.get()
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == claim.get_absolute_url()
    assert f"Warranty claim {claim.pk} opened." in html
    assert f"Warranty claim {claim.pk}</h1>" in html
    assert (claim.serial, claim.sale, claim.customer) == (unit, sale, sale.customer)
    assert claim.opened_by == staff_user
    assert claim.status == ClaimStatus.OPEN
    assert not claim.warranty_expired
    assert "Does not heat up" in html


def test_an_expired_warranty_is_a_warning_the_clerk_confirms(staff_client):
    unit, sale = sell(days_ago=400, warranty_months=12)

    warned = staff_client.post(open_url(unit), {"fault_description": "Cracked case"})

    html = warned.content.decode()
    assert warned.status_code == 200
    assert "The warranty expired on" in html
    assert "Open the claim although the warranty has expired" in html
    assert warned.context["form"]["fault_description"].value() == "Cracked case"
    assert not WarrantyClaim.objects.exists()

    confirmed = staff_client.post(
        open_url(unit), {"fault_description": "Cracked case", "confirm_expired": "on"}
    )

    claim = WarrantyClaim.objects.get()
    assert confirmed.status_code == 302
    assert claim.warranty_expired
    page = staff_client.get(claim.get_absolute_url()).content.decode()
    assert "Warranty expired on" in page


def test_a_unit_not_sold_is_refused_clearly(staff_client):
    unit = SerialRecordFactory(serial="SHELF-1")

    shown = staff_client.get(open_url(unit))
    posted = staff_client.post(open_url(unit), {"fault_description": "Broken"})

    assert shown.status_code == 200
    assert "is not sold to a customer, so no claim can be opened." in shown.content.decode()
    assert posted.status_code == 200
    assert "is not sold to a customer, so no claim can be opened." in posted.content.decode()
    assert not WarrantyClaim.objects.exists()


def test_an_empty_fault_description_is_refused(staff_client):
    unit, _ = sell()

    response = staff_client.post(open_url(unit), {"fault_description": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["fault_description"]
    assert not WarrantyClaim.objects.exists()


# Updating a claim ----------------------------------------------------------------


def test_each_status_change_is_kept_and_is_an_event_on_the_serial(staff_client, staff_user):
    unit, _ = sell()
    claim = open_claim(unit)

    response = staff_client.post(
        claim.get_absolute_url(), {"status": ClaimStatus.IN_REPAIR, "note": "Sent to workshop"}
    )

    assert response.status_code == 302
    update = ClaimUpdate.objects.filter(claim=claim).order_by("-created_at", "-id").first()
    assert (update.from_status, update.to_status, update.note, update.user) == (
        ClaimStatus.OPEN,
        ClaimStatus.IN_REPAIR,
        "Sent to workshop",
        staff_user,
    )
    assert update.created_at is not None
    event = SerialEvent.objects.filter(serial=unit, kind=SerialEventKind.CLAIM_UPDATED).get()
    assert event.document == claim
    assert "Sent to workshop" in event.note
    page = staff_client.get(claim.get_absolute_url()).content.decode()
    assert "Open → In repair" in page
    assert "Sent to workshop" in page
    assert "sam" in page
    history = staff_client.get(unit.get_absolute_url()).content.decode()
    assert "Warranty claim updated" in history


def test_a_closed_claim_refuses_updates_and_shows_no_form(staff_client):
    unit, _ = sell()
    claim = open_claim(unit)
    claim_update(claim=claim, status=ClaimStatus.REJECTED, note="Water damage", user=None)

    page = staff_client.get(claim.get_absolute_url())
    posted = staff_client.post(
        claim.get_absolute_url(), {"status": ClaimStatus.IN_REPAIR, "note": "Try again"}
    )

    assert page.status_code == 200
    assert "Rejected" in page.content.decode()
    assert ">Update claim</button>" not in page.content.decode()
    assert posted.status_code == 200
    assert "This claim is closed (Rejected)." in posted.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED


def test_resolved_replaced_sells_the_replacement_free_to_the_same_customer(staff_client):
    unit, sale = sell()
    claim = open_claim(unit)
    harbour = OutletFactory(name="Harbour")
    spare = SerialRecordFactory(product=unit.product, outlet=harbour, serial="SPARE-7")

    response = staff_client.post(
        claim.get_absolute_url(),
        {
            "status": ClaimStatus.RESOLVED_REPLACED,
            "note": "Swapped",
            "replacement_serial": " spare-7 ",
        },
        follow=True,
    )

    claim.refresh_from_db()
    spare.refresh_from_db()
    unit.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert claim.status == ClaimStatus.RESOLVED_REPLACED
    assert claim.replacement_serial == spare
    replacement_sale = claim.replacement_sale
    assert replacement_sale.customer == sale.customer
    assert replacement_sale.total == 0
    assert [line.unit_price for line in replacement_sale.lines.all()] == [0]
    assert spare.status == SerialStatus.SOLD
    assert unit.status == SerialStatus.FAULTY
    assert SaleLineSerial.objects.get(serial=unit).returned_at is not None
    assert f'<a href="{spare.get_absolute_url()}">SPARE-7</a>' in html
    assert (
        f'<a href="{replacement_sale.get_absolute_url()}">Sale {replacement_sale.pk}</a>' in html
    )
    assert ">Update claim</button>" not in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the replacement serial number."),
        ("NOPE-404", "No In stock unit of Barista Pro has the serial number “NOPE-404”."),
        ("SOLD-2", "“SOLD-2” is Sold, not In stock."),
        ("OTHER-1", "“OTHER-1” is a Grinder, not a Barista Pro."),
        ("CLM-0001", "The replacement must be another unit."),
    ],
)
def test_a_replacement_that_cannot_be_one_is_refused_and_the_input_kept(
    staff_client, typed, message
):
    unit, _ = sell()
    sell(serial="SOLD-2", product=unit.product, outlet=unit.outlet)
    SerialRecordFactory(product=ProductFactory(name="Grinder"), serial="OTHER-1")
    claim = open_claim(unit)

    response = staff_client.post(
        claim.get_absolute_url(),
        {"status": ClaimStatus.RESOLVED_REPLACED, "note": "Swap", "replacement_serial": typed},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert response.context["form"]["replacement_serial"].value() == typed
    assert response.context["form"]["note"].value() == "Swap"
    claim.refresh_from_db()
    unit.refresh_from_db()
    assert (claim.status, claim.replacement_serial) == (ClaimStatus.OPEN, None)
    assert unit.status == SerialStatus.SOLD


def test_a_replacement_serial_with_another_status_is_refused(staff_client):
    unit, _ = sell()
    SerialRecordFactory(product=unit.product, serial="SPARE-1")
    claim = open_claim(unit)

    response = staff_client.post(
        claim.get_absolute_url(),
        {"status": ClaimStatus.IN_REPAIR, "note": "", "replacement_serial": "SPARE-1"},
    )

    assert response.status_code == 200
    assert "A replacement serial is only for Resolved: replaced." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


def test_the_claim_page_queries_do_not_grow_with_updates(staff_client):
    product = ProductFactory()
    outlet = OutletFactory()
    clerk = UserFactory()

    def queries_for(count):
        unit, _ = sell(serial=f"Q-{count}", product=product, outlet=outlet)
        claim = open_claim(unit, user=clerk)
        for i in range(count - 1):
            claim_update(claim=claim, status=ClaimStatus.IN_REPAIR, note=f"note {i}", user=clerk)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(claim.get_absolute_url())
        assert response.status_code == 200
        assert len(response.context["updates"]) == count
        return len(queries)

    assert queries_for(2) == queries_for(30)


# The list ------------------------------------------------------------------------


def test_the_list_filters_by_status_outlet_dates_serial_and_customer(staff_client):
    first, _ = sell(serial="AB-1")
    harbour = OutletFactory(name="Harbour")
    second, sale_2 = sell(serial="CD-2", product=first.product, outlet=harbour)
    sale_2.customer.name = "Ben Okafor"
    sale_2.customer.save()
    claim_1 = open_claim(first)
    claim_2 = open_claim(second)
    claim_update(claim=claim_2, status=ClaimStatus.IN_REPAIR, note="", user=None)
    WarrantyClaim.objects.filter(pk=claim_1.pk).update(
        created_at=timezone.now() - timedelta(days=5)
    )
    today = timezone.localdate()

    def found(**params):
        response = staff_client.get(LIST_URL, params)
        assert response.status_code == 200
        return [claim.pk for claim in response.context["object_list"]]

    assert found() == [claim_2.pk, claim_1.pk]
    assert found(status=ClaimStatus.IN_REPAIR) == [claim_2.pk]
    assert found(outlet=harbour.pk) == [claim_2.pk]
    assert found(opened_from=today.isoformat()) == [claim_2.pk]
    assert found(opened_to=(today - timedelta(days=1)).isoformat()) == [claim_1.pk]
    assert found(serial=" ab-1 ") == [claim_1.pk]
    assert found(serial="AB") == []
    assert found(customer="okafor") == [claim_2.pk]


def test_the_list_links_claims_and_is_in_the_sales_menu(staff_client):
    unit, _ = sell()
    claim = open_claim(unit)

    html = staff_client.get(LIST_URL).content.decode()

    assert f'href="{claim.get_absolute_url()}">Warranty claim {claim.pk}</a>' in html
    assert f'href="{LIST_URL}">Warranty claims</a>' in html


def test_the_list_is_paged_and_its_queries_do_not_grow_with_rows(staff_client, settings):
    settings.SERIALDESK_PAGE_SIZE = 5
    product = ProductFactory()
    outlet = OutletFactory()

    def queries_for(count):
        start = WarrantyClaim.objects.count()
        for i in range(count):
            unit, _ = sell(serial=f"P{start}-{i}", product=product, outlet=outlet)
            open_claim(unit)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(LIST_URL, {"page": 1})
        assert response.status_code == 200
        return len(queries), response

    few, _ = queries_for(2)
    many, response = queries_for(28)
    assert few == many
    assert len(response.context["object_list"]) == 5
    assert response.context["paginator"].count == 30


# Permissions ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    unit, _ = sell()
    claim = open_claim(unit)

    for url in (LIST_URL, open_url(unit), claim.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_user_without_permission_gets_403(client):
    unit, _ = sell()
    claim = open_claim(unit)
    client.force_login(UserFactory())

    assert client.get(LIST_URL).status_code == 403
    assert client.get(open_url(unit)).status_code == 403
    assert client.post(open_url(unit), {"fault_description": "x"}).status_code == 403
    assert client.get(claim.get_absolute_url()).status_code == 403
    assert not WarrantyClaim.objects.exclude(pk=claim.pk).exists()


def test_viewing_without_change_permission_shows_no_form_and_refuses_a_post(client):
    from django.contrib.auth.models import Permission

    unit, _ = sell()
    claim = open_claim(unit)
    viewer = UserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_warrantyclaim"))
    client.force_login(viewer)

    page = client.get(claim.get_absolute_url())
    posted = client.post(claim.get_absolute_url(), {"status": ClaimStatus.REJECTED, "note": "x"})

    assert page.status_code == 200
    assert f"Warranty claim {claim.pk}</h1>" in page.content.decode()
    assert ">Update claim</button>" not in page.content.decode()
    assert posted.status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


def test_a_wrong_method_is_405(staff_client):
    unit, _ = sell()
    claim = open_claim(unit)

    assert staff_client.post(LIST_URL).status_code == 405
    assert staff_client.put(open_url(unit)).status_code == 405
    assert staff_client.delete(claim.get_absolute_url()).status_code == 405
