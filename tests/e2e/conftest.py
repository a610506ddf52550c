"""Browser tests: Playwright driving Debian's Chromium against a live server.

Playwright's own browser download cannot work on these machines, so the tests
use /usr/bin/chromium (`apt-get install chromium`). Without it they skip with a
message, except under CI=true, where a missing browser fails the run.
"""

import os
import shutil

import pytest
from playwright.sync_api import expect

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# One browser per module, not per session: while Playwright runs, the test
# thread counts as inside an event loop (see below), and tests of other modules
# run after these in the same process.
@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API marks an event loop as running in the test thread
    # from its start to its stop, so Django would refuse our fixtures' ordinary
    # blocking ORM calls. Allowed for exactly that span: every other test keeps
    # Django's async-safety check (tests/test_async_safety.py).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


# pytest-django's live server listens on a port the system picks (localhost:0),
# so pytest-xdist workers each run their own server and browser side by side.
@pytest.fixture
def page(browser, live_server, roles):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    def log_in_as(username, password="secret-pass-123"):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        # The login page's own URL ends in "/" too: wait for the dashboard itself.
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    return log_in_as
