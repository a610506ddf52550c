"""Import CSV and Export CSV: limits, bad files, the kept upload, formulas, round trip."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from inventory.models import SerialImportUpload, SerialRecord
from inventory.services import serial_import_upload_create, serials_add, serials_import
from inventory.services.serials import serials_import_check
from lib.csvfile import csv_cell_escape, csv_cell_unescape
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("inventory:serial_import")
EXPORT_URL = reverse("inventory:serial_export")
TEMPLATE_URL = reverse("inventory:serial_import_template")
LIST_URL = reverse("inventory:serial_list")
HEADER = "serial,product SKU,outlet"


def csv_file(content, name="serials.csv"):
    data = content if isinstance(content, bytes) else content.encode()
    return SimpleUploadedFile(name, data, content_type="text/csv")


def post_file(client, content, name="serials.csv", **extra):
    return client.post(IMPORT_URL, {"file": csv_file(content, name), **extra})


def kept_upload_id(html):
    return re.search(r'name="upload" value="(\d+)"', html).group(1)


def serials():
    return sorted(SerialRecord.objects.values_list("serial", flat=True))


def exported(response):
    """The export's bytes and its rows, checked to start with a UTF-8 BOM."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


# Import: the size cap ---------------------------------------------------------


def test_a_file_over_the_size_cap_is_refused_with_its_size_and_the_cap(
    staff_client, settings, product, outlet
):
    settings.SERIALDESK_IMPORT_JOB_MAX_BYTES = 100
    text = HEADER + "\n" + "".join(f"CAP-{i},BP-1,Main Street\n" for i in range(5))
    size = len(text.encode())
    assert size > 100
    response = post_file(staff_client, text)
    assert response.status_code == 200
    assert (
        f"This file is {size}\xa0bytes; at most 100\xa0bytes can be imported at once. "
        "Split it into smaller files." in response.content.decode()
    )
    assert not SerialRecord.objects.exists()
    assert not SerialImportUpload.objects.exists()


def test_a_file_at_the_size_cap_is_imported(staff_client, settings, product, outlet):
    text = f"{HEADER}\nCAP-1,BP-1,Main Street\n"
    settings.SERIALDESK_IMPORT_MAX_BYTES = len(text.encode())
    response = post_file(staff_client, text)
    assert response.status_code == 302
    assert serials() == ["CAP-1"]


