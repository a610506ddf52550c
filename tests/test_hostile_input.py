"""Every page, as a Manager (the admin as a superuser), with hostile query strings.

A probe against gunicorn with debug off found 500s for NUL bytes, far dates,
non-ASCII digits and out-of-range numbers. Whatever the query string, the
answer must be a page (2xx, 3xx) or a clear refusal (4xx), never a 500.
"""

import copy
import json
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from rest_framework.test import APIClient

from api.services import api_token_create
from api.throttling import TokenRateThrottle
from sales.services import LineInput, sale_create
from tests.api.test_schema import api_routes, coerced
from tests.factories import (
    CustomerFactory,
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
    # Stock control (issue 20): its list's filters, the labels of a delivery, the moves.
    "supplier", "type", "created_from", "created_to", "arrival_order", "moves_older_than",
    "layout", "code",
    # Stock control II (issue 21): the list's overdue transfers.
    "overdue",
    # Transfers (issue 21): Transfer stock's pick list.
    "from_outlet", "pick_q",
]  # fmt: skip

HOSTILE_VALUES = {
    "nul": "a\x00b",
    "huge number": "99999999999999999999999999",
    "int overflow": "2147483648",
    "negative": "-1",
    "superscript digit": "\u00b2",
    "arabic-indic digits": "\u0663\u0664",
    "arabic-indic twelve": "\u0661\u0662",
    "fullwidth digit": "\uff11",
    "empty": "",
    "thirty nines": "9" * 30,
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


# The REST API (/api/v1/), as a Manager's token. Its endpoints are found by
# walking the "api" namespace and its parameters and bodies are read from the
# served schema, so an endpoint added later is probed without editing this file.
# Whatever the input, the answer is JSON and never a 500.

API_BODY_VALUES = {
    "text for a number": "abc",
    "huge number": 10**30,
    "huge number as text": "99999999999999999999999999",
    "int overflow": 2**63,
    "negative": -1,
    "huge float": 1e308,
    "not a number": float("nan"),
    "list for a scalar": [1, "a"],
    "object for a scalar": {"a": 1},
    "null": None,
    "boolean": True,
    "very long text": "x" * 100_000,
    "arabic-indic digits": "\u0663\u0664",
    "superscript digit": "\u00b2",
    "fullwidth": "\uff26\uff35\uff2c\uff2c\uff0d\uff11",
    "far future date": "9999-12-31",
    "far datetime": "9999-12-31T23:59:59-12:00",
}
# Whole bodies that are not the object an endpoint expects.
API_BODIES = ["[]", '"text"', "12", "null", '{"a": ' * 200 + "1" + "}" * 200, "{}"]


@pytest.fixture
def api(objects, monkeypatch, settings):
    settings.DEBUG = False
    # Thousands of calls with one token: no limit for this test.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": None})
    manager = UserFactory(username="hostile-api-manager", groups=["Managers"])
    # A sold unit, newest of its kind, so returns and claims have one to act on.
    unit = SerialRecordFactory()
    sale_create(
        outlet=unit.outlet,
        customer=CustomerFactory(),
        lines=[LineInput(product=unit.product, quantity=1, serials=[unit.serial])],
        clerk=manager,
    )
    _token, key = api_token_create(user=manager, created_by=manager)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _api_problem(method: str, path: str, response) -> str | None:
    if response.status_code >= 500 or "json" not in response.get("Content-Type", ""):
        return f"{method} {path[:120]} -> {response.status_code} {response.get('Content-Type')}"
    return None


def _api_schema(api) -> dict:
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    return response.json()


def _real_ids(api, routes) -> dict[str, str]:
    """For each route with a placeholder, the id (or lookup value) of an existing object."""
    ids = {}
    for route in routes:
        if not route.parameters:
            continue
        listing = route.path[: route.path.index("{")]
        response = api.get(listing, {"page_size": 1})
        rows = response.json().get("results") if response.status_code == 200 else None
        lookup = getattr(route.view_class, "lookup_field", "pk")
        lookup = "id" if lookup == "pk" else lookup
        if rows and lookup in rows[0]:
            ids[route.path] = str(rows[0][lookup])
    return ids


def _filled(route, value: str) -> str:
    return re.sub(r"\{\w+\}", quote(value, safe=""), route.path)


def _query_parameters(schema: dict, path: str, method: str = "get") -> list[str]:
    operation = schema["paths"].get(coerced(path), {}).get(method, {})
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]


