"""Add Serial numbers: the Product field's type-ahead and the live count of entries."""

from playwright.sync_api import expect

from inventory.models import SerialRecord
from tests.factories import OutletFactory, ProductFactory, UserFactory


def test_typing_a_name_that_matches_one_product_and_submitting_picks_it(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    product = ProductFactory(name="Pool Pump AquaFlow", sku="AQ-15")
    ProductFactory(name="Barista Pro", sku="BP-900")
    OutletFactory(name="Main Street")
    log_in("sam")
    page.goto("/inventory/serials/add/")
    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()
    page.get_by_label("Product").fill("aquaflow")
    expect(page.get_by_role("option", name="Pool Pump AquaFlow (AQ-15)")).to_be_visible()
    # Not picked from the list: the clerk goes straight on.
    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Serial numbers").fill("AQ-1, AQ-2")
    page.get_by_role("button", name="Add Serial numbers").click()
    expect(page.get_by_text("2 serial numbers added")).to_be_visible()
    assert SerialRecord.objects.filter(product=product).count() == 2


def test_an_error_on_the_product_is_not_hidden_under_the_suggestions(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    ProductFactory(name="Barista Pro 900", sku="BP-900")
    ProductFactory(name="Barista Pro 700", sku="BP-700")
    OutletFactory(name="Main Street")
    log_in("sam")
    page.goto("/inventory/serials/add/")
    suggestions = page.get_by_role("listbox", name="Suggestions").get_by_role("option")
    page.get_by_label("Product").fill("barista pro")
    expect(suggestions).to_have_count(2)
    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Serial numbers").fill("BP-1")
    page.get_by_role("button", name="Add Serial numbers").click()
    error = page.get_by_text("Several products match “barista pro”. Select one from the list.")
    expect(error).to_be_visible()
    expect(suggestions).to_have_count(0)
    expect(page.get_by_label("Product")).to_have_value("barista pro")
    expect(page.get_by_label("Serial numbers")).to_have_value("BP-1")


def test_the_entries_are_counted_as_they_are_typed_and_the_cap_is_said(page, log_in, settings):
    settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION = 3
    UserFactory(username="sam", groups=["Staff"])
    log_in("sam")
    page.goto("/inventory/serials/add/")
    expect(page.get_by_text("At most 3 serial numbers per submission.")).to_be_visible()
    box = page.get_by_label("Serial numbers")
    box.fill("A-1, A-2;A-3")
    expect(page.get_by_text("3 serial numbers entered.")).to_be_visible()
    box.press("End")
    box.type("\nA-4")
    expect(
        page.get_by_text(
            "4 serial numbers entered: one submission adds at most 3. "
            "Add them in parts, or use Import CSV."
        )
    ).to_be_visible()
