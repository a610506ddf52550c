"""The labels' barcodes: each SVG decodes back to what it must hold, at a printable size."""

import re
import string

import pytest
import zxingcpp

from inventory import labels
from inventory.labels import (
    CODE128,
    DATAMATRIX,
    LAYOUTS,
    NARROW,
    NO_BARCODE,
    NOT_CODE128,
    NOT_GS1_SERIAL,
    PLAIN_FORM,
    QR,
    TOO_LONG,
    code128_svg,
    code128_text,
    gs1_datamatrix_svg,
    gs1_serial_problem,
    label_make,
    labels_make,
    qr_svg,
)
from tests.factories import ProductFactory, SerialRecordFactory
from tests.inventory.label_helpers import svg_decoded, svg_runs
from tests.test_security import inline_code

SHEET, ROLL = LAYOUTS["sheet"], LAYOUTS["roll"]
GTIN = "09506000134352"  # GS1's example GTIN-14


def texts(svg):
    return [barcode.text for barcode in svg_decoded(svg)]


@pytest.mark.parametrize(
    "serial",
    [
        "SN-0098",
        "AF5-69H",
        "x",
        "7",
        "12",
        "123",
        "4006381333931",  # 13 digits: charset C with one digit left over
        "356938035643809",  # an IMEI
        "99",
        "9912-0001",  # python-barcode 0.16.1 dropped a leading 99 pair
        "990000000001",
        "ab12345cd",
        "Serial With Spaces",
        string.punctuation,
        "`{|}~",
    ],
)
def test_a_code_128_decodes_to_its_serial(serial):
    symbol = code128_svg(serial, width=SHEET.inner_width, height=SHEET.bar_height)
    assert symbol.kind == CODE128
    assert [(b.format, b.text) for b in svg_decoded(symbol.svg)] == [
        (zxingcpp.BarcodeFormat.Code128, serial)
    ]


def test_every_printable_ascii_character_survives_code_128():
    alphabet = "".join(map(chr, range(0x20, 0x7F)))
    for start in range(0, len(alphabet), 12):
        chunk = alphabet[start : start + 12]
        assert texts(code128_svg(chunk, width=200, height=15).svg) == [chunk]


def test_a_code_128_has_ten_modules_of_quiet_zone_each_side_and_bars_at_most_half_a_mm():
    symbol = code128_svg("SN-1", width=SHEET.inner_width, height=SHEET.bar_height)
    total = int(re.search(r'viewBox="0 0 (\d+) 1"', symbol.svg)[1])
    xs = [int(x) for x in re.findall(r"M(\d+) 0h", symbol.svg)]
    widths = [int(w) for w in re.findall(r"M\d+ 0h(\d+)", symbol.svg)]
    assert xs[0] == 10  # the first bar after the quiet zone
    assert total - (xs[-1] + widths[-1]) == 10
    # Start (11) + 4 characters (44) + check (11) + stop (13) + quiet zones (20).
    assert total == 99
    assert symbol.module == 0.5
    assert f'width="{99 * 0.5:g}mm" height="15mm"' in symbol.svg


def test_a_code_128_too_wide_for_half_a_mm_bars_fills_the_label_width():
    symbol = code128_svg("ABCDEFGHIJKL", width=64, height=15)
    assert 0.25 < symbol.module < 0.5
    assert 'width="64mm"' in symbol.svg


def test_a_serial_code_128_cannot_hold_has_none_unless_its_plain_form_is_ascii():
    assert code128_text("SN-1") == "SN-1"
    assert code128_text("ＦＵＬＬ－１") == "FULL-1"
    assert code128_text("Größe-1") is None
    assert code128_text("序列-1") is None
    assert code128_text("A\x01B") is None


