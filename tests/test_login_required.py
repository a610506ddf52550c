import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC_URL_NAMES = {"login"}


def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin has its own login page
            yield from walk(
                entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace
            )
        elif isinstance(entry, URLPattern):
            if namespace == "api" and entry.name != "docs":
                # The API answers 401 JSON, never the login page
                # (tests/api/test_tokens.py walks it); its docs page is a page.
                continue
            yield prefix + str(entry.pattern), entry.name


def example_path(route: str) -> str:
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str|slug:)?\w+>", "x", route)
    return "/" + route


ROUTES = [(route, name) for route, name in walk(get_resolver().url_patterns)]


def test_every_app_page_is_in_the_walk():
    names = {name for _, name in ROUTES}
    assert {"home", "login", "logout", "outlet_list", "outlet_create", "docs"} <= names
    assert "product-list" not in names  # the API's


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), [r for r in ROUTES if r[1] not in PUBLIC_URL_NAMES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_request_is_sent_to_the_login_page(client, route, name, method):
    path = example_path(route)
    response = getattr(client, method)(path)
    assert response.status_code == 302, f"{method.upper()} {path} ({name})"
    assert response.url.startswith("/accounts/login/?next="), response.url


@pytest.mark.django_db
def test_the_login_page_is_open_and_labelled(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<label[^>]*for="id_username"[^>]*>\s*Username<', html)
    assert re.search(r'<label[^>]*for="id_password"[^>]*>\s*Password<', html)
    assert ">Log in</button>" in html


@pytest.mark.django_db
def test_logging_in_leads_to_the_dashboard(client, staff_user):
    response = client.post(
        "/accounts/login/", {"username": "sam", "password": "secret-pass-123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Dashboard" in response.content.decode()


@pytest.mark.django_db
def test_logout_is_a_post(staff_client):
    assert staff_client.get("/accounts/logout/").status_code == 405
    response = staff_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert staff_client.get("/").status_code == 302
