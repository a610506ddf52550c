"""In transit and At supplier on every page that lists statuses, and never as stock to sell.

The units get there through inventory's one state-change primitive, as a
transfer's Send and a supplier return's Send move them, so their stock on hand
and unit counts are what those services leave.
"""

import csv
import io
import re

import pytest
from django.db import transaction
from django.urls import reverse

from inventory.models import (
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    StockLevel,
    StockMoveReason,
    SupplierReturn,
    SupplierReturnReason,
    Transfer,
)
from inventory.selectors.coverage import stock_serial_gaps
from inventory.services.effects import UnitEffects
from inventory.services.serial_state import serials_change
from sales.services import LineInput, SaleRefused, sale_create
from tests.api.helpers import token_client
from tests.factories import (
    SerialRecordFactory,
    StockLevelFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SERIAL_LIST = reverse("inventory:serial_list")


def move(
    unit: SerialRecord, *, to_status: str, kind: str, reason: StockMoveReason, document
) -> None:
    """Change one unit as the transfer and supplier return services do."""
    with transaction.atomic():
        locked = list(SerialRecord.objects.select_for_update().filter(pk=unit.pk))
        effects = UnitEffects(reason=reason, user=None, document=document)
        serials_change(
            serials=locked,
            kind=kind,
            user=None,
            to_status=to_status,
            document=document,
            effects=effects,
        )
        effects.apply()
    unit.refresh_from_db()


@pytest.fixture
def shop(product, main_street, harbour):
    """Three units of a product at Main Street, all on hand: one stays, one is sent to
    Harbour Mall, one goes back to its supplier."""
    StockLevelFactory(product=product, outlet=main_street, on_hand=0)
    shelf, travelling, returned = (
        SerialRecordFactory(serial=serial, product=product, outlet=main_street)
        for serial in ("SHELF-1", "ROAD-1", "BACK-1")
    )
    StockLevel.objects.filter(product=product, outlet=main_street).update(on_hand=3)
    transfer = Transfer.objects.create(from_outlet=main_street, to_outlet=harbour)
    move(
        travelling,
        to_status=SerialStatus.IN_TRANSIT,
        kind=SerialEventKind.TRANSFER_SENT,
        reason=StockMoveReason.TRANSFERRED,
        document=transfer,
    )
    supplier_return = SupplierReturn.objects.create(
        supplier=SupplierFactory(name="Acme"),
        outlet=main_street,
        reason=SupplierReturnReason.FAULTY,
    )
    move(
        returned,
        to_status=SerialStatus.AT_SUPPLIER,
        kind=SerialEventKind.SENT_TO_SUPPLIER,
        reason=StockMoveReason.RETURNED_TO_SUPPLIER,
        document=supplier_return,
    )
    return {
        "shelf": shelf,
        "travelling": travelling,
        "returned": returned,
        "transfer": transfer,
        "supplier_return": supplier_return,
    }


def listed(client, **query) -> list[str]:
    page = client.get(SERIAL_LIST, query).content.decode()
    return sorted(set(re.findall(r">(SHELF-1|ROAD-1|BACK-1)</a>", page)))


def test_the_serial_list_offers_both_statuses_and_filters_by_them(staff_client, shop):
    page = staff_client.get(SERIAL_LIST).content.decode()
    assert '<option value="in_transit">In transit</option>' in page
    assert '<option value="at_supplier">At supplier</option>' in page
    # Each with its own badge colour.
    assert '<span class="badge text-bg-info">In transit</span>' in page
    assert '<span class="badge text-bg-dark">At supplier</span>' in page
    assert listed(staff_client) == ["BACK-1", "ROAD-1", "SHELF-1"]
    assert listed(staff_client, status="in_transit") == ["ROAD-1"]
    assert listed(staff_client, status="at_supplier") == ["BACK-1"]
    assert listed(staff_client, status="in_stock") == ["SHELF-1"]


def test_the_product_page_counts_each_status_per_outlet(staff_client, product, shop):
    page = staff_client.get(product.get_absolute_url()).content.decode()
    headings = re.findall(r'<th scope="col" class="text-end">([^<]+)</th>', page)
    assert [h for h in headings if h not in ("On hand",)][:6] == [
        "In stock",
        "Sold",
        "Faulty",
        "Written off",
        "In transit",
        "At supplier",
    ]
    main = shop["shelf"].outlet_id
    for status in ("in_stock", "in_transit", "at_supplier"):
        link = f"?product={product.pk}&amp;outlet={main}&amp;status={status}"
        assert f'<a href="{SERIAL_LIST}{link}">1</a>' in page
    # On hand is the one unit on the shelf: on hand and In stock agree, no warning.
    assert "without serial" not in page
    assert "serial without stock" not in page


def test_neither_counts_as_stock_on_hand_or_in_stock(staff_client, product, main_street, shop):
    level = StockLevel.objects.get(product=product, outlet=main_street)
    assert level.on_hand == 1
    assert stock_serial_gaps() == []
    page = staff_client.get(reverse("inventory:stock_list")).content.decode()
    assert "Barista Pro" in page
    assert "without serial" not in page and "serial without stock" not in page
    # The Dashboard's In stock figure counts the shelf's unit only.
    home = staff_client.get(reverse("home")).content.decode()
    assert "1 In stock at Main Street" in home
    assert "1 serial In stock" in home


@pytest.mark.parametrize(
    ("serial", "status"), [("ROAD-1", "In transit"), ("BACK-1", "At supplier")]
)
def test_neither_can_be_sold(product, main_street, shop, serial, status):
    with pytest.raises(SaleRefused) as refused:
        sale_create(
            outlet=main_street,
            customer=None,
            clerk=None,
            lines=[LineInput(product=product, quantity=1, serials=[serial])],
        )
    problems = [p.message for p in refused.value.check.line_errors[0]]
    assert problems == [f"“{serial}” is {status} and cannot be sold."]
    assert SerialRecord.objects.get(serial=serial).status != SerialStatus.SOLD


def test_the_export_names_both_statuses(staff_client, shop):
    response = staff_client.get(reverse("inventory:serial_export"), {"sort": "serial"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row[0]: row[4] for row in list(csv.reader(io.StringIO(content)))[1:]}
    assert rows == {"BACK-1": "At supplier", "ROAD-1": "In transit", "SHELF-1": "In stock"}


def test_the_api_filters_by_both_and_names_the_document_in_the_history(shop):
    api = token_client(UserFactory(username="till-9", groups=["Staff"]))
    found = api.get(reverse("api:serial-list"), {"status": "in_transit"}).json()["results"]
    assert [(u["serial"], u["status"], u["status_display"]) for u in found] == [
        ("ROAD-1", "in_transit", "In transit")
    ]
    found = api.get(reverse("api:serial-list"), {"status": "at_supplier"}).json()["results"]
    assert [(u["serial"], u["status_display"]) for u in found] == [("BACK-1", "At supplier")]

    history = api.get(reverse("api:serial-history", args=[shop["travelling"].pk])).json()[
        "results"
    ]
    sent = history[0]
    assert (sent["kind"], sent["kind_display"], sent["to_status"]) == (
        "transfer_sent",
        "Sent on transfer",
        "in_transit",
    )
    assert (sent["transfer"], sent["supplier_return"], sent["sale"]) == (
        shop["transfer"].pk,
        None,
        None,
    )
    history = api.get(reverse("api:serial-history", args=[shop["returned"].pk])).json()["results"]
    assert (history[0]["supplier_return"], history[0]["transfer"]) == (
        shop["supplier_return"].pk,
        None,
    )
