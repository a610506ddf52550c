"""The 400, 403, 404 and 500 pages, as a user sees them with debug off."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client, override_settings
from django.urls import include, path, reverse

from tests.factories import OutletFactory, UserFactory


def boom(request):
    raise RuntimeError("a bug")


def suspicious(request):
    raise SuspiciousOperation("odd")


# This module is also the URLconf of the tests that need a failing page.
urlpatterns = [
    path("boom/", boom),
    path("suspicious/", suspicious),
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
    response = manager_client.get(
        reverse("inventory:serial_detail", args=[999999]), HTTP_REFERER=came_from
    )
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
