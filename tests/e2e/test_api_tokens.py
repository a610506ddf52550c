"""A Manager gives a till a key in the browser; the key works on the live API until revoked."""

import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.factories import ProductFactory, UserFactory


def call_api(live_server, key: str, path: str = "/api/v1/products/") -> tuple[int, dict]:
    # The live server on the loopback address: nothing leaves the machine.
    port = urlsplit(live_server.url).port
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_manager_gives_a_till_a_key_and_revokes_it(page, log_in, live_server):
    UserFactory(username="mia", groups=["Managers"])
    ProductFactory(name="Grinder")
    log_in("mia")
    page.get_by_role("button", name="API", exact=True).click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    page.get_by_role("button", name="Add integration user").click()
    page.get_by_label("Username").fill("till-harbour")
    page.get_by_label("Role").select_option(label="Staff")
    page.get_by_role("button", name="Add integration user").click()

    expect(page.get_by_text("Copy this key now: it will not be shown again.")).to_be_visible()
    key = page.get_by_label("Key").input_value()
    assert len(key) >= 40
    expect(page.get_by_text(f'curl -H "Authorization: Token {key}"')).to_be_visible()
    status, body = call_api(live_server, key)
    assert status == 200
    assert [product["name"] for product in body["results"]] == ["Grinder"]

    page.get_by_role("link", name="Done").click()
    row = page.get_by_role("row").filter(has_text="till-harbour")
    expect(row).to_contain_text(f"{key[:8]}…")
    expect(row).to_contain_text("by mia")
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("heading", name="Revoke API token")).to_be_visible()
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The API token of “till-harbour” was revoked.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="till-harbour")).to_have_count(0)

    status, body = call_api(live_server, key)
    assert status == 401
    assert [error["code"] for error in body["errors"]] == ["token_invalid"]


def test_the_docs_page_shows_the_api_under_the_content_security_policy(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if re.search(r"Content.Security.Policy|Refused to", message.text, re.IGNORECASE)
            else None
        ),
    )
    log_in("sam")
    page.get_by_role("button", name="API", exact=True).click()
    page.get_by_role("link", name="API docs").click()
    expect(page.get_by_text("/api/v1/products/", exact=True).first).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Serialdesk API"))).to_be_visible()
    assert refused == []


def test_the_browsable_api_works_under_the_content_security_policy(page, log_in, live_server):
    UserFactory(username="mia", groups=["Managers"])
    ProductFactory(name="Grinder")
    ProductFactory(name="Kettle")
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if re.search(r"Content.Security.Policy|Refused to", message.text, re.IGNORECASE)
            else None
        ),
    )
    log_in("mia")
    page.goto("/api/v1/products/")

    expect(page.get_by_role("heading", name="Product List")).to_be_visible()
    expect(page.get_by_text('"name": "Kettle"')).to_be_visible()
    page.get_by_role("button", name="Filters").click()
    # Bootstrap 3 leaves the dialog aria-hidden: found by its text, not its role.
    expect(page.get_by_text("Field filters")).to_be_visible()
    page.get_by_label("Search").fill("grind")
    page.get_by_text("Submit").click()

    # The filter form is a GET: it filters, it never posts a new product.
    expect(page).to_have_url(re.compile(r"/api/v1/products/\?q=grind"))
    expect(page.get_by_text('"name": "Grinder"')).to_be_visible()
    expect(page.get_by_text('"name": "Kettle"')).to_have_count(0)
    assert refused == []


def test_a_manager_makes_a_key_on_a_phone(browser, live_server):
    UserFactory(username="mia", groups=["Managers"])
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("mia")
        page.get_by_label("Password").fill("secret-pass-123")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        # Each menu opens with an animation: wait for it to have opened before the
        # next click, which a busy machine (CI beside other work) can otherwise lose.
        toggle = page.get_by_role("button", name="Toggle menu")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#main-menu")).to_have_class(re.compile(r"\bshow\b"))
        api_menu = page.get_by_role("button", name="API", exact=True)
        api_menu.click()
        expect(api_menu).to_have_attribute("aria-expanded", "true")
        page.get_by_role("link", name="API tokens").click()
        expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name="Add integration user").click()
        page.get_by_label("Username").fill("web-shop")
        page.get_by_label("Role").select_option(label="Managers")
        page.get_by_role("button", name="Add integration user").click()

        expect(page.get_by_text("Copy this key now: it will not be shown again.")).to_be_visible()
        assert len(page.get_by_label("Key").input_value()) >= 40
        # The curl example is long: it wraps or scrolls in its box, not the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("link", name="Done").click()
        expect(page.get_by_role("row").filter(has_text="web-shop")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
