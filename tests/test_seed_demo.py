from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Product
from inventory.demo import DEMO_TRANSFERS
from inventory.models import (
    InventoryCount,
    InventoryCountStatus,
    Outlet,
    SerialEvent,
    SerialRecord,
    SerialStatus,
    StockLevel,
    StockMove,
    SupplierReturn,
    SupplierReturnStatus,
    Transfer,
    TransferStatus,
)
from inventory.selectors.coverage import stock_serial_gaps
from inventory.selectors.transfers import transfers_overdue
from sales.demo import DEMO_CLAIMS, DEMO_CUSTOMERS, DEMO_RETURNS, DEMO_SALES
from sales.models import (
    ClaimStatus,
    ClaimUpdate,
    Customer,
    Return,
    ReturnOutcome,
    ReturnReason,
    Sale,
    SaleLineSerial,
    WarrantyClaim,
)
from sales.selectors import serial_sale_now
from tests.factories import CustomerFactory, OutletFactory


def counts():
    models = [
        User,
        Outlet,
        Product,
        StockLevel,
        SerialRecord,
        SerialEvent,
        Customer,
        Sale,
        Return,
        WarrantyClaim,
        ClaimUpdate,
    ]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def seed_demo():
    output = StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="seed_demo runs only with DJANGO_DEBUG on"):
        seed_demo()

    assert counts() == dict.fromkeys(counts(), 0)


@pytest.mark.django_db
def test_seed_demo_fills_an_empty_database_and_says_what_it_added(debug_on):
    output = seed_demo()

    products, outlets = Product.objects.count(), Outlet.objects.count()
    assert StockLevel.objects.count() == products * outlets
    assert f"{products} products, {products * outlets} stock levels" in output
    # The replacement of a claim resolved by replacement is a sale of its own.
    sales = len(DEMO_SALES)
    assert (
        f"{len(DEMO_CUSTOMERS)} customers, {sales} sales, {len(DEMO_RETURNS)} returns, "
        f"{len(DEMO_CLAIMS)} warranty claims, {len(DEMO_TRANSFERS)} transfers, "
        "1 supplier return, 1 inventory count." in output
    )
    assert Customer.objects.count() == len(DEMO_CUSTOMERS)
    assert Sale.objects.count() == sales + 1
    assert Return.objects.count() == len(DEMO_RETURNS)
    assert WarrantyClaim.objects.count() == len(DEMO_CLAIMS)
    manager = User.objects.get(username="manager")
    assert manager.check_password("manager")
    assert manager.has_perm("catalog.change_product")


@pytest.mark.django_db
def test_a_second_run_adds_nothing_and_leaves_what_a_user_changed(debug_on):
    seed_demo()
    # A user turns serial numbers off on one product and sets another's stock to 0.
    plain = Product.objects.get(sku="BAR-ESP-900")
    plain.has_serial_numbers = False
    plain.save()
    level = StockLevel.objects.filter(product__sku="VOL-EBK-CTY").order_by("pk").first()
    level.on_hand = 0
    level.save()
    before = counts()

    output = seed_demo()

    assert "Demo data not loaded: the database already holds" in output
    assert counts() == before
    plain.refresh_from_db()
    level.refresh_from_db()
    assert plain.has_serial_numbers is False
    assert level.on_hand == 0


@pytest.mark.django_db
def test_a_database_with_only_a_users_outlet_gets_no_demo_data(debug_on):
    OutletFactory(name="Our only shop")

    output = seed_demo()

    assert "Demo data not loaded" in output
    assert list(Outlet.objects.values_list("name", flat=True)) == ["Our only shop"]
    assert Product.objects.count() == 0
    assert not User.objects.filter(username="manager").exists()


@pytest.mark.django_db
def test_demo_data_has_serialised_and_plain_products_and_serials_at_several_outlets(debug_on):
    seed_demo()
    assert Product.objects.filter(has_serial_numbers=True).exists()
    assert Product.objects.filter(has_serial_numbers=False).exists()
    outlets_with_serials = SerialRecord.objects.values("outlet").distinct().count()
    assert outlets_with_serials >= 3
    assert not SerialRecord.objects.filter(product__has_serial_numbers=False).exists()
    # The one written off in the warehouse, and the one the supplier credited.
    assert SerialRecord.objects.filter(status="written_off").count() == 2


@pytest.mark.django_db
def test_a_database_with_only_a_customer_gets_no_demo_data(debug_on):
    CustomerFactory(name="Our first customer")

    output = seed_demo()

    assert "Demo data not loaded" in output
    assert list(Customer.objects.values_list("name", flat=True)) == ["Our first customer"]
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_demo_sales_span_two_years_with_units_in_and_out_of_warranty(debug_on):
    seed_demo()

    now = timezone.now()
    times = list(Sale.objects.values_list("created_at", flat=True))
    assert min(times) < now - timedelta(days=365 + 180)
    assert max(times) > now - timedelta(days=30)
    assert min(times) > now - timedelta(days=2 * 366)
    expired = []
    owned = SaleLineSerial.objects.filter(returned_at__isnull=True)
    for unit in owned.select_related("serial__product"):
        serial = unit.serial
        assert serial.status == "sold"
        found = serial_sale_now(serial=serial)
        assert found.sale == unit.line.sale
        # Recorded before it was sold, so the history reads in order.
        assert serial.created_at <= found.sold_at
        expired.append(found.warranty.expired)
    assert True in expired
    assert False in expired
    recorded_at_sale = SerialRecord.objects.filter(origin="recorded_at_sale")
    assert recorded_at_sale.count() == 1
    assert Sale.objects.filter(customer=None).exists()
    assert Outlet.objects.get(name="Online Warehouse").require_customer_for_serialised


