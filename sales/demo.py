"""Demo customers, sales, returns and warranty claims for `manage.py seed_demo`.

The sales are spread over the last two years, so the serial pages show units
still in warranty and units whose warranty has run out. They go through
`sale_create` like any sale, with `at=` giving the sale's time (its history
events get that time too). Returns and claims go through their services too,
each at its own day in the past (see `_at`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from catalog.models import Product
from inventory import demo as inventory_demo
from inventory.models import Outlet, SerialRecord, SerialStatus
from inventory.services import outlet_update
from sales.models import (
    ClaimStatus,
    Customer,
    Return,
    ReturnOutcome,
    ReturnReason,
    Sale,
    SaleLineSerial,
    WarrantyClaim,
)
from sales.services import (
    LineInput,
    claim_open,
    claim_update,
    customer_create,
    return_create,
    sale_create,
)

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


@dataclass(frozen=True)
class DemoReturn:
    sale: int  # index in DEMO_SALES
    sku: str
    days_ago: int
    reason: str
    outcome: str
    refund_percent: int
    note: str = ""


CENTS = Decimal("0.01")

# Every reason and every outcome; each after its sale.
DEMO_RETURNS = [
    DemoReturn(10, "VOL-EBK-MTN", 14, ReturnReason.UNWANTED, ReturnOutcome.RESTOCK, 100),
    DemoReturn(
        8,
        "BAR-GRD-200",
        100,
        ReturnReason.FAULTY,
        ReturnOutcome.FAULTY,
        100,
        "Motor hums, no grind",
    ),
    DemoReturn(
        3,
        "NOV-PH-A5",
        470,
        ReturnReason.OTHER,
        ReturnOutcome.RESTOCK,
        90,
        "Ordered two, needed one",
    ),
]


@dataclass(frozen=True)
class DemoClaim:
    sale: int  # index in DEMO_SALES
    sku: str
    fault: str
    # (days ago, status, note): opened on the first day, then each change.
    steps: tuple[tuple[int, str, str], ...]


# A claim in every status; the rejected one was opened after the warranty ended.
DEMO_CLAIMS = [
    DemoClaim(11, "BAR-ESP-900", "Steam wand leaks", ((1, ClaimStatus.OPEN, ""),)),
    DemoClaim(
        9,
        "AQU-ROB-R3",
        "Stops after five minutes",
        ((30, ClaimStatus.OPEN, ""), (28, ClaimStatus.IN_REPAIR, "New battery ordered")),
    ),
    DemoClaim(
        6,
        "VOL-EBK-MTN",
        "Motor cuts out uphill",
        (
            (40, ClaimStatus.OPEN, ""),
            (38, ClaimStatus.IN_REPAIR, "Controller tested"),
            (30, ClaimStatus.SENT_TO_SUPPLIER, "Controller fault; Voltride ref. VT-2231"),
        ),
    ),
    DemoClaim(
        4,
        "AQU-PMP-15",
        "Loud bearing noise",
        (
            (200, ClaimStatus.OPEN, ""),
            (198, ClaimStatus.IN_REPAIR, ""),
            (190, ClaimStatus.RESOLVED_REPAIRED, "Bearing replaced"),
        ),
    ),
    DemoClaim(
        7,
        "NOV-PH-X12",
        "Screen flickers",
        ((90, ClaimStatus.OPEN, ""), (85, ClaimStatus.RESOLVED_REPLACED, "Swapped in store")),
    ),
    DemoClaim(
        2,
        "VOL-EBK-CTY",
        "Frame weld cracked",
        ((300, ClaimStatus.OPEN, ""), (290, ClaimStatus.RESOLVED_REFUNDED, "Refunded in full")),
    ),
    DemoClaim(
        1,
        "NOV-PH-X12",
        "Battery drains overnight",
        ((10, ClaimStatus.OPEN, ""), (5, ClaimStatus.REJECTED, "Warranty ended; no goodwill")),
    ),
]


def _sold_unit(sale: Sale, sku: str) -> SaleLineSerial:
    """The first unit of `sku` on the sale that is still with its customer."""
    return (
        SaleLineSerial.objects.select_related("serial", "line")
        .filter(line__sale=sale, line__product__sku=sku, returned_at__isnull=True)
        .order_by("pk")[0]
    )


def seed_returns(sales: list[Sale]) -> list[Return]:
    """The demo returns; none without the demo sales or when any return exists."""
    if len(sales) != len(DEMO_SALES) or Return.objects.exists():
        return []
    clerk = User.objects.filter(username="staff").first()
    returns = []
    for demo in DEMO_RETURNS:
        unit = _sold_unit(sales[demo.sale], demo.sku)
        returns.append(
            return_create(
                serial=unit.serial,
                reason=demo.reason,
                outcome=demo.outcome,
                outlet=sales[demo.sale].outlet,
                refund_amount=(unit.line.unit_price * demo.refund_percent / 100).quantize(CENTS),
                clerk=clerk,
                note=demo.note,
                sale=sales[demo.sale],
                at=_sale_time(demo.days_ago),
            )
        )
    return returns


def _replacement(product: Product, before: datetime) -> SerialRecord:
    unit = (
        SerialRecord.objects.filter(product=product, status=SerialStatus.IN_STOCK)
        .order_by("serial_normalised", "pk")
        .first()
    )
    assert unit is not None, f"no {product.sku} In stock for the demo replacement"
    # Recorded before it replaced the faulty one, so its history reads in order.
    SerialRecord.objects.filter(pk=unit.pk).update(created_at=before - timedelta(days=30))
    return unit


def seed_claims(sales: list[Sale]) -> list[WarrantyClaim]:
    """The demo warranty claims; none without the demo sales or when any claim exists."""
    if len(sales) != len(DEMO_SALES) or WarrantyClaim.objects.exists():
        return []
    users = {
        user.username: user for user in User.objects.filter(username__in=["manager", "staff"])
    }
    claims = []
    for demo in DEMO_CLAIMS:
        unit = _sold_unit(sales[demo.sale], demo.sku)
        (opened_days_ago, _, _), *changes = demo.steps
        claim = claim_open(
            serial=unit.serial,
            fault_description=demo.fault,
            user=users.get("staff"),
            confirm_expired=True,
            at=_sale_time(opened_days_ago),
        )
        for days_ago, status, note in changes:
            at = _sale_time(days_ago)
            replacement = (
                _replacement(unit.line.product, at)
                if status == ClaimStatus.RESOLVED_REPLACED
                else None
            )
            claim = claim_update(
                claim=claim,
                status=status,
                note=note,
                user=users.get("manager"),
                replacement_serial=replacement,
                at=at,
            )
        claims.append(claim)
    return claims
