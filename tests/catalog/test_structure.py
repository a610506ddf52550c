"""Catalog is the bottom layer: it knows nothing of the apps built on it."""

import re
from pathlib import Path

import pytest

from tests.factories import ProductFactory

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
FORBIDDEN = [
    r"^\s*(from|import)\s+(inventory|sales|reports)\b",  # an import of a higher app
    r"[\"']in_stock[\"']",  # inventory's stored status value
    r"[\"'](inventory|sales):",  # a URL name of a higher app
    r"[\"']product_detail[\"']",  # the product page's URL name (an inventory view)
]


@pytest.mark.parametrize("path", sorted(CATALOG.rglob("*.py")), ids=lambda p: p.name)
def test_catalog_code_names_nothing_of_the_apps_built_on_it(path):
    text = path.read_text()
    for pattern in FORBIDDEN:
        found = re.search(pattern, text, flags=re.MULTILINE)
        assert found is None, f"{path.name}: {found.group(0)!r}"


@pytest.mark.django_db
def test_a_products_url_is_its_page_as_config_wires_it():
    product = ProductFactory()
    assert product.get_absolute_url() == f"/catalog/products/{product.pk}/"


INVENTORY = CATALOG.parent / "inventory"


@pytest.mark.parametrize("path", sorted(INVENTORY.rglob("*.py")), ids=lambda p: p.name)
def test_inventory_imports_nothing_from_sales(path):
    found = re.search(r"^\s*(from|import)\s+(sales|reports)\b", path.read_text(), re.MULTILINE)
    assert found is None, f"{path.name}: {found.group(0)!r}"


SALES = CATALOG.parent / "sales"


@pytest.mark.parametrize("path", sorted(SALES.rglob("*.py")), ids=lambda p: p.name)
def test_sales_imports_nothing_from_reports(path):
    found = re.search(r"^\s*(from|import)\s+reports\b", path.read_text(), re.MULTILINE)
    assert found is None, f"{path.name}: {found.group(0)!r}"


LOWER_APPS = [CATALOG, INVENTORY, SALES, CATALOG.parent / "reports"]


@pytest.mark.parametrize(
    "path",
    sorted(path for app in LOWER_APPS for path in app.rglob("*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_no_app_imports_the_api_built_on_them(path):
    found = re.search(r"^\s*(from|import)\s+api\b", path.read_text(), re.MULTILINE)
    assert found is None, f"{path}: {found.group(0)!r}"


ROOT = CATALOG.parent
APPS = ["api", "catalog", "inventory", "reports", "roles", "sales"]
LIB = ROOT / "lib"


@pytest.mark.parametrize(
    "path",
    sorted(path for app in APPS for path in (ROOT / app).rglob("*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_no_app_imports_config_which_only_wires_them(path):
    found = re.search(r"^\s*(from|import)\s+config\b", path.read_text(), re.MULTILINE)
    assert found is None, f"{path}: {found.group(0)!r}"


@pytest.mark.parametrize("path", sorted(LIB.rglob("*.py")), ids=lambda p: p.name)
def test_lib_imports_no_app_and_not_config(path):
    pattern = r"^\s*(from|import)\s+(config|" + "|".join(APPS) + r")\b"
    found = re.search(pattern, path.read_text(), re.MULTILINE)
    assert found is None, f"{path.name}: {found.group(0)!r}"


def test_the_shared_pieces_live_in_lib_not_in_config():
    assert sorted(p.name for p in LIB.glob("*.py")) == [
        "__init__.py",
        "apps.py",
        "csvfile.py",
        "dates.py",
        "ids.py",
        "keyset.py",
        "mixins.py",
        "scans.py",
        "widgets.py",
    ]
    assert not any((ROOT / "config" / name).exists() for name in ["keyset.py", "mixins.py"])


# Sale facts about a unit live in sales: inventory's code and templates name no
# sales URL (nor the sales pages wired at inventory's paths) and no sale's customer.
INVENTORY_NAMES_NO_SALE = [
    r"[\"']sales:",
    r"(reverse|redirect|\{% url)\(?\s*[\"']serial_(detail|lookup|delete)[\"']",
    r"[\"']customer[\"']",
]


@pytest.mark.parametrize(
    "path",
    sorted([*INVENTORY.rglob("*.py"), *INVENTORY.rglob("*.html")]),
    ids=lambda p: p.name,
)
def test_inventory_names_no_sales_page_and_no_customer(path):
    text = path.read_text()
    for pattern in INVENTORY_NAMES_NO_SALE:
        found = re.search(pattern, text)
        assert found is None, f"{path.name}: {found.group(0)!r}"


@pytest.mark.django_db
def test_a_serials_url_is_its_sales_page_at_inventorys_path():
    from tests.factories import SerialRecordFactory

    serial = SerialRecordFactory()
    assert serial.get_absolute_url() == f"/inventory/serials/{serial.pk}/"
