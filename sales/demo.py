"""Demo customers and sales for `manage.py seed_demo`, after the inventory demo.

The sales are spread over the last two years, so the serial pages show units
still in warranty and units whose warranty has run out. They go through
`sale_create` like any sale, with `at=` giving the sale's time (its history
events get that time too).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from catalog.models import Product
from inventory import demo as inventory_demo
from inventory.models import Outlet, SerialRecord, SerialStatus
from inventory.services import outlet_update
from sales.models import Customer, Sale
from sales.services import LineInput, customer_create, sale_create

# name, email, phone
DEMO_CUSTOMERS = [
    ("Alice Martin", "alice.martin@example.com", "+44 20 7946 0011"),
    ("Ben Okafor", "ben.okafor@example.com", "+44 161 496 0022"),
    ("Chloé Dubois", "chloe.dubois@example.com", ""),
    ("Patel Cafés Ltd", "orders@patelcafes.example.com", "+44 113 496 0033"),
    ("Emma Lindqvist", "", "+44 7700 900044"),
]


@dataclass(frozen=True)
class DemoSale:
    days_ago: int
    outlet: str
    customer: str | None
    # (sku, quantity); serialised lines take units In stock at the outlet.
    lines: tuple[tuple[str, int], ...]
    clerk: str = "staff"
    # Serials not recorded before the sale: recorded at it ("Recorded at sale").
    new_serials: tuple[tuple[str, str], ...] = ()


# Phones carry 12 months of warranty, so those sold over a year ago are out of
# warranty; the machines and bikes (24-36 months) mostly are not.
DEMO_SALES = [
    DemoSale(700, "Online Warehouse", "Alice Martin", (("BAR-ESP-900", 1), ("BAR-BNS-1KG", 2))),
    DemoSale(640, "Main Street", "Ben Okafor", (("NOV-PH-X12", 1), ("NOV-CSE-X12", 1)), "manager"),
    DemoSale(560, "Harbour Mall", "Chloé Dubois", (("VOL-EBK-CTY", 1), ("VOL-HLM-M", 1))),
    DemoSale(480, "Online Warehouse", "Patel Cafés Ltd", (("NOV-PH-A5", 2),)),
    DemoSale(400, "Harbour Mall", "Alice Martin", (("AQU-PMP-15", 1), ("AQU-CHL-5KG", 1))),
    DemoSale(330, "Main Street", None, (("BAR-DSC-500", 1),)),
    DemoSale(250, "Online Warehouse", "Ben Okafor", (("VOL-EBK-MTN", 1),), "manager"),
    DemoSale(180, "Harbour Mall", "Emma Lindqvist", (("NOV-PH-X12", 1),)),
    DemoSale(120, "Main Street", "Chloé Dubois", (("BAR-GRD-200", 1),)),
    DemoSale(
        60,
        "Online Warehouse",
        "Patel Cafés Ltd",
        (("AQU-ROB-R3", 1),),
        new_serials=(("AQU-ROB-R3", "AQU-ROB-R3-X7731"),),
    ),
    DemoSale(20, "Main Street", "Emma Lindqvist", (("VOL-EBK-MTN", 1), ("VOL-HLM-M", 1))),
    DemoSale(3, "Harbour Mall", "Alice Martin", (("BAR-ESP-900", 1),), "manager"),
]

# The outlet that ships to customers needs their name and address on every
# serialised sale: it shows the outlet setting switched on.
REQUIRES_CUSTOMER = "Online Warehouse"


def database_is_empty() -> bool:
    """The inventory demo's test, and no customer or sale either."""
    return (
        inventory_demo.database_is_empty()
        and not Customer.objects.exists()
        and not Sale.objects.exists()
    )


def seed_customers() -> list[Customer]:
    customers = []
    for name, email, phone in DEMO_CUSTOMERS:
        customer = Customer.objects.filter(name=name).first()
        customers.append(customer or customer_create(name=name, email=email, phone=phone))
    return customers


def _sale_time(days_ago: int) -> datetime:
    """Shop hours on the day `days_ago` days back, so the times read like real sales."""
    day = timezone.localtime() - timedelta(days=days_ago)
    return day.replace(hour=10 + days_ago % 8, minute=days_ago % 60, second=0, microsecond=0)


def _units_in_stock(product: Product, outlet: Outlet, count: int) -> list[SerialRecord]:
    return list(
        SerialRecord.objects.filter(
            product=product, outlet=outlet, status=SerialStatus.IN_STOCK
        ).order_by("serial_normalised", "pk")[:count]
    )


def seed_sales(customers: list[Customer]) -> list[Sale]:
    """The demo sales, oldest first; none when any sale exists already."""
    if Sale.objects.exists():
        return []
    by_name = {customer.name: customer for customer in customers}
    outlets = {outlet.name: outlet for outlet in Outlet.objects.all()}
    products = {product.sku: product for product in Product.objects.all()}
    clerks = {
        user.username: user for user in User.objects.filter(username__in=["manager", "staff"])
    }
    sales = []
    for demo in DEMO_SALES:
        at = _sale_time(demo.days_ago)
        outlet = outlets[demo.outlet]
        lines = []
        for sku, quantity in demo.lines:
            product = products[sku]
            serials = []
            if product.has_serial_numbers:
                new = [serial for new_sku, serial in demo.new_serials if new_sku == sku]
                units = _units_in_stock(product, outlet, quantity - len(new))
                # The demo serials were recorded today; a unit sold two years ago
                # must have been recorded before its sale for its history to read
                # in order.
                SerialRecord.objects.filter(pk__in=[u.pk for u in units]).update(
                    created_at=at - timedelta(days=30)
                )
                serials = [unit.serial for unit in units] + new
            lines.append(LineInput(product=product, quantity=quantity, serials=serials))
        sales.append(
            sale_create(
                outlet=outlet,
                customer=by_name.get(demo.customer) if demo.customer else None,
                lines=lines,
                clerk=clerks.get(demo.clerk),
                record_new=bool(demo.new_serials),
                at=at,
            )
        )
    return sales


def seed_outlet_settings() -> None:
    outlet = Outlet.objects.filter(name=REQUIRES_CUSTOMER).first()
    if outlet is not None and not outlet.require_customer_for_serialised:
        outlet_update(
            outlet=outlet,
            name=outlet.name,
            address=outlet.address,
            require_customer_for_serialised=True,
        )
