"""Idempotency-Key: the keys taken, how long one is kept, what counts as the same request.

Told through Add customer (/api/v1/customers/), the smallest request that takes a key;
every create of the API goes through the same `api.idempotency.idempotent`.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from api.idempotency import idempotent
from api.models import IdempotentRequest
from sales.models import Customer, Sale
from tests.api.helpers import errors

pytestmark = pytest.mark.django_db

CUSTOMERS = reverse("api:customer-list")
SALES = reverse("api:sale-list")
INVALID = (
    "idempotency_key_invalid",
    "An Idempotency-Key is 1 to 255 printable ASCII characters.",
    "Idempotency-Key",
)


def add(api, key, name="Ada Lovelace", url=CUSTOMERS, **fields):
    return api.post(url, {"name": name, **fields}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def refusal(response) -> list[tuple[str, str, str]]:
    return [(e["code"], e["message"], e["field"]) for e in errors(response)]


def test_a_key_of_1_or_255_characters_is_taken_and_replays(staff_api):
    for key in ("k", "k" * 255):
        first = add(staff_api, key, name=f"Customer {len(key)}")
        again = add(staff_api, key, name=f"Customer {len(key)}")
        assert (first.status_code, again.status_code) == (201, 201)
        assert again["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
    assert sorted(Customer.objects.values_list("name", flat=True)) == [
        "Customer 1",
        "Customer 255",
    ]
    assert sorted(IdempotentRequest.objects.values_list("key", flat=True)) == ["k", "k" * 255]


@pytest.mark.parametrize(
    "key", ["", "k" * 256, "till 1\tsale 7", "till-1-sale-\x7f", "caf\u00e9-1", "\u0661\u0662"]
)
def test_an_empty_too_long_control_or_non_ascii_key_is_refused_and_adds_nothing(staff_api, key):
    response = add(staff_api, key)

    assert response.status_code == 400
    assert refusal(response) == [INVALID]
    assert not Customer.objects.exists()
    assert not IdempotentRequest.objects.exists()


def test_a_key_with_spaces_and_punctuation_is_printable_and_taken(staff_api):
    response = add(staff_api, "till 1 / sale #7: 'retry'")

    assert response.status_code == 201
    assert IdempotentRequest.objects.get().key == "till 1 / sale #7: 'retry'"


def test_the_replay_is_the_first_answer_as_it_was_even_after_a_change(staff_api):
    first = add(staff_api, "cust-1")
    Customer.objects.update(name="Ada King")

    again = add(staff_api, "cust-1")

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.json()["name"] == "Ada Lovelace"
    kept = IdempotentRequest.objects.get()
    assert kept.status_code == 201
    assert Customer.objects.count() == 1


def test_the_same_fields_in_another_order_are_the_same_request(staff_api):
    first = staff_api.post(
        CUSTOMERS,
        {"name": "Ada Lovelace", "email": "ada@example.com"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="cust-1",
    )
    again = staff_api.post(
        CUSTOMERS,
        {"email": "ada@example.com", "name": "Ada Lovelace"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="cust-1",
    )

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Customer.objects.count() == 1


def test_the_same_key_and_body_sent_to_another_address_is_refused_422(staff_api):
    add(staff_api, "till-1-0001")

    response = add(staff_api, "till-1-0001", url=SALES)

    assert response.status_code == 422
    assert refusal(response) == [
        (
            "idempotency_key_reused",
            "This Idempotency-Key was used for another request. Use a new key.",
            "Idempotency-Key",
        )
    ]
    assert "Idempotent-Replayed" not in response
    assert not Sale.objects.exists()


def test_a_request_refused_for_its_shape_400_leaves_the_key_free(staff_api):
    refused = add(staff_api, "cust-1", name="")
    retried = add(staff_api, "cust-1", name="Ada Lovelace")

    assert refused.status_code == 400
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert Customer.objects.get().name == "Ada Lovelace"
    assert IdempotentRequest.objects.get().status_code == 201


def test_a_key_is_remembered_for_a_day_then_may_name_a_new_request(staff_api):
    add(staff_api, "cust-1", name="Ada Lovelace")
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=23, minutes=58))

    within_the_day = add(staff_api, "cust-1", name="Ada Lovelace")
    assert within_the_day["Idempotent-Replayed"] == "true"
    assert add(staff_api, "cust-1", name="Grace Hopper").status_code == 422

    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    next_day = add(staff_api, "cust-1", name="Grace Hopper")

    assert next_day.status_code == 201
    assert "Idempotent-Replayed" not in next_day
    assert sorted(Customer.objects.values_list("name", flat=True)) == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    assert IdempotentRequest.objects.get().created_at > timezone.now() - timedelta(minutes=1)


def test_a_retry_replays_its_own_answer_among_other_keys_and_other_users(staff_api, manager_api):
    # Each user's keys are their own: the same key from two users is two requests.
    first = add(staff_api, "k-1", name="Ada Lovelace")
    add(staff_api, "k-2", name="Grace Hopper")
    theirs = add(manager_api, "k-1", name="Ada Lovelace")

    again = add(staff_api, "k-1", name="Ada Lovelace")

    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Customer.objects.count() == 3


@pytest.mark.parametrize("refusal_status", [400, 409, 422])
def test_work_that_answers_with_an_error_leaves_the_key_free(api_staff_user, refusal_status):
    # The API's views raise their refusals; a view that returns one is covered too.
    answers = [Response({"errors": []}, status=refusal_status), Response({"id": 7}, status=201)]

    def call():
        http = APIRequestFactory().post("/x/", {"a": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        request = Request(http, parsers=[JSONParser()])
        request.user = api_staff_user
        return idempotent(request, lambda: answers.pop(0))

    assert call().status_code == refusal_status
    assert not IdempotentRequest.objects.exists()
    assert call().status_code == 201
    assert answers == []
    assert IdempotentRequest.objects.get().status_code == 201
