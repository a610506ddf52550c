"""The hidden "just added" time of the Serial numbers list, given a far time by hand."""

import pytest


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_far_added_at_is_a_filter_error_on_the_list_and_the_export(manager_client, value):
    # SQLite's adapter moves an aware time to UTC, which overflows past year 9999.
    page = manager_client.get("/inventory/serials/", {"added_at": value})
    export = manager_client.get("/inventory/serials/export.csv", {"added_at": value})

    assert page.status_code == 200
    # A hidden field the user never types: the list shows no rows, as for any bad filter.
    assert "No serial numbers match." in page.content.decode()
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Serial number,Product")
    assert len(lines) == 1
