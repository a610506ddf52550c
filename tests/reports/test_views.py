"""Reports > Serial coverage as Staff and Managers: sections, threshold, Enable, exports."""

import csv
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.models import Product
from inventory.models import SerialRecord, SerialStatus, StockLevel
from inventory.sql import serial_tally_apply
from reports.models import HighValueThreshold
from reports.views import coverage as coverage_views
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

COVERAGE_URL = reverse("reports:coverage")
THRESHOLD_URL = reverse("reports:threshold_set")
EXPORT_URLS = {
    "high-value": reverse("reports:high_value_export"),
    "stock-without-serials": reverse("reports:stock_without_serials_export"),
    "serials-without-stock": reverse("reports:serials_without_stock_export"),
}


def enable_url(product):
    return reverse("reports:product_serial_numbers_enable", args=[product.pk])


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def page(response):
    assert response.status_code == 200
    return unescape(response.content.decode())


def section(html, anchor):
    """The text of one section of the report (its id is the page's anchor)."""
    found = re.search(rf'<section[^>]*id="{anchor}".*?</section>', html, re.DOTALL)
    assert found is not None, f"no section #{anchor}"
    return found.group(0)


def exported(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="serial-coverage-')
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def main():
    return OutletFactory(name="Main Street")


@pytest.fixture
def harbour():
    return OutletFactory(name="Harbour Mall")


@pytest.fixture
def cargo():
    """High value (4,299.00), serial numbers off: section 1's example from the demo data."""
    return ProductFactory(
        name="E-Bike Cargo 900", sku="EB-C900", retail_price=Decimal("4299.00"),
        has_serial_numbers=False,
    )  # fmt: skip


@pytest.fixture
def mismatches(main, harbour):
    """A phone with 8 on hand and 5 In stock at Main Street; 0 and 2 at Harbour Mall."""
    phone = ProductFactory(name="Phone X", sku="PH-X", has_serial_numbers=True)
    StockLevelFactory(product=phone, outlet=main, on_hand=8)
    for _ in range(5):
        SerialRecordFactory(product=phone, outlet=main)
    for _ in range(2):
        SerialRecordFactory(product=phone, outlet=harbour)
    return phone


# Who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", COVERAGE_URL),
        ("post", THRESHOLD_URL),
        ("post", "/reports/coverage/products/1/enable-serial-numbers/"),
        *[("get", url) for url in EXPORT_URLS.values()],
    ],
)
def test_an_anonymous_visitor_is_sent_to_log_in(client, method, url):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", [COVERAGE_URL, *EXPORT_URLS.values()])
def test_a_user_in_no_group_may_not_see_the_report(client, url):
    client.force_login(UserFactory(username="nobody"))

    assert client.get(url).status_code == 403


def test_staff_see_the_report_without_the_managers_controls(staff_client, cargo, mismatches):
    html = page(staff_client.get(COVERAGE_URL))

    assert '<h1 class="h3 mb-1">Serial coverage</h1>' in html
    assert "High-value threshold: <strong>£500.00</strong>" in html
    assert "E-Bike Cargo 900" in section(html, "high-value")
    assert "Enable serial numbers" not in html
    assert 'name="amount"' not in html


def test_managers_get_the_threshold_form_and_the_enable_buttons(manager_client, cargo):
    html = page(manager_client.get(COVERAGE_URL))

    assert re.search(r'<label[^>]*for="id_amount"[^>]*>\s*High-value threshold', html)
    assert 'name="amount" value="500.00"' in html
    assert ">Save</button>" in html
    high_value = section(html, "high-value")
    assert f'action="{enable_url(cargo)}"' in high_value
    assert "Enable serial numbers" in high_value


def test_staff_may_not_change_the_threshold(staff_client):
    response = staff_client.post(THRESHOLD_URL, {"amount": "1.00"})

    assert response.status_code == 403
    assert not HighValueThreshold.objects.exists()


