import re

from playwright.sync_api import expect

from tests.factories import UserFactory


def test_a_user_logs_in_and_sees_the_dashboard(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    page.goto("/inventory/outlets/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    log_in("sam")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main menu")).to_contain_text("Inventory")


def test_a_wrong_password_is_refused_with_a_message(page):
    UserFactory(username="sam", groups=["Staff"])
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("sam")
