"""claim_update's refusals by field, code and words, the database keeping what it had.

The claim page shows these words next to its fields; the API returns the codes.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory.models import SerialStatus
from sales.models import ClaimStatus, ClaimUpdate, WarrantyClaim
from sales.services import LineInput, claim_open, claim_update, sale_create
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    product = ProductFactory(name="Barista Pro", warranty_months=12)
    outlet = OutletFactory()
    unit = SerialRecordFactory(product=product, outlet=outlet, serial="CR-1")
    sale_create(
        outlet=outlet,
        customer=None,
        lines=[LineInput(product=product, quantity=1, serials=[unit.serial])],
        clerk=None,
        at=timezone.now() - timedelta(days=5),
    )
    return claim_open(serial=unit, fault_description="Leaks", user=None)


def refused(claim, **fields) -> ValidationError:
    updates = ClaimUpdate.objects.count()
    with pytest.raises(ValidationError) as error:
        claim_update(claim=claim, note=fields.pop("note", "Checked"), user=None, **fields)
    assert ClaimUpdate.objects.count() == updates
    return error.value


def field_error(error: ValidationError, field: str) -> tuple[str | None, list[str]]:
    [only] = error.error_dict[field]
    return only.code, only.messages


def test_an_unknown_status_is_refused_on_the_status_field(claim):
    error = refused(claim, status="fixed")
    assert field_error(error, "status") == ("invalid", ["Choose a status."])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


def test_a_closed_claim_refuses_any_update_naming_its_status(claim):
    claim_update(claim=claim, status=ClaimStatus.REJECTED, note="Misuse", user=None)

    error = refused(claim, status=ClaimStatus.OPEN)

    assert (error.code, error.messages) == ("claim_closed", ["This claim is closed (Rejected)."])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED


def test_resolved_replaced_needs_a_replacement_serial(claim):
    error = refused(claim, status=ClaimStatus.RESOLVED_REPLACED)
    assert field_error(error, "replacement_serial") == (
        "required",
        ["Enter the replacement serial number."],
    )


def test_the_replacement_must_be_another_unit(claim):
    error = refused(claim, status=ClaimStatus.RESOLVED_REPLACED, replacement_serial=claim.serial)
    assert field_error(error, "replacement_serial") == (
        "same_unit",
        ["The replacement must be another unit."],
    )


def test_the_replacement_must_be_of_the_claims_product(claim):
    other = SerialRecordFactory(product=ProductFactory(), outlet=claim.serial.outlet)

    error = refused(claim, status=ClaimStatus.RESOLVED_REPLACED, replacement_serial=other)

    assert field_error(error, "replacement_serial") == (
        "other_product",
        ["The replacement must be a Barista Pro."],
    )
    other.refresh_from_db()
    assert other.status == SerialStatus.IN_STOCK
    assert WarrantyClaim.objects.get(pk=claim.pk).status == ClaimStatus.OPEN