def test_staff_may_not_enable_serial_numbers(staff_client, cargo):
    response = staff_client.post(enable_url(cargo))

    assert response.status_code == 403
    cargo.refresh_from_db()
    assert cargo.has_serial_numbers is False
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("url", [THRESHOLD_URL, "enable"])
def test_the_managers_actions_take_only_post(manager_client, cargo, url):
    response = manager_client.get(enable_url(cargo) if url == "enable" else url)

    assert response.status_code == 405
    cargo.refresh_from_db()
    assert cargo.has_serial_numbers is False


@pytest.mark.parametrize("url", [COVERAGE_URL, *EXPORT_URLS.values()])
def test_the_report_and_its_exports_take_only_get(manager_client, url):
    assert manager_client.post(url).status_code == 405


# The sections --------------------------------------------------------------------------


def test_each_kind_of_problem_shows_in_its_section(staff_client, main, harbour, cargo, mismatches):
    html = page(staff_client.get(COVERAGE_URL))

    high_value = section(html, "high-value")
    assert "High-value products without serial numbers</h2>" in high_value
    assert f'<a href="/catalog/products/{cargo.pk}/">E-Bike Cargo 900</a>' in high_value
    assert "EB-C900" in high_value
    assert "£4,299.00" in high_value

    stock = section(html, "stock-without-serials")
    assert "Stock without serials</h2>" in stock
    # On a phone the outlet shows under the product, its own column hidden.
    assert re.search(
        r"Phone X</a>\s*<span[^>]*>Main Street</span></td>"
        r"\s*<td[^>]*>PH-X</td>\s*<td[^>]*>Main Street</td>",
        stock,
    )
    assert re.search(r">8</td>\s*<td[^>]*>5</td>\s*<td[^>]*>3</td>", stock)
    add_url = f"{reverse('inventory:serial_create')}?product={mismatches.pk}&outlet={main.pk}"
    assert f'<a href="{add_url}">Add Serial numbers' in stock
    assert "Harbour Mall" not in stock

    serials = section(html, "serials-without-stock")
    assert "Serials without stock</h2>" in serials
    assert re.search(r"<td[^>]*>Harbour Mall</td>\s*<td[^>]*>0</td>\s*<td[^>]*>2</td>", serials)
    list_url = (
        f"{reverse('inventory:serial_list')}"
        f"?product={mismatches.pk}&outlet={harbour.pk}&status=in_stock"
    )
    assert f'<a href="{list_url}">View serials' in serials
    assert "Main Street" not in serials


def test_the_serial_list_link_shows_exactly_the_units_in_question(
    staff_client, harbour, mismatches
):
    SerialRecordFactory(product=mismatches, outlet=harbour, status=SerialStatus.SOLD)
    url = (
        f"{reverse('inventory:serial_list')}"
        f"?product={mismatches.pk}&outlet={harbour.pk}&status=in_stock"
    )

    response = staff_client.get(url)

    assert response.status_code == 200
    assert len(response.context["object_list"]) == 2


def test_empty_sections_say_so_in_words(staff_client):
    html = page(staff_client.get(COVERAGE_URL))

    assert "None: every high-value product has serial numbers." in section(html, "high-value")
    assert "None: every unit on hand has its serial number recorded." in section(
        html, "stock-without-serials"
    )
    assert "None: no outlet has more In stock serials than stock on hand." in section(
        html, "serials-without-stock"
    )


def test_each_section_has_its_own_named_export_link(staff_client):
    html = page(staff_client.get(COVERAGE_URL))

    for anchor, heading in [
        ("high-value", "High-value products without serial numbers"),
        ("stock-without-serials", "Stock without serials"),
        ("serials-without-stock", "Serials without stock"),
    ]:
        link = f'href="{EXPORT_URLS[anchor]}" aria-label="Export CSV: {heading}">Export CSV</a>'
        assert link in section(html, anchor)


