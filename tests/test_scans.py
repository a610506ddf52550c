"""lib.scans: the one reader of serial boxes and product fields, on GS1's example codes.

GTINs are GS1's own example numbers (09506000134352 on GS1's sample barcodes,
09520123456788 in the GS1 Digital Link standard, 95012345678903 in the General
Specifications); each code below is written in every form a scanner or a person
sends it: symbology identifier and GS, brackets, Digital Link URL.
"""

import time

import pytest
from django.core.exceptions import ValidationError

from lib.scans import GS, Scan, ScanError, scan_gtin, scan_parse, scan_trim

GTIN = "09506000134352"


@pytest.mark.parametrize(
    ("text", "serial", "gtin"),
    [
        # GS1 DataMatrix, as a scanner sends it: ]d2, then element strings, GS after
        # each variable-length one (lot 10) that is not last.
        (f"]d201{GTIN}17201225" + "10ABC123" + GS + "21XYZ-99", "XYZ-99", GTIN),
        (f"]d201{GTIN}21XYZ-99", "XYZ-99", GTIN),
        (f"]d221XYZ-99{GS}01{GTIN}", "XYZ-99", GTIN),
        (f"]d201{GTIN}21XYZ-99{GS}10ABC123", "XYZ-99", GTIN),
        # GS1-128, GS1 QR, GS1 DataBar.
        (f"]C101{GTIN}10ABC123{GS}21XYZ-99", "XYZ-99", GTIN),
        ("]Q30109520123456788" + "21" + "12345", "12345", "09520123456788"),
        ("]e00195012345678903" + "17" + "260131" + "21" + "A1", "A1", "95012345678903"),
        # No identifier, but a GS: a leading one is FNC1 in first position.
        (f"01{GTIN}10ABC123{GS}21XYZ-99", "XYZ-99", GTIN),
        (f"{GS}01{GTIN}10ABC123{GS}21XYZ-99", "XYZ-99", GTIN),
        (f"01{GTIN}10ABC123<GS>21XYZ-99", "XYZ-99", GTIN),
        # The bracketed human-readable form, as printed under the barcode.
        (f"(01){GTIN}(17)201225(10)ABC123(21)XYZ-99", "XYZ-99", GTIN),
        (f"(01) {GTIN} (21) XYZ-99", "XYZ-99", GTIN),
        ("(21)XYZ-99", "XYZ-99", ""),
        # GS1 Digital Link URLs: GS1's resolver, any other host, with a path prefix,
        # qualifiers in the path, others in the query, a percent-encoded serial.
        (
            "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
            "12345",
            "09520123456788",
        ),
        (f"https://example.com/01/{GTIN}/21/XYZ-99", "XYZ-99", GTIN),
        (f"https://shop.example.com/products/01/{GTIN}/21/XYZ-99", "XYZ-99", GTIN),
        (f"HTTP://ID.GS1.ORG/01/{GTIN}/21/XYZ-99", "XYZ-99", GTIN),
        (f"https://id.gs1.org/01/{GTIN}/21/AB%2F7", "AB/7", GTIN),
        (f"https://id.gs1.org/01/{GTIN}?21=XYZ-99", "XYZ-99", GTIN),
        # A DL URL in a GS1 QR or DataMatrix, or in a plain QR (as the DL standard has it).
        (f"]Q3https://id.gs1.org/01/{GTIN}/21/XYZ-99", "XYZ-99", GTIN),
        (f"]d2https://id.gs1.org/01/{GTIN}/21/XYZ-99", "XYZ-99", GTIN),
        (f"]Q1https://id.gs1.org/01/{GTIN}/21/XYZ-99", "XYZ-99", GTIN),
        # Whitespace around a scan goes; the GS at its start stays a marker.
        (f"  ]d201{GTIN}21XYZ-99 \t", "XYZ-99", GTIN),
    ],
)
def test_a_gs1_scan_gives_its_serial_and_gtin(text, serial, gtin):
    assert scan_parse(text) == Scan(serial=serial, gtin=gtin, is_gs1=True)


@pytest.mark.parametrize(
    ("text", "serial"),
    [
        # Typed with no GS1 marker: plain, however GS1-like.
        ("21ABC", "21ABC"),
        ("4006381333931", "4006381333931"),
        (f"01{GTIN}21XYZ", f"01{GTIN}21XYZ"),
        ("SN-0098", "SN-0098"),
        ("AF5-69H", "AF5-69H"),
        ("356938035643809", "356938035643809"),
        ("(A)123", "(A)123"),
        ("(1)23", "(1)23"),
        ("(0)1", "(0)1"),
        ("(٠١)09506000134352", "(٠١)09506000134352"),  # AIs are ASCII digits
        ("]AB123", "]AB123"),
        ("]", "]"),
        ("Ünïcødé-1", "Ünïcødé-1"),
        ("  SN-1 \t", "SN-1"),
        # A plain symbology's identifier is the scanner's, not the serial's.
        ("]C0SN-0098", "SN-0098"),
        ("]E04006381333931", "4006381333931"),
        ("]d1ABC123", "ABC123"),
        ("]A0CODE39", "CODE39"),
        # URLs that are no Digital Link: a unit's page (a label's QR code), any site.
        (
            "]Q1https://desk.example.com/inventory/serials/414/",
            "https://desk.example.com/inventory/serials/414/",
        ),
        (
            "https://desk.example.com/inventory/serials/12/",
            "https://desk.example.com/inventory/serials/12/",
        ),
        ("ftp://id.gs1.org/01/09506000134352/21/X", "ftp://id.gs1.org/01/09506000134352/21/X"),
    ],
)
def test_plain_text_comes_back_as_typed(text, serial):
    assert scan_parse(text) == Scan(serial=serial, gtin="", is_gs1=False)