def test_a_qr_code_decodes_to_its_text_and_has_four_modules_of_quiet_zone():
    url = "https://shop.example.com/inventory/serials/123456/"
    symbol = qr_svg(url, size=30)
    assert [(b.format, b.text) for b in svg_decoded(symbol.svg)] == [
        (zxingcpp.BarcodeFormat.QRCode, url)
    ]
    modules = int(re.search(r'viewBox="0 0 (\d+) \1"', symbol.svg)[1])
    runs = svg_runs(symbol.svg)
    assert min(x for x, _y, _w in runs) == 4 and min(y for _x, y, _w in runs) == 4
    assert max(x + w for x, _y, w in runs) == modules - 4
    assert max(y for _x, y, _w in runs) == modules - 5
    assert symbol.module == pytest.approx(30 / modules)
    assert symbol.module > 0.5  # a phone reads it at arm's length


def test_a_qr_code_holds_text_in_any_script():
    for text in ["Größe-1", "序列-0001", "ＦＵＬＬ－１"]:
        assert texts(qr_svg(text, size=24).svg) == [text]


def test_a_gs1_datamatrix_holds_the_gtin_and_the_serial_as_gs1_data():
    symbol = gs1_datamatrix_svg(GTIN, "SN-0098", size=30)
    (found,) = svg_decoded(symbol.svg)
    assert found.format == zxingcpp.BarcodeFormat.DataMatrix
    assert found.content_type == zxingcpp.ContentType.GS1
    assert found.symbology_identifier == "]d2"  # FNC1 in first position
    assert found.text == "(01)09506000134352(21)SN-0098" == symbol.text
    # Two modules of quiet zone round the symbol (ISO/IEC 16022 asks for one).
    modules = int(re.search(r'viewBox="0 0 (\d+) \1"', symbol.svg)[1])
    runs = svg_runs(symbol.svg)
    assert min(x for x, _y, _w in runs) == 2 and min(y for _x, y, _w in runs) == 2
    assert max(x + w for x, _y, w in runs) == modules - 2
    assert max(y for _x, y, _w in runs) == modules - 3


def test_a_gs1_serial_is_one_to_twenty_characters_of_gs1_character_set_82():
    assert not gs1_serial_problem("SN-0098")
    assert not gs1_serial_problem("A" * 20)
    assert not gs1_serial_problem("!\"%&'()*+,-./:;<=>?_")
    for bad in ["", "A" * 21, "SN 1", "SN#1", "SN@1", "Größe", "SN~1"]:
        assert gs1_serial_problem(bad), bad


def test_no_svg_carries_what_the_content_security_policy_blocks():
    symbols = [
        code128_svg("SN-1", width=64, height=15),
        qr_svg("https://example.com/", size=30),
        gs1_datamatrix_svg(GTIN, "SN-1", size=30),
    ]
    for symbol in symbols:
        assert inline_code(symbol.svg) == []
        assert "<text" not in symbol.svg and "xlink" not in symbol.svg


