"""The Receive page: who may open it, the live check, Generate, Receive, the Supplier list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import SerialRecord, StockLevel, StockOrderExpected, StockOrderStatus
from tests.factories import ProductFactory, SerialRecordFactory, UserFactory
from tests.inventory.receive_helpers import line_of, order_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def silvia():
    return ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="09506000134352")


@pytest.fixture
def order(silvia, outlet):
    return order_with(outlet=outlet, lines=[(silvia, 5)])


def receive_url(order):
    return reverse("inventory:stock_order_receive", args=[order.pk])


def check_url(order):
    return reverse("inventory:stock_order_receive_check", args=[order.pk])


def test_anonymous_users_go_to_the_login_page(client, order):
    response = client.get(receive_url(order))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_users_without_the_receive_permission_get_403_everywhere(client, order):
    client.force_login(UserFactory(username="viewer"))
    supplier_list = reverse("inventory:stock_order_supplier_list", args=[order.pk])

    assert client.get(receive_url(order)).status_code == 403
    assert (
        client.post(receive_url(order), {"serial_numbers": "S-1", "receive": "1"}).status_code
        == 403
    )
    assert client.post(check_url(order), {"serial_numbers": "S-1"}).status_code == 403
    assert client.post(supplier_list, {}).status_code == 403
    assert not SerialRecord.objects.exists()


def test_the_check_answers_only_post(staff_client, order):
    assert staff_client.get(check_url(order)).status_code == 405
    assert staff_client.put(receive_url(order)).status_code == 405


def test_an_unknown_order_is_404(staff_client):
    assert staff_client.get("/inventory/stock-orders/999999/receive/").status_code == 404


def test_staff_see_the_page_with_its_box_and_lines(staff_client, order):
    response = staff_client.get(receive_url(order))

    assert response.status_code == 200
    content = response.content.decode()
    assert f"Receive stock order {order.pk}" in content
    assert "Scan serial numbers" in content
    assert "Supplier list" in content
    assert "0 of 5 received" in content
    assert "Generate" in content


def test_the_live_check_lists_each_kind_of_entry(staff_client, order, silvia):
    SerialRecordFactory(product=silvia, serial="S-OLD")
    kettle = ProductFactory(name="Bosch Kettle", sku="BK-1", barcode="09520123456788")

    response = staff_client.post(
        check_url(order),
        {"serial_numbers": f"S-1\nS-1\nS-OLD\n(01){kettle.barcode}(21)K-1\nS-2"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "2 of 5 received" in content
    for heading in ("Matched", "Not on this order", "Already recorded", "Scanned twice"):
        assert heading in content
    assert "Bosch Kettle (BK-1), which is not on this order" in content
    assert not SerialRecord.objects.filter(serial="S-1").exists()


def test_check_scans_without_js_shows_the_lists_and_keeps_the_box(staff_client, order):
    response = staff_client.post(receive_url(order), {"serial_numbers": "S-1\nS-1", "check": "1"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "1 of 5 received" in content
    assert "Scanned twice" in content
    assert "S-1\nS-1</textarea>" in content
    assert not SerialRecord.objects.exists()


def test_generate_fills_the_box_and_checks_it(staff_client, order):
    response = staff_client.post(
        receive_url(order),
        {"serial_numbers": "S-1", "first_serial": "SN-0098", "count": "3", "generate": "1"},
    )

    content = response.content.decode()
    assert "S-1\nSN-0098\nSN-0099\nSN-0100</textarea>" in content
    assert "4 of 5 received" in content
    assert not SerialRecord.objects.exists()


def test_generate_says_what_is_wrong_with_its_fields(staff_client, order):
    response = staff_client.post(
        receive_url(order),
        {"serial_numbers": "S-1", "first_serial": "NONUMBER", "count": "2", "generate": "1"},
    )

    assert "The first serial has no number to count up from." in response.content.decode()
    assert not SerialRecord.objects.exists()


def test_receive_records_the_units_and_offers_print_labels(staff_client, order, silvia, outlet):
    response = staff_client.post(
        receive_url(order), {"serial_numbers": "S-1\nS-2\nS-2\nS-3", "receive": "1"}, follow=True
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Received 3 serial numbers." in content
    assert "3 of 5 received" in content
    assert "Partly received" in content
    assert "Print labels" in content
    assert reverse("inventory:serial_labels") + "?added_at=" in content
    assert SerialRecord.objects.filter(arrival_order=order).count() == 3
    assert StockLevel.objects.get(product=silvia, outlet=outlet).on_hand == 3
    labels = staff_client.get(response.context["labels_url"])
    assert labels.status_code == 200
    assert all(serial in labels.content.decode() for serial in ("S-1", "S-2", "S-3"))


def test_receiving_nothing_that_matches_says_so_and_saves_nothing(staff_client, order):
    response = staff_client.post(receive_url(order), {"serial_numbers": "", "receive": "1"})

    assert response.status_code == 400
    assert "Nothing to receive" in response.content.decode()
    assert not SerialRecord.objects.exists()
    order.refresh_from_db()
    assert order.status == StockOrderStatus.SENT


def test_quantities_are_received_for_lines_without_serials(staff_client, outlet):
    filters = ProductFactory(name="Paper filters", sku="PF-1", has_serial_numbers=False)
    order = order_with(outlet=outlet, lines=[(filters, 10)])
    name = f"quantity_{line_of(order, filters).pk}"

    page = staff_client.get(receive_url(order)).content.decode()
    assert "Quantity received" in page
    too_many = staff_client.post(receive_url(order), {name: "11", "receive": "1"})
    assert too_many.status_code == 200
    assert "less than or equal to 10" in too_many.content.decode()
    staff_client.post(receive_url(order), {name: "4", "receive": "1"})

    assert StockLevel.objects.get(product=filters, outlet=outlet).on_hand == 4
    assert line_of(order, filters).received == 4


@pytest.mark.parametrize(
    "text",
    ["S-\x1b[31mRED", "x" * 150, "(01)1(21)X", "\u202eS-RTL"],
)
def test_hostile_entries_are_listed_not_received(staff_client, order, text):
    response = staff_client.post(receive_url(order), {"serial_numbers": text, "receive": "1"})

    assert response.status_code == 400
    content = response.content.decode()
    assert "Cannot be recorded" in content
    assert not SerialRecord.objects.exists()


def test_a_nul_in_the_box_is_refused_and_nothing_received(staff_client, order):
    response = staff_client.post(receive_url(order), {"serial_numbers": "S-\x00", "receive": "1"})

    assert response.status_code == 400
    assert not SerialRecord.objects.exists()


def test_a_received_order_shows_its_lines_and_no_form(staff_client, silvia, outlet):
    order = order_with(outlet=outlet, lines=[(silvia, 5)], status=StockOrderStatus.RECEIVED)

    response = staff_client.get(receive_url(order))
    content = response.content.decode()
    assert "nothing more can be received" in content
    assert "Scan serial numbers" not in content
    posted = staff_client.post(receive_url(order), {"serial_numbers": "S-1", "receive": "1"})
    assert posted.status_code == 400
    assert not SerialRecord.objects.exists()


def test_staff_cannot_receive_anyway_what_breaks_the_format(staff_client, outlet):
    phone = ProductFactory(name="Phone", sku="PH-1", serial_format="imei")
    order = order_with(outlet=outlet, lines=[(phone, 5)])

    checked = staff_client.post(receive_url(order), {"serial_numbers": "BAD", "check": "1"})
    assert "Add anyway" not in checked.content.decode()
    response = staff_client.post(
        receive_url(order), {"serial_numbers": "BAD", "format_confirmed": "1", "receive": "1"}
    )

    assert response.status_code == 400
    assert "Only a Manager" in response.content.decode()
    assert not SerialRecord.objects.exists()


def test_a_manager_receives_anyway_what_breaks_the_format(manager_client, outlet):
    phone = ProductFactory(name="Phone", sku="PH-1", serial_format="imei")
    order = order_with(outlet=outlet, lines=[(phone, 5)])

    checked = manager_client.post(receive_url(order), {"serial_numbers": "BAD", "check": "1"})
    assert "Add anyway" in checked.content.decode()
    manager_client.post(
        receive_url(order), {"serial_numbers": "BAD", "format_confirmed": "1", "receive": "1"}
    )

    assert list(SerialRecord.objects.values_list("serial", flat=True)) == ["BAD"]


def upload(client, order, text, name="list.csv"):
    url = reverse("inventory:stock_order_supplier_list", args=[order.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, text.encode())}, follow=True)


def test_a_supplier_list_preloads_the_expected_serials(staff_client, order):
    response = upload(staff_client, order, "serial,sku\nS-1,RS-1\nS-2,RS-1\n")

    content = response.content.decode()
    assert "The supplier list adds 2 expected serial numbers." in content
    assert "The supplier list expects 2 serial numbers not received yet." in content
    filled = staff_client.post(receive_url(order), {"fill_expected": "1"}).content.decode()
    assert "S-1\nS-2</textarea>" in filled
    assert "2 of 5 received" in filled


def test_a_supplier_list_lists_the_rows_it_cannot_load(staff_client, order):
    response = upload(staff_client, order, "serial,sku\nS-1,RS-1\nK-1,BK-1\n")

    content = response.content.decode()
    assert "Not on this order" in content
    assert "“BK-1” is not on this order." in content
    assert list(StockOrderExpected.objects.values_list("serial", flat=True)) == ["S-1"]


@pytest.mark.parametrize(
    "data,message",
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"serial,sku\nS-\x00,RS-1\n", "NUL"),
        (b"nothing,here\n1,2\n", "must name the columns"),
        (b"", "empty"),
    ],
)
def test_a_broken_supplier_list_is_refused_with_a_reason(staff_client, order, data, message):
    url = reverse("inventory:stock_order_supplier_list", args=[order.pk])

    response = staff_client.post(url, {"file": SimpleUploadedFile("list.csv", data)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StockOrderExpected.objects.exists()


def test_each_units_history_says_which_order_and_supplier_it_arrived_on(staff_client, order):
    staff_client.post(receive_url(order), {"serial_numbers": "S-1", "receive": "1"})
    unit = SerialRecord.objects.get(serial="S-1")

    response = staff_client.get(reverse("serial_detail", args=[unit.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert f"Received on stock order {order.pk} from Acme Coffee Supply" in content
    assert f'href="{order.get_absolute_url()}"' in content


def test_a_unit_added_by_hand_names_no_order_in_its_history(staff_client, silvia):
    unit = SerialRecordFactory(product=silvia, serial="S-HAND")

    content = staff_client.get(reverse("serial_detail", args=[unit.pk])).content.decode()

    assert "Received on stock order" not in content


def test_print_labels_takes_the_units_arrival_order_an_order_in_scan_order(staff_client, order):
    staff_client.post(receive_url(order), {"serial_numbers": "S-2\nS-1", "receive": "1"})
    other = order_with(outlet=order.outlet, lines=[(order.lines.get().product, 5)])
    staff_client.post(receive_url(other), {"serial_numbers": "S-9", "receive": "1"})

    response = staff_client.get(reverse("inventory:serial_labels"), {"arrival_order": order.pk})

    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("S-2") < content.index("S-1")
    assert "S-9" not in content


@pytest.mark.parametrize("value", ["x", "10" * 20, "-1", "999999"])
def test_print_labels_of_a_malformed_or_unknown_order_prints_nothing(staff_client, order, value):
    response = staff_client.get(reverse("inventory:serial_labels"), {"arrival_order": value})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_live_check_offers_add_anyway_to_a_manager_and_keeps_it_ticked(manager_client, outlet):
    phone = ProductFactory(name="Phone", sku="PH-1", serial_format="imei")
    order = order_with(outlet=outlet, lines=[(phone, 5)])

    offered = manager_client.post(check_url(order), {"serial_numbers": "BAD"}).content.decode()
    ticked = manager_client.post(
        check_url(order), {"serial_numbers": "BAD", "format_confirmed": "1"}
    ).content.decode()

    assert "Add anyway" in offered
    assert "Add anyway" in ticked
    assert "checked" in ticked
    assert "1 of 5 received" in ticked


def test_a_box_over_the_cap_is_refused_with_the_cap(staff_client, order, settings):
    settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION = 3

    response = staff_client.post(
        receive_url(order), {"serial_numbers": "S-1\nS-2\nS-3\nS-4", "receive": "1"}
    )

    assert response.status_code == 400
    assert "At most 3 serial numbers can be received at once; this has 4." in (
        response.content.decode()
    )
    assert not SerialRecord.objects.exists()
