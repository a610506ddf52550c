"""The one reader of what a serial box or a product field receives: typed text or a scan.

A scan is GS1 only when it says so: a GS1 symbology identifier (`]d2` DataMatrix,
`]C1` GS1-128, `]Q3` QR, `]e0` DataBar, `]J1` DotCode), a GS (ASCII 29) separator
(or its visible stand-in `<GS>`), the bracketed form `(01)...(21)...`, or an
http(s) GS1 Digital Link URL (any host, as the standard allows). Anything else is
plain text and comes back as typed: "21ABC" or "4006381333931" typed bare are
serials, never guessed to be GS1. Another symbology identifier (`]C0` from a
Code 128 label, `]E0`, `]Q1`...) is what the scanner adds, so it is dropped; what
follows is plain text, or a Digital Link URL (which plain QR codes carry).

GS1 parsing is biip's; this module decides what is GS1 and what a serial box
takes from it: the serial (AI 21) and the product's GTIN (AI 01).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementStrings
from biip.gs1_messages import GS1Message
from biip.symbology import GS1Symbology, SymbologyIdentifier
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

GS = "\x1d"
# What some scanners type, and GS1's own examples print, for the GS character.
VISIBLE_GS = "<GS>"
# Symbologies whose data is a GS1 message (element strings) or a Digital Link URL.
_GS1_MESSAGE_SYMBOLOGIES = GS1Symbology.with_gs1_messages()
_GS1_URI_SYMBOLOGIES = GS1Symbology.with_gs1_digital_link_uri()
# Path keys that start a Digital Link URL's identifier (GS1 Digital Link 1.x, section 4).
_DL_PRIMARY_KEYS = frozenset(
    ["00", "01", "253", "255", "401", "402", "414", "415", "417"]
    + ["8003", "8004", "8006", "8010", "8013", "8017", "8018"]
)
_URL = re.compile(r"https?://[^/?#]*(?P<path>/[^?#]*)?", re.IGNORECASE)
_BRACKETS = re.compile(r"\([0-9]{2,4}\)")
_BRACKETED_MESSAGE = re.compile(r"(?:\([0-9]{2,4}\)[^(]+)+")
_DIGITS = re.compile(r"[0-9]+")
_IDENTIFIER = re.compile(r"\][A-Za-z][0-9]")
_GTIN_LENGTHS = (8, 12, 13, 14)
# Whitespace trimmed around an entry. Python counts the separators FS, GS, RS, US
# as whitespace; a scan may start with GS (FNC1 in first position), so they stay.
_TRIMMED = "".join(
    c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\x1c\x1d\x1e\x1f"
)


class ScanError(ValidationError):
    """GS1-marked text that is malformed ("scan_invalid") or has no serial ("scan_no_serial")."""

    # Always one message with its code, translated when raised.
    message: str
    code: str

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True, slots=True)
class Scan:
    """What an entry names: a serial, and the product's GTIN-14 when a GS1 scan gives one."""

    serial: str
    gtin: str = ""
    is_gs1: bool = False


def scan_trim(text: str) -> str:
    """`text` without the whitespace around it, keeping a leading or trailing GS."""
    return text.strip(_TRIMMED)


def scan_parse(text: str) -> Scan:
    """The serial (and GTIN) that `text` names; raises ScanError for a broken GS1 scan."""
    body = scan_trim(text)
    elements, plain = _read(body)
    if elements is None:
        return Scan(serial=plain)
    serial = elements.get(ai="21")
    if serial is None:
        raise ScanError(_("The scan has no serial number (GS1 AI 21)."), code="scan_no_serial")
    return Scan(serial=serial.value, gtin=_element_gtin(elements), is_gs1=True)


def scan_gtin(text: str) -> str:
    """The GTIN-14 a product field's text names: a scan with AI 01, or a bare 8/12/13/14-digit
    code with a valid check digit; "" for anything else."""
    try:
        elements, plain = _read(scan_trim(text))
    except ScanError:
        return ""
    return _element_gtin(elements) if elements is not None else gtin_normalise(plain)