@pytest.mark.django_db
class TestLabelMake:
    def label(self, serial, *, code=CODE128, layout=SHEET, barcode=""):
        product = ProductFactory(name="Espresso Machine", sku="EM-1", barcode=barcode)
        unit = SerialRecordFactory(product=product, serial=serial)
        return label_make(serial=unit, layout=layout, code=code, url="https://shop.test/u/1/")

    def test_it_shows_the_product_sku_and_serial(self):
        label = self.label("SN-0098")
        assert (label.product, label.sku, label.serial) == ("Espresso Machine", "EM-1", "SN-0098")
        assert label.notes == ()
        assert texts(label.symbol.svg) == ["SN-0098"]

    def test_datamatrix_of_a_product_with_a_barcode_holds_its_gtin(self):
        label = self.label("SN-0098", code=DATAMATRIX, barcode="4006381333931")
        assert label.symbol.kind == DATAMATRIX and label.notes == ()
        assert texts(label.symbol.svg) == ["(01)04006381333931(21)SN-0098"]

    def test_datamatrix_of_a_product_without_a_barcode_falls_back_to_code_128(self):
        label = self.label("SN-0098", code=DATAMATRIX)
        assert label.symbol.kind == CODE128 and label.notes == (NO_BARCODE,)
        assert texts(label.symbol.svg) == ["SN-0098"]

    def test_datamatrix_of_a_serial_gs1_cannot_hold_falls_back_to_code_128(self):
        label = self.label("SN 0098 A", code=DATAMATRIX, barcode=GTIN)
        assert label.symbol.kind == CODE128 and label.notes == (NOT_GS1_SERIAL,)
        assert texts(label.symbol.svg) == ["SN 0098 A"]

    def test_a_full_width_serial_gets_the_code_128_of_its_plain_form(self):
        label = self.label("ＦＵＬＬ－１")
        assert label.notes == (PLAIN_FORM,)
        assert texts(label.symbol.svg) == ["FULL-1"]
        assert label.serial == "ＦＵＬＬ－１"  # the text line shows it as recorded

    def test_a_serial_code_128_cannot_hold_gets_a_qr_code_of_its_text(self):
        label = self.label("Größe-1")
        assert label.symbol.kind == QR and label.notes == (NOT_CODE128,)
        assert texts(label.symbol.svg) == ["Größe-1"]

    def test_a_long_serial_gets_narrow_bars_and_is_named_as_may_not_scan(self):
        serial = "LONG-" + "X" * 20  # 25 characters: 0.18 mm bars on the roll
        label = self.label(serial, layout=ROLL)
        assert label.symbol.kind == CODE128 and label.notes == (NARROW,) and label.flagged
        assert labels.CODE128_MODULE_MIN <= label.symbol.module < 0.25
        assert texts(label.symbol.svg) == [serial]

    def test_a_serial_narrow_on_the_roll_gets_wider_bars_on_the_sheet(self):
        serial = "LONG-" + "X" * 13  # 18 characters: 0.237 mm on the roll, 0.269 on the sheet
        assert self.label(serial, layout=ROLL).notes == (NARROW,)
        wide = SerialRecordFactory(serial=serial)
        label = label_make(serial=wide, layout=SHEET, code=CODE128, url="")
        assert label.notes == () and label.symbol.module >= 0.25

    def test_a_serial_too_long_for_any_printable_code_128_gets_a_qr_code(self):
        serial = "TOO-LONG-" + "Y" * 40
        label = self.label(serial, layout=ROLL)
        assert label.symbol.kind == QR and label.notes == (TOO_LONG,) and not label.flagged
        assert texts(label.symbol.svg) == [serial]

    def test_a_qr_code_label_holds_the_units_page_address(self):
        label = self.label("SN-0098", code=QR)
        assert label.symbol.kind == QR and label.notes == ()
        assert texts(label.symbol.svg) == ["https://shop.test/u/1/"]


@pytest.mark.django_db
def test_labels_fill_a4_sheets_of_24_and_one_roll_label_a_page():
    units = [SerialRecordFactory(serial=f"SN-{n:03d}") for n in range(25)]

    def url_of(unit):
        return f"https://shop.test/{unit.pk}/"

    sheet = labels_make(serials=units, layout=SHEET, code=QR, url_of=url_of)
    assert [len(page) for page in sheet.pages] == [24, 1] and sheet.count == 25
    assert [label.serial for page in sheet.pages for label in page] == [u.serial for u in units]
    assert texts(sheet.pages[1][0].symbol.svg) == [url_of(units[24])]
    roll = labels_make(serials=units, layout=ROLL, code=CODE128, url_of=url_of)
    assert [len(page) for page in roll.pages] == [1] * 25
    assert roll.notes == {}


@pytest.mark.django_db
def test_labels_gather_the_units_each_note_concerns():
    plain = ProductFactory(barcode="")
    units = [
        SerialRecordFactory(product=plain, serial="SN-1"),
        SerialRecordFactory(product=plain, serial="Größe-2"),
        SerialRecordFactory(product=plain, serial="SN-3"),
    ]
    result = labels_make(serials=units, layout=SHEET, code=DATAMATRIX, url_of=str)
    assert {code: [label.serial for label in found] for code, found in result.notes.items()} == {
        NO_BARCODE: ["SN-1", "Größe-2", "SN-3"],
        NOT_CODE128: ["Größe-2"],
    }