def test_a_long_section_shows_its_first_rows_and_sends_the_rest_to_its_export(
    staff_client, monkeypatch
):
    monkeypatch.setattr(coverage_views, "SECTION_ROWS_SHOWN", 2)
    for n in range(3):
        ProductFactory(name=f"Bike {n}", retail_price=Decimal(900), has_serial_numbers=False)

    html = page(staff_client.get(COVERAGE_URL))

    high_value = section(html, "high-value")
    assert "Showing the first 2 of 3. Export CSV lists them all." in high_value
    assert "Bike 1" in high_value
    assert "Bike 2" not in high_value


# The outlet filter -------------------------------------------------------------------------


def test_the_outlet_filter_applies_to_every_section(
    staff_client, main, harbour, cargo, mismatches
):
    StockLevelFactory(product=cargo, outlet=harbour, on_hand=1)

    html = page(staff_client.get(COVERAGE_URL, {"outlet": harbour.pk}))

    assert "E-Bike Cargo 900" in section(html, "high-value")
    assert "None: every unit on hand has its serial number recorded." in section(
        html, "stock-without-serials"
    )
    assert "Harbour Mall" in section(html, "serials-without-stock")
    assert f'{EXPORT_URLS["high-value"]}?outlet={harbour.pk}"' in html

    html = page(staff_client.get(COVERAGE_URL, {"outlet": main.pk}))

    assert "None: every high-value product has serial numbers." in section(html, "high-value")
    assert "Main Street" in section(html, "stock-without-serials")
    assert "None: no outlet has more" in section(html, "serials-without-stock")


def test_an_outlet_not_in_the_list_shows_the_filters_error_and_no_rows(staff_client, cargo):
    html = page(staff_client.get(COVERAGE_URL, {"outlet": "99999"}))

    assert "Select a valid choice." in html
    assert "No report for these filters." in html
    assert "E-Bike Cargo 900" not in html


# Changing the threshold ----------------------------------------------------------------------


def test_a_manager_changes_the_threshold_and_the_list_follows(manager_client, manager_user, cargo):
    ProductFactory(name="Espresso Pro", retail_price=Decimal("550.00"), has_serial_numbers=False)
    assert "Espresso Pro" in section(page(manager_client.get(COVERAGE_URL)), "high-value")

    response = manager_client.post(THRESHOLD_URL, {"amount": "600.00"})

    assert response.status_code == 302
    assert response.url == COVERAGE_URL
    assert message_texts(response) == ["High-value threshold set to £600.00."]
    change = HighValueThreshold.objects.get()
    assert (change.amount, change.changed_by) == (Decimal("600.00"), manager_user)
    html = page(manager_client.get(COVERAGE_URL))
    assert "High-value threshold: <strong>£600.00</strong>" in html
    assert "(changed by mia on " in html
    high_value = section(html, "high-value")
    assert "E-Bike Cargo 900" in high_value
    assert "Espresso Pro" not in high_value


def test_the_page_lists_the_latest_changes_of_the_threshold(manager_client):
    for amount in ("600.00", "700.00"):
        manager_client.post(THRESHOLD_URL, {"amount": amount})

    html = page(manager_client.get(COVERAGE_URL))

    assert "Recent changes" in html
    assert html.index("£700.00</td>") < html.index("£600.00</td>")


def test_a_negative_threshold_is_refused_on_the_form(manager_client):
    html = page(manager_client.post(THRESHOLD_URL, {"amount": "-1"}))

    assert "Ensure this value is greater than or equal to 0" in html
    assert 'name="amount" value="-1"' in html
    assert not HighValueThreshold.objects.exists()


