"""Serial labels: each unit's barcode drawn as SVG, and the labels laid out in millimetres.

The libraries encode (python-barcode's Code 128 bars, segno's QR matrix, pystrich's
GS1 DataMatrix); the SVG is ours: one `<path>` of the dark modules in module units,
scaled to millimetres by the `<svg>` element's width and height. No style attribute,
so the page keeps the Content-Security-Policy's `style-src 'self'`.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import segno
from barcode.charsets import code128  # type: ignore[import-untyped]  # no stubs
from barcode.codex import Code128  # type: ignore[import-untyped]
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from pystrich.datamatrix import DataMatrixData, DataMatrixEncoder
from pystrich.gs1 import GS1Fixed, GS1Variable

from inventory.models import SerialRecord

# One page prints at most this many labels (209 A4 sheets): 5,000 Code 128 labels
# render in under 1 s, QR codes in 4-5 s (docs/performance.md), and a browser's print
# preview of more pages than that takes longer than printing them in parts.
LABELS_MAX = 5000


@dataclass(frozen=True)
class Layout:
    """A label stock: the label's size and inner margin, and how many fit on a printed page."""

    key: str
    name: Promise
    width: float  # mm, the label
    height: float
    # mm kept clear at the label's left and right edges (a printer's offset, the cut):
    # a Code 128, quiet zones included, spans the rest.
    padding_x: float
    per_page: int  # labels on one printed page
    bar_height: float  # mm, Code 128 bars
    square: float  # mm, a QR code or DataMatrix with its quiet zone

    @property
    def inner_width(self) -> float:
        return self.width - 2 * self.padding_x


LAYOUTS = {
    "sheet": Layout(
        key="sheet",
        name=_("A4 sheet"),
        width=70,
        height=37,
        padding_x=1,
        per_page=24,
        bar_height=15,
        square=30,
    ),
    "roll": Layout(
        key="roll",
        name=_("Label roll"),
        width=62,
        height=29,
        padding_x=1,
        per_page=1,
        bar_height=12,
        square=24,
    ),
}

CODE128, QR, DATAMATRIX = "code128", "qr", "datamatrix"
CODES = {CODE128: _("Code 128"), QR: _("QR code"), DATAMATRIX: _("GS1 DataMatrix")}

# Code 128's X-dimension (one module): GS1 asks for at least 0.25 mm; a bar below
# 0.17 mm (about one dot of a 150 dpi print, two of a 300 dpi label printer) is not
# drawn at all. Above 0.5 mm a short serial's bars would only get longer.
CODE128_MODULE_GOOD = 0.25
CODE128_MODULE_MIN = 0.17
CODE128_MODULE_MAX = 0.5
CODE128_QUIET = 10  # modules of white each side (ISO/IEC 15417)
QR_QUIET = 4  # modules (ISO/IEC 18004)
DATAMATRIX_QUIET = 2  # modules; ISO/IEC 16022 asks for one

# GS1 AI 21 (serial number): 1 to 20 characters of GS1's character set 82.
GS1_SERIAL_MAX = 20
GS1_CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")
_BARS = re.compile(r"1+")
_DARK = re.compile(b"\x01+")

# Why a label's code is not the one chosen, or may not scan.
NO_BARCODE = "no_barcode"  # DataMatrix chosen, the product has no barcode: Code 128
NOT_GS1_SERIAL = "not_gs1_serial"  # DataMatrix chosen, AI 21 cannot hold the serial: Code 128
NOT_CODE128 = "not_code128"  # characters Code 128 cannot hold: QR code of the serial
TOO_LONG = "too_long"  # Code 128 would be narrower than the minimum: QR code of the serial
NARROW = "narrow"  # Code 128 narrower than 0.25 mm a module: may not scan
PLAIN_FORM = "plain_form"  # Code 128 of the serial's plain (NFKC) form


@dataclass(frozen=True)
class Symbol:
    """A barcode drawn as SVG: what it holds, its kind and the size of one module in mm."""

    kind: str  # CODE128, QR or DATAMATRIX
    text: str  # what a scanner reads (GS1 content in brackets for DataMatrix)
    svg: SafeString
    module: float  # mm


@dataclass(frozen=True)
class Label:
    """One unit's label: its text lines, its barcode and what the page says about it."""

    product: str
    sku: str
    serial: str
    symbol: Symbol
    notes: tuple[str, ...] = ()

    @property
    def is_square(self) -> bool:
        return self.symbol.kind != CODE128

    @property
    def flagged(self) -> bool:
        """Whether this label may not scan (the page names it)."""
        return NARROW in self.notes


