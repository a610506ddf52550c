import re
import threading
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from inventory import services
from inventory.models import Outlet, SerialStatus, StockLevel, StockMoveReason
from tests.concurrency import postgresql_only, run_in_thread
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory

STOCK_URL = "/inventory/stock/"


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Services -------------------------------------------------------------------


@pytest.mark.django_db
def test_setting_stock_creates_the_level_then_replaces_it():
    product, outlet = ProductFactory(), OutletFactory()
    services.stock_set(product=product, outlet=outlet, on_hand=7, user=None)
    level = services.stock_set(product=product, outlet=outlet, on_hand=3, user=None)
    level.refresh_from_db()
    assert level.on_hand == 3
    assert StockLevel.objects.count() == 1


@pytest.mark.django_db
def test_setting_negative_stock_is_refused():
    product, outlet = ProductFactory(), OutletFactory()
    with pytest.raises(ValidationError) as caught:
        services.stock_set(product=product, outlet=outlet, on_hand=-1, user=None)
    assert caught.value.code == "negative_stock"
    assert not StockLevel.objects.exists()


@pytest.mark.django_db
def test_adjusting_stock_adds_and_takes_away():
    product, outlet = ProductFactory(), OutletFactory()
    services.stock_adjust(
        product=product, outlet=outlet, delta=5, reason=StockMoveReason.SET_BY_HAND, user=None
    )
    level = services.stock_adjust(
        product=product, outlet=outlet, delta=-2, reason=StockMoveReason.SET_BY_HAND, user=None
    )
    assert level.on_hand == 3
    level.refresh_from_db()
    assert level.on_hand == 3


@pytest.mark.django_db
def test_taking_away_more_than_is_on_hand_is_refused_and_changes_nothing():
    product, outlet = ProductFactory(), OutletFactory()
    level = services.stock_set(product=product, outlet=outlet, on_hand=1, user=None)
    with pytest.raises(ValidationError) as caught:
        services.stock_adjust(
            product=product, outlet=outlet, delta=-2, reason=StockMoveReason.SET_BY_HAND, user=None
        )
    assert caught.value.messages == ["Stock on hand cannot be negative."]
    level.refresh_from_db()
    assert level.on_hand == 1


@pytest.mark.django_db
def test_taking_away_from_an_outlet_without_stock_leaves_no_row_behind():
    with pytest.raises(ValidationError):
        services.stock_adjust(
            product=ProductFactory(),
            outlet=OutletFactory(),
            delta=-1,
            reason=StockMoveReason.SET_BY_HAND,
            user=None,
        )
    assert not StockLevel.objects.exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_sales_each_take_one_unit_and_never_go_below_zero():
    product, outlet = ProductFactory(), OutletFactory()
    services.stock_set(product=product, outlet=outlet, on_hand=4, user=None)
    results = []
    # Eight sales of the last four units at once; a lost thread breaks the barrier.
    start = threading.Barrier(8, timeout=10)

    def sell_one():
        return services.stock_adjust(
            product=product, outlet=outlet, delta=-1, reason=StockMoveReason.SET_BY_HAND, user=None
        )

    threads = [run_in_thread(sell_one, results, start) for _ in range(8)]
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    sold = [r for r in results if isinstance(r, StockLevel)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(sold), len(refused)) == (4, 4), results
    assert {error.code for error in refused} == {"negative_stock"}
    assert sorted(level.on_hand for level in sold) == [0, 1, 2, 3]
    assert StockLevel.objects.get().on_hand == 0


# The Stock list ---------------------------------------------------------------


@pytest.mark.django_db
def test_staff_sees_the_stock_list_with_its_filters(staff_client):
    StockLevel.objects.create(
        product=ProductFactory(name="Pool Pump"), outlet=OutletFactory(name="Harbour"), on_hand=4
    )
    assert reverse("inventory:stock_list") == STOCK_URL
    html = staff_client.get(STOCK_URL).content.decode()
    assert "Pool Pump" in html and "Harbour" in html
    for label in ("Product", "Outlet", "Only products with serial numbers"):
        assert re.search(rf"<label[^>]*>\s*{re.escape(label)}\s*<", html), label


