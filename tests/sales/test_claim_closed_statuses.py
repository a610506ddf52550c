"""Which claim statuses close a claim, as the claim page, the list and the Dashboard show it.

Each status is tried on its own, so a status dropped from (or added to) the
closed ones turns exactly its own cases red.
"""

import pytest
from django.urls import reverse

from sales.filters import OPEN_ANY
from sales.models import ClaimStatus
from sales.services import claim_open, claim_update
from tests.factories import SerialRecordFactory
from tests.sales.test_claims import sell

pytestmark = pytest.mark.django_db

LIST_URL = reverse("sales:claim_list")
DASHBOARD_URL = reverse("home")

CLOSED = [
    ClaimStatus.RESOLVED_REPAIRED,
    ClaimStatus.RESOLVED_REPLACED,
    ClaimStatus.RESOLVED_REFUNDED,
    ClaimStatus.REJECTED,
]
STILL_OPEN = [ClaimStatus.OPEN, ClaimStatus.IN_REPAIR, ClaimStatus.SENT_TO_SUPPLIER]
UPDATE_BUTTON = ">Update claim</button>"


def claim_in(status):
    """A claim moved to `status` through the service, as the claim page would move it."""
    unit, _sale = sell()
    claim = claim_open(serial=unit, fault_description="Does not heat up", user=None)
    if status == ClaimStatus.OPEN:
        return claim
    replacement = None
    if status == ClaimStatus.RESOLVED_REPLACED:
        replacement = SerialRecordFactory(product=unit.product, outlet=unit.outlet, serial="NEW-1")
    return claim_update(
        claim=claim, status=status, note="Done", user=None, replacement_serial=replacement
    )


def open_any(client):
    response = client.get(LIST_URL, {"status": OPEN_ANY})
    assert response.status_code == 200
    return [claim.pk for claim in response.context["object_list"]]


def dashboard_claims_lead(client):
    html = client.get(DASHBOARD_URL).content.decode()
    start = html.index('aria-labelledby="chart-claims-heading"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("status", CLOSED)
def test_a_claim_in_a_closed_status_offers_no_update_and_refuses_one(staff_client, status):
    claim = claim_in(status)

    page = staff_client.get(claim.get_absolute_url()).content.decode()
    posted = staff_client.post(
        claim.get_absolute_url(), {"status": ClaimStatus.IN_REPAIR, "note": "Try again"}
    )

    assert f'text-bg-secondary fs-6">{status.label}</span>' in page
    assert UPDATE_BUTTON not in page
    assert posted.status_code == 200
    assert f"This claim is closed ({status.label})." in posted.content.decode()
    claim.refresh_from_db()
    assert claim.status == status
    assert claim.updates.count() == 2  # opened, then closed; the refused update left none


@pytest.mark.parametrize("status", CLOSED)
def test_a_claim_in_a_closed_status_is_not_among_the_open_ones(staff_client, status):
    claim = claim_in(status)

    assert open_any(staff_client) == []
    listed = staff_client.get(LIST_URL, {"status": status.value}).context["object_list"]
    assert [c.pk for c in listed] == [claim.pk]
    assert "0 open claims" in dashboard_claims_lead(staff_client)


@pytest.mark.parametrize("status", STILL_OPEN)
def test_a_claim_still_needing_work_can_be_updated_and_counts_as_open(staff_client, status):
    claim = claim_in(status)

    page = staff_client.get(claim.get_absolute_url()).content.decode()

    assert f'text-bg-warning fs-6">{status.label}</span>' in page
    assert UPDATE_BUTTON in page
    assert open_any(staff_client) == [claim.pk]
    assert "1 open claim" in dashboard_claims_lead(staff_client)
