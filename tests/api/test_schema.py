"""The served OpenAPI schema is a contract: it lists exactly the endpoints there are.

The endpoints are found by walking Django's resolver under the "api"
namespace, so an endpoint added to api/urls.py is checked without editing
this file.
"""

import base64
import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import APIRootView

from tests.api.helpers import token_client
from tests.factories import UserFactory

ROOT_URL = "/api/v1/"
SCHEMA_URL = "/api/v1/schema/"
DOCS_URL = "/api/v1/docs/"
# Views that describe the API rather than being part of it: not in the schema.
DOCUMENTATION_VIEWS = (
    SpectacularAPIView,
    SpectacularSwaggerView,
    SpectacularRedocView,
    APIRootView,
)
UNDOCUMENTED_METHODS = {"head", "options"}


@dataclass(frozen=True)
class ApiRoute:
    path: str  # "/api/v1/products/{pk}/": OpenAPI's placeholder syntax
    methods: frozenset[str]  # lower case, as OpenAPI's path items have them
    view_class: type
    name: str | None

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)


def _segment(pattern: str) -> str:
    """One resolver segment, regex (the router's) or route syntax, with {name} placeholders."""
    pattern = pattern.removeprefix("^").removesuffix("$")
    pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def _methods(callback) -> frozenset[str]:
    if actions := getattr(callback, "actions", None):  # a viewset: method -> action
        return frozenset(actions) - UNDOCUMENTED_METHODS
    view_class = callback.cls
    return frozenset(
        method
        for method in view_class.http_method_names
        if method not in UNDOCUMENTED_METHODS and hasattr(view_class, method)
    )


def _walk(patterns, prefix: str):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _segment(str(entry.pattern)))
        elif isinstance(entry, URLPattern):
            route = str(entry.pattern)
            if "(?P<format>" in route or "<drf_format_suffix:format>" in route:
                continue  # /products.json: the same endpoint with a format suffix
            yield ApiRoute(
                path=prefix + _segment(route),
                methods=_methods(entry.callback),
                view_class=getattr(entry.callback, "cls"),  # noqa: B009 (set by as_view())
                name=entry.name,
            )


def api_routes(*, documentation: bool = False) -> list[ApiRoute]:
    """Every route of the "api" namespace (the docs and schema views only if asked)."""
    prefix, resolver = get_resolver().namespace_dict["api"]
    routes = _walk(resolver.url_patterns, "/" + prefix)
    return [
        route
        for route in routes
        if documentation or not issubclass(route.view_class, DOCUMENTATION_VIEWS)
    ]


def coerced(path: str) -> str:
    # drf-spectacular names the router's "pk" after the model's key, "id".
    return path.replace("{pk}", "{id}")


@pytest.fixture
def schema(manager_api) -> dict:
    response = manager_api.get(SCHEMA_URL)
    assert response.status_code == 200
    return response.json()


def test_the_walk_finds_the_catalog_endpoints():
    paths = {route.path: route.methods for route in api_routes()}
    assert paths["/api/v1/products/"] == {"get", "post"}
    assert paths["/api/v1/products/{pk}/"] == {"get", "put", "patch"}
    assert paths["/api/v1/outlets/{pk}/"] == {"get"}
    assert "/api/v1/schema/" not in paths


