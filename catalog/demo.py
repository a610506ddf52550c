"""Demo catalog for `manage.py seed_demo` (an empty database only); adds nothing twice."""

from decimal import Decimal

from catalog.models import Product, Supplier
from catalog.serial_formats import SerialFormat

# sku, name, brand, retail price, warranty months, has serial numbers
DEMO_PRODUCTS = [
    ("BAR-ESP-900", "Espresso Machine Barista 900", "Barista Co", "1299.00", 24, True),
    ("BAR-GRD-200", "Burr Grinder Pro 200", "Barista Co", "449.00", 24, True),
    ("VOL-EBK-CTY", "E-Bike City 500", "Voltride", "2499.00", 24, True),
    ("VOL-EBK-MTN", "E-Bike Mountain 700", "Voltride", "3199.00", 36, True),
    ("NOV-PH-X12", "Nova X12 Smartphone 256 GB", "Nova", "999.00", 12, True),
    ("NOV-PH-A5", "Nova A5 Smartphone 128 GB", "Nova", "399.00", 12, True),
    ("AQU-PMP-15", "Pool Pump AquaFlow 1.5 HP", "AquaFlow", "849.00", 24, True),
    ("AQU-ROB-R3", "Pool Cleaning Robot R3", "AquaFlow", "1199.00", 24, True),
    # High-value, but serial numbers not enabled yet: the serial coverage
    # report is meant to flag it.
    ("VOL-EBK-CRG", "E-Bike Cargo 900", "Voltride", "4299.00", 24, False),
    ("BAR-DSC-500", "Descaler 500 ml", "Barista Co", "14.95", 0, False),
    ("BAR-BNS-1KG", "Espresso Beans House Blend 1 kg", "Barista Co", "24.00", 0, False),
    ("VOL-HLM-M", "Bike Helmet Urban (M)", "Voltride", "79.00", 12, False),
    ("NOV-CSE-X12", "Nova X12 Silicone Case", "Nova", "29.00", 6, False),
    ("AQU-CHL-5KG", "Pool Chlorine Tablets 5 kg", "AquaFlow", "59.00", 0, False),
]

# Barcodes from GS1's own example company prefix (950 is GS1 Global Office, kept
# for examples), so no demo product carries a real product's code: the first is
# the GTIN-14 of GS1's examples, one a GTIN-8, and the UPC-A GS1 US prints.
DEMO_BARCODES = {
    "BAR-ESP-900": "09506000134352",
    "BAR-GRD-200": "9506000134369",
    "VOL-EBK-CTY": "9506000134376",
    "NOV-PH-X12": "9506000134383",
    "NOV-PH-A5": "9506000134390",
    "AQU-PMP-15": "9506000134406",
    "BAR-BNS-1KG": "9506000134413",
    "NOV-CSE-X12": "95060002",
    "VOL-HLM-M": "012345678905",
}

# A Serial number format to try: the demo serials of this product are its SKU,
# the outlet's initials and four digits (inventory.demo). Not product 1, whose
# serials the README's API examples add as ESP-0001.
DEMO_PATTERNS = {"BAR-GRD-200": "BAR-GRD-200-@@####"}


# name, email, phone, address; example.com addresses and a 555 number reach nobody.
DEMO_SUPPLIERS = [
    (
        "Coffee Gear Wholesale",
        "orders@coffeegear.example.com",
        "+1 555 0100",
        "12 Roastery Lane\nPortland",
    ),
    ("Voltride Distribution", "trade@voltride.example.com", "+1 555 0101", "Dock 3, Bay Road"),
    ("Nova Mobile Supply", "sales@novamobile.example.com", "+1 555 0102", ""),
]

# A product's supplier (by the brand it sells) and the supplier code on that
# supplier's lists: the SKU with the supplier's own prefix. AquaFlow has none,
# so products without a supplier stay in the demo too.
DEMO_SUPPLIER_OF_BRAND = {
    "Barista Co": ("Coffee Gear Wholesale", "CGW-"),
    "Voltride": ("Voltride Distribution", "VD-"),
    "Nova": ("Nova Mobile Supply", "NMS-"),
}


def seed_suppliers() -> dict[str, Supplier]:
    suppliers = {}
    for name, email, phone, address in DEMO_SUPPLIERS:
        supplier, _created = Supplier.objects.get_or_create(
            name=name, defaults={"email": email, "phone": phone, "address": address}
        )
        suppliers[name] = supplier
    return suppliers


def seed_products() -> list[Product]:
    suppliers = seed_suppliers()
    products = []
    for sku, name, brand, price, warranty, serialised in DEMO_PRODUCTS:
        pattern = DEMO_PATTERNS.get(sku, "")
        supplier_name, code_prefix = DEMO_SUPPLIER_OF_BRAND.get(brand, ("", ""))
        product, _created = Product.objects.get_or_create(
            sku=sku,
            defaults={
                "name": name,
                "brand": brand,
                "retail_price": Decimal(price),
                "warranty_months": warranty,
                "has_serial_numbers": serialised,
                "barcode": DEMO_BARCODES.get(sku, ""),
                "serial_format": SerialFormat.PATTERN if pattern else SerialFormat.ANY,
                "serial_pattern": pattern,
                "supplier": suppliers.get(supplier_name),
                "supplier_code": f"{code_prefix}{sku.split('-', 1)[1]}" if supplier_name else "",
            },
        )
        products.append(product)
    return products
