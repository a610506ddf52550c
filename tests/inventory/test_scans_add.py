"""Scans and serial number formats in the add pipeline: Add Serial numbers, Import CSV,
background jobs and Edit serial all read entries with lib.scans and check formats."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import SerialJob, SerialJobState, SerialRecord
from inventory.services import SerialsRejected, serial_update, serials_add, serials_import
from inventory.services import jobs as jobs_module
from inventory.services.scans import scan_product_problem
from inventory.services.serials import serials_parse
from lib.scans import GS, Scan
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

GTIN = "09506000134352"  # GS1's example GTIN
KETTLE_GTIN = "04006381333931"
HEADER = "serial,product SKU,outlet"


@pytest.fixture
def silvia():
    return ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=GTIN)


@pytest.fixture
def kettle():
    return ProductFactory(name="Bosch Kettle", sku="BK-1", barcode="4006381333931")


@pytest.fixture
def phone():
    return ProductFactory(name="Pixel 9", sku="PX-9", serial_format="imei")


@pytest.fixture
def staff():
    return UserFactory(username="sam", groups=["Staff"])


@pytest.fixture
def manager():
    return UserFactory(username="mia", groups=["Managers"])


def recorded() -> list[str]:
    return sorted(SerialRecord.objects.values_list("serial", flat=True))


def problems(rejected) -> list[tuple[int, str, str]]:
    return [(p.position, p.code, p.reason) for p in rejected.value.check.problems]


# Scans ---------------------------------------------------------------------------


def test_scans_are_recorded_as_their_serial_and_plain_text_as_typed(silvia, outlet, staff):
    entries = [
        f"]d201{GTIN}17201225" + "10ABC123" + GS + "21SCAN-1",
        f"(01){GTIN}(21)SCAN-2",
        f"https://id.gs1.org/01/{GTIN}/21/SCAN-3",
        "PLAIN-4",
        "]C0CODE-5",
        f"{GS}01{GTIN}10LOT{GS}21SCAN-6",
        "21ABC",
    ]
    result = serials_add(product=silvia, outlet=outlet, entries=entries, user=staff)
    assert result.count == 7
    assert recorded() == ["21ABC", "CODE-5", "PLAIN-4", "SCAN-1", "SCAN-2", "SCAN-3", "SCAN-6"]
    normalised = SerialRecord.objects.values_list("serial_normalised", flat=True)
    assert sorted(normalised) == [
        "21abc",
        "code-5",
        "plain-4",
        "scan-1",
        "scan-2",
        "scan-3",
        "scan-6",
    ]
    assert not any(GS in serial or "(" in serial for serial in recorded())


def test_a_scan_of_another_product_names_both_and_saves_nothing(silvia, kettle, outlet, staff):
    entries = ["SN-1", f"]d201{KETTLE_GTIN}21K-1", f"]d201{GTIN}21S-1"]
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(product=silvia, outlet=outlet, entries=entries, user=staff)
    assert problems(rejected) == [
        (
            2,
            "gtin_other_product",
            "The scan is of Bosch Kettle (BK-1), not Rancilio Silvia (RS-1).",
        )
    ]
    # What was typed is listed, not the serial taken from it.
    assert rejected.value.check.problems[0].text == f"]d201{KETTLE_GTIN}21K-1"
    assert recorded() == []


def test_a_gtin_no_product_has_is_refused_for_a_product_with_a_barcode(silvia, outlet, staff):
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(
            product=silvia, outlet=outlet, entries=["(01)09520123456788(21)X-1"], user=staff
        )
    assert problems(rejected) == [
        (
            1,
            "gtin_other_product",
            "The scan's GTIN 09520123456788 is not the barcode of Rancilio Silvia (RS-1).",
        )
    ]
    assert recorded() == []


def test_a_product_without_a_barcode_takes_an_unknown_gtin_but_not_another_products(
    kettle, outlet, staff
):
    plain = ProductFactory(name="Gaggia Classic", sku="GC-1")
    serials_add(product=plain, outlet=outlet, entries=["(01)09520123456788(21)G-1"], user=staff)
    assert recorded() == ["G-1"]
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(
            product=plain, outlet=outlet, entries=[f"(01){KETTLE_GTIN}(21)G-2"], user=staff
        )
    assert problems(rejected) == [
        (1, "gtin_other_product", "The scan is of Bosch Kettle (BK-1), not Gaggia Classic (GC-1).")
    ]
    assert recorded() == ["G-1"]


def test_a_barcode_typed_shorter_matches_its_gtin_14(outlet, staff):
    upc = ProductFactory(name="Kettle US", sku="KU-1", barcode="012345678905")
    serials_add(product=upc, outlet=outlet, entries=["(01)00012345678905(21)U-1"], user=staff)
    assert recorded() == ["U-1"]


def test_malformed_scans_are_problems_with_their_reason(silvia, outlet, staff):
    entries = [f"]d201{GTIN}10LOT", "(01)09506000134353(21)X", f"]d201{GTIN}21", "OK-1"]
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(product=silvia, outlet=outlet, entries=entries, user=staff)
    assert problems(rejected) == [
        (1, "scan_no_serial", "The scan has no serial number (GS1 AI 21)."),
        (2, "scan_invalid", "The scan's GTIN 09506000134353 has a wrong check digit."),
        (
            3,
            "scan_invalid",
            "The scan is not a readable GS1 code: it is cut short or has a malformed part.",
        ),
    ]
    assert recorded() == []


def test_only_valid_skips_the_bad_scans_and_records_the_rest(silvia, kettle, outlet, staff):
    entries = [f"(01){KETTLE_GTIN}(21)K-1", f"(01){GTIN}(21)S-1", "(01)1(21)X"]
    result = serials_add(
        product=silvia, outlet=outlet, entries=entries, user=staff, only_valid=True
    )
    assert result.count == 1
    assert [(p.position, p.code) for p in result.skipped] == [
        (1, "gtin_other_product"),
        (3, "scan_invalid"),
    ]
    assert recorded() == ["S-1"]


def test_a_scan_and_the_typed_serial_are_one_entry_twice(silvia, outlet, staff):
    SerialRecordFactory(product=silvia, outlet=outlet, serial="OLD-1")
    entries = ["S-1", f"(01){GTIN}(21)s-1", f"]d201{GTIN}21OLD-1"]
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(product=silvia, outlet=outlet, entries=entries, user=staff)
    assert [(p.position, p.text, p.code) for p in rejected.value.check.problems] == [
        (2, "s-1", "repeated"),
        (3, "OLD-1", "exists"),
    ]


def test_the_serial_of_a_scan_meets_the_serial_rules(silvia, outlet, staff):
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(product=silvia, outlet=outlet, entries=[f"(01){GTIN}(21)A,B"], user=staff)
    assert [p.code for p in rejected.value.check.problems] == ["comma"]


def test_hostile_scans_are_refused_as_problems(silvia, outlet, staff):
    entries = [
        f"]d201{GTIN}21AB\x00C",
        f"]d201{GTIN}{GS}21" + "A" * 10_000,
        f"https://evil.example/01/{GTIN}/21/" + "\u202e" * 5,
    ]
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(product=silvia, outlet=outlet, entries=entries, user=staff)
    assert [p.code for p in rejected.value.check.problems] == ["scan_invalid"] * 3
    assert recorded() == []


def test_a_digital_link_on_any_host_is_a_scan(silvia, outlet, staff):
    entries = [f"https://shop.example.com/01/{GTIN}/21/DL-1"]
    serials_add(product=silvia, outlet=outlet, entries=entries, user=staff)
    assert recorded() == ["DL-1"]


def test_splitting_keeps_a_gs_at_either_end_of_an_entry():
    text = f"A-1\n{GS}01{GTIN}10LOT{GS}21X{GS}\n\u00a0B-2\u00a0"
    assert serials_parse(text) == ["A-1", f"{GS}01{GTIN}10LOT{GS}21X{GS}", "B-2"]


def test_scan_product_problem_is_none_for_the_products_own_gtin_or_none(silvia, kettle):
    by_gtin = {GTIN: silvia, KETTLE_GTIN: kettle}
    assert scan_product_problem(Scan("S", GTIN, True), silvia, by_gtin) is None
    assert scan_product_problem(Scan("S", "", False), silvia, by_gtin) is None
    assert scan_product_problem(Scan("S", KETTLE_GTIN, True), silvia, by_gtin) == (
        "gtin_other_product",
        "The scan is of Bosch Kettle (BK-1), not Rancilio Silvia (RS-1).",
    )


def test_a_batch_of_scans_costs_the_same_queries_whatever_its_size(silvia, kettle, outlet, staff):
    def queries(count: int, start: int) -> int:
        entries = [f"(01){GTIN}(21)Q-{start + i}" for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            serials_add(product=silvia, outlet=outlet, entries=entries, user=staff)
        return len(captured)

    def plain_queries(count: int, start: int) -> int:
        entries = [f"P-{start + i}" for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            serials_add(product=silvia, outlet=outlet, entries=entries, user=staff)
        return len(captured)

    one, hundred = queries(1, 0), queries(100, 1)
    assert one == hundred
    # Scans cost one query more than plain text: the products of their GTINs.
    assert plain_queries(100, 0) == hundred - 1
    assert SerialRecord.objects.count() == 201


# Serial number formats ------------------------------------------------------------


def test_an_entry_that_breaks_the_format_is_a_problem_with_its_reason(phone, outlet, staff):
    entries = ["356938035643809", "356938035643808", "35693803564380"]
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(product=phone, outlet=outlet, entries=entries, user=staff)
    assert problems(rejected) == [
        (2, "format", "Not an IMEI: the check digit should be 9."),
        (3, "format", "Not an IMEI: it has 14 digits; an IMEI has 15 (or 16 for an IMEISV)."),
    ]
    assert recorded() == []


def test_the_format_is_checked_on_a_scans_serial(outlet, staff):
    phone = ProductFactory(sku="PX-10", serial_format="imei", barcode=GTIN)
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(
            product=phone, outlet=outlet, entries=[f"(01){GTIN}(21)356938035643808"], user=staff
        )
    assert [p.code for p in rejected.value.check.problems] == ["format"]
    serials_add(
        product=phone, outlet=outlet, entries=[f"(01){GTIN}(21)356938035643809"], user=staff
    )
    assert recorded() == ["356938035643809"]


def test_a_manager_adds_anyway_what_breaks_the_format(phone, outlet, manager):
    entries = ["356938035643809", "356938035643808"]
    result = serials_add(
        product=phone, outlet=outlet, entries=entries, user=manager, format_confirmed=True
    )
    assert result.count == 2
    assert recorded() == ["356938035643808", "356938035643809"]


def test_add_anyway_still_refuses_the_other_problems(phone, outlet, manager):
    SerialRecordFactory(product=phone, outlet=outlet, serial="356938035643808")
    entries = ["356938035643808", "12", "12"]
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(
            product=phone, outlet=outlet, entries=entries, user=manager, format_confirmed=True
        )
    # The recorded one is "exists", not "format": Add anyway would not record it.
    assert [(p.position, p.code) for p in rejected.value.check.problems] == [
        (1, "exists"),
        (3, "repeated"),
    ]
    result = serials_add(
        product=phone,
        outlet=outlet,
        entries=entries,
        user=manager,
        format_confirmed=True,
        only_valid=True,
    )
    assert result.count == 1
    assert recorded() == ["12", "356938035643808"]


def test_staff_cannot_add_anyway(phone, outlet, staff):
    with pytest.raises(PermissionDenied):
        serials_add(
            product=phone, outlet=outlet, entries=["12"], user=staff, format_confirmed=True
        )
    assert recorded() == []


def test_a_pattern_format_names_its_pattern(outlet, staff):
    product = ProductFactory(sku="PT-1", serial_format="pattern", serial_pattern="SN-####")
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(product=product, outlet=outlet, entries=["SN-1234", "SN-12A4"], user=staff)
    assert problems(rejected) == [(2, "format", "Does not match the pattern SN-####.")]


def test_the_format_of_the_product_as_locked_is_used(phone, outlet, staff):
    # The page read the product as Any; it is IMEI when the batch runs.
    stale = type(phone).objects.get(pk=phone.pk)
    stale.serial_format = "any"
    with pytest.raises(SerialsRejected) as rejected:
        serials_add(product=stale, outlet=outlet, entries=["12"], user=staff)
    assert [p.code for p in rejected.value.check.problems] == ["format"]


# Import CSV ---------------------------------------------------------------------


def test_import_reads_scans_and_checks_their_gtin_against_the_rows_sku(
    silvia, kettle, outlet, staff
):
    rows = [
        f'"(01){GTIN}(21)S-1",RS-1,Main Street',
        f"https://id.gs1.org/01/{KETTLE_GTIN}/21/K-1,BK-1,Main Street",
        f'"(01){KETTLE_GTIN}(21)K-2",RS-1,Main Street',
        f"]d201{GTIN}10LOT,RS-1,Main Street",
    ]
    with pytest.raises(SerialsRejected) as rejected:
        serials_import(csv_text="\n".join([HEADER, *rows]), user=staff)
    assert problems(rejected) == [
        (
            4,
            "gtin_other_product",
            "The scan is of Bosch Kettle (BK-1), not Rancilio Silvia (RS-1).",
        ),
        (5, "scan_no_serial", "The scan has no serial number (GS1 AI 21)."),
    ]
    result = serials_import(csv_text="\n".join([HEADER, *rows]), user=staff, only_valid=True)
    assert result.count == 2
    assert recorded() == ["K-1", "S-1"]


def test_import_keeps_a_gs_that_ends_the_serial_cell(silvia, outlet, staff):
    text = f"{HEADER}\n{GS}01{GTIN}21S-9{GS},RS-1,Main Street\n"
    serials_import(csv_text=text, user=staff)
    assert recorded() == ["S-9"]


def test_import_lists_format_problems_and_a_manager_imports_anyway(phone, outlet, staff, manager):
    text = f"{HEADER}\n356938035643809,PX-9,Main Street\n356938035643808,PX-9,Main Street\n"
    with pytest.raises(SerialsRejected) as rejected:
        serials_import(csv_text=text, user=staff)
    assert problems(rejected) == [(3, "format", "Not an IMEI: the check digit should be 9.")]
    with pytest.raises(PermissionDenied):
        serials_import(csv_text=text, user=staff, format_confirmed=True)
    assert serials_import(csv_text=text, user=manager, format_confirmed=True).count == 2


# Background jobs ------------------------------------------------------------------


def test_a_background_add_reads_scans_and_adds_anyway_for_a_manager(phone, outlet, manager):
    text = "356938035643808\n356938035643809\n(21)356938035643817"
    job = jobs_module.serial_add_job_start(
        user=manager, product=phone, outlet=outlet, text=text, format_confirmed=True
    )
    assert job.params["format_confirmed"] is True
    jobs_module.serial_job_run(job_id=job.pk, run_id=job.run_id)
    job.refresh_from_db()
    assert (job.state, job.done, job.problem_count) == (SerialJobState.DONE, 3, 0)
    assert recorded() == ["356938035643808", "356938035643809", "356938035643817"]


def test_a_background_add_without_add_anyway_lists_format_problems(phone, outlet, staff):
    job = jobs_module.serial_add_job_start(
        user=staff, product=phone, outlet=outlet, text="356938035643809\n12", only_valid=True
    )
    jobs_module.serial_job_run(job_id=job.pk, run_id=job.run_id)
    job.refresh_from_db()
    assert (job.state, job.done) == (SerialJobState.DONE, 1)
    assert job.problems == [
        {
            "row": 2,
            "text": "12",
            "reason": "Not an IMEI: it has 2 digits; an IMEI has 15 (or 16 for an IMEISV).",
        }
    ]
    assert recorded() == ["356938035643809"]


def test_staff_cannot_start_a_job_that_adds_anyway(phone, outlet, staff):
    with pytest.raises(PermissionDenied):
        jobs_module.serial_add_job_start(
            user=staff, product=phone, outlet=outlet, text="12", format_confirmed=True
        )
    with pytest.raises(PermissionDenied):
        jobs_module.serial_import_job_start(
            user=staff, file_name="a.csv", csv_text=HEADER, format_confirmed=True
        )
    assert not SerialJob.objects.exists()


def test_a_background_import_adds_anyway_for_a_manager(phone, outlet, manager):
    text = f"{HEADER}\n356938035643808,PX-9,Main Street\n"
    job = jobs_module.serial_import_job_start(
        user=manager, file_name="a.csv", csv_text=text, format_confirmed=True
    )
    jobs_module.serial_job_run(job_id=job.pk, run_id=job.run_id)
    job.refresh_from_db()
    assert (job.state, job.done) == (SerialJobState.DONE, 1)
    assert recorded() == ["356938035643808"]


def test_a_jobs_chunk_does_not_read_a_scans_serial_as_a_scan_again(silvia, outlet, staff):
    # AI 21 may hold brackets: "(10)A" is the serial, not a lot to read again.
    job = jobs_module.serial_add_job_start(
        user=staff, product=silvia, outlet=outlet, text=f"]d201{GTIN}21(10)A"
    )
    jobs_module.serial_job_run(job_id=job.pk, run_id=job.run_id)
    job.refresh_from_db()
    assert (job.state, job.done) == (SerialJobState.DONE, 1)
    assert recorded() == ["(10)A"]


# Edit serial ----------------------------------------------------------------------


def test_editing_a_serials_text_to_a_scan_stores_its_serial(silvia, kettle, outlet, manager):
    unit = SerialRecordFactory(product=silvia, outlet=outlet, serial="TYPO-1")
    serial_update(serial=unit, text=f"(01){GTIN}(21)FIXED-1", notes="", user=manager)
    unit.refresh_from_db()
    assert (unit.serial, unit.serial_normalised) == ("FIXED-1", "fixed-1")
    with pytest.raises(ValidationError) as refused:
        serial_update(serial=unit, text=f"(01){KETTLE_GTIN}(21)K-1", notes="", user=manager)
    assert refused.value.code == "gtin_other_product"
    with pytest.raises(ValidationError) as refused:
        serial_update(serial=unit, text=f"(01){GTIN}", notes="", user=manager)
    assert refused.value.code == "scan_no_serial"
    unit.refresh_from_db()
    assert unit.serial == "FIXED-1"


def test_editing_only_the_notes_keeps_a_serial_that_looks_like_a_scan(silvia, outlet, manager):
    unit = SerialRecordFactory(product=silvia, outlet=outlet, serial="(10)A")
    serial_update(serial=unit, text="(10)A", notes="Boxed", user=manager)
    unit.refresh_from_db()
    assert (unit.serial, unit.notes) == ("(10)A", "Boxed")


def test_other_outlets_work_the_same(silvia, staff):
    harbour = OutletFactory(name="Harbour Mall")
    serials_add(product=silvia, outlet=harbour, entries=[f"(01){GTIN}(21)H-1"], user=staff)
    assert SerialRecord.objects.get().outlet == harbour
