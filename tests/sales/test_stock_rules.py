"""The stock rule of each flow: for a serialised product, following the procedure
(add serials, sell, record at the time of sale, return, replace, move, write off)
never makes stock on hand and In stock serials disagree where they agreed."""

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from inventory import services, sql
from inventory.models import SerialJobState, SerialRecord, SerialStatus, StockLevel
from inventory.selectors import stock_serial_gaps
from inventory.services import jobs
from sales.models import ClaimStatus, ReturnOutcome, ReturnReason
from sales.services import (
    LineInput,
    claim_open,
    claim_replacement_find,
    claim_update,
    return_create,
    sale_create,
)
from tests.concurrency import postgresql_only, waits_for_a_lock
from tests.factories import CustomerFactory, OutletFactory, ProductFactory, UserFactory
from tests.inventory.job_helpers import media, run_worker  # noqa: F401
from tests.inventory.test_serial_tally import assert_tally_matches

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone():
    return ProductFactory(name="Nova X12", sku="NOV-X12", retail_price=Decimal("899.00"))


@pytest.fixture
def main():
    return OutletFactory(name="Main Street")


@pytest.fixture
def harbour():
    return OutletFactory(name="Harbour Mall")


@pytest.fixture
def clerk():
    return UserFactory(username="sam")


def on_hand(product, outlet) -> int:
    level = StockLevel.objects.filter(product=product, outlet=outlet).first()
    return level.on_hand if level else 0


def in_stock(product, outlet) -> int:
    return SerialRecord.objects.filter(
        product=product, outlet=outlet, status=SerialStatus.IN_STOCK
    ).count()


def shelf(product, outlet) -> tuple[int, int]:
    """(on hand, In stock serials) of `product` at `outlet`."""
    return on_hand(product, outlet), in_stock(product, outlet)


def problems(product) -> list[tuple[str, int, int]]:
    """What Serial coverage lists for `product`: (outlet, on hand, In stock) of each gap."""
    gaps = [gap for gap in stock_serial_gaps() if gap.product_id == product.pk]
    return [(str(gap.outlet), gap.on_hand, gap.in_stock) for gap in gaps]


def assert_no_problem(product) -> None:
    assert problems(product) == []
    assert_tally_matches()


def add(product, outlet, *serials, user=None):
    return services.serials_add(product=product, outlet=outlet, entries=list(serials), user=user)


def sell(product, outlet, serial, *, customer=None, record_new=False, clerk=None):
    return sale_create(
        outlet=outlet,
        customer=customer,
        lines=[LineInput(product=product, quantity=1, serials=[serial])],
        clerk=clerk,
        record_new=record_new,
    )


def unit(serial) -> SerialRecord:
    return SerialRecord.objects.get(serial=serial)


def give_back(serial, outlet, *, outcome=ReturnOutcome.RESTOCK, clerk=None):
    return return_create(
        serial=unit(serial),
        reason=ReturnReason.UNWANTED,
        outcome=outcome,
        outlet=outlet,
        refund_amount=Decimal("0.00"),
        clerk=clerk,
    )


def replace(serial, replacement, *, clerk=None):
    claim = claim_open(serial=unit(serial), fault_description="Screen flickers", user=clerk)
    found = claim_replacement_find(
        claim=claim, status=ClaimStatus.RESOLVED_REPLACED, text=replacement
    )
    return claim_update(
        claim=claim,
        status=ClaimStatus.RESOLVED_REPLACED,
        note="Swapped",
        user=clerk,
        replacement_serial=found,
    )


def test_the_issues_sequence_leaves_no_problem_after_any_step(phone, main, harbour, clerk):
    # Counted and recorded at both outlets: one unit each, nothing to report.
    services.stock_set(product=phone, outlet=main, on_hand=1, user=clerk)
    add(phone, main, "NX-0001")
    services.stock_set(product=phone, outlet=harbour, on_hand=1, user=clerk)
    add(phone, harbour, "NX-SPARE")
    assert (shelf(phone, main), shelf(phone, harbour)) == ((1, 1), (1, 1))
    assert_no_problem(phone)
    alice = CustomerFactory(name="Alice Martin")

    # A unit nobody recorded is sold with Record as new: it was never counted
    # (on hand and serials agreed), so the count stays.
    sell(phone, main, "NX-NEW-7", customer=alice, record_new=True, clerk=clerk)
    assert shelf(phone, main) == (1, 1)
    assert_no_problem(phone)

    give_back("NX-NEW-7", main, clerk=clerk)
    assert shelf(phone, main) == (2, 2)
    assert_no_problem(phone)

    sell(phone, main, "NX-NEW-7", customer=alice, clerk=clerk)
    assert shelf(phone, main) == (1, 1)
    assert_no_problem(phone)

    claim = replace("NX-NEW-7", "NX-SPARE", clerk=clerk)
    assert claim.replacement_serial == unit("NX-SPARE")
    assert unit("NX-NEW-7").status == SerialStatus.FAULTY
    assert (shelf(phone, main), shelf(phone, harbour)) == ((1, 1), (0, 0))
    assert_no_problem(phone)


