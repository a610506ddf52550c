"""Catalog > Suppliers > Add supplier, then Edit product picks the Supplier."""

import re

from playwright.sync_api import expect

from catalog.models import Product, Supplier
from tests.factories import ProductFactory, UserFactory


def test_a_manager_adds_a_supplier_and_gives_it_a_product(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    grinder = ProductFactory(name="Burr Grinder Pro 200", sku="BAR-GRD-200", brand="Barista Co")
    log_in("mia")

    # Catalog > Suppliers > Add supplier.
    page.get_by_role("button", name="Catalog").click()
    page.get_by_role("link", name="Suppliers").click()
    expect(page.get_by_role("heading", name="Suppliers")).to_be_visible()
    page.get_by_role("button", name="Add supplier").click()
    expect(page.get_by_role("heading", name="Add supplier")).to_be_visible()

    # A bad email first: said next to the field, what was typed kept.
    page.get_by_label("Name").fill("Coffee Gear Wholesale")
    page.get_by_label("Email").fill("orders at coffeegear")
    page.get_by_label("Phone").fill("+1 555 0100")
    page.get_by_label("Address").fill("12 Roastery Lane\nPortland")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Coffee Gear Wholesale")
    assert not Supplier.objects.exists()

    page.get_by_label("Email").fill("orders@coffeegear.example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Supplier “Coffee Gear Wholesale” added.")
    row = page.get_by_role("row").filter(has_text="Coffee Gear Wholesale")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("orders@coffeegear.example.com")
    supplier = Supplier.objects.get()
    assert (supplier.phone, supplier.address) == ("+1 555 0100", "12 Roastery Lane\nPortland")

    # Catalog > Products, the Edit pencil of the product: Supplier and Supplier code.
    page.get_by_role("button", name="Catalog").click()
    page.get_by_role("link", name="Products").click()
    page.get_by_role("row").filter(has_text="Burr Grinder Pro 200").get_by_role(
        "link", name="Edit"
    ).click()
    expect(page.get_by_role("heading", name="Edit product")).to_be_visible()
    page.get_by_label("Supplier", exact=True).select_option(label="Coffee Gear Wholesale")
    page.get_by_label("Supplier code").fill("CGW-GRD-200")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Product “Burr Grinder Pro 200” saved.")
    grinder.refresh_from_db()
    assert (grinder.supplier, grinder.supplier_code) == (supplier, "CGW-GRD-200")
    # The product page names them.
    expect(page.get_by_role("heading", name="Burr Grinder Pro 200")).to_be_visible()
    expect(page.get_by_text("CGW-GRD-200")).to_be_visible()

    # The Products list's Supplier filter finds it.
    page.get_by_role("button", name="Catalog").click()
    page.get_by_role("link", name="Products", exact=True).click()
    page.get_by_label("Supplier").select_option(label="Coffee Gear Wholesale")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"supplier={supplier.pk}"))
    expect(page.get_by_role("row").filter(has_text="Burr Grinder Pro 200")).to_have_count(1)
    assert Product.objects.filter(supplier=supplier).count() == 1


def test_an_edit_pencil_deactivates_a_supplier(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    Supplier.objects.create(name="Old Parts")
    log_in("mia")
    page.goto("/catalog/suppliers/")
    page.get_by_role("row").filter(has_text="Old Parts").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit supplier")).to_be_visible()
    page.get_by_label("Active").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Supplier “Old Parts” saved.")
    expect(page.get_by_role("row").filter(has_text="Old Parts")).to_contain_text("Inactive")
    assert Supplier.objects.get().is_active is False