# Import: reading the file -----------------------------------------------------


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_each_kind_of_line_ending_is_read(staff_client, product, outlet, newline):
    rows = [HEADER, "LE-1,BP-1,Main Street", "LE-2,BP-1,Main Street"]
    response = post_file(staff_client, newline.join(rows) + newline)
    assert response.status_code == 302
    assert serials() == ["LE-1", "LE-2"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            f"{HEADER}\nOK-1,BP-1,Main Street\nOK-2,BP-1,{'x' * 131_073}\n",
            "Row 3 has a cell longer than 131,072 characters.",
        ),
        (
            f"{HEADER}\nOK-1,BP-1,Main Street\nOK-2,BP\x00-1,Main Street\n",
            "Row 3 contains a NUL character, which cannot be imported.",
        ),
        (
            "serial\x00,product SKU,outlet\nOK-1,BP-1,Main Street\n",
            "Row 1 contains a NUL character, which cannot be imported.",
        ),
        (
            f'{HEADER}\nOK-1,BP-1,Main Street\n"OK-2,BP-1,Main Street\nOK-3,BP-1,Main Street\n',
            "Row 3 is not valid CSV (unexpected end of data).",
        ),
        (
            f'{HEADER}\n"OK-1"x,BP-1,Main Street\n',
            "Row 2 is not valid CSV (&#x27;,&#x27; expected after &#x27;&quot;&#x27;).",
        ),
        (
            f"{HEADER}\nOK-1,BP-1,Main Street\nCafé,BP-1,Main Street\n".encode("latin-1"),
            "Row 3 is not UTF-8 text. Save the file as “CSV UTF-8” and try again.",
        ),
        (
            "\ufeff".encode() + b"serial,product SKU,outlet\r\n\xff,BP-1,Main Street\r\n",
            "Row 2 is not UTF-8 text.",
        ),
    ],
    ids=[
        "cell-too-long",
        "nul",
        "nul-in-header",
        "open-quote",
        "text-after-quote",
        "latin-1",
        "bom",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_naming_the_row(
    staff_client, product, outlet, content, message
):
    response = post_file(staff_client, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SerialRecord.objects.exists()
    assert not SerialImportUpload.objects.exists()


def test_a_nul_character_never_reaches_the_database(product, outlet):
    with pytest.raises(ValidationError) as raised:
        serials_import_check(csv_text=f"{HEADER}\nOK-1,BP-1,Main\x00 Street\n")
    assert raised.value.code == "nul"


def test_an_empty_file_is_refused(staff_client):
    response = post_file(staff_client, b"")
    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()


# Import: the same rules as Add Serial numbers ----------------------------------


def test_an_inactive_product_or_outlet_is_refused_per_row(staff_client, product, outlet):
    ProductFactory(name="Old Grinder", sku="OLD-1", is_active=False)
    OutletFactory(name="Closed Shop", is_active=False)
    text = f"{HEADER}\nGOOD-1,BP-1,Main Street\nIN-1,OLD-1,Main Street\nIN-2,BP-1,Closed Shop\n"
    response = post_file(staff_client, text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 of the entries cannot be added. Nothing was saved." in html
    assert "<td>3</td>" in html and "The product Old Grinder is inactive." in html
    assert "<td>4</td>" in html and "The outlet Closed Shop is inactive." in html
    assert not SerialRecord.objects.exists()


def test_the_import_check_codes_an_inactive_product(product, outlet):
    ProductFactory(sku="OLD-1", is_active=False)
    check = serials_import_check(csv_text=f"{HEADER}\nIN-1,OLD-1,Main Street\n")
    assert [(p.position, p.code) for p in check.problems] == [(2, "product_inactive")]
    assert check.valid == [] and check.rows == 1


# Import: the file kept on the server -------------------------------------------

MIXED = f"{HEADER}\nKEEP-1,BP-1,Main Street\nKEEP-2,NOPE,Main Street\nKEEP-3,BP-1,Main Street\n"


def test_a_file_with_problems_is_kept_on_the_server_not_echoed_in_the_page(
    staff_client, staff_user, product, outlet
):
    response = post_file(staff_client, MIXED, name="delivery.csv")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown product SKU “NOPE”." in html
    assert "File: delivery.csv, 3 rows." in html
    assert "Import only the 2 valid rows" in html
    upload = SerialImportUpload.objects.get()
    assert (upload.user, upload.file_name, upload.text, upload.row_count) == (
        staff_user,
        "delivery.csv",
        MIXED,
        3,
    )
    assert kept_upload_id(html) == str(upload.pk)
    # Only the id travels: the valid rows' text is nowhere in the page.
    assert "KEEP-1" not in html and 'name="csv_text"' not in html
    assert not SerialRecord.objects.exists()


def test_importing_only_the_valid_rows_uses_the_kept_file_and_then_deletes_it(
    staff_client, product, outlet
):
    upload_id = kept_upload_id(post_file(staff_client, MIXED).content.decode())
    response = staff_client.post(IMPORT_URL, {"upload": upload_id, "only_valid": "1"})
    assert response.status_code == 302
    assert serials() == ["KEEP-1", "KEEP-3"]
    assert set(SerialRecord.objects.values_list("origin", flat=True)) == {"imported"}
    assert not SerialImportUpload.objects.exists()
    html = staff_client.get(response.url).content.decode()
    assert "2 serial numbers imported" in html
    assert "1 entry with a problem was left out." in html


def test_importing_again_rechecks_the_kept_file(staff_client, product, outlet):
    ProductFactory(name="Grinder", sku="NOPE", is_active=False)
    html = post_file(staff_client, MIXED).content.decode()
    assert "The product Grinder is inactive." in html
    # The manager reactivates the product; a plain Import re-reads the kept file.
    Product.objects.filter(sku="NOPE").update(is_active=True)
    response = staff_client.post(IMPORT_URL, {"upload": kept_upload_id(html)})
    assert response.status_code == 302
    assert serials() == ["KEEP-1", "KEEP-2", "KEEP-3"]
    assert not SerialImportUpload.objects.exists()


def test_a_second_refusal_of_the_kept_file_keeps_it_and_names_it(staff_client, product, outlet):
    upload_id = kept_upload_id(post_file(staff_client, MIXED, name="a.csv").content.decode())
    response = staff_client.post(IMPORT_URL, {"upload": upload_id})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown product SKU “NOPE”." in html
    assert "File: a.csv, 3 rows." in html
    assert kept_upload_id(html) == upload_id
    assert list(SerialImportUpload.objects.values_list("pk", flat=True)) == [int(upload_id)]


def test_a_new_file_chosen_replaces_the_kept_one(staff_client, product, outlet):
    first_id = kept_upload_id(post_file(staff_client, MIXED, name="first.csv").content.decode())
    second = f"{HEADER}\nNEW-1,BP-1,Main Street\nNEW-2,NOPE,Main Street\n"
    response = post_file(staff_client, second, name="second.csv", upload=first_id)
    html = response.content.decode()
    assert response.status_code == 200
    assert "File: second.csv, 2 rows." in html
    upload = SerialImportUpload.objects.get()
    assert (upload.file_name, upload.text) == ("second.csv", second)
    assert kept_upload_id(html) == str(upload.pk) != first_id


def test_a_new_clean_file_imports_and_drops_the_kept_one(staff_client, product, outlet):
    first_id = kept_upload_id(post_file(staff_client, MIXED).content.decode())
    response = post_file(staff_client, f"{HEADER}\nNEW-1,BP-1,Main Street\n", upload=first_id)
    assert response.status_code == 302
    assert serials() == ["NEW-1"]
    assert not SerialImportUpload.objects.exists()


def test_only_the_owner_may_use_a_kept_file(client, staff_client, product, outlet):
    upload_id = kept_upload_id(post_file(staff_client, MIXED).content.decode())
    client.force_login(UserFactory(username="other", groups=["Staff"]))
    response = client.post(IMPORT_URL, {"upload": upload_id, "only_valid": "1"})
    assert response.status_code == 200
    assert "The file checked earlier is no longer kept. Choose it again." in (
        response.content.decode()
    )
    assert not SerialRecord.objects.exists()
    assert SerialImportUpload.objects.filter(pk=upload_id).exists()


def test_a_kept_file_older_than_a_day_cannot_be_used(staff_client, product, outlet):
    upload_id = kept_upload_id(post_file(staff_client, MIXED).content.decode())
    SerialImportUpload.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    response = staff_client.post(IMPORT_URL, {"upload": upload_id, "only_valid": "1"})
    assert response.status_code == 200
    assert "The file checked earlier is no longer kept. Choose it again." in (
        response.content.decode()
    )
    assert not SerialRecord.objects.exists()


@pytest.mark.parametrize("upload", ["", "abc", "-1", "99999999999999999999999"])
def test_no_file_and_no_usable_kept_file_asks_for_a_file(staff_client, upload):
    response = staff_client.post(IMPORT_URL, {"upload": upload})
    assert response.status_code == 200
    assert "Choose a CSV file to import." in response.content.decode()


def test_keeping_a_file_drops_the_users_previous_one_and_any_over_a_day_old():
    sam, mia = UserFactory(username="sam"), UserFactory(username="mia")
    sams_old = serial_import_upload_create(user=sam, file_name="a.csv", csv_text="x", row_count=1)
    mias = serial_import_upload_create(user=mia, file_name="b.csv", csv_text="y", row_count=1)
    stale = serial_import_upload_create(user=mia, file_name="c.csv", csv_text="z", row_count=1)
    SerialImportUpload.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    SerialImportUpload.objects.filter(pk=mias.pk).delete()
    fresh_mia = serial_import_upload_create(user=mia, file_name="d.csv", csv_text="w", row_count=1)
    SerialImportUpload.objects.filter(pk=fresh_mia.pk).update(
        created_at=timezone.now() - timedelta(hours=23)
    )
    sams_new = serial_import_upload_create(user=sam, file_name="e.csv", csv_text="v", row_count=1)
    assert set(SerialImportUpload.objects.values_list("pk", flat=True)) == {
        fresh_mia.pk,
        sams_new.pk,
    }
    assert not SerialImportUpload.objects.filter(pk__in=[sams_old.pk, stale.pk]).exists()


def test_a_successful_import_deletes_the_users_kept_file(product, outlet):
    sam = UserFactory(username="sam")
    mia = UserFactory(username="mia")
    serial_import_upload_create(user=sam, file_name="a.csv", csv_text="x", row_count=1)
    mias = serial_import_upload_create(user=mia, file_name="b.csv", csv_text="y", row_count=1)
    result = serials_import(csv_text=f"{HEADER}\nOK-1,BP-1,Main Street\n", user=sam)
    assert result.count == 1
    assert list(SerialImportUpload.objects.values_list("pk", flat=True)) == [mias.pk]


# Import: who may, and the template ---------------------------------------------


def test_staff_may_import_serials(staff_client, product, outlet):
    page = staff_client.get(IMPORT_URL)
    assert page.status_code == 200
    assert "Import serial numbers" in page.content.decode()
    response = post_file(staff_client, f"{HEADER}\nST-1,BP-1,Main Street\n")
    assert response.status_code == 302
    assert serials() == ["ST-1"]


def test_the_list_offers_import_csv_to_staff(staff_client):
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    assert f'href="{IMPORT_URL}"' in response.content.decode()


@pytest.mark.parametrize("url", [IMPORT_URL, TEMPLATE_URL])
def test_a_user_without_the_add_permission_gets_403(client, url):
    client.force_login(UserFactory(username="viewer"))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [IMPORT_URL, TEMPLATE_URL])
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_template_is_not_posted_to(staff_client):
    assert staff_client.post(TEMPLATE_URL).status_code == 405


def test_the_import_page_links_a_template_whose_columns_the_import_reads(
    staff_client, product, outlet
):
    page = staff_client.get(IMPORT_URL)
    assert page.status_code == 200
    assert f'<a href="{TEMPLATE_URL}" download>Download a template</a>' in page.content.decode()
    response = staff_client.get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="serial-import-template.csv"' in response["Content-Disposition"]
    content = response.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(content))) == [
        ["serial", "product SKU", "outlet"],
        ["SN-000123", "EXAMPLE-SKU", "Main Street"],
    ]
    # Imported as it is, only the example's made-up SKU is refused.
    html = post_file(staff_client, response.content).content.decode()
    assert "Unknown product SKU “EXAMPLE-SKU”." in html
    assert not SerialRecord.objects.exists()


