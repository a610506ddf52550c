"""Date filters in the shop's format (en-gb: dd/mm/yyyy), typed or picked from our calendar."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import SerialRecordFactory, UserFactory


def shop_format(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def spoken(day: date) -> str:
    """A day as the calendar names it in en-gb: "15 November 2026"."""
    return f"{day.day} {day:%B} {day.year}"


def month_title(day: date) -> str:
    return f"{day:%B} {day.year}"


def added_on(day: date, serial: str) -> None:
    SerialRecordFactory(
        serial=serial,
        product__name="Barista Pro",
        created_at=timezone.make_aware(datetime.combine(day, time(12))),
    )


def choose_a_date_next_to(page: Page, label: str):
    # The calendar button sits in the field's input group, right after the box.
    return page.get_by_label(label).locator("xpath=..").get_by_role("button", name="Choose a date")


def open_serial_numbers(page: Page) -> None:
    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Serial numbers").click()
    expect(page.get_by_role("heading", name="Serial numbers")).to_be_visible()


def test_a_day_of_last_month_picked_from_the_calendar_filters_the_list(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    today = timezone.localdate()
    picked = (today.replace(day=1) - timedelta(days=1)).replace(day=15)
    added_on(picked - timedelta(days=3), "EARLY-1")
    added_on(picked, "PICKED-1")
    added_on(today, "TODAY-1")
    log_in("sam")
    open_serial_numbers(page)

    added_from = page.get_by_label("Added from")
    expect(added_from).to_have_attribute("placeholder", "dd/mm/yyyy")
    choose_a_date_next_to(page, "Added from").click()
    calendar = page.get_by_role("dialog", name=month_title(today))
    expect(calendar).to_be_visible()
    # Today is marked and has the focus; the week starts on Monday, as in en-gb.
    expect(calendar.get_by_role("button", name=spoken(today), exact=True)).to_be_focused()
    expect(calendar.get_by_role("button", name=spoken(today), exact=True)).to_have_attribute(
        "aria-current", "date"
    )
    expect(calendar.get_by_role("columnheader").first).to_have_text("Mon")
    calendar.get_by_role("button", name="Previous month").click()
    calendar = page.get_by_role("dialog", name=month_title(picked))
    expect(calendar).to_be_visible()
    calendar.get_by_role("button", name=spoken(picked), exact=True).click()

    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(added_from).to_have_value(shop_format(picked))
    expect(added_from).to_be_focused()
    page.get_by_role("button", name="Filter", exact=True).click()

    expect(page.get_by_role("link", name="PICKED-1")).to_be_visible()
    expect(page.get_by_role("link", name="TODAY-1")).to_be_visible()
    expect(page.get_by_role("link", name="EARLY-1")).to_have_count(0)
    expect(page.get_by_label("Added from")).to_have_value(shop_format(picked))
    # Opened again, the calendar shows the chosen day's month with that day selected.
    choose_a_date_next_to(page, "Added from").click()
    calendar = page.get_by_role("dialog", name=month_title(picked))
    expect(calendar.get_by_role("button", name=spoken(picked), exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(calendar.get_by_role("button", name=spoken(picked), exact=True)).to_be_focused()
    page.get_by_role("heading", name="Serial numbers").click()  # a click outside closes it
    expect(page.get_by_role("dialog")).to_be_hidden()

    # A date typed by hand in the shop's format works as well.
    page.get_by_label("Added to").fill(shop_format(picked))
    page.get_by_role("button", name="Filter", exact=True).click()

    expect(page.get_by_role("link", name="PICKED-1")).to_be_visible()
    expect(page.get_by_role("link", name="TODAY-1")).to_have_count(0)
    expect(page.get_by_role("link", name="EARLY-1")).to_have_count(0)
    expect(page.get_by_label("Added to")).to_have_value(shop_format(picked))


def test_the_calendar_works_from_the_keyboard_and_escape_closes_it(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    log_in("sam")
    open_serial_numbers(page)
    added_from = page.get_by_label("Added from")
    added_from.fill("15/03/2026")
    choose = choose_a_date_next_to(page, "Added from")

    choose.focus()
    page.keyboard.press("Enter")
    calendar = page.get_by_role("dialog", name="March 2026")
    expect(calendar).to_be_visible()
    expect(calendar.get_by_role("button", name="15 March 2026", exact=True)).to_be_focused()
    expect(calendar.get_by_role("button", name="15 March 2026", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.keyboard.press("ArrowRight")
    expect(calendar.get_by_role("button", name="16 March 2026", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(calendar.get_by_role("button", name="23 March 2026", exact=True)).to_be_focused()
    page.keyboard.press("PageDown")
    calendar = page.get_by_role("dialog", name="April 2026")
    expect(calendar.get_by_role("button", name="23 April 2026", exact=True)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(calendar.get_by_role("button", name="16 April 2026", exact=True)).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(choose).to_be_focused()
    expect(choose).to_have_attribute("aria-expanded", "false")
    expect(added_from).to_have_value("15/03/2026")

    page.keyboard.press("Space")
    expect(page.get_by_role("dialog", name="March 2026")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("PageUp")
    calendar = page.get_by_role("dialog", name="February 2026")
    expect(calendar.get_by_role("button", name="14 February 2026", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(added_from).to_have_value("14/02/2026")
    expect(added_from).to_be_focused()


def test_days_before_1900_cannot_be_picked(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    log_in("sam")
    page.goto("/inventory/serials/?added_from=1900-01-02")
    expect(page.get_by_label("Added from")).to_have_value("02/01/1900")

    choose_a_date_next_to(page, "Added from").click()
    calendar = page.get_by_role("dialog", name="January 1900")
    expect(calendar.get_by_role("button", name="Previous month")).to_be_disabled()
    expect(calendar.get_by_role("button", name="1 January 1900", exact=True)).to_be_enabled()
    page.keyboard.press("Home")  # Monday 1 January 1900: the first day there is
    expect(calendar.get_by_role("button", name="1 January 1900", exact=True)).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(calendar.get_by_role("button", name="1 January 1900", exact=True)).to_be_focused()


def test_on_a_phone_the_calendar_fits_and_digits_alone_are_a_date(browser, live_server, roles):
    UserFactory(username="sam", groups=["Staff"])
    today = timezone.localdate()
    added_on(today.replace(day=1) - timedelta(days=40), "OLD-1")
    added_on(today, "TODAY-1")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password").fill("secret-pass-123")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        page.goto("/inventory/serials/")
        page.get_by_role("button", name="Filters").click()

        choose_a_date_next_to(page, "Added from").click()
        calendar = page.get_by_role("dialog", name=month_title(today))
        expect(calendar).to_be_visible()
        box = calendar.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        first = today.replace(day=1)
        calendar.get_by_role("button", name=spoken(first), exact=True).click()
        expect(page.get_by_label("Added from")).to_have_value(shop_format(first))

        # A phone's digit keyboard has no "/": the digits alone are read in the shop's order.
        page.get_by_label("Added from").fill(first.strftime("%d%m%Y"))
        page.get_by_label("Added from").press("Enter")
        expect(page.get_by_role("link", name="TODAY-1")).to_be_visible()
        expect(page.get_by_role("link", name="OLD-1")).to_have_count(0)
        page.get_by_role("button", name="Filters").click()
        expect(page.get_by_label("Added from")).to_have_value(shop_format(first))
    finally:
        context.close()
