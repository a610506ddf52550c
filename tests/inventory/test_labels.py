"""Print labels: who may, from where (one unit, ticked units, the list's filter, a batch
just added or imported), the layout and code chosen, the cap and bad input."""

import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.labels import LAYOUTS
from inventory.models import SerialRecord
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory
from tests.inventory.label_helpers import page_svgs, svg_decoded
from tests.test_security import inline_code

pytestmark = pytest.mark.django_db

URL = reverse("inventory:serial_labels")
LIST_URL = reverse("inventory:serial_list")
GTIN = "09506000134352"


def labels_on(response) -> list[str]:
    """The serial each label on the page names, in page order."""
    return [
        unescape(s)
        for s in re.findall(r'<figure class="label[^"]*" aria-label="([^"]*)"', response.text)
    ]


def checked(response, name: str) -> list[str]:
    """The values of the ticked radio buttons named `name`."""
    return re.findall(
        rf'name="{name}" value="([^"]*)"\s+id="[^"]*" required checked', response.text
    )


def decoded(response) -> list[str]:
    return [b.text for svg in page_svgs(response.text) for b in svg_decoded(svg)]


@pytest.fixture
def units(product, outlet):
    return [
        SerialRecordFactory(product=product, outlet=outlet, serial=f"BP-{n:03d}") for n in range(3)
    ]


class TestPermissions:
    def test_an_anonymous_visitor_is_sent_to_log_in(self, client):
        response = client.get(URL)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")

    def test_a_user_without_view_serials_gets_403(self, client):
        client.force_login(UserFactory(username="nobody"))
        response = client.get(URL)
        assert response.status_code == 403

    def test_staff_and_managers_may_print(self, staff_client, units):
        response = staff_client.get(URL)
        assert response.status_code == 200
        assert '<h1 class="h3 me-auto mb-0">Print labels</h1>' in response.text
        assert sorted(labels_on(response)) == ["BP-000", "BP-001", "BP-002"]

    def test_a_post_is_refused(self, staff_client):
        assert staff_client.post(URL).status_code == 405


