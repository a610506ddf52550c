"""Calls are limited per token (SERIALDESK_API_RATE), each token counted on its own."""

import pytest
from django.conf import settings

from api.throttling import TokenRateThrottle
from tests.api.helpers import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


@pytest.fixture
def three_a_minute(monkeypatch):
    # DRF reads the rates into the class when it is imported, so overriding the
    # setting in a test would not reach it: lower the class's own copy instead.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(TokenRateThrottle, "timer", lambda self: now[0])
    return now


def test_the_rate_comes_from_serialdesk_api_rate():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "api.throttling.TokenRateThrottle"
    ]
    assert TokenRateThrottle.THROTTLE_RATES["token"] == settings.SERIALDESK_API_RATE


def test_a_token_over_its_rate_is_told_to_wait(three_a_minute, clock, staff_api):
    for _ in range(3):
        assert staff_api.get(PRODUCTS).status_code == 200
    clock[0] += 20
    response = staff_api.get(PRODUCTS)
    assert response.status_code == 429
    assert [error["code"] for error in response.json()["errors"]] == ["throttled"]
    assert response["Retry-After"] == "40"


def test_each_token_has_its_own_count(three_a_minute, clock, staff_api, manager_api):
    for _ in range(3):
        staff_api.get(PRODUCTS)
    assert staff_api.get(PRODUCTS).status_code == 429
    assert manager_api.get(PRODUCTS).status_code == 200


def test_two_tokens_of_one_shop_are_not_one_count(three_a_minute, clock, staff_api):
    for _ in range(3):
        staff_api.get(PRODUCTS)
    other_till = token_client(UserFactory(username="till-2", groups=["Staff"]))
    assert other_till.get(PRODUCTS).status_code == 200


def test_a_token_may_call_again_once_the_minute_has_passed(three_a_minute, clock, staff_api):
    for _ in range(3):
        staff_api.get(PRODUCTS)
    assert staff_api.get(PRODUCTS).status_code == 429
    clock[0] += 61
    assert staff_api.get(PRODUCTS).status_code == 200


def test_a_browser_session_is_counted_per_user(three_a_minute, clock, client, staff_user):
    client.force_login(staff_user)
    for _ in range(3):
        assert client.get(PRODUCTS).status_code == 200
    assert client.get(PRODUCTS).status_code == 429