@dataclass
class LabelSet:
    """The labels of a page, grouped into printed pages, and the units each note concerns."""

    layout: Layout
    code: str
    pages: list[list[Label]] = field(default_factory=list)
    count: int = 0
    notes: dict[str, list[Label]] = field(default_factory=dict)


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


# The dark modules: Code 128 bars as filled rectangles; a 2D code's rows as lines one
# module thick through the middle of each row (half the bytes of rectangles).
_BARS_PAINT = 'fill="#000"'
_ROWS_PAINT = 'fill="none" stroke="#000" stroke-width="1"'


def _svg(
    path: str, *, paint: str, width: float, height: float, view_width: int, view_height: int
) -> SafeString:
    # preserveAspectRatio="none": a Code 128 is one module high in its viewBox and
    # stretched to its bar height; squares keep their aspect by their sizes.
    return mark_safe(  # noqa: S308 (numbers and a path of numbers only)
        f'<svg class="label-code" width="{_number(width)}mm" height="{_number(height)}mm" '
        f'viewBox="0 0 {view_width} {view_height}" preserveAspectRatio="none" '
        f'shape-rendering="crispEdges" aria-hidden="true" focusable="false">'
        f'<rect width="{view_width}" height="{view_height}" fill="#fff"/>'
        f'<path {paint} d="{path}"/></svg>'
    )


def code128_text(serial: str) -> str | None:
    """What a Code 128 of `serial` holds: the serial in printable ASCII, or its NFKC form
    when that is printable ASCII (`ＦＵＬＬ－１` as `FULL-1`, the same unit to every
    look-up); None when neither is."""
    for text in (serial, unicodedata.normalize("NFKC", serial)):
        if _PRINTABLE_ASCII.fullmatch(text):
            return text
    return None


class _Code128(Code128):
    """python-barcode 0.16.1's Code 128 less a fault (its issue #251, fixed after
    the release): it folded "Start C, switch" into one start code whenever the second
    code was 99, so a serial starting with the digit pair 99 lost it ("9912" read "12")."""

    def _try_to_optimize(self, encoded: list[int]) -> list[int]:
        # Only a switch to charset A or B (101, 100) folds; a data pair is at most 99.
        if encoded[:1] == [code128.START_CODES["C"]] and encoded[1:2] in ([100], [101]):
            encoded[:2] = [code128.TO[encoded[1]]]
        return encoded


def code128_modules(text: str) -> str:
    """The bars and spaces of a Code 128 of `text` ("1" dark), start to stop, no quiet zone."""
    return _Code128(text).build()[0]


def code128_svg(text: str, *, width: float, height: float, modules: str = "") -> Symbol:
    """A Code 128 of `text` (printable ASCII) as wide as fits in `width` mm, up to 0.5 mm a
    module; `modules` when already built (`code128_modules`)."""
    modules = modules or code128_modules(text)
    total = len(modules) + 2 * CODE128_QUIET
    module = min(CODE128_MODULE_MAX, width / total)
    bars = (
        (CODE128_QUIET + bar.start(), bar.end() - bar.start()) for bar in _BARS.finditer(modules)
    )
    path = "".join(f"M{x} 0h{w}v1h-{w}z" for x, w in bars)
    svg = _svg(
        path,
        paint=_BARS_PAINT,
        width=module * total,
        height=height,
        view_width=total,
        view_height=1,
    )
    return Symbol(kind=CODE128, text=text, svg=svg, module=module)


def _square_svg(runs: Iterable[tuple[int, int, int]], *, modules: int, size: float) -> SafeString:
    """A square code from its dark runs (x, y, length), in rows top to bottom, left to right."""
    parts = []
    row, end = -1, 0
    for x, y, length in runs:
        if y != row:
            parts.append(f"M{x} {y}.5h{length}")
            row = y
        else:
            parts.append(f"m{x - end} 0h{length}")
        end = x + length
    return _svg(
        "".join(parts),
        paint=_ROWS_PAINT,
        width=size,
        height=size,
        view_width=modules,
        view_height=modules,
    )