def test_a_product_never_counted_follows_the_procedure_without_a_problem(
    phone, main, harbour, clerk
):
    # No stock row anywhere: Serialdesk never counted this product.
    add(phone, harbour, "NX-SPARE")
    assert shelf(phone, harbour) == (1, 1)
    assert_no_problem(phone)

    sell(phone, main, "NX-NEW-7", record_new=True, clerk=clerk)
    assert shelf(phone, main) == (0, 0)
    assert_no_problem(phone)

    give_back("NX-NEW-7", main, clerk=clerk)
    assert shelf(phone, main) == (1, 1)
    sell(phone, main, "NX-NEW-7", customer=CustomerFactory(), clerk=clerk)
    assert shelf(phone, main) == (0, 0)
    assert_no_problem(phone)

    replace("NX-NEW-7", "nx-spare", clerk=clerk)
    assert (shelf(phone, main), shelf(phone, harbour)) == ((0, 0), (0, 0))
    assert_no_problem(phone)


def test_stock_from_before_serials_is_labelled_first_and_sold_down(phone, main, clerk):
    # Three units counted before serial numbers were turned on.
    services.stock_set(product=phone, outlet=main, on_hand=3, user=clerk)
    assert problems(phone) == [("Main Street", 3, 0)]

    # One of them is sold and its serial recorded at the sale: one fewer without serials.
    sell(phone, main, "NX-NEW-1", record_new=True, clerk=clerk)
    assert shelf(phone, main) == (2, 0)

    # Recording the other two labels counted units: no count changes, no gap left.
    add(phone, main, "NX-0001", "NX-0002")
    assert shelf(phone, main) == (2, 2)
    assert_no_problem(phone)

    # With nothing left uncounted, a unit recorded at a sale was never counted.
    sell(phone, main, "NX-NEW-2", record_new=True, clerk=clerk)
    assert shelf(phone, main) == (2, 2)
    assert_no_problem(phone)


def test_serials_beyond_the_count_are_units_arriving_and_raise_it(phone, main, clerk):
    services.stock_set(product=phone, outlet=main, on_hand=2, user=clerk)
    add(phone, main, "NX-0001")
    assert problems(phone) == [("Main Street", 2, 1)]

    # One labels the unit counted without a serial, two arrive.
    add(phone, main, "NX-0002", "NX-0003", "NX-0004")

    assert shelf(phone, main) == (4, 4)
    assert_no_problem(phone)


def test_adding_serials_never_hides_serials_already_without_stock(phone, main, clerk):
    services.stock_set(product=phone, outlet=main, on_hand=1, user=clerk)
    add(phone, main, "NX-0001")
    services.stock_set(product=phone, outlet=main, on_hand=0, user=clerk)
    assert problems(phone) == [("Main Street", 0, 1)]

    add(phone, main, "NX-0002", "NX-0003")

    # The two that arrived are counted; the count that was already short stays short.
    assert problems(phone) == [("Main Street", 2, 3)]
    assert_tally_matches()


def test_a_sale_that_sells_a_recorded_unit_and_records_one_takes_the_right_count_off(
    phone, main, clerk
):
    # Two on hand: one recorded, one counted without its serial.
    services.stock_set(product=phone, outlet=main, on_hand=2, user=clerk)
    add(phone, main, "NX-0001")

    sale_create(
        outlet=main,
        customer=None,
        lines=[LineInput(product=phone, quantity=2, serials=["NX-0001", "NX-NEW-1"])],
        clerk=clerk,
        record_new=True,
    )

    assert shelf(phone, main) == (0, 0)
    assert_no_problem(phone)


