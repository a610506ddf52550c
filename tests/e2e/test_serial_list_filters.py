"""The Serial numbers list: the Product filter's type-ahead and First/Previous/Next/Last."""

from playwright.sync_api import expect

from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory


def test_picking_a_product_in_the_filter_lists_only_its_serials(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    main = OutletFactory(name="Main Street")
    # Any product can be picked here, even one no longer sold.
    pump = ProductFactory(name="Pool Pump AquaFlow", sku="AQ-15", is_active=False)
    SerialRecordFactory(serial="AQ-0001", product=pump, outlet=main)
    SerialRecordFactory(serial="BP-0001", product=ProductFactory(name="Barista Pro"), outlet=main)
    log_in("sam")
    page.goto("/inventory/serials/")
    expect(page.get_by_role("link", name="BP-0001")).to_be_visible()

    page.get_by_label("Product").fill("aquaflow")
    page.get_by_role("option", name="Pool Pump AquaFlow (AQ-15)").click()
    page.get_by_role("button", name="Filter").click()

    expect(page.get_by_role("link", name="AQ-0001")).to_be_visible()
    expect(page.get_by_text("1 serial number", exact=True)).to_be_visible()
    expect(page.get_by_label("Product")).to_have_value("Pool Pump AquaFlow (AQ-15)")
    expect(page.get_by_role("link", name="BP-0001")).to_have_count(0)


def test_first_previous_next_and_last_walk_the_list(page, log_in, settings):
    settings.SERIALDESK_PAGE_SIZE = 2
    UserFactory(username="sam", groups=["Staff"])
    for n in range(5):
        SerialRecordFactory(serial=f"WALK-{n}")
    log_in("sam")
    page.goto("/inventory/serials/?sort=serial")
    links = page.get_by_role("navigation", name="Pages")
    expect(page.get_by_role("link", name="WALK-0")).to_be_visible()

    links.get_by_role("link", name="Next").click()
    expect(page.get_by_role("link", name="WALK-2")).to_be_visible()
    expect(page.get_by_role("link", name="WALK-0")).to_have_count(0)

    # Last is the end of the list, a full page: the last two.
    links.get_by_role("link", name="Last").click()
    expect(page.get_by_role("link", name="WALK-3")).to_be_visible()
    expect(page.get_by_role("link", name="WALK-4")).to_be_visible()
    expect(links.get_by_role("link", name="Next")).to_have_count(0)

    links.get_by_role("link", name="Previous").click()
    expect(page.get_by_role("link", name="WALK-1")).to_be_visible()
    expect(page.get_by_role("link", name="WALK-2")).to_be_visible()
    expect(page.get_by_role("link", name="WALK-3")).to_have_count(0)

    links.get_by_role("link", name="First").click()
    expect(page.get_by_role("link", name="WALK-0")).to_be_visible()
    expect(links.get_by_role("link", name="Previous")).to_have_count(0)
