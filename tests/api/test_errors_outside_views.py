"""Errors Django answers before an API view runs are JSON in the API's shape too."""

import io
import json

import pytest
from rest_framework.test import APIRequestFactory

from api.parsers import NulRefusingJSONParser, RequestTooLarge
from catalog.models import Product
from tests.test_error_pages import cut_the_database

pytestmark = pytest.mark.django_db


def test_an_unknown_api_address_is_a_json_404(staff_api):
    response = staff_api.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"


def test_a_nul_in_an_api_query_string_is_a_json_400(staff_api):
    response = staff_api.get("/api/v1/products/", {"q": "a\x00b"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"code": "nul_character", "message": "The request holds a NUL character."}]
    }


def test_a_json_body_over_the_upload_limit_is_refused_unread(manager_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"name": "x" * 2_000, "sku": "BIG-1", "retail_price": "1.00"})

    response = manager_api.post("/api/v1/products/", body, content_type="application/json")

    assert response.status_code == 413, response.json()
    assert response.json()["errors"][0]["code"] == "too_large"


def test_a_page_keeps_its_html_404(staff_client):
    response = staff_client.get("/inventory/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_api_docs_page_is_a_page_not_json(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_json_parser_refuses_a_body_by_its_length_before_reading_it(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    request = APIRequestFactory().post("/api/v1/products/", {"name": "x" * 100}, format="json")
    unread = io.BytesIO(b"never read")

    with pytest.raises(RequestTooLarge):
        NulRefusingJSONParser().parse(unread, parser_context={"request": request})

    assert unread.tell() == 0


@pytest.mark.parametrize(
    "length",
    ["9" * 20, "9" * 5_000],  # past a bigint; past the digits Python's int() reads
)
def test_a_content_length_too_long_to_be_a_number_is_refused_unread(settings, length):
    request = APIRequestFactory().post("/api/v1/products/", {}, format="json")
    request.META["CONTENT_LENGTH"] = length
    unread = io.BytesIO(b"{}")

    with pytest.raises(RequestTooLarge):
        NulRefusingJSONParser().parse(unread, parser_context={"request": request})

    assert unread.tell() == 0


@pytest.mark.parametrize(
    "length",
    ["\u00b2", "\u0661\u0662\u0663\u0664\u0665", "\uff19\uff19\uff19\uff19\uff19", "-1", ""]
    + ["0" * 30 + "8"],  # leading zeros: 8 bytes, within the limit
)
def test_a_content_length_other_than_ascii_digits_is_not_taken_as_a_size(settings, length):
    # "²".isdigit() is true though int() refuses it; int() reads Arabic-Indic and
    # fullwidth digits as a size the client did not send.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    request = APIRequestFactory().post("/api/v1/products/", {}, format="json")
    request.META["CONTENT_LENGTH"] = length

    parsed = NulRefusingJSONParser().parse(
        io.BytesIO(b'{"a": 1}'), parser_context={"request": request}
    )

    assert parsed == {"a": 1}


def test_an_api_call_during_a_database_outage_is_a_json_503_with_retry_after(
    staff_api, monkeypatch
):
    cut_the_database(monkeypatch)
    response = staff_api.get("/api/v1/serial-numbers/", {"q": "ESP"})
    monkeypatch.undo()

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": [
            {
                "code": "unavailable",
                "message": "The database is not reachable. Try again in a moment.",
            }
        ]
    }
    # The database back, the same call with the same token answers.
    assert staff_api.get("/api/v1/serial-numbers/", {"q": "ESP"}).status_code == 200


def test_a_write_during_a_database_outage_is_a_json_503(manager_api, monkeypatch):
    cut_the_database(monkeypatch)
    body = {"name": "Grinder", "sku": "G-1", "retail_price": "99.00"}
    response = manager_api.post("/api/v1/products/", body, format="json")
    monkeypatch.undo()

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert [error["code"] for error in response.json()["errors"]] == ["unavailable"]
    assert not Product.objects.exists()
