"""Mark faulty and Reinstate on the serial page (Managers)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.services import product_update
from inventory.models import SerialEventKind, SerialRecord, SerialStatus, StockLevel
from inventory.services import serial_mark_faulty, serial_write_off, serials_transfer
from tests.factories import (
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TOKEN = "seen_updated_at"


@pytest.fixture
def record(main_street):
    product = ProductFactory(name="Barista Pro", sku="BP-1")
    StockLevelFactory(product=product, outlet=main_street, on_hand=3)
    return SerialRecordFactory(serial="AB-100", product=product, outlet=main_street)


@pytest.fixture
def faulty(record):
    SerialRecord.objects.filter(pk=record.pk).update(status=SerialStatus.FAULTY)
    record.refresh_from_db()
    return record


def url(name, serial):
    return reverse(f"inventory:{name}", args=[serial.pk])


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def shown(client, path):
    """The state token the page's form sends back: what the user saw when it loaded."""
    response = client.get(path)
    assert response.status_code == 200
    return response.context["form"][TOKEN].value()


def on_hand(serial):
    return StockLevel.objects.get(product=serial.product, outlet=serial.outlet).on_hand


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# Mark faulty


def test_the_serial_page_offers_mark_faulty_to_managers_for_a_unit_in_stock(
    manager_client, record
):
    response = manager_client.get(record.get_absolute_url())
    page = text(response)
    assert response.status_code == 200
    assert f'action="{url("serial_mark_faulty", record)}"' in page
    assert ">Mark faulty</button>" in page
    assert ">Reinstate</button>" not in page


def test_the_mark_faulty_page_shows_the_unit_and_a_note_field(manager_client, record):
    response = manager_client.get(url("serial_mark_faulty", record))
    page = text(response)
    assert response.status_code == 200
    assert (
        "Mark serial number faulty" in page
        and "Barista Pro (BP-1) · Main Street · In stock" in page
    )
    assert re.search(r'<label for="id_note"[^>]*>\s*Note', page)
    assert ">Mark faulty</button>" in page


def test_a_manager_marks_a_unit_faulty_with_a_note(manager_client, manager_user, record):
    seen = shown(manager_client, url("serial_mark_faulty", record))
    response = manager_client.post(
        url("serial_mark_faulty", record), {"note": "Steam wand leaks", TOKEN: seen}
    )
    assert response.status_code == 302
    assert response.url == record.get_absolute_url()
    assert message_texts(response) == ["Serial number “AB-100” marked faulty."]
    record.refresh_from_db()
    assert record.status == SerialStatus.FAULTY
    event = record.events.get()
    assert (event.kind, event.user, event.note) == (
        SerialEventKind.MARKED_FAULTY,
        manager_user,
        "Steam wand leaks",
    )
    assert (event.from_status, event.to_status) == (SerialStatus.IN_STOCK, SerialStatus.FAULTY)
    assert on_hand(record) == 2

    page = text(manager_client.get(response.url))
    assert "Marked faulty" in page and "In stock → Faulty" in page and "Steam wand leaks" in page
    assert ">Reinstate</button>" in page
    assert ">Mark faulty</button>" not in page


def test_a_unit_may_be_marked_faulty_without_a_note(manager_client, record):
    seen = shown(manager_client, url("serial_mark_faulty", record))
    response = manager_client.post(url("serial_mark_faulty", record), {"note": "", TOKEN: seen})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == SerialStatus.FAULTY
    assert record.events.get().note == ""


# Reinstate


def test_a_manager_reinstates_a_faulty_unit(manager_client, manager_user, faulty):
    page = text(manager_client.get(faulty.get_absolute_url()))
    assert f'action="{url("serial_reinstate", faulty)}"' in page
    assert ">Reinstate</button>" in page
    form = text(manager_client.get(url("serial_reinstate", faulty)))
    assert "Reinstate serial number" in form and ">Reinstate</button>" in form

    seen = shown(manager_client, url("serial_reinstate", faulty))
    response = manager_client.post(
        url("serial_reinstate", faulty), {"note": "Not faulty after all", TOKEN: seen}
    )
    assert response.status_code == 302
    assert response.url == faulty.get_absolute_url()
    assert message_texts(response) == ["Serial number “AB-100” reinstated: it is In stock again."]
    faulty.refresh_from_db()
    assert faulty.status == SerialStatus.IN_STOCK
    event = faulty.events.get()
    assert (event.kind, event.user, event.note) == (
        SerialEventKind.REINSTATED,
        manager_user,
        "Not faulty after all",
    )
    assert on_hand(faulty) == 4
    page = text(manager_client.get(response.url))
    assert "Reinstated" in page and "Faulty → In stock" in page


