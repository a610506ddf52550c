"""One product matcher for every Product field: a barcode or scan, SKU, name, "Name (SKU)",
then the one product containing the text; and the picker fields built on it."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Product
from catalog.selectors import product_matches, product_suggestions
from inventory.forms import SerialsAddForm
from inventory.models import SerialRecord
from inventory.widgets import PickerField, ProductFilterField, ProductPickerField
from sales.forms.sale import CustomerPickerField, SaleLineForm, sellable_products
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
)

pytestmark = pytest.mark.django_db

# GS1's example GTIN, as a DataMatrix scan, brackets and a Digital Link URL carry it.
GTIN = "09506000134352"
SCANS = [
    "09506000134352",
    "9506000134352",
    "]d2010950600013435221SN-1",
    "(01)09506000134352(21)SN-1",
    "https://id.gs1.org/01/09506000134352/21/SN-1",
    "]C10109506000134352\x1d21SN-1",
]


def every_product():
    return Product.objects.order_by("name", "id")


@pytest.fixture
def kettle(db):
    return ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=GTIN)


# The order --------------------------------------------------------------------


@pytest.mark.parametrize("text", SCANS)
def test_a_barcode_or_a_scan_names_its_product(kettle, text):
    ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="4006381333931")
    assert product_matches(every_product(), text) == [kettle]


def test_a_barcode_beats_a_sku_made_of_the_same_digits(kettle):
    ProductFactory(name="Digits", sku="9506000134352")
    assert product_matches(every_product(), "9506000134352") == [kettle]


def test_digits_no_product_has_as_barcode_still_find_the_sku(kettle):
    digits = ProductFactory(name="Digits", sku="4006381333931")
    assert product_matches(every_product(), "4006381333931") == [digits]


def test_a_sku_beats_another_products_name():
    by_sku = ProductFactory(name="Kettle", sku="Silvia")
    ProductFactory(name="Silvia", sku="RS-1")
    assert product_matches(every_product(), "silvia") == [by_sku]


def test_a_name_beats_a_product_containing_it():
    silvia = ProductFactory(name="Silvia", sku="RS-1")
    ProductFactory(name="Silvia Pro", sku="RS-2")
    assert product_matches(every_product(), "SILVIA") == [silvia]


def test_two_products_of_one_name_are_both_found():
    first, second = ProductFactory(name="Silvia"), ProductFactory(name="Silvia")
    assert sorted(product_matches(every_product(), "silvia"), key=lambda p: p.pk) == [
        first,
        second,
    ]


def test_name_and_sku_as_a_pick_writes_them():
    pro = ProductFactory(name="Barista Pro", sku="BP-900")
    ProductFactory(name="Barista Pro", sku="BP-901")
    assert product_matches(every_product(), " barista pro (bp-900) ") == [pro]


def test_the_one_product_containing_the_text_last_and_only_when_asked():
    lite = ProductFactory(name="Barista Lite", sku="BL-1")
    ProductFactory(name="Grinder", sku="G-1")
    assert product_matches(every_product(), "lite") == [lite]
    assert product_matches(every_product(), "lite", containing=False) == []


def test_part_of_a_barcode_is_contained_too(kettle):
    assert product_matches(every_product(), "60001343") == [kettle]
    assert product_matches(every_product(), "60001343", containing=False) == []


def test_only_the_given_products_are_matched(kettle):
    others = Product.objects.exclude(pk=kettle.pk)
    for text in [GTIN, "BK-1", "Bosch Kettle", "Bosch Kettle (BK-1)", "bosch"]:
        assert product_matches(others, text) == []


def test_a_scan_of_an_unknown_gtin_or_a_broken_scan_matches_nothing(kettle):
    for text in [
        "]d2010400638133393121SN-1",  # another GTIN
        "]d20109506000134353",  # wrong check digit
        "(01)0950",  # cut short
    ]:
        assert product_matches(every_product(), text) == []


@pytest.mark.parametrize(
    "hostile",
    ["", "   ", "\x00", "BK-1\x00", "x" * 10_000, "\u202eBK-1", "%", "_", "💥", "\x1d"],
)
def test_hostile_text_matches_nothing_and_does_not_fail(kettle, hostile):
    assert product_matches(every_product(), hostile) == []


# The fields -------------------------------------------------------------------


def picked(field: PickerField, text: str, pk: str = ""):
    return field.clean({"pk": pk, "text": text})


@pytest.mark.parametrize("text", SCANS)
def test_add_serial_numbers_product_field_takes_a_barcode_or_scan(kettle, text):
    field = SerialsAddForm.base_fields["product"]
    assert isinstance(field, ProductPickerField)
    assert picked(field, text) == kettle


def test_the_field_refuses_text_naming_nothing_or_two_products():
    ProductFactory(name="Silvia", sku="RS-1")
    ProductFactory(name="Silvia", sku="RS-2")
    field = ProductPickerField(queryset=every_product())
    with pytest.raises(ValidationError) as caught:
        picked(field, "9506000134352")
    assert caught.value.code == "no_match"
    assert caught.value.messages == [
        "No product with serial numbers matches “9506000134352”. Select one from the list."
    ]
    with pytest.raises(ValidationError) as caught:
        picked(field, "silvia")
    assert caught.value.code == "several"
    with pytest.raises(ValidationError) as caught:
        picked(field, "RS-1\x00")
    assert caught.value.code == "no_match"


def test_a_picked_id_wins_over_the_text(kettle):
    other = ProductFactory(name="Other", sku="O-1")
    field = ProductPickerField(queryset=every_product())
    assert picked(field, GTIN, pk=str(other.pk)) == other
    # An id that is junk or gone falls back to the text.
    assert picked(field, GTIN, pk="junk") == kettle
    assert picked(field, GTIN, pk="999999") == kettle


def test_the_serial_list_product_filter_takes_a_barcode(kettle):
    assert picked(ProductFilterField(), "]d2010950600013435221SN-1") == kettle


def test_a_new_sale_line_takes_a_barcode(kettle):
    form = SaleLineForm(
        data={
            "product": "",
            "product_search": "9506000134352",
            "quantity": "1",
            "unit_price": "",
            "serial_numbers": "SN-1",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["product"] == kettle


def exact_suggestion(text: str) -> Product | None:
    """What Enter in a sale line's Product picks: the suggestion marked exact."""
    return product_suggestions(sellable_products(), text)[1]


