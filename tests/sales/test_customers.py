"""Customers: the list and its search, Add customer, edit, and a customer's page."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales.models import Customer
from sales.services import LineInput, customer_create, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SaleFactory,
    SerialRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("sales:customer_list")
ADD_URL = reverse("sales:customer_create")


def names(response) -> list[str]:
    return [customer.name for customer in response.context["object_list"]]


# The list and its search -------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("alice", ["Alice Martin"]),
        ("BEN.OKAFOR@", ["Ben Okafor"]),
        ("0022", ["Ben Okafor"]),
        ("  ", ["Alice Martin", "Ben Okafor"]),
        ("nobody", []),
    ],
)
def test_the_customer_search_matches_name_email_or_phone(staff_client, query, found):
    CustomerFactory(name="Alice Martin", email="alice@example.com", phone="+44 20 0011")
    CustomerFactory(name="Ben Okafor", email="ben.okafor@example.com", phone="+44 20 0022")

    response = staff_client.get(LIST_URL, {"q": query})

    assert response.status_code == 200
    assert names(response) == found


def test_the_list_links_each_customer_and_offers_add_customer(staff_client):
    alice = CustomerFactory(name="Alice Martin")

    response = staff_client.get(LIST_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{alice.get_absolute_url()}">Alice Martin</a>' in html
    assert ">Add customer</button>" in html
    assert "1 customer" in html


def test_the_list_is_paged_and_its_queries_do_not_grow_with_rows(staff_client, settings):
    settings.SERIALDESK_PAGE_SIZE = 5

    def queries_for(count):
        Customer.objects.all().delete()
        CustomerFactory.create_batch(count)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(LIST_URL, {"q": "customer"})
        assert response.status_code == 200
        return len(queries), response

    few, _ = queries_for(3)
    many, response = queries_for(12)
    assert few == many
    assert len(response.context["object_list"]) == 5
    assert "Page 1 of 3" in response.content.decode()


# Add and edit ------------------------------------------------------------------


def test_add_customer_has_the_labels_and_saves_what_was_typed(staff_client):
    html = staff_client.get(ADD_URL).content.decode()
    assert re.search(r"<h1[^>]*>Add customer</h1>", html)
    for label in ("Name", "Email", "Phone"):
        assert re.search(rf"<label[^>]*>\s*{label}\b", html), label
    assert ">Add customer</button>" in html

    response = staff_client.post(
        ADD_URL, {"name": "  Chloé Dubois ", "email": "chloe@example.com", "phone": "0123"}
    )

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response.url == customer.get_absolute_url()
    assert (customer.name, customer.email, customer.phone) == (
        "Chloé Dubois",
        "chloe@example.com",
        "0123",
    )
    page = staff_client.get(response.url)
    assert "Customer “Chloé Dubois” added." in page.content.decode()


def test_a_customer_without_a_name_or_with_a_bad_email_is_refused_and_keeps_the_input(
    staff_client,
):
    response = staff_client.post(ADD_URL, {"name": "", "email": "not-an-email", "phone": "0456"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "Enter a valid email address." in html
    assert 'value="not-an-email"' in html
    assert 'value="0456"' in html
    assert Customer.objects.count() == 0


def test_editing_a_customer_saves_and_returns_to_their_page(staff_client):
    customer = CustomerFactory(name="Emma L", email="", phone="")
    url = reverse("sales:customer_update", args=[customer.pk])
    html = staff_client.get(url).content.decode()
    assert re.search(r"<h1[^>]*>Edit customer</h1>", html)
    assert ">Save</button>" in html

    response = staff_client.post(
        url, {"name": "Emma Lindqvist", "email": "emma@example.com", "phone": "+44 7700"}
    )

    assert response.status_code == 302
    assert response.url == customer.get_absolute_url()
    customer.refresh_from_db()
    assert (customer.name, customer.email, customer.phone) == (
        "Emma Lindqvist",
        "emma@example.com",
        "+44 7700",
    )


def test_a_bad_edit_leaves_the_customer_as_it_was(staff_client):
    customer = CustomerFactory(name="Emma", email="emma@example.com")
    url = reverse("sales:customer_update", args=[customer.pk])

    response = staff_client.post(url, {"name": "Emma", "email": "broken@", "phone": ""})

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    customer.refresh_from_db()
    assert customer.email == "emma@example.com"


def test_the_service_refuses_a_blank_name_with_the_fields_code():
    with pytest.raises(ValidationError) as refused:
        customer_create(name="   ")
    assert refused.value.error_dict["name"][0].code == "blank"
    assert Customer.objects.count() == 0


# A customer's page ---------------------------------------------------------------


def test_a_customers_page_lists_their_sales_newest_first_and_the_units_sold(staff_client):
    alice = CustomerFactory(name="Alice Martin", email="alice@example.com", phone="0011")
    outlet = OutletFactory(name="Main Street")
    product = ProductFactory(name="Barista 900", sku="BAR-900")
    unit = SerialRecordFactory(product=product, outlet=outlet, serial="BAR-0001")
    clerk = UserFactory(username="clerk")
    old = sale_create(
        outlet=outlet,
        customer=alice,
        lines=[LineInput(product=product, quantity=1, serials=["BAR-0001"])],
        clerk=clerk,
        at=timezone.now() - timedelta(days=400),
    )
    new = SaleFactory(outlet=outlet, customer=alice)
    SaleFactory(outlet=outlet, customer=CustomerFactory(name="Someone else"))

    response = staff_client.get(alice.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>Alice Martin</h1>", html)
    assert "alice@example.com" in html and "0011" in html
    assert [sale.pk for sale in response.context["sales"]] == [new.pk, old.pk]
    assert f'href="{old.get_absolute_url()}">Sale {old.pk}</a>' in html
    assert f'href="{unit.get_absolute_url()}">BAR-0001</a>' in html
    assert "Barista 900" in html
    assert "Someone else" not in html


def test_a_customers_page_costs_the_same_queries_for_1_and_8_sales(staff_client):
    alice = CustomerFactory()
    outlet = OutletFactory()
    product = ProductFactory()

    def queries_for(count):
        for _ in range(count):
            unit = SerialRecordFactory(product=product, outlet=outlet)
            sale_create(
                outlet=outlet,
                customer=alice,
                lines=[LineInput(product=product, quantity=1, serials=[unit.serial])],
                clerk=None,
            )
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(alice.get_absolute_url())
        assert response.status_code == 200
        return len(queries)

    assert queries_for(1) == queries_for(7)


# Permissions and methods -------------------------------------------------------------


def customer_urls():
    customer = CustomerFactory()
    return {
        "list": LIST_URL,
        "add": ADD_URL,
        "edit": reverse("sales:customer_update", args=[customer.pk]),
        "page": customer.get_absolute_url(),
    }


@pytest.mark.parametrize("page", ["list", "add", "edit", "page"])
def test_an_anonymous_visitor_is_sent_to_log_in(client, page):
    response = client.get(customer_urls()[page])
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("page", ["list", "add", "edit", "page"])
def test_a_user_without_the_permission_is_refused(client, page):
    client.force_login(UserFactory(username="nobody"))
    url = customer_urls()[page]
    assert client.get(url).status_code == 403
    if page in ("add", "edit"):
        assert client.post(url, {"name": "X"}).status_code == 403
    assert Customer.objects.filter(name="X").count() == 0


@pytest.mark.parametrize(
    ("page", "method"), [("list", "post"), ("page", "post"), ("add", "delete"), ("edit", "delete")]
)
def test_a_wrong_method_is_405(staff_client, page, method):
    response = getattr(staff_client, method)(customer_urls()[page])
    assert response.status_code == 405


def test_the_sales_menu_offers_every_sales_page(staff_client):
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{reverse("sales:sale_create")}">New sale</a>' in html
    assert f'href="{reverse("sales:sale_list")}">Sales</a>' in html
    assert f'href="{reverse("sales:return_list")}">Returns</a>' in html
    assert f'href="{reverse("sales:claim_list")}">Warranty claims</a>' in html
    assert f'href="{LIST_URL}">Customers</a>' in html


def test_a_user_without_sales_permissions_sees_no_sales_menu(client):
    client.force_login(UserFactory(username="viewer"))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Log out" in response.content.decode()
    assert reverse("sales:customer_list") not in response.content.decode()
