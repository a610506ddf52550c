"""Catalog > Suppliers: the list, Add supplier, Edit supplier, and their service."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.demo import DEMO_SUPPLIERS, seed_products
from catalog.models import Supplier
from catalog.services import supplier_create, supplier_update
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/catalog/suppliers/"
ADD_URL = "/catalog/suppliers/add/"


def edit_url(supplier: Supplier) -> str:
    return f"/catalog/suppliers/{supplier.pk}/edit/"


def form_data(**changes):
    data = {
        "name": "Coffee Gear Wholesale",
        "email": "orders@coffeegear.example.com",
        "phone": "+1 555 0100",
        "address": "12 Roastery Lane\nPortland",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def error_codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


# The service ---------------------------------------------------------------


def test_creating_a_supplier_trims_its_text_and_makes_it_active():
    supplier = supplier_create(
        name="  Coffee Gear  ", email=" orders@cg.example.com ", phone=" 555 ", address=" A\n"
    )
    supplier.refresh_from_db()
    assert (supplier.name, supplier.email, supplier.phone, supplier.address) == (
        "Coffee Gear",
        "orders@cg.example.com",
        "555",
        "A",
    )
    assert supplier.is_active is True


def test_a_supplier_name_taken_in_another_case_is_refused_with_its_code():
    SupplierFactory(name="Coffee Gear")
    with pytest.raises(ValidationError) as refused:
        supplier_create(name=" coffee GEAR ")
    assert error_codes(refused.value) == {"name": ["supplier_name_taken"]}
    assert refused.value.error_dict["name"][0].messages == [
        "A supplier with this name already exists."
    ]
    assert Supplier.objects.count() == 1


def test_the_database_refuses_a_name_taken_when_the_check_was_passed(monkeypatch):
    # A lost race: another user saved the name after our check said it was free.
    SupplierFactory(name="Coffee Gear")
    monkeypatch.setattr("catalog.selectors.supplier_name_taken", lambda **kwargs: False)
    with pytest.raises(ValidationError) as refused:
        supplier_create(name="COFFEE GEAR")
    assert error_codes(refused.value) == {"name": ["supplier_name_taken"]}
    assert Supplier.objects.count() == 1


def test_updating_changes_only_the_given_fields_and_may_deactivate():
    supplier = SupplierFactory(name="Coffee Gear", phone="555 0100")
    supplier_update(supplier=supplier, phone=" 555 0199 ", is_active=False)
    supplier.refresh_from_db()
    assert (supplier.name, supplier.phone, supplier.is_active) == (
        "Coffee Gear",
        "555 0199",
        False,
    )


def test_a_supplier_may_change_the_case_of_its_own_name():
    supplier = SupplierFactory(name="Coffee gear")
    supplier_update(supplier=supplier, name="Coffee Gear")
    supplier.refresh_from_db()
    assert supplier.name == "Coffee Gear"


def test_renaming_to_another_suppliers_name_is_refused():
    SupplierFactory(name="Coffee Gear")
    other = SupplierFactory(name="Voltride")
    with pytest.raises(ValidationError) as refused:
        supplier_update(supplier=other, name="coffee gear")
    assert error_codes(refused.value) == {"name": ["supplier_name_taken"]}
    other.refresh_from_db()
    assert other.name == "Voltride"


def test_updating_an_unknown_supplier_field_is_a_programming_error():
    with pytest.raises(TypeError, match="unexpected fields: \\['colour'\\]"):
        supplier_update(supplier=SupplierFactory(), colour="red")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "x" * 201, "max_length"),
        ("name", "   ", "blank"),
        ("name", "Coffee\x00Gear", "control_character"),
        ("name", "Coffee\x1bGear", "control_character"),
        ("email", "not an email", "invalid"),
        ("email", "orders@cg.example.com\u200b", "control_character"),
        ("phone", "5" * 51, "max_length"),
        ("phone", "555\x07", "control_character"),
        ("address", "Dock 3\x08", "control_character"),
    ],
)
def test_hostile_supplier_text_is_refused_and_nothing_saved(field, value, code):
    with pytest.raises(ValidationError) as refused:
        supplier_create(**form_data(**{field: value}))
    assert code in error_codes(refused.value)[field]
    assert not Supplier.objects.exists()


def test_an_address_keeps_its_lines_as_newlines():
    supplier = supplier_create(name="Coffee Gear", address="12 Roastery Lane\r\nPortland\rOR\n")
    supplier_update(supplier=supplier, address=supplier.address + "\r\nUSA")
    supplier.refresh_from_db()
    assert supplier.address == "12 Roastery Lane\nPortland\nOR\nUSA"


def test_names_in_any_script_are_kept_with_their_joiners():
    # The zero-width non-joiner belongs in Persian words; only codes refuse it.
    supplier = supplier_create(name="می\u200cخواهم ☕ Kaffee GmbH", address="Straße 1\n\tHof")
    supplier.refresh_from_db()
    assert supplier.name == "می\u200cخواهم ☕ Kaffee GmbH"
    assert supplier.address == "Straße 1\n\tHof"


# The list ------------------------------------------------------------------


def test_the_suppliers_list_has_its_url_filters_and_rows(staff_client):
    SupplierFactory(name="Coffee Gear", email="orders@cg.example.com", phone="555 0100")
    assert reverse("catalog:supplier_list") == LIST_URL
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<h1[^>]*>Suppliers</h1>", html)
    assert "Coffee Gear" in html and "orders@cg.example.com" in html and "555 0100" in html
    assert "1 supplier" in html
    for label in ("Search", "Active"):
        assert re.search(rf"<label[^>]*>\s*{re.escape(label)}\s*<", html), label


def test_staff_sees_suppliers_without_add_or_edit(staff_client):
    supplier = SupplierFactory(name="Coffee Gear")
    html = staff_client.get(LIST_URL).content.decode()
    assert "Coffee Gear" in html
    assert "Add supplier" not in html
    assert ADD_URL not in html
    assert edit_url(supplier) not in html
    assert 'aria-label="Edit"' not in html


def test_managers_see_add_supplier_and_an_edit_pencil_per_row(manager_client):
    supplier = SupplierFactory()
    html = manager_client.get(LIST_URL).content.decode()
    add = re.search(rf'<form method="get" action="{ADD_URL}"[^>]*>(.*?)</form>', html, re.S)
    assert re.search(r'<button type="submit"[^>]*>Add supplier</button>', add.group(1))
    pencil = re.search(rf'<a [^>]*href="{edit_url(supplier)}"[^>]*>', html).group(0)
    assert 'aria-label="Edit"' in pencil and 'title="Edit"' in pencil


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"q": "gear"}, ["Coffee Gear"], ["Voltride", "Old Parts"]),
        ({"q": "@volt"}, ["Voltride"], ["Coffee Gear", "Old Parts"]),
        ({"q": "0199"}, ["Old Parts"], ["Coffee Gear", "Voltride"]),
        ({"is_active": "false"}, ["Old Parts"], ["Coffee Gear", "Voltride"]),
        ({"is_active": "true"}, ["Coffee Gear", "Voltride"], ["Old Parts"]),
    ],
)
def test_the_list_searches_name_email_phone_and_filters_active(staff_client, query, shown, hidden):
    SupplierFactory(name="Coffee Gear", email="a@cg.example.com", phone="555 0100")
    SupplierFactory(name="Voltride", email="trade@voltride.example.com", phone="555 0101")
    SupplierFactory(name="Old Parts", email="x@op.example.com", phone="555 0199", is_active=False)
    html = staff_client.get(LIST_URL, query).content.decode()
    for name in shown:
        assert f"<td>{name}</td>" in html, name
    for name in hidden:
        assert f"<td>{name}</td>" not in html, name


def test_a_search_that_matches_nothing_says_so(staff_client):
    SupplierFactory(name="Coffee Gear")
    html = staff_client.get(LIST_URL, {"q": "zzz"}).content.decode()
    assert "No suppliers match these filters." in html
    assert "Coffee Gear" not in html


@pytest.mark.parametrize("value", ["x" * 3000, "\uff26\uff35", "2147483648", "\u0663"])
def test_hostile_list_queries_are_answered_with_the_page(staff_client, value):
    SupplierFactory(name="Coffee Gear")
    response = staff_client.get(LIST_URL, {"q": value, "is_active": value})
    assert response.status_code == 200
    assert "No suppliers match these filters." in response.content.decode()


def test_a_nul_in_the_query_or_the_form_is_refused_before_the_page(manager_client):
    # config.middleware answers 400 to a NUL anywhere in the request.
    assert manager_client.get(LIST_URL, {"q": "a\x00b"}).status_code == 400
    assert manager_client.post(ADD_URL, form_data(name="a\x00b")).status_code == 400
    assert not Supplier.objects.exists()


def test_the_list_costs_the_same_queries_for_3_and_40_suppliers(manager_client):
    def queries_for(count):
        Supplier.objects.all().delete()
        SupplierFactory.create_batch(count)
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(LIST_URL, {"is_active": "true"})
        assert response.status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(40)


def test_the_menu_has_catalog_suppliers_after_products(staff_client):
    html = staff_client.get("/").content.decode()
    products = html.index('href="/catalog/products/">Products</a>')
    suppliers = html.index(f'href="{LIST_URL}">Suppliers</a>')
    assert html.index(">Catalog</a>") < products < suppliers < html.index(">Inventory</a>")


# Add and edit ---------------------------------------------------------------


def test_add_supplier_has_the_issues_labels_and_save(manager_client):
    html = manager_client.get(ADD_URL).content.decode()
    assert re.search(r"<h1[^>]*>Add supplier</h1>", html)
    for label in ("Name", "Email", "Phone", "Address"):
        assert re.search(rf"<label[^>]*>\s*{label}\s*(<|$)", html, re.M), label
    assert re.search(r'<button type="submit"[^>]*>Save</button>', html)
    # A new supplier is active: the box is on the Edit page only.
    assert 'name="is_active"' not in html


def test_manager_adds_a_supplier_and_sees_it_listed(manager_client):
    response = manager_client.post(ADD_URL, form_data())
    assert response.status_code == 302
    assert response.url == LIST_URL
    supplier = Supplier.objects.get()
    assert (supplier.name, supplier.email, supplier.phone, supplier.address) == (
        "Coffee Gear Wholesale",
        "orders@coffeegear.example.com",
        "+1 555 0100",
        "12 Roastery Lane\nPortland",
    )
    assert supplier.is_active is True
    assert message_texts(response) == ["Supplier “Coffee Gear Wholesale” added."]
    assert "Coffee Gear Wholesale" in manager_client.get(LIST_URL).content.decode()


def test_only_a_name_is_needed(manager_client):
    response = manager_client.post(ADD_URL, {"name": "Voltride"})
    assert response.status_code == 302
    assert Supplier.objects.get().name == "Voltride"


def test_a_taken_name_is_refused_next_to_the_name_field_keeping_the_input(manager_client):
    SupplierFactory(name="Coffee Gear Wholesale")
    response = manager_client.post(ADD_URL, form_data(name="COFFEE gear wholesale"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["A supplier with this name already exists."]
    assert form.has_error("name", code="supplier_name_taken")
    html = response.content.decode()
    assert "A supplier with this name already exists." in html
    assert 'value="COFFEE gear wholesale"' in html
    assert 'value="orders@coffeegear.example.com"' in html
    assert Supplier.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "x" * 201, "Enter a name of at most 200 characters."),
        ("name", "Coffee\x1bGear", "Remove the control character"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("phone", "5" * 51, "Enter a phone number of at most 50 characters."),
        ("phone", "555\u200b0100", "Remove the control character"),
        ("address", "Dock 3\x07", "Remove the control character"),
    ],
)
def test_bad_input_is_refused_on_the_form_and_nothing_saved(manager_client, field, value, message):
    response = manager_client.post(ADD_URL, form_data(**{field: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Supplier.objects.exists()


def test_edit_supplier_shows_active_and_saves_changes(manager_client):
    supplier = SupplierFactory(name="Coffee Gear", email="a@cg.example.com")
    html = manager_client.get(edit_url(supplier)).content.decode()
    assert re.search(r"<h1[^>]*>Edit supplier</h1>", html)
    assert re.search(r"<label[^>]*>\s*Active\s*<", html)
    assert 'value="Coffee Gear"' in html
    response = manager_client.post(
        edit_url(supplier), form_data(name="Coffee Gear Ltd", email="", phone="", address="")
    )
    assert response.status_code == 302
    assert response.url == LIST_URL
    assert message_texts(response) == ["Supplier “Coffee Gear Ltd” saved."]
    supplier.refresh_from_db()
    # The Active box left unticked: the supplier is deactivated.
    assert (supplier.name, supplier.email, supplier.is_active) == ("Coffee Gear Ltd", "", False)
    assert "Inactive" in manager_client.get(LIST_URL).content.decode()


def test_a_missing_supplier_is_a_404(manager_client):
    assert manager_client.get("/catalog/suppliers/999999/edit/").status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url_name", ["catalog:supplier_create", "catalog:supplier_update"])
def test_staff_may_not_add_or_edit_suppliers(staff_client, method, url_name):
    supplier = SupplierFactory(name="Keep")
    url = reverse(url_name, args=[supplier.pk] if url_name.endswith("update") else [])
    response = getattr(staff_client, method)(url, form_data(name="Changed"))
    assert response.status_code == 403
    supplier.refresh_from_db()
    assert supplier.name == "Keep"
    assert Supplier.objects.count() == 1


@pytest.mark.parametrize("url", [LIST_URL, ADD_URL])
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_user_in_no_group_may_not_see_suppliers(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x" * 12))
    assert client.get(LIST_URL).status_code == 403


@pytest.mark.parametrize("method", ["delete", "patch"])
def test_other_methods_are_refused(manager_client, method):
    supplier = SupplierFactory()
    assert getattr(manager_client, method)(edit_url(supplier)).status_code == 405
    assert getattr(manager_client, method)(ADD_URL).status_code == 405


# Demo data ------------------------------------------------------------------


def test_demo_suppliers_are_linked_to_their_products_once():
    seed_products()
    seed_products()
    assert sorted(Supplier.objects.values_list("name", flat=True)) == sorted(
        name for name, *_rest in DEMO_SUPPLIERS
    )
    espresso = Supplier.objects.get(name="Coffee Gear Wholesale").products.get(sku="BAR-ESP-900")
    assert espresso.supplier_code == "CGW-ESP-900"
    assert Supplier.objects.get(name="Voltride Distribution").products.count() == 4
