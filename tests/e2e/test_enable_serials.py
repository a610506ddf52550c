"""The procedure's "Enable serials for a product", step by step, as a Manager."""

import re

from playwright.sync_api import expect

from catalog.models import Product
from tests.factories import ProductFactory, SerialRecordFactory, UserFactory


def test_a_manager_enables_serials_for_a_product_following_the_procedure(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    pump = ProductFactory(
        name="Pool Pump AquaFlow 1.5 HP",
        sku="AQU-PMP-15",
        brand="AquaFlow",
        has_serial_numbers=False,
    )
    ProductFactory(name="Pool Chlorine Tablets 5 kg", brand="AquaFlow", has_serial_numbers=False)
    ProductFactory(name="E-Bike City 500", brand="Voltride", has_serial_numbers=True)
    log_in("mia")

    # Navigate to Catalog > Products:
    page.get_by_role("button", name="Catalog").click()
    page.get_by_role("link", name="Products").click()
    expect(page.get_by_role("heading", name="Products")).to_be_visible()

    # Locate the product you wish to enable serial numbers for, using the
    # filters if required.
    page.get_by_label("Search").fill("pump")
    page.get_by_label("Has serial numbers").select_option(label="No")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row").filter(has_text="Pool Pump AquaFlow 1.5 HP")
    expect(row).to_have_count(1)
    expect(page.get_by_role("link", name="Edit")).to_have_count(1)

    # Click the Edit pencil icon to open the Edit product page.
    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit product")).to_be_visible()

    # Scroll to the Serial numbers section.
    section = page.get_by_role("heading", name="Serial numbers")
    section.scroll_into_view_if_needed()
    expect(section).to_be_in_viewport()

    # Select the Has serial numbers checkbox.
    page.get_by_label("Has serial numbers").check()

    # Click Save.
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Product “Pool Pump AquaFlow 1.5 HP” saved.")
    expect(page).to_have_url(re.compile(rf"/catalog/products/{pump.pk}/$"))
    pump.refresh_from_db()
    assert pump.has_serial_numbers is True
    assert Product.objects.filter(has_serial_numbers=True).count() == 2


def test_turning_serials_off_with_units_in_stock_shows_why_on_the_form(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    bike = ProductFactory(name="E-Bike City 500", has_serial_numbers=True)
    SerialRecordFactory(product=bike)
    log_in("mia")
    page.goto(f"/catalog/products/{bike.pk}/edit/")
    page.get_by_label("Has serial numbers").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Serial numbers cannot be turned off")).to_be_visible()
    expect(page.get_by_label("Has serial numbers")).not_to_be_checked()
    bike.refresh_from_db()
    assert bike.has_serial_numbers is True
