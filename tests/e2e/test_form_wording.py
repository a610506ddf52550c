"""What forms say, as a browser shows it: placeholders that fit, every missing field flagged."""

import pytest
from playwright.sync_api import expect

from tests.factories import OutletFactory, ProductFactory, UserFactory

# Text width of an input's placeholder against the room its box has for text.
PLACEHOLDER_ROOM = """input => {
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [context.measureText(input.placeholder).width, room];
}"""

LISTS = [
    ("/inventory/serials/", "Serial numbers"),
    ("/catalog/products/", "Products"),
    ("/inventory/stock/", "Stock"),
    ("/sales/", "Sales"),
    ("/sales/returns/", "Returns"),
    ("/sales/claims/", "Warranty claims"),
    ("/sales/customers/", "Customers"),
]


@pytest.fixture
def manager(roles):
    UserFactory(username="mia", groups=["Managers"])


def log_in(page, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill("mia")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("width", [1280, 1400])
def test_the_serial_filters_product_placeholder_is_not_cut(page, manager, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "/inventory/serials/")
    expect(page.get_by_role("heading", name="Serial numbers", exact=True)).to_be_visible()

    product = page.get_by_role("search").get_by_label("Product", exact=True)
    expect(product).to_have_attribute("placeholder", "Name or SKU")
    text_width, room = product.evaluate(PLACEHOLDER_ROOM)
    assert text_width <= room


@pytest.mark.parametrize("url, heading", LISTS, ids=[row[1] for row in LISTS])
def test_every_filter_placeholder_fits_its_box_on_a_wide_screen(page, manager, url, heading):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, url)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()

    boxes = page.get_by_role("search").locator("input[placeholder]")
    assert boxes.count() >= 1
    for box in boxes.all():
        text_width, room = box.evaluate(PLACEHOLDER_ROOM)
        assert text_width <= room, box.get_attribute("placeholder")


def test_add_serial_numbers_sent_empty_shows_all_three_problems(page, manager):
    ProductFactory(name="Barista Pro")
    OutletFactory(name="Main Street")
    log_in(page, "/inventory/serials/add/")
    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()

    page.get_by_role("button", name="Add Serial numbers").click()

    expect(page.get_by_text("Enter and select the product name.")).to_be_visible()
    expect(page.get_by_text("Select an outlet.", exact=True)).to_be_visible()
    # The live count under the box used to clear the box's error mark, which hid this.
    expect(page.get_by_text("Enter at least one serial number.")).to_be_visible()
    box = page.get_by_label("Serial numbers")
    expect(box).to_have_attribute("aria-invalid", "true")

    # Typing entries counts them; the error stays until the form is sent again.
    box.fill("BP-1, BP-2")
    expect(page.get_by_text("2 serial numbers entered.")).to_be_visible()
    expect(page.get_by_text("Enter at least one serial number.")).to_be_visible()
