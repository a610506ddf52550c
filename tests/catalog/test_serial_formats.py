"""A product's Serial number format: Any, IMEI (Luhn) or a pattern (a mask, not a regex)."""

import re
import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from stdnum import luhn

from catalog import services
from catalog.demo import DEMO_PATTERNS, seed_products
from catalog.forms import ProductForm
from catalog.models import Product
from catalog.serial_formats import SerialFormat, pattern_compile, serial_format_problem
from tests.factories import ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("catalog:product_create")


def imei(kind=SerialFormat.IMEI, pattern=""):
    return Product(name="Nova X12", sku="NOV-1", serial_format=kind, serial_pattern=pattern)


def form_data(**changes):
    data = {
        "name": "Nova X12",
        "sku": "NOV-1",
        "barcode": "",
        "brand": "Nova",
        "retail_price": "999.00",
        "warranty_months": "12",
        "is_active": "on",
        "has_serial_numbers": "on",
        "serial_format": "any",
        "serial_pattern": "",
    }
    data.update(changes)
    return data


# IMEI ---------------------------------------------------------------------------


def test_a_valid_imei_and_an_imeisv_pass():
    product = imei()
    assert serial_format_problem(product, "490154203237518") is None
    assert serial_format_problem(product, "3520990017614823") is None  # IMEISV: 16 digits


def test_an_imei_with_a_wrong_check_digit_says_the_right_one():
    assert serial_format_problem(imei(), "490154203237517") == (
        "format",
        "Not an IMEI: the check digit should be 8.",
    )


@pytest.mark.parametrize(
    ("text", "count"), [("49015420323751", 14), ("4901542032375", 13), ("12345678901234567", 17)]
)
def test_an_imei_of_another_length_says_how_many_digits_it_has(text, count):
    # 14 digits is an IMEI without its check digit to python-stdnum; not to us.
    assert serial_format_problem(imei(), text) == (
        "format",
        f"Not an IMEI: it has {count} digits; an IMEI has 15 (or 16 for an IMEISV).",
    )


@pytest.mark.parametrize(
    "text",
    [
        "49-015420-323751-8",
        "490154203237518 ",
        "IMEI490154203237518",
        "４９０１５４２０３２３７５１８",
    ],
)
def test_an_imei_has_only_ascii_digits(text):
    assert serial_format_problem(imei(), text) == (
        "format",
        "Not an IMEI: an IMEI has only digits.",
    )


def test_format_any_accepts_everything():
    product = imei(SerialFormat.ANY)
    for text in ["x", "490154203237517", "SN-1", "é" * 100]:
        assert serial_format_problem(product, text) is None


# Patterns -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("SN-#####", "SN-00123"),
        ("SN-#####", "sn-00123"),  # ignoring case
        ("@@-####", "Ab-1234"),
        ("@@-####", "Éß-1234"),  # a letter of any alphabet
        ("***-#", "a.?-9"),
        ("X*", "X\u00a0"),
        ("SN-#####", "ＳＮ－００１２３"),  # full-width forms, as serials compare them
        ("A.B", "a.b"),  # "." is itself, not any character
        ("(#)+", "(1)+"),
    ],
)
def test_a_pattern_matches(pattern, text):
    assert serial_format_problem(imei(SerialFormat.PATTERN, pattern), text) is None


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("SN-#####", "SN-0012"),  # too short
        ("SN-#####", "SN-001234"),  # too long: the whole serial must match
        ("SN-#####", "SN-0012A"),
        ("SN-#####", "XN-00123"),
        ("@@-####", "A1-1234"),
        ("@@-####", "A_-1234"),
        ("#", "٣"),  # an Arabic-Indic digit is no # digit
        ("A.B", "aXb"),
        ("(#)+", "(1)(1)"),
    ],
)
def test_a_pattern_does_not_match_and_says_which_pattern(pattern, text):
    assert serial_format_problem(imei(SerialFormat.PATTERN, pattern), text) == (
        "format",
        f"Does not match the pattern {pattern}.",
    )


def test_a_pattern_is_compiled_once_for_a_whole_batch():
    product = imei(SerialFormat.PATTERN, "BATCH-####")
    pattern_compile.cache_clear()
    for n in range(500):
        serial_format_problem(product, f"BATCH-{n:04d}")
    info = pattern_compile.cache_info()
    assert (info.misses, info.hits) == (1, 499)


def test_ten_thousand_entries_are_checked_in_well_under_a_second():
    valid = []
    for n in range(10_000):
        body = f"35209900{n:06d}"
        valid.append(body + luhn.calc_check_digit(body))
    for product, texts in [
        (imei(), valid),
        (imei(SerialFormat.PATTERN, "SN-#####"), [f"SN-{n:05d}" for n in range(10_000)]),
    ]:
        started = time.perf_counter()
        problems = [serial_format_problem(product, text) for text in texts]
        elapsed = time.perf_counter() - started
        assert problems == [None] * 10_000
        # About 30 ms (IMEI) and 5 ms (pattern) on the project's machines.
        assert elapsed < 0.5


def test_a_pattern_that_repeats_nothing_cannot_take_exponential_time():
    product = imei(SerialFormat.PATTERN, "*" * 50 + "#")
    started = time.perf_counter()
    assert serial_format_problem(product, "a" * 100) is not None
    assert time.perf_counter() - started < 0.1


# Choosing a format on a product ----------------------------------------------------


def test_the_serial_numbers_section_holds_format_and_pattern_after_the_checkbox(manager_client):
    html = manager_client.get(ADD_URL).content.decode()
    section = html.split("Serial numbers</h2>")[1]
    names = re.findall(r'name="(has_serial_numbers|serial_format|serial_pattern)"', section)
    assert names == ["has_serial_numbers", "serial_format", "serial_pattern"]
    assert re.search(r"<label[^>]*>\s*Serial number format\s*<", section)
    assert re.search(r"<label[^>]*>\s*Pattern\s*<", section)
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', section)
    assert options == [("any", "Any"), ("imei", "IMEI"), ("pattern", "Pattern")]
    assert re.search(r'<option value="any"\s+selected>Any</option>', section)


def test_a_new_product_has_format_any():
    product = services.product_create(name="Kettle", sku="K-1", retail_price=Decimal("9.00"))
    product.refresh_from_db()
    assert (product.serial_format, product.serial_pattern) == ("any", "")


def test_a_manager_chooses_a_pattern(manager_client):
    response = manager_client.post(
        ADD_URL, form_data(serial_format="pattern", serial_pattern="  SN-##### ")
    )
    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.serial_format, product.serial_pattern) == ("pattern", "SN-#####")


def test_a_manager_chooses_imei(manager_client):
    response = manager_client.post(ADD_URL, form_data(serial_format="imei"))
    assert response.status_code == 302
    assert Product.objects.get().serial_format == "imei"


def test_pattern_without_a_pattern_is_refused_on_the_pattern_field(manager_client):
    response = manager_client.post(ADD_URL, form_data(serial_format="pattern"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "serial_pattern": ["Enter the pattern serial numbers of this product follow."]
    }
    assert not Product.objects.exists()


@pytest.mark.parametrize("kind", ["any", "imei"])
def test_a_pattern_with_another_format_is_refused_not_dropped(manager_client, kind):
    response = manager_client.post(ADD_URL, form_data(serial_format=kind, serial_pattern="SN-#"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "serial_pattern": ["Choose Pattern as the Serial number format, or clear Pattern."]
    }
    assert 'value="SN-#"' in response.content.decode()
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("SN-#,##", "A pattern can hold only printable characters, and no commas."),
        ("SN-\x01##", "A pattern can hold only printable characters, and no commas."),
        ("SN-\t##", "A pattern can hold only printable characters, and no commas."),
        ("SN-\u200b##", "A pattern can hold only printable characters, and no commas."),
        ("#" * 101, "Enter a pattern of at most 100 characters."),
    ],
)
def test_a_pattern_no_serial_could_match_is_refused(manager_client, pattern, message):
    response = manager_client.post(
        ADD_URL, form_data(serial_format="pattern", serial_pattern=pattern)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"serial_pattern": [message]}
    assert not Product.objects.exists()


def test_a_pattern_with_a_nul_byte_is_refused():
    form = ProductForm(data=form_data(serial_format="pattern", serial_pattern="SN\x00#"))
    assert not form.is_valid()
    assert form.errors == {"serial_pattern": ["Null characters are not allowed."]}


def test_a_pattern_of_100_unicode_characters_is_accepted():
    form = ProductForm(data=form_data(serial_format="pattern", serial_pattern="é#" * 50))
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("kind", ["", "regex", "IMEI", "any\x00"])
def test_an_unknown_format_is_refused(kind):
    form = ProductForm(data=form_data(serial_format=kind))
    assert not form.is_valid()
    assert list(form.errors) == ["serial_format"]


def test_the_service_refuses_what_the_form_refuses():
    with pytest.raises(ValidationError) as caught:
        services.product_create(
            name="Phone", sku="P-1", retail_price=Decimal("1"), serial_format="pattern"
        )
    assert caught.value.error_dict["serial_pattern"][0].code == "pattern_required"
    product = ProductFactory(serial_format="pattern", serial_pattern="SN-#")
    with pytest.raises(ValidationError) as caught:
        services.product_update(product=product, serial_format="imei")
    assert caught.value.error_dict["serial_pattern"][0].code == "pattern_unused"
    product.refresh_from_db()
    assert product.serial_format == "pattern"


def test_switching_from_pattern_to_imei_with_the_pattern_cleared():
    product = ProductFactory(serial_format="pattern", serial_pattern="SN-#")
    services.product_update(product=product, serial_format="imei", serial_pattern="")
    product.refresh_from_db()
    assert (product.serial_format, product.serial_pattern) == ("imei", "")


def test_changing_the_format_leaves_the_recorded_serials_as_they_are():
    product = ProductFactory()
    unit = SerialRecordFactory(product=product, serial="ODD-1")
    services.product_update(product=product, serial_format="imei")
    unit.refresh_from_db()
    assert (unit.serial, unit.product_id) == ("ODD-1", product.pk)
    assert product.serials.count() == 1


def test_the_database_refuses_an_unknown_format_and_a_stray_or_missing_pattern():
    product = ProductFactory()
    for changes in [
        {"serial_format": "regex"},
        {"serial_format": "pattern", "serial_pattern": ""},
        {"serial_format": "imei", "serial_pattern": "SN-#"},
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Product.objects.filter(pk=product.pk).update(**changes)
    product.refresh_from_db()
    assert (product.serial_format, product.serial_pattern) == ("any", "")


def test_a_demo_product_has_a_pattern_its_demo_serials_match():
    products = {product.sku: product for product in seed_products()}
    product = products["BAR-GRD-200"]
    assert (product.serial_format, product.serial_pattern) == (
        "pattern",
        DEMO_PATTERNS[product.sku],
    )
    for serial in ["BAR-GRD-200-MS0001", "BAR-GRD-200-OW0012"]:
        assert serial_format_problem(product, serial) is None


def test_every_demo_serial_of_a_product_with_a_format_follows_it(roles, settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=StringIO())
    products = Product.objects.exclude(serial_format=SerialFormat.ANY)
    assert products.exists()
    for product in products:
        serials = list(product.serials.values_list("serial", flat=True))
        assert serials
        assert [s for s in serials if serial_format_problem(product, s)] == []
