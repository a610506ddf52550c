"""One unit, one serial: serials compare after NFKC, case folding and trimming."""

import importlib
import io
import logging
import unicodedata

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Product
from inventory.models import SerialRecord
from inventory.services import serials_add
from inventory.services.serial_changes import serial_update
from inventory.services.serials import serial_text_problem
from tests.factories import ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("inventory.migrations.0003_serial_normalised_nfkc")

# ﷺ (U+FDFA) is one character, and 18 in NFKC.
EXPANDS = "\ufdfa"


@pytest.mark.parametrize("text", ["ＦＵＬＬ－１", "FULL-１", "full-1", "FULL-1", "  Full-1 "])
def test_full_width_case_and_spaces_make_no_difference(text):
    assert SerialRecord.normalise(text) == "full-1"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("STRAßE-1", "strasse-1"),  # case folding, not lower-casing
        ("X²", "x2"),
        ("ﬁ-9", "fi-9"),
        ("Ⅻ-3", "xii-3"),
    ],
)
def test_compatibility_forms_and_caseless_letters_fold(text, key):
    assert SerialRecord.normalise(text) == key


def test_a_key_is_in_nfkc_and_normalising_it_again_changes_nothing():
    # Case folding alone turns ǰ (U+01F0) into j and a combining caron.
    for text in ["\u01f0-1", "j\u030c-1", "ΐ-2", "ᾷ-3"]:
        key = SerialRecord.normalise(text)
        assert unicodedata.is_normalized("NFKC", key)
        assert SerialRecord.normalise(key) == key
    assert SerialRecord.normalise("\u01f0-1") == SerialRecord.normalise("J\u030c-1")


def test_the_text_is_stored_as_entered():
    record = SerialRecordFactory(serial="ＦＵＬＬ－１")
    record.refresh_from_db()
    assert (record.serial, record.serial_normalised) == ("ＦＵＬＬ－１", "full-1")


# Adding, editing and looking up


def test_a_full_width_serial_already_recorded_in_ascii_is_refused(product, outlet):
    serials_add(product=product, outlet=outlet, entries=["FULL-1"], user=None)
    with pytest.raises(ValidationError) as raised:
        serials_add(product=product, outlet=outlet, entries=["ＦＵＬＬ－１"], user=None)
    problems = raised.value.check.problems
    assert [(p.text, p.code) for p in problems] == [("ＦＵＬＬ－１", "exists")]
    assert SerialRecord.objects.filter(product=product).count() == 1


def test_variants_in_one_submission_are_one_serial_entered_twice(product, outlet):
    with pytest.raises(ValidationError) as raised:
        serials_add(
            product=product, outlet=outlet, entries=["FULL-1", "FULL-１", "full-2"], user=None
        )
    problems = raised.value.check.problems
    assert [(p.text, p.code, p.position) for p in problems] == [("FULL-１", "repeated", 2)]
    assert not SerialRecord.objects.exists()


def test_a_correction_to_a_variant_of_another_units_serial_is_refused(product, outlet):
    SerialRecordFactory(product=product, outlet=outlet, serial="FULL-1")
    other = SerialRecordFactory(product=product, outlet=outlet, serial="FULL-2")
    with pytest.raises(ValidationError) as raised:
        serial_update(serial=other, text="ｆｕｌｌ－１", notes="", user=None)
    assert raised.value.code == "duplicate"
    other.refresh_from_db()
    assert other.serial == "FULL-2"


@pytest.mark.parametrize("typed", ["FULL-1", "full-1", "ＦＵＬＬ－１", " Full-１ "])
def test_look_up_finds_the_unit_by_any_variant(manager_client, product, outlet, typed):
    record = SerialRecordFactory(product=product, outlet=outlet, serial="ＦＵＬＬ－１")
    response = manager_client.get(reverse("serial_lookup"), {"q": typed})
    assert response.status_code == 302
    assert response.url == record.get_absolute_url()


def test_the_serial_list_search_matches_variants(manager_client, product, outlet):
    SerialRecordFactory(product=product, outlet=outlet, serial="ＦＵＬＬ－１")
    SerialRecordFactory(product=product, outlet=outlet, serial="OTHER-9")
    response = manager_client.get(reverse("inventory:serial_list"), {"q": "ｆｕｌｌ-"})
    assert response.status_code == 200
    assert [r.serial for r in response.context["object_list"]] == ["ＦＵＬＬ－１"]


# Length: the key must fit its column


def test_a_serial_whose_key_is_longer_than_100_characters_is_too_long():
    text = EXPANDS * 6  # 6 characters, a key of 108
    assert len(SerialRecord.normalise(text)) == 108
    assert serial_text_problem(text) == ("too_long", "Longer than 100 characters.")
    fits = EXPANDS * 5 + "X" * 10  # a key of exactly 100
    assert len(SerialRecord.normalise(fits)) == 100
    assert serial_text_problem(fits) is None


def test_adding_a_serial_whose_key_is_too_long_names_it_and_saves_nothing(product, outlet):
    with pytest.raises(ValidationError) as raised:
        serials_add(product=product, outlet=outlet, entries=["OK-1", EXPANDS * 6], user=None)
    problems = raised.value.check.problems
    assert [(p.text, p.code) for p in problems] == [(EXPANDS * 6, "too_long")]
    assert not SerialRecord.objects.exists()


