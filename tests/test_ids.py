"""lib.ids: the one parser of ids from requests, and the fields built on it."""

import pytest
from django import forms

from inventory.models import Outlet
from lib.ids import MAX_ID, IdChoiceField, IdChoiceFilter, IdField, parse_id
from tests.factories import OutletFactory


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("12", 12),
        ("007", 7),
        (12, 12),
        (str(MAX_ID), MAX_ID),
        (MAX_ID, MAX_ID),
    ],
)
def test_ascii_digits_and_ints_within_bigint_are_ids(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "\u00b2",  # superscript two: "²".isdigit() is true, int("²") fails
        "\u0661\u0662",  # Arabic-Indic 12: int() says 12
        "\uff11",  # fullwidth 1: int() says 1
        "\u0967",  # Devanagari 1
        "",
        "0",
        "-1",
        "+1",
        " 1",
        "1\n",
        "1_000",
        "1.0",
        "9" * 30,
        str(MAX_ID + 1),
        MAX_ID + 1,
        0,
        -1,
        True,
        None,
        1.0,
        ["1"],
    ],
)
def test_anything_else_is_no_id(value):
    assert parse_id(value) is None


class OutletForm(forms.Form):
    outlet = IdChoiceField(queryset=Outlet.objects.all(), required=False)
    upload = IdField(required=False)


@pytest.fixture
def outlets(db):
    return OutletFactory(pk=1), OutletFactory(pk=12)


@pytest.mark.parametrize("value", ["\u0661\u0662", "\uff11", "\u00b2", "9" * 30, "-1"])
def test_a_choice_field_refuses_what_int_would_read_as_another_id(outlets, value):
    form = OutletForm({"outlet": value})
    assert not form.is_valid()
    assert form.errors["outlet"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]


def test_a_choice_field_takes_an_ascii_id_and_an_empty_choice(outlets):
    form = OutletForm({"outlet": "12"})
    assert form.is_valid()
    assert form.cleaned_data["outlet"] == outlets[1]
    empty = OutletForm({"outlet": ""})
    assert empty.is_valid() and empty.cleaned_data["outlet"] is None


@pytest.mark.parametrize(("value", "expected"), [("12", 12), ("", None)])
def test_an_id_field_gives_the_id_or_none(value, expected):
    form = OutletForm({"upload": value})
    assert form.is_valid()
    assert form.cleaned_data["upload"] == expected


def test_an_id_field_refuses_unicode_digits():
    form = OutletForm({"upload": "\u0661\u0662"})
    assert not form.is_valid()
    assert form.errors["upload"] == ["This is not an id."]


def test_a_choice_filter_refuses_unicode_digits(outlets):
    field = IdChoiceFilter(queryset=Outlet.objects.all()).field
    with pytest.raises(forms.ValidationError) as refused:
        field.clean("\u0661\u0662")
    assert refused.value.code == "invalid_choice"
    assert field.clean("12") == outlets[1]