@pytest.mark.django_db
def test_demo_returns_cover_every_reason_and_outcome_after_their_sales(debug_on):
    seed_demo()

    returns = list(Return.objects.select_related("sale", "serial", "unit"))
    assert {r.reason for r in returns} == set(ReturnReason.values)
    assert {r.outcome for r in returns} == set(ReturnOutcome.values)
    now = timezone.now()
    for returned in returns:
        assert returned.sale.created_at < returned.created_at < now - timedelta(days=1)
        assert returned.unit.returned_at == returned.created_at
        assert returned.customer_id == returned.sale.customer_id
        event = SerialEvent.objects.get(serial=returned.serial, kind="returned")
        assert event.created_at == returned.created_at
        expected = "in_stock" if returned.outcome == ReturnOutcome.RESTOCK else "faulty"
        assert returned.serial.status == event.to_status == expected


@pytest.mark.django_db
def test_demo_claims_are_in_every_status_with_their_changes_in_order(debug_on):
    seed_demo()

    claims = list(WarrantyClaim.objects.select_related("sale", "serial"))
    assert sorted(c.status for c in claims) == sorted(ClaimStatus.values)
    now = timezone.now()
    for claim in claims:
        assert claim.sale.created_at < claim.created_at < now
        updates = list(claim.updates.order_by("created_at", "id"))
        assert updates[0].to_status == ClaimStatus.OPEN
        assert updates[0].created_at == claim.created_at
        assert updates[-1].to_status == claim.status
        times = [u.created_at for u in updates]
        assert times == sorted(times)
        events = SerialEvent.objects.filter(serial=claim.serial).order_by("created_at", "id")
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert events.filter(kind="claim_opened").get().created_at == claim.created_at
    rejected = next(c for c in claims if c.status == ClaimStatus.REJECTED)
    assert rejected.warranty_expired
    assert not any(c.warranty_expired for c in claims if c is not rejected)


@pytest.mark.django_db
def test_the_demo_claim_resolved_by_replacement_has_its_replacement_sale(debug_on):
    seed_demo()

    claim = WarrantyClaim.objects.get(status=ClaimStatus.RESOLVED_REPLACED)
    replacement = claim.replacement_sale
    assert replacement is not None
    assert replacement.customer == claim.customer
    assert replacement.total == 0
    assert replacement.created_at == claim.updates.get(to_status=claim.status).created_at
    assert claim.replacement_serial.status == "sold"
    assert claim.replacement_serial.created_at < replacement.created_at
    assert SaleLineSerial.objects.get(line__sale=replacement).serial == claim.replacement_serial
    claim.serial.refresh_from_db()
    assert claim.serial.status == "faulty"
    assert not SaleLineSerial.objects.filter(
        serial=claim.serial, returned_at__isnull=True
    ).exists()


@pytest.mark.django_db
def test_demo_stock_control_has_transfers_a_supplier_return_and_an_open_count(debug_on):
    seed_demo()
    now = timezone.now()
    transfers = list(Transfer.objects.order_by("created_at"))
    assert [t.status for t in transfers] == [
        TransferStatus.RECEIVED,
        TransferStatus.IN_TRANSIT,
        TransferStatus.IN_TRANSIT,
    ]
    received, overdue, fresh = transfers
    assert received.created_at <= received.received_at < now - timedelta(days=11)
    assert list(transfers_overdue()) == [overdue]
    assert overdue.created_at < now - timedelta(days=5)
    assert fresh.created_at > now - timedelta(days=2)
    # Units of the open ones are In transit, still at the sender; the received ones arrived.
    for transfer, status, outlet in (
        (received, SerialStatus.IN_STOCK, received.to_outlet),
        (overdue, SerialStatus.IN_TRANSIT, overdue.from_outlet),
        (fresh, SerialStatus.IN_TRANSIT, fresh.from_outlet),
    ):
        units = [u.serial for u in transfer.units.select_related("serial")]
        assert units and {(u.status, u.outlet_id) for u in units} == {(status, outlet.pk)}
        for unit in units:
            # Recorded before it moved, so its history reads in order.
            times = [
                unit.created_at,
                *unit.events.order_by("created_at", "id").values_list("created_at", flat=True),
            ]
            assert times == sorted(times)
            assert unit.events.filter(kind="transfer_sent", document_id=transfer.pk).exists()
    beans = received.lines.get(product__sku="BAR-BNS-1KG")
    assert (beans.quantity, beans.received) == (2, 2)
    assert StockMove.objects.filter(document_id=received.pk, reason="transferred").count() == 4

    supplier_return = SupplierReturn.objects.get()
    assert supplier_return.status == SupplierReturnStatus.AT_SUPPLIER
    assert supplier_return.created_at < now - timedelta(days=8)
    outcomes = sorted(
        (unit.outcome, unit.serial.status)
        for unit in supplier_return.units.select_related("serial")
    )
    assert outcomes == [("", SerialStatus.AT_SUPPLIER), ("credited", SerialStatus.WRITTEN_OFF)]

    count = InventoryCount.objects.get()
    assert count.status == InventoryCountStatus.OPEN
    scans = list(count.scans.order_by("serial"))
    assert len(scans) == 2
    assert sorted(scan.repeats for scan in scans) == [0, 1]

    # Every unit that moved took its stock along: on hand and In stock serials still
    # differ only where the demo means them to (a Nova A5 short of a serial).
    gaps = {(gap.product.sku, gap.outlet.name) for gap in stock_serial_gaps()}
    assert gaps == {("NOV-PH-A5", "Harbour Mall"), ("NOV-PH-A5", "Online Warehouse")}
