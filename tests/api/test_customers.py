"""/api/v1/customers/: find, add and edit customers."""

import pytest
from django.urls import reverse

from sales.models import Customer
from tests.api.helpers import codes, errors, token_client
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = reverse("api:customer-list")


def detail_url(pk) -> str:
    return reverse("api:customer-detail", args=[pk])


# Who may ------------------------------------------------------------------------

CALLS = [("get", "list"), ("post", "list"), ("get", "detail"), ("patch", "detail")]


@pytest.mark.parametrize("method, kind", CALLS)
def test_an_anonymous_call_is_answered_401(anonymous_api, method, kind):
    alice = CustomerFactory(name="Alice Martin")
    url = CUSTOMERS if kind == "list" else detail_url(alice.pk)

    response = getattr(anonymous_api, method)(url, {"name": "Mallory"}, format="json")

    assert response.status_code == 401
    assert codes(response) == ["not_authenticated"]
    assert list(Customer.objects.values_list("name", flat=True)) == ["Alice Martin"]


@pytest.mark.parametrize("method, kind", CALLS)
def test_a_user_without_the_customer_permissions_is_answered_403(method, kind):
    alice = CustomerFactory(name="Alice Martin")
    api = token_client(UserFactory(username="no-role"))
    url = CUSTOMERS if kind == "list" else detail_url(alice.pk)

    response = getattr(api, method)(url, {"name": "Mallory"}, format="json")

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    assert list(Customer.objects.values_list("name", flat=True)) == ["Alice Martin"]


@pytest.mark.parametrize("method", ["put", "delete"])
def test_a_customer_is_not_replaced_or_deleted_405(staff_api, method):
    alice = CustomerFactory(name="Alice Martin")

    response = getattr(staff_api, method)(detail_url(alice.pk), {"name": "X"}, format="json")

    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]
    alice.refresh_from_db()
    assert alice.name == "Alice Martin"


# Finding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("alice", ["Alice Martin"]),
        ("BEN.OKAFOR@", ["Ben Okafor"]),
        ("0022", ["Ben Okafor"]),
        ("  ", ["Ben Okafor", "Alice Martin"]),
        ("nobody", []),
    ],
)
def test_q_matches_name_email_or_phone_as_the_customers_page(staff_api, query, found):
    CustomerFactory(name="Alice Martin", email="alice@example.com", phone="+44 20 0011")
    CustomerFactory(name="Ben Okafor", email="ben.okafor@example.com", phone="+44 20 0022")

    response = staff_api.get(CUSTOMERS, {"q": query})

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == found


def test_a_customer_is_read_by_its_id(staff_api):
    alice = CustomerFactory(name="Alice Martin", email="alice@example.com", phone="+44 20 0011")

    response = staff_api.get(detail_url(alice.pk))

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "name", "email", "phone")} == {
        "id": alice.pk,
        "name": "Alice Martin",
        "email": "alice@example.com",
        "phone": "+44 20 0011",
    }
    assert set(body) == {"id", "name", "email", "phone", "created_at", "updated_at"}


@pytest.mark.parametrize("pk", ["999999", "abc", "99999999999999999999"])
def test_a_customer_that_is_not_there_is_404(staff_api, pk):
    response = staff_api.get(f"{CUSTOMERS}{pk}/")

    assert response.status_code == 404
    assert codes(response) == ["not_found"]


# Adding and editing -------------------------------------------------------------


def test_a_customer_is_added_with_its_details_trimmed(staff_api):
    response = staff_api.post(
        CUSTOMERS,
        {"name": " Ada Lovelace ", "email": "ada@example.com ", "phone": " +44 20 0033"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    ada = Customer.objects.get()
    assert (ada.name, ada.email, ada.phone) == ("Ada Lovelace", "ada@example.com", "+44 20 0033")
    assert response.json()["id"] == ada.pk


def test_only_the_name_is_required(staff_api):
    response = staff_api.post(CUSTOMERS, {"name": "Walk-in"}, format="json")

    assert response.status_code == 201
    assert (response.json()["email"], response.json()["phone"]) == ("", "")


@pytest.mark.parametrize(
    "data, code, field",
    [
        ({}, "required", "name"),
        ({"name": "   "}, "blank", "name"),
        ({"name": "x" * 201}, "max_length", "name"),
        ({"name": "Ada", "email": "not-an-email"}, "invalid", "email"),
        ({"name": "Ada", "phone": "1" * 41}, "max_length", "phone"),
        ({"name": 12}, "invalid", "name"),
        ({"name": "Ada", "phone": 2079460011}, "invalid", "phone"),
    ],
)
def test_a_customer_that_is_not_valid_is_refused_on_its_field(staff_api, data, code, field):
    response = staff_api.post(CUSTOMERS, data, format="json")

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [(code, field)]
    assert not Customer.objects.exists()


def test_a_retried_add_with_the_same_key_adds_one_customer(staff_api):
    data = {"name": "Ada Lovelace"}

    first = staff_api.post(CUSTOMERS, data, format="json", HTTP_IDEMPOTENCY_KEY="cust-0001")
    again = staff_api.post(CUSTOMERS, data, format="json", HTTP_IDEMPOTENCY_KEY="cust-0001")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 1


def test_patch_changes_the_fields_sent_and_keeps_the_others(staff_api):
    alice = CustomerFactory(name="Alice Martin", email="alice@example.com", phone="+44 20 0011")

    response = staff_api.patch(
        detail_url(alice.pk), {"email": " alice.martin@example.com "}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["email"] == "alice.martin@example.com"
    alice.refresh_from_db()
    assert (alice.name, alice.email, alice.phone) == (
        "Alice Martin",
        "alice.martin@example.com",
        "+44 20 0011",
    )


def test_an_edit_that_is_not_valid_changes_nothing(staff_api):
    alice = CustomerFactory(name="Alice Martin", email="alice@example.com")

    response = staff_api.patch(detail_url(alice.pk), {"name": "", "email": "nope"}, format="json")

    assert response.status_code == 400
    assert {(e["code"], e["field"]) for e in errors(response)} == {
        ("blank", "name"),
        ("invalid", "email"),
    }
    alice.refresh_from_db()
    assert (alice.name, alice.email) == ("Alice Martin", "alice@example.com")
