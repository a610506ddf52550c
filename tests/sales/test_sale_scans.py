"""sale_create with scans: a GS1 scan sells the unit of its serial (AI 21), its GTIN
(AI 01) checks the line's product or picks it; plain text sells as before.

GTINs are GS1's example numbers: 09506000134352 (GS1's sample barcodes) and
09520123456788 (the GS1 Digital Link standard).
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import SerialRecord, SerialStatus
from sales.models import Sale, SaleLineSerial
from sales.services import LineInput, SaleRefused, sale_check, sale_create
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

GS = "\x1d"
SILVIA_GTIN = "09506000134352"
KETTLE_GTIN = "09520123456788"


@pytest.fixture
def shop():
    main = OutletFactory(name="Main Street")
    silvia = ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="9506000134352")
    kettle = ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=KETTLE_GTIN)
    StockLevelFactory(product=silvia, outlet=main, on_hand=3)
    return main, silvia, kettle


def refused(**kwargs) -> SaleRefused:
    kwargs.setdefault("customer", None)
    kwargs.setdefault("clerk", None)
    with pytest.raises(SaleRefused) as caught:
        sale_create(**kwargs)
    assert Sale.objects.count() == 0
    return caught.value


def problems(refusal: SaleRefused) -> dict[int, list[tuple[str, str]]]:
    return {
        index: [(problem.code, problem.message) for problem in found]
        for index, found in refusal.check.line_errors.items()
    }


def sell(outlet, *lines, **kwargs) -> Sale:
    return sale_create(outlet=outlet, customer=None, clerk=None, lines=list(lines), **kwargs)


@pytest.mark.parametrize(
    "scan",
    [
        # GS1 DataMatrix as a scanner sends it: ]d2, AI 01, AI 21, GS, AI 10.
        f"]d201{SILVIA_GTIN}21RS-0042{GS}10LOT7",
        # AI 21 last needs no GS; AI 17 (expiry) before it.
        f"]d201{SILVIA_GTIN}1728123121RS-0042",
        # A leading GS (FNC1 in first position) and GS-separated fields.
        f"{GS}01{SILVIA_GTIN}21RS-0042{GS}",
        f"(01){SILVIA_GTIN}(21)RS-0042",
        f"https://id.gs1.org/01/{SILVIA_GTIN}/21/RS-0042",
        f"]C101{SILVIA_GTIN}21RS-0042",
    ],
)
def test_a_scan_sells_the_unit_of_its_serial(shop, scan):
    main, silvia, _kettle = shop
    unit = SerialRecordFactory(serial="RS-0042", product=silvia, outlet=main)

    sale = sell(main, LineInput(product=silvia, quantity=1, serials=[scan]))

    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD
    assert SaleLineSerial.objects.get(line__sale=sale).serial == unit
    # Nothing was recorded for the scan's text.
    assert list(SerialRecord.objects.values_list("serial", flat=True)) == ["RS-0042"]


def test_a_code_128_label_scanned_with_its_symbology_identifier_sells_its_serial(shop):
    main, silvia, _kettle = shop
    unit = SerialRecordFactory(serial="RS-0042", product=silvia, outlet=main)

    sell(main, LineInput(product=silvia, quantity=1, serials=["]C0RS-0042"]))

    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD


def test_plain_text_that_only_looks_like_gs1_is_a_serial(shop):
    main, silvia, _kettle = shop
    typed = f"01{SILVIA_GTIN}21RS-0042"
    unit = SerialRecordFactory(serial=typed, product=silvia, outlet=main)

    sell(main, LineInput(product=silvia, quantity=1, serials=[typed]))

    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD


def test_a_scan_of_another_products_barcode_is_refused_naming_both(shop):
    main, silvia, _kettle = shop
    SerialRecordFactory(serial="RS-0042", product=silvia, outlet=main)
    scan = f"(01){KETTLE_GTIN}(21)RS-0042"

    error = refused(outlet=main, lines=[LineInput(product=silvia, quantity=1, serials=[scan])])

    assert problems(error) == {
        0: [
            (
                "gtin_other_product",
                "“RS-0042”: The scan is of Bosch Kettle (BK-1), not Rancilio Silvia (RS-1).",
            )
        ]
    }
    # The refused scan is not offered as new either.
    assert error.check.not_recorded == []
    assert SerialRecord.objects.get().status == SerialStatus.IN_STOCK


def test_a_scan_of_a_gtin_no_product_has_is_refused_for_a_product_with_a_barcode(shop):
    main, silvia, _kettle = shop
    SerialRecordFactory(serial="RS-0042", product=silvia, outlet=main)
    scan = "(01)95012345678903(21)RS-0042"

    error = refused(outlet=main, lines=[LineInput(product=silvia, quantity=1, serials=[scan])])

    [(code, message)] = problems(error)[0]
    assert code == "gtin_other_product"
    assert message == (
        "“RS-0042”: The scan's GTIN 95012345678903 is not the barcode of Rancilio Silvia (RS-1)."
    )


def test_a_scan_sells_a_unit_of_a_product_without_a_barcode(shop):
    main, _silvia, _kettle = shop
    grinder = ProductFactory(name="Mazzer Grinder", sku="MZ-1")
    unit = SerialRecordFactory(serial="MZ-7", product=grinder, outlet=main)

    sell(main, LineInput(product=grinder, quantity=1, serials=["(01)95012345678903(21)MZ-7"]))

    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD


def test_the_gtin_of_a_scan_picks_the_product_of_a_line_without_one(shop):
    main, silvia, _kettle = shop
    unit = SerialRecordFactory(serial="RS-0042", product=silvia, outlet=main)
    scan = f"]d201{SILVIA_GTIN}21RS-0042"

    sale = sell(main, LineInput(product=None, quantity=1, serials=[scan]))

    line = sale.lines.get()
    assert (line.product, line.unit_price) == (silvia, silvia.retail_price)
    assert sale.total == silvia.retail_price
    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD


def test_a_line_without_a_product_and_without_a_gtin_asks_for_the_product(shop):
    main, _silvia, _kettle = shop

    error = refused(outlet=main, lines=[LineInput(product=None, quantity=1, serials=["RS-1"])])

    assert problems(error) == {0: [("product_required", "Enter and select the product name.")]}


def test_a_line_without_a_product_whose_gtin_no_product_has_says_so(shop):
    main, _silvia, _kettle = shop
    scan = "(01)95012345678903(21)X-1"

    error = refused(outlet=main, lines=[LineInput(product=None, quantity=1, serials=[scan])])

    assert problems(error) == {
        0: [
            (
                "gtin_unknown",
                "No product has the barcode 95012345678903 of the scan: "
                "enter and select the product name.",
            )
        ]
    }


def test_a_line_without_a_product_with_scans_of_two_products_asks_for_two_lines(shop):
    main, _silvia, _kettle = shop
    scans = [f"(01){SILVIA_GTIN}(21)RS-1", f"(01){KETTLE_GTIN}(21)BK-1"]

    error = refused(outlet=main, lines=[LineInput(product=None, quantity=2, serials=scans)])

    assert problems(error) == {
        0: [
            (
                "gtin_several_products",
                "The scans on this line are of different products (Rancilio Silvia (RS-1), "
                "Bosch Kettle (BK-1)): put each product on a line of its own.",
            )
        ]
    }


@pytest.mark.parametrize(
    "scan, code, reason",
    [
        (
            f"]d201{SILVIA_GTIN}",
            "scan_no_serial",
            "The scan has no serial number (GS1 AI 21).",
        ),
        (
            "]d20109506000",
            "scan_invalid",
            "The scan is not a readable GS1 code: it is cut short or has a malformed part.",
        ),
        (
            "(01)09506000134353(21)RS-1",
            "scan_invalid",
            "The scan's GTIN 09506000134353 has a wrong check digit.",
        ),
    ],
)
def test_a_broken_scan_is_refused_with_its_reason(shop, scan, code, reason):
    main, silvia, _kettle = shop

    error = refused(outlet=main, lines=[LineInput(product=silvia, quantity=1, serials=[scan])])

    # Only that problem: the entry still counts as the line's one unit.
    assert problems(error) == {0: [(code, f"“{scan}”: {reason}")]}
    assert error.check.line_errors[0][0].serial == scan


def test_a_broken_scan_shows_its_gs_characters_as_gs1_prints_them(shop):
    main, silvia, _kettle = shop
    scan = f"]d201{SILVIA_GTIN}{GS}10"

    error = refused(outlet=main, lines=[LineInput(product=silvia, quantity=1, serials=[scan])])

    [(code, message)] = problems(error)[0]
    assert code == "scan_invalid"
    assert message.startswith(f"“]d201{SILVIA_GTIN}<GS>10”: ")
    assert GS not in message


def test_a_scan_not_recorded_is_offered_and_recorded_by_its_serial(shop):
    main, silvia, _kettle = shop
    line = LineInput(product=silvia, quantity=1, serials=[f"(01){SILVIA_GTIN}(21)RS-NEW"])

    error = refused(outlet=main, lines=[line])
    assert error.check.not_recorded == [(0, "RS-NEW")]

    sell(main, line, record_new=True)
    unit = SerialRecord.objects.get()
    assert (unit.serial, unit.product, unit.status) == ("RS-NEW", silvia, SerialStatus.SOLD)


def test_the_same_unit_scanned_and_typed_is_entered_twice(shop):
    main, silvia, _kettle = shop
    SerialRecordFactory(serial="RS-0042", product=silvia, outlet=main)
    serials = [f"(01){SILVIA_GTIN}(21)RS-0042", "rs-0042"]

    error = refused(outlet=main, lines=[LineInput(product=silvia, quantity=2, serials=serials)])

    assert problems(error) == {
        0: [("entered_twice", "“rs-0042” is entered more than once in this sale.")]
    }


def test_entries_marked_as_stored_serials_are_not_read_as_scans(shop):
    main, silvia, _kettle = shop
    stored = f"(01){SILVIA_GTIN}(21)X"
    unit = SerialRecordFactory(serial=stored, product=silvia, outlet=main)

    sell(main, LineInput(product=silvia, quantity=1, serials=[stored], scans=False))

    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD


def test_the_review_shows_the_serial_of_a_scan(shop):
    main, silvia, _kettle = shop
    lines = [LineInput(product=None, quantity=1, serials=[f"(01){SILVIA_GTIN}(21)RS-NEW"])]

    check = sale_check(outlet=main, customer=None, lines=lines, record_new=True)

    assert not check.has_errors
    [line] = check.lines
    assert (line.product, line.serials) == (silvia, ["RS-NEW"])


@pytest.mark.parametrize(
    "scan",
    [
        f"(01){SILVIA_GTIN}(21)RS\x00NUL",
        f"]d201{SILVIA_GTIN}21RS\x07BEL",
        f"(01){SILVIA_GTIN}(21){'X' * 2000}",
        f"]d201{SILVIA_GTIN}21{'Ｘ' * 30}",
        "]d2\x00\x00",
        "(01)" + "9" * 5000,
        "https://id.gs1.org/01/" + "0" * 3000,
    ],
)
def test_hostile_scans_are_refused_with_a_code_and_save_nothing(shop, scan):
    main, silvia, _kettle = shop

    error = refused(outlet=main, lines=[LineInput(product=silvia, quantity=1, serials=[scan])])

    [found] = error.check.line_errors[0]
    assert found.code in {"scan_invalid", "scan_no_serial", "unprintable", "too_long"}
    assert not SerialRecord.objects.exists()


def test_a_scan_with_characters_gs1_does_not_allow_is_refused_not_guessed(shop):
    main, silvia, _kettle = shop
    # Full-width forms are no GS1 characters (AI 21 takes ASCII letters, digits and
    # some signs): the scan is broken, not the unit RS-0042.
    SerialRecordFactory(serial="RS-0042", product=silvia, outlet=main)
    scan = f"(01){SILVIA_GTIN}(21)ＲＳ－００４２"

    error = refused(outlet=main, lines=[LineInput(product=silvia, quantity=1, serials=[scan])])

    assert [p.code for p in error.check.line_errors[0]] == ["scan_invalid"]
    assert SerialRecord.objects.get().status == SerialStatus.IN_STOCK


def test_a_typed_serial_in_full_width_forms_is_still_the_unit_of_its_plain_form(shop):
    main, silvia, _kettle = shop
    unit = SerialRecordFactory(serial="RS-0042", product=silvia, outlet=main)

    sell(main, LineInput(product=silvia, quantity=1, serials=["ＲＳ－００４２"]))

    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD


# Queries --------------------------------------------------------------------


def queries_of_a_sale(outlet, product, count: int, *, scanned: bool) -> int:
    serials = [f"Q{scanned:d}-{count}-{n}" for n in range(count)]
    for serial in serials:
        SerialRecordFactory(serial=serial, product=product, outlet=outlet)
    StockLevelFactory(product=product, outlet=OutletFactory())
    entries = [f"(01){SILVIA_GTIN}(21){s}" for s in serials] if scanned else serials
    with CaptureQueriesContext(connection) as queries:
        sell(
            outlet,
            LineInput(product=None if scanned else product, quantity=count, serials=entries),
        )
    return len(queries)


def test_a_sale_of_2_or_20_scans_costs_the_same_queries(shop):
    main, silvia, _kettle = shop
    assert queries_of_a_sale(main, silvia, 2, scanned=True) == queries_of_a_sale(
        main, silvia, 20, scanned=True
    )


def test_the_gtins_of_a_sale_cost_one_query_and_plain_text_none(shop):
    main, silvia, _kettle = shop
    plain = queries_of_a_sale(main, silvia, 5, scanned=False)
    scanned = queries_of_a_sale(main, silvia, 5, scanned=True)
    assert scanned == plain + 1


def test_many_lines_of_scans_look_their_gtins_up_once(shop):
    main, silvia, kettle = shop
    for n in range(3):
        SerialRecordFactory(serial=f"RS-{n}", product=silvia, outlet=main)
        SerialRecordFactory(serial=f"BK-{n}", product=kettle, outlet=main)
    StockLevelFactory(product=kettle, outlet=main)
    lines = [
        LineInput(product=None, quantity=1, serials=[f"(01){SILVIA_GTIN}(21)RS-{n}"])
        for n in range(3)
    ] + [
        LineInput(product=kettle, quantity=1, serials=[f"(01){KETTLE_GTIN}(21)BK-{n}"])
        for n in range(3)
    ]
    with CaptureQueriesContext(connection) as queries:
        sell(main, *lines)
    gtin_lookups = [q for q in queries.captured_queries if '"gtin" IN' in q["sql"]]
    assert len(gtin_lookups) == 1


# Serial number format at the time of sale -------------------------------------


@pytest.fixture
def phones():
    main = OutletFactory(name="Main Street")
    phone = ProductFactory(name="Nova Phone", sku="NP-1", serial_format="imei")
    StockLevelFactory(product=phone, outlet=main, on_hand=2)
    return main, phone


GOOD_IMEI = "490154203237518"
BAD_IMEI = "490154203237519"
IMEI_REASON = "Not an IMEI: the check digit should be 8."


def test_staff_cannot_record_as_new_a_serial_that_breaks_the_format(phones, staff_user):
    main, phone = phones
    line = LineInput(product=phone, quantity=1, serials=[BAD_IMEI])

    error = refused(outlet=main, lines=[line], clerk=staff_user, record_new=True)

    assert problems(error) == {
        0: [
            (
                "format",
                f"“{BAD_IMEI}” is not recorded, and it breaks the Serial number format of "
                f"Nova Phone: {IMEI_REASON} Ask a manager to record it, or correct it.",
            )
        ]
    }
    assert error.check.not_recorded == []
    assert error.check.off_format == []
    assert not SerialRecord.objects.exists()


def test_staff_who_send_format_confirmed_are_denied(phones, staff_user):
    main, phone = phones
    line = LineInput(product=phone, quantity=1, serials=[BAD_IMEI])

    with pytest.raises(PermissionDenied):
        sale_create(
            outlet=main,
            customer=None,
            lines=[line],
            clerk=staff_user,
            record_new=True,
            format_confirmed=True,
        )
    assert not Sale.objects.exists()
    assert not SerialRecord.objects.exists()


def test_a_manager_sees_the_reason_and_records_it_anyway_when_confirmed(phones, manager_user):
    main, phone = phones
    line = LineInput(product=phone, quantity=1, serials=[BAD_IMEI])

    asked = refused(outlet=main, lines=[line], clerk=manager_user)
    assert asked.check.not_recorded == [(0, BAD_IMEI)]
    assert asked.check.off_format == [(0, BAD_IMEI, IMEI_REASON)]
    assert not asked.check.has_errors
    # Record as new alone is not the confirmation of the format.
    still = refused(outlet=main, lines=[line], clerk=manager_user, record_new=True)
    assert still.check.to_confirm
    assert not SerialRecord.objects.exists()

    sale = sale_create(
        outlet=main,
        customer=None,
        lines=[line],
        clerk=manager_user,
        record_new=True,
        format_confirmed=True,
    )
    unit = SerialRecord.objects.get()
    assert (unit.serial, unit.status) == (BAD_IMEI, SerialStatus.SOLD)
    assert SaleLineSerial.objects.get(serial=unit).line.sale == sale


def test_a_serial_that_follows_the_format_is_recorded_as_new_by_staff(phones, staff_user):
    main, phone = phones

    sale_create(
        outlet=main,
        customer=None,
        lines=[LineInput(product=phone, quantity=1, serials=[GOOD_IMEI])],
        clerk=staff_user,
        record_new=True,
    )

    assert SerialRecord.objects.get().serial == GOOD_IMEI


def test_a_pre_recorded_unit_off_format_sells_without_asking(phones, staff_user):
    main, phone = phones
    unit = SerialRecordFactory(serial=BAD_IMEI, product=phone, outlet=main)

    sale_create(
        outlet=main,
        customer=None,
        lines=[LineInput(product=phone, quantity=1, serials=[BAD_IMEI])],
        clerk=staff_user,
    )

    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD


def test_a_sale_with_no_clerk_cannot_record_a_serial_off_format(phones):
    main, phone = phones
    line = LineInput(product=phone, quantity=1, serials=["12345"])

    error = refused(outlet=main, lines=[line], record_new=True)

    [(code, _message)] = problems(error)[0]
    assert code == "format"


def test_a_pattern_product_names_its_pattern_in_the_reason(phones, manager_user):
    main, _phone = phones
    machine = ProductFactory(
        name="Barista Pro", sku="BP-1", serial_format="pattern", serial_pattern="BP-####"
    )
    StockLevelFactory(product=machine, outlet=main)
    line = LineInput(product=machine, quantity=1, serials=["BP-12"])

    asked = refused(outlet=main, lines=[line], clerk=manager_user)

    assert asked.check.off_format == [(0, "BP-12", "Does not match the pattern BP-####.")]


def test_a_changed_serial_after_the_review_asks_for_the_format_again(phones, manager_user):
    main, phone = phones
    good = [LineInput(product=phone, quantity=1, serials=[GOOD_IMEI])]
    reviewed = sale_check(
        outlet=main, customer=None, lines=good, clerk=manager_user, record_new=True
    ).fingerprint
    bad = [LineInput(product=phone, quantity=1, serials=[BAD_IMEI])]

    error = refused(
        outlet=main,
        lines=bad,
        clerk=manager_user,
        record_new=True,
        format_confirmed=True,
        reviewed=reviewed,
    )

    assert error.check.stale_review
    assert not error.check.format_confirmed
    assert not SerialRecord.objects.exists()


def test_the_price_of_a_picked_product_is_its_retail_price(shop):
    main, silvia, _kettle = shop
    silvia.retail_price = Decimal("799.00")
    silvia.save()
    SerialRecordFactory(serial="RS-0042", product=silvia, outlet=main)

    sale = sell(
        main, LineInput(product=None, quantity=1, serials=[f"(01){SILVIA_GTIN}(21)RS-0042"])
    )

    assert sale.total == Decimal("799.00")


def test_a_clerk_is_named_on_a_scanned_sale(shop):
    main, silvia, _kettle = shop
    clerk = UserFactory(username="sam")
    SerialRecordFactory(serial="RS-0042", product=silvia, outlet=main)

    sale = sale_create(
        outlet=main,
        customer=None,
        clerk=clerk,
        lines=[LineInput(product=silvia, quantity=1, serials=[f"(01){SILVIA_GTIN}(21)RS-0042"])],
    )

    assert sale.clerk == clerk
