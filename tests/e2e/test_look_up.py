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
    expect(page.get_by_role("heading", name="Serial numbers")).to_be_visible()
    expect(page.get_by_role("link", name="CM-2024-0042")).to_be_visible()
    expect(page.get_by_role("link", name="CM-2024-0043")).to_be_visible()
