"""A Manager marks a unit faulty from its Serial page, then reinstates it."""

from playwright.sync_api import expect

from inventory.models import SerialStatus, StockLevel
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)


def test_a_manager_marks_a_serial_faulty_and_reinstates_it(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    main_street = OutletFactory(name="Main Street")
    product = ProductFactory(name="Barista Pro Espresso Machine", sku="BP-900")
    StockLevelFactory(product=product, outlet=main_street, on_hand=2)
    serial = SerialRecordFactory(serial="BP9-0003", product=product, outlet=main_street)
    log_in("mia")

    page.goto(serial.get_absolute_url())
    expect(page.get_by_role("heading", name="Serial number BP9-0003")).to_be_visible()
    expect(page.get_by_role("button", name="Reinstate")).to_have_count(0)
    page.get_by_role("button", name="Mark faulty").click()

    expect(page.get_by_role("heading", name="Mark serial number faulty BP9-0003")).to_be_visible()
    page.get_by_label("Note").fill("Steam wand leaks")
    page.get_by_role("button", name="Mark faulty").click()

    expect(page.get_by_text("Serial number “BP9-0003” marked faulty.")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Faulty")).to_have_count(1)
    newest = page.get_by_role("table").get_by_role("row").nth(1)
    expect(newest).to_contain_text("Marked faulty")
    expect(newest).to_contain_text("mia")
    expect(newest).to_contain_text("In stock → Faulty")
    expect(newest).to_contain_text("Steam wand leaks")
    expect(page.get_by_role("button", name="Mark faulty")).to_have_count(0)
    assert StockLevel.objects.get(product=product, outlet=main_street).on_hand == 1

    page.get_by_role("button", name="Reinstate").click()
    expect(page.get_by_role("heading", name="Reinstate serial number BP9-0003")).to_be_visible()
    page.get_by_label("Note").fill("New seal fitted")
    page.get_by_role("button", name="Reinstate").click()

    expect(
        page.get_by_text("Serial number “BP9-0003” reinstated: it is In stock again.")
    ).to_be_visible()
    newest = page.get_by_role("table").get_by_role("row").nth(1)
    expect(newest).to_contain_text("Reinstated")
    expect(newest).to_contain_text("Faulty → In stock")
    expect(newest).to_contain_text("New seal fitted")
    expect(page.get_by_role("button", name="Mark faulty")).to_be_visible()
    serial.refresh_from_db()
    assert serial.status == SerialStatus.IN_STOCK
    assert StockLevel.objects.get(product=product, outlet=main_street).on_hand == 2
