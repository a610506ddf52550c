"""Accounts > API tokens: Managers add integration users, make new keys and revoke them."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("api_tokens:token_list")
ADD = reverse("api_tokens:integration_user_create")
PRODUCTS = "/api/v1/products/"
SHOWN_ONCE = "Copy this key now: it will not be shown again."


def shown_key(response) -> str:
    found = re.search(r'id="api-key"[^>]*value="([^"]+)"', response.content.decode())
    assert found, "the page shows no key"
    return found.group(1)


def products_with(key: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(PRODUCTS)


def add(client: Client, username: str = "till-harbour", role: str = "Staff"):
    return client.post(ADD, {"username": username, "role": role})


def test_a_manager_adds_an_integration_user_and_its_key_works_until_revoked(manager_client):
    response = add(manager_client, "till-harbour", "Staff")
    assert response.status_code == 200
    html = response.content.decode()
    key = shown_key(response)
    assert SHOWN_ONCE in html
    assert f'curl -H "Authorization: Token {key}" http://testserver/api/v1/products/' in html
    user = User.objects.get(username="till-harbour")
    assert [group.name for group in user.groups.all()] == ["Staff"]
    assert not user.has_usable_password()
    token = ApiToken.objects.get(user=user)
    assert token.created_by.username == "mia"
    assert key.startswith(token.prefix)

    assert products_with(key).status_code == 200

    revoke = reverse("api_tokens:token_revoke", args=[token.pk])
    assert manager_client.get(revoke).status_code == 200
    response = manager_client.post(revoke)
    assert response.status_code == 302
    assert response.url == LIST
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert User.objects.filter(username="till-harbour").exists()
    page = manager_client.get(LIST).content.decode()
    assert "The API token of “till-harbour” was revoked." in page
    refused = products_with(key)
    assert refused.status_code == 401
    assert [error["code"] for error in refused.json()["errors"]] == ["token_invalid"]


def test_a_managers_role_gives_the_managers_permissions(manager_client):
    key = shown_key(add(manager_client, "stock-script", "Managers"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"name": "Grinder", "sku": "G-1", "retail_price": "99.00"}
    assert client.post(PRODUCTS, body, format="json").status_code == 201


def test_the_key_is_kept_nowhere_but_the_page_that_shows_it(manager_client):
    response = add(manager_client)
    key = shown_key(response)
    assert "no-store" in response["Cache-Control"]
    assert key not in str(response.cookies)
    assert key not in str(dict(manager_client.session))
    assert key not in response.get("Location", "")
    listing = manager_client.get(LIST).content.decode()
    assert key not in listing
    assert f"{key[:8]}…" in listing


def test_the_list_shows_each_tokens_user_group_prefix_and_dates(manager_client, manager_user):
    till = UserFactory(username="till-1", groups=["Staff"])
    token, _key = api_token_create(user=till, created_by=manager_user)
    html = manager_client.get(LIST).content.decode()
    assert "till-1" in html
    assert "Staff" in html
    assert f"<code>{token.prefix}…</code>" in html
    assert " by mia" in html
    assert "Never" in html
    assert reverse("api_tokens:token_revoke", args=[token.pk]) in html
    assert reverse("api_tokens:token_replace", args=[token.pk]) in html


def test_the_list_costs_the_same_queries_for_more_tokens(manager_client, manager_user):
    def make(count: int, start: int) -> None:
        for number in range(start, start + count):
            user = User.objects.create(username=f"till-{number}")
            user.groups.add(Group.objects.get(name="Staff"))
            api_token_create(user=user, created_by=manager_user)

    make(1, 0)
    with CaptureQueriesContext(connection) as one:
        manager_client.get(LIST)
    make(5, 1)
    with CaptureQueriesContext(connection) as six:
        assert "till-5" in manager_client.get(LIST).content.decode()
    assert len(six.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("Till-Harbour", "A user with this name already exists."),
        ("till harbour!", "Enter a valid username."),
        ("", "This field is required."),
        ("t" * 3_000, "Ensure this value has at most 150 characters (it has 3000)."),
        # Full-width letters are the same name once normalised (NFKC), as Django stores it.
        (
            "\uff34\uff29\uff2c\uff2c-\uff28\uff21\uff32\uff22\uff2f\uff35\uff32",
            "A user with this name already exists.",
        ),
    ],
)
def test_a_username_that_cannot_be_used_is_refused_on_the_form(manager_client, username, message):
    UserFactory(username="till-harbour")
    response = add(manager_client, username)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert SHOWN_ONCE not in html
    assert not ApiToken.objects.exists()
    assert User.objects.filter(username__iexact="till-harbour").count() == 1


def test_a_role_that_is_not_staff_or_managers_is_refused(manager_client):
    response = add(manager_client, "till-harbour", "Administrators")
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not User.objects.filter(username="till-harbour").exists()


def test_a_new_key_replaces_the_old_one(manager_client, manager_user):
    till = UserFactory(username="till-1", groups=["Staff"])
    token, old_key = api_token_create(user=till, created_by=till)
    url = reverse("api_tokens:token_replace", args=[token.pk])
    confirm = manager_client.get(url).content.decode()
    assert "stops working at once" in confirm
    assert products_with(old_key).status_code == 200
    response = manager_client.post(url)
    assert response.status_code == 200
    new_key = shown_key(response)
    assert SHOWN_ONCE in response.content.decode()
    assert new_key != old_key
    assert products_with(old_key).status_code == 401
    assert products_with(new_key).status_code == 200
    assert ApiToken.objects.get(user=till).created_by == manager_user


def test_a_manager_cannot_make_a_key_for_a_superuser(manager_client):
    boss = UserFactory(username="boss", is_superuser=True)
    token, key = api_token_create(user=boss, created_by=boss)
    response = manager_client.post(reverse("api_tokens:token_replace", args=[token.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only a superuser may make a token for a superuser." in html
    assert 'id="api-key"' not in html
    assert ApiToken.objects.get(user=boss).key_digest == ApiToken.digest(key)


def test_a_superuser_may_make_a_key_for_a_superuser(client):
    boss = UserFactory(username="boss", is_superuser=True)
    token, old_key = api_token_create(user=boss, created_by=boss)
    client.force_login(boss)
    response = client.post(reverse("api_tokens:token_replace", args=[token.pk]))
    assert products_with(shown_key(response)).status_code == 200
    assert products_with(old_key).status_code == 401


def test_no_key_is_made_for_an_inactive_user(manager_client):
    till = UserFactory(username="till-1", groups=["Staff"])
    token, _key = api_token_create(user=till, created_by=till)
    till.is_active = False
    till.save()
    response = manager_client.post(reverse("api_tokens:token_replace", args=[token.pk]))
    assert "till-1 is inactive." in response.content.decode()
    assert ApiToken.objects.get(user=till).pk == token.pk


@pytest.mark.parametrize("name", ["api_tokens:token_replace", "api_tokens:token_revoke"])
@pytest.mark.parametrize("pk", [999999, 2**63, 10**30])
def test_an_unknown_token_is_404(manager_client, name, pk):
    assert manager_client.post(reverse(name, args=[pk])).status_code == 404


def test_a_nul_in_the_username_is_refused_and_saves_nothing(manager_client):
    response = add(manager_client, "till\x00harbour")

    assert response.status_code == 400
    assert "a form field contained an invalid character" in response.content.decode()
    assert not User.objects.filter(username__startswith="till").exists()
    assert not ApiToken.objects.exists()


def _pages(token_pk: int) -> list[tuple[str, str]]:
    replace = reverse("api_tokens:token_replace", args=[token_pk])
    revoke = reverse("api_tokens:token_revoke", args=[token_pk])
    return [
        ("get", LIST),
        ("get", ADD),
        ("post", ADD),
        ("get", replace),
        ("post", replace),
        ("get", revoke),
        ("post", revoke),
    ]


def test_staff_may_not_use_the_token_pages(staff_client, staff_user):
    till = UserFactory(username="till-1", groups=["Staff"])
    token, _key = api_token_create(user=till, created_by=till)
    for method, url in _pages(token.pk):
        response = getattr(staff_client, method)(url, {"username": "x", "role": "Staff"})
        assert response.status_code == 403, f"{method} {url}"
    assert ApiToken.objects.get().pk == token.pk
    assert not User.objects.filter(username="x").exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    till = UserFactory(username="till-1", groups=["Staff"])
    token, _key = api_token_create(user=till, created_by=till)
    for method, url in _pages(token.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method} {url}"
        assert response.url == f"{reverse('login')}?next={url}"
    assert ApiToken.objects.get().pk == token.pk


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_token_pages_answer_only_get_and_post(manager_client, method):
    till = UserFactory(username="till-1", groups=["Staff"])
    token, _key = api_token_create(user=till, created_by=till)
    for _get_or_post, url in _pages(token.pk):
        assert getattr(manager_client, method)(url).status_code == 405, f"{method} {url}"
    assert ApiToken.objects.get().pk == token.pk


def test_the_menu_links_the_token_page_for_managers_only(manager_client, client, staff_user):
    assert f'href="{LIST}"' in manager_client.get("/").content.decode()
    client.force_login(staff_user)
    html = client.get("/").content.decode()
    assert f'href="{LIST}"' not in html
    assert 'href="/api/v1/docs/"' in html


def test_the_admin_lists_tokens_without_their_digest_and_revokes_through_the_service(client):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    till = UserFactory(username="till-1", groups=["Staff"])
    token, key = api_token_create(user=till, created_by=admin)
    client.force_login(admin)
    html = client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert f"{token.prefix}…" in html
    assert token.key_digest not in html
    change = client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    assert token.key_digest not in change
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403
    delete = reverse("admin:api_apitoken_delete", args=[token.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert products_with(key).status_code == 401
    assert User.objects.filter(pk=till.pk).exists()