@pytest.mark.django_db
def test_the_stock_list_filters_by_product_outlet_and_serials(staff_client):
    main, harbour = OutletFactory(name="Main"), OutletFactory(name="Harbour")
    bike = ProductFactory(name="E-Bike", sku="VOL-1", has_serial_numbers=True)
    helmet = ProductFactory(name="Helmet", sku="VOL-2", has_serial_numbers=False)
    for product in (bike, helmet):
        for outlet in (main, harbour):
            StockLevel.objects.create(product=product, outlet=outlet, on_hand=1)

    def rows(**query):
        response = staff_client.get(STOCK_URL, query)
        return [(s.product.name, s.outlet.name) for s in response.context["object_list"]]

    assert rows(product="vol-2") == [("Helmet", "Harbour"), ("Helmet", "Main")]
    assert rows(outlet=main.pk) == [("E-Bike", "Main"), ("Helmet", "Main")]
    assert rows(serialised="on") == [("E-Bike", "Harbour"), ("E-Bike", "Main")]
    assert len(rows()) == 4


@pytest.mark.django_db
def test_the_stock_list_pages_keep_the_filters(staff_client, settings):
    settings.SERIALDESK_PAGE_SIZE = 2
    outlet = OutletFactory()
    for _ in range(3):
        StockLevel.objects.create(product=ProductFactory(), outlet=outlet)
    html = staff_client.get(STOCK_URL, {"outlet": outlet.pk}).content.decode()
    assert f'href="?outlet={outlet.pk}&amp;page=2"' in html


@pytest.mark.django_db
def test_the_stock_list_costs_the_same_queries_for_5_and_60_rows(staff_client):
    outlet = OutletFactory()

    def queries_for(count):
        StockLevel.objects.all().delete()
        for product in ProductFactory.create_batch(count):
            StockLevel.objects.create(product=product, outlet=outlet, on_hand=2)
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(STOCK_URL, {"serialised": "on"}).status_code == 200
        return len(queries)

    assert queries_for(5) == queries_for(60)


# Setting stock on the product page -------------------------------------------


@pytest.mark.django_db
def test_manager_sets_stock_on_hand_from_the_product_page(manager_client):
    product, outlet = ProductFactory(), OutletFactory(name="Harbour")
    url = reverse("inventory:stock_set", args=[product.pk])
    response = manager_client.post(url, {"outlet": outlet.pk, "on_hand": "6"})
    assert response.status_code == 302
    assert response.url == product.get_absolute_url()
    assert StockLevel.objects.get(product=product, outlet=outlet).on_hand == 6
    assert message_texts(response) == ["Stock on hand at Harbour set to 6."]


@pytest.mark.django_db
def test_negative_stock_from_the_product_page_is_refused(manager_client):
    product, outlet = ProductFactory(), OutletFactory()
    level = StockLevel.objects.create(product=product, outlet=outlet, on_hand=2)
    url = reverse("inventory:stock_set", args=[product.pk])
    response = manager_client.post(url, {"outlet": outlet.pk, "on_hand": "-3"})
    assert response.url == product.get_absolute_url()
    assert message_texts(response) == ["Stock on hand cannot be negative."]
    level.refresh_from_db()
    assert level.on_hand == 2


@pytest.mark.django_db
def test_stock_cannot_be_set_at_an_inactive_outlet(manager_client):
    product, outlet = ProductFactory(), OutletFactory(is_active=False)
    url = reverse("inventory:stock_set", args=[product.pk])
    response = manager_client.post(url, {"outlet": outlet.pk, "on_hand": "3"})
    assert message_texts(response) == ["Stock can only be set at an active outlet."]
    assert not StockLevel.objects.exists()


@pytest.mark.django_db
def test_staff_may_not_set_stock(staff_client):
    product, outlet = ProductFactory(), OutletFactory()
    url = reverse("inventory:stock_set", args=[product.pk])
    response = staff_client.post(url, {"outlet": outlet.pk, "on_hand": "6"})
    assert response.status_code == 403
    assert not StockLevel.objects.exists()


@pytest.mark.django_db
def test_setting_stock_needs_a_post(manager_client):
    product = ProductFactory()
    response = manager_client.get(reverse("inventory:stock_set", args=[product.pk]))
    assert response.status_code == 405


# The product page's stock and serials ----------------------------------------