# Add Serial numbers: the cap per submission (service side) ---------------------


def test_adding_more_serials_than_the_cap_is_refused_and_points_to_import(
    settings, product, outlet
):
    settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION = 3
    user = UserFactory(username="sam")
    with pytest.raises(ValidationError) as raised:
        serials_add(product=product, outlet=outlet, entries=["A", "B", "C", "D"], user=user)
    assert raised.value.code == "too_many"
    assert raised.value.message == (
        "At most 3 serial numbers can be added at once; this has 4. "
        "Split them, or use Import CSV for bigger batches."
    )
    assert not SerialRecord.objects.exists()
    result = serials_add(product=product, outlet=outlet, entries=["A", "B", "C"], user=user)
    assert result.count == 3


def test_the_caps_default_to_twenty_thousand_entries_and_ten_megabytes():
    assert settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION == 20_000
    assert settings.SERIALDESK_IMPORT_MAX_BYTES == 10 * 1024 * 1024


def test_adding_serials_to_an_inactive_product_is_refused(outlet):
    product = ProductFactory(name="Old Grinder", is_active=False)
    with pytest.raises(ValidationError) as raised:
        serials_add(product=product, outlet=outlet, entries=["A"], user=None)
    assert raised.value.code == "product_inactive"
    assert raised.value.message == "The product Old Grinder is inactive."
    assert not SerialRecord.objects.exists()


