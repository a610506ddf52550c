"""The Dashboard in a browser: a figure is a link named by what it counts."""

from playwright.sync_api import expect

from inventory.models import SerialStatus
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory


def test_a_figure_opens_the_list_behind_it_and_the_menu_keeps_its_names(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    product = ProductFactory(name="Barista Pro")
    main = OutletFactory(name="Main Street")
    OutletFactory(name="Harbour Mall")
    for serial in ("BP9-0001", "BP9-0002"):
        SerialRecordFactory(product=product, outlet=main, serial=serial)
    SerialRecordFactory(product=product, outlet=main, serial="BP9-0003", status=SerialStatus.SOLD)
    log_in("sam")

    page.get_by_role("link", name="2 In stock at Main Street", exact=True).click()

    expect(page.get_by_role("heading", name="Serial numbers")).to_be_visible()
    rows = page.get_by_role("row").filter(has_text="Barista Pro")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("link", name="BP9-0001")).to_be_visible()
    expect(page.get_by_role("link", name="BP9-0003")).to_have_count(0)

    # Back on the Dashboard, the menu's items are still the only links with their names.
    page.get_by_role("link", name="Serialdesk").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Serial numbers").click()
    expect(page.get_by_role("heading", name="Serial numbers")).to_be_visible()
