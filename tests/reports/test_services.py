"""Changing the High-value threshold, and enabling a product's serial numbers from the report."""

import json
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Product
from catalog.services import product_serial_numbers_enable
from reports.models import HighValueThreshold
from reports.selectors import high_value_threshold
from reports.services import high_value_threshold_set
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


# The threshold -------------------------------------------------------------------------


def test_setting_the_threshold_logs_the_new_value_with_who_and_when():
    mia = UserFactory(username="mia")
    before = timezone.now()

    change = high_value_threshold_set(amount=Decimal("750.00"), user=mia)

    assert change is not None
    assert high_value_threshold() == Decimal("750.00")
    stored = HighValueThreshold.objects.get()
    assert (stored.amount, stored.changed_by) == (Decimal("750.00"), mia)
    assert before <= stored.changed_at <= timezone.now()


def test_every_change_of_the_threshold_is_kept():
    mia, max_ = UserFactory(username="mia"), UserFactory(username="max")
    high_value_threshold_set(amount=Decimal("750.00"), user=mia)
    high_value_threshold_set(amount=Decimal("0.00"), user=max_)

    assert high_value_threshold() == Decimal("0.00")
    assert [(c.amount, c.changed_by.username) for c in HighValueThreshold.objects.all()] == [
        (Decimal("0.00"), "max"),
        (Decimal("750.00"), "mia"),
    ]


def test_setting_the_threshold_to_its_current_value_logs_nothing():
    mia = UserFactory(username="mia")

    assert high_value_threshold_set(amount=Decimal("500"), user=mia) is None

    assert not HighValueThreshold.objects.exists()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Decimal("-0.01"), "threshold_negative"),
        (Decimal("100000000.00"), "threshold_invalid"),
        (Decimal("10.001"), "threshold_invalid"),
        (Decimal("NaN"), "threshold_invalid"),
        (Decimal("Infinity"), "threshold_invalid"),
    ],
)
def test_a_threshold_the_column_cannot_hold_is_refused_with_its_code(amount, code):
    with pytest.raises(ValidationError) as caught:
        high_value_threshold_set(amount=amount, user=UserFactory())

    assert caught.value.code == code
    assert not HighValueThreshold.objects.exists()


# Enable serial numbers -------------------------------------------------------------------


def test_enabling_serial_numbers_sets_the_flag_and_logs_it_in_the_admin_history():
    mia = UserFactory(username="mia")
    cargo = ProductFactory(name="E-Bike Cargo 900", has_serial_numbers=False)

    assert product_serial_numbers_enable(product=cargo, user=mia) is True

    cargo.refresh_from_db()
    assert cargo.has_serial_numbers is True
    entry = LogEntry.objects.get()
    assert entry.user == mia
    assert entry.action_flag == CHANGE
    assert entry.content_type == ContentType.objects.get_for_model(Product)
    assert entry.object_id == str(cargo.pk)
    assert json.loads(entry.change_message) == [{"changed": {"fields": ["Has serial numbers"]}}]
    assert entry.get_change_message() == "Changed Has serial numbers."


def test_enabling_serial_numbers_twice_logs_once():
    mia = UserFactory(username="mia")
    cargo = ProductFactory(has_serial_numbers=False)
    product_serial_numbers_enable(product=cargo, user=mia)

    assert product_serial_numbers_enable(product=cargo, user=mia) is False

    cargo.refresh_from_db()
    assert cargo.has_serial_numbers is True
    assert LogEntry.objects.count() == 1


def test_enabling_reads_the_stored_flag_not_the_callers_copy():
    mia = UserFactory(username="mia")
    cargo = ProductFactory(has_serial_numbers=True)
    stale = Product.objects.get(pk=cargo.pk)
    stale.has_serial_numbers = False

    assert product_serial_numbers_enable(product=stale, user=mia) is False

    assert stale.has_serial_numbers is True
    assert not LogEntry.objects.exists()
