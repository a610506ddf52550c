from playwright.sync_api import expect

from tests.factories import SerialRecordFactory, UserFactory


def test_look_up_serial_opens_the_unit_or_lists_partial_matches(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    SerialRecordFactory(serial="CM-2024-0042", product__name="Barista Pro")
    SerialRecordFactory(serial="CM-2024-0043", product__name="Barista Pro")
    log_in("sam")

    box = page.get_by_role("searchbox", name="Look up serial")
    box.fill("  cm-2024-0042 ")
    box.press("Enter")
    expect(page.get_by_role("heading", name="Serial number CM-2024-0042")).to_be_visible()
    expect(page.get_by_text("Barista Pro")).to_be_visible()

    page.get_by_role("searchbox", name="Look up serial").fill("CM-2024")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("heading", name="Look up serial")).to_be_visible()
    expect(page.get_by_text("Serial numbers containing it")).to_be_visible()
    expect(page.get_by_role("link", name="CM-2024-0042")).to_be_visible()
    expect(page.get_by_role("link", name="CM-2024-0043")).to_be_visible()
    # The box keeps the text, so the clerk can correct it and look up again.
    expect(page.get_by_role("searchbox", name="Look up serial")).to_have_value("CM-2024")


def test_on_a_phone_look_up_serial_shows_without_opening_the_menu(browser, live_server, roles):
    UserFactory(username="sam", groups=["Staff"])
    SerialRecordFactory(serial="PH-0001", product__name="Nova Phone")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password").fill("secret-pass-123")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        # The menu is folded away behind its button; the look-up box is not.
        expect(page.get_by_role("button", name="Inventory")).to_be_hidden()
        box = page.get_by_role("searchbox", name="Look up serial")
        expect(box).to_be_visible()
        box.fill("ph-0001")
        box.press("Enter")
        expect(page.get_by_role("heading", name="Serial number PH-0001")).to_be_visible()
        # A wide table scrolls inside its box: the page itself does not scroll sideways.
        page.goto("/inventory/serials/")
        expect(page.get_by_role("link", name="PH-0001")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # Filters fold away behind a button.
        expect(page.get_by_label("Status")).to_be_hidden()
        page.get_by_role("button", name="Filters").click()
        expect(page.get_by_label("Status")).to_be_visible()
    finally:
        context.close()
