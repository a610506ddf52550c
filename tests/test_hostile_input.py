"""Every page, as a Manager (the admin as a superuser), with hostile query strings.

A probe against gunicorn with debug off found 500s for NUL bytes, far dates,
non-ASCII digits and out-of-range numbers. Whatever the query string, the
answer must be a page (2xx, 3xx) or a clear refusal (4xx), never a 500.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

# Every parameter name a page or the admin reads from the query string.
PARAMETERS = [
    "q", "product", "outlet", "status", "added_from", "added_to", "added_at", "sort",
    "page", "serial", "brand", "is_active", "has_serial_numbers", "serialised", "ordering",
    "o", "p", "e", "_changelist_filters", "next", "term", "app_label", "model_name",
    "field_name", "product_search",
]  # fmt: skip

HOSTILE_VALUES = {
    "nul": "a\x00b",
    "huge number": "99999999999999999999999999",
    "int overflow": "2147483648",
    "negative": "-1",
    "superscript digit": "\u00b2",
    "arabic-indic digits": "\u0663\u0664",
    "far future date": "9999-12-31",
    "far past date": "0001-01-01",
    "far datetime": "9999-12-31T23:59:59-12:00",
    "very long text": "x" * 3_000,
    "fullwidth": "\uff26\uff35\uff2c\uff2c\uff0d\uff11",
}


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def concrete_paths(route: str) -> list[str]:
    """The route with its placeholders filled: an existing object, and absurd ids."""
    route = route.lstrip("^").rstrip("$")
    if "<" not in route and "(?P" not in route:
        return ["/" + route]
    paths = []
    for number in ("1", "99999999999999999999"):
        path = re.sub(r"<(?:int|path):\w+>", number, route)
        path = re.sub(r"<(?:str:)?(\w+)>", "x", path)
        path = re.sub(r"\(\?P<\w+>[^)]*\)", number, path)
        paths.append("/" + path)
    return paths


ROUTES = sorted(
    {p for route, _name in walk(get_resolver().url_patterns) for p in concrete_paths(route)}
)


@pytest.fixture
def objects(db):
    """One of everything, so pages with an id (1) have something to show."""
    product = ProductFactory()
    outlet = OutletFactory()
    StockLevelFactory(product=product, outlet=outlet)
    SerialRecordFactory(product=product, outlet=outlet)


@pytest.fixture
def clients(objects):
    manager = Client(raise_request_exception=False)
    manager.force_login(UserFactory(username="hostile-manager", groups=["Managers"]))
    admin = Client(raise_request_exception=False)
    admin.force_login(UserFactory(username="hostile-admin", is_staff=True, is_superuser=True))
    return {"manager": manager, "admin": admin}


def test_the_walk_covers_the_app_and_the_admin():
    assert "/inventory/serials/" in ROUTES
    assert "/inventory/serials/transfer/" in ROUTES
    assert "/admin/catalog/product/" in ROUTES
    assert len(ROUTES) > 40


@pytest.mark.parametrize("kind", sorted(HOSTILE_VALUES))
def test_no_page_answers_a_hostile_query_string_with_a_500(clients, settings, kind):
    settings.DEBUG = False
    query = {name: HOSTILE_VALUES[kind] for name in PARAMETERS}
    failures = []
    for path in ROUTES:
        client = clients["admin" if path.startswith("/admin/") else "manager"]
        response = client.get(path, query)
        if response.status_code >= 500:
            failures.append(f"{path} -> {response.status_code}")
    assert failures == [], f"{kind}: " + ", ".join(failures)
