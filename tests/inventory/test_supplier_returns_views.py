"""Return stock and the page "Supplier return N", as Managers and Staff see them."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from inventory.models import (
    SerialRecord,
    SerialStatus,
    SupplierReturn,
    SupplierReturnReason,
    SupplierReturnStatus,
)
from inventory.services.supplier_returns import supplier_return_check, supplier_return_send
from tests.factories import ProductFactory, SerialRecordFactory, SupplierFactory

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("inventory:supplier_return_create")
CHECK_URL = reverse("inventory:supplier_return_check")


@pytest.fixture
def supplier():
    return SupplierFactory(name="Acme Coffee Supply")


@pytest.fixture
def silvia():
    return ProductFactory(name="Rancilio Silvia", sku="RS-1")


@pytest.fixture
def faulty(silvia, outlet):
    return SerialRecordFactory(
        product=silvia, outlet=outlet, serial="F-1", status=SerialStatus.FAULTY
    )


def form_data(supplier, outlet, text, /, **fields):
    return {
        "supplier": str(supplier.pk),
        "outlet": str(outlet.pk),
        "serial_numbers": text,
        "reason": SupplierReturnReason.FAULTY,
        "supplier_reference": "RMA-1",
        "note": "",
        "send": "1",
        **fields,
    }


def sent_return(supplier, outlet, text="F-1"):
    check = supplier_return_check(outlet=outlet, text=text)
    return supplier_return_send(
        supplier=supplier,
        outlet=outlet,
        serials=check.units,
        reason=SupplierReturnReason.FAULTY,
        user=None,
    )


def resolve_data(supplier_return, **fields):
    row = supplier_return.units.get()
    data = {"unit": str(row.pk)}
    data.update({f"unit-{row.pk}-{name}": value for name, value in fields.items()})
    return data


def test_a_manager_sends_a_return_and_lands_on_its_page(manager_client, supplier, outlet, faulty):
    response = manager_client.post(CREATE_URL, form_data(supplier, outlet, "F-1"), follow=True)

    sent = SupplierReturn.objects.get()
    assert response.redirect_chain == [(sent.get_absolute_url(), 302)]
    page = response.content.decode()
    assert f"Supplier return {sent.pk} sent: 1 unit at the supplier." in page
    assert f'<h1 class="h3 me-auto mb-0">Supplier return {sent.pk}</h1>' in page
    assert "Acme Coffee Supply" in page and "RMA-1" in page
    assert "0 days at the supplier" in page
    assert "Record outcome" in page
    faulty.refresh_from_db()
    assert faulty.status == SerialStatus.AT_SUPPLIER


def test_the_return_stock_page_has_the_procedures_fields(manager_client):
    page = manager_client.get(CREATE_URL).content.decode()

    for label in ("Supplier", "From", "Scan serial numbers", "Reason", "Supplier reference"):
        assert re.search(rf"<label\s[^>]*>\s*{label}\b", page), label
    assert ">Send</button>" in page


def test_a_refused_scan_keeps_what_was_typed_and_sends_nothing(
    manager_client, supplier, silvia, outlet, faulty
):
    SerialRecordFactory(product=silvia, outlet=outlet, serial="SOLD-1", status=SerialStatus.SOLD)
    data = form_data(supplier, outlet, "F-1\nSOLD-1", supplier_reference="RMA-typed")

    response = manager_client.post(CREATE_URL, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Some entries cannot be returned" in page
    assert "a customer&#x27;s unit goes back from its warranty claim" in page
    assert "RMA-typed" in page and "F-1\nSOLD-1" in page
    assert not SupplierReturn.objects.exists()
    faulty.refresh_from_db()
    assert faulty.status == SerialStatus.FAULTY


def test_missing_fields_are_named_and_nothing_is_sent(manager_client, supplier, outlet, faulty):
    response = manager_client.post(
        CREATE_URL, form_data(supplier, outlet, "", reason="", supplier="")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a supplier." in page and "Select a reason." in page
    assert not SupplierReturn.objects.exists()


def test_the_live_check_lists_what_send_would_send(manager_client, supplier, outlet, faulty):
    data = form_data(supplier, outlet, "F-1\nNOPE")
    del data["send"]

    response = manager_client.post(CHECK_URL, data)

    page = response.content.decode()
    assert "To return" in page and "Rancilio Silvia · Faulty" in page
    assert "No unit has the serial number “NOPE”." in page
    assert not SupplierReturn.objects.exists()


def test_staff_may_view_a_return_but_not_send_or_resolve(staff_client, supplier, outlet, faulty):
    sent = sent_return(supplier, outlet)

    assert staff_client.get(CREATE_URL).status_code == 403
    assert staff_client.post(CREATE_URL, form_data(supplier, outlet, "F-1")).status_code == 403
    assert staff_client.post(CHECK_URL, {}).status_code == 403
    page = staff_client.get(sent.get_absolute_url())
    assert page.status_code == 200
    assert "F-1" in page.content.decode()
    assert "Record outcome" not in page.content.decode()
    resolve_url = reverse("inventory:supplier_return_resolve", args=[sent.pk])
    data = resolve_data(sent, outcome="repaired")
    assert staff_client.post(resolve_url, data).status_code == 403
    faulty.refresh_from_db()
    assert faulty.status == SerialStatus.AT_SUPPLIER


def test_the_pages_refuse_wrong_methods_and_anonymous_users(
    manager_client, supplier, outlet, faulty
):
    sent = sent_return(supplier, outlet)
    resolve_url = reverse("inventory:supplier_return_resolve", args=[sent.pk])

    assert Client().get(CREATE_URL).status_code == 302
    assert manager_client.get(resolve_url).status_code == 405
    assert manager_client.post(sent.get_absolute_url()).status_code == 405
    assert manager_client.get(CHECK_URL).status_code == 405
    assert (
        manager_client.get(reverse("inventory:supplier_return_detail", args=[999])).status_code
        == 404
    )


def test_a_manager_records_credited_and_the_return_is_resolved(
    manager_client, supplier, outlet, faulty
):
    sent = sent_return(supplier, outlet)
    resolve_url = reverse("inventory:supplier_return_resolve", args=[sent.pk])

    response = manager_client.post(
        resolve_url, resolve_data(sent, outcome="credited", credit_amount="80.00"), follow=True
    )

    page = response.content.decode()
    assert "“F-1”: Credited." in page
    assert "80.00" in page
    sent.refresh_from_db()
    assert sent.status == SupplierReturnStatus.RESOLVED
    assert sent.units.get().credit_amount == Decimal("80.00")
    assert "Record outcome" not in page


def test_a_refused_outcome_keeps_what_was_typed(manager_client, supplier, silvia, outlet, faulty):
    SerialRecordFactory(product=silvia, outlet=outlet, serial="TAKEN-1")
    sent = sent_return(supplier, outlet)
    resolve_url = reverse("inventory:supplier_return_resolve", args=[sent.pk])

    response = manager_client.post(
        resolve_url, resolve_data(sent, outcome="replaced", replacement_serial="taken-1")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "“TAKEN-1” is already recorded for this product at Main Street (In stock)." in page
    assert 'value="taken-1"' in page
    assert SerialRecord.objects.get(serial="F-1").status == SerialStatus.AT_SUPPLIER


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": "credited", "credit_amount": ""}, "Enter the credit amount."),
        ({"outcome": "credited", "credit_amount": "-3"}, "The credit amount cannot be negative."),
        ({}, "Choose an outcome."),
    ],
)
def test_credit_missing_or_negative_and_no_outcome_are_refused(
    manager_client, supplier, outlet, faulty, fields, message
):
    sent = sent_return(supplier, outlet)
    resolve_url = reverse("inventory:supplier_return_resolve", args=[sent.pk])

    response = manager_client.post(resolve_url, resolve_data(sent, **fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert sent.units.get().outcome == ""


def test_replaced_links_the_new_unit_both_ways_on_the_serial_pages(
    manager_client, supplier, outlet, faulty
):
    sent = sent_return(supplier, outlet)
    old_page = manager_client.get(faulty.get_absolute_url()).content.decode()
    assert (
        f'At supplier on <a href="{sent.get_absolute_url()}">Supplier return {sent.pk}</a>'
        in old_page
    )
    assert "(Acme Coffee Supply), for 0 days" in old_page
    resolve_url = reverse("inventory:supplier_return_resolve", args=[sent.pk])

    response = manager_client.post(
        resolve_url,
        resolve_data(sent, outcome="replaced", replacement_serial="NEW-7"),
        follow=True,
    )

    assert "“F-1”: Replaced by “NEW-7”, now In stock." in response.content.decode()
    new = SerialRecord.objects.get(serial="NEW-7")
    new_page = manager_client.get(new.get_absolute_url()).content.decode()
    assert "Replacement from supplier" in new_page
    assert (
        f'Replaced <a class="serial-text" href="{faulty.get_absolute_url()}">F-1</a>' in new_page
    )
    old_page = manager_client.get(faulty.get_absolute_url()).content.decode()
    assert (
        f'Replaced by <a class="serial-text" href="{new.get_absolute_url()}">NEW-7</a>' in old_page
    )
    assert "At supplier on" not in old_page


def test_the_return_page_costs_a_fixed_number_of_queries(
    manager_client, supplier, silvia, outlet, django_assert_max_num_queries
):
    for n in range(12):
        SerialRecordFactory(product=silvia, outlet=outlet, serial=f"F-{n}", status="faulty")
    sent = sent_return(supplier, outlet, "\n".join(f"F-{n}" for n in range(12)))

    with django_assert_max_num_queries(12):
        response = manager_client.get(sent.get_absolute_url())

    assert response.content.decode().count("Record outcome") == 12


def test_the_admin_shows_a_return_read_only(admin_client, supplier, outlet, faulty):
    sent = sent_return(supplier, outlet)

    listed = admin_client.get(reverse("admin:inventory_supplierreturn_changelist"))
    one = admin_client.get(reverse("admin:inventory_supplierreturn_change", args=[sent.pk]))

    assert listed.status_code == 200 and "Acme Coffee Supply" in listed.content.decode()
    assert one.status_code == 200 and "F-1" in one.content.decode()
    assert admin_client.get(reverse("admin:inventory_supplierreturn_add")).status_code == 403
