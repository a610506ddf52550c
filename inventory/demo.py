"""Demo data for `manage.py seed_demo`, which loads it only into an empty database.

Demo serials on a product someone has changed would pass for real stock, so
the command checks `database_is_empty` first; these helpers add nothing twice.
"""

from django.contrib.auth.models import Group, User

from catalog.models import Product
from inventory.models import Outlet, SerialRecord, SerialStatus, StockLevel
from inventory.services import serial_write_off, serials_add

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
