"""The Product type-ahead once a product is picked: no suggestion box over the next field.

The procedure's "Enter and select the product name in the Product field", then
"Select the outlet in the Outlet field": the picked product's "Name (SKU)" text
must not be searched again when the box gets the focus back.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import OutletFactory, ProductFactory, UserFactory

NO_MATCH = "No product with serial numbers matches."
# Long enough for htmx to send a search the focus triggers and show its answer.
SETTLE_MS = 600


@pytest.fixture
def add_page(page):
    UserFactory(username="sam", groups=["Staff"])
    ProductFactory(name="Barista Pro Espresso Machine", sku="BP-900")
    ProductFactory(name="Barista Lite", sku="BL-100")
    OutletFactory(name="Main Street")
    OutletFactory(name="Harbour Mall")
    page.set_viewport_size({"width": 1280, "height": 900})
    # Logged in straight into the page (the dashboard is not what is tested here).
    page.goto("/accounts/login/?next=/inventory/serials/add/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()
    searches: list[str] = []
    page.on(
        "request",
        lambda request: searches.append(request.url) if "product-options" in request.url else None,
    )
    page.searches = searches
    return page


def pick_barista_pro(page):
    page.get_by_label("Product").fill("Barista Pro")
    page.get_by_role("option", name="Barista Pro Espresso Machine (BP-900)").click()
    expect(page.get_by_label("Product")).to_have_value("Barista Pro Espresso Machine (BP-900)")
    page.searches.clear()  # what was typed was searched; the picked text must not be


def expect_no_suggestion_box(page):
    """What the user sees: Outlet uncovered; no box, and no search sent since the pick."""
    page.wait_for_timeout(SETTLE_MS)
    outlet = page.get_by_label("Outlet")
    expect(outlet).to_be_visible()
    # What is drawn at the middle of Outlet's label and of its box is Outlet
    # itself, not a suggestion box over it.
    for part, tag in [(page.locator("label", has_text="Outlet"), "label"), (outlet, "select")]:
        box = part.bounding_box()
        assert box is not None
        on_top = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.closest('label, select, li')?.tagName",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert on_top == tag.upper()
    expect(page.get_by_label("Product")).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_text(NO_MATCH)).to_have_count(0)
    expect(page.get_by_role("listbox", name="Suggestions").get_by_role("option")).to_have_count(0)
    assert [url for url in page.searches if "BP-900" in url] == []
    outlet.click(timeout=2_000)
    expect(outlet).to_be_focused()


def test_a_picked_product_leaves_outlet_visible_and_clickable(add_page):
    page = add_page
    pick_barista_pro(page)

    expect(page.get_by_label("Outlet")).to_be_visible()
    expect_no_suggestion_box(page)
    page.get_by_label("Outlet").select_option(label="Harbour Mall")
    expect(page.get_by_label("Outlet")).to_have_value(re.compile(r"\d+"))


def test_focus_coming_back_to_a_picked_product_opens_no_box(add_page):
    page = add_page
    pick_barista_pro(page)
    page.get_by_label("Outlet").focus()

    page.get_by_label("Product").click()
    expect(page.get_by_label("Product")).to_be_focused()
    expect_no_suggestion_box(page)
    # Keyboard round trip: Tab away, Shift+Tab back, nothing typed.
    page.get_by_label("Product").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_label("Product")).to_be_focused()
    expect_no_suggestion_box(page)


def test_typing_again_after_a_pick_still_suggests(add_page):
    page = add_page
    pick_barista_pro(page)

    page.get_by_label("Product").fill("Lite")

    expect(page.get_by_role("option", name="Barista Lite (BL-100)")).to_be_visible()
    page.get_by_role("option", name="Barista Lite (BL-100)").click()
    expect(page.get_by_label("Product")).to_have_value("Barista Lite (BL-100)")
    expect_no_suggestion_box(page)


def test_a_product_kept_on_a_page_shown_again_opens_no_box(add_page):
    page = add_page
    pick_barista_pro(page)
    page.get_by_label("Outlet").select_option(label="Harbour Mall")
    # Nothing in Serial numbers: the page comes back with the product kept.
    with page.expect_navigation():
        page.get_by_role("button", name="Add Serial numbers").click()
    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()
    expect(page.get_by_label("Product")).to_have_value("Barista Pro Espresso Machine (BP-900)")

    page.get_by_label("Product").click()
    expect_no_suggestion_box(page)


def test_a_product_kept_after_a_reload_or_back_opens_no_box(add_page):
    page = add_page
    product = ProductFactory(name="Barista Pro Max", sku="BP-900-MAX")
    # "Add Serial numbers" from a product's page opens with the product chosen.
    page.goto(f"/inventory/serials/add/?product={product.pk}")
    expect(page.get_by_label("Product")).to_have_value("Barista Pro Max (BP-900-MAX)")
    page.get_by_label("Product").click()
    expect_no_suggestion_box(page)

    page.reload()
    expect(page.get_by_label("Product")).to_have_value("Barista Pro Max (BP-900-MAX)")
    page.get_by_label("Product").click()
    expect_no_suggestion_box(page)

    page.goto("/inventory/serials/")
    page.go_back()
    expect(page.get_by_label("Product")).to_have_value("Barista Pro Max (BP-900-MAX)")
    page.get_by_label("Product").click()
    expect_no_suggestion_box(page)


def test_the_whole_name_and_sku_typed_out_suggests_that_product(add_page):
    # What a browser may keep of a pick (the text, not the id), or a paste of it.
    page = add_page
    page.get_by_label("Product").press_sequentially("Barista Pro Espresso Machine (BP-900)")

    option = page.get_by_role("option", name="Barista Pro Espresso Machine (BP-900)")
    expect(option).to_be_visible()
    suggestions = page.get_by_role("listbox", name="Suggestions")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(page.get_by_text(NO_MATCH)).to_have_count(0)
    option.click()
    page.searches.clear()
    expect_no_suggestion_box(page)


def log_in_to(page, path: str, heading: str) -> list[str]:
    """Signed in as a Staff user straight into `path`; the suggestion searches it sends."""
    UserFactory(username="kim", groups=["Staff"])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/accounts/login/?next={path}")
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    searches: list[str] = []
    page.on(
        "request",
        lambda request: searches.append(request.url) if "product-options" in request.url else None,
    )
    return searches


def test_new_sale_product_picked_opens_no_box_when_focus_comes_back(page):
    ProductFactory(name="Barista Pro Espresso Machine", sku="BP-900")
    OutletFactory(name="Main Street")
    searches = log_in_to(page, "/sales/new/", "New sale")
    product = page.get_by_label("Product")
    product.fill("Barista Pro")
    page.get_by_role("option", name="Barista Pro Espresso Machine (BP-900)").click()
    expect(product).to_have_value("Barista Pro Espresso Machine (BP-900)")
    searches.clear()

    page.get_by_label("Quantity").click()
    product.click()
    page.wait_for_timeout(SETTLE_MS)

    expect(product).to_be_focused()
    expect(page.get_by_label("Quantity")).to_be_visible()
    expect(product).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_text("No active product matches.")).to_have_count(0)
    assert searches == []
    page.get_by_label("Quantity").click(timeout=2_000)
    expect(page.get_by_label("Quantity")).to_be_focused()


def test_serial_list_product_filter_picked_opens_no_box_when_focus_comes_back(page):
    ProductFactory(name="Pool Pump AquaFlow", sku="AQ-15")
    searches = log_in_to(page, "/inventory/serials/", "Serial numbers")
    product = page.get_by_label("Product")
    product.fill("aquaflow")
    page.get_by_role("option", name="Pool Pump AquaFlow (AQ-15)").click()
    page.get_by_role("button", name="Filter").click()
    expect(product).to_have_value("Pool Pump AquaFlow (AQ-15)")
    searches.clear()

    product.click()
    page.wait_for_timeout(SETTLE_MS)

    expect(product).to_be_focused()
    expect(product).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_text("No product matches.")).to_have_count(0)
    assert searches == []
    page.get_by_label("Outlet").click(timeout=2_000)
    expect(page.get_by_label("Outlet")).to_be_focused()