def qr_svg(text: str, *, size: float) -> Symbol:
    """A QR code of `text` in a square of `size` mm, quiet zone included.

    Error correction M (a scuffed label still reads) and mask pattern 2 fixed: segno
    tries all eight masks by default, 3.2 ms a code against 0.6 ms; any mask decodes,
    and 2 is the one segno itself picks for most unit addresses.
    """
    qr = segno.make(text, error="m", boost_error=False, micro=False, mask=2)
    matrix = qr.matrix
    runs = (
        (QR_QUIET + dark.start(), QR_QUIET + y, dark.end() - dark.start())
        for y, row in enumerate(matrix)
        for dark in _DARK.finditer(row)
    )
    modules = len(matrix) + 2 * QR_QUIET
    svg = _square_svg(runs, modules=modules, size=size)
    return Symbol(kind=QR, text=text, svg=svg, module=size / modules)


def gs1_serial_problem(serial: str) -> bool:
    """Whether GS1's AI 21 cannot hold `serial` (1 to 20 characters of character set 82)."""
    return not (0 < len(serial) <= GS1_SERIAL_MAX and GS1_CSET82.issuperset(serial))


def gs1_datamatrix_svg(gtin: str, serial: str, *, size: float) -> Symbol:
    """A GS1 DataMatrix of (01) `gtin` (14 digits) and (21) `serial`, FNC1 first."""
    data = DataMatrixData.gs1(GS1Fixed("01", gtin), GS1Variable("21", serial))
    marks = DataMatrixEncoder(data, quiet_zone=DATAMATRIX_QUIET).get_rect_marks()
    runs = ((x, y, w) for x, y, w, _h in marks.marks)
    svg = _square_svg(runs, modules=marks.width, size=size)
    return Symbol(
        kind=DATAMATRIX,
        text=f"(01){gtin}(21){serial}",
        svg=svg,
        module=size / marks.width,
    )


def product_gtin(product) -> str:
    """The product's barcode as a GTIN-14, or "" (the field is catalog's)."""
    gtin = getattr(product, "gtin", "") or ""
    return gtin if len(gtin) == 14 and gtin.isascii() and gtin.isdigit() else ""


def label_make(*, serial: SerialRecord, layout: Layout, code: str, url: str) -> Label:
    """One unit's label in `code`, or in the fall-back the unit needs, with why."""
    notes: list[str] = []
    symbol: Symbol | None = None
    if code == QR:
        symbol = qr_svg(url, size=layout.square)
    elif code == DATAMATRIX:
        gtin = product_gtin(serial.product)
        if not gtin:
            notes.append(NO_BARCODE)
        elif gs1_serial_problem(serial.serial):
            notes.append(NOT_GS1_SERIAL)
        else:
            symbol = gs1_datamatrix_svg(gtin, serial.serial, size=layout.square)
    if symbol is None:
        symbol = _code128_or_qr(serial.serial, layout=layout, notes=notes)
    return Label(
        product=serial.product.name,
        sku=serial.product.sku,
        serial=serial.serial,
        symbol=symbol,
        notes=tuple(notes),
    )


def _code128_or_qr(serial: str, *, layout: Layout, notes: list[str]) -> Symbol:
    text = code128_text(serial)
    if text is None:
        notes.append(NOT_CODE128)
        return qr_svg(serial, size=layout.square)
    modules = code128_modules(text)
    module = layout.inner_width / (len(modules) + 2 * CODE128_QUIET)
    if module < CODE128_MODULE_MIN:
        notes.append(TOO_LONG)
        return qr_svg(serial, size=layout.square)
    if text != serial:
        notes.append(PLAIN_FORM)
    if module < CODE128_MODULE_GOOD:
        notes.append(NARROW)
    return code128_svg(text, width=layout.inner_width, height=layout.bar_height, modules=modules)


def labels_make(
    *,
    serials: Sequence[SerialRecord],
    layout: Layout,
    code: str,
    url_of: Callable[[SerialRecord], str],
) -> LabelSet:
    """The labels of `serials` in `code` on `layout`, in printed pages; `url_of` gives a
    unit's page address (for QR codes)."""
    result = LabelSet(layout=layout, code=code, count=len(serials))
    page: list[Label] = []
    for serial in serials:
        url = url_of(serial) if code == QR else ""
        label = label_make(serial=serial, layout=layout, code=code, url=url)
        for note in label.notes:
            result.notes.setdefault(note, []).append(label)
        page.append(label)
        if len(page) == layout.per_page:
            result.pages.append(page)
            page = []
    if page:
        result.pages.append(page)
    return result