def test_the_api_walk_covers_the_catalog_endpoints(api):
    paths = {route.path for route in api_routes()}
    assert {"/api/v1/products/", "/api/v1/products/{pk}/", "/api/v1/outlets/"} <= paths
    assert _query_parameters(_api_schema(api), "/api/v1/products/")


@pytest.mark.parametrize("kind", sorted(HOSTILE_VALUES))
def test_no_api_endpoint_answers_a_hostile_query_or_id_with_a_500(api, kind):
    value = HOSTILE_VALUES[kind]
    schema = _api_schema(api)
    routes = [route for route in api_routes() if "get" in route.methods]
    ids = _real_ids(api, routes)
    failures = []
    for route in routes:
        paths = [_filled(route, ids.get(route.path, "1"))] if route.parameters else [route.path]
        if route.parameters:
            try:  # The hostile value as the id, where the route's pattern takes it.
                resolve(re.sub(r"\{\w+\}", value, route.path))
                paths.append(_filled(route, value))
            except Resolver404:
                pass
        parameters = _query_parameters(schema, route.path)
        for path in paths:
            queries = [{name: value} for name in parameters]
            queries.append({name: value for name in PARAMETERS + parameters})
            for query in queries:
                problem = _api_problem("GET", path, api.get(path, query))
                if problem:
                    failures.append(f"{problem} {sorted(query)[:3]}")
    assert failures == [], f"{kind}: " + ", ".join(failures)


def _sample(schema: dict, components: dict, ids: dict[str, str], name: str = "", depth=0):
    """A plausible value for `schema`: unique text, a real id where the name says which."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    for combined in ("allOf", "oneOf", "anyOf"):
        if schema.get(combined):
            return _sample(schema[combined][0], components, ids, name, depth)
    if "enum" in schema:
        return next((choice for choice in schema["enum"] if choice not in ("", None)), None)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        return {
            field: _sample(part, components, ids, field, depth + 1)
            for field, part in schema.get("properties", {}).items()
            if not part.get("readOnly")
        }
    if kind == "array":
        return [_sample(schema.get("items", {}), components, ids, name, depth + 1)]
    if kind == "integer":
        return int(ids.get(name, "1"))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "decimal" or "pattern" in schema:
        return "1.00"
    if schema.get("format") == "date":
        return "2025-01-15"
    if schema.get("format") == "date-time":
        return "2025-01-15T10:00:00Z"
    if schema.get("format") == "email":
        return "hostile@example.com"
    _sample.count = getattr(_sample, "count", 0) + 1  # type: ignore[attr-defined]
    return f"hostile-{_sample.count}"  # type: ignore[attr-defined]


def _leaves(value, path=()):
    """Every place in a body where one value can be swapped for a hostile one."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,)
            yield from _leaves(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, path + (index,))


def _as_stored(api, route, path: str, body):
    """`body` with the object's current values where it has them (its `updated_at`...)."""
    if not route.parameters or not isinstance(body, dict):
        return body
    detail = path[: path.index("/", len(route.path[: route.path.index("{")])) + 1]
    stored = api.get(detail)
    if stored.status_code != 200:
        return body
    current = {k: v for k, v in stored.json().items() if not isinstance(v, dict | list)}
    return {key: current.get(key, value) for key, value in body.items()}


def _with(body, where, value):
    body = copy.deepcopy(body)
    target = body
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    return body


