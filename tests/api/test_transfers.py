"""/api/v1/transfers/: read transfers, Send one (create), Receive on one."""

import pytest
from django.contrib.auth.models import Permission

from inventory.models import SerialRecord, SerialStatus, StockLevel, Transfer, TransferStatus
from inventory.services.transfers import transfer_send
from tests.api.helpers import codes, errors, token_client
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/transfers/"


@pytest.fixture
def main_street():
    return OutletFactory(name="Main Street")


@pytest.fixture
def harbour():
    return OutletFactory(name="Harbour Mall")


@pytest.fixture
def silvia(main_street):
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    for serial in ("S-1", "S-2", "S-3"):
        SerialRecordFactory(product=product, outlet=main_street, serial=serial)
    StockLevel.objects.create(product=product, outlet=main_street, on_hand=3)
    return product


@pytest.fixture
def cable(main_street):
    product = ProductFactory(name="Cable", sku="CB-1", has_serial_numbers=False)
    StockLevel.objects.create(product=product, outlet=main_street, on_hand=5)
    return product


def on_hand(product, outlet):
    level = StockLevel.objects.filter(product=product, outlet=outlet).first()
    return level.on_hand if level else 0


def test_staff_send_a_transfer_of_serials_and_a_quantity(
    staff_api, main_street, harbour, silvia, cable
):
    response = staff_api.post(
        URL,
        {
            "from_outlet": main_street.pk,
            "to_outlet": harbour.pk,
            "serials": ["S-1", "S-2"],
            "lines": [{"product": cable.pk, "quantity": 2}],
            "note": "Weekend",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    transfer = Transfer.objects.get()
    assert body["id"] == transfer.pk
    assert body["status"] == "in_transit"
    assert body["from_outlet"] == {"id": main_street.pk, "name": "Main Street"}
    assert body["to_outlet"] == {"id": harbour.pk, "name": "Harbour Mall"}
    assert body["sent_by"] == "till-1"
    assert body["overdue"] is False
    assert [
        (line["product"]["sku"], line["quantity"], line["received"]) for line in body["lines"]
    ] == [
        ("RS-1", 2, 0),
        ("CB-1", 2, 0),
    ]
    assert [(u["serial"], u["status"], u["received_at"]) for u in body["units"]] == [
        ("S-1", "in_transit", None),
        ("S-2", "in_transit", None),
    ]
    assert on_hand(silvia, main_street) == 1
    assert on_hand(cable, main_street) == 3


def test_a_refused_send_names_each_entry_and_saves_nothing(
    staff_api, main_street, harbour, silvia
):
    response = staff_api.post(
        URL,
        {"from_outlet": main_street.pk, "to_outlet": harbour.pk, "serials": ["S-1", "NOPE"]},
        format="json",
    )

    assert response.status_code == 400
    assert errors(response) == [
        {
            "code": "not_recorded",
            "message": "“NOPE” is not recorded.",
            "field": "serials",
            "entry": 2,
            "serial": "NOPE",
        }
    ]
    assert Transfer.objects.count() == 0
    assert SerialRecord.objects.filter(status=SerialStatus.IN_TRANSIT).count() == 0


def test_the_same_outlet_twice_is_refused(staff_api, main_street, silvia):
    response = staff_api.post(
        URL,
        {"from_outlet": main_street.pk, "to_outlet": main_street.pk, "serials": ["S-1"]},
        format="json",
    )

    assert response.status_code == 400
    assert "same_outlet" in codes(response)
    assert Transfer.objects.count() == 0


@pytest.fixture
def sent(main_street, harbour, silvia, cable, api_staff_user):
    from inventory.services.transfers import TransferQuantity

    return transfer_send(
        from_outlet=main_street,
        to_outlet=harbour,
        text="S-1\nS-2",
        quantities=[TransferQuantity(cable, 4)],
        user=api_staff_user,
    ).transfer


def test_staff_list_and_read_transfers(staff_api, sent):
    listed = staff_api.get(URL)
    one = staff_api.get(f"{URL}{sent.pk}/")

    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["results"]] == [sent.pk]
    assert one.status_code == 200
    assert len(one.json()["units"]) == 2
    assert staff_api.get(f"{URL}999999/").status_code == 404


def test_receive_takes_the_matched_serials_and_quantities(staff_api, sent, silvia, cable, harbour):
    cable_line = sent.lines.get(product=cable)

    response = staff_api.post(
        f"{URL}{sent.pk}/receive/",
        {"serials": ["S-1", "S-3"], "quantities": [{"line": cable_line.pk, "quantity": 4}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="receive-1",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["received"], body["quantity"]) == (1, 4)
    assert [m["serial"] for m in body["missing"]] == ["S-2"]
    assert [(u["serial"], u["code"]) for u in body["unexpected"]] == [("S-3", "not_on_transfer")]
    assert body["transfer"]["status"] == "partly_received"
    assert on_hand(silvia, harbour) == 1
    assert on_hand(cable, harbour) == 4
    # The same key again answers the same, and receives nothing more.
    again = staff_api.post(
        f"{URL}{sent.pk}/receive/",
        {"serials": ["S-1", "S-3"], "quantities": [{"line": cable_line.pk, "quantity": 4}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="receive-1",
    )
    assert again.status_code == 201
    assert on_hand(cable, harbour) == 4

    staff_api.post(f"{URL}{sent.pk}/receive/", {"serials": ["S-2"]}, format="json")

    sent.refresh_from_db()
    assert sent.status == TransferStatus.RECEIVED


def test_receiving_nothing_is_400(staff_api, sent):
    response = staff_api.post(f"{URL}{sent.pk}/receive/", {"serials": ["S-3"]}, format="json")

    assert response.status_code == 400
    assert codes(response) == ["nothing_to_receive", "not_on_transfer"]
    assert SerialRecord.objects.filter(status=SerialStatus.IN_TRANSIT).count() == 2


def test_each_action_needs_its_permission(sent, main_street, harbour):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_transfer"))
    api = token_client(viewer)
    nobody = token_client(UserFactory(username="nobody"))

    assert api.get(URL).status_code == 200
    assert nobody.get(URL).status_code == 403
    send = {"from_outlet": main_street.pk, "to_outlet": harbour.pk, "serials": ["S-3"]}
    assert api.post(URL, send, format="json").status_code == 403
    receive = api.post(f"{URL}{sent.pk}/receive/", {"serials": ["S-1"]}, format="json")
    assert receive.status_code == 403
    assert SerialRecord.objects.get(serial="S-1").status == SerialStatus.IN_TRANSIT
    assert Transfer.objects.count() == 1


def test_a_manager_closes_a_transfer_short_and_staff_may_not(
    sent, staff_api, manager_api, cable, harbour
):
    refused = staff_api.post(f"{URL}{sent.pk}/close/", {"reason": "Lost"}, format="json")
    assert refused.status_code == 403
    blank = manager_api.post(f"{URL}{sent.pk}/close/", {"reason": ""}, format="json")
    assert blank.status_code == 400
    assert SerialRecord.objects.filter(status=SerialStatus.IN_TRANSIT).count() == 2

    response = manager_api.post(
        f"{URL}{sent.pk}/close/", {"reason": "Lost by the courier"}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["closed_reason"]) == ("closed_short", "Lost by the courier")
    assert [(line["quantity"], line["never_arrived"]) for line in body["lines"]] == [
        (2, 0),
        (4, 4),
    ]
    assert {u["status"] for u in body["units"]} == {"written_off"}
    assert on_hand(cable, harbour) == 0
    again = manager_api.post(f"{URL}{sent.pk}/close/", {"reason": "Lost"}, format="json")
    assert again.status_code == 400
    assert codes(again) == ["transfer_closed"]