def test_moving_writing_off_and_faulty_units_keep_stock_and_serials_together(
    phone, main, harbour, clerk
):
    add(phone, main, "NX-0001", "NX-0002", "NX-0003", "NX-0004")
    assert shelf(phone, main) == (4, 4)

    services.serials_transfer(serials=[unit("NX-0001")], to_outlet=harbour, user=clerk, note="")
    assert (shelf(phone, main), shelf(phone, harbour)) == ((3, 3), (1, 1))
    assert_no_problem(phone)

    services.serial_write_off(serial=unit("NX-0002"), reason="Stolen", user=clerk)
    assert shelf(phone, main) == (2, 2)
    services.serial_mark_faulty(serial=unit("NX-0003"), note="Dead pixel", user=clerk)
    assert shelf(phone, main) == (1, 1)
    assert_no_problem(phone)

    services.serials_transfer(serials=[unit("NX-0003")], to_outlet=harbour, user=clerk, note="")
    services.serial_reinstate(serial=unit("NX-0003"), note="Repaired", user=clerk)
    assert (shelf(phone, main), shelf(phone, harbour)) == ((1, 1), (2, 2))
    assert_no_problem(phone)

    sell(phone, harbour, "NX-0003", clerk=clerk)
    give_back("NX-0003", main, outcome=ReturnOutcome.FAULTY, clerk=clerk)
    assert (shelf(phone, main), shelf(phone, harbour)) == ((1, 1), (1, 1))
    services.serial_write_off(serial=unit("NX-0003"), reason="Scrapped", user=clerk)
    assert_no_problem(phone)

    # A unit recorded by mistake is deleted with the count it brought.
    services.serial_delete(serial=unit("NX-0004"), user=clerk)
    assert shelf(phone, main) == (0, 0)
    assert_no_problem(phone)


def test_importing_serials_follows_the_rule_of_adding_them(phone, main, harbour, clerk):
    services.stock_set(product=phone, outlet=main, on_hand=1, user=clerk)
    csv_text = (
        "serial,product sku,outlet\n"
        "NX-0001,NOV-X12,Main Street\n"
        "NX-0002,NOV-X12,Main Street\n"
        "NX-0003,NOV-X12,Harbour Mall\n"
    )

    services.serials_import(csv_text=csv_text, user=clerk)

    assert (shelf(phone, main), shelf(phone, harbour)) == ((2, 2), (1, 1))
    assert_no_problem(phone)


# The same sequence through the pages a user follows -------------------------------

COVERAGE = reverse("reports:coverage")