# Export: filters, formulas, chunks ---------------------------------------------


@pytest.mark.parametrize("query", [{"product": "abc"}, {"status": "bogus"}])
def test_invalid_filters_export_only_the_header_as_the_list_shows_no_rows(staff_client, query):
    SerialRecordFactory(serial="HIDDEN-1")
    listed = staff_client.get(LIST_URL, query)
    assert listed.status_code == 200
    assert list(listed.context["object_list"]) == []
    _content, rows = exported(staff_client.get(EXPORT_URL, query))
    assert rows == [["Serial number", "Product", "SKU", "Outlet", "Status", "Date added", "Notes"]]


def test_valid_filters_export_the_rows_the_list_shows(staff_client, product):
    SerialRecordFactory(serial="SOLD-1", product=product, status="sold")
    SerialRecordFactory(serial="SHELF-1", product=product)
    query = {"product": product.pk, "status": "sold"}
    assert [s.serial for s in staff_client.get(LIST_URL, query).context["object_list"]] == [
        "SOLD-1"
    ]
    _content, rows = exported(staff_client.get(EXPORT_URL, query))
    assert [row[0] for row in rows[1:]] == ["SOLD-1"]


def test_cells_a_spreadsheet_would_run_are_exported_as_text(staff_client):
    product = ProductFactory(name="=HYPERLINK(1)", sku="@SKU")
    outlet = OutletFactory(name="+Outlet")
    for serial, notes in [
        ("=1+2", "\tTabbed"),
        ("-5", "\rReturned"),
        ("'=A1", "plain note"),
        ("'quoted", "-dash"),
        ("SAFE-1", ""),
    ]:
        SerialRecordFactory(serial=serial, notes=notes, product=product, outlet=outlet)
    _content, rows = exported(staff_client.get(EXPORT_URL, {"sort": "serial"}))
    cells = {row[0]: (row[1], row[2], row[3], row[6]) for row in rows[1:]}
    assert cells == {
        "'=1+2": ("'=HYPERLINK(1)", "'@SKU", "'+Outlet", "'\tTabbed"),
        "'-5": ("'=HYPERLINK(1)", "'@SKU", "'+Outlet", "'\rReturned"),
        "''=A1": ("'=HYPERLINK(1)", "'@SKU", "'+Outlet", "plain note"),
        "'quoted": ("'=HYPERLINK(1)", "'@SKU", "'+Outlet", "'-dash"),
        "SAFE-1": ("'=HYPERLINK(1)", "'@SKU", "'+Outlet", ""),
    }


