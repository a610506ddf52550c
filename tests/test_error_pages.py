"""The 400, 403, 404 and 500 pages, as a user sees them with debug off."""

import sqlite3

import psycopg
import pytest
from django.core.exceptions import SuspiciousOperation
from django.core.signals import got_request_exception
from django.db import connections
from django.db.utils import OperationalError
from django.test import Client, override_settings
from django.urls import include, path, reverse

from tests.factories import OutletFactory, UserFactory


def boom(request):
    raise RuntimeError("a bug")


def suspicious(request):
    raise SuspiciousOperation("odd")


def _sqlite_statement_error() -> sqlite3.OperationalError:
    try:
        sqlite3.connect(":memory:").execute("SELECT * FROM no_such_table")
    except sqlite3.OperationalError as error:
        return error  # As the driver raises it, with its sqlite_errorcode (SQLITE_ERROR).
    raise AssertionError("SQLite ran a query on a missing table")


# Errors a database sends about a statement, not about being reached.
STATEMENT_ERRORS = {
    "deadlock": psycopg.errors.DeadlockDetected("deadlock detected"),
    "statement timeout": psycopg.errors.QueryCanceled("canceling statement due to timeout"),
    "sqlite no such table": _sqlite_statement_error(),
}


def statement_error(request, kind):
    raise OperationalError(str(STATEMENT_ERRORS[kind])) from STATEMENT_ERRORS[kind]


# This module is also the URLconf of the tests that need a failing page.
urlpatterns = [
    path("boom/", boom),
    path("suspicious/", suspicious),
    path("statement-error/<str:kind>/", statement_error),
    path("", include("config.urls")),
]
handler400 = "config.views.bad_request"
handler500 = "config.views.server_error"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("debug_off")]


@pytest.fixture
def debug_off(settings):
    settings.DEBUG = False


def assert_in_layout(response, signed_in=True):
    # The menus (and the Look up serial box) show for a signed-in user.
    assert ('aria-label="Main menu"' in response.text) is signed_in
    assert ('id="look-up-serial"' in response.text) is signed_in


def test_404_says_what_happened_and_leads_back_to_the_dashboard(manager_client):
    response = manager_client.get("/inventory/no-such-page/")
    assert response.status_code == 404
    assert "Page not found (404)" in response.text
    assert "or the record it showed has been deleted" in response.text
    assert f'href="{reverse("home")}">Go to the Dashboard' in response.text
    assert_in_layout(response)


def test_404_for_a_missing_record_offers_the_page_the_user_came_from(manager_client):
    came_from = "http://testserver" + reverse("inventory:serial_list")
    response = manager_client.get(reverse("serial_detail", args=[999999]), HTTP_REFERER=came_from)
    assert response.status_code == 404
    assert f'href="{came_from}">Back to the previous page' in response.text


def test_404_does_not_link_back_to_another_site(manager_client):
    response = manager_client.get("/no-such-page/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 404
    assert "Go to the Dashboard" in response.text
    assert "evil.example" not in response.text


def test_404_for_an_anonymous_visitor_offers_the_login_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found (404)" in response.text
    assert f'href="{reverse("login")}">Log in' in response.text
    assert_in_layout(response, signed_in=False)


def test_403_names_the_permission_and_the_group_that_has_it(staff_client):
    response = staff_client.get(reverse("inventory:outlet_create"))
    assert response.status_code == 403
    assert "You are not allowed to do this (403)" in response.text
    assert "It needs the permission “Can add outlet”, which the group Managers has." in (
        response.text
    )
    assert "ask a manager to add you to the right group" in response.text
    assert "Go to the Dashboard" in response.text
    assert_in_layout(response)


def test_403_for_an_action_without_a_named_permission_explains_the_groups(staff_client):
    outlet = OutletFactory()
    response = staff_client.post(reverse("inventory:outlet_set_active", args=[outlet.pk]))
    assert response.status_code == 403
    assert "Managers may also edit products, outlets and stock" in response.text
    assert "ask a manager" in response.text


def test_a_csrf_failure_explains_what_to_do(staff_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "sam", "password": "x"})
    assert response.status_code == 403
    assert "The form could not be sent (403)" in response.text
    assert "reload the page" in response.text


