import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.forms import change_token
from inventory.models import Outlet, SerialEvent, SerialEventKind, SerialRecord, SerialStatus
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

TRANSFER_URL = reverse("inventory:serial_transfer")
LIST_URL = reverse("inventory:serial_list")
TOKEN = "seen_updated_at"


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
    # Delete, like the serial page, shows sale facts: a sales view, named without a namespace.
    return reverse(name if name == "serial_delete" else f"inventory:{name}", args=[serial.pk])


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def shown(client, path, params=None):
    """The state token a page's form sends back: what the user saw when it loaded."""
    response = client.get(path, params)
    assert response.status_code == 200
    return response.context["form"]["seen_updated_at"].value()


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
    response = staff_client.get(record.get_absolute_url())
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
    path = url("serial_write_off", record)
    seen = shown(manager_client, path)
    assert manager_client.post(path, {"reason": "Dropped", TOKEN: seen}).status_code == 302
    page = text(manager_client.get(record.get_absolute_url()))
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
    page = text(staff_client.get(record.get_absolute_url()))
    assert f'<a href="{record.get_absolute_url()}">AB-100</a>' in page


def sell(record, *, days_ago):
    """Sell the unit through a sale: the serial page reads its sale from its line on it."""
    from sales.services import LineInput, sale_create

    sale_create(
        outlet=record.outlet,
        customer=None,
        lines=[LineInput(product=record.product, quantity=1, serials=[record.serial])],
        clerk=None,
        at=timezone.now() - timedelta(days=days_ago),
    )


def test_a_sold_serial_shows_its_warranty_and_no_delete_button(manager_client, record):
    record.product.warranty_months = 12
    record.product.save()
    sell(record, days_ago=30)
    page = text(manager_client.get(record.get_absolute_url()))
    assert "In warranty until" in page
    assert url("serial_delete", record) not in page
    # On its sale, the unit can be returned: the advice points to Return.
    return_url = reverse("sales:return_create", args=[record.pk])
    return_link = f'<a href="{return_url}">record a Return</a>'
    assert f"Sold units cannot be deleted or written off: {return_link} first." in page


def test_a_warranty_that_ran_out_says_when(staff_client, record):
    sell(record, days_ago=800)
    page = text(staff_client.get(record.get_absolute_url()))
    assert "Warranty expired on" in page


def test_managers_see_every_action_on_the_serial_page(manager_client, record):
    page = text(manager_client.get(record.get_absolute_url()))
    for name in ["serial_update", "serial_write_off", "serial_delete"]:
        assert f'href="{url(name, record)}"' in page
    assert f'href="{TRANSFER_URL}?serial={record.pk}"' in page


def test_staff_see_the_serial_page_without_actions(staff_client, record):
    response = staff_client.get(record.get_absolute_url())
    page = text(response)
    assert response.status_code == 200
    assert '<span class="serial-text">AB-100</span>' in page and "Shelf 3" in page
    assert ">Edit<" not in page and ">Transfer<" not in page
    assert ">Write off<" not in page and ">Delete<" not in page
    assert "cannot be deleted" not in page


def test_an_unknown_serial_is_not_found(staff_client):
    assert staff_client.get(reverse("serial_detail", args=[999])).status_code == 404


def test_the_serial_page_costs_the_same_queries_for_2_or_30_events(
    staff_client, record, main_street, harbour
):
    def queries_for(serial):
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(serial.get_absolute_url()).status_code == 200
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
    # Session, user, permissions (2), serial, history count, history, documents
    # (one query per type); the session is not written again so soon.
    assert few == many == 9  # and its supplier returns (the unit it replaced, its replacement)


# Edit