@pytest.mark.parametrize(
    "amount, message",
    [
        ("1e400", "Ensure that there are no more than 10 digits in total."),
        ("99999999999999", "Ensure that there are no more than 10 digits in total."),
        ("Infinity", "Enter a number."),
        ("NaN", "Enter a number."),
        ("1" * 10_000, "Ensure that there are no more than 10 digits in total."),
        ("abc", "Enter a number."),
    ],
)
def test_a_hostile_threshold_is_a_form_error_and_changes_nothing(manager_client, amount, message):
    response = manager_client.post(THRESHOLD_URL, {"amount": amount})

    assert response.status_code == 200
    assert message in page(response)
    assert not HighValueThreshold.objects.exists()


def test_a_nul_in_the_threshold_gets_the_400_page_that_names_it(manager_client):
    response = manager_client.post(THRESHOLD_URL, {"amount": "5\x0000"})

    assert response.status_code == 400
    assert "contained an invalid character" in response.content.decode()
    assert not HighValueThreshold.objects.exists()


def test_saving_the_same_threshold_says_so_and_logs_nothing(manager_client):
    response = manager_client.post(THRESHOLD_URL, {"amount": "500"})

    assert response.status_code == 302
    assert message_texts(response) == ["The high-value threshold is already £500.00."]
    assert not HighValueThreshold.objects.exists()


def test_after_saving_the_threshold_the_report_keeps_its_outlet(manager_client, harbour):
    response = manager_client.post(f"{THRESHOLD_URL}?outlet={harbour.pk}", {"amount": "9"})

    assert response.status_code == 302
    assert response.url == f"{COVERAGE_URL}?outlet={harbour.pk}"


# Enable serial numbers -----------------------------------------------------------------------


def test_enable_serial_numbers_fixes_the_product_and_it_leaves_the_list(
    manager_client, manager_user, cargo
):
    response = manager_client.post(enable_url(cargo))

    assert response.status_code == 302
    assert response.url == f"{COVERAGE_URL}#high-value"
    assert message_texts(response) == ["Serial numbers enabled for E-Bike Cargo 900."]
    cargo.refresh_from_db()
    assert cargo.has_serial_numbers is True
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id) == (manager_user, str(cargo.pk))
    high_value = section(page(manager_client.get(COVERAGE_URL)), "high-value")
    assert "None: every high-value product has serial numbers." in high_value
    assert "E-Bike Cargo 900" not in high_value


def test_enabling_a_product_already_enabled_says_so_and_logs_nothing(manager_client, cargo):
    Product.objects.filter(pk=cargo.pk).update(has_serial_numbers=True)

    response = manager_client.post(enable_url(cargo))

    assert response.status_code == 302
    assert message_texts(response) == ["Serial numbers were already enabled for E-Bike Cargo 900."]
    assert not LogEntry.objects.exists()


def test_enable_keeps_the_reports_outlet(manager_client, cargo, harbour):
    response = manager_client.post(f"{enable_url(cargo)}?outlet={harbour.pk}")

    assert response.status_code == 302
    assert response.url == f"{COVERAGE_URL}?outlet={harbour.pk}#high-value"


def test_enabling_a_product_that_does_not_exist_is_404(manager_client):
    assert (
        manager_client.post("/reports/coverage/products/999999/enable-serial-numbers/").status_code
        == 404
    )


# Exports -----------------------------------------------------------------------------------


def test_the_high_value_export_lists_the_section_with_formulas_neutralised(staff_client, cargo):
    ProductFactory(
        name="=cmd|' /C calc'!A0", sku="+SKU", brand="@brand", retail_price=Decimal("999.50"),
        has_serial_numbers=False,
    )  # fmt: skip
    ProductFactory(name="Cheap", retail_price=Decimal("9.00"), has_serial_numbers=False)

    rows = exported(staff_client.get(EXPORT_URLS["high-value"]))

    assert rows == [
        ["Product", "SKU", "Brand", "Retail price"],
        ["'=cmd|' /C calc'!A0", "'+SKU", "'@brand", "999.50"],
        ["E-Bike Cargo 900", "EB-C900", "Barista Co", "4299.00"],
    ]


