import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import Outlet, SerialEvent, SerialEventKind, SerialRecord, SerialStatus
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

TRANSFER_URL = reverse("inventory:serial_transfer")
LIST_URL = reverse("inventory:serial_list")


@pytest.fixture
def record(main_street):
    return SerialRecordFactory(
        serial="AB-100",
        product=ProductFactory(name="Barista Pro", sku="BP-1"),
        outlet=main_street,
        notes="Shelf 3",
        created_by=UserFactory(username="alex", password="!"),
    )


def url(name, serial):
    return reverse(f"inventory:{name}", args=[serial.pk])


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


# The serial page


def test_the_serial_page_shows_the_unit_and_its_history_newest_first(
    staff_client, record, main_street, harbour
):
    mia = UserFactory(username="mia", password="!")
    now = timezone.now()
    SerialRecord.objects.filter(pk=record.pk).update(created_at=now - timedelta(days=2))
    SerialEvent.objects.create(
        serial=record, kind=SerialEventKind.TRANSFERRED, user=mia, from_outlet=harbour,
        to_outlet=main_street, note="Moved for a display", created_at=now - timedelta(days=1),
    )  # fmt: skip
    response = staff_client.get(url("serial_detail", record))
    page = text(response)
    assert response.status_code == 200
    assert '<span class="serial-text">AB-100</span>' in page
    assert f'<a href="{record.product.get_absolute_url()}">Barista Pro (BP-1)</a>' in page
    assert "Main Street" in page and "In stock" in page and "Shelf 3" in page
    assert "alex" in page
    assert "Not sold: the warranty starts on the sale date" in page
    events = response.context["history"]
    assert [e.kind for e in events] == [SerialEventKind.TRANSFERRED, SerialEventKind.ADDED]
    assert page.index("Transferred") < page.index("Added</td>")
    assert "Harbour Mall" in page and "mia" in page


def test_the_serial_page_shows_the_status_change_of_a_write_off(manager_client, record):
    manager_client.post(url("serial_write_off", record), {"reason": "Dropped"})
    page = text(manager_client.get(url("serial_detail", record)))
    assert "In stock → Written off" in page
    assert "Dropped" in page


def test_the_serial_page_links_the_document_behind_an_event(staff_client, record):
    # Any model with an absolute URL stands in for a sale until sales exist.
    SerialEvent.objects.create(
        serial=record,
        kind=SerialEventKind.EDITED,
        document_type=ContentType.objects.get_for_model(SerialRecord),
        document_id=record.pk,
    )
    page = text(staff_client.get(url("serial_detail", record)))
    assert f'<a href="{record.get_absolute_url()}">AB-100</a>' in page


def test_a_sold_serial_shows_its_warranty_and_no_delete_button(manager_client, record):
    record.product.warranty_months = 12
    record.product.save()
    SerialRecord.objects.filter(pk=record.pk).update(status=SerialStatus.SOLD)
    SerialEvent.objects.create(
        serial=record, kind=SerialEventKind.SOLD, created_at=timezone.now() - timedelta(days=30)
    )
    page = text(manager_client.get(url("serial_detail", record)))
    assert "In warranty until" in page
    assert url("serial_delete", record) not in page
    assert "was sold, so it cannot be deleted. Write it off instead." in page


def test_a_warranty_that_ran_out_says_when(staff_client, record):
    SerialRecord.objects.filter(pk=record.pk).update(status=SerialStatus.SOLD)
    sold_at = timezone.now() - timedelta(days=800)
    SerialEvent.objects.create(serial=record, kind=SerialEventKind.SOLD, created_at=sold_at)
    page = text(staff_client.get(url("serial_detail", record)))
    assert "Warranty expired on" in page


def test_managers_see_every_action_on_the_serial_page(manager_client, record):
    page = text(manager_client.get(url("serial_detail", record)))
    for name in ["serial_update", "serial_write_off", "serial_delete"]:
        assert f'href="{url(name, record)}"' in page
    assert f'href="{TRANSFER_URL}?serial={record.pk}"' in page


