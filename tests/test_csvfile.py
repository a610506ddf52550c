"""lib.csvfile: the one CSV writer of every export and download."""

import csv
import io
from decimal import Decimal

from lib.csvfile import csv_pieces, csv_text


def test_text_cells_that_a_spreadsheet_would_run_are_written_as_text_and_numbers_as_they_are():
    text = csv_text(["Name", "Difference"], [["=SUM(A1)", -3], ["-5", Decimal("-1.50")]])

    assert text.startswith("\ufeff")
    assert text.removeprefix("\ufeff").split("\r\n") == [
        "Name,Difference",
        "'=SUM(A1),-3",
        "'-5,-1.50",
        "",
    ]


def test_pieces_are_the_header_then_one_per_chunk_and_read_back_as_written():
    chunks_read = []

    def chunks():
        for chunk in [[["a,b", 1]], [['say "hi"\nthere', 2], ["@home", 3]]]:
            chunks_read.append(chunk)
            yield chunk

    pieces = csv_pieces(["Text", "N"], chunks())
    head = next(pieces)

    assert head == "\ufeffText,N\r\n"
    assert chunks_read == []  # nothing read before its piece is asked for
    rest = list(pieces)
    assert len(rest) == 2
    rows = list(csv.reader(io.StringIO("".join(rest), newline="")))
    assert rows == [["a,b", "1"], ['say "hi"\nthere', "2"], ["'@home", "3"]]