def test_the_stock_without_serials_export_lists_each_pair(staff_client, main, mismatches):
    rows = exported(staff_client.get(EXPORT_URLS["stock-without-serials"]))

    assert rows == [
        ["Product", "SKU", "Outlet", "On hand", "In stock serials", "Difference"],
        ["Phone X", "PH-X", "Main Street", "8", "5", "3"],
    ]


def test_the_serials_without_stock_export_neutralises_a_formula_outlet_name(
    staff_client, mismatches
):
    evil = OutletFactory(name="-2+3")
    SerialRecordFactory(product=mismatches, outlet=evil)

    rows = exported(staff_client.get(EXPORT_URLS["serials-without-stock"]))

    assert rows == [
        ["Product", "SKU", "Outlet", "On hand", "In stock serials", "Difference"],
        ["Phone X", "PH-X", "'-2+3", "0", "1", "1"],
        ["Phone X", "PH-X", "Harbour Mall", "0", "2", "2"],
    ]


def test_each_export_follows_the_outlet_filter(staff_client, main, harbour, cargo, mismatches):
    StockLevelFactory(product=cargo, outlet=harbour, on_hand=1)

    at_main = {
        name: exported(staff_client.get(url, {"outlet": main.pk}))[1:]
        for name, url in EXPORT_URLS.items()
    }

    assert at_main == {
        "high-value": [],
        "stock-without-serials": [["Phone X", "PH-X", "Main Street", "8", "5", "3"]],
        "serials-without-stock": [],
    }


@pytest.mark.parametrize("name", list(EXPORT_URLS))
def test_an_export_with_an_invalid_outlet_has_only_its_header(staff_client, name, cargo):
    rows = exported(staff_client.get(EXPORT_URLS[name], {"outlet": "nope"}))

    assert len(rows) == 1
    assert rows[0][0] == "Product"


# Cost --------------------------------------------------------------------------------------


def build_shop(size):
    """`size` outlets and `size` of each kind of product, every pair with a problem."""
    outlets = [OutletFactory(name=f"Outlet {n:02d}") for n in range(size)]
    over = [ProductFactory(name=f"Over {n:02d}") for n in range(size)]
    under = [ProductFactory(name=f"Under {n:02d}") for n in range(size)]
    for n in range(size):
        ProductFactory(name=f"Cargo {n:02d}", retail_price=Decimal(900), has_serial_numbers=False)
    StockLevel.objects.bulk_create(
        [StockLevel(product=p, outlet=o, on_hand=2) for p in over for o in outlets]
    )
    SerialRecord.objects.bulk_create(
        [
            SerialRecord(
                product=p, outlet=o, serial=f"{p.pk}-{o.pk}", serial_normalised=f"{p.pk}-{o.pk}"
            )
            for p in under
            for o in outlets
        ]
    )
    # Written as no service writes units: counted as one would count them.
    serial_tally_apply(
        deltas={(p.pk, o.pk, SerialStatus.IN_STOCK): 1 for p in under for o in outlets}
    )


@pytest.mark.parametrize("size", [3, 30])
def test_the_reports_query_count_does_not_grow_with_products_or_outlets(
    manager_client, django_assert_num_queries, size
):
    build_shop(size)
    manager_client.get(COVERAGE_URL)

    # Session, user, two for permissions; the threshold and its changes; the
    # serialised products; the mismatches of stock and serial counts; the outlets
    # of the problem rows; section 1; the outlets of the filter.
    with django_assert_num_queries(10):
        response = manager_client.get(COVERAGE_URL)

    html = page(response)
    assert response.context["stock_without_serials"]["count"] == size * size
    assert response.context["serials_without_stock"]["count"] == size * size
    assert "Over 00" in section(html, "stock-without-serials")
    assert "Under 00" in section(html, "serials-without-stock")
    assert f"Cargo {size - 1:02d}" in section(html, "high-value")
