import csv
import io
import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialRecord
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("inventory:serial_create")
LIST_URL = reverse("inventory:serial_list")


def add(client, product, outlet, text, **extra):
    data = {"product": product.pk, "product_search": "", "outlet": outlet.pk}
    return client.post(ADD_URL, {**data, "serial_numbers": text, **extra})


def test_staff_adds_serials_and_lands_on_the_list_filtered_to_them(staff_client, product, outlet):
    SerialRecordFactory(serial="EARLIER", product=product, outlet=outlet)
    response = add(staff_client, product, outlet, "AA-1, AA-2\nAA-3")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.url).query)
    assert query["product"] == [str(product.pk)] and query["outlet"] == [str(outlet.pk)]
    page = staff_client.get(response.url)
    html = page.content.decode()
    assert "3 serial numbers added" in html
    assert [s.serial for s in page.context["object_list"]] == ["AA-3", "AA-2", "AA-1"]
    assert "EARLIER" not in html


def test_a_batch_with_a_duplicate_keeps_the_input_and_saves_nothing(staff_client, product, outlet):
    SerialRecordFactory(serial="AA-1", product=product, outlet=outlet)
    response = add(staff_client, product, outlet, "AA-1, AA-2")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 of the entries cannot be added. Nothing was saved." in html
    assert "Already recorded for this product at Main Street (In stock)." in html
    assert ">\nAA-1, AA-2</textarea>" in html
    assert "Add only the 1 valid serial number" in html
    assert SerialRecord.objects.count() == 1


def test_the_user_can_choose_to_add_only_the_valid_serials(staff_client, product, outlet):
    SerialRecordFactory(serial="AA-1", product=product, outlet=outlet)
    response = add(staff_client, product, outlet, "AA-1, AA-2", only_valid="1")
    assert response.status_code == 302
    assert set(SerialRecord.objects.values_list("serial", flat=True)) == {"AA-1", "AA-2"}
    html = staff_client.get(response.url).content.decode()
    assert "1 serial number added" in html
    assert "1 entry with a problem was left out." in html


def test_the_product_can_be_typed_instead_of_picked(staff_client, product, outlet):
    response = staff_client.post(
        ADD_URL,
        {
            "product": "",
            "product_search": "barista pro",
            "outlet": outlet.pk,
            "serial_numbers": "X1",
        },
    )
    assert response.status_code == 302
    assert SerialRecord.objects.get().product == product


def test_an_unknown_product_name_is_refused_and_the_typed_text_kept(staff_client, outlet):
    data = {"product": "", "product_search": "Nothing like it", "outlet": outlet.pk}
    response = staff_client.post(ADD_URL, {**data, "serial_numbers": "X1"})
    html = response.content.decode()
    assert "No product with serial numbers matches “Nothing like it”" in html
    assert 'value="Nothing like it"' in html
    assert not SerialRecord.objects.exists()


def test_products_without_serial_numbers_and_inactive_outlets_are_not_offered(staff_client):
    ProductFactory(name="Descaler", has_serial_numbers=False)
    ProductFactory(name="Decanter Pro", has_serial_numbers=True)
    OutletFactory(name="Open Shop")
    OutletFactory(name="Closed Shop", is_active=False)
    options = staff_client.get(reverse("inventory:product_options"), {"q": "de"})
    assert options.status_code == 200
    assert "Decanter Pro" in options.content.decode()
    assert "Descaler" not in options.content.decode()
    page = staff_client.get(ADD_URL)
    assert page.status_code == 200
    outlet_select = re.search(r'<select name="outlet".*?</select>', page.content.decode(), re.S)
    assert ">Open Shop</option>" in outlet_select.group(0)
    assert "Closed Shop" not in outlet_select.group(0)


def test_a_product_without_serial_numbers_cannot_be_posted(staff_client, outlet):
    product = ProductFactory(has_serial_numbers=False)
    response = add(staff_client, product, outlet, "X1")
    assert response.status_code == 200
    assert not SerialRecord.objects.exists()


def test_an_empty_serial_field_is_refused(staff_client, product, outlet):
    response = add(staff_client, product, outlet, " , ;\n")
    assert "Enter at least one serial number." in response.content.decode()


@pytest.mark.parametrize("page_size", [10, 100])
def test_the_list_costs_the_same_queries_whatever_the_rows_and_page_size(
    staff_client, settings, product, outlet, page_size
):
    settings.SERIALDESK_PAGE_SIZE = page_size

    def queries_for(rows):
        SerialRecord.objects.all().delete()
        SerialRecordFactory.create_batch(rows, product=product, outlet=outlet)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(LIST_URL, {"sort": "serial"})
        assert len(response.context["object_list"]) == min(rows, page_size)
        return len(queries)

    assert queries_for(5) == queries_for(120)


def test_the_list_filters_by_serial_product_outlet_status_and_date(staff_client, product, outlet):
    other_outlet = OutletFactory(name="Harbour")
    SerialRecordFactory(serial="KEEP-1", product=product, outlet=outlet)
    SerialRecordFactory(serial="KEEP-2", product=product, outlet=other_outlet, status="sold")
    SerialRecordFactory(serial="OTHER-3")

    def serials(**filters):
        response = staff_client.get(LIST_URL, filters)
        return sorted(s.serial for s in response.context["object_list"])

    assert serials(q="keep") == ["KEEP-1", "KEEP-2"]
    assert serials(product=product.pk, outlet=other_outlet.pk) == ["KEEP-2"]
    assert serials(status="in_stock") == ["KEEP-1", "OTHER-3"]
    assert serials(added_from="2000-01-01", added_to="2000-01-02") == []


