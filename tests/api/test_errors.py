"""Every refusal is JSON in one shape: {"errors": [{"code", "message", "field"?}]}."""

import pytest

from catalog.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
GOOD = {"name": "Grinder", "sku": "G-1", "retail_price": "99.00"}


def errors(response) -> list[dict]:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["errors"]
    for error in body["errors"]:
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]
    return body["errors"]


def test_a_field_error_names_the_field(manager_api):
    response = manager_api.post(PRODUCTS, {**GOOD, "retail_price": "cheap"}, format="json")
    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [("invalid", "retail_price")]
    assert not Product.objects.exists()


def test_each_missing_field_is_its_own_error(manager_api):
    response = manager_api.post(PRODUCTS, {}, format="json")
    assert response.status_code == 400
    found = {(e["code"], e["field"]) for e in errors(response)}
    assert found == {("required", "name"), ("required", "sku"), ("required", "retail_price")}


def test_a_body_that_is_not_an_object_is_refused_without_a_field(manager_api):
    response = manager_api.post(PRODUCTS, ["Grinder"], format="json")
    assert response.status_code == 400
    [error] = errors(response)
    assert error["code"] == "invalid"
    assert "field" not in error


def test_a_call_without_a_token_is_401(anonymous_api):
    response = anonymous_api.get(PRODUCTS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert [e["code"] for e in errors(response)] == ["not_authenticated"]


def test_an_action_the_users_group_may_not_do_is_403(staff_api):
    response = staff_api.post(PRODUCTS, GOOD, format="json")
    assert response.status_code == 403
    assert [e["code"] for e in errors(response)] == ["permission_denied"]
    assert not Product.objects.exists()


@pytest.mark.parametrize("pk", ["999999", "abc", "99999999999999999999", "-1"])
def test_an_unknown_object_is_404(staff_api, pk):
    response = staff_api.get(f"{PRODUCTS}{pk}/")
    assert response.status_code == 404
    assert [e["code"] for e in errors(response)] == ["not_found"]


def test_a_method_the_endpoint_does_not_have_is_405(manager_api):
    product = ProductFactory()
    response = manager_api.delete(f"{PRODUCTS}{product.pk}/")
    assert response.status_code == 405
    assert [e["code"] for e in errors(response)] == ["method_not_allowed"]
    assert Product.objects.filter(pk=product.pk).exists()


def test_a_body_that_is_not_json_is_415(manager_api):
    response = manager_api.post(PRODUCTS, "name=Grinder", content_type="text/plain")
    assert response.status_code == 415
    assert [e["code"] for e in errors(response)] == ["unsupported_media_type"]


def test_an_answer_in_a_format_the_api_does_not_speak_is_406(staff_api):
    response = staff_api.get(PRODUCTS, HTTP_ACCEPT="text/csv")
    assert response.status_code == 406
    assert [e["code"] for e in errors(response)] == ["not_acceptable"]


def test_malformed_json_is_a_parse_error(manager_api):
    response = manager_api.post(PRODUCTS, '{"name": "Grinder",', content_type="application/json")
    assert response.status_code == 400
    assert [e["code"] for e in errors(response)] == ["parse_error"]


def test_a_nul_character_anywhere_in_the_json_is_refused(manager_api):
    body = {**GOOD, "brand": "Bari\x00sta"}
    response = manager_api.post(PRODUCTS, body, format="json")
    assert response.status_code == 400
    assert [e["code"] for e in errors(response)] == ["nul_character"]
    assert not Product.objects.exists()


def test_a_refusal_by_the_service_keeps_its_code_and_field(manager_api):
    ProductFactory(sku="G-1")
    response = manager_api.post(PRODUCTS, {**GOOD, "sku": "g-1"}, format="json")
    assert response.status_code == 400
    [error] = errors(response)
    assert (error["code"], error["field"]) == ("sku_taken", "sku")
    assert error["message"] == "A product with this SKU already exists."
    assert Product.objects.count() == 1


@pytest.mark.parametrize("depth", [3_000, 40])
def test_json_nested_too_deeply_is_a_parse_error_and_saves_nothing(manager_api, depth):
    # 3,000 levels is past Python's JSON reader (RecursionError); 40 is read but
    # deeper than any request the API takes.
    nested = '{"a": ' * depth + "1" + "}" * depth
    body = '{"name": "Grinder", "sku": "G-1", "retail_price": "99.00", "brand": ' + nested + "}"
    response = manager_api.post(PRODUCTS, body, content_type="application/json")
    assert response.status_code == 400
    [error] = errors(response)
    assert error["code"] == "parse_error"
    assert error["message"] == "The JSON nests lists and objects more than 32 levels deep."
    assert not Product.objects.exists()


def test_json_nested_as_deep_as_a_request_may_be_is_read(manager_api):
    # The body and 31 lists inside it: read, then refused for its shape, not its depth.
    brand = "x"
    for _level in range(31):
        brand = [brand]
    body = {**GOOD, "brand": brand}
    response = manager_api.post(PRODUCTS, body, format="json")
    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [("invalid", "brand")]
