"""Writing CSV files for spreadsheets: the one writer every export and download uses.

A file starts with a UTF-8 byte order mark, so spreadsheets keep accents; a text
cell that a spreadsheet would run as a formula is written so it shows as text.
Rows come out as text pieces, ready to stream. (Named csvfile, not csv: inside
lib it would hide the standard module.)
"""

import csv
import re
from collections.abc import Iterable, Iterator

# The BOM tells spreadsheets the file is UTF-8.
BOM = "\ufeff"

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV
# injection"). A text cell so led, or one already led by quotes then one of
# these, gets one more ' in front, so import can take exactly that one off
# again: the round trip gives back the text as it was.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED_FORMULA_START = re.compile(r"'+[=+\-@\t\r]")

# A cell: text (escaped) or a number (written as it is, a minus sign included).
Cell = object


def csv_cell_escape(value: str) -> str:
    """`value` as a CSV cell that a spreadsheet shows as text, never runs."""
    return f"'{value}" if _FORMULA_START.match(value) else value


def csv_cell_unescape(value: str) -> str:
    """The text a cell written by `csv_cell_escape` came from."""
    return value[1:] if _ESCAPED_FORMULA_START.match(value) else value


class _Echo:
    """A file whose write hands the line back, so csv.writer makes text and keeps none."""

    def write(self, value: str) -> str:
        return value


_formula_like = _FORMULA_START.match


def _cells(row: Iterable[Cell]) -> list[Cell]:
    # csv_cell_escape inlined: an export runs this for every cell of 100,000 rows.
    return [
        (f"'{cell}" if _formula_like(cell) else cell) if isinstance(cell, str) else cell
        for cell in row
    ]


def csv_head(header: Iterable[Cell]) -> str:
    """The start of a CSV file: the BOM and the header line."""
    return BOM + csv.writer(_Echo()).writerow(_cells(header))


def csv_rows(rows: Iterable[Iterable[Cell]]) -> str:
    """CSV lines (each ending in CRLF) of `rows`: text cells formula-safe, numbers as they are."""
    writer = csv.writer(_Echo())
    return "".join(writer.writerow(_cells(row)) for row in rows)


def csv_pieces(
    header: Iterable[Cell], chunks: Iterable[Iterable[Iterable[Cell]]]
) -> Iterator[str]:
    """A CSV file as text pieces to stream: `csv_head`, then one piece per chunk of rows.

    Lazy: a chunk is read only when its piece is asked for, so a streamed response
    fetches rows as it sends them.
    """
    yield csv_head(header)
    for chunk in chunks:
        yield csv_rows(chunk)


def csv_text(header: Iterable[Cell], rows: Iterable[Iterable[Cell]]) -> str:
    """A whole CSV file as one text: the BOM, the header line and the rows."""
    return csv_head(header) + csv_rows(rows)