def test_marking_faulty_then_reinstating_leaves_the_count_as_it_was(manager_client, record):
    for name in ("serial_mark_faulty", "serial_reinstate"):
        seen = shown(manager_client, url(name, record))
        assert manager_client.post(url(name, record), {TOKEN: seen}).status_code == 302
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK
    assert on_hand(record) == 3
    kinds = list(record.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [SerialEventKind.MARKED_FAULTY, SerialEventKind.REINSTATED]


# Units whose status does not allow it


@pytest.mark.parametrize("status", [SerialStatus.SOLD, SerialStatus.WRITTEN_OFF])
def test_sold_or_written_off_units_offer_neither_button(manager_client, record, status):
    SerialRecord.objects.filter(pk=record.pk).update(status=status)
    response = manager_client.get(record.get_absolute_url())
    page = text(response)
    assert response.status_code == 200
    assert ">Edit</a>" in page
    assert "Mark faulty" not in page and "Reinstate" not in page


@pytest.mark.parametrize("status", [SerialStatus.SOLD, SerialStatus.WRITTEN_OFF])
def test_sold_or_written_off_units_cannot_be_marked_faulty(manager_client, record, status):
    SerialRecord.objects.filter(pk=record.pk).update(status=status)
    record.refresh_from_db()
    path = url("serial_mark_faulty", record)
    page = text(manager_client.get(path))
    assert f"This unit is {status.label}; only an In stock unit can be marked faulty." in page
    assert ">Mark faulty</button>" not in page

    response = manager_client.post(path, {"note": "Broken", TOKEN: shown(manager_client, path)})
    assert response.status_code == 200
    assert (
        f"Serial number “AB-100” is {status.label}; only an In stock unit can be marked faulty"
        in text(response)
    )
    record.refresh_from_db()
    assert record.status == status
    assert not record.events.exists()
    assert on_hand(record) == 3


@pytest.mark.parametrize("status", [SerialStatus.IN_STOCK, SerialStatus.SOLD])
def test_only_a_faulty_unit_can_be_reinstated(manager_client, record, status):
    SerialRecord.objects.filter(pk=record.pk).update(status=status)
    record.refresh_from_db()
    path = url("serial_reinstate", record)
    page = text(manager_client.get(path))
    assert f"This unit is {status.label}; only a Faulty unit can be reinstated." in page
    assert ">Reinstate</button>" not in page

    response = manager_client.post(path, {"note": "Fixed", TOKEN: shown(manager_client, path)})
    assert response.status_code == 200
    assert (
        f"Serial number “AB-100” is {status.label}; only a Faulty unit can be reinstated."
        in text(response)
    )
    record.refresh_from_db()
    assert record.status == status
    assert not record.events.exists()
    assert on_hand(record) == 3


# A change made from a page that showed an older state


def test_mark_faulty_from_an_older_page_is_refused_keeping_the_note(
    manager_client, record, harbour
):
    path = url("serial_mark_faulty", record)
    seen = shown(manager_client, path)
    alex = UserFactory(username="alex", password="!")
    serials_transfer(serials=[record], to_outlet=harbour, user=alex)

    response = manager_client.post(path, {"note": "Scratched casing", TOKEN: seen})
    page = text(response)
    assert response.status_code == 200
    assert "changed after this page was shown (Transferred to Harbour Mall by alex" in page
    assert "Scratched casing</textarea>" in page
    assert "Harbour Mall · In stock" in page
    fresh = response.context["form"][TOKEN].value()
    assert fresh != seen
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK

    # Submitted again from the page as it is now, it goes ahead.
    response = manager_client.post(path, {"note": "Scratched casing", TOKEN: fresh})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == SerialStatus.FAULTY


def test_reinstate_from_a_page_shown_before_the_unit_was_written_off_is_refused(
    manager_client, faulty
):
    path = url("serial_reinstate", faulty)
    seen = shown(manager_client, path)
    serial_write_off(serial=faulty, reason="Beyond repair", user=None)
    response = manager_client.post(path, {"note": "Repaired", TOKEN: seen})
    page = text(response)
    assert response.status_code == 200
    assert "changed after this page was shown (Written off on " in page
    assert ">Reinstate</button>" not in page
    faulty.refresh_from_db()
    assert faulty.status == SerialStatus.WRITTEN_OFF


@pytest.mark.parametrize("token", [None, "yesterday"])
def test_a_form_without_a_usable_page_token_is_refused_keeping_the_note(
    manager_client, record, token
):
    data = {"note": "Dented"} if token is None else {"note": "Dented", TOKEN: token}
    response = manager_client.post(url("serial_mark_faulty", record), data)
    page = text(response)
    assert response.status_code == 200
    assert "This page is out of date: check what it shows now and submit again." in page
    assert "Dented</textarea>" in page
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK


def test_a_note_longer_than_500_characters_is_refused_on_the_form(manager_client, record):
    path = url("serial_mark_faulty", record)
    response = manager_client.post(path, {"note": "x" * 501, TOKEN: shown(manager_client, path)})
    assert response.status_code == 200
    assert "Ensure this value has at most 500 characters (it has 501)." in text(response)
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK


# Permissions and methods


@pytest.mark.parametrize(
    ("name", "status"),
    [("serial_mark_faulty", SerialStatus.IN_STOCK), ("serial_reinstate", SerialStatus.FAULTY)],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_may_not_mark_faulty_or_reinstate(staff_client, record, name, status, method):
    SerialRecord.objects.filter(pk=record.pk).update(status=status)
    response = getattr(staff_client, method)(url(name, record), {"note": "x"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == status
    assert not record.events.exists()
    assert on_hand(record) == 3


@pytest.mark.parametrize("status", [SerialStatus.IN_STOCK, SerialStatus.FAULTY])
def test_staff_see_neither_button(staff_client, record, status):
    SerialRecord.objects.filter(pk=record.pk).update(status=status)
    response = staff_client.get(record.get_absolute_url())
    page = text(response)
    assert response.status_code == 200
    assert '<span class="serial-text">AB-100</span>' in page
    assert "Reinstate" not in page and "Mark faulty" not in page


@pytest.mark.parametrize("name", ["serial_mark_faulty", "serial_reinstate"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_sent_to_log_in(client, record, name, method):
    path = url(name, record)
    response = getattr(client, method)(path, {"note": "x"} if method == "post" else None)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={path}"
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK


@pytest.mark.parametrize("name", ["serial_mark_faulty", "serial_reinstate"])
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_changes_only_come_from_a_post(manager_client, record, name, method):
    response = getattr(manager_client, method)(url(name, record))
    assert response.status_code == 405
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK


@pytest.mark.parametrize("name", ["serial_mark_faulty", "serial_reinstate"])
def test_an_unknown_serial_is_not_found(manager_client, name):
    assert manager_client.get(reverse(f"inventory:{name}", args=[999_999])).status_code == 404


# Turning serial numbers off (the message says to mark units faulty first)


def test_a_unit_marked_faulty_no_longer_blocks_turning_serial_numbers_off(record, manager_user):
    product = record.product
    with pytest.raises(ValidationError) as refused:
        product_update(product=product, has_serial_numbers=False)
    assert refused.value.message_dict == {
        "has_serial_numbers": [
            "Serial numbers cannot be turned off: 1 serial number of this product is In "
            "stock. Sell it, write it off or mark it faulty first."
        ]
    }

    serial_mark_faulty(serial=record, note="Cracked", user=manager_user)
    product_update(product=product, has_serial_numbers=False)
    product.refresh_from_db()
    assert product.has_serial_numbers is False