def test_enter_in_a_sale_line_picks_a_barcode_but_not_a_product_containing_the_text(kettle):
    assert exact_suggestion("(01)09506000134352(21)X") == kettle
    assert exact_suggestion("BK-1") == kettle
    assert exact_suggestion("kettle") is None


def test_an_inactive_product_is_no_sale_lines_match(kettle):
    kettle.is_active = False
    kettle.save()
    assert exact_suggestion(GTIN) is None


def test_the_customer_and_product_fields_share_one_picker_field():
    # One to_python: the id, else the text through `matches`, the same errors.
    assert ProductPickerField.to_python is PickerField.to_python
    assert CustomerPickerField.to_python is PickerField.to_python
    assert ProductFilterField.to_python is not PickerField.to_python  # it adds "invalid_choice"


def test_the_customer_field_still_matches_by_contact_and_refuses_what_it_did():
    ada = CustomerFactory(name="Ada Lovelace", email="ada@example.com", phone="+44 1")
    CustomerFactory(name="Ada Byron", email="byron@example.com", phone="")
    field = CustomerPickerField()
    assert picked(field, "ADA@example.com") == ada
    assert picked(field, "Ada Lovelace (ada@example.com)") == ada
    assert picked(field, "lovelace") == ada
    assert picked(field, "") is None
    for text, code in [("ada", "several"), ("nobody", "no_match"), ("ada\x00", "no_match")]:
        with pytest.raises(ValidationError) as caught:
            picked(field, text)
        assert caught.value.code == code


# The pages ----------------------------------------------------------------------


def test_add_serial_numbers_with_a_scanned_barcode_adds_to_that_product(staff_client, kettle):
    outlet = OutletFactory(name="Main Street")
    response = staff_client.post(
        reverse("inventory:serial_create"),
        {
            "product": "",
            "product_search": "9506000134352",
            "outlet": outlet.pk,
            "serial_numbers": "KET-1",
        },
    )
    assert response.status_code == 302
    unit = SerialRecord.objects.get()
    assert (unit.serial, unit.product, unit.outlet) == ("KET-1", kettle, outlet)


@pytest.mark.parametrize(
    "url_name",
    ["inventory:product_options", "inventory:product_filter_options", "sales:product_options"],
)
def test_every_product_type_ahead_suggests_the_product_of_a_barcode(
    staff_client, kettle, url_name
):
    ProductFactory(name="Other", sku="O-1", barcode="4006381333931")
    for text in ["9506000134352", "]d2010950600013435221SN-1"]:
        html = staff_client.get(reverse(url_name), {"q": text}).content.decode()
        assert re.findall(r'data-value="(\d+)"', html) == [str(kettle.pk)]
        assert "Bosch Kettle (BK-1)" in html


def test_the_new_sale_suggestions_mark_the_product_of_a_barcode_for_enter(staff_client, kettle):
    ProductFactory(name="Digits", sku=GTIN)
    html = staff_client.get(reverse("sales:product_options"), {"q": GTIN}).content.decode()
    options = re.findall(r"<li [^>]*role=\"option\"[^>]*>[^<]*", html)
    assert 'data-exact="true">Bosch Kettle (BK-1)' in options[0]
    assert all("data-exact" not in option for option in options[1:])


def test_the_serial_list_filters_by_a_typed_barcode(staff_client, kettle):
    SerialRecordFactory(product=kettle, serial="KET-1")
    SerialRecordFactory(serial="OTHER-1")
    response = staff_client.get(
        reverse("inventory:serial_list"), {"product": "", "product_search": GTIN}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "KET-1" in html
    assert "OTHER-1" not in html


def test_the_stock_page_finds_a_product_by_its_barcode(staff_client, kettle):
    StockLevelFactory(product=kettle, on_hand=2)
    StockLevelFactory(product=ProductFactory(name="Rancilio Silvia"), on_hand=1)
    html = staff_client.get(reverse("inventory:stock_list"), {"product": GTIN}).content.decode()
    assert "Bosch Kettle" in html
    assert "Rancilio Silvia" not in html
