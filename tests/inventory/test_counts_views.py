"""Inventory > Inventory counts through the pages: New count, scans, lists, Complete, Apply."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inventory.models import (
    InventoryCount,
    InventoryCountScan,
    InventoryCountStatus,
    SerialRecord,
    StockMove,
)
from inventory.services.counts import count_apply, count_quantity_set
from tests.factories import ProductFactory, UserFactory
from tests.inventory.test_counts_helpers import count_at, on_hand, scanned, units

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, count=None):
    return reverse(f"inventory:{name}", args=[count.pk] if count else [])


def page(response):
    return response.content.decode()


@pytest.fixture
def count(main_street, product):
    units(product, main_street, "HERE-1", "HERE-2", "LOST-1")
    return count_at(main_street)


# The list and New count


def test_staff_find_inventory_counts_in_the_inventory_menu(staff_client, count):
    home = page(staff_client.get("/"))
    response = staff_client.get(url("count_list"))

    assert f'href="{url("count_list")}">Inventory counts<' in home
    assert response.status_code == 200
    html = page(response)
    assert '<h1 class="h3 me-auto mb-0">Inventory counts</h1>' in html
    assert ">New count</button>" in html
    assert "Shelf count" in html and "Main Street" in html and "Everything" in html
    assert "Counting" in html  # the status


def test_a_user_without_the_permission_gets_403_and_no_menu_item(client, count):
    client.force_login(UserFactory(username="nobody"))

    assert client.get(url("count_list")).status_code == 403
    assert client.get(url("count_detail", count)).status_code == 403
    assert client.post(url("count_scan", count), {"serial_numbers": "HERE-1"}).status_code == 403
    assert client.get(url("count_create")).status_code == 403
    assert "Inventory counts" not in page(client.get("/"))
    assert not count.scans.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, count):
    response = client.get(url("count_detail", count))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_new_count_asks_for_outlet_product_or_brand_and_name(staff_client, main_street):
    response = staff_client.get(url("count_create"))

    assert response.status_code == 200
    html = page(response)
    for label in ("Outlet", "Product", "Brand", "Name"):
        assert re.search(rf"<label[^>]*>\s*{label}\s*<", html), label
    assert ">Start count</button>" in html
    assert "Select an outlet" in html


def test_new_count_starts_a_count_named_after_the_outlet_and_today(staff_client, main_street):
    response = staff_client.post(
        url("count_create"), {"outlet": main_street.pk, "product": "", "brand": "", "name": ""}
    )

    count = InventoryCount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == count.get_absolute_url()
    assert count.name.startswith("Main Street ")
    assert count.created_by.username == "sam"
    followed = page(staff_client.get(response["Location"]))
    assert f"Count “{count.name}” started." in followed


def test_a_product_and_a_brand_together_are_refused_keeping_what_was_typed(
    staff_client, main_street, product
):
    response = staff_client.post(
        url("count_create"),
        {
            "outlet": main_street.pk,
            "product": product.pk,
            "product_search": "Barista Pro (BP-1)",
            "brand": "Barista Co",
            "name": "Back room",
        },
    )

    assert response.status_code == 400
    html = page(response)
    assert "Count a product or a brand, not both." in html
    assert 'value="Back room"' in html
    assert "Barista Pro (BP-1)" in html
    assert not InventoryCount.objects.exists()


def test_new_count_without_an_outlet_says_so(staff_client, main_street):
    response = staff_client.post(url("count_create"), {"outlet": "", "name": "Back room"})

    assert response.status_code == 400
    assert "Select an outlet." in page(response)
    assert not InventoryCount.objects.exists()


# The count page and the scans


def test_the_count_page_shows_the_scan_box_and_the_lists(staff_client, count):
    scanned(count, "HERE-1", "ELSEWHERE-9")

    response = staff_client.get(url("count_detail", count))

    assert response.status_code == 200
    html = page(response)
    assert "Scan serial numbers" in html
    assert ">Add scans</button>" in html
    for heading in (
        "Counted",
        "Expected, not counted yet",
        "At another outlet",
        "Not recorded",
        "Scanned twice",
    ):
        assert f">{heading} <span" in html
    assert "HERE-1" in html and "LOST-1" in html and "ELSEWHERE-9" in html
    # Staff count; Managers complete.
    assert "Complete count" not in html
    assert "js/count-scan.js" in html
    assert 'hx-trigger="count-changed from:body, every 5s"' in html


def test_managers_see_complete_count_and_cancel_count(manager_client, count):
    html = page(manager_client.get(url("count_detail", count)))

    assert ">Complete count</button>" in html
    assert ">Cancel count</button>" in html


def test_a_scan_through_htmx_answers_with_its_verdict_and_asks_the_lists_to_follow(
    staff_client, count
):
    response = staff_client.post(url("count_scan", count), {"serial_numbers": "HERE-1"}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "count-changed"
    html = page(response)
    assert 'data-verdict="counted"' in html and "HERE-1" in html
    again = page(staff_client.post(url("count_scan", count), {"serial_numbers": "here-1"}, **HTMX))
    assert 'data-verdict="twice"' in again
    assert list(count.scans.values_list("serial", "repeats")) == [("HERE-1", 1)]


def test_two_devices_scanning_one_count_each_see_the_others_scans(count):
    one, two = Client(), Client()
    one.force_login(UserFactory(username="sam", groups=["Staff"]))
    two.force_login(UserFactory(username="kim", groups=["Staff"]))

    one.post(url("count_scan", count), {"serial_numbers": "HERE-1"}, **HTMX)
    two.post(url("count_scan", count), {"serial_numbers": "HERE-2\nHERE-1"}, **HTMX)
    lists = page(one.get(url("count_lists", count)))

    assert sorted(count.scans.values_list("serial", "repeats", "user__username")) == [
        ("HERE-1", 1, "sam"),
        ("HERE-2", 0, "kim"),
    ]
    counted = lists.split('id="count-counted"')[1].split("</section>")[0]
    assert "HERE-1" in counted and "HERE-2" in counted
    assert "LOST-1" in lists.split('id="count-expected"')[1].split("</section>")[0]


def test_a_list_of_serials_typed_at_once_is_scanned_without_javascript(staff_client, count):
    response = staff_client.post(
        url("count_scan", count), {"serial_numbers": "HERE-1\nHERE-2, NEW-1"}
    )

    assert response.status_code == 302
    assert "3 serial numbers scanned." in page(staff_client.get(response["Location"]))
    assert sorted(count.scans.values_list("serial", flat=True)) == ["HERE-1", "HERE-2", "NEW-1"]


def test_an_empty_scan_is_refused_with_a_message(staff_client, count):
    response = staff_client.post(url("count_scan", count), {"serial_numbers": " "}, **HTMX)

    assert response.status_code == 400
    assert "Scan or type a serial number." in page(response)
    assert not count.scans.exists()


def test_a_scan_into_an_applied_count_is_refused(staff_client, count, manager_user):
    scanned(count, "HERE-1")
    count_apply(count=count, user=manager_user)

    response = staff_client.post(url("count_scan", count), {"serial_numbers": "HERE-2"}, **HTMX)

    assert response.status_code == 400
    assert "This count is applied: it can no longer change." in page(response)
    assert list(count.scans.values_list("serial", flat=True)) == ["HERE-1"]


def test_a_scan_costs_the_same_queries_whatever_the_counts_size(
    staff_client, main_street, product, django_assert_max_num_queries
):
    small = count_at(main_street, name="Small")
    units(product, main_street, *(f"B-{n:04d}" for n in range(400)))
    big = count_at(main_street, name="Big")
    scanned(big, *(f"B-{n:04d}" for n in range(390)))
    staff_client.post(url("count_scan", small), {"serial_numbers": "B-0001"}, **HTMX)

    with django_assert_max_num_queries(12):
        small_answer = staff_client.post(
            url("count_scan", small), {"serial_numbers": "B-0002"}, **HTMX
        )
    with django_assert_max_num_queries(12):
        big_answer = staff_client.post(
            url("count_scan", big), {"serial_numbers": "B-0395"}, **HTMX
        )

    assert small_answer.status_code == big_answer.status_code == 200


def test_the_lists_cost_the_same_queries_whatever_the_counts_size(
    staff_client, main_street, product, django_assert_max_num_queries
):
    units(product, main_street, *(f"B-{n:04d}" for n in range(300)))
    count = count_at(main_street)
    scanned(count, *(f"B-{n:04d}" for n in range(200)), "NEW-1", "B-0001")

    with django_assert_max_num_queries(16):
        response = staff_client.get(url("count_lists", count))

    html = page(response)
    assert "and 150 more" in html  # 200 counted, 50 shown
    assert "and 50 more" in html  # 100 expected, 50 shown


def test_a_quantity_of_a_product_without_serials_is_saved(staff_client, count):
    beans = ProductFactory(name="Coffee beans", sku="CB-1", has_serial_numbers=False)

    html = page(staff_client.get(url("count_detail", count)))
    response = staff_client.post(
        url("count_quantity", count), {"product": beans.pk, "product_search": "", "counted": 12}
    )

    assert "Products without serial numbers" in html
    assert response.status_code == 302
    assert "Coffee beans: 12 counted." in page(staff_client.get(response["Location"]))
    assert list(count.quantities.values_list("product__sku", "counted")) == [("CB-1", 12)]


def test_a_quantity_of_a_serialised_product_is_refused_on_the_page(staff_client, count, product):
    response = staff_client.post(
        url("count_quantity", count),
        {"product": "", "product_search": "Barista Pro", "counted": "3"},
    )

    assert response.status_code == 400
    assert "No product without serial numbers in this count matches “Barista Pro”." in page(
        response
    )
    assert not count.quantities.exists()


def test_the_quantity_suggestions_are_the_counts_products_without_serials(staff_client, count):
    ProductFactory(name="Coffee beans", has_serial_numbers=False)

    html = page(staff_client.get(url("count_quantity_options", count), {"q": "o"}))

    assert "Coffee beans" in html
    assert "Barista Pro" not in html


def test_wrong_methods_are_refused(staff_client, count):
    assert staff_client.get(url("count_scan", count)).status_code == 405
    assert staff_client.post(url("count_lists", count)).status_code == 405
    assert staff_client.get(url("count_quantity", count)).status_code == 405


# Complete count and Apply


def test_staff_cannot_open_complete_count_or_apply(staff_client, count):
    scanned(count, "HERE-1")

    assert staff_client.get(url("count_complete", count)).status_code == 403
    assert staff_client.post(url("count_complete", count), {}).status_code == 403
    assert staff_client.post(url("count_cancel", count)).status_code == 403
    count.refresh_from_db()
    assert count.status == InventoryCountStatus.OPEN


def test_complete_count_shows_each_difference_with_its_choice(
    manager_client, count, harbour, product
):
    units(product, harbour, "AWAY-1")
    beans = ProductFactory(name="Coffee beans", has_serial_numbers=False)
    scanned(count, "HERE-1", "HERE-2", "AWAY-1", "NEW-1")
    count_quantity_set(count=count, product=beans, counted=4, user=None)

    response = manager_client.get(url("count_complete", count))

    assert response.status_code == 200
    html = page(response)
    assert "Complete count “Shelf count”" in html
    lost = SerialRecord.objects.get(serial="LOST-1")
    assert f'name="missing_{lost.pk}" value="keep"' in html
    assert ">Write off</label>" in html and ">Keep</label>" in html
    assert "Every missing unit" in html and "Write off all" in html
    assert ">Transfer here</label>" in html
    assert ">Record</label>" in html
    assert 'name="product_' in html  # no product known for NEW-1: a picker
    assert "Coffee beans" in html  # on hand 0, counted 4
    assert ">Apply</button>" in html


def test_apply_writes_off_the_chosen_unit_and_says_what_it_did(manager_client, count, product):
    scanned(count, "HERE-1", "HERE-2")
    lost = SerialRecord.objects.get(serial="LOST-1")

    response = manager_client.post(
        url("count_complete", count),
        {"as_of": timezone.now().isoformat(), f"missing_{lost.pk}": "write_off"},
    )

    assert response.status_code == 302
    assert response["Location"] == count.get_absolute_url()
    lost.refresh_from_db()
    assert lost.status == "written_off"
    html = page(manager_client.get(response["Location"]))
    assert "Count “Shelf count” applied: 1 written off, 0 transferred here, 0 recorded" in html
    assert "Applied" in html
    assert "Scan serial numbers" not in html  # read-only now
    assert on_hand(product, count.outlet) == 2


def test_apply_keeps_a_missing_unit_by_default(manager_client, count):
    scanned(count, "HERE-1", "HERE-2")

    response = manager_client.post(url("count_complete", count), {"as_of": ""})

    assert response.status_code == 302
    assert SerialRecord.objects.get(serial="LOST-1").status == "in_stock"
    count.refresh_from_db()
    assert count.status == InventoryCountStatus.APPLIED


def test_write_off_all_on_the_page(manager_client, count):
    scanned(count, "HERE-1")

    manager_client.post(url("count_complete", count), {"missing_all": "write_off"})

    assert sorted(
        SerialRecord.objects.filter(status="written_off").values_list("serial", flat=True)
    ) == ["HERE-2", "LOST-1"]


def test_record_without_a_product_is_asked_on_its_row(manager_client, count):
    scanned(count, "HERE-1", "NEW-1")
    scan = count.scans.get(serial="NEW-1")

    response = manager_client.post(
        url("count_complete", count),
        {f"record_{scan.pk}": "record", f"product_{scan.pk}": "", f"product_{scan.pk}_search": ""},
    )

    assert response.status_code == 400
    assert "Choose the product to record “NEW-1” for." in page(response)
    assert not SerialRecord.objects.filter(serial="NEW-1").exists()


def test_record_with_a_product_picked_makes_the_unit(manager_client, count, product):
    scanned(count, "HERE-1", "NEW-1")
    scan = count.scans.get(serial="NEW-1")

    response = manager_client.post(
        url("count_complete", count),
        {f"record_{scan.pk}": "record", f"product_{scan.pk}": product.pk},
    )

    assert response.status_code == 302
    unit = SerialRecord.objects.get(serial="NEW-1")
    assert (unit.product, unit.outlet, unit.status) == (product, count.outlet, "in_stock")


def test_an_empty_count_is_refused_on_the_page(manager_client, count):
    response = manager_client.post(url("count_complete", count), {"missing_all": "write_off"})

    assert response.status_code == 400
    assert "Nothing was counted" in page(response)
    assert SerialRecord.objects.filter(status="in_stock").count() == 3
    assert not StockMove.objects.exists()


def test_an_applied_count_goes_back_to_its_page(manager_client, count):
    scanned(count, "HERE-1")
    manager_client.post(url("count_complete", count), {})

    response = manager_client.get(url("count_complete", count))

    assert response.status_code == 302
    assert "This count is applied: it can no longer change." in page(
        manager_client.get(response["Location"])
    )


def test_a_manager_cancels_an_open_count(manager_client, count):
    assert manager_client.get(url("count_cancel", count)).status_code == 200

    response = manager_client.post(url("count_cancel", count))

    assert response.status_code == 302
    count.refresh_from_db()
    assert count.status == InventoryCountStatus.CANCELLED
    assert "Count “Shelf count” cancelled." in page(manager_client.get(response["Location"]))


def test_the_record_suggestions_need_the_apply_permission(staff_client, manager_user, count):
    manager = Client()
    manager.force_login(manager_user)

    assert staff_client.get(url("count_record_options", count), {"q": "B"}).status_code == 403
    html = page(manager.get(url("count_record_options", count), {"q": "Barista"}))
    assert "Barista Pro" in html


def test_an_unknown_count_is_404(staff_client):
    assert staff_client.get("/inventory/counts/999999/").status_code == 404
    assert (
        staff_client.post("/inventory/counts/999999/scan/", {"serial_numbers": "X"}).status_code
        == 404
    )
    assert not InventoryCountScan.objects.exists()
