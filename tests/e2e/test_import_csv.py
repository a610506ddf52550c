"""Import CSV as a clerk does it: a file with one bad row, then only the valid rows."""

from pathlib import Path

from playwright.sync_api import expect

from inventory.models import SerialRecord
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory


def test_a_file_with_a_bad_row_is_kept_and_its_valid_rows_imported(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    product = ProductFactory(name="Barista Pro", sku="BP-900")
    main_street = OutletFactory(name="Main Street")
    SerialRecordFactory(serial="BP-OLD", product=product, outlet=main_street)
    log_in("sam")

    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Serial numbers").click()
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", name="Import serial numbers")).to_be_visible()
    expect(page.get_by_role("link", name="Download a template")).to_be_visible()
    csv = "serial,product SKU,outlet\nBP-1,BP-900,Main Street\nbp-old,BP-900,Main Street\n"
    csv += "BP-2,BP-900,Main Street\n"
    page.get_by_label("CSV file").set_input_files(
        {"name": "delivery.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_text("1 entry cannot be recorded")).to_be_visible()
    expect(page.get_by_text("File: delivery.csv, 3 rows.")).to_be_visible()
    assert SerialRecord.objects.count() == 1
    expect(page.get_by_role("heading", name="1 already recorded for this product")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download all problems").click()
    assert Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines() == [
        "Row,Serial number,Problem",
        "3,bp-old,Already recorded for this product at Main Street (In stock).",
    ]
    assert SerialRecord.objects.count() == 1
    # The file is not chosen again: the page refers to the one kept on the server.
    page.get_by_role("button", name="Import only the 2 valid rows").click()
    expect(page.get_by_text("2 serial numbers imported")).to_be_visible()
    imported = SerialRecord.objects.filter(product=product).exclude(serial="BP-OLD")
    assert sorted(imported.values_list("serial", flat=True)) == ["BP-1", "BP-2"]