def test_400_for_a_too_large_submission_points_to_import_csv(manager_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = manager_client.post(
        reverse("inventory:serial_create"), {"serials": "SN-0001," * 500}
    )
    assert response.status_code == 400
    assert "The submission was too large" in response.text
    import_link = f'<a href="{reverse("inventory:serial_import")}">Import CSV</a>'
    assert f"For big batches of serial numbers, use {import_link}" in response.text
    assert_in_layout(response)


@override_settings(ROOT_URLCONF="tests.test_error_pages")
def test_400_for_another_reason_lists_the_reasons_a_too_large_one_first(manager_client):
    response = manager_client.get("/suspicious/")
    assert response.status_code == 400
    assert "The request could not be handled (400)" in response.text
    assert "the submission was too large" in response.text
    assert "For big batches of serial numbers, use" in response.text
    assert "Go to the Dashboard" in response.text
    assert_in_layout(response)


def test_400_for_a_host_the_site_does_not_serve_still_renders(client):
    response = client.get(reverse("login"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "The request could not be handled (400)" in response.text


@override_settings(ROOT_URLCONF="tests.test_error_pages")
def test_500_shows_the_layout_and_a_way_back(manager_user):
    client = Client(raise_request_exception=False)
    client.force_login(manager_user)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Server error (500)" in response.text
    assert "may not have been saved" in response.text
    assert "Go to the Dashboard" in response.text
    assert_in_layout(response)


@override_settings(ROOT_URLCONF="tests.test_error_pages")
def test_500_falls_back_to_a_plain_page_when_the_layout_fails(manager_user, monkeypatch):
    def broken_render(*args, **kwargs):
        raise RuntimeError("the layout is broken too")

    monkeypatch.setattr("config.views.render", broken_render)
    client = Client(raise_request_exception=False)
    client.force_login(manager_user)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "<h1>Server error (500)</h1>" in response.text
    assert '<a href="/">Go to the Dashboard</a>' in response.text


def test_403_names_every_group_that_has_the_permission(client):
    client.force_login(UserFactory(username="newcomer"))
    response = client.get(reverse("inventory:serial_list"))
    assert response.status_code == 403
    assert (
        "It needs the permission “Can view serial number”, which the groups Staff, Managers have."
        in response.text
    )
    assert_in_layout(response)


# A database outage: the connection fails as it does when PostgreSQL is down
# (connection refused on loopback) or the SQLite file cannot be opened.


def _connect_to_nothing(wrapper):
    with wrapper.wrap_database_errors:
        if wrapper.vendor == "postgresql":
            wrapper.Database.connect("host=127.0.0.1 port=1 connect_timeout=2")
        else:
            wrapper.Database.connect("/no-such-directory-for-serialdesk/db.sqlite3")


def cut_the_database(monkeypatch) -> None:
    """Every query from here on fails to reach the database, until `monkeypatch.undo()`."""
    monkeypatch.setattr(type(connections["default"]), "ensure_connection", _connect_to_nothing)


@pytest.fixture
def database_down(db, monkeypatch):
    cut_the_database(monkeypatch)


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"]
    assert "Service unavailable (503)" in response.text
    assert "The database is not reachable at the moment" in response.text
    assert "Try again in a moment." in response.text
    assert "Server error" not in response.text


def test_a_page_during_a_database_outage_says_to_try_again_and_keeps_the_user_signed_in(
    manager_user, monkeypatch
):
    client = Client(raise_request_exception=False)
    client.force_login(manager_user)
    cut_the_database(monkeypatch)
    response = client.get(reverse("inventory:serial_list"), {"q": "ESP"})
    monkeypatch.undo()
    assert_unavailable_page(response)
    assert f'href="{reverse("inventory:serial_list")}?q=ESP">Try again' in response.text
    assert '<meta http-equiv="refresh" content="30">' in response.text
    # Who is signed in cannot be read: no menus, and the session cookie is kept.
    assert_in_layout(response, signed_in=False)
    assert "sessionid" not in response.cookies
    # The database back, the same page opens for the same user.
    again = client.get(reverse("inventory:serial_list"), {"q": "ESP"})
    assert again.status_code == 200
    assert_in_layout(again)


def test_the_outage_page_offers_no_way_to_another_site(manager_user, monkeypatch):
    # "//elsewhere.example/x" is a path here but another site in a link or a redirect.
    client = Client(raise_request_exception=False)
    client.force_login(manager_user)
    cut_the_database(monkeypatch)
    response = client.get("/x", PATH_INFO="//elsewhere.example/x")
    monkeypatch.undo()
    assert_unavailable_page(response)
    assert "elsewhere.example" not in response.text
    assert "Try again</a>" not in response.text


def test_logging_in_during_a_database_outage_says_to_try_again(client, staff_user, database_down):
    reported = []

    def report(sender, request=None, **kwargs):
        reported.append(request.path)

    got_request_exception.connect(report)
    try:
        response = client.post(reverse("login"), {"username": "sam", "password": "secret"})
    finally:
        got_request_exception.disconnect(report)
    assert_unavailable_page(response)
    # Answered by config.middleware.DatabaseOutageMiddleware: an outage, not a
    # bug, so error reporting hears of no uncaught exception.
    assert reported == []
    # A form was sent: the page does not reload itself (that would send it again).
    assert 'http-equiv="refresh"' not in response.text
    assert "Try again</a>" not in response.text


@override_settings(ROOT_URLCONF="tests.test_error_pages")
@pytest.mark.parametrize("kind", sorted(STATEMENT_ERRORS))
def test_an_error_about_the_statement_is_still_a_server_error(manager_user, kind):
    client = Client(raise_request_exception=False)
    client.force_login(manager_user)
    response = client.get(f"/statement-error/{kind}/")
    assert response.status_code == 500
    assert "Server error (500)" in response.text
    assert "Retry-After" not in response


def test_the_outage_page_falls_back_to_a_plain_page_when_the_layout_fails(
    client, database_down, monkeypatch
):
    def broken_render(*args, **kwargs):
        raise RuntimeError("the layout is broken too")

    monkeypatch.setattr("config.views.render", broken_render)
    client.raise_request_exception = False
    response = client.post(reverse("login"), {"username": "sam", "password": "secret"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "<h1>Service unavailable (503)</h1>" in response.text
    assert "The database is not reachable. Try again in a moment." in response.text
