"""Send to supplier from a warranty claim, and the claim after the supplier's outcome."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory.models import (
    SerialRecord,
    SerialStatus,
    StockLevel,
    SupplierReturn,
    SupplierReturnReason,
)
from inventory.services.supplier_returns import supplier_return_resolve
from sales.models import ClaimStatus, SaleLineSerial, WarrantyClaim
from sales.services import claim_open, claim_update
from sales.services.claims import claim_send_to_supplier
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    SupplierFactory,
    UserFactory,
    unit_sold,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier():
    return SupplierFactory(name="Acme Coffee Supply")


@pytest.fixture
def main_street():
    return OutletFactory(name="Main Street")


@pytest.fixture
def product(supplier):
    return ProductFactory(name="Barista Pro", sku="BP-1", supplier=supplier)


@pytest.fixture
def claim(product, main_street):
    unit, _sale = unit_sold(
        product=product,
        outlet=main_street,
        serial="CLM-1",
        at=timezone.now() - timedelta(days=10),
    )
    return claim_open(serial=unit, fault_description="Does not heat up", user=None)


@pytest.fixture
def mia():
    return UserFactory(username="mia", groups=["Managers"])


def sent_claim(claim, supplier, user):
    claim_send_to_supplier(claim=claim, supplier=supplier, supplier_reference="RMA-5", user=user)
    claim.refresh_from_db()
    return claim


def resolve(claim, user, outcome, **kwargs):
    row = claim.supplier_return.units.get()
    return supplier_return_resolve(
        supplier_return=claim.supplier_return, unit_id=row.pk, outcome=outcome, user=user, **kwargs
    )


def test_a_manager_sends_the_claims_unit_from_its_page_and_both_pages_link(
    manager_client, claim, supplier
):
    page = manager_client.get(claim.get_absolute_url()).content.decode()
    assert "Send to supplier" in page
    assert f'<option value="{supplier.pk}" selected>Acme Coffee Supply</option>' in page

    response = manager_client.post(
        claim.get_absolute_url(),
        {
            "send_to_supplier": "1",
            "send-supplier": str(supplier.pk),
            "send-supplier_reference": "RMA-5",
            "send-note": "Heater",
        },
        follow=True,
    )

    claim.refresh_from_db()
    sent = claim.supplier_return
    assert sent is not None
    assert response.redirect_chain == [(claim.get_absolute_url(), 302)]
    page = response.content.decode()
    assert f"Warranty claim {claim.pk} sent to the supplier on Supplier return {sent.pk}." in page
    assert f'<a href="{sent.get_absolute_url()}">Supplier return {sent.pk}</a>' in page
    assert claim.status == ClaimStatus.SENT_TO_SUPPLIER
    update = claim.updates.order_by("-pk").first()
    assert (update.from_status, update.to_status) == (ClaimStatus.OPEN, "sent_to_supplier")
    assert update.note == f"Supplier return {sent.pk}. Heater"
    assert (sent.reason, sent.supplier_reference) == (SupplierReturnReason.WARRANTY, "RMA-5")
    assert sent.outlet == claim.serial.outlet
    row = sent.units.get()
    assert (row.serial_id, row.from_status) == (claim.serial_id, SerialStatus.SOLD)
    unit = SerialRecord.objects.get(pk=claim.serial_id)
    assert unit.status == SerialStatus.AT_SUPPLIER
    # The customer still owns it: its sale link stays open.
    assert SaleLineSerial.objects.filter(serial=unit, returned_at__isnull=True).exists()
    return_page = manager_client.get(sent.get_absolute_url()).content.decode()
    assert f'<a href="{claim.get_absolute_url()}">Warranty claim {claim.pk}</a>' in return_page


def test_staff_get_no_send_to_supplier_and_are_refused(staff_client, claim, supplier):
    page = staff_client.get(claim.get_absolute_url()).content.decode()
    assert "Update claim" in page
    assert "Send to supplier</button>" not in page

    response = staff_client.post(
        claim.get_absolute_url(), {"send_to_supplier": "1", "send-supplier": str(supplier.pk)}
    )

    assert response.status_code == 403
    assert not SupplierReturn.objects.exists()


def test_a_refused_send_keeps_what_was_typed(manager_client, claim, supplier):
    supplier.is_active = False
    supplier.save()

    response = manager_client.post(
        claim.get_absolute_url(),
        {
            "send_to_supplier": "1",
            "send-supplier": str(supplier.pk),
            "send-supplier_reference": "RMA-kept",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "That supplier does not exist. Select one from the list." in page
    assert 'value="RMA-kept"' in page
    assert not SupplierReturn.objects.exists()
    assert WarrantyClaim.objects.get().status == ClaimStatus.OPEN


def test_a_closed_claim_cannot_be_sent(claim, supplier, mia):
    claim_update(claim=claim, status=ClaimStatus.REJECTED, note="Misuse", user=mia)

    with pytest.raises(ValidationError) as refused:
        claim_send_to_supplier(claim=claim, supplier=supplier, user=mia)

    assert refused.value.code == "claim_closed"
    assert not SupplierReturn.objects.exists()


def test_repaired_by_the_supplier_gives_the_customer_the_unit_and_the_claim_resolves(
    manager_client, claim, supplier, mia
):
    claim = sent_claim(claim, supplier, mia)

    resolve(claim, mia, "repaired")

    unit = SerialRecord.objects.get(pk=claim.serial_id)
    assert unit.status == SerialStatus.SOLD
    assert not StockLevel.objects.filter(on_hand__gt=0).exists()
    response = manager_client.post(
        claim.get_absolute_url(), {"status": ClaimStatus.RESOLVED_REPAIRED, "note": "Back"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RESOLVED_REPAIRED
    assert SerialRecord.objects.get(pk=claim.serial_id).status == SerialStatus.SOLD


def test_replaced_by_the_supplier_then_the_claim_resolved_replaced_with_that_unit(
    manager_client, claim, supplier, mia
):
    claim = sent_claim(claim, supplier, mia)
    resolve(claim, mia, "replaced", replacement_serial="NEW-1")
    new = SerialRecord.objects.get(serial="NEW-1")
    assert new.status == SerialStatus.IN_STOCK

    response = manager_client.post(
        claim.get_absolute_url(),
        {"status": ClaimStatus.RESOLVED_REPLACED, "replacement_serial": "NEW-1", "note": ""},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RESOLVED_REPLACED
    assert claim.replacement_serial == new
    new.refresh_from_db()
    assert new.status == SerialStatus.SOLD
    assert SerialRecord.objects.get(pk=claim.serial_id).status == SerialStatus.WRITTEN_OFF
    assert not SaleLineSerial.objects.filter(
        serial_id=claim.serial_id, returned_at__isnull=True
    ).exists()


def test_credited_by_the_supplier_then_the_claim_is_refunded(claim, supplier, mia):
    claim = sent_claim(claim, supplier, mia)
    resolve(claim, mia, "credited", credit_amount=Decimal("300"))

    claim_update(claim=claim, status=ClaimStatus.RESOLVED_REFUNDED, note="Refunded", user=mia)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RESOLVED_REFUNDED
    assert SerialRecord.objects.get(pk=claim.serial_id).status == SerialStatus.WRITTEN_OFF


def test_a_replacement_from_stock_while_the_unit_is_away_leaves_it_to_the_shop(
    claim, supplier, product, main_street, mia
):
    claim = sent_claim(claim, supplier, mia)
    spare = SerialRecordFactory(product=product, outlet=main_street, serial="SPARE-1")

    claim_update(
        claim=claim,
        status=ClaimStatus.RESOLVED_REPLACED,
        note="",
        user=mia,
        replacement_serial=spare,
    )

    old = SerialRecord.objects.get(pk=claim.serial_id)
    assert old.status == SerialStatus.AT_SUPPLIER
    spare.refresh_from_db()
    assert spare.status == SerialStatus.SOLD
    # The supplier repairs it later: it comes back to the shelf, not to the customer.
    resolve(claim, mia, "repaired")
    old.refresh_from_db()
    assert (old.status, old.outlet) == (SerialStatus.IN_STOCK, main_street)


def test_sent_to_supplier_by_hand_moves_no_unit(claim, mia):
    claim_update(claim=claim, status=ClaimStatus.SENT_TO_SUPPLIER, note="Posted", user=mia)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SENT_TO_SUPPLIER
    assert claim.supplier_return is None
    assert SerialRecord.objects.get(pk=claim.serial_id).status == SerialStatus.SOLD
    assert not SupplierReturn.objects.exists()