class TestEntryPoints:
    def test_a_units_page_offers_print_labels_for_that_unit(self, staff_client, units):
        unit = units[1]
        page = staff_client.get(reverse("serial_detail", args=[unit.pk])).text
        link = f'href="{URL}?serial={unit.pk}">Print labels</a>'
        assert link in page
        response = staff_client.get(URL, {"serial": unit.pk})
        assert labels_on(response) == ["BP-001"]
        assert decoded(response) == ["BP-001"]
        assert f'href="{unit.get_absolute_url()}">Back</a>' in response.text

    def test_the_ticked_units_print_in_the_order_sent(self, staff_client, units):
        list_page = staff_client.get(LIST_URL).text
        assert f'formaction="{URL}" name="selected" value="1"' in list_page
        # Staff tick units too (the Transfer button stays a Manager's).
        assert f'name="serial" value="{units[0].pk}" form="selected-serials"' in list_page
        assert "Transfer selected" not in list_page
        response = staff_client.get(URL, {"selected": "1", "serial": [units[2].pk, units[0].pk]})
        assert labels_on(response) == ["BP-002", "BP-000"]
        assert "2 labels on 1 A4 sheet." in response.text

    def test_nothing_ticked_says_so_and_prints_nothing(self, staff_client, units):
        response = staff_client.get(URL, {"selected": "1"})
        assert response.status_code == 200
        assert (
            "No serial numbers selected. Tick the ones to print on the Serial numbers list."
            in (response.text)
        )
        assert labels_on(response) == []
        assert "data-print-labels" not in response.text
        # Shown again (another layout), it is still an empty selection, not the whole list.
        assert '<input type="hidden" name="selected" value="1">' in response.text

    def test_a_ticked_unit_deleted_meanwhile_is_left_out_and_counted(self, staff_client, units):
        gone = units[1].pk
        units[1].delete()
        response = staff_client.get(URL, {"selected": "1", "serial": [units[0].pk, gone, "junk"]})
        assert labels_on(response) == ["BP-000"]
        assert "1 of the selected serial numbers no longer exists." in response.text

    def test_the_lists_filter_prints_every_unit_it_shows(self, staff_client, units, outlet):
        other = SerialRecordFactory(serial="OTHER-1", outlet=outlet)
        query = f"?product={units[0].product.pk}&sort=serial"
        list_page = staff_client.get(LIST_URL + query).text
        assert f'href="{URL}{query.replace("&", "&amp;")}"' in list_page
        response = staff_client.get(URL + query)
        assert labels_on(response) == ["BP-000", "BP-001", "BP-002"]
        assert other.serial not in response.text
        # The filter goes along when the page is shown again, and back to the list.
        assert (
            f'<input type="hidden" name="product" value="{units[0].product.pk}">' in response.text
        )
        assert f'href="{LIST_URL}{query.replace("&", "&amp;")}">Back</a>' in response.text

    def test_a_filter_matching_nothing_says_so(self, staff_client, units):
        response = staff_client.get(URL, {"q": "nothing-like-it"})
        assert "No serial numbers match the list&#x27;s filters." in response.text
        assert labels_on(response) == []

    def test_a_filter_that_cannot_be_read_says_why_and_prints_nothing(self, staff_client, units):
        response = staff_client.get(URL, {"added_from": "31/31/2026"})
        assert response.status_code == 200
        assert "Enter a date as" in response.text
        assert labels_on(response) == []

    def test_the_batch_just_added_prints_in_the_order_typed(self, staff_client, product, outlet):
        SerialRecordFactory(product=product, outlet=outlet, serial="EARLIER-1")
        added = staff_client.post(
            reverse("inventory:serial_create"),
            {
                "product": product.pk,
                "product_search": "",
                "outlet": outlet.pk,
                "serial_numbers": "NEW-3\nNEW-1\nNEW-2",
            },
        )
        assert added.status_code == 302
        list_page = staff_client.get(added.url)
        assert list_page.context["just_added"]
        # One Print labels for the batch, in the notice; the filter's own is not shown.
        links = re.findall(
            rf'href="({re.escape(URL)}[^"]*)"[^>]*>Print labels</a>', list_page.text
        )
        assert len(links) == 1 and "added_at=" in links[0]
        response = staff_client.get(unescape(links[0]))
        assert labels_on(response) == ["NEW-3", "NEW-1", "NEW-2"]

    def test_the_file_just_imported_prints_in_its_row_order(self, manager_client, product, outlet):
        rows = [f"{serial},{product.sku},{outlet.name}" for serial in ["IMP-2", "IMP-1"]]
        text = "\n".join(["serial,product SKU,outlet", *rows]) + "\n"
        upload = SimpleUploadedFile("units.csv", text.encode(), content_type="text/csv")
        imported = manager_client.post(reverse("inventory:serial_import"), {"file": upload})
        assert imported.status_code == 302
        list_page = manager_client.get(imported.url).text
        (link,) = re.findall(rf'href="({re.escape(URL)}[^"]*)"[^>]*>Print labels</a>', list_page)
        response = manager_client.get(unescape(link))
        assert labels_on(response) == ["IMP-2", "IMP-1"]


class TestCap:
    def test_more_units_than_one_page_prints_are_refused_with_the_cap(
        self, staff_client, units, monkeypatch
    ):
        monkeypatch.setattr("inventory.views.labels.LABELS_MAX", 2)
        response = staff_client.get(URL)
        assert response.status_code == 200
        assert (
            "More than 2 serial numbers are chosen: one page prints at most 2 labels. "
            "Narrow the list&#x27;s filters (Date added, Product, Outlet) or tick fewer."
        ) in response.text
        assert labels_on(response) == []
        ticked = staff_client.get(URL, {"serial": [u.pk for u in units]})
        assert "one page prints at most 2 labels" in ticked.text and labels_on(ticked) == []

    def test_exactly_the_cap_prints(self, staff_client, units, monkeypatch):
        monkeypatch.setattr("inventory.views.labels.LABELS_MAX", 3)
        response = staff_client.get(URL)
        assert len(labels_on(response)) == 3 and "at most" not in response.text

    def test_the_cap_is_five_thousand_and_the_page_says_it_in_the_shops_style(
        self, staff_client, product, outlet
    ):
        SerialRecord.objects.bulk_create(
            SerialRecord(
                product=product, outlet=outlet, serial=f"C-{n}", serial_normalised=f"c-{n}"
            )
            for n in range(5001)
        )
        response = staff_client.get(URL)
        assert "More than 5,000 serial numbers are chosen" in response.text
        assert "at most 5,000 labels" in response.text
        assert labels_on(response) == []