def test_staff_see_the_serial_page_without_actions(staff_client, record):
    page = text(staff_client.get(url("serial_detail", record)))
    assert ">Edit<" not in page and ">Transfer<" not in page
    assert ">Write off<" not in page and ">Delete<" not in page
    assert "cannot be deleted" not in page


def test_an_unknown_serial_is_not_found(staff_client):
    assert staff_client.get(reverse("inventory:serial_detail", args=[999])).status_code == 404


def test_the_serial_page_costs_the_same_queries_for_2_or_30_events(
    staff_client, record, main_street, harbour
):
    def queries_for(serial):
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url("serial_detail", serial)).status_code == 200
        return len(queries)

    mia = UserFactory(username="mia", password="!")

    def with_events(count):
        serial = SerialRecordFactory(outlet=main_street, created_by=mia)
        document_type = ContentType.objects.get_for_model(Outlet)
        SerialEvent.objects.bulk_create(
            SerialEvent(
                serial=serial,
                kind=SerialEventKind.TRANSFERRED,
                user=mia,
                from_outlet=OutletFactory(),
                to_outlet=OutletFactory(),
                document_type=document_type,
                document_id=OutletFactory().pk,
            )
            for _ in range(count)
        )
        return serial

    queries_for(record)  # warm the session and permission caches alike
    few, many = queries_for(with_events(2)), queries_for(with_events(30))
    # Session, user, permissions (2), serial, history, documents (one per type).
    assert few == many  # 7 when written


# Edit


def test_a_manager_corrects_a_serial_and_notes(manager_client, manager_user, record):
    response = manager_client.post(
        url("serial_update", record), {"serial": " AB-1001 ", "notes": "Back room"}
    )
    assert response.status_code == 302
    assert response.url == record.get_absolute_url()
    record.refresh_from_db()
    assert (record.serial, record.serial_normalised, record.notes) == (
        "AB-1001",
        "AB-1001",
        "Back room",
    )
    event = record.events.get()
    assert (event.kind, event.user) == (SerialEventKind.EDITED, manager_user)
    page = text(manager_client.get(response.url))
    assert "Serial number “AB-1001” saved." in page
    assert "Serial number changed from AB-100 to AB-1001. Notes changed." in page


def test_the_edit_form_is_labelled_as_the_spec_says(manager_client, record):
    page = text(manager_client.get(url("serial_update", record)))
    assert re.search(r'<label for="id_serial"[^>]*>\s*Serial number', page)
    assert re.search(r'<label for="id_notes"[^>]*>\s*Notes', page)
    assert 'value="AB-100"' in page
    assert ">Save</button>" in page