def test_the_schema_is_served_as_openapi_3_json_to_a_token(manager_api):
    response = manager_api.get(SCHEMA_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert response.json()["openapi"].startswith("3.")


def test_the_schema_needs_a_signed_in_caller(anonymous_api):
    response = anonymous_api.get(SCHEMA_URL)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_every_endpoint_is_in_the_schema_with_the_methods_it_allows(schema):
    missing, wrong_methods = [], []
    for route in api_routes():
        documented = schema["paths"].get(coerced(route.path))
        if documented is None:
            missing.append(route.path)
        elif set(documented) - {"parameters"} != route.methods:
            wrong_methods.append(f"{route.path}: {sorted(documented)} != {sorted(route.methods)}")
    assert missing == []
    assert wrong_methods == []


def test_every_schema_path_is_an_endpoint(schema):
    served = {coerced(route.path) for route in api_routes()}
    stale = []
    for path in schema["paths"]:
        try:
            match = resolve(re.sub(r"\{\w+\}", "1", path))
        except Resolver404:
            stale.append(path)
            continue
        if path not in served or match.namespace != "api":
            stale.append(path)
    assert stale == []


def test_every_operation_says_how_to_authenticate_and_has_a_success_response(schema):
    undocumented = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            schemes = {name for entry in operation.get("security", []) for name in entry}
            successes = [code for code in operation["responses"] if code.startswith("2")]
            if "tokenAuth" not in schemes or not successes:
                undocumented.append(f"{method.upper()} {path}")
    assert undocumented == []


def test_the_schema_validates_without_warnings(tmp_path):
    # The warning counts are kept per process: count only this run's. The command
    # raises on a warning or an invalid document.
    GENERATOR_STATS.reset()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")
    assert (tmp_path / "s.yaml").read_text().startswith("openapi: 3.")


class _AssetParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            if tag in {"script", "link", "img"} and attributes.get(name):
                self.urls.append(attributes[name] or "")


def test_the_docs_page_loads_swagger_ui_from_this_server_only(manager_client):
    response = manager_client.get(DOCS_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    parser = _AssetParser()
    parser.feed(response.content.decode())
    assert any("swagger-ui-bundle.js" in url for url in parser.urls)
    foreign = [url for url in parser.urls if urlsplit(url).netloc or not url.startswith("/")]
    assert foreign == []


def test_the_docs_page_allows_its_one_inline_style_by_hash_and_nothing_more(manager_client):
    response = manager_client.get(DOCS_URL)
    styles = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)
    hashes = {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in styles}
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    assert policy["style-src"] == " ".join(["'self'", *(f"'sha256-{h}'" for h in hashes)])
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_docs_page_script_is_served_as_javascript(manager_client):
    response = manager_client.get(DOCS_URL, {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert SCHEMA_URL in response.content.decode()


def test_the_docs_page_sends_an_anonymous_visitor_to_log_in(client):
    response = client.get(DOCS_URL)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={DOCS_URL}"


# The root, schema and docs describe data that needs a role: a signed-in user
# in no group (neither Staff nor Managers) reads none of them.


@pytest.fixture
def no_group_user(db):
    return UserFactory(username="no-group")


@pytest.fixture
def no_group_api(no_group_user):
    return token_client(no_group_user)


@pytest.fixture
def no_group_client(client, no_group_user):
    client.force_login(no_group_user)
    return client


def test_the_api_root_lists_the_resources_to_staff(staff_api):
    response = staff_api.get(ROOT_URL)
    assert response.status_code == 200
    assert response.json()["serial-numbers"] == "http://testserver/api/v1/serial-numbers/"


def test_the_api_root_is_refused_to_a_user_in_no_group(no_group_api):
    response = no_group_api.get(ROOT_URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": [
            {
                "code": "permission_denied",
                "message": "You do not have permission to perform this action.",
            }
        ]
    }


def test_the_schema_is_served_to_staff(staff_api):
    response = staff_api.get(SCHEMA_URL)
    assert response.status_code == 200
    assert "/api/v1/serial-numbers/" in response.json()["paths"]


def test_the_schema_is_refused_to_a_user_in_no_group(no_group_api):
    response = no_group_api.get(SCHEMA_URL)
    assert response.status_code == 403
    assert [error["code"] for error in response.json()["errors"]] == ["permission_denied"]
    assert b"/api/v1/serial-numbers/" not in response.content


def test_the_schema_is_refused_to_a_signed_in_user_in_no_group(no_group_client):
    response = no_group_client.get(SCHEMA_URL)
    assert response.status_code == 403
    assert [error["code"] for error in response.json()["errors"]] == ["permission_denied"]


def test_the_docs_page_is_served_to_staff(staff_client):
    response = staff_client.get(DOCS_URL)
    assert response.status_code == 200
    assert "swagger-ui-bundle.js" in response.text


@pytest.mark.parametrize("query", [{}, {"script": ""}])
def test_the_docs_page_shows_a_user_in_no_group_the_403_page(no_group_client, settings, query):
    settings.DEBUG = False
    response = no_group_client.get(DOCS_URL, query)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "You are not allowed to do this (403)" in response.text
    assert (
        "It needs the permission “Can view serial number”, which the groups Staff, Managers have."
        in response.text
    )
    assert "swagger" not in response.text.lower()
    assert SCHEMA_URL not in response.text