class TestChoices:
    def test_the_defaults_are_an_a4_sheet_of_code_128(self, staff_client, units):
        response = staff_client.get(URL, {"serial": units[0].pk})
        assert checked(response, "layout") == ["sheet"]
        assert checked(response, "code") == ["code128"]
        assert 'class="label-pages layout-sheet"' in response.text
        assert 'height="15mm"' in response.text

    def test_the_label_roll_puts_one_label_on_each_page(self, staff_client, units):
        response = staff_client.get(URL, {"layout": "roll"})
        assert 'class="label-pages layout-roll"' in response.text
        assert response.text.count('<section class="label-page">') == 3
        assert "3 labels on the label roll." in response.text
        assert f'height="{LAYOUTS["roll"].bar_height}mm"' in response.text

    def test_qr_codes_hold_each_units_absolute_page_address(self, staff_client, units):
        response = staff_client.get(URL, {"code": "qr", "sort": "serial"}, secure=True)
        assert decoded(response) == [f"https://testserver{u.get_absolute_url()}" for u in units]

    def test_gs1_datamatrix_holds_the_gtin_and_serial_and_a_unit_without_barcode_gets_code_128(
        self, staff_client, outlet
    ):
        machine = ProductFactory(name="Machine", barcode=GTIN)
        kettle = ProductFactory(name="Kettle", barcode="")
        SerialRecordFactory(product=machine, outlet=outlet, serial="M-1")
        SerialRecordFactory(product=kettle, outlet=outlet, serial="K-1")
        response = staff_client.get(URL, {"code": "datamatrix", "sort": "serial"})
        assert decoded(response) == ["K-1", f"(01){GTIN}(21)M-1"]
        assert "1 label shows Code 128: its product has no barcode (GTIN)." in response.text

    def test_each_label_shows_product_sku_and_serial(self, staff_client, outlet):
        product = ProductFactory(name="Rancilio Silvia", sku="RS-1")
        SerialRecordFactory(product=product, outlet=outlet, serial="RS-0001")
        response = staff_client.get(URL)
        assert (
            '<figcaption class="label-text"><div class="label-product">Rancilio Silvia</div>'
            '<div class="label-sku">RS-1</div><div class="label-serial">RS-0001</div></figcaption>'
        ) in response.text

    def test_labels_that_may_not_scan_are_named_and_outlined(self, staff_client, outlet):
        long_serial = "LONG-" + "X" * 20
        SerialRecordFactory(outlet=outlet, serial=long_serial)
        SerialRecordFactory(outlet=outlet, serial="SHORT-1")
        response = staff_client.get(URL, {"layout": "roll"})
        assert (
            f"1 label may not scan: its bars are narrower than 0.25 mm, as its serial number is "
            f"long ({long_serial}). Choose QR code, or the A4 sheet&#x27;s wider labels."
        ) in response.text
        assert f'label-flagged" aria-label="{long_serial}"' in response.text
        assert 'label-flagged" aria-label="SHORT-1"' not in response.text

    def test_the_page_has_no_inline_script_or_style_and_prints_from_a_script_file(
        self, staff_client, units
    ):
        for code in ["code128", "qr", "datamatrix"]:
            response = staff_client.get(URL, {"code": code})
            assert inline_code(response.text) == [], code
        assert 'src="/static/js/print-labels.js"' in response.text
        assert 'href="/static/css/labels.css"' in response.text
        assert (
            '<button type="button" class="btn btn-primary" data-print-labels>Print</button>'
            in (response.text)
        )

    def test_the_query_count_does_not_grow_with_the_labels(self, staff_client, product, outlet):
        SerialRecordFactory(product=product, outlet=outlet)
        staff_client.get(URL)  # warm-up: content types, sessions

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert staff_client.get(URL, {"code": "datamatrix"}).status_code == 200
            return len(queries)

        few = count()
        for n in range(40):
            SerialRecordFactory(product=ProductFactory(), outlet=outlet, serial=f"Q-{n}")
        assert count() == few