def test_a_manager_corrects_a_serial_and_notes(manager_client, manager_user, record):
    path = url("serial_update", record)
    seen = shown(manager_client, path)
    response = manager_client.post(
        path, {"serial": " AB-1001 ", "notes": "Back room", TOKEN: seen}
    )
    assert response.status_code == 302
    assert response.url == record.get_absolute_url()
    record.refresh_from_db()
    assert (record.serial, record.serial_normalised, record.notes) == (
        "AB-1001",
        "ab-1001",
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
    path = url("serial_update", record)
    seen = shown(manager_client, path)
    response = manager_client.post(path, {"serial": "cd-200", "notes": "Typed notes", TOKEN: seen})
    page = text(response)
    assert response.status_code == 200
    assert "already recorded for this product, at Harbour Mall (Sold)." in page
    assert 'value="cd-200"' in page and "Typed notes" in page
    record.refresh_from_db()
    assert (record.serial, record.notes) == ("AB-100", "Shelf 3")
    assert not record.events.exists()


def test_a_comma_in_the_serial_is_refused_on_the_form(manager_client, record):
    path = url("serial_update", record)
    seen = shown(manager_client, path)
    response = manager_client.post(path, {"serial": "AB,1", "notes": "", TOKEN: seen})
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
    pks = [s.pk for s in serials]
    seen = shown(manager_client, TRANSFER_URL, {"serial": pks})
    response = manager_client.post(
        TRANSFER_URL, {"serial": pks, "outlet": harbour.pk, "note": "Weekend sale", TOKEN: seen}
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
    seen = shown(manager_client, TRANSFER_URL, {"serial": record.pk})
    response = manager_client.post(
        TRANSFER_URL, {"serial": record.pk, "outlet": harbour.pk, TOKEN: seen}
    )
    assert response.url == record.get_absolute_url()
    page = text(manager_client.get(response.url))
    assert "1 serial number transferred to Harbour Mall." in page
    record.refresh_from_db()
    assert record.outlet == harbour


def test_a_refused_transfer_is_shown_on_the_form_and_moves_nothing(
    manager_client, record, main_street, harbour
):
    sold = SerialRecordFactory(serial="SOLD-1", outlet=main_street, status=SerialStatus.SOLD)
    pks = [record.pk, sold.pk]
    seen = shown(manager_client, TRANSFER_URL, {"serial": pks})
    response = manager_client.post(
        TRANSFER_URL, {"serial": pks, "outlet": harbour.pk, "note": "Kept", TOKEN: seen}
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
    seen = shown(manager_client, url("serial_write_off", record))
    response = manager_client.post(
        url("serial_write_off", record), {"reason": "Stolen", TOKEN: seen}
    )
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
    seen = shown(manager_client, url("serial_write_off", record))
    response = manager_client.post(url("serial_write_off", record), {"reason": " ", TOKEN: seen})
    assert response.status_code == 200
    assert "This field is required." in text(response)
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK


def test_a_sold_serial_cannot_be_written_off(manager_client, record):
    SerialRecord.objects.filter(pk=record.pk).update(status=SerialStatus.SOLD)
    seen = shown(manager_client, url("serial_write_off", record))
    response = manager_client.post(
        url("serial_write_off", record), {"reason": "Lost", TOKEN: seen}
    )
    assert response.status_code == 200
    assert (
        "Serial number “AB-100” is Sold, so it cannot be written off: record a Return first."
        in text(response)
    )
    assert "Lost</textarea>" in response.content.decode()
    record.refresh_from_db()
    assert record.status == SerialStatus.SOLD


# Delete


def test_a_manager_deletes_a_serial_recorded_by_mistake(manager_client, record):
    page = text(manager_client.get(url("serial_delete", record)))
    assert ">Delete</button>" in page
    seen = shown(manager_client, url("serial_delete", record))
    response = manager_client.post(url("serial_delete", record), {TOKEN: seen})
    assert response.status_code == 302
    assert response.url == LIST_URL
    assert not SerialRecord.objects.filter(pk=record.pk).exists()
    assert "Serial number “AB-100” deleted." in text(manager_client.get(response.url))


def test_the_delete_page_of_a_sold_serial_says_to_write_it_off(manager_client, record):
    SerialEvent.objects.create(serial=record, kind=SerialEventKind.SOLD)
    page = text(manager_client.get(url("serial_delete", record)))
    assert "was sold, so it cannot be deleted. Write it off instead." in page
    assert ">Delete</button>" not in page
    seen = shown(manager_client, url("serial_delete", record))
    response = manager_client.post(url("serial_delete", record), {TOKEN: seen})
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
    assert manager_client.post(record.get_absolute_url()).status_code == 405


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
    page = text(manager_client.get(record.get_absolute_url()))
    assert ">Edit</a>" in page
    assert ">Transfer</a>" not in page and ">Write off</a>" not in page


# A change made from a page that showed an older state


@pytest.fixture
def alex_moved_it(record, harbour):
    """Another manager's transfer, made after the test's page was shown."""

    def move():
        from inventory.services import serials_transfer

        serials_transfer(
            serials=[record], to_outlet=harbour, user=record.created_by, note="For a display"
        )

    return move


def test_a_transfer_from_an_older_page_is_refused_keeping_the_note(
    manager_client, record, harbour, alex_moved_it
):
    airport = OutletFactory(name="Airport")
    seen = shown(manager_client, TRANSFER_URL, {"serial": record.pk})
    alex_moved_it()
    data = {"serial": record.pk, "outlet": airport.pk, "note": "Typed note", TOKEN: seen}
    response = manager_client.post(TRANSFER_URL, data)
    page = text(response)
    assert response.status_code == 200
    assert "Serial number “AB-100” changed after this page was shown (Transferred to " in page
    assert "Harbour Mall by alex on " in page
    assert 'value="Typed note"' in page
    # The page now shows where the unit is, and its form carries that state.
    assert list(response.context["serials"]) == [record]
    assert response.context["serials"][0].outlet == harbour
    fresh = response.context["form"][TOKEN].value()
    assert fresh != seen
    record.refresh_from_db()
    assert record.outlet == harbour
    assert record.events.count() == 1

    # Submitted again from the page as it is now, the transfer goes ahead.
    response = manager_client.post(TRANSFER_URL, {**data, TOKEN: fresh})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.outlet == airport


def test_an_edit_from_an_older_page_is_refused_keeping_what_was_typed(
    manager_client, record, alex_moved_it
):
    path = url("serial_update", record)
    seen = shown(manager_client, path)
    SerialRecord.objects.filter(pk=record.pk).update(notes="Alex's notes")
    alex_moved_it()
    response = manager_client.post(path, {"serial": "AB-101", "notes": "Mine", TOKEN: seen})
    page = text(response)
    assert response.status_code == 200
    assert "changed after this page was shown (Transferred to Harbour Mall by alex" in page
    assert 'value="AB-101"' in page and "Mine</textarea>" in page
    assert "Alex&#x27;s notes" in page  # what is recorded now, next to what was typed
    record.refresh_from_db()
    assert (record.serial, record.notes) == ("AB-100", "Alex's notes")


def test_a_write_off_from_an_older_page_is_refused_keeping_the_reason(
    manager_client, record, alex_moved_it
):
    path = url("serial_write_off", record)
    seen = shown(manager_client, path)
    alex_moved_it()
    response = manager_client.post(path, {"reason": "Dropped on the floor", TOKEN: seen})
    page = text(response)
    assert response.status_code == 200
    assert "changed after this page was shown (Transferred to Harbour Mall by alex" in page
    assert "Dropped on the floor</textarea>" in page
    assert "Harbour Mall · In stock" in page
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK


def test_a_delete_from_an_older_page_is_refused(manager_client, record, alex_moved_it):
    path = url("serial_delete", record)
    seen = shown(manager_client, path)
    alex_moved_it()
    response = manager_client.post(path, {TOKEN: seen})
    assert response.status_code == 200
    assert "changed after this page was shown (Transferred to Harbour Mall by alex" in text(
        response
    )
    assert SerialRecord.objects.filter(pk=record.pk).exists()


def test_a_delete_refused_because_the_unit_was_sold_meanwhile_says_so(manager_client, record):
    path = url("serial_delete", record)
    seen = shown(manager_client, path)
    SerialRecord.objects.filter(pk=record.pk).update(
        status=SerialStatus.SOLD, updated_at=timezone.now()
    )
    SerialEvent.objects.create(serial=record, kind=SerialEventKind.SOLD)
    response = manager_client.post(path, {TOKEN: seen})
    page = text(response)
    assert response.status_code == 200
    assert "changed after this page was shown (Sold on " in page
    assert "Sold units cannot be deleted or written off until they are returned." in page
    assert SerialRecord.objects.filter(pk=record.pk).exists()


def test_a_change_in_the_same_second_as_the_page_is_caught(manager_client, record, harbour):
    now = timezone.now().replace(microsecond=500_000)
    SerialRecord.objects.filter(pk=record.pk).update(updated_at=now)
    seen = shown(manager_client, url("serial_write_off", record))
    SerialRecord.objects.filter(pk=record.pk).update(
        outlet=harbour, updated_at=now + timedelta(microseconds=1)
    )
    response = manager_client.post(
        url("serial_write_off", record), {"reason": "Lost", TOKEN: seen}
    )
    assert response.status_code == 200
    assert "changed after this page was shown" in text(response)
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK


@pytest.mark.parametrize("token", [None, "", "yesterday", "2025-05-05T10:04:00"])
def test_a_form_without_a_usable_page_token_is_shown_again_with_the_current_state(
    manager_client, record, token
):
    data = {"reason": "Lost"} if token is None else {"reason": "Lost", TOKEN: token}
    response = manager_client.post(url("serial_write_off", record), data)
    page = text(response)
    assert response.status_code == 200
    assert "This page is out of date: check what it shows now and submit again." in page
    assert "Lost</textarea>" in page
    assert response.context["form"][TOKEN].value() == change_token([record])
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK


# Transfer: choices and the selection in the address


def outlet_choices(response):
    return [label for value, label in response.context["form"]["outlet"].field.widget.choices]


def test_transfer_offers_only_the_other_outlets(manager_client, record, harbour):
    OutletFactory(name="Airport")
    response = manager_client.get(TRANSFER_URL, {"serial": record.pk})
    page = text(response)
    assert response.status_code == 200
    assert ">Airport</option>" in page and ">Harbour Mall</option>" in page
    assert ">Main Street</option>" not in page
    assert outlet_choices(response)[1:] == ["Airport", "Harbour Mall"]


def test_units_at_two_outlets_may_go_to_either(manager_client, record, harbour):
    other = SerialRecordFactory(outlet=harbour)
    response = manager_client.get(TRANSFER_URL, {"serial": [record.pk, other.pk]})
    assert response.status_code == 200
    assert outlet_choices(response)[1:] == ["Harbour Mall", "Main Street"]


def test_a_transfer_to_the_units_own_outlet_is_still_refused(manager_client, record, main_street):
    seen = shown(manager_client, TRANSFER_URL, {"serial": record.pk})
    data = {"serial": record.pk, "outlet": main_street.pk, TOKEN: seen}
    response = manager_client.post(TRANSFER_URL, data)
    assert response.status_code == 200
    assert "The serial number is already at Main Street." in text(response)
    assert not record.events.exists()


@pytest.mark.parametrize(
    "junk", ["²", "٣", "99999999999999999999", "9223372036854775808", "-1", "0", "1e3", " 1"]
)
def test_a_selection_that_is_not_a_serial_id_is_ignored(manager_client, record, harbour, junk):
    response = manager_client.get(TRANSFER_URL, {"serial": junk})
    assert response.status_code == 200
    assert "No serial numbers selected." in text(response)

    response = manager_client.get(TRANSFER_URL, {"serial": [junk, record.pk]})
    assert response.status_code == 200
    assert list(response.context["serials"]) == [record]

    seen = change_token([record])
    response = manager_client.post(
        TRANSFER_URL, {"serial": junk, "outlet": harbour.pk, TOKEN: seen}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["serial"] == ["Select at least one serial number."]
    response = manager_client.post(
        TRANSFER_URL, {"serial": [junk, record.pk], "outlet": harbour.pk, TOKEN: seen}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.outlet == harbour


def test_the_largest_id_is_still_an_id(manager_client):
    response = manager_client.get(TRANSFER_URL, {"serial": str(2**63 - 1)})
    assert response.status_code == 200
    assert "No serial numbers selected." in text(response)
