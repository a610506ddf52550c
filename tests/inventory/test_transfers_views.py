"""Transfer stock, the transfer page and its Receive, as pages: permissions, forms, costs."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import (
    SerialRecord,
    SerialStatus,
    StockLevel,
    Transfer,
    TransferStatus,
)
from inventory.services.transfers import transfer_send
from tests.factories import ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("inventory:transfer_create")
PICK = reverse("inventory:transfer_serial_options")
PRODUCTS = reverse("inventory:transfer_product_options")


def units_at(product, outlet, *serials):
    units = [SerialRecordFactory(product=product, outlet=outlet, serial=s) for s in serials]
    level, _ = StockLevel.objects.get_or_create(product=product, outlet=outlet)
    level.on_hand += len(serials)
    level.save()
    return units


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def send_data(main_street, harbour, serials="", **extra):
    return {
        "from_outlet": main_street.pk,
        "to_outlet": harbour.pk,
        "serial_numbers": serials,
        "note": "",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        **extra,
    }


@pytest.fixture
def sent(product, main_street, harbour, staff_user):
    units_at(product, main_street, "S-1", "S-2", "S-3")
    return transfer_send(
        from_outlet=main_street, to_outlet=harbour, text="S-1\nS-2", user=staff_user
    ).transfer


# Permissions -------------------------------------------------------------------------


@pytest.fixture
def nobody_client(client):
    client.force_login(UserFactory(username="nobody"))
    return client


def test_a_user_without_the_permissions_gets_403_on_every_transfer_page(nobody_client, sent):
    gets = [
        CREATE,
        PICK,
        PRODUCTS,
        reverse("inventory:transfer_detail", args=[sent.pk]),
        reverse("inventory:transfer_receive", args=[sent.pk]),
    ]
    for url in gets:
        assert nobody_client.get(url).status_code == 403, url
    posts = [
        CREATE,
        reverse("inventory:transfer_receive", args=[sent.pk]),
        reverse("inventory:transfer_receive_check", args=[sent.pk]),
    ]
    for url in posts:
        assert nobody_client.post(url, {"serial_numbers": "S-1"}).status_code == 403, url
    assert SerialRecord.objects.filter(status=SerialStatus.IN_TRANSIT).count() == 2


def test_a_user_who_may_only_view_sees_the_transfer_without_receive(client, sent):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_transfer"))
    client.force_login(viewer)

    response = client.get(sent.get_absolute_url())

    assert response.status_code == 200
    assert f"Transfer {sent.pk}" in text(response)
    assert 'type="submit" class="btn btn-primary">Receive<' not in text(response)
    assert client.get(CREATE).status_code == 403


def test_an_unknown_transfer_is_404(staff_client):
    assert staff_client.get(reverse("inventory:transfer_detail", args=[999999])).status_code == 404


# Transfer stock -------------------------------------------------------------------------


def test_staff_open_transfer_stock_with_its_fields(staff_client):
    response = staff_client.get(CREATE)

    page = text(response)
    assert response.status_code == 200
    for label in ("From", "To", "Serial numbers", "Note"):
        pattern = rf'<label for="id_[a-z_]+" class="form-label[^"]*"> {label}[ <*]'
        assert re.search(pattern, page), label
    for text_shown in ('<h1 class="h3 mb-3">Transfer stock</h1>', ">Add line<", ">Send<"):
        assert text_shown in page, text_shown


def test_staff_send_and_see_the_transfer_page(staff_client, product, main_street, harbour):
    units_at(product, main_street, "S-1", "S-2")

    response = staff_client.post(CREATE, send_data(main_street, harbour, "S-1\nS-2"))

    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert response.url == transfer.get_absolute_url()
    page = text(staff_client.get(response.url))
    assert f'<h1 class="h3 me-auto mb-0">Transfer {transfer.pk}</h1>' in page
    assert f"Transfer {transfer.pk} sent. 2 serial numbers are In transit." in page
    assert "Main Street" in page and "Harbour Mall" in page
    assert page.count(">In transit</span>") == 3  # the transfer's status and each unit's
    assert "0 days" in page
    assert ">Receive<" in page
    assert "Overdue" not in page


def test_a_refused_send_keeps_what_was_typed_and_changes_nothing(
    staff_client, product, main_street, harbour
):
    units_at(product, main_street, "S-1")
    units_at(product, harbour, "S-9")

    response = staff_client.post(
        CREATE, send_data(main_street, harbour, "S-1\nS-9\n", note="Weekend stock")
    )

    assert response.status_code == 400
    page = text(response)
    assert "Entry 2: “S-9” (Barista Pro) is In stock at Harbour Mall, not at Main Street." in page
    assert "S-1 S-9" in page  # the box as typed
    assert "Weekend stock" in page
    assert f'<option value="{harbour.pk}" selected>' in page
    assert Transfer.objects.count() == 0
    assert set(SerialRecord.objects.values_list("status", flat=True)) == {SerialStatus.IN_STOCK}


def test_from_and_to_the_same_outlet_is_refused_on_the_form(staff_client, product, main_street):
    units_at(product, main_street, "S-1")

    response = staff_client.post(CREATE, send_data(main_street, main_street, "S-1"))

    assert response.status_code == 400
    assert "From and To must be different outlets." in text(response)
    assert Transfer.objects.count() == 0


def test_a_line_over_the_stock_on_hand_is_refused_above_the_lines(
    staff_client, main_street, harbour
):
    cable = ProductFactory(name="Cable", sku="CB-1", has_serial_numbers=False)
    StockLevel.objects.create(product=cable, outlet=main_street, on_hand=1)
    data = send_data(
        main_street,
        harbour,
        **{"lines-TOTAL_FORMS": "1", "lines-0-product": cable.pk, "lines-0-quantity": "4"},
    )

    response = staff_client.post(CREATE, data)

    assert response.status_code == 400
    assert "Cable (CB-1): 4 to send, but Main Street has only 1 on hand." in text(response)
    assert StockLevel.objects.get(product=cable).on_hand == 1


def test_a_line_sends_a_product_without_serial_numbers(staff_client, main_street, harbour):
    cable = ProductFactory(name="Cable", sku="CB-1", has_serial_numbers=False)
    StockLevel.objects.create(product=cable, outlet=main_street, on_hand=5)
    data = send_data(
        main_street,
        harbour,
        **{"lines-TOTAL_FORMS": "1", "lines-0-product": cable.pk, "lines-0-quantity": "2"},
    )

    response = staff_client.post(CREATE, data)

    assert response.status_code == 302
    assert StockLevel.objects.get(product=cable, outlet=main_street).on_hand == 3


def test_the_pick_list_shows_the_units_in_stock_at_from(
    staff_client, product, main_street, harbour
):
    units_at(product, main_street, "PICK-1", "PICK-2", "OTHER-3")
    units_at(product, harbour, "PICK-9")
    SerialRecordFactory(product=product, outlet=main_street, serial="PICK-8", status="sold")

    response = staff_client.get(PICK, {"from_outlet": main_street.pk, "pick_q": "pick"})

    page = text(response)
    assert response.status_code == 200
    assert "2 units In stock at Main Street" in page
    assert 'value="PICK-1"' in page and 'value="PICK-2"' in page
    for absent in ("OTHER-3", "PICK-9", "PICK-8"):
        assert absent not in page
    assert "Select From" in text(staff_client.get(PICK))


def test_the_product_options_offer_products_without_serial_numbers(staff_client, product):
    ProductFactory(name="Cable", sku="CB-1", has_serial_numbers=False)

    response = staff_client.get(PRODUCTS, {"q": "a"})

    assert response.status_code == 200
    assert "Cable (CB-1)" in text(response)
    assert "Barista Pro" not in text(response)


# The transfer page -----------------------------------------------------------------------


def test_the_transfer_page_costs_the_same_queries_for_2_or_40_units(
    staff_client, product, main_street, harbour, staff_user
):
    def queries_for(count):
        serials = [f"Q{count}-{n}" for n in range(count)]
        units_at(product, main_street, *serials)
        transfer = transfer_send(
            from_outlet=main_street, to_outlet=harbour, text="\n".join(serials), user=staff_user
        ).transfer
        url = transfer.get_absolute_url()
        staff_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url)
        assert response.status_code == 200
        assert text(response).count(">In transit</span>") == count + 1
        return len(queries)

    assert queries_for(2) == queries_for(40)


def test_an_overdue_transfer_is_marked_on_its_page(staff_client, sent, settings):
    settings.SERIALDESK_TRANSFER_OVERDUE_DAYS = 3
    Transfer.objects.filter(pk=sent.pk).update(created_at=timezone.now() - timedelta(days=5))

    page = text(staff_client.get(sent.get_absolute_url()))

    assert "5 days" in page
    assert ">Overdue</span>" in page


# Receive ------------------------------------------------------------------------------


def test_the_live_check_lists_matched_missing_and_unexpected(staff_client, sent):
    url = reverse("inventory:transfer_receive_check", args=[sent.pk])

    response = staff_client.post(url, {"serial_numbers": "S-1\nS-3\nS-1"})

    page = text(response)
    assert response.status_code == 200
    assert "1 of 2 received" in page
    for heading in ("Matched", "Missing", "Unexpected", "Scanned twice"):
        assert f">{heading} <span" in page, heading
    assert "Not on this transfer: Barista Pro (BP-1), In stock at Main Street." in page
    assert "Scanned before (entry 1)." in page


def test_staff_receive_part_then_the_rest(staff_client, sent, product, harbour):
    url = reverse("inventory:transfer_receive", args=[sent.pk])
    page = text(staff_client.get(url))
    assert f"Receive transfer {sent.pk}" in page
    assert "0 of 2 received" in page

    response = staff_client.post(url, {"serial_numbers": "S-1", "receive": "1"})

    assert response.status_code == 302
    assert response.url == sent.get_absolute_url()
    page = text(staff_client.get(response.url))
    assert "Received 1 serial number. 1 serial number is still missing (In transit)." in page
    assert ">Partly received</span>" in page
    assert StockLevel.objects.get(product=product, outlet=harbour).on_hand == 1

    staff_client.post(url, {"serial_numbers": "S-2", "receive": "1"})

    sent.refresh_from_db()
    assert sent.status == TransferStatus.RECEIVED
    page = text(staff_client.get(sent.get_absolute_url()))
    assert ">Received</span>" in page
    assert 'type="submit" class="btn btn-primary">Receive<' not in page
    assert "nothing more can be received" in text(staff_client.get(url))


def test_receiving_nothing_says_so_and_keeps_the_box(staff_client, sent):
    url = reverse("inventory:transfer_receive", args=[sent.pk])

    response = staff_client.post(url, {"serial_numbers": "S-3", "receive": "1"})

    assert response.status_code == 400
    page = text(response)
    assert "Nothing to receive: no entry matches a unit still in transit on this transfer." in page
    assert ">S-3</textarea>" in page or "S-3</textarea>" in page
    assert SerialRecord.objects.filter(status=SerialStatus.IN_TRANSIT).count() == 2


# The serial's page ----------------------------------------------------------------------


def test_an_in_transit_units_page_names_its_transfer_and_a_manager_may_write_it_off(
    manager_client, sent
):
    unit = SerialRecord.objects.get(serial="S-1")

    page = text(manager_client.get(unit.get_absolute_url()))

    assert f"In transit on Transfer {sent.pk} (Main Street → Harbour Mall)" in page
    assert f'href="{sent.get_absolute_url()}"' in page
    write_off = reverse("inventory:serial_write_off", args=[unit.pk])
    assert f'href="{write_off}"' in page
    form = manager_client.get(write_off)
    assert form.status_code == 200
    seen = form.context["form"]["seen_updated_at"].value()
    response = manager_client.post(write_off, {"reason": "Lost", "seen_updated_at": seen})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.status == SerialStatus.WRITTEN_OFF


# The Dashboard ----------------------------------------------------------------------------


def test_the_dashboard_counts_overdue_transfers_and_opens_the_list_of_them(
    staff_client, sent, product, main_street, harbour, staff_user, settings
):
    settings.SERIALDESK_TRANSFER_OVERDUE_DAYS = 3
    units_at(product, main_street, "LATE-1")
    late = transfer_send(
        from_outlet=main_street, to_outlet=harbour, text="LATE-1", user=staff_user
    ).transfer
    Transfer.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(days=4))

    response = staff_client.get(reverse("home"))

    page = text(response)
    assert response.status_code == 200
    card = re.search(r'aria-labelledby="chart-transfers-heading">(.*?)</section>', page)
    assert card, "no Overdue transfers card"
    markup = card.group(1)
    assert "Overdue transfers" in markup
    assert "1 overdue transfer" in markup
    href = reverse("inventory:stock_control") + "?type=transfer&amp;overdue=1"
    assert (
        f'<a href="{href}"><title>1 transfer overdue, not fully received 3 days after '
        "sending</title>"
    ) in markup


def test_the_dashboard_says_when_no_transfer_is_overdue(staff_client, sent):
    page = text(staff_client.get(reverse("home")))

    assert "No transfer is overdue." in page


# Close short ---------------------------------------------------------------------------


def test_a_manager_closes_a_transfer_short_from_its_page(manager_client, sent):
    page = manager_client.get(sent.get_absolute_url())
    assert page.status_code == 200
    assert 'class="btn btn-outline-warning">Close short</button>' in text(page)
    close_url = reverse("inventory:transfer_close", args=[sent.pk])

    confirm = manager_client.get(close_url)
    assert confirm.status_code == 200
    shown = text(confirm)
    assert f"Close Transfer {sent.pk} short" in shown
    assert "2 serial numbers still in transit are written off." in shown
    blank = manager_client.post(close_url, {"reason": ""})
    assert blank.status_code == 400
    assert "This field is required." in text(blank)
    assert SerialRecord.objects.filter(status=SerialStatus.IN_TRANSIT).count() == 2

    response = manager_client.post(close_url, {"reason": "Lost by the courier"}, follow=True)

    assert response.status_code == 200
    shown = text(response)
    assert f"Transfer {sent.pk} closed short. 2 serial numbers written off." in shown
    assert ">Closed short</span>" in shown
    assert "Lost by the courier" in shown
    assert ">Close short</button>" not in shown
    assert ">Receive</button>" not in shown
    assert SerialRecord.objects.filter(status=SerialStatus.WRITTEN_OFF).count() == 2


def test_staff_see_no_close_short_and_may_not_close(staff_client, sent):
    page = staff_client.get(sent.get_absolute_url())
    assert page.status_code == 200
    assert ">Receive</button>" in text(page)
    assert ">Close short</button>" not in text(page)
    close_url = reverse("inventory:transfer_close", args=[sent.pk])
    assert staff_client.get(close_url).status_code == 403
    assert staff_client.post(close_url, {"reason": "Lost"}).status_code == 403
    assert SerialRecord.objects.filter(status=SerialStatus.IN_TRANSIT).count() == 2