class TestBadInput:
    @pytest.mark.parametrize(
        "value",
        ["", "tape", "x" * 3000, "sheet\x01", "ｓｈｅｅｔ", "SHEET", "sheet "],
    )
    def test_a_layout_not_offered_says_which_are_and_prints_nothing(
        self, staff_client, units, value
    ):
        response = staff_client.get(URL, {"layout": value})
        assert response.status_code == 200
        assert "Choose A4 sheet or Label roll." in response.text
        assert labels_on(response) == []

    @pytest.mark.parametrize("value", ["", "ean13", "qr\u200b", "ＱＲ", "x" * 3000, "qr\x1b"])
    def test_a_code_not_offered_says_which_are_and_keeps_the_layout(
        self, staff_client, units, value
    ):
        response = staff_client.get(URL, {"code": value, "layout": "roll"})
        assert response.status_code == 200
        assert "Choose Code 128, QR code or GS1 DataMatrix." in response.text
        assert checked(response, "layout") == ["roll"] and checked(response, "code") == []
        assert labels_on(response) == []

    def test_a_nul_in_the_query_is_refused(self, staff_client, units):
        assert staff_client.get(URL, {"code": "qr\x00"}).status_code == 400

    def test_hostile_serial_ids_are_ignored(self, staff_client, units):
        ids = ["99999999999999999999", "-1", "\u0661\u0662", "\uff11", "1e3", "²", "x" * 3000]
        response = staff_client.get(URL, {"serial": ids})
        assert response.status_code == 200
        assert labels_on(response) == []
        assert "No serial numbers selected." in response.text

    def test_product_and_serial_text_is_escaped_on_the_label(self, staff_client, outlet):
        product = ProductFactory(name='<b>Bold</b> & "quoted"', sku="<i>SKU</i>")
        SerialRecordFactory(product=product, outlet=outlet, serial='<img src=x onerror="1">')
        response = staff_client.get(URL, {"code": "qr"})
        assert "<b>Bold</b>" not in response.text and "<i>SKU</i>" not in response.text
        assert "<img src=x" not in response.text
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;" in response.text
        assert inline_code(response.text) == []

    def test_unicode_and_long_serials_get_a_code_that_holds_them(self, staff_client, outlet):
        serials = ["ＦＵＬＬ－１", "Größe-7", "序列-0001", "Z" * 100]
        for serial in serials:
            SerialRecordFactory(outlet=outlet, serial=serial)
        assert SerialRecord.objects.count() == 4
        response = staff_client.get(URL, {"sort": "serial"})
        assert sorted(decoded(response)) == sorted(["FULL-1", "Größe-7", "序列-0001", "Z" * 100])
        assert "2 labels show a QR code of their serial numbers: Code 128 cannot hold" in (
            response.text
        )
        assert "1 label shows a QR code of its serial number: as Code 128 it is too long" in (
            response.text
        )
        assert "1 label&#x27;s Code 128 holds its serial number in plain characters" in (
            response.text
        )


def test_staff_see_checkboxes_and_print_labels_on_the_list_but_not_transfer(staff_client, units):
    page = staff_client.get(LIST_URL).text
    assert page.count('type="checkbox" name="serial"') == 3
    assert page.count(">Print labels<") == 2  # the filter's link, the ticked units' button
    assert "Transfer selected" not in page


def test_an_empty_list_offers_no_button_for_ticked_units(staff_client):
    page = staff_client.get(LIST_URL).text
    assert 'name="selected"' not in page
    assert page.count(">Print labels<") == 1


def test_managers_see_transfer_and_print_labels_for_the_ticked_units(manager_client, units):
    page = manager_client.get(LIST_URL).text
    assert "Transfer selected" in page
    assert f'formaction="{URL}"' in page


def test_a_second_outlet_does_not_change_a_selections_labels(staff_client, units):
    other = SerialRecordFactory(outlet=OutletFactory(name="Harbour Mall"), serial="HM-1")
    response = staff_client.get(URL, {"serial": [other.pk]})
    assert labels_on(response) == ["HM-1"]
