"""New sale with a keyboard and a barcode scanner, its running total and Pick from stock.

At 1280 px, a counter's screen. A scanner types the code and presses Enter, fast.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from sales.models import Sale
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory


@pytest.fixture
def shop(roles):
    UserFactory(username="sam", groups=["Staff"])
    return {
        "machine": ProductFactory(
            name="Barista Pro Espresso Machine", sku="BP-900", retail_price=Decimal("499.00")
        ),
        "beans": ProductFactory(
            name="Coffee Beans 1kg",
            sku="CB-1",
            retail_price=Decimal("20.00"),
            has_serial_numbers=False,
        ),
        "main": OutletFactory(name="Main Street"),
    }


@pytest.fixture
def new_sale(page, log_in, shop):
    """Sales > New sale at Main Street, with every POST of the page noted."""
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in("sam")
    page.get_by_role("button", name="Sales").click()
    page.get_by_role("link", name="New sale").click()
    expect(page.get_by_role("heading", name="New sale")).to_be_visible()
    page.get_by_label("Outlet").select_option(label="Main Street")
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    return posts


def scan(box, code: str) -> None:
    """What a scanner does: the code as fast keystrokes, then Enter."""
    box.press_sequentially(code)
    box.press("Enter")


def assert_not_submitted(page, posts: list[str], url: str) -> None:
    # Longer than the suggestions' typing delay: a late search or submit would show by now.
    page.wait_for_timeout(500)
    assert posts == []
    assert page.url == url
    expect(page.get_by_role("alert")).to_have_count(0)
    assert not Sale.objects.exists()


def test_a_scanned_sku_picks_the_product_and_moves_to_serial_numbers(page, new_sale):
    url = page.url
    scan(page.get_by_label("Product"), "bp-900")

    expect(page.get_by_label("Product")).to_have_value("Barista Pro Espresso Machine (BP-900)")
    expect(page.get_by_label("Serial numbers")).to_be_focused()
    expect(page.get_by_label("Unit price")).to_have_value("499.00")
    assert_not_submitted(page, new_sale, url)
    # Picked: no suggestion box left open under the field.
    expect(page.get_by_role("listbox", name="Suggestions").get_by_role("option")).to_have_count(0)

    # The scanner's next scans are serials, one per line (Enter is a new line there).
    page.get_by_label("Serial numbers").press_sequentially("BP9-1")
    page.get_by_label("Serial numbers").press("Enter")
    page.get_by_label("Serial numbers").press_sequentially("BP9-2")
    expect(page.get_by_label("Serial numbers")).to_have_value("BP9-1\nBP9-2")
    assert_not_submitted(page, new_sale, url)


def test_enter_in_quantity_and_unit_price_moves_on_and_never_submits(page, new_sale):
    url = page.url
    scan(page.get_by_label("Product"), "Coffee Beans 1kg")

    # Not serialised: the quantity comes next.
    expect(page.get_by_label("Product")).to_have_value("Coffee Beans 1kg (CB-1)")
    expect(page.get_by_label("Quantity")).to_be_focused()
    page.get_by_label("Quantity").fill("3")
    page.get_by_label("Quantity").press("Enter")
    expect(page.get_by_label("Unit price")).to_be_focused()
    page.get_by_label("Unit price").press("Enter")
    expect(page.get_by_role("button", name="Add line")).to_be_focused()
    assert_not_submitted(page, new_sale, url)

    page.get_by_label("Customer").fill("Nobody yet")
    page.get_by_label("Customer").press("Enter")
    assert_not_submitted(page, new_sale, url)

    # Only the Complete sale button completes, Enter on it too.
    page.get_by_role("button", name="Complete sale").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("No customer matches “Nobody yet”")).to_be_visible()
    assert new_sale == [url]
    assert not Sale.objects.exists()


def test_enter_on_text_that_names_no_product_exactly_keeps_the_suggestions(page, new_sale):
    url = page.url
    scan(page.get_by_label("Product"), "Barista")

    expect(
        page.get_by_role("option", name="Barista Pro Espresso Machine (BP-900)")
    ).to_be_visible()
    expect(page.get_by_label("Product")).to_be_focused()
    expect(page.get_by_label("Product")).to_have_value("Barista")
    assert_not_submitted(page, new_sale, url)


def test_the_running_total_follows_what_is_typed(page, new_sale):
    total = page.get_by_label("Total")
    expect(total).to_have_text("£0.00")
    page.get_by_label("Product").fill("Barista")
    page.get_by_role("option", name="Barista Pro Espresso Machine (BP-900)").click()
    expect(total).to_have_text("£499.00")
    page.get_by_label("Quantity").fill("2")
    expect(total).to_have_text("£998.00")

    page.get_by_role("button", name="Add line").click()
    line_2 = page.get_by_role("group", name="Line 2")
    line_2.get_by_label("Product").fill("Coffee")
    line_2.get_by_role("option", name="Coffee Beans 1kg (CB-1)").click()
    line_2.get_by_label("Quantity").fill("3")
    expect(total).to_have_text("£1,058.00")

    page.get_by_role("group", name="Line 1").get_by_label("Unit price").fill("4299.5")
    expect(total).to_have_text("£8,659.00")


def test_pick_from_stock_does_not_offer_serials_typed_on_the_sale(page, new_sale, shop):
    for serial in ["BP9-0001", "BP9-0002", "BP9-0003"]:
        SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial=serial)
    line_1 = page.get_by_role("group", name="Line 1")
    scan(line_1.get_by_label("Product"), "BP-900")
    expect(line_1.get_by_label("Serial numbers")).to_be_focused()
    line_1.get_by_label("Serial numbers").fill("bp9-0001")
    page.get_by_role("button", name="Add line").click()
    line_2 = page.get_by_role("group", name="Line 2")
    scan(line_2.get_by_label("Product"), "BP-900")
    expect(line_2.get_by_label("Serial numbers")).to_be_focused()

    line_2.get_by_role("button", name="Pick from stock").click()
    stock_2 = line_2.get_by_role("group", name="Units in stock")
    expect(stock_2.get_by_role("button")).to_have_text(["BP9-0002", "BP9-0003"])
    stock_2.get_by_role("button", name="BP9-0002").click()
    expect(line_2.get_by_label("Serial numbers")).to_have_value("BP9-0002")
    expect(stock_2.get_by_role("button")).to_have_text(["BP9-0003"])

    line_1.get_by_role("button", name="Pick from stock").click()
    stock_1 = line_1.get_by_role("group", name="Units in stock")
    expect(stock_1.get_by_role("button")).to_have_text(["BP9-0003"])

    # Typed on one line while another line's list is open: gone from that list too.
    line_1.get_by_label("Serial numbers").fill("bp9-0001\nBP9-0003")
    expect(stock_2.get_by_role("button")).to_have_count(0)
    expect(line_2.get_by_text("Every unit listed here is on this sale already.")).to_be_visible()
    # Taken off the sale again: offered again.
    line_1.get_by_label("Serial numbers").fill("bp9-0001")
    expect(stock_2.get_by_role("button")).to_have_text(["BP9-0003"])
