"""A warranty claim opened on a sold unit and resolved by a replacement."""

from playwright.sync_api import expect

from inventory.models import SerialStatus
from sales.models import WarrantyClaim
from sales.services import LineInput, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
)


def test_a_claim_is_opened_and_resolved_by_replacement(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    main_street = OutletFactory(name="Main Street")
    harbour = OutletFactory(name="Harbour")
    machine = ProductFactory(name="Barista Pro Espresso Machine", sku="BP-900")
    faulty = SerialRecordFactory(product=machine, outlet=main_street, serial="BP9-0100")
    SerialRecordFactory(product=machine, outlet=harbour, serial="BP9-0200")
    sale_create(
        outlet=main_street,
        customer=CustomerFactory(name="Ada Lovelace"),
        lines=[LineInput(product=machine, quantity=1, serials=["BP9-0100"])],
        clerk=None,
    )
    log_in("sam")

    page.goto(faulty.get_absolute_url())
    expect(page.get_by_role("heading", name="Serial number BP9-0100")).to_be_visible()
    page.get_by_role("button", name="Open warranty claim").click()

    expect(page.get_by_role("heading", name="Open warranty claim")).to_be_visible()
    expect(page.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(page.get_by_text("In warranty until")).to_be_visible()
    page.get_by_label("Fault description").fill("Pump does not build pressure")
    page.get_by_role("button", name="Open claim").click()

    claim = WarrantyClaim.objects.get()
    expect(page.get_by_role("heading", name=f"Warranty claim {claim.pk}")).to_be_visible()
    expect(page.get_by_text(f"Warranty claim {claim.pk} opened.")).to_be_visible()
    expect(page.get_by_text("Pump does not build pressure").first).to_be_visible()
    page.get_by_label("Status").select_option(label="Resolved: replaced")
    page.get_by_label("Replacement serial").fill("bp9-0200")
    page.get_by_label("Note").fill("Swapped at the counter")
    page.get_by_role("button", name="Update claim").click()

    expect(
        page.get_by_text(f"Warranty claim {claim.pk} updated: Resolved: replaced.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="BP9-0200")).to_be_visible()
    expect(page.get_by_role("button", name="Update claim")).to_have_count(0)
    page.get_by_role("link", name="BP9-0100").click()
    expect(page.get_by_role("heading", name="Serial number BP9-0100")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Faulty")).to_have_count(1)
    faulty.refresh_from_db()
    assert faulty.status == SerialStatus.FAULTY
