"""serial_range: Generate's rule for a range of serial numbers from a first serial and a count."""

import time

import pytest
from django.core.exceptions import ValidationError

from inventory.services.ranges import serial_range, serial_range_grown_at


def problems(first, count):
    """The (code, message) of each problem serial_range raises for `first` x `count`."""
    with pytest.raises(ValidationError) as raised:
        serial_range(first=first, count=count)
    return [(error.code, error.message) for error in raised.value.error_list]


def test_the_issues_example_keeps_the_zeros():
    assert serial_range(first="SN-0098", count=5) == [
        "SN-0098",
        "SN-0099",
        "SN-0100",
        "SN-0101",
        "SN-0102",
    ]


def test_only_the_last_group_of_digits_counts_up():
    assert serial_range(first="AF5-69H", count=3) == ["AF5-69H", "AF5-70H", "AF5-71H"]
    assert serial_range(first="2024-07-0009-B", count=2) == ["2024-07-0009-B", "2024-07-0010-B"]


def test_a_number_that_runs_out_of_digits_grows_one_and_says_where():
    serials = serial_range(first="SN-99", count=3)
    assert serials == ["SN-99", "SN-100", "SN-101"]
    assert serial_range_grown_at(serials) == "SN-100"
    assert serial_range_grown_at(serial_range(first="9", count=2)) == "10"


def test_a_range_that_keeps_its_width_has_not_grown():
    assert serial_range_grown_at(serial_range(first="SN-0098", count=5)) is None
    assert serial_range_grown_at([]) is None


def test_a_count_of_one_is_the_first_serial_alone():
    assert serial_range(first="SN-0098", count=1) == ["SN-0098"]


def test_the_text_around_the_number_is_kept_exactly():
    assert serial_range(first="ab 007 ß", count=2) == ["ab 007 ß", "ab 008 ß"]
    assert serial_range(first="0", count=3) == ["0", "1", "2"]
    assert serial_range(first="000", count=2) == ["000", "001"]


def test_a_number_of_many_digits_counts_exactly():
    first = "X" + "9" * 40
    assert serial_range(first=first, count=2) == [first, "X1" + "0" * 40]


def test_a_first_serial_without_a_digit_is_refused():
    assert problems("AF-H", 5) == [
        ("no_number", "The first serial has no number to count up from.")
    ]


def test_only_ascii_digits_count():
    # Arabic-Indic three, full-width seven, superscript two: text, not numbers.
    assert problems("SN-٣", 2)[0][0] == "no_number"
    assert problems("SN-７", 2)[0][0] == "no_number"
    assert serial_range(first="SN4-²", count=2) == ["SN4-²", "SN5-²"]
    assert serial_range(first="٣-8", count=2) == ["٣-8", "٣-9"]


@pytest.mark.parametrize("count", [0, -1, 20_001, 10**30])
def test_a_count_outside_1_to_the_cap_is_refused(count):
    assert problems("SN-0098", count) == [
        ("count_out_of_range", "Enter a count from 1 to 20,000.")
    ]


def test_the_cap_is_the_submission_cap(settings):
    settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION = 3
    assert len(serial_range(first="A1", count=3)) == 3
    assert problems("A1", 4) == [("count_out_of_range", "Enter a count from 1 to 3.")]


def test_a_whole_submission_is_generated_fast():
    start = time.perf_counter()
    serials = serial_range(first="SN-000001", count=20_000)
    elapsed = time.perf_counter() - start
    assert (serials[0], serials[-1], len(set(serials))) == ("SN-000001", "SN-020000", 20_000)
    assert elapsed < 0.1, elapsed


def test_both_a_bad_first_serial_and_a_bad_count_are_said():
    assert problems("NONE", 0) == [
        ("no_number", "The first serial has no number to count up from."),
        ("count_out_of_range", "Enter a count from 1 to 20,000."),
    ]


@pytest.mark.parametrize(
    ("first", "code", "message"),
    [
        ("", "empty", "The serial number is empty."),
        ("S" * 100 + "1", "too_long", "Longer than 100 characters."),
        # NFKC makes this one character 18: its key would not fit the column.
        ("ﷺ" * 6 + "1", "too_long", "Longer than 100 characters."),
        ("SN,1", "comma", "Contains a comma."),
        ("SN;1", "semicolon", "Contains a semicolon, which separates serial numbers."),
        ("SN\x001", "unprintable", "Contains a control or non-printable character."),
        ("SN\t1", "unprintable", "Contains a control or non-printable character."),
        ("SN\n1", "unprintable", "Contains a control or non-printable character."),
        ("SN\u202e1", "unprintable", "Contains a control or non-printable character."),
    ],
)
def test_the_first_serial_obeys_the_serial_text_rules(first, code, message):
    assert problems(first, 2) == [(code, message)]


def test_a_range_that_would_outgrow_the_column_says_how_many_fit():
    first = "S" * 98 + "98"  # 100 characters: ...98 and ...99 fit, ...100 would not
    assert serial_range(first=first, count=2)[-1] == "S" * 98 + "99"
    assert serial_range(first="S" * 97 + "99", count=2)[-1] == "S" * 97 + "100"
    assert problems(first, 3) == [
        (
            "range_too_long",
            "Only 2 serial numbers can be generated from this first serial: "
            "the next would be longer than 100 characters.",
        )
    ]
    at_the_limit = "S" * 99 + "9"
    assert problems(at_the_limit, 2) == [
        (
            "range_too_long",
            "Only 1 serial number can be generated from this first serial: "
            "the next would be longer than 100 characters.",
        )
    ]


def test_a_range_whose_key_outgrows_the_column_is_refused_too():
    # 15 characters typed, but NFKC makes each ﷺ 18: the key is 90 + 10 = 100
    # characters, and one more digit would not fit.
    first = "ﷺ" * 5 + "9" * 10
    assert problems(first, 2)[0][0] == "range_too_long"
