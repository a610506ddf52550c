"""A Manager moves a unit to another outlet from its Serial page."""

from playwright.sync_api import expect

from inventory.services import serials_transfer
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory


def test_a_manager_transfers_a_serial_from_its_page(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    serial = SerialRecordFactory(
        serial="BP9-0001",
        product=ProductFactory(name="Barista Pro Espresso Machine", sku="BP-900"),
        outlet=OutletFactory(name="Main Street"),
    )
    OutletFactory(name="Harbour Mall")
    log_in("mia")

    page.goto(serial.get_absolute_url())
    expect(page.get_by_role("heading", name="Serial number BP9-0001")).to_be_visible()
    history = page.get_by_role("table")
    expect(history.get_by_role("row")).to_have_count(2)  # header + the Added event
    expect(history).to_contain_text("Added")

    page.get_by_role("link", name="Transfer").click()
    expect(page.get_by_role("heading", name="Transfer serial numbers")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("BP9-0001")
    page.get_by_label("Outlet").select_option(label="Harbour Mall")
    page.get_by_label("Note").fill("For the weekend display")
    page.get_by_role("button", name="Transfer").click()

    expect(page.get_by_text("1 serial number transferred to Harbour Mall.")).to_be_visible()
    expect(page.get_by_role("heading", name="Serial number BP9-0001")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Harbour Mall")).to_have_count(1)
    expect(page.get_by_role("definition").filter(has_text="Main Street")).to_have_count(0)
    newest = page.get_by_role("table").get_by_role("row").nth(1)
    expect(newest).to_contain_text("Transferred")
    expect(newest).to_contain_text("mia")
    expect(newest).to_contain_text("Main Street")
    expect(newest).to_contain_text("Harbour Mall")
    expect(newest).to_contain_text("For the weekend display")


def test_a_transfer_made_from_an_older_page_is_refused_and_can_be_made_again(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    alex = UserFactory(username="alex", groups=["Managers"])
    serial = SerialRecordFactory(
        serial="BP9-0002",
        product=ProductFactory(name="Barista Pro Espresso Machine", sku="BP-900"),
        outlet=OutletFactory(name="Main Street"),
    )
    harbour, airport = OutletFactory(name="Harbour Mall"), OutletFactory(name="Airport")
    log_in("mia")

    page.goto(serial.get_absolute_url())
    page.get_by_role("link", name="Transfer").click()
    outlet = page.get_by_label("Outlet")
    # Only the other outlets are offered.
    expect(outlet.get_by_role("option")).to_have_text(["---------", "Airport", "Harbour Mall"])

    # While Mia's page is open, Alex moves the unit to Harbour Mall.
    serials_transfer(serials=[serial], to_outlet=harbour, user=alex)

    outlet.select_option(label="Airport")
    page.get_by_label("Note").fill("For the airport kiosk")
    page.get_by_role("button", name="Transfer").click()

    alert = page.get_by_role("alert").filter(has_text="changed after this page was shown")
    expect(alert).to_contain_text("Transferred to Harbour Mall by alex")
    expect(page.get_by_label("Note")).to_have_value("For the airport kiosk")
    expect(page.get_by_role("table").get_by_role("row").nth(1)).to_contain_text("Harbour Mall")
    expect(outlet.get_by_role("option")).to_have_text(["---------", "Airport", "Main Street"])
    serial.refresh_from_db()
    assert serial.outlet == harbour

    # Having seen where it is now, Mia still sends it to the airport.
    page.get_by_role("button", name="Transfer").click()
    expect(page.get_by_text("1 serial number transferred to Airport.")).to_be_visible()
    serial.refresh_from_db()
    assert serial.outlet == airport
