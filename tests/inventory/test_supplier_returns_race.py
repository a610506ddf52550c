"""Two managers at once on one unit: sent once, resolved once (PostgreSQL)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inventory.models import (
    SerialRecord,
    SerialStatus,
    StockLevel,
    SupplierReturn,
    SupplierReturnReason,
    SupplierReturnUnit,
)
from inventory.services.supplier_returns import (
    supplier_return_check,
    supplier_return_resolve,
    supplier_return_send,
)
from tests.concurrency import postgresql_only, run_both
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(roles):
    outlet = OutletFactory(name="Main Street")
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    StockLevelFactory(product=product, outlet=outlet, on_hand=1)
    unit = SerialRecordFactory(product=product, outlet=outlet, serial="S-1")
    return {
        "outlet": outlet,
        "product": product,
        "unit": unit,
        "supplier": SupplierFactory(name="Acme"),
        "user": UserFactory(username="mia", groups=["Managers"]),
    }


def test_two_sends_of_one_unit_send_it_once(shop):
    # Both checked the box before either sent: each holds the unit as In stock.
    checks = [supplier_return_check(outlet=shop["outlet"], text="S-1") for _ in range(2)]

    def send(check):
        return lambda: supplier_return_send(
            supplier=shop["supplier"],
            outlet=shop["outlet"],
            serials=check.units,
            reason=SupplierReturnReason.FAULTY,
            user=shop["user"],
        )

    results = run_both([send(check) for check in checks])

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1
    assert refused[0].error_dict["serial_numbers"][0].code == "not_returnable"
    assert SupplierReturn.objects.count() == 1
    assert SerialRecord.objects.get().status == SerialStatus.AT_SUPPLIER
    assert StockLevel.objects.get().on_hand == 0


def test_two_outcomes_for_one_unit_record_one(shop):
    check = supplier_return_check(outlet=shop["outlet"], text="S-1")
    sent = supplier_return_send(
        supplier=shop["supplier"],
        outlet=shop["outlet"],
        serials=check.units,
        reason=SupplierReturnReason.FAULTY,
        user=shop["user"],
    )
    row = SupplierReturnUnit.objects.get()

    def resolve(outcome, **kwargs):
        return lambda: supplier_return_resolve(
            supplier_return=sent, unit_id=row.pk, outcome=outcome, user=shop["user"], **kwargs
        )

    results = run_both([resolve("repaired"), resolve("credited", credit_amount=Decimal("10"))])

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert [r.code for r in refused] == ["already_resolved"]
    row.refresh_from_db()
    unit = SerialRecord.objects.get()
    expected = SerialStatus.IN_STOCK if row.outcome == "repaired" else SerialStatus.WRITTEN_OFF
    assert unit.status == expected
    assert StockLevel.objects.get().on_hand == (1 if row.outcome == "repaired" else 0)