def test_editing_to_a_text_whose_key_is_too_long_is_refused(product, outlet):
    record = SerialRecordFactory(product=product, outlet=outlet, serial="AB-1")
    with pytest.raises(ValidationError) as raised:
        serial_update(serial=record, text=EXPANDS * 6, notes="", user=None)
    assert raised.value.code == "too_long"
    record.refresh_from_db()
    assert record.serial == "AB-1"


# The data migration that recomputes the keys


def old_style(product, serial, outlet):
    """A record as the upper-case rule stored it, before the migration."""
    return SerialRecord.objects.create(
        product=product, outlet=outlet, serial=serial, serial_normalised=serial.upper()
    )


def keys(*records):
    return [SerialRecord.objects.get(pk=r.pk).serial_normalised for r in records]


def recompute(key, batch_size=2):
    out = io.StringIO()
    collisions = migration.recompute_serial_keys(
        serial_model=SerialRecord, product_model=Product, key=key, batch_size=batch_size, out=out
    )
    return collisions, out.getvalue()


def test_the_migrations_rule_is_the_models_rule_today():
    for text in ["ＦＵＬＬ－１", " ab-1 ", "STRAßE", "\u01f0", EXPANDS, "X²"]:
        assert migration.nfkc_casefold_key(text) == SerialRecord.normalise(text)


def test_the_migration_recomputes_every_key_across_batches(product, outlet):
    other = ProductFactory()
    records = [
        old_style(product, "ab-1", outlet),
        old_style(product, "Ｘ-２", outlet),
        old_style(other, "ＦＵＬＬ－１", outlet),
        old_style(other, "STRAßE-4", outlet),
        old_style(product, "ＦＵＬＬ－１", outlet),  # another product: no collision
    ]
    collisions, out = recompute(migration.nfkc_casefold_key)
    assert collisions == []
    assert out == ""
    assert keys(*records) == ["ab-1", "x-2", "full-1", "strasse-4", "full-1"]


def test_a_collision_leaves_the_later_record_with_its_old_key_and_is_reported(
    product, outlet, caplog
):
    first = old_style(product, "FULL-1", outlet)
    plain = old_style(product, "AB-2", outlet)
    later = old_style(product, "ＦＵＬＬ－１", outlet)
    latest = old_style(product, "Full-１", outlet)
    with caplog.at_level(logging.WARNING, logger="inventory.migrations"):
        collisions, out = recompute(migration.nfkc_casefold_key)

    assert keys(first, plain, later, latest) == ["full-1", "ab-2", "ＦＵＬＬ－１", "FULL-１"]
    assert SerialRecord.objects.count() == 4
    product_name = f"Product 'Barista Pro' (id {product.pk})"
    assert [str(c) for c in collisions] == [
        f"{product_name}: serial 'ＦＵＬＬ－１' (id {later.pk}) keeps its old key; its new "
        f"key 'full-1' is taken by serial 'FULL-1' (id {first.pk}).",
        f"{product_name}: serial 'Full-１' (id {latest.pk}) keeps its old key; its new "
        f"key 'full-1' is taken by serial 'FULL-1' (id {first.pk}).",
    ]
    assert "2 serial number(s) would be the same unit as another of their product" in out
    for collision in collisions:
        assert f"    {collision}\n" in out
        assert f"Serial key collision: {collision}" in caplog.messages


def test_a_record_whose_key_is_already_right_keeps_it(product, outlet):
    full_width = old_style(product, "１２３", outlet)  # its old key is "１２３"
    ascii_digits = old_style(product, "123", outlet)  # "123" under both rules
    collisions, _out = recompute(migration.nfkc_casefold_key)
    assert keys(full_width, ascii_digits) == ["１２３", "123"]
    assert [(c.record_id, c.holder_id) for c in collisions] == [(full_width.pk, ascii_digits.pk)]


def test_a_key_given_up_later_in_the_run_is_taken_then(product, outlet):
    # Whatever the rule was, a key held by a record that moves on is free after it moves.
    waits = old_style(product, "ZZ", outlet)  # wants "zz"
    holder = SerialRecord.objects.create(
        product=product, outlet=outlet, serial="AB-3", serial_normalised="zz"
    )
    collisions, _out = recompute(migration.nfkc_casefold_key, batch_size=1)
    assert collisions == []
    assert keys(waits, holder) == ["zz", "ab-3"]


def test_migrating_backwards_restores_the_upper_case_keys(product, outlet):
    first = old_style(product, "full-1", outlet)
    later = old_style(product, "ＦＵＬＬ－１", outlet)
    plain = old_style(product, "ab-2", outlet)
    recompute(migration.nfkc_casefold_key)
    assert keys(first, later, plain) == ["full-1", "ＦＵＬＬ－１", "ab-2"]
    collisions, _out = recompute(migration.upper_key)
    assert collisions == []
    assert keys(first, later, plain) == ["FULL-1", "ＦＵＬＬ－１", "AB-2"]


def test_the_migration_runs_both_ways_on_the_apps_registry(product, outlet, capsys):
    record = old_style(product, "ab-1", outlet)
    operation = migration.Migration.operations[0]
    operation.code(apps, None)
    assert keys(record) == ["ab-1"]
    operation.reverse_code(apps, None)
    assert keys(record) == ["AB-1"]
    assert capsys.readouterr().out == ""