def test_the_date_filters_take_whole_days(staff_client):
    late = timezone.make_aware(datetime(2026, 3, 10, 23, 59))
    SerialRecordFactory(serial="LATE", created_at=late)

    def serials(**filters):
        response = staff_client.get(LIST_URL, filters)
        return [s.serial for s in response.context["object_list"]]

    assert serials(added_from="2026-03-10", added_to="2026-03-10") == ["LATE"]
    assert serials(added_from="2026-03-11") == []
    assert serials(added_to="2026-03-09") == []


def test_look_up_opens_an_exact_match_ignoring_case_and_spaces(staff_client):
    serial = SerialRecordFactory(serial="AbC-123")
    response = staff_client.get(reverse("serial_lookup"), {"q": "  abc-123 "})
    assert response.status_code == 302
    assert response.url == serial.get_absolute_url()


def test_look_up_without_an_exact_match_lists_partial_matches(staff_client):
    SerialRecordFactory(serial="ABC-1234")
    SerialRecordFactory(serial="XYZ-9")
    response = staff_client.get(reverse("serial_lookup"), {"q": "abc-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No serial number is exactly “abc-12”. Serial numbers containing it:" in html
    assert [s.serial for s in response.context["found"].partial] == ["ABC-1234"]
    assert "XYZ-9" not in html


def test_export_streams_the_filtered_list_as_csv(staff_client, product, outlet):
    SerialRecordFactory(serial="EXP-1", product=product, outlet=outlet, notes="box dented")
    SerialRecordFactory(serial="NOT-ME")
    response = staff_client.get(reverse("inventory:serial_export"), {"q": "exp"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == [
        "Serial number",
        "Product",
        "SKU",
        "Outlet",
        "Status",
        "Date added",
        "Notes",
    ]
    assert [row[:5] + row[6:] for row in rows[1:]] == [
        ["EXP-1", "Barista Pro", "BP-1", "Main Street", "In stock", "box dented"]
    ]


def csv_file(text):
    return SimpleUploadedFile("serials.csv", text.encode(), content_type="text/csv")


def test_manager_imports_serials_from_csv(manager_client, product, outlet):
    text = "serial,product SKU,outlet\nIMP-1,bp-1,main street\nIMP-2,BP-1,Main Street\n"
    response = manager_client.post(reverse("inventory:serial_import"), {"file": csv_file(text)})
    assert response.status_code == 302
    assert set(SerialRecord.objects.values_list("serial", flat=True)) == {"IMP-1", "IMP-2"}
    assert set(SerialRecord.objects.values_list("origin", flat=True)) == {"imported"}
    assert "2 serial numbers imported" in manager_client.get(response.url).content.decode()


def test_a_csv_with_bad_rows_imports_nothing_and_reports_each_row(manager_client, product, outlet):
    ProductFactory(sku="PLAIN", has_serial_numbers=False)
    text = (
        "serial,product SKU,outlet\n"
        "OK-1,BP-1,Main Street\n"
        "OK-2,NOPE,Main Street\n"
        "OK-3,BP-1,Nowhere\n"
        "OK-4,PLAIN,Main Street\n"
        "ok-1,BP-1,Main Street\n"
    )
    response = manager_client.post(reverse("inventory:serial_import"), {"file": csv_file(text)})
    html = response.content.decode()
    assert response.status_code == 200
    assert not SerialRecord.objects.exists()
    for row, reason in [
        (3, "Unknown product SKU “NOPE”."),
        (4, "Unknown outlet “Nowhere”."),
        (5, "does not have serial numbers enabled."),
        (6, "Repeats row 2."),
    ]:
        assert f"<td>{row}</td>" in html and reason in html
    # The user chooses to import only the valid rows of the file kept on the server.
    assert "Import only the 1 valid row" in html
    kept = re.search(r'name="upload" value="(\d+)"', html)
    response = manager_client.post(
        reverse("inventory:serial_import"), {"upload": kept.group(1), "only_valid": "1"}
    )
    assert response.status_code == 302
    assert list(SerialRecord.objects.values_list("serial", flat=True)) == ["OK-1"]


def test_a_csv_without_the_columns_is_refused(manager_client):
    response = manager_client.post(
        reverse("inventory:serial_import"), {"file": csv_file("a,b\n1,2\n")}
    )
    assert "The first row must name the columns serial, product SKU and outlet" in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("client_name", "method", "name", "status"),
    [
        ("staff_client", "get", "inventory:serial_import", 200),
        ("staff_client", "post", "inventory:serial_import", 200),
        ("staff_client", "get", "inventory:serial_create", 200),
        ("staff_client", "post", "inventory:serial_export", 405),
        ("staff_client", "post", "serial_lookup", 405),
        ("staff_client", "post", "inventory:product_options", 405),
    ],
)
def test_permissions_and_methods(request, client_name, method, name, status):
    client = request.getfixturevalue(client_name)
    assert getattr(client, method)(reverse(name)).status_code == status


def test_a_user_without_the_add_permission_gets_403(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(ADD_URL).status_code == 403
    assert client.get(LIST_URL).status_code == 403


def test_the_admin_shows_serials_read_only(admin_client):
    serial = SerialRecordFactory(serial="ADM-1")
    url = reverse("admin:inventory_serialrecord_change", args=[serial.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "ADM-1" in response.content.decode()
    assert admin_client.post(url, {"serial": "CHANGED"}).status_code == 403
    serial.refresh_from_db()
    assert serial.serial == "ADM-1"
