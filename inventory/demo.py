"""Demo data for `manage.py seed_demo`, which loads it only into an empty database.

Demo serials on a product someone has changed would pass for real stock, so
the command checks `database_is_empty` first; these helpers add nothing twice.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone

from catalog.models import Product, Supplier
from inventory.models import (
    InventoryCount,
    Outlet,
    SerialEvent,
    SerialRecord,
    SerialStatus,
    StockLevel,
    StockMove,
    SupplierReturn,
    SupplierReturnOutcome,
    SupplierReturnReason,
    Transfer,
)
from inventory.services import serial_write_off, serials_add
from inventory.services.counts import count_create, count_scan
from inventory.services.supplier_returns import supplier_return_resolve, supplier_return_send
from inventory.services.transfers import TransferQuantity, transfer_receive, transfer_send

DEMO_USERS = [
    # username, password, group
    ("manager", "manager", "Managers"),
    ("staff", "staff", "Staff"),
]

DEMO_OUTLETS = [
    ("Main Street", "12 Main Street\nSpringfield"),
    ("Harbour Mall", "Unit 4, Harbour Mall\nPort Lane"),
    ("Online Warehouse", "Building C, Logistics Park"),
]


def database_is_empty() -> bool:
    """True when no product, outlet or serial number exists: nothing a user made or touched."""
    return not (
        Product.objects.exists() or Outlet.objects.exists() or SerialRecord.objects.exists()
    )


def seed_users() -> list[User]:
    users = []
    for username, password, group_name in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=group_name))
        users.append(user)
    return users


def seed_outlets() -> list[Outlet]:
    return [
        Outlet.objects.get_or_create(name=name, defaults={"address": address})[0]
        for name, address in DEMO_OUTLETS
    ]


def seed_stock(products: list[Product], outlets: list[Outlet]) -> list[StockLevel]:
    """Units on hand per demo outlet: a few of each, the online warehouse holding most."""
    levels = []
    for p_index, product in enumerate(products):
        for o_index, outlet in enumerate(outlets):
            on_hand = (p_index + 2 * o_index) % 5 + (4 if o_index == len(outlets) - 1 else 0)
            level, _created = StockLevel.objects.get_or_create(
                product=product, outlet=outlet, defaults={"on_hand": on_hand}
            )
            levels.append(level)
    return levels


def seed_serials(levels: list[StockLevel], user: User, *, mismatch_sku: str = "NOV-PH-A5") -> int:
    """One In stock serial per unit on hand of each serialised product and outlet.

    One product (`mismatch_sku`) gets one serial fewer at each outlet than its
    stock says, so the serial coverage report has something to show.
    """
    added = 0
    for level in levels:
        product, outlet = level.product, level.outlet
        if not product.has_serial_numbers or not level.on_hand:
            continue
        code = "".join(word[0] for word in outlet.name.split()).upper()
        wanted = level.on_hand - (1 if product.sku == mismatch_sku else 0)
        serials = [f"{product.sku}-{code}{n:04d}" for n in range(1, wanted + 1)]
        recorded = set(
            SerialRecord.objects.filter(product=product, serial__in=serials).values_list(
                "serial", flat=True
            )
        )
        missing = [serial for serial in serials if serial not in recorded]
        if missing:
            added += serials_add(product=product, outlet=outlet, entries=missing, user=user).count
    return added


def seed_write_off(user: User, *, serial: str = "VOL-EBK-CTY-OW0001") -> bool:
    """Write off one demo unit, so a history shows more than "Added"; once only."""
    record = SerialRecord.objects.filter(serial=serial, status=SerialStatus.IN_STOCK).first()
    if record is None:
        return False
    serial_write_off(serial=record, reason="Demo: frame cracked in the warehouse", user=user)
    return True


# Stock control II (issue 21): transfers, a supplier return and an inventory count ------


def _units(sku: str, outlet: str, count: int) -> list[SerialRecord]:
    """`count` In stock units of a product at an outlet, the last serials first (the
    demo sales and claims take the first ones)."""
    units = list(
        SerialRecord.objects.filter(
            product__sku=sku, outlet__name=outlet, status=SerialStatus.IN_STOCK
        ).order_by("-serial_normalised", "-pk")[:count]
    )
    assert len(units) == count, f"the demo needs {count} {sku} In stock at {outlet}"
    return units


def _recorded_before(units: list[SerialRecord], moment: datetime) -> None:
    # The demo serials were recorded today; a unit that moved days ago must have
    # been recorded before, for its history to read in order (as sales.demo does).
    SerialRecord.objects.filter(pk__in=[u.pk for u in units]).update(
        created_at=moment - timedelta(days=30)
    )


def _back_date(document: Transfer | SupplierReturn, *, days: int) -> None:
    """Move a document made just now, its history events, stock moves and receipts `days`
    back, all by the same time, so the page shows its age and the history keeps its order."""
    shift = timedelta(days=days)
    kind = ContentType.objects.get_for_model(document)
    for model in (SerialEvent, StockMove):
        model.objects.filter(document_type=kind, document_id=document.pk).update(
            created_at=F("created_at") - shift
        )
    type(document).objects.filter(pk=document.pk).update(created_at=F("created_at") - shift)
    if isinstance(document, Transfer):
        Transfer.objects.filter(pk=document.pk, received_at__isnull=False).update(
            received_at=F("received_at") - shift
        )
        document.units.filter(received_at__isnull=False).update(
            received_at=F("received_at") - shift
        )


@dataclass(frozen=True)
class DemoTransfer:
    days_ago: int
    from_outlet: str
    to_outlet: str
    units: tuple[tuple[str, int], ...]  # (sku, how many units)
    quantities: tuple[tuple[str, int], ...] = ()  # products without serial numbers
    received: bool = False
    note: str = ""


# Received; overdue (older than SERIALDESK_TRANSFER_OVERDUE_DAYS, 3 by default); on its way.
DEMO_TRANSFERS = [
    DemoTransfer(
        12,
        "Online Warehouse",
        "Main Street",
        (("NOV-PH-X12", 2),),
        (("BAR-BNS-1KG", 2),),
        received=True,
        note="Restock for the window display",
    ),
    DemoTransfer(6, "Online Warehouse", "Harbour Mall", (("VOL-EBK-CTY", 2),)),
    DemoTransfer(1, "Harbour Mall", "Main Street", (("AQU-ROB-R3", 1),)),
]


def seed_transfers(user: User) -> list[Transfer]:
    """The demo transfers, through Send and Receive; none when any transfer exists."""
    if Transfer.objects.exists():
        return []
    outlets = {outlet.name: outlet for outlet in Outlet.objects.all()}
    products = {product.sku: product for product in Product.objects.all()}
    transfers = []
    for demo in DEMO_TRANSFERS:
        units = [u for sku, n in demo.units for u in _units(sku, demo.from_outlet, n)]
        _recorded_before(units, timezone.now() - timedelta(days=demo.days_ago))
        sent = transfer_send(
            from_outlet=outlets[demo.from_outlet],
            to_outlet=outlets[demo.to_outlet],
            text="\n".join(unit.serial for unit in units),
            quantities=[TransferQuantity(products[sku], n) for sku, n in demo.quantities],
            note=demo.note,
            user=user,
        )
        transfer = sent.transfer
        if demo.received:
            by_product = {line.product_id: line.pk for line in transfer.lines.all()}
            transfer_receive(
                transfer=transfer,
                text="\n".join(unit.serial for unit in units),
                quantities={by_product[products[sku].pk]: n for sku, n in demo.quantities},
                user=user,
            )
        _back_date(transfer, days=demo.days_ago)
        transfers.append(transfer)
    return transfers


def seed_supplier_return(user: User) -> SupplierReturn | None:
    """Two grinders back to their supplier nine days ago: one credited since, one still
    At supplier (the list shows its age). None when any return exists. Not the espresso
    machines: the README's API examples change those units."""
    if SupplierReturn.objects.exists():
        return None
    units = _units("BAR-GRD-200", "Online Warehouse", 2)
    _recorded_before(units, timezone.now() - timedelta(days=9))
    product = units[0].product
    supplier = product.supplier or Supplier.objects.order_by("pk").first()
    assert supplier is not None, "the demo supplier return needs a supplier"
    supplier_return = supplier_return_send(
        supplier=supplier,
        outlet=units[0].outlet,
        serials=units,
        reason=SupplierReturnReason.DAMAGED,
        supplier_reference="RMA-CGW-2291",
        note="Both arrived with a cracked bean hopper",
        user=user,
    )
    _back_date(supplier_return, days=9)
    credited = supplier_return.units.order_by("pk").first()
    assert credited is not None
    supplier_return_resolve(
        supplier_return=supplier_return,
        unit_id=credited.pk,
        outcome=SupplierReturnOutcome.CREDITED,
        credit_amount=Decimal("220.00"),
        user=user,
    )
    return supplier_return


def seed_count(user: User) -> InventoryCount | None:
    """An open count of the Barista Co shelf at Harbour Mall with a few scans (one twice)."""
    if InventoryCount.objects.exists():
        return None
    outlet = Outlet.objects.get(name="Harbour Mall")
    count = count_create(outlet=outlet, name="Barista shelf check", brand="Barista Co", user=user)
    scanned = [u.serial for u in _units("BAR-GRD-200", outlet.name, 2)]
    count_scan(count=count, entries=[*scanned, scanned[0]], user=user)
    return count
