"""Print labels in Chromium: the page's barcodes read back by an independent decoder.

Each code is rendered by the server as SVG, drawn by Chromium, photographed
(page.screenshot at three device pixels per CSS pixel, under print media, so
the picture is what prints) and decoded with zxing-cpp, which shares no code
with the encoders. The print itself is checked as Chromium's PDF: page count and
paper size from @page, and each label's box in millimetres.
"""

import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

MM = 96 / 25.4  # CSS pixels per millimetre
GTIN = "09506000134352"  # GS1's own example GTIN (General Specifications, 2.1)
# 24 units: a full A4 sheet. Awkward ones among them: a leading "99" pair (which
# python-barcode 0.16.1 drops), lower case, digits only, an IMEI, signs.
SERIALS = [f"BAR-{n:04d}" for n in range(19)] + [
    "9912-0001",
    "bar-lower-7",
    "4006381333931",
    "356938035643809",
    "A/B+C.D%E",
]
OTHER = "KET-0001"  # a unit of a product without a barcode


@pytest.fixture
def sharp_page(browser, live_server, roles):
    """A page whose screenshots have three device pixels per CSS pixel (~290 dpi)."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 900}, device_scale_factor=3
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def units(roles):
    UserFactory(username="lena", groups=["Staff"])
    outlet = OutletFactory(name="Main Street")
    machine = ProductFactory(name="Espresso Machine Barista 900", sku="BAR-900", barcode=GTIN)
    kettle = ProductFactory(name="Stovetop Kettle", sku="KET-1")
    serials = [SerialRecordFactory(product=machine, outlet=outlet, serial=s) for s in SERIALS]
    serials.append(SerialRecordFactory(product=kettle, outlet=outlet, serial=OTHER))
    return serials


def sign_in(page, username="lena"):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def decoded(page, tmp_path, name):
    """What zxing-cpp reads in a screenshot of the labels as they print."""
    page.emulate_media(media="print")
    path = tmp_path / f"{name}.png"
    page.locator(".label-pages").screenshot(path=path)
    page.emulate_media(media="screen")
    return zxingcpp.read_barcodes(Image.open(path))


def show(page, *, layout, code):
    page.get_by_role("radio", name=layout).check()
    page.get_by_role("radio", name=code).check()
    page.get_by_role("button", name="Show labels").click()
    expect(page.get_by_role("figure")).to_have_count(len(SERIALS) + 1)


def test_every_label_of_the_list_decodes_to_its_serial_its_page_or_its_gs1_data(
    sharp_page, units, live_server, tmp_path
):
    page = sharp_page
    sign_in(page)
    page.goto("/inventory/serials/?sort=serial")
    page.get_by_role("link", name="Print labels").click()
    expect(page.get_by_role("heading", name="Print labels")).to_be_visible()
    expect(page.get_by_text("25 labels on 2 A4 sheets.")).to_be_visible()
    expect(page.get_by_role("radio", name="A4 sheet")).to_be_checked()
    expect(page.get_by_role("radio", name="Code 128")).to_be_checked()

    texts = {barcode.text for barcode in decoded(page, tmp_path, "code128")}
    assert texts == {*SERIALS, OTHER}

    show(page, layout="A4 sheet", code="QR code")
    found = decoded(page, tmp_path, "qr")
    assert {barcode.format for barcode in found} == {zxingcpp.BarcodeFormat.QRCode}
    assert {barcode.text for barcode in found} == {
        f"{live_server.url}/inventory/serials/{unit.pk}/" for unit in units
    }

    show(page, layout="Label roll", code="GS1 DataMatrix")
    expect(
        page.get_by_text("1 label shows Code 128: its product has no barcode (GTIN).")
    ).to_be_visible()
    found = decoded(page, tmp_path, "datamatrix")
    matrices = [b for b in found if b.format == zxingcpp.BarcodeFormat.DataMatrix]
    assert {b.content_type for b in matrices} == {zxingcpp.ContentType.GS1}
    assert {b.symbology_identifier for b in matrices} == {"]d2"}  # FNC1 first: GS1
    assert {b.text for b in matrices} == {f"(01){GTIN}(21){serial}" for serial in SERIALS}
    assert [b.text for b in found if b.format == zxingcpp.BarcodeFormat.Code128] == [OTHER]


def pdf_pages(pdf: bytes) -> list[tuple[int, int]]:
    """Each page's size in whole mm, from the PDF's MediaBox entries (Chromium writes them
    plainly, in whole points: A4's 595.28 x 841.89 as 595 x 842)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    points = 25.4 / 72
    return [
        (round((float(x1) - float(x0)) * points), round((float(y1) - float(y0)) * points))
        for x0, y0, x1, y1 in boxes
    ]


def test_labels_print_alone_at_their_size_on_a4_sheets_and_on_the_roll(page, log_in, units):
    log_in("lena")
    machine = units[0]
    page.goto(machine.get_absolute_url())
    page.get_by_role("link", name="Print labels").click()
    expect(page.get_by_role("figure")).to_have_count(1)
    page.goto(f"/inventory/serials/labels/?product={machine.product.pk}")
    expect(page.get_by_role("figure")).to_have_count(len(SERIALS))

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation").first).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("button", name="Show labels")).to_be_hidden()
    expect(page.get_by_role("heading", name="Print labels")).to_be_hidden()
    for figure in page.get_by_role("figure").all():
        box = figure.bounding_box()
        assert box is not None
        assert abs(box["width"] - 70 * MM) < 0.1 and abs(box["height"] - 37 * MM) < 0.1
    first = page.get_by_role("figure").first.bounding_box()
    assert first is not None and abs(first["x"]) < 0.1 and abs(first["y"] - 0.5 * MM) < 0.1
    # 24 labels fill one A4 sheet exactly: one page, no blank one after it.
    assert pdf_pages(page.pdf(prefer_css_page_size=True)) == [(210, 297)]

    page.emulate_media(media="screen")
    page.get_by_role("radio", name="Label roll").check()
    page.get_by_role("button", name="Show labels").click()
    expect(page.get_by_text(f"{len(SERIALS)} labels on the label roll.")).to_be_visible()
    page.emulate_media(media="print")
    box = page.get_by_role("figure").first.bounding_box()
    assert box is not None
    assert abs(box["width"] - 62 * MM) < 0.1 and abs(box["height"] - 29 * MM) < 0.1
    assert pdf_pages(page.pdf(prefer_css_page_size=True)) == [(62, 29)] * len(SERIALS)


def test_the_ticked_units_of_the_list_print_in_their_order(page, log_in, units):
    log_in("lena")
    page.goto("/inventory/serials/?sort=serial")
    for serial in ["BAR-0003", "9912-0001", OTHER]:
        page.get_by_role("checkbox", name=f"Select {serial}").check()
    page.get_by_role("button", name="Print labels").click()
    expect(page.get_by_role("heading", name="Print labels")).to_be_visible()
    expect(page.get_by_role("figure")).to_have_text(
        [re.compile(r"9912-0001$"), re.compile(r"BAR-0003$"), re.compile(f"{OTHER}$")]
    )
    # The Print button opens the browser's print dialog (window.print, from a file).
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Print").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