def assert_the_report_lists_no_problem(client) -> None:
    response = client.get(COVERAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "None: every unit on hand has its serial number recorded." in html
    assert "None: no outlet has more In stock serials than stock on hand." in html
    assert response.context["stock_without_serials"]["count"] == 0
    assert response.context["serials_without_stock"]["count"] == 0
    assert_tally_matches()


def sale_page_post(client, *, outlet, product, serial, customer=None, **extra):
    """Complete a one-unit sale on New sale, through its review when it asks for one."""
    data = {
        "outlet": outlet.pk,
        "customer": customer.pk if customer else "",
        "customer_search": "",
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 0,
        "lines-MIN_NUM_FORMS": 1,
        "lines-MAX_NUM_FORMS": 100,
        "lines-0-product": product.pk,
        "lines-0-product_search": f"{product.name} ({product.sku})",
        "lines-0-quantity": 1,
        "lines-0-unit_price": "",
        "lines-0-serial_numbers": serial,
        **extra,
    }
    response = client.post(reverse("sales:sale_create"), data)
    # The review page sends its fingerprint back with Complete sale, as a browser would.
    review = re.search(r'name="review" value="([^"]+)"', response.content.decode())
    if response.status_code == 200 and review:
        response = client.post(reverse("sales:sale_create"), data | {"review": review.group(1)})
    assert response.status_code == 302, response.content.decode()
    return response


def test_the_issues_sequence_through_the_pages_leaves_the_report_empty_at_each_step(
    manager_client, phone, main, harbour, clerk
):
    services.stock_set(product=phone, outlet=main, on_hand=1, user=clerk)
    services.stock_set(product=phone, outlet=harbour, on_hand=1, user=clerk)
    for outlet, serial in [(main, "NX-0001"), (harbour, "NX-SPARE")]:
        response = manager_client.post(
            reverse("inventory:serial_create"),
            {"product": phone.pk, "product_search": "", "outlet": outlet.pk,
             "serial_numbers": serial},
        )  # fmt: skip
        assert response.status_code == 302
    assert_the_report_lists_no_problem(manager_client)
    alice = CustomerFactory(name="Alice Martin")

    sale_page_post(
        manager_client, outlet=main, product=phone, serial="NX-NEW-7", customer=alice,
        record_new="on",
    )  # fmt: skip
    assert unit("NX-NEW-7").status == SerialStatus.SOLD
    assert shelf(phone, main) == (1, 1)
    assert_the_report_lists_no_problem(manager_client)

    response = manager_client.post(
        reverse("sales:return_create", args=[unit("NX-NEW-7").pk]),
        {"reason": ReturnReason.UNWANTED, "outcome": ReturnOutcome.RESTOCK,
         "outlet": main.pk, "refund_amount": "899.00", "note": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert shelf(phone, main) == (2, 2)
    assert_the_report_lists_no_problem(manager_client)

    sale_page_post(manager_client, outlet=main, product=phone, serial="nx-new-7", customer=alice)
    assert shelf(phone, main) == (1, 1)
    assert_the_report_lists_no_problem(manager_client)

    response = manager_client.post(
        reverse("sales:claim_create", args=[unit("NX-NEW-7").pk]),
        {"fault_description": "Screen flickers"},
    )
    assert response.status_code == 302
    claim_url = response.url
    response = manager_client.post(
        claim_url,
        {"status": ClaimStatus.RESOLVED_REPLACED, "note": "Swapped",
         "replacement_serial": "NX-SPARE"},
    )  # fmt: skip
    assert response.status_code == 302
    assert unit("NX-SPARE").status == SerialStatus.SOLD
    assert unit("NX-NEW-7").status == SerialStatus.FAULTY
    assert (shelf(phone, main), shelf(phone, harbour)) == ((1, 1), (0, 0))
    assert_the_report_lists_no_problem(manager_client)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("media")
def test_a_background_add_in_chunks_follows_the_rule_of_adding(roles, monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK_ROWS", 2)
    user = UserFactory(username="sam", groups=["Staff"])
    phone, main = ProductFactory(sku="NOV-X12"), OutletFactory(name="Main Street")
    services.stock_set(product=phone, outlet=main, on_hand=3, user=user)
    text = "\n".join(f"NX-{n:04d}" for n in range(1, 6))

    job = jobs.serial_add_job_start(user=user, product=phone, outlet=main, text=text)
    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.DONE
    # Three label the units counted without serials, in the first two chunks; two arrive.
    assert shelf(phone, main) == (5, 5)
    assert_no_problem(phone)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_unit_recorded_while_another_sale_takes_a_recorded_one_counts_right(roles, monkeypatch):
    phone, main = ProductFactory(sku="NOV-X12"), OutletFactory(name="Main Street")
    # Two on hand: NX-0001 recorded, one counted without its serial.
    services.stock_set(product=phone, outlet=main, on_hand=2, user=None)
    add(phone, main, "NX-0001")
    holding, release = threading.Event(), threading.Event()
    apply = sql.serial_tally_apply

    def apply_once_released(*, deltas):
        # The first sale holds its stock row here, its tally not yet counted.
        if threading.current_thread().name == "first":
            holding.set()
            release.wait(timeout=10)
        return apply(deltas=deltas)

    monkeypatch.setattr(sql, "serial_tally_apply", apply_once_released)
    errors: list[BaseException] = []

    def selling(serial, record_new):
        def run():
            try:
                sell(phone, main, serial, record_new=record_new)
            except BaseException as error:  # noqa: BLE001 - shown by the assertion below
                errors.append(error)
            finally:
                connection.close()

        return run

    first = threading.Thread(target=selling("NX-0001", False), name="first")
    second = threading.Thread(target=selling("NX-NEW-1", True), name="second")
    first.start()
    assert holding.wait(timeout=10)
    second.start()
    # The second sale waits for the stock row before it reads the In stock count.
    assert waits_for_a_lock()
    release.set()
    first.join(timeout=20)
    second.join(timeout=20)

    assert errors == []
    # The recorded unit went with its count; the new one took the uncounted unit's.
    assert shelf(phone, main) == (0, 0)
    assert_no_problem(phone)