def test_hostile_plain_text_is_left_for_the_serial_rules():
    # NUL and control characters in plain text are the serial check's to refuse.
    for text in ["AB\x00C", "AB\x07C", "A" * 10_000, "\u202eSN-1"]:
        assert scan_parse(text) == Scan(serial=text)


@pytest.mark.parametrize(
    "text",
    [
        f"]d201{GTIN}17201225" + "10ABC123",
        f"(01){GTIN}(17)201225(10)ABC123",
        f"01{GTIN}10ABC123{GS}",
        f"https://id.gs1.org/01/{GTIN}/10/ABC123",
        f"https://id.gs1.org/01/{GTIN}?17=201225",
        f"]C101{GTIN}",
    ],
)
def test_a_gs1_scan_without_ai_21_has_no_serial(text):
    with pytest.raises(ScanError) as caught:
        scan_parse(text)
    assert caught.value.code == "scan_no_serial"
    assert caught.value.message == "The scan has no serial number (GS1 AI 21)."


@pytest.mark.parametrize(
    "text",
    [
        "]d20109506000134353" + "21XYZ",
        "(01)09506000134353(21)XYZ",
        "https://id.gs1.org/01/09506000134353/21/XYZ",
        f"0109506000134353{GS}21XYZ",
    ],
)
def test_a_wrong_gtin_check_digit_is_named(text):
    with pytest.raises(ScanError) as caught:
        scan_parse(text)
    assert caught.value.code == "scan_invalid"
    assert caught.value.message == "The scan's GTIN 09506000134353 has a wrong check digit."


@pytest.mark.parametrize(
    "text",
    [
        "]d2",
        "]d2" + GS,
        "]d201095060001",  # cut short in the GTIN
        f"]d201{GTIN}21",  # cut short after the serial's AI
        f"]C101{GTIN}17201399" + "21X",  # month 13
        f"(01){GTIN}(21)",
        "(01)ABC(21)X",
        "(7777)X(21)Y",  # no such AI
        f"]d201{GTIN}21" + "A" * 21,  # AI 21 holds at most 20 characters
        f"https://id.gs1.org/01/{GTIN}/21",
        f"https://id.gs1.org/01/{GTIN}/21/X/99",
        f"https://id.gs1.org/01/{GTIN}/21/X/22/Y",  # 22 does not qualify a GTIN this way
        "]Q3https://example.com/no-link-here",
        f"SN{GS}1",
        "A<GS>B",
    ],
)
def test_a_malformed_gs1_scan_is_refused(text):
    with pytest.raises(ScanError) as caught:
        scan_parse(text)
    assert caught.value.code == "scan_invalid"
    assert "not a readable GS1 code" in caught.value.message


def test_hostile_gs1_text_is_refused_quickly():
    hostile = [
        (f"]d201{GTIN}21AB\x00C", "scan_invalid"),
        (f"]d201{GTIN}{GS}21" + "A" * 10_000, "scan_invalid"),
        (f"https://id.gs1.org/01/{GTIN}/21/" + "A" * 10_000, "scan_invalid"),
        ("(21)" + "(" * 10_000, "scan_invalid"),
        (f"]d201{GTIN}21\u202eXYZ", "scan_invalid"),
        (f"]d201{GTIN}" + f"{GS}10A" * 3_000, "scan_no_serial"),
    ]
    started = time.perf_counter()
    for text, code in hostile:
        with pytest.raises(ScanError) as caught:
            scan_parse(text)
        assert caught.value.code == code
    assert time.perf_counter() - started < 0.5


def test_a_scan_error_is_a_validation_error_with_its_code():
    with pytest.raises(ValidationError) as caught:
        scan_parse("(01)09506000134352")
    assert isinstance(caught.value, ScanError)
    assert caught.value.code == "scan_no_serial"


def test_trimming_keeps_the_gs_at_either_end():
    assert scan_trim(f" \u3000{GS}01{GTIN}{GS}\n") == f"{GS}01{GTIN}{GS}"
    # str.strip() would take it: Python counts GS as whitespace.
    assert f"{GS}X".strip() == "X"


@pytest.mark.parametrize(
    ("text", "gtin"),
    [
        ("4006381333931", "04006381333931"),
        ("012345678905", "00012345678905"),
        ("96385074", "00000096385074"),
        (GTIN, GTIN),
        (" 4006381333931 ", "04006381333931"),
        ("]E04006381333931", "04006381333931"),
        ("]E496385074", "00000096385074"),
        (f"(01){GTIN}", GTIN),
        (f"(01){GTIN}(21)XYZ", GTIN),
        (f"]d201{GTIN}10ABC", GTIN),
        (f"https://id.gs1.org/01/{GTIN}", GTIN),
        # Not a GTIN: wrong check digit, wrong length, not ASCII digits, malformed, words.
        ("4006381333932", ""),
        ("1234567", ""),
        ("123456789012345", ""),
        ("٤٠٠٦٣٨١٣٣٣٩٣١", ""),
        ("(01)09506000134353", ""),
        ("]d2", ""),
        ("(21)XYZ", ""),
        ("Bosch Kettle", ""),
        ("", ""),
        ("4006381333931\x00", ""),
    ],
)
def test_scan_gtin_names_the_gtin_of_a_product_field(text, gtin):
    assert scan_gtin(text) == gtin