@pytest.mark.django_db
def test_managers_get_a_stock_form_per_active_outlet(manager_client):
    product = ProductFactory()
    active = OutletFactory(name="Main")
    closed = OutletFactory(name="Closed", is_active=False)
    StockLevel.objects.create(product=product, outlet=active, on_hand=5)
    StockLevel.objects.create(product=product, outlet=closed, on_hand=2)
    OutletFactory(name="Empty and closed", is_active=False)
    html = manager_client.get(product.get_absolute_url()).content.decode()
    assert re.search(rf'id="on-hand-{active.pk}" value="5"', html)
    assert f'id="on-hand-{closed.pk}"' not in html
    assert "Closed" in html
    assert "Empty and closed" not in html
    assert 'href="{}"'.format(reverse("catalog:product_update", args=[product.pk])) in html


@pytest.mark.django_db
def test_staff_sees_stock_on_hand_without_a_form(staff_client):
    product, outlet = ProductFactory(), OutletFactory(name="Main")
    StockLevel.objects.create(product=product, outlet=outlet, on_hand=5)
    html = staff_client.get(product.get_absolute_url()).content.decode()
    assert "Main" in html
    assert reverse("inventory:stock_set", args=[product.pk]) not in html


@pytest.mark.django_db
def test_serial_counts_by_status_and_outlet_link_to_the_filtered_serial_list(staff_client):
    product = ProductFactory(has_serial_numbers=True)
    main, harbour = OutletFactory(name="Main"), OutletFactory(name="Harbour")
    SerialRecordFactory.create_batch(3, product=product, outlet=main)
    SerialRecordFactory(product=product, outlet=harbour, status=SerialStatus.SOLD)
    SerialRecordFactory(outlet=main)  # another product's serial
    response = staff_client.get(product.get_absolute_url())
    html = response.content.decode()
    serial_list = reverse("inventory:serial_list")
    in_stock_at_main = (
        f'href="{serial_list}?product={product.pk}&amp;outlet={main.pk}&amp;status=in_stock">3</a>'
    )
    sold_at_harbour = (
        f'href="{serial_list}?product={product.pk}&amp;outlet={harbour.pk}&amp;status=sold">1</a>'
    )
    assert in_stock_at_main in html
    assert sold_at_harbour in html
    for label in ("In stock", "Sold", "Faulty", "Written off"):
        assert f">{label}</th>" in html


@pytest.mark.django_db
def test_a_product_without_serials_shows_no_serial_columns(staff_client):
    product = ProductFactory(has_serial_numbers=False)
    StockLevel.objects.create(product=product, outlet=OutletFactory(name="Harbour"), on_hand=6)
    response = staff_client.get(product.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    # The stock table is there, with its outlet row and quantity ...
    assert re.search(r">\s*Stock\s*</h2>", html)
    assert ">On hand</th>" in html
    assert re.search(r">Harbour</th>\s*<td>\s*6\s*</td>", html)
    # ... without the columns a product with serial numbers has (the test above).
    for label in ("In stock", "Sold", "Faulty", "Written off"):
        assert f">{label}</th>" not in html
    assert "Stock and serial numbers" not in html


@pytest.mark.django_db
def test_the_product_page_costs_the_same_queries_for_few_and_many_serials(manager_client):
    product = ProductFactory(has_serial_numbers=True)
    outlets = OutletFactory.create_batch(2)

    def queries_for(per_outlet):
        for outlet in outlets:
            SerialRecordFactory.create_batch(per_outlet, product=product, outlet=outlet)
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(product.get_absolute_url()).status_code == 200
        return len(queries)

    assert queries_for(1) == queries_for(20)


@pytest.mark.django_db
def test_seed_demo_adds_the_catalog_and_its_stock_once(settings):
    settings.DEBUG = True  # seed_demo refuses to run without it
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    counts = (Product.objects.count(), StockLevel.objects.count())
    call_command("seed_demo", stdout=second)
    assert (Product.objects.count(), StockLevel.objects.count()) == counts
    products, outlets = counts[0], Outlet.objects.count()
    assert counts[1] == products * outlets
    assert f"{products} products, {products * outlets} stock levels" in first.getvalue()
    assert "Demo data not loaded" in second.getvalue()