def gtin_normalise(text: str) -> str:
    """`text` as a GTIN-14 when it is 8, 12, 13 or 14 ASCII digits with a valid check digit."""
    if len(text) not in _GTIN_LENGTHS or not _DIGITS.fullmatch(text):
        return ""
    if gs1_standard_check_digit(text[:-1]) != int(text[-1]):
        return ""
    return text.zfill(14)


def _symbology(body: str) -> SymbologyIdentifier | None:
    # ISO/IEC 15424: "]", a code letter, a modifier digit. A letter modifier is rare
    # enough that "]AB1" is more likely a serial than Code 39 with modifier "B".
    if not _IDENTIFIER.match(body):
        return None
    try:
        return SymbologyIdentifier.extract(body)
    except (ParseError, IndexError, ValueError):
        # "]" and a character no symbology uses: a serial that starts with "]".
        return None


def _read(body: str) -> tuple[GS1ElementStrings | None, str]:
    """The element strings of a GS1 scan, or (None, the plain text) when `body` is not
    marked as GS1. The common case, plain text, costs a few comparisons."""
    first = body[:1]
    identifier = _symbology(body) if first == "]" else None
    if identifier is not None:
        rest = body[len(identifier) :]
        if identifier.gs1_symbology in _GS1_MESSAGE_SYMBOLOGIES:
            if identifier.gs1_symbology in _GS1_URI_SYMBOLOGIES and _is_digital_link(rest):
                return _parse(_digital_link, rest), ""
            return _parse(_message, rest), ""
        # A plain symbology: only a Digital Link URL in it is GS1.
        return (_parse(_digital_link, rest), "") if _is_digital_link(rest) else (None, rest)
    if GS in body or VISIBLE_GS in body:
        return _parse(_message, body), ""
    if first == "(" and _BRACKETS.match(body):
        return _parse(_brackets, body), ""
    if first in "hH" and _is_digital_link(body):
        return _parse(_digital_link, body), ""
    return None, body


def _is_digital_link(text: str) -> bool:
    """An http(s) URL whose path has a GS1 primary key and its value (`/01/0950...`)."""
    found = _URL.match(text)
    if found is None:
        return False
    segments = (found.group("path") or "").split("/")
    return any(
        key in _DL_PRIMARY_KEYS and value
        for key, value in zip(segments, segments[1:], strict=False)
    )


def _message(text: str) -> GS1ElementStrings:
    # A leading GS is FNC1 in first position, which some scanners send.
    message = text.replace(VISIBLE_GS, GS).lstrip(GS)
    if not message:
        raise ParseError("empty")
    return GS1Message.parse(message).element_strings


def _brackets(text: str) -> GS1ElementStrings:
    # biip skips what its pattern does not match ("(21)" with no value); all must match.
    if not _BRACKETED_MESSAGE.fullmatch("".join(text.split())):
        raise ParseError("not bracketed element strings")
    return GS1Message.parse_hri(text).element_strings


def _digital_link(text: str) -> GS1ElementStrings:
    return GS1DigitalLinkURI.parse(text).element_strings


def _parse(parser: Callable[[str], GS1ElementStrings], text: str) -> GS1ElementStrings:
    try:
        elements = parser(text)
    except (ParseError, ValueError):
        raise ScanError(
            _("The scan is not a readable GS1 code: it is cut short or has a malformed part."),
            code="scan_invalid",
        ) from None
    gtin = elements.get(ai="01")
    if gtin is not None and gtin.gtin_error:
        raise ScanError(
            _("The scan's GTIN %(gtin)s has a wrong check digit.") % {"gtin": gtin.value},
            code="scan_invalid",
        )
    return elements


def _element_gtin(elements: GS1ElementStrings) -> str:
    gtin = elements.get(ai="01")
    return gtin.value if gtin is not None else ""
