"""A product's Barcode: GTIN-8/12/13/14 with its check digit, unique as a GTIN-14."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import selectors, services
from catalog.demo import DEMO_BARCODES, seed_products
from catalog.forms import ProductForm
from catalog.gtin import barcode_validate, gtin14
from catalog.models import Product
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

# Real, published codes: a Stabilo pen's EAN-13, GS1 US's example UPC-A, the
# EAN-8 of the standard's examples, and GS1's own example GTIN-14.
VALID = ["4006381333931", "012345678905", "96385074", "09506000134352"]
LIST_URL = "/catalog/products/"
ADD_URL = reverse("catalog:product_create")


def form_data(**changes):
    data = {
        "name": "Bosch Kettle",
        "sku": "BK-1",
        "barcode": "",
        "brand": "Bosch",
        "retail_price": "49.00",
        "warranty_months": "24",
        "is_active": "on",
        "serial_format": "any",
        "serial_pattern": "",
    }
    data.update(changes)
    return data


def create(**changes):
    fields = {"name": "Bosch Kettle", "sku": "BK-1", "retail_price": Decimal("49.00")}
    return services.product_create(**{**fields, **changes})


# Checking the digits -----------------------------------------------------------


@pytest.mark.parametrize("barcode", VALID)
def test_real_gtins_of_every_length_are_accepted(barcode):
    product = create(barcode=barcode)
    product.refresh_from_db()
    assert product.barcode == barcode
    assert product.gtin == barcode.zfill(14)


def test_the_barcode_is_stored_trimmed_as_typed_with_its_leading_zero():
    product = create(barcode="  012345678905 ")
    product.refresh_from_db()
    assert (product.barcode, product.gtin) == ("012345678905", "00012345678905")


@pytest.mark.parametrize(
    ("barcode", "digit"),
    [("4006381333932", "1"), ("012345678900", "5"), ("96385070", "4"), ("09506000134353", "2")],
)
def test_a_wrong_check_digit_says_which_digit_it_should_be(barcode, digit):
    with pytest.raises(ValidationError) as caught:
        create(barcode=barcode)
    [error] = caught.value.error_dict["barcode"]
    assert error.code == "barcode_check_digit"
    assert error.messages == [f"The check digit of this barcode should be {digit}."]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "barcode",
    [
        "1234567",  # 7 digits
        "123456789",  # 9, 10 and 11 digits are no GTIN
        "1234567890",
        "12345678901",
        "123456789012345",  # 15
        "4006381 333931",  # a space inside
        "4006-381333931",
        "ABCDEFGH",
        "４００６３８１３３３９３１",  # full-width digits
        "٤٠٠٦٣٨١٣٣٣٩٣١",  # Arabic-Indic digits
        "40063813\x0133931",
    ],
)
def test_anything_but_8_12_13_or_14_digits_is_refused(barcode):
    with pytest.raises(ValidationError) as caught:
        barcode_validate(barcode)
    assert caught.value.code == "barcode_invalid"
    assert caught.value.messages == ["Enter a barcode of 8, 12, 13 or 14 digits."]


def test_no_barcode_is_allowed_and_has_no_gtin():
    product = create(barcode="")
    product.refresh_from_db()
    assert (product.barcode, product.gtin) == ("", "")


def test_gtin14_pads_8_to_14_digits_and_nothing_else():
    assert gtin14("96385074") == "00000096385074"
    assert gtin14("09506000134352") == "09506000134352"
    assert [gtin14(text) for text in ["", "1234567", "123456789012345", "12a45678"]] == [""] * 4


# One barcode, one product ----------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        ("012345678905", "0012345678905"),  # UPC-A and the same number as an EAN-13
        ("96385074", "00000096385074"),  # GTIN-8 and its GTIN-14
        ("4006381333931", "4006381333931"),
    ],
)
def test_a_barcode_another_product_has_as_a_gtin_14_is_refused_naming_it(mine, theirs):
    ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=theirs)
    with pytest.raises(ValidationError) as caught:
        create(barcode=mine)
    # Once, on Barcode: not again (unnamed) from the constraint on the GTIN.
    assert list(caught.value.error_dict) == ["barcode"]
    [error] = caught.value.error_dict["barcode"]
    assert error.code == "barcode_taken"
    assert error.messages == ["Another product, Rancilio Silvia (RS-1), has this barcode."]
    assert Product.objects.count() == 1


def test_changing_to_a_taken_barcode_is_refused_and_keeps_the_old_one():
    ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="0012345678905")
    product = ProductFactory(barcode="4006381333931")
    with pytest.raises(ValidationError) as caught:
        services.product_update(product=product, barcode="012345678905")
    assert caught.value.error_dict["barcode"][0].code == "barcode_taken"
    product.refresh_from_db()
    assert (product.barcode, product.gtin) == ("4006381333931", "04006381333931")


def test_a_product_keeps_its_own_barcode_and_may_retype_it_in_another_length():
    product = ProductFactory(barcode="012345678905")
    services.product_update(product=product, name="Renamed", barcode="0012345678905")
    assert product.gtin == "00012345678905"  # read back from the database by the service
    product.refresh_from_db()
    assert (product.name, product.barcode) == ("Renamed", "0012345678905")


def test_changing_a_barcode_gives_the_new_gtin_at_once():
    product = ProductFactory(barcode="4006381333931")
    services.product_update(product=product, barcode="96385074")
    assert product.gtin == "00000096385074"
    services.product_update(product=product, barcode="")
    assert product.gtin == ""


def test_many_products_may_have_no_barcode():
    ProductFactory.create_batch(3, barcode="")
    create(barcode="")
    assert Product.objects.filter(gtin="").count() == 4


def test_the_database_refuses_the_same_gtin_14_in_another_length():
    ProductFactory(barcode="012345678905")
    # Straight to the database, past every form and model check.
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(barcode="0012345678905")
    assert Product.objects.count() == 1


def test_the_database_computes_the_gtin_whatever_writes_the_barcode():
    product = ProductFactory(barcode="")
    Product.objects.filter(pk=product.pk).update(barcode="96385074")
    product.refresh_from_db()
    assert product.gtin == "00000096385074"
    Product.objects.bulk_create(
        [Product(name="Bulk", sku="B-1", retail_price=1, barcode="4006381333931")]
    )
    assert Product.objects.get(sku="B-1").gtin == "04006381333931"


def test_a_lost_race_to_a_barcode_is_the_same_clear_error(monkeypatch):
    """The other product is saved between our check and our insert: the unique
    index refuses it, and the service says which product has the barcode."""
    ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="0012345678905")
    # Our checks saw no owner: the other save was not committed yet.
    monkeypatch.setattr(Product, "full_clean", lambda self, **kwargs: None)
    with pytest.raises(ValidationError) as caught:
        create(barcode="012345678905")
    [error] = caught.value.error_dict["barcode"]
    assert error.code == "barcode_taken"
    assert error.messages == ["Another product, Rancilio Silvia (RS-1), has this barcode."]
    # The savepoint kept the outer transaction usable.
    assert Product.objects.count() == 1


def test_a_lost_race_on_update_is_the_same_clear_error(monkeypatch):
    ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="96385074")
    product = ProductFactory(barcode="")
    monkeypatch.setattr(Product, "full_clean", lambda self, **kwargs: None)
    with pytest.raises(ValidationError) as caught:
        services.product_update(product=product, barcode="00000096385074")
    assert caught.value.error_dict["barcode"][0].code == "barcode_taken"
    assert Product.objects.get(pk=product.pk).barcode == ""


# Finding products by GTIN ------------------------------------------------------


def test_product_by_gtin_takes_any_length_and_compares_as_gtin_14():
    kettle = ProductFactory(barcode="012345678905")
    ProductFactory(barcode="")
    # 11 digits too: a spreadsheet drops a UPC-A's leading zero.
    for text in ["012345678905", "0012345678905", "00012345678905", "12345678905"]:
        assert selectors.product_by_gtin(text) == kettle
    for text in ["", "1234567", "4006381333931", "abc", "0" * 15, " 012345678905\x00"]:
        assert selectors.product_by_gtin(text) is None


def test_products_by_gtin_answers_a_batch_in_one_query():
    kettle = ProductFactory(barcode="012345678905")
    pen = ProductFactory(barcode="4006381333931")
    ProductFactory(barcode="96385074")
    gtins = ["0012345678905", "4006381333931", "04006381333931", "09506000134352", "junk", ""]
    with CaptureQueriesContext(connection) as queries:
        found = selectors.products_by_gtin(gtins)
    assert len(queries) == 1
    assert found == {"00012345678905": kettle, "04006381333931": pen}


def test_products_by_gtin_of_nothing_asks_the_database_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert selectors.products_by_gtin(["", "abc"]) == {}
    assert len(queries) == 0


# The Products pages -------------------------------------------------------------


def test_the_product_form_shows_barcode_right_after_sku(manager_client):
    html = manager_client.get(ADD_URL).content.decode()
    labels = re.findall(r"<label[^>]*>\s*([^<]+?)\s*<", html)
    assert labels[labels.index("SKU") + 1] == "Barcode"
    assert 'inputmode="numeric"' in html


def test_a_manager_adds_a_product_with_a_barcode(manager_client):
    response = manager_client.post(ADD_URL, form_data(barcode=" 4006381333931 "))
    product = Product.objects.get()
    assert response.status_code == 302
    assert (product.barcode, product.gtin) == ("4006381333931", "04006381333931")


@pytest.mark.parametrize(
    ("barcode", "message"),
    [
        ("4006381333932", "The check digit of this barcode should be 1."),
        ("12345", "Enter a barcode of 8, 12, 13 or 14 digits."),
        ("1" * 40, "Enter a barcode of 8, 12, 13 or 14 digits."),
    ],
)
def test_a_bad_barcode_is_said_next_to_the_field_and_kept(manager_client, barcode, message):
    response = manager_client.post(ADD_URL, form_data(barcode=barcode))
    assert response.status_code == 200
    assert response.context["form"].errors == {"barcode": [message]}
    html = response.content.decode()
    assert message in html
    assert f'value="{barcode}"' in html
    assert not Product.objects.exists()


def test_a_taken_barcode_is_said_next_to_the_field_naming_the_product(manager_client):
    ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="0012345678905")
    response = manager_client.post(ADD_URL, form_data(barcode="012345678905"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "barcode": ["Another product, Rancilio Silvia (RS-1), has this barcode."]
    }
    assert Product.objects.count() == 1


def test_editing_a_product_keeps_its_own_barcode(manager_client):
    product = ProductFactory(name="Kettle", barcode="96385074")
    url = reverse("catalog:product_update", args=[product.pk])
    response = manager_client.post(
        url, form_data(name="Kettle 2", sku=product.sku, barcode="96385074")
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.barcode) == ("Kettle 2", "96385074")


@pytest.mark.parametrize(
    "hostile",
    ["\x00", "4006381333931\x00", "\u202e4006381333931", "4006381333931\n1", "💥" * 5],
)
def test_hostile_barcodes_are_refused_on_the_form(hostile):
    form = ProductForm(data=form_data(barcode=hostile))
    assert not form.is_valid()
    assert list(form.errors) == ["barcode"]


def test_the_products_list_shows_a_barcode_column(staff_client):
    ProductFactory(name="Kettle", barcode="4006381333931")
    html = staff_client.get(LIST_URL).content.decode()
    assert re.search(r"<th[^>]*>Barcode</th>", html)
    assert re.search(r'<td class="serial-text[^"]*">4006381333931</td>', html)


@pytest.mark.parametrize(
    "query", ["4006381333931", "006381", "04006381333931", "]E04006381333931"]
)
def test_the_products_search_finds_a_barcode_its_part_or_a_scan(staff_client, query):
    ProductFactory(name="Stabilo Pen", sku="ST-1", barcode="4006381333931")
    ProductFactory(name="Kettle", sku="KT-1", barcode="96385074")
    response = staff_client.get(LIST_URL, {"q": query})
    assert [p.name for p in response.context["object_list"]] == ["Stabilo Pen"]


def test_the_has_barcode_filter(staff_client):
    ProductFactory(name="With", barcode="96385074")
    ProductFactory(name="Without", barcode="")
    html = staff_client.get(LIST_URL).content.decode()
    assert re.search(r"<label[^>]*>\s*Has barcode\s*<", html)
    for value, expected in [("true", ["With"]), ("false", ["Without"]), ("", ["With", "Without"])]:
        response = staff_client.get(LIST_URL, {"has_barcode": value})
        assert [p.name for p in response.context["object_list"]] == expected


def test_the_demo_products_carry_valid_distinct_barcodes():
    products = {product.sku: product for product in seed_products()}
    assert {sku: products[sku].barcode for sku in DEMO_BARCODES} == DEMO_BARCODES
    for barcode in DEMO_BARCODES.values():
        barcode_validate(barcode)
    assert products["BAR-ESP-900"].gtin == "09506000134352"
    assert len({products[sku].gtin for sku in DEMO_BARCODES}) == len(DEMO_BARCODES)


def test_the_admin_names_the_product_that_has_the_barcode(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="0012345678905")
    response = client.post(reverse("admin:catalog_product_add"), form_data(barcode="012345678905"))
    assert response.status_code == 200
    assert (
        "Another product, Rancilio Silvia (RS-1), has this barcode." in response.content.decode()
    )
    assert Product.objects.count() == 1
    response = client.post(reverse("admin:catalog_product_add"), form_data(barcode="96385074"))
    assert response.status_code == 302
    assert Product.objects.get(sku="BK-1").gtin == "00000096385074"


def test_the_product_page_shows_the_barcode_and_the_serial_number_format(staff_client):
    phone = ProductFactory(
        name="Nova X12",
        sku="NOV-1",
        barcode="4006381333931",
        has_serial_numbers=True,
        serial_format="pattern",
        serial_pattern="NOV-#####",
    )

    response = staff_client.get(reverse("product_detail", args=[phone.pk]))

    assert response.status_code == 200
    details = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert "Barcode 4006381333931" in details
    assert "Serial number format Pattern NOV-#####" in details