def test_a_duplicate_text_is_shown_on_the_form_with_what_was_typed(
    manager_client, record, harbour
):
    SerialRecordFactory(product=record.product, outlet=harbour, serial="CD-200", status="sold")
    response = manager_client.post(
        url("serial_update", record), {"serial": "cd-200", "notes": "Typed notes"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "already recorded for this product, at Harbour Mall (Sold)." in page
    assert 'value="cd-200"' in page and "Typed notes" in page
    record.refresh_from_db()
    assert (record.serial, record.notes) == ("AB-100", "Shelf 3")
    assert not record.events.exists()


def test_a_comma_in_the_serial_is_refused_on_the_form(manager_client, record):
    response = manager_client.post(url("serial_update", record), {"serial": "AB,1", "notes": ""})
    assert response.status_code == 200
    assert "Contains a comma." in text(response)
    record.refresh_from_db()
    assert record.serial == "AB-100"


# Transfer


def test_the_transfer_page_lists_the_chosen_serials_and_active_outlets(
    manager_client, record, harbour
):
    other = SerialRecordFactory(serial="ZZ-9", outlet=harbour)
    OutletFactory(name="Closed Store", is_active=False)
    response = manager_client.get(TRANSFER_URL, {"serial": [record.pk, other.pk, "junk"]})
    page = text(response)
    assert response.status_code == 200
    assert list(response.context["serials"]) == [record, other]
    assert page.count('type="hidden" name="serial"') == 2
    assert re.search(r'<label for="id_outlet"[^>]*>\s*Outlet', page)
    assert re.search(r'<label for="id_note"[^>]*>\s*Note', page)
    assert ">Transfer</button>" in page
    assert "Harbour Mall" in page and "Closed Store" not in page


def test_the_transfer_page_without_a_selection_says_so(manager_client):
    page = text(manager_client.get(TRANSFER_URL))
    assert "No serial numbers selected." in page
    assert ">Transfer</button>" not in page


def test_transferring_several_serials_lands_on_the_list_for_the_new_outlet(
    manager_client, manager_user, main_street, harbour
):
    serials = SerialRecordFactory.create_batch(3, outlet=main_street)
    response = manager_client.post(
        TRANSFER_URL,
        {"serial": [s.pk for s in serials], "outlet": harbour.pk, "note": "Weekend sale"},
    )
    assert response.status_code == 302
    assert response.url == f"{LIST_URL}?outlet={harbour.pk}"
    for serial in serials:
        serial.refresh_from_db()
        assert serial.outlet == harbour
        event = serial.events.get()
        assert (event.user, event.from_outlet, event.to_outlet, event.note) == (
            manager_user,
            main_street,
            harbour,
            "Weekend sale",
        )
    assert "3 serial numbers transferred to Harbour Mall." in text(
        manager_client.get(response.url)
    )


def test_transferring_one_serial_lands_on_its_page(manager_client, record, harbour):
    response = manager_client.post(TRANSFER_URL, {"serial": record.pk, "outlet": harbour.pk})
    assert response.url == record.get_absolute_url()
    page = text(manager_client.get(response.url))
    assert "1 serial number transferred to Harbour Mall." in page
    record.refresh_from_db()
    assert record.outlet == harbour


def test_a_refused_transfer_is_shown_on_the_form_and_moves_nothing(
    manager_client, record, main_street, harbour
):
    sold = SerialRecordFactory(serial="SOLD-1", outlet=main_street, status=SerialStatus.SOLD)
    response = manager_client.post(
        TRANSFER_URL, {"serial": [record.pk, sold.pk], "outlet": harbour.pk, "note": "Kept"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "Not movable: SOLD-1 (Sold)." in page
    assert list(response.context["serials"]) == [record, sold]
    assert 'value="Kept"' in page
    assert set(SerialRecord.objects.values_list("outlet", flat=True)) == {main_street.pk}
    assert not SerialEvent.objects.exists()


def test_a_transfer_without_an_outlet_or_serials_is_refused(manager_client, record):
    response = manager_client.post(TRANSFER_URL, {"serial": record.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["outlet"] == ["This field is required."]
    response = manager_client.post(TRANSFER_URL, {"outlet": record.outlet.pk})
    assert response.context["form"].errors["serial"] == ["Select at least one serial number."]
    assert "No serial numbers selected." in text(response)


def test_an_inactive_outlet_cannot_be_chosen(manager_client, record):
    closed = OutletFactory(is_active=False)
    response = manager_client.post(TRANSFER_URL, {"serial": record.pk, "outlet": closed.pk})
    assert response.status_code == 200
    assert "outlet" in response.context["form"].errors
    record.refresh_from_db()
    assert record.outlet != closed


# Write off


def test_a_manager_writes_off_a_serial_with_a_reason(manager_client, manager_user, record):
    page = text(manager_client.get(url("serial_write_off", record)))
    assert re.search(r'<label for="id_reason"[^>]*>\s*Reason', page)
    assert ">Write off</button>" in page
    response = manager_client.post(url("serial_write_off", record), {"reason": "Stolen"})
    assert response.status_code == 302
    assert response.url == record.get_absolute_url()
    record.refresh_from_db()
    assert record.status == SerialStatus.WRITTEN_OFF
    event = record.events.get()
    assert (event.kind, event.user, event.note) == (
        SerialEventKind.WRITTEN_OFF,
        manager_user,
        "Stolen",
    )
    assert "Serial number “AB-100” written off." in text(manager_client.get(response.url))


def test_a_write_off_without_a_reason_is_refused(manager_client, record):
    response = manager_client.post(url("serial_write_off", record), {"reason": " "})
    assert response.status_code == 200
    assert "This field is required." in text(response)
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK


def test_a_sold_serial_cannot_be_written_off(manager_client, record):
    SerialRecord.objects.filter(pk=record.pk).update(status=SerialStatus.SOLD)
    response = manager_client.post(url("serial_write_off", record), {"reason": "Lost"})
    assert response.status_code == 200
    assert "only In stock or Faulty serial numbers can be written off." in text(response)
    assert "Lost</textarea>" in response.content.decode()
    record.refresh_from_db()
    assert record.status == SerialStatus.SOLD


# Delete


def test_a_manager_deletes_a_serial_recorded_by_mistake(manager_client, record):
    page = text(manager_client.get(url("serial_delete", record)))
    assert ">Delete</button>" in page
    response = manager_client.post(url("serial_delete", record))
    assert response.status_code == 302
    assert response.url == LIST_URL
    assert not SerialRecord.objects.filter(pk=record.pk).exists()
    assert "Serial number “AB-100” deleted." in text(manager_client.get(response.url))


def test_the_delete_page_of_a_sold_serial_says_to_write_it_off(manager_client, record):
    SerialEvent.objects.create(serial=record, kind=SerialEventKind.SOLD)
    page = text(manager_client.get(url("serial_delete", record)))
    assert "was sold, so it cannot be deleted. Write it off instead." in page
    assert ">Delete</button>" not in page
    response = manager_client.post(url("serial_delete", record))
    assert response.status_code == 200
    assert "Write it off instead." in text(response)
    assert SerialRecord.objects.filter(pk=record.pk).exists()


# Permissions and methods


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "serial_update"),
        ("post", "serial_update"),
        ("get", "serial_transfer"),
        ("post", "serial_transfer"),
        ("get", "serial_write_off"),
        ("post", "serial_write_off"),
        ("get", "serial_delete"),
        ("post", "serial_delete"),
    ],
)
def test_staff_may_not_change_serials(staff_client, record, main_street, harbour, method, name):
    path = TRANSFER_URL if name == "serial_transfer" else url(name, record)
    data = {"serial": record.pk, "outlet": harbour.pk, "reason": "Lost", "notes": "x"}
    response = getattr(staff_client, method)(path, data)
    assert response.status_code == 403
    record.refresh_from_db()
    assert (record.serial, record.notes, record.outlet, record.status) == (
        "AB-100",
        "Shelf 3",
        main_street,
        SerialStatus.IN_STOCK,
    )
    assert not record.events.exists()


def test_the_serial_page_only_answers_get(manager_client, record):
    assert manager_client.post(url("serial_detail", record)).status_code == 405


@pytest.mark.parametrize("name", ["serial_update", "serial_write_off", "serial_delete"])
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_changes_only_come_from_a_post(manager_client, record, name, method):
    # A DELETE on Django's DeleteView would delete without the service's rules.
    response = getattr(manager_client, method)(url(name, record))
    assert response.status_code == 405
    assert SerialRecord.objects.filter(pk=record.pk, status=SerialStatus.IN_STOCK).exists()


def test_a_transfer_only_comes_from_a_post(manager_client, record, harbour):
    body = f"serial={record.pk}&outlet={harbour.pk}"
    ctype = "application/x-www-form-urlencoded"
    assert manager_client.put(TRANSFER_URL, body, content_type=ctype).status_code == 405
    record.refresh_from_db()
    assert record.outlet.name == "Main Street"


def test_a_written_off_serial_offers_no_transfer_or_write_off(manager_client, record):
    SerialRecord.objects.filter(pk=record.pk).update(status=SerialStatus.WRITTEN_OFF)
    page = text(manager_client.get(url("serial_detail", record)))
    assert ">Edit</a>" in page
    assert ">Transfer</a>" not in page and ">Write off</a>" not in page
