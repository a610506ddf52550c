"""/api/v1/warranty-claims/: open a claim, move it on, Sales > Warranty claims."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialEventKind, SerialStatus
from sales.models import ClaimStatus, ClaimUpdate, SaleLineSerial, WarrantyClaim
from sales.services import LineInput, claim_open, claim_update, sale_create
from tests.api.helpers import codes, errors, token_client
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CLAIMS = reverse("api:claim-list")


def detail_url(pk) -> str:
    return reverse("api:claim-detail", args=[pk])


def status_url(pk) -> str:
    return reverse("api:claim-status", args=[pk])


def sell(*, serial="CLM-0001", days_ago=10, product=None, outlet=None, warranty_months=12):
    product = product or ProductFactory(
        name="Barista Pro", sku="BP-1", warranty_months=warranty_months
    )
    outlet = outlet or OutletFactory(name="Main Street")
    unit = SerialRecordFactory(product=product, outlet=outlet, serial=serial)
    sale = sale_create(
        outlet=outlet,
        customer=CustomerFactory(name="Alice Martin"),
        lines=[LineInput(product=product, quantity=1, serials=[serial])],
        clerk=None,
        at=timezone.now() - timedelta(days=days_ago),
    )
    unit.refresh_from_db()
    return unit, sale


def open_claim(unit, **extra):
    return claim_open(serial=unit, fault_description="Does not heat up", user=None, **extra)


# Who may ------------------------------------------------------------------------


CALLS = [
    ("get", "list"),
    ("post", "list"),
    ("get", "detail"),
    ("post", "status"),
]


def url_for(kind, claim) -> str:
    return {"list": CLAIMS, "detail": detail_url(claim.pk), "status": status_url(claim.pk)}[kind]


@pytest.mark.parametrize("method, kind", CALLS)
def test_an_anonymous_call_is_answered_401(anonymous_api, method, kind):
    unit, _sale = sell()
    claim = open_claim(unit)
    data = {"serial": unit.pk, "fault_description": "Noisy", "status": "in_repair"}

    response = getattr(anonymous_api, method)(url_for(kind, claim), data, format="json")

    assert response.status_code == 401
    assert codes(response) == ["not_authenticated"]
    claim.refresh_from_db()
    assert (claim.status, WarrantyClaim.objects.count()) == (ClaimStatus.OPEN, 1)


@pytest.mark.parametrize("method, kind", CALLS)
def test_a_user_without_the_claims_permissions_is_answered_403(method, kind):
    unit, _sale = sell()
    claim = open_claim(unit)
    api = token_client(UserFactory(username="no-role"))
    data = {"serial": unit.pk, "fault_description": "Noisy", "status": "in_repair"}

    response = getattr(api, method)(url_for(kind, claim), data, format="json")

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    claim.refresh_from_db()
    assert (claim.status, WarrantyClaim.objects.count()) == (ClaimStatus.OPEN, 1)


def test_changing_the_status_needs_the_change_permission_as_on_the_page():
    unit, _sale = sell()
    claim = open_claim(unit)
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_warrantyclaim"))
    api = token_client(viewer)

    read = api.get(detail_url(claim.pk))
    changed = api.post(status_url(claim.pk), {"status": "in_repair"}, format="json")

    assert read.status_code == 200
    assert (changed.status_code, codes(changed)) == (403, ["permission_denied"])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


@pytest.mark.parametrize(
    "method, kind",
    [("put", "detail"), ("patch", "detail"), ("delete", "detail"), ("get", "status")],
)
def test_a_wrong_method_is_405(staff_api, method, kind):
    unit, _sale = sell()
    claim = open_claim(unit)

    response = getattr(staff_api, method)(url_for(kind, claim), {}, format="json")

    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]


# Opening ------------------------------------------------------------------------


def test_a_claim_on_a_sold_unit_opens_for_its_customer(staff_api):
    unit, sale = sell()

    response = staff_api.post(
        CLAIMS, {"serial": unit.pk, "fault_description": " Does not heat up "}, format="json"
    )

    assert response.status_code == 201, response.json()
    claim = WarrantyClaim.objects.get()
    body = response.json()
    assert body["id"] == claim.pk
    assert body["serial"] == {
        "id": unit.pk,
        "serial": "CLM-0001",
        "product": {"id": unit.product_id, "name": "Barista Pro", "sku": "BP-1"},
    }
    assert body["sale"] == {"id": sale.pk, "number": str(sale.pk)}
    assert body["customer"] == {"id": sale.customer_id, "name": "Alice Martin"}
    assert (body["status"], body["warranty_expired"]) == ("open", False)
    assert body["fault_description"] == "Does not heat up"
    assert (body["opened_by"], body["replacement_serial"], body["replacement_sale"]) == (
        "till-1",
        None,
        None,
    )
    assert [(u["from_status"], u["to_status"], u["user"]) for u in body["updates"]] == [
        ("", "open", "till-1")
    ]
    assert unit.events.latest("id").kind == SerialEventKind.CLAIM_OPENED


def test_an_expired_warranty_needs_confirm_expired(staff_api):
    unit, _sale = sell(days_ago=400)
    data = {"serial": unit.pk, "fault_description": "Noisy"}

    refused = staff_api.post(CLAIMS, data, format="json")
    confirmed = staff_api.post(CLAIMS, {**data, "confirm_expired": True}, format="json")

    assert refused.status_code == 409
    assert codes(refused) == ["warranty_expired"]
    assert confirmed.status_code == 201
    assert confirmed.json()["warranty_expired"] is True
    assert WarrantyClaim.objects.count() == 1


def test_a_unit_not_sold_gets_no_claim(staff_api):
    unit = SerialRecordFactory(serial="IN-1")

    response = staff_api.post(
        CLAIMS, {"serial": unit.pk, "fault_description": "Noisy"}, format="json"
    )

    assert response.status_code == 400
    assert errors(response) == [
        {
            "code": "not_sold",
            "message": "“IN-1” is not sold to a customer, so no claim can be opened.",
        }
    ]
    assert not WarrantyClaim.objects.exists()


@pytest.mark.parametrize(
    "data, code, field",
    [
        ({"fault_description": "  "}, "required", "fault_description"),
        ({"fault_description": "x", "serial": 999_999}, "does_not_exist", "serial"),
        ({}, "required", "fault_description"),
    ],
)
def test_a_claim_without_what_it_needs_names_the_field(staff_api, data, code, field):
    unit, _sale = sell()

    response = staff_api.post(CLAIMS, {"serial": unit.pk, **data}, format="json")

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [(code, field)]
    assert not WarrantyClaim.objects.exists()


def test_a_retried_claim_with_the_same_key_opens_one_claim(staff_api):
    unit, _sale = sell()
    data = {"serial": unit.pk, "fault_description": "Noisy"}

    first = staff_api.post(CLAIMS, data, format="json", HTTP_IDEMPOTENCY_KEY="claim-0001")
    again = staff_api.post(CLAIMS, data, format="json", HTTP_IDEMPOTENCY_KEY="claim-0001")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert WarrantyClaim.objects.count() == 1


# Moving it on -------------------------------------------------------------------


def test_a_status_change_is_kept_with_its_note_and_is_on_the_units_history(staff_api):
    unit, _sale = sell()
    claim = open_claim(unit)

    response = staff_api.post(
        status_url(claim.pk), {"status": "in_repair", "note": "Sent to workshop"}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "in_repair"
    assert [(u["from_status"], u["to_status"], u["note"]) for u in body["updates"]] == [
        ("open", "in_repair", "Sent to workshop"),
        ("", "open", "Does not heat up"),
    ]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REPAIR
    update = ClaimUpdate.objects.latest("id")
    assert (update.user.username, update.note) == ("till-1", "Sent to workshop")
    event = unit.events.latest("id")
    assert (event.kind, event.document) == (SerialEventKind.CLAIM_UPDATED, claim)


def test_resolved_replaced_sells_the_replacement_at_no_charge(staff_api):
    unit, sale = sell()
    claim = open_claim(unit)
    spare = SerialRecordFactory(
        product=unit.product, outlet=OutletFactory(name="Harbour"), serial="SPARE-7"
    )

    response = staff_api.post(
        status_url(claim.pk),
        {"status": "resolved_replaced", "note": "Swapped", "replacement_serial": " spare-7 "},
        format="json",
    )

    assert response.status_code == 200, response.json()
    claim.refresh_from_db()
    spare.refresh_from_db()
    unit.refresh_from_db()
    replacement_sale = claim.replacement_sale
    assert response.json()["replacement_serial"] == {"id": spare.pk, "serial": "SPARE-7"}
    assert response.json()["replacement_sale"] == {
        "id": replacement_sale.pk,
        "number": str(replacement_sale.pk),
    }
    assert claim.status == ClaimStatus.RESOLVED_REPLACED
    assert (replacement_sale.customer, replacement_sale.total) == (sale.customer, 0)
    assert (spare.status, unit.status) == (SerialStatus.SOLD, SerialStatus.FAULTY)
    assert SaleLineSerial.objects.get(serial=unit).returned_at is not None


@pytest.mark.parametrize(
    "typed, code",
    [
        (None, "required"),
        ("NOPE-404", "not_found"),
        ("SOLD-2", "not_in_stock"),
        ("OTHER-1", "other_product"),
        ("CLM-0001", "same_unit"),
    ],
)
def test_a_replacement_that_cannot_be_one_is_refused_on_its_field(staff_api, typed, code):
    unit, _sale = sell()
    sell(serial="SOLD-2", product=unit.product, outlet=unit.outlet)
    SerialRecordFactory(product=ProductFactory(name="Grinder"), serial="OTHER-1")
    claim = open_claim(unit)

    response = staff_api.post(
        status_url(claim.pk),
        {"status": "resolved_replaced", "replacement_serial": typed},
        format="json",
    )

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [(code, "replacement_serial")]
    claim.refresh_from_db()
    unit.refresh_from_db()
    assert (claim.status, unit.status) == (ClaimStatus.OPEN, SerialStatus.SOLD)


def test_a_replacement_serial_is_only_for_resolved_replaced(staff_api):
    unit, _sale = sell()
    claim = open_claim(unit)

    response = staff_api.post(
        status_url(claim.pk),
        {"status": "in_repair", "replacement_serial": "SPARE-1"},
        format="json",
    )

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [
        ("not_replacing", "replacement_serial")
    ]


def test_a_closed_claim_refuses_a_status_change(staff_api):
    unit, _sale = sell()
    claim = open_claim(unit)
    claim_update(claim=claim, status=ClaimStatus.REJECTED, note="Water damage", user=None)

    response = staff_api.post(status_url(claim.pk), {"status": "in_repair"}, format="json")

    assert response.status_code == 400
    assert errors(response) == [
        {"code": "claim_closed", "message": "This claim is closed (Rejected)."}
    ]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED


@pytest.mark.parametrize(
    "data, code, field",
    [
        ({"status": "fixed"}, "invalid_choice", "status"),
        ({}, "required", "status"),
        ({"status": "open"}, "nothing_to_change", None),
    ],
)
def test_a_status_change_that_is_not_one_is_refused(staff_api, data, code, field):
    unit, _sale = sell()
    claim = open_claim(unit)

    response = staff_api.post(status_url(claim.pk), data, format="json")

    assert response.status_code == 400
    assert [(e["code"], e.get("field")) for e in errors(response)] == [(code, field)]
    assert ClaimUpdate.objects.count() == 1


def test_the_status_of_a_claim_that_is_not_there_is_404(staff_api):
    response = staff_api.post(status_url(999_999), {"status": "in_repair"}, format="json")

    assert response.status_code == 404
    assert codes(response) == ["not_found"]


# Reading ------------------------------------------------------------------------


def test_the_list_filters_as_the_claims_page_does(staff_api):
    first, _sale = sell(serial="AB-1")
    harbour = OutletFactory(name="Harbour")
    second, _sale = sell(serial="AB-2", product=first.product, outlet=harbour)
    early = claim_open(
        serial=first,
        fault_description="Noisy",
        user=None,
        at=timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time()))
        - timedelta(days=3),
    )
    late = open_claim(second)
    claim_update(claim=early, status=ClaimStatus.REJECTED, note="No fault", user=None)
    today = timezone.localdate()

    def ids(**query):
        response = staff_api.get(CLAIMS, query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [late.pk, early.pk]
    assert ids(status="open_any") == [late.pk]
    assert ids(status="rejected") == [early.pk]
    assert ids(outlet=harbour.pk) == [late.pk]
    assert ids(serial="ab-1") == [early.pk]
    assert ids(customer="alice") == [late.pk, early.pk]
    assert ids(opened_from=today.isoformat()) == [late.pk]
    assert ids(opened_to=(today - timedelta(days=1)).isoformat()) == [early.pk]


def test_a_claim_reads_in_the_same_queries_whatever_its_updates(staff_api):
    product, outlet, clerk = ProductFactory(), OutletFactory(), UserFactory()
    staff_api.get(CLAIMS)  # the first call writes the token's last use

    def queries_for(count) -> int:
        unit, _sale = sell(serial=f"Q-{count}", product=product, outlet=outlet)
        claim = open_claim(unit)
        for n in range(count - 1):
            claim_update(claim=claim, status=ClaimStatus.IN_REPAIR, note=f"note {n}", user=clerk)
        with CaptureQueriesContext(connection) as queries:
            response = staff_api.get(detail_url(claim.pk))
        assert len(response.json()["updates"]) == count
        return len(queries)

    assert queries_for(2) == queries_for(12)


# A scanned replacement (issue 19) ---------------------------------------------------

GTIN = "09506000134352"


def test_a_scanned_replacement_serial_replaces_with_the_unit_of_its_serial(staff_api):
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=GTIN)
    unit, _sale = sell(product=product)
    claim = open_claim(unit)
    spare = SerialRecordFactory(product=product, outlet=unit.outlet, serial="SPARE-7")
    body = {
        "status": "resolved_replaced",
        "note": "Swapped",
        "replacement_serial": f"\x1d01{GTIN}21SPARE-7",
    }

    response = staff_api.post(status_url(claim.pk), body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["replacement_serial"] == {"id": spare.pk, "serial": "SPARE-7"}


def test_a_replacement_scan_of_another_product_is_a_400_naming_both(staff_api):
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=GTIN)
    ProductFactory(name="Bosch Kettle", sku="BK-1", barcode="09520123456788")
    unit, _sale = sell(product=product)
    claim = open_claim(unit)
    SerialRecordFactory(product=product, outlet=unit.outlet, serial="SPARE-7")
    body = {"status": "resolved_replaced", "replacement_serial": "(01)09520123456788(21)SPARE-7"}

    response = staff_api.post(status_url(claim.pk), body, format="json")

    assert response.status_code == 400
    [error] = errors(response)
    assert (error["code"], error["field"]) == ("gtin_other_product", "replacement_serial")
    assert error["message"].startswith(
        "“SPARE-7”: The scan is of Bosch Kettle (BK-1), not Rancilio Silvia (RS-1)."
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN
