"""Add Serial numbers > Generate: a range from First serial and Count, put in the box to check."""

import html
import re

import pytest
from django.urls import reverse

from inventory.models import SerialRecord
from tests.factories import SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("inventory:serial_create")
LOGIN_URL = reverse("login")


def generate(client, first, count, **fields):
    data = {"product": "", "product_search": "", "outlet": "", "serial_numbers": ""}
    data |= {"first_serial": first, "count": count, "generate": "1", **fields}
    return client.post(ADD_URL, data)


def field_value(response, name):
    """What the page's input `name` holds, as the browser shows it."""
    text = response.content.decode()
    if name == "serial_numbers":
        match = re.search(r'<textarea name="serial_numbers"[^>]*>\n?(.*?)</textarea>', text, re.S)
        assert match, "no Serial numbers box"
        return html.unescape(match.group(1))
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', text)
    assert tag, f"no {name} field"
    value = re.search(r' value="([^"]*)"', tag.group())
    return html.unescape(value.group(1)) if value else ""


def error_codes(response):
    return {
        name: [error.code for error in errors]
        for name, errors in response.context["form"].errors.as_data().items()
    }


def test_generate_puts_the_range_in_the_box_and_saves_nothing(staff_client):
    response = generate(staff_client, "SN-0098", "5")
    assert response.status_code == 200
    assert field_value(response, "serial_numbers") == "SN-0098\nSN-0099\nSN-0100\nSN-0101\nSN-0102"
    assert (
        "5 serial numbers generated: SN-0098 to SN-0102. Check them, then Add Serial numbers."
        in response.content.decode()
    )
    assert not SerialRecord.objects.exists()


def test_generate_before_choosing_product_and_outlet_shows_none_of_their_errors(staff_client):
    response = generate(staff_client, "SN-0098", "2")
    page = response.content.decode()
    assert error_codes(response) == {}
    assert "Enter and select the product name." not in page
    assert "Select an outlet." not in page
    assert "Enter at least one serial number." not in page
    assert "is-invalid" not in page


def test_the_range_is_appended_to_the_box_and_the_other_fields_are_kept(
    staff_client, product, outlet
):
    response = generate(
        staff_client,
        "AF5-69H",
        "3",
        product=str(product.pk),
        product_search="Barista Pro (BP-1)",
        outlet=str(outlet.pk),
        serial_numbers="BP-1, BP-2\r\nBP-3\r\n\r\n",
    )
    assert response.status_code == 200
    assert (
        field_value(response, "serial_numbers") == "BP-1, BP-2\r\nBP-3\nAF5-69H\nAF5-70H\nAF5-71H"
    )
    assert field_value(response, "product") == str(product.pk)
    assert field_value(response, "product_search") == "Barista Pro (BP-1)"
    assert (
        f'<option value="{outlet.pk}" selected>Main Street</option>' in response.content.decode()
    )
    # Emptied: pressing Generate again cannot append the same range twice.
    assert field_value(response, "first_serial") == ""
    assert field_value(response, "count") == ""
    assert not SerialRecord.objects.exists()


def test_generated_serials_are_added_by_add_serial_numbers(staff_client, product, outlet):
    shown = generate(staff_client, "SN-0098", "5", product=str(product.pk), outlet=str(outlet.pk))
    data = {
        "product": str(product.pk),
        "product_search": "",
        "outlet": str(outlet.pk),
        "serial_numbers": field_value(shown, "serial_numbers"),
        "first_serial": "",
        "count": "",
    }
    response = staff_client.post(ADD_URL, data, follow=True)
    assert "5 serial numbers added" in response.content.decode()
    serials = SerialRecord.objects.order_by("serial").values_list("serial", flat=True)
    assert list(serials) == ["SN-0098", "SN-0099", "SN-0100", "SN-0101", "SN-0102"]


def test_one_serial_is_said_as_one(staff_client):
    response = generate(staff_client, "SN-0098", "1")
    assert field_value(response, "serial_numbers") == "SN-0098"
    assert (
        "1 serial number generated: SN-0098. Check it, then Add Serial numbers."
        in response.content.decode()
    )


def test_a_number_that_grows_a_digit_is_said(staff_client):
    response = generate(staff_client, "SN-99", "3")
    assert field_value(response, "serial_numbers") == "SN-99\nSN-100\nSN-101"
    assert "From SN-100 on, the number has more digits than in SN-99." in response.content.decode()
    response = generate(staff_client, "SN-0098", "3")
    assert "more digits" not in response.content.decode()


def test_a_whole_submission_is_generated_and_the_count_says_so(staff_client):
    response = generate(staff_client, "SN-000001", "20000")
    assert field_value(response, "serial_numbers").split("\n")[-1] == "SN-020000"
    assert "20,000 serial numbers generated: SN-000001 to SN-020000." in response.content.decode()
    # The live count starts from what the box holds (static/js/serial-count.js).
    assert 'data-cap="20000"' in response.content.decode()