def _object_ids(api, routes) -> dict[str, str]:
    """The id of an existing object per field name: "product", "outlet", "customer"..."""
    found = {}
    for route in routes:
        if route.parameters or "get" not in route.methods:
            continue
        response = api.get(route.path, {"page_size": 1})
        rows = response.json().get("results") if response.status_code == 200 else None
        if rows and "id" in rows[0]:
            resource = route.path.rstrip("/").rsplit("/", 1)[-1]
            singular = resource.removesuffix("s").replace("-", "_")
            found[singular] = str(rows[0]["id"])
            found[singular.removesuffix("_number")] = str(rows[0]["id"])
    return found


@pytest.mark.parametrize("kind", sorted(API_BODY_VALUES))
def test_no_api_endpoint_answers_a_hostile_json_body_with_a_500(api, kind):
    value = API_BODY_VALUES[kind]
    schema = _api_schema(api)
    components = schema.get("components", {}).get("schemas", {})
    routes = api_routes()
    ids, objects = _real_ids(api, routes), _object_ids(api, routes)
    failures = []
    for route in routes:
        for method in sorted(route.methods & {"post", "put", "patch"}):
            operation = schema["paths"].get(coerced(route.path), {}).get(method, {})
            content = operation.get("requestBody", {}).get("content", {})
            body_schema = content.get("application/json", {}).get("schema", {})
            path = _filled(route, ids.get(route.path, "1"))
            for where in list(_leaves(_sample(body_schema, components, objects))) or [None]:
                body = _sample(body_schema, components, objects)  # fresh text: unique SKUs
                body = _as_stored(api, route, path, body)
                hostile = _with(body, where, value) if where else value
                text = json.dumps(hostile, allow_nan=True)
                response = getattr(api, method)(path, text, content_type="application/json")
                if problem := _api_problem(method.upper(), path, response):
                    failures.append(f"{problem} {where}")
    assert failures == [], f"{kind}: " + ", ".join(failures)


def test_no_api_endpoint_answers_a_body_of_the_wrong_shape_with_a_500(api):
    routes = api_routes()
    ids = _real_ids(api, routes)
    failures = []
    for route in routes:
        for method in sorted(route.methods & {"post", "put", "patch"}):
            path = _filled(route, ids.get(route.path, "1"))
            for text in API_BODIES:
                response = getattr(api, method)(path, text, content_type="application/json")
                if problem := _api_problem(method.upper(), path, response):
                    failures.append(f"{problem} {text[:20]}")
    assert failures == []


# Format suffixes (/customers.json/, /serial-numbers/1.json/): the API serves
# none (docs/decisions.md, REST API); an answer's format is chosen by Accept or
# ?format=. Every route, with and without its trailing slash, every method.
FORMAT_METHODS = ["get", "head", "options", "post", "put", "patch", "delete"]


def _with_suffix(path: str) -> list[str]:
    stem = path.rstrip("/")
    return [f"{stem}.json/", f"{stem}.json", f"{stem}.api/"]


def test_no_api_url_with_a_format_suffix_is_served(api):
    routes = api_routes(documentation=True)
    ids = _real_ids(api, routes)
    paths = {"/api/v1/.json", "/api/v1/.json/"}
    for route in routes:
        paths.update(_with_suffix(_filled(route, ids.get(route.path, "1"))))
    assert "/api/v1/serial-numbers/1/transfer.json/" in {
        re.sub(r"/\d+/", "/1/", path) for path in paths
    }
    failures = []
    for path in sorted(paths):
        for method in FORMAT_METHODS:
            if method in ("get", "head", "options"):
                response = getattr(api, method)(path)
            else:
                response = getattr(api, method)(path, "{}", content_type="application/json")
            json_answer = response.get("Content-Type") == "application/json"
            found = []
            if json_answer and response.content:
                found = [e.get("code") for e in response.json().get("errors", [{}])]
            if response.status_code != 404 or (method != "head" and found != ["not_found"]):
                failures.append(f"{method.upper()} {path} -> {response.status_code} {found}")
    assert failures == []


def test_the_api_still_answers_in_the_format_asked_by_query(api):
    response = api.get("/api/v1/customers/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "results" in response.json()
