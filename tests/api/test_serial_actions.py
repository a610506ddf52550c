"""The serial page's actions in the API: edit, transfer, write off, faulty, delete, history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import SerialEvent, SerialEventKind, SerialRecord, SerialStatus
from sales.services.claims import claim_open
from sales.services.returns import return_create
from tests.api.test_serials import HOSTILE_IDS, codes, sell
from tests.factories import CustomerFactory, OutletFactory, ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    main = OutletFactory(name="Main Street")
    harbour = OutletFactory(name="Harbour Mall")
    product = ProductFactory(name="Barista Pro", sku="BP-1")
    return main, harbour, product


@pytest.fixture
def unit(shop):
    main, _harbour, product = shop
    return SerialRecordFactory(serial="SN-1", product=product, outlet=main, notes="Boxed")


def url(name: str, unit_or_pk) -> str:
    return reverse(f"api:serial-{name}", args=[getattr(unit_or_pk, "pk", unit_or_pk)])


def stamp(api, unit) -> str:
    """The updated_at a client read, to send back with a change."""
    return api.get(url("detail", unit)).json()["updated_at"]


def stale(unit) -> str:
    return (unit.updated_at - timedelta(seconds=1)).isoformat()


# Who may: the page's permission for each action ----------------------------------

ACTIONS = [
    ("patch", "detail", {"notes": "x"}),
    ("delete", "detail", {}),
    ("post", "transfer", {"outlet": 1}),
    ("post", "write-off", {"reason": "Lost"}),
    ("post", "mark-faulty", {}),
    ("post", "reinstate", {}),
]


@pytest.mark.parametrize(("method", "name", "data"), ACTIONS)
def test_an_anonymous_change_is_answered_401(anonymous_api, unit, method, name, data):
    response = getattr(anonymous_api, method)(url(name, unit), data, format="json")

    assert response.status_code == 401
    assert codes(response) == ["not_authenticated"]
    assert SerialRecord.objects.get(pk=unit.pk).updated_at == unit.updated_at


@pytest.mark.parametrize(("method", "name", "data"), ACTIONS)
def test_a_staff_token_cannot_change_a_unit_as_staff_cannot_on_its_page(
    staff_api, unit, shop, method, name, data
):
    response = getattr(staff_api, method)(url(name, unit), data, format="json")

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    unit.refresh_from_db()
    assert (unit.serial, unit.notes, unit.status, unit.outlet) == (
        "SN-1",
        "Boxed",
        SerialStatus.IN_STOCK,
        shop[0],
    )


def test_a_staff_token_cannot_transfer_several(staff_api, unit, shop):
    response = staff_api.post(
        reverse("api:serial-transfer-many"),
        {"serials": [unit.pk], "outlet": shop[1].pk},
        format="json",
    )

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]


@pytest.mark.parametrize("name", ["transfer", "write-off", "mark-faulty", "reinstate"])
def test_get_on_an_action_is_405(manager_api, unit, name):
    response = manager_api.get(url(name, unit))

    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]


@pytest.mark.parametrize("pk", HOSTILE_IDS)
@pytest.mark.parametrize("name", ["transfer", "write-off", "mark-faulty", "reinstate", "history"])
def test_an_action_on_no_units_id_is_404(manager_api, shop, name, pk):
    path = url(name, 1).replace("/1/", f"/{pk}/")
    method = manager_api.get if name == "history" else manager_api.post

    response = method(path, {"outlet": shop[1].pk, "reason": "Lost"}, format="json")

    assert response.status_code == 404
    assert codes(response) == ["not_found"]


# Edit (PATCH) ------------------------------------------------------------------------


def test_a_manager_corrects_a_serials_text_and_notes(manager_api, unit):
    response = manager_api.patch(
        url("detail", unit), {"serial": " SN-1A ", "notes": "Open box"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["serial"], response.json()["notes"]) == ("SN-1A", "Open box")
    unit.refresh_from_db()
    assert (unit.serial, unit.serial_normalised, unit.notes) == ("SN-1A", "sn-1a", "Open box")
    event = unit.events.get()
    assert (event.kind, event.user.username) == (SerialEventKind.EDITED, "script-1")
    assert response.json()["updated_at"] != stale(unit)


def test_patching_only_the_notes_keeps_the_serial(manager_api, unit):
    response = manager_api.patch(url("detail", unit), {"notes": "Scratched"}, format="json")

    assert response.status_code == 200
    unit.refresh_from_db()
    assert (unit.serial, unit.notes) == ("SN-1", "Scratched")


def test_patching_only_the_serial_keeps_the_notes(manager_api, unit):
    response = manager_api.patch(url("detail", unit), {"serial": "SN-2"}, format="json")

    assert response.status_code == 200
    unit.refresh_from_db()
    assert (unit.serial, unit.notes) == ("SN-2", "Boxed")


def test_an_edit_leaving_out_the_notes_never_undoes_notes_changed_a_moment_before(
    manager_api, unit, monkeypatch
):
    from inventory import services

    real_update = services.serial_update

    def someone_else_edits_first(**kwargs):
        # Another user saves new notes after the API read the unit, before its lock.
        other = SerialRecord.objects.get(pk=unit.pk)
        real_update(serial=other, text=other.serial, notes="Changed by mia", user=None)
        return real_update(**kwargs)

    monkeypatch.setattr(services, "serial_update", someone_else_edits_first)

    response = manager_api.patch(url("detail", unit), {"serial": "SN-1B"}, format="json")

    assert response.status_code == 409
    assert codes(response) == ["changed_meanwhile"]
    unit.refresh_from_db()
    assert (unit.serial, unit.notes) == ("SN-1", "Changed by mia")


def test_a_serial_taken_by_another_unit_of_the_product_is_refused_as_duplicate(
    manager_api, unit, shop
):
    SerialRecordFactory(serial="SN-9", product=shop[2], outlet=shop[1])

    response = manager_api.patch(url("detail", unit), {"serial": "sn-9"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "duplicate",
            "message": "Serial number “SN-9” is already recorded for this product, "
            "at Harbour Mall (In stock).",
        }
    ]
    unit.refresh_from_db()
    assert unit.serial == "SN-1"


def test_a_serial_with_a_comma_is_refused_with_the_pages_code(manager_api, unit):
    response = manager_api.patch(url("detail", unit), {"serial": "A,B"}, format="json")

    assert response.status_code == 400
    assert codes(response) == ["comma"]


def test_an_edit_sent_with_the_updated_at_last_read_is_saved(manager_api, unit):
    seen = stamp(manager_api, unit)

    response = manager_api.patch(
        url("detail", unit), {"notes": "Checked", "updated_at": seen}, format="json"
    )

    assert response.status_code == 200
    unit.refresh_from_db()
    assert unit.notes == "Checked"


def test_an_edit_of_a_unit_changed_since_it_was_read_is_refused_409(manager_api, unit):
    response = manager_api.patch(
        url("detail", unit), {"notes": "Mine", "updated_at": stale(unit)}, format="json"
    )

    assert response.status_code == 409
    assert codes(response) == ["changed_meanwhile"]
    unit.refresh_from_db()
    assert unit.notes == "Boxed"


@pytest.mark.parametrize(
    ("updated_at", "code"),
    [
        ("yesterday", "invalid"),
        ("0001-01-01T00:00:00+14:00", "min_value"),
        ("9999-12-31T23:59:59-12:00", "max_value"),
        (["2024-01-01T00:00:00Z"], "invalid"),
    ],
)
def test_an_updated_at_that_is_no_time_in_range_is_a_400_on_it(
    manager_api, unit, updated_at, code
):
    response = manager_api.patch(
        url("detail", unit), {"notes": "x", "updated_at": updated_at}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "updated_at"
    assert codes(response)[0] in {code, "overflow"}
    unit.refresh_from_db()
    assert unit.notes == "Boxed"


@pytest.mark.parametrize("notes", [["a"], 5, {"x": 1}])
def test_notes_that_are_not_text_are_a_400(manager_api, unit, notes):
    response = manager_api.patch(url("detail", unit), {"notes": notes}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "invalid",
        "message": "Not a valid string.",
        "field": "notes",
    }


# Transfer ---------------------------------------------------------------------------


def test_a_manager_transfers_a_unit_and_gets_its_page_back(manager_api, unit, shop):
    _main, harbour, _product = shop

    response = manager_api.post(
        url("transfer", unit), {"outlet": harbour.pk, "note": "For the window"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["outlet"] == {"id": harbour.pk, "name": "Harbour Mall"}
    unit.refresh_from_db()
    assert unit.outlet == harbour
    event = unit.events.get()
    assert (event.kind, event.from_outlet, event.to_outlet, event.note) == (
        SerialEventKind.TRANSFERRED,
        shop[0],
        harbour,
        "For the window",
    )


def test_a_transfer_to_where_the_unit_is_is_refused(manager_api, unit, shop):
    response = manager_api.post(url("transfer", unit), {"outlet": shop[0].pk}, format="json")

    assert response.status_code == 400
    assert codes(response) == ["already_there"]


def test_a_sold_unit_cannot_be_transferred(manager_api, unit, shop):
    sell(unit)

    response = manager_api.post(url("transfer", unit), {"outlet": shop[1].pk}, format="json")

    assert response.status_code == 400
    assert codes(response) == ["not_movable"]
    unit.refresh_from_db()
    assert unit.outlet == shop[0]


def test_a_transfer_to_an_inactive_outlet_is_refused(manager_api, unit):
    closed = OutletFactory(is_active=False)

    response = manager_api.post(url("transfer", unit), {"outlet": closed.pk}, format="json")

    assert response.status_code == 400
    assert codes(response) == ["inactive_outlet"]


def test_a_transfer_of_a_unit_changed_since_it_was_read_is_refused_409(manager_api, unit, shop):
    response = manager_api.post(
        url("transfer", unit),
        {"outlet": shop[1].pk, "updated_at": stale(unit)},
        format="json",
    )

    assert response.status_code == 409
    assert codes(response) == ["changed_meanwhile"]
    unit.refresh_from_db()
    assert unit.outlet == shop[0]


@pytest.mark.parametrize("outlet", [None, "\u0661", 10**25, "two"])
def test_a_transfer_to_no_outlet_is_a_400_on_outlet(manager_api, unit, outlet):
    response = manager_api.post(url("transfer", unit), {"outlet": outlet}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "outlet"


def test_a_note_longer_than_the_pages_is_refused(manager_api, unit, shop):
    response = manager_api.post(
        url("transfer", unit), {"outlet": shop[1].pk, "note": "n" * 501}, format="json"
    )

    assert response.status_code == 400
    assert (codes(response), response.json()["errors"][0]["field"]) == (["max_length"], "note")


def test_a_manager_transfers_several_units_at_once(manager_api, shop):
    main, harbour, product = shop
    units = [SerialRecordFactory(product=product, outlet=main) for _ in range(3)]

    response = manager_api.post(
        reverse("api:serial-transfer-many"),
        {"serials": [u.pk for u in units[:2]], "outlet": harbour.pk},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"count": 2, "outlet": {"id": harbour.pk, "name": "Harbour Mall"}}
    outlets = [SerialRecord.objects.get(pk=u.pk).outlet for u in units]
    assert outlets == [harbour, harbour, main]


def test_transferring_several_with_an_unknown_id_moves_none(manager_api, unit, shop):
    response = manager_api.post(
        reverse("api:serial-transfer-many"),
        {"serials": [unit.pk, 2**63 - 1], "outlet": shop[1].pk},
        format="json",
    )

    assert response.status_code == 400
    assert codes(response) == ["not_found"]
    unit.refresh_from_db()
    assert unit.outlet == shop[0]


@pytest.mark.parametrize(
    ("serials", "field"),
    [([], "serials"), ("1,2", "serials"), ([1, "\u0662"], "serials.1"), ([-1], "serials.0")],
)
def test_transferring_several_needs_a_list_of_ids(manager_api, shop, serials, field):
    response = manager_api.post(
        reverse("api:serial-transfer-many"),
        {"serials": serials, "outlet": shop[1].pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


# Write off, Mark faulty, Reinstate ------------------------------------------------------


def test_a_manager_writes_off_a_unit_with_a_reason(manager_api, unit):
    response = manager_api.post(url("write-off", unit), {"reason": "Stolen"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "written_off"
    unit.refresh_from_db()
    assert unit.status == SerialStatus.WRITTEN_OFF
    assert unit.events.get().note == "Stolen"


def test_a_write_off_without_a_reason_is_refused(manager_api, unit):
    missing = manager_api.post(url("write-off", unit), {}, format="json")
    blank = manager_api.post(url("write-off", unit), {"reason": "  "}, format="json")

    assert (missing.status_code, missing.json()["errors"][0]["field"]) == (400, "reason")
    assert codes(missing) == ["required"]
    assert (blank.status_code, codes(blank)) == (400, ["reason_required"])
    unit.refresh_from_db()
    assert unit.status == SerialStatus.IN_STOCK


def test_a_sold_unit_cannot_be_written_off(manager_api, unit):
    sell(unit)

    response = manager_api.post(url("write-off", unit), {"reason": "Lost"}, format="json")

    assert response.status_code == 400
    assert codes(response) == ["not_writable_off"]


def test_a_manager_marks_a_unit_faulty_then_reinstates_it(manager_api, unit):
    faulty = manager_api.post(url("mark-faulty", unit), {"note": "No power"}, format="json")
    unit.refresh_from_db()
    status_between = unit.status
    reinstated = manager_api.post(url("reinstate", unit), {}, format="json")

    assert (faulty.status_code, faulty.json()["status"]) == (200, "faulty")
    assert status_between == SerialStatus.FAULTY
    assert (reinstated.status_code, reinstated.json()["status"]) == (200, "in_stock")
    unit.refresh_from_db()
    assert unit.status == SerialStatus.IN_STOCK
    assert [e.kind for e in unit.events.order_by("id")] == [
        SerialEventKind.MARKED_FAULTY,
        SerialEventKind.REINSTATED,
    ]


def test_only_an_in_stock_unit_is_marked_faulty_and_only_a_faulty_one_reinstated(
    manager_api, unit
):
    reinstate = manager_api.post(url("reinstate", unit), {}, format="json")
    sell(unit)
    mark = manager_api.post(url("mark-faulty", unit), {}, format="json")

    assert (reinstate.status_code, codes(reinstate)) == (400, ["not_faulty"])
    assert (mark.status_code, codes(mark)) == (400, ["not_in_stock"])


def test_marking_a_unit_changed_since_it_was_read_is_refused_409(manager_api, unit):
    response = manager_api.post(
        url("mark-faulty", unit), {"updated_at": stale(unit)}, format="json"
    )

    assert response.status_code == 409
    assert codes(response) == ["changed_meanwhile"]
    unit.refresh_from_db()
    assert unit.status == SerialStatus.IN_STOCK


# Delete ---------------------------------------------------------------------------------


def test_a_manager_deletes_a_unit_recorded_by_mistake(manager_api, unit):
    response = manager_api.delete(url("detail", unit))

    assert response.status_code == 204
    assert not SerialRecord.objects.filter(pk=unit.pk).exists()


def test_a_sold_unit_cannot_be_deleted(manager_api, unit):
    sell(unit)

    response = manager_api.delete(url("detail", unit))

    assert response.status_code == 400
    assert codes(response) == ["was_sold"]
    assert SerialRecord.objects.filter(pk=unit.pk).exists()


def test_a_delete_checks_the_updated_at_sent_in_the_query_string(manager_api, unit):
    old = manager_api.delete(
        url("detail", unit) + "?updated_at=" + stale(unit).replace("+", "%2B")
    )
    current = manager_api.delete(
        url("detail", unit), {"updated_at": stamp(manager_api, unit)}, format="json"
    )

    assert (old.status_code, codes(old)) == (409, ["changed_meanwhile"])
    assert current.status_code == 204
    assert not SerialRecord.objects.filter(pk=unit.pk).exists()


def test_deleting_no_unit_is_404(manager_api):
    response = manager_api.delete(url("detail", 2**63 - 1))

    assert response.status_code == 404
    assert codes(response) == ["not_found"]


# History ----------------------------------------------------------------------------


def test_a_staff_token_reads_a_units_history_newest_first_ending_with_how_it_was_added(
    staff_api, manager_api, unit, shop
):
    main, harbour, product = shop
    manager_api.post(url("transfer", unit), {"outlet": harbour.pk, "note": "Window"})
    customer = CustomerFactory()
    sale = sell(SerialRecord.objects.get(pk=unit.pk), customer=customer)
    returned = return_create(
        serial=SerialRecord.objects.get(pk=unit.pk),
        reason="unwanted",
        outcome="restock",
        outlet=harbour,
        refund_amount=Decimal("0"),
        clerk=None,
    )
    sell(SerialRecord.objects.get(pk=unit.pk), customer=customer)
    claim = claim_open(serial=unit, fault_description="No steam", user=None)

    response = staff_api.get(url("history", unit))

    assert response.status_code == 200
    body = response.json()
    lines = body["results"]
    assert body["total"] == len(lines) == 6
    assert body["next"] is None
    assert [line["kind"] for line in lines] == [
        "claim_opened",
        "sold",
        "returned",
        "sold",
        "transferred",
        "added",
    ]
    assert (lines[0]["claim"], lines[0]["sale"], lines[0]["return"]) == (claim.pk, None, None)
    assert (lines[2]["return"], lines[2]["sale"]) == (returned.pk, None)
    assert lines[3]["sale"] == sale.pk
    transfer = lines[4]
    assert transfer == {
        "id": SerialEvent.objects.get(kind="transferred").pk,
        "kind": "transferred",
        "kind_display": "Transferred",
        "at": transfer["at"],
        "user": "script-1",
        "from_outlet": {"id": main.pk, "name": "Main Street"},
        "to_outlet": {"id": harbour.pk, "name": "Harbour Mall"},
        "from_status": "",
        "to_status": "",
        "note": "Window",
        "sale": None,
        "return": None,
        "claim": None,
        "transfer": None,
        "supplier_return": None,
        "inventory_count": None,
    }
    added = lines[5]
    assert (added["id"], added["kind_display"], added["to_outlet"]["id"]) == (
        None,
        "Added",
        main.pk,
    )


def test_history_pages_follow_next_without_repeating_a_line(manager_api, unit, shop):
    main, harbour, _product = shop
    for n in range(5):
        manager_api.post(url("transfer", unit), {"outlet": (harbour, main)[n % 2].pk})

    seen, link, totals = [], url("history", unit) + "?page_size=2", set()
    while link:
        page = manager_api.get(link).json()
        seen.extend(line["kind"] for line in page["results"])
        totals.add(page["total"])
        link = page["next"]

    assert seen == ["transferred"] * 5 + ["added"]
    assert totals == {6}


@pytest.mark.parametrize("cursor", ["abc", "-1", "\u0661", "99999999999999999999999"])
def test_a_history_cursor_that_is_no_event_is_404(staff_api, unit, cursor):
    response = staff_api.get(url("history", unit), {"cursor": cursor})

    assert response.status_code == 404
    assert codes(response) == ["not_found"]


def test_a_history_cursor_from_another_units_history_is_404(manager_api, unit, shop):
    other = SerialRecordFactory(product=shop[2], outlet=shop[0])
    manager_api.post(url("transfer", other), {"outlet": shop[1].pk})

    response = manager_api.get(
        url("history", unit), {"cursor": SerialEvent.objects.get(serial=other).pk}
    )

    assert response.status_code == 404


def test_history_needs_the_view_permission(anonymous_api, unit):
    from tests.api.helpers import token_client
    from tests.factories import UserFactory

    nobody = token_client(UserFactory(username="no-role"))

    assert anonymous_api.get(url("history", unit)).status_code == 401
    assert codes(nobody.get(url("history", unit))) == ["permission_denied"]


def test_post_on_history_is_405(manager_api, unit):
    response = manager_api.post(url("history", unit))

    assert response.status_code == 405