@pytest.mark.parametrize(
    ("first", "count", "field", "code", "message"),
    [
        (
            "AF-H",
            "5",
            "first_serial",
            "no_number",
            "The first serial has no number to count up from.",
        ),
        ("", "5", "first_serial", "required", "Enter the first serial."),
        ("SN-1", "0", "count", "count_out_of_range", "Enter a count from 1 to 20,000."),
        ("SN-1", "20001", "count", "count_out_of_range", "Enter a count from 1 to 20,000."),
        ("SN-1", "", "count", "required", "Enter how many serial numbers to generate."),
        ("SN-1", "five", "count", "invalid", "Enter a whole number."),
        ("SN-1", "2.5", "count", "invalid", "Enter a whole number."),
        (
            "S" * 98 + "98",
            "3",
            "count",
            "range_too_long",
            "Only 2 serial numbers can be generated from this first serial: "
            "the next would be longer than 100 characters.",
        ),
    ],
)
def test_a_bad_first_serial_or_count_is_said_on_its_field(
    staff_client, first, count, field, code, message
):
    response = generate(staff_client, first, count, serial_numbers="KEPT-1")
    assert response.status_code == 200
    assert error_codes(response) == {field: [code]}
    page = response.content.decode()
    assert message in page
    assert f'id="error_1_id_{field}"' in page
    # What was typed stays; the box is as it was; nothing saved.
    assert field_value(response, "first_serial") == first
    assert field_value(response, "count") == count
    assert field_value(response, "serial_numbers") == "KEPT-1"
    assert "serial numbers generated" not in page
    assert not SerialRecord.objects.exists()


def test_both_fields_wrong_are_both_said(staff_client):
    response = generate(staff_client, "NO-NUMBER", "0")
    assert error_codes(response) == {
        "first_serial": ["no_number"],
        "count": ["count_out_of_range"],
    }


@pytest.mark.parametrize(
    ("first", "code", "message"),
    [
        ("SN-" + "9" * 10_000, "too_long", "Longer than 100 characters."),
        ("SN\x07-1", "unprintable", "Contains a control or non-printable character."),
        ("SN\u200b-1", "unprintable", "Contains a control or non-printable character."),
        ("SN;1", "semicolon", "Contains a semicolon, which separates serial numbers."),
        ("SN,1", "comma", "Contains a comma."),
        # Full-width digits are text: only 0-9 count up.
        ("ＳＮ－００９８", "no_number", "The first serial has no number to count up from."),
    ],
)
def test_hostile_first_serials_are_refused_and_kept(staff_client, first, code, message):
    response = generate(staff_client, first, "2")
    assert error_codes(response) == {"first_serial": [code]}
    assert html.escape(message) in response.content.decode()
    assert field_value(response, "first_serial") == first
    assert not SerialRecord.objects.exists()


def test_a_nul_byte_is_refused_before_the_form(staff_client, product, outlet):
    response = generate(staff_client, "SN\x00-1", "2", serial_numbers="KEPT-1")
    assert response.status_code == 400
    assert not SerialRecord.objects.exists()


def test_markup_in_a_first_serial_is_shown_as_text(staff_client):
    response = generate(staff_client, "<b>SN-1</b>", "2")
    page = response.content.decode()
    assert field_value(response, "serial_numbers") == "<b>SN-1</b>\n<b>SN-2</b>"
    assert "<b>SN-1</b>" not in page
    assert "&lt;b&gt;SN-1&lt;/b&gt; to &lt;b&gt;SN-2&lt;/b&gt;" in page


def test_the_first_serial_may_be_typed_with_spaces_or_unicode_text(staff_client):
    response = generate(staff_client, "  Zähler 0099 №  ", "2")
    assert field_value(response, "serial_numbers") == "Zähler 0099 №\nZähler 0100 №"


def test_a_scan_of_the_first_units_gs1_label_gives_its_serial(staff_client):
    response = generate(staff_client, "(01)09506000134352(21)SN-0098", "2")
    assert error_codes(response) == {}
    assert field_value(response, "serial_numbers") == "SN-0098\nSN-0099"


def test_a_gs1_scan_without_a_serial_is_refused_on_first_serial(staff_client):
    response = generate(staff_client, "(01)09506000134352", "2")
    assert error_codes(response) == {"first_serial": ["scan_no_serial"]}
    assert field_value(response, "serial_numbers") == ""


def test_a_product_typed_but_not_found_waits_for_add(staff_client):
    response = generate(staff_client, "SN-1", "2", product_search="no such thing")
    assert error_codes(response) == {}
    assert "No product with serial numbers matches" not in response.content.decode()
    assert 'value="no such thing"' in response.content.decode()


def test_add_ignores_first_serial_and_count(staff_client, product, outlet):
    data = {
        "product": str(product.pk),
        "product_search": "",
        "outlet": str(outlet.pk),
        "serial_numbers": "BP-1",
        "first_serial": "NO\x07NUMBER;",
        "count": "junk",
    }
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 302
    assert list(SerialRecord.objects.values_list("serial", flat=True)) == ["BP-1"]


def test_generate_never_saves_even_with_a_complete_form(staff_client, product, outlet):
    SerialRecordFactory(product=product, outlet=outlet, serial="EARLIER")
    response = generate(
        staff_client,
        "SN-1",
        "3",
        product=str(product.pk),
        outlet=str(outlet.pk),
        serial_numbers="READY-1",
    )
    assert response.status_code == 200
    assert list(SerialRecord.objects.values_list("serial", flat=True)) == ["EARLIER"]


def test_the_page_offers_first_serial_count_and_generate(staff_client):
    page = staff_client.get(ADD_URL).content.decode()
    # Labelled, and not marked required: Add leaves them empty.
    assert re.search(
        r'<label\s+for="id_first_serial" class="form-label">\s*First serial\s*<', page
    )
    assert re.search(r'<label\s+for="id_count" class="form-label">\s*Count\s*<', page)
    assert 'name="count" min="1" max="20000"' in page
    assert re.search(
        r'<button type="submit" name="generate" value="1"[^>]*>Generate</button>', page
    )
    # Generate comes first: Enter in a field without the script never adds.
    assert page.index('name="generate"') < page.index("data-enter-adds")


def test_generate_needs_the_add_permission(client):
    response = generate(client, "SN-1", "2")
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)
    client.force_login(UserFactory(username="nobody"))
    assert generate(client, "SN-1", "2").status_code == 403