@pytest.mark.parametrize(
    "text",
    ["=1", "+1", "-1", "@a", "\tx", "\rx", "'=1", "''-1", "'", "'x", "x=1", "", "Café", "''"],
)
def test_escaping_a_cell_is_undone_exactly_by_unescaping_it(text):
    escaped = csv_cell_escape(text)
    assert not re.match(r"[=+\-@\t\r]", escaped)
    assert csv_cell_unescape(escaped) == text


def test_an_export_imports_back_unchanged_into_an_emptied_database(staff_client):
    product = ProductFactory(name="Café Crème", sku="-CC-1")
    other = ProductFactory(name="Moulin", sku="MO-2")
    outlet = OutletFactory(name="Église Saint-Jean")
    second = OutletFactory(name="@Harbour")
    originals = {
        ("Crème-été-ÆØÅ", product, outlet),
        ("=SUM(A1:A2)", product, outlet),
        ("-42", product, second),
        ("+44 20", other, outlet),
        ("@cmd", other, second),
        ("'=already-quoted", product, second),
        ("'plain quote", other, outlet),
        ("''+two quotes", other, second),
    }
    for serial, serial_product, serial_outlet in originals:
        SerialRecordFactory(serial=serial, product=serial_product, outlet=serial_outlet)
    content, _rows = exported(staff_client.get(EXPORT_URL))
    SerialRecord.objects.all().delete()

    response = post_file(staff_client, content, name="export.csv")
    assert response.status_code == 302
    back = {
        (record.serial, record.product, record.outlet)
        for record in SerialRecord.objects.select_related("product", "outlet")
    }
    assert back == originals


def test_the_export_streams_in_chunks(staff_client, monkeypatch, product):
    from inventory.views import serials as serial_views

    monkeypatch.setattr(serial_views, "EXPORT_CHUNK_ROWS", 2)
    SerialRecordFactory.create_batch(5, product=product)
    response = staff_client.get(EXPORT_URL)
    assert response.status_code == 200 and response.streaming
    pieces = list(response.streaming_content)
    # The header, then the rows two by two.
    assert [piece.decode("utf-8-sig").count("\r\n") for piece in pieces] == [1, 2, 2, 1]
