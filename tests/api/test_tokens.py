"""Token authentication: keywords, refusals, the stored digest, and the session's part."""

import hashlib
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.test import APIClient

from api.authentication import LAST_USED_EVERY
from api.models import ApiToken
from api.services import api_token_create, api_token_revoke
from catalog.models import Product
from tests.api.test_schema import api_routes
from tests.concurrency import postgresql_only, run_in_thread, waits_for_a_lock
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


@pytest.fixture
def made(api_staff_user) -> tuple[ApiToken, str]:
    return api_token_create(user=api_staff_user, created_by=api_staff_user)


def called_with(authorization: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=authorization)
    return client


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_a_key_is_accepted_after_either_keyword(made, keyword):
    _token, key = made
    response = called_with(f"{keyword} {key}").get(PRODUCTS)
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("header", ["Token", "Token two parts", "Bearer  "])
def test_a_malformed_authorization_header_is_refused(made, header):
    response = called_with(header).get(PRODUCTS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert [error["code"] for error in response.json()["errors"]] == ["token_malformed"]


@pytest.mark.parametrize("key", ["not-a-key", "x" * 500])
def test_an_unknown_key_is_refused(made, key):
    response = called_with(f"Token {key}").get(PRODUCTS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert [error["code"] for error in response.json()["errors"]] == ["token_invalid"]


def test_a_key_that_is_not_ascii_is_refused_as_invalid(made):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token clé".encode().decode("latin-1"))
    response = client.get(PRODUCTS)
    assert response.status_code == 401
    assert [error["code"] for error in response.json()["errors"]] == ["token_invalid"]


def test_another_scheme_is_left_to_the_other_authenticators(made):
    response = called_with("Basic dXNlcjpwYXNz").get(PRODUCTS)
    assert response.status_code == 401
    assert [error["code"] for error in response.json()["errors"]] == ["not_authenticated"]


def test_a_revoked_key_is_refused_at_once(made):
    token, key = made
    client = called_with(f"Token {key}")
    assert client.get(PRODUCTS).status_code == 200
    api_token_revoke(token=token)
    response = client.get(PRODUCTS)
    assert response.status_code == 401
    assert [error["code"] for error in response.json()["errors"]] == ["token_invalid"]


def test_a_new_key_ends_the_old_one(api_staff_user, made):
    _token, old_key = made
    _new, new_key = api_token_create(user=api_staff_user, created_by=api_staff_user)
    assert called_with(f"Token {new_key}").get(PRODUCTS).status_code == 200
    response = called_with(f"Token {old_key}").get(PRODUCTS)
    assert [error["code"] for error in response.json()["errors"]] == ["token_invalid"]
    assert ApiToken.objects.filter(user=api_staff_user).count() == 1


def test_an_inactive_users_key_is_refused(api_staff_user, made):
    _token, key = made
    api_staff_user.is_active = False
    api_staff_user.save()
    response = called_with(f"Token {key}").get(PRODUCTS)
    assert response.status_code == 401
    assert [error["code"] for error in response.json()["errors"]] == ["user_inactive"]


def _token_updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "api_apitoken"')]


def test_last_used_is_written_at_most_every_five_minutes(made):
    token, key = made
    client = called_with(f"Token {key}")
    with CaptureQueriesContext(connection) as first:
        client.get(PRODUCTS)
    token.refresh_from_db()
    assert len(_token_updates(first.captured_queries)) == 1
    first_use = token.last_used_at
    assert timezone.now() - first_use < timedelta(seconds=10)

    with CaptureQueriesContext(connection) as again:
        client.get(PRODUCTS)
    assert _token_updates(again.captured_queries) == []
    token.refresh_from_db()
    assert token.last_used_at == first_use

    earlier = timezone.now() - LAST_USED_EVERY - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    with CaptureQueriesContext(connection) as later:
        client.get(PRODUCTS)
    assert len(_token_updates(later.captured_queries)) == 1
    token.refresh_from_db()
    assert token.last_used_at > earlier


def test_only_the_keys_digest_and_first_characters_are_stored(made):
    token, key = made
    assert len(key) >= 40
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["key_digest"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["prefix"] == key[:8]
    assert [name for name, value in row.items() if key in str(value)] == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        assert [cell for line in cursor.fetchall() for cell in line if key in str(cell)] == []


def test_the_signed_in_session_works_for_the_api(client, staff_user):
    ProductFactory(name="Grinder")
    client.force_login(staff_user)
    response = client.get(PRODUCTS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert [product["name"] for product in response.json()["results"]] == ["Grinder"]


def test_a_session_post_without_the_csrf_token_is_refused(manager_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(manager_user)
    body = {"name": "Grinder", "sku": "G-1", "retail_price": "99.00"}
    response = client.post(PRODUCTS, body, format="json")
    assert response.status_code == 403
    [error] = response.json()["errors"]
    assert error["code"] == "permission_denied"
    assert "CSRF" in error["message"]
    assert not Product.objects.exists()


def test_a_token_post_needs_no_csrf_token(manager_user):
    _token, key = api_token_create(user=manager_user, created_by=manager_user)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"name": "Grinder", "sku": "G-1", "retail_price": "99.00"}
    assert client.post(PRODUCTS, body, format="json").status_code == 201


# The docs page is a page of the app: it sends a visitor to log in (test_schema.py).
ENDPOINTS = [
    route
    for route in api_routes(documentation=True)
    if not issubclass(route.view_class, (SpectacularSwaggerView, SpectacularRedocView))
]


@pytest.mark.parametrize("route", ENDPOINTS, ids=lambda route: route.path)
def test_an_anonymous_call_gets_401_json_not_the_login_page(anonymous_api, route):
    path = re.sub(r"\{\w+\}", str(ProductFactory().pk), route.path)
    for method in sorted(route.methods):
        if method == "get":
            response = anonymous_api.get(path)
        else:
            response = getattr(anonymous_api, method)(path, {}, format="json")
        assert response.status_code == 401, f"{method.upper()} {path}"
        assert response["WWW-Authenticate"] == "Token"
        # The schema's own media type is application/vnd.oai.openapi+json.
        assert re.fullmatch(r"application/([\w.]+\+)?json", response["Content-Type"])
        assert [e["code"] for e in response.json()["errors"]] == ["not_authenticated"]
        assert not response.has_header("Location")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_new_keys_for_one_user_at_once_both_succeed_and_the_last_one_works(roles):
    till = UserFactory(username="till-1", groups=["Staff"])
    manager = UserFactory(username="mia", groups=["Managers"])
    api_token_create(user=till, created_by=manager)
    made, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            result = api_token_create(user=till, created_by=manager)
            made.set()
            release.wait(timeout=10)  # still uncommitted while the second one starts
        return result

    firsts: list = []
    seconds: list = []
    one = run_in_thread(first, firsts)
    assert made.wait(timeout=10)
    two = run_in_thread(lambda: api_token_create(user=till, created_by=manager), seconds)
    assert waits_for_a_lock()
    release.set()
    one.join(timeout=10)
    two.join(timeout=10)
    assert len(firsts) == len(seconds) == 1
    (_first, first_key), (_second, second_key) = firsts[0], seconds[0]
    assert ApiToken.objects.get(user=till).key_digest == ApiToken.digest(second_key)
    assert called_with(f"Token {second_key}").get(PRODUCTS).status_code == 200
    assert called_with(f"Token {first_key}").get(PRODUCTS).status_code == 401
