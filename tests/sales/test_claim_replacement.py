"""A claim's Replacement serial: the In stock units it could be, suggested on the claim's
page and as the user types, and named when the text typed is none of them."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialStatus
from sales.models import ClaimStatus
from sales.services import LineInput, claim_open, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    product = ProductFactory(name="Barista Pro", warranty_months=12)
    main = OutletFactory(name="Main Street")
    unit = SerialRecordFactory(product=product, outlet=main, serial="CLM-0001")
    sale_create(
        outlet=main,
        customer=CustomerFactory(name="Alice Martin"),
        lines=[LineInput(product=product, quantity=1, serials=[unit.serial])],
        clerk=None,
        at=timezone.now() - timedelta(days=10),
    )
    return claim_open(serial=unit, fault_description="Does not heat up", user=None)


@pytest.fixture
def harbour():
    return OutletFactory(name="Harbour Mall")


def options_url(claim) -> str:
    return reverse("sales:claim_replacement_options", args=[claim.pk])


def suggested(html) -> list[str]:
    """The suggested units as their buttons read: "<serial> · <outlet>"."""
    return [
        re.sub(r"<[^>]+>", "", caption)
        for caption in re.findall(r"data-pick-replacement=\"[^\"]*\">(.*?)</button>", html)
    ]


def test_the_claim_page_suggests_in_stock_units_of_the_product_the_sale_outlet_first(
    staff_client, claim, harbour
):
    product, main = claim.serial.product, claim.serial.outlet
    SerialRecordFactory(product=product, outlet=harbour, serial="AA-HARBOUR")
    SerialRecordFactory(product=product, outlet=main, serial="ZZ-MAIN")
    SerialRecordFactory(product=product, outlet=main, serial="BB-MAIN")
    SerialRecordFactory(
        product=product, outlet=main, serial="FAULTY-1", status=SerialStatus.FAULTY
    )
    SerialRecordFactory(product=ProductFactory(name="Grinder"), outlet=main, serial="GR-1")

    response = staff_client.get(claim.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "In stock, at any outlet: click one to use it." in html
    assert suggested(html) == [
        "BB-MAIN · Main Street",
        "ZZ-MAIN · Main Street",
        "AA-HARBOUR · Harbour Mall",
    ]
    assert f'hx-get="{options_url(claim)}"' in html
    assert "js/claim-replacement.js" in html


def test_typing_narrows_the_suggestions_to_serials_containing_the_text(
    staff_client, claim, harbour
):
    product = claim.serial.product
    for serial in ["SPARE-17", "SPARE-71", "OTHER-9"]:
        SerialRecordFactory(product=product, outlet=harbour, serial=serial)

    response = staff_client.get(options_url(claim), {"replacement_serial": " ｓｐａｒｅ-1"})

    html = response.content.decode()
    assert response.status_code == 200
    assert suggested(html) == ["SPARE-17 · Harbour Mall"]
    assert "In stock with “ｓｐａｒｅ-1” in the serial number: click one to use it." in html


def test_typing_what_no_unit_holds_says_so(staff_client, claim, harbour):
    SerialRecordFactory(product=claim.serial.product, outlet=harbour, serial="SPARE-1")

    response = staff_client.get(options_url(claim), {"replacement_serial": "XYZ"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "No In stock unit of Barista Pro has “XYZ” in its serial number." in html
    assert suggested(html) == []


def test_with_none_in_stock_the_page_says_so(staff_client, claim):
    response = staff_client.get(claim.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "No unit of Barista Pro is in stock at any outlet." in html


def test_many_units_show_the_first_twenty_and_how_many_more(staff_client, claim):
    product, main = claim.serial.product, claim.serial.outlet
    for n in range(23):
        SerialRecordFactory(product=product, outlet=main, serial=f"SP-{n:02d}")

    response = staff_client.get(claim.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert len(suggested(html)) == 20
    assert suggested(html)[0] == "SP-00 · Main Street"
    assert "3 more in stock: type part of the serial number to find them." in html


def test_the_suggestions_cost_the_same_queries_for_25_and_40_units(staff_client, claim, harbour):
    product = claim.serial.product

    def queries_for(count):
        for n in range(count):
            SerialRecordFactory(product=product, outlet=harbour, serial=f"Q{count}-{n:02d}")
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(options_url(claim), {"replacement_serial": f"Q{count}-"})
        assert response.status_code == 200
        assert len(suggested(response.content.decode())) == 20
        assert f"{count - 20} more in stock" in response.content.decode()
        return len(queries)

    assert queries_for(25) == queries_for(40)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "NOPE-404",
            "No In stock unit of Barista Pro has the serial number “NOPE-404”. "
            "In stock: MAIN-1 (Main Street), HARB-1 (Harbour Mall), HARB-2 (Harbour Mall).",
        ),
        (
            "SOLD-2",
            "“SOLD-2” is Sold, not In stock. "
            "In stock: MAIN-1 (Main Street), HARB-1 (Harbour Mall), HARB-2 (Harbour Mall).",
        ),
        (
            "GR-1",
            "“GR-1” is a Grinder, not a Barista Pro. "
            "In stock: MAIN-1 (Main Street), HARB-1 (Harbour Mall), HARB-2 (Harbour Mall).",
        ),
    ],
)
def test_a_replacement_that_is_not_in_stock_names_the_units_that_are(
    staff_client, claim, harbour, typed, message
):
    product, main = claim.serial.product, claim.serial.outlet
    SerialRecordFactory(product=product, outlet=harbour, serial="HARB-2")
    SerialRecordFactory(product=product, outlet=harbour, serial="HARB-1")
    SerialRecordFactory(product=product, outlet=main, serial="MAIN-1")
    SerialRecordFactory(product=product, outlet=main, serial="SOLD-2", status=SerialStatus.SOLD)
    SerialRecordFactory(product=ProductFactory(name="Grinder"), serial="GR-1")

    response = staff_client.post(
        claim.get_absolute_url(),
        {"status": ClaimStatus.RESOLVED_REPLACED, "note": "Swap", "replacement_serial": typed},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert response.context["form"]["replacement_serial"].value() == typed
    assert response.context["form"]["note"].value() == "Swap"
    claim.refresh_from_db()
    assert (claim.status, claim.replacement_serial) == (ClaimStatus.OPEN, None)


@pytest.mark.parametrize(
    ("in_stock", "named"),
    [
        (
            8,
            "In stock: SP-1 (Main Street), SP-2 (Main Street), SP-3 (Main Street), "
            "SP-4 (Main Street), SP-5 (Main Street) and 3 more.",
        ),
        (0, "None is in stock at any outlet."),
    ],
)
def test_the_units_an_unknown_replacement_names_are_capped_with_how_many_more(
    staff_client, claim, in_stock, named
):
    product, main = claim.serial.product, claim.serial.outlet
    for n in range(1, in_stock + 1):
        SerialRecordFactory(product=product, outlet=main, serial=f"SP-{n}")

    response = staff_client.post(
        claim.get_absolute_url(),
        {"status": ClaimStatus.RESOLVED_REPLACED, "note": "", "replacement_serial": "SP-X"},
    )

    assert response.status_code == 200
    assert (
        f"No In stock unit of Barista Pro has the serial number “SP-X”. {named}"
    ) in response.content.decode()


def test_a_closed_claim_suggests_nothing(staff_client, claim, harbour):
    SerialRecordFactory(product=claim.serial.product, outlet=harbour, serial="SPARE-1")
    response = staff_client.post(
        claim.get_absolute_url(), {"status": ClaimStatus.REJECTED, "note": "Dropped"}
    )
    assert response.status_code == 302

    html = staff_client.get(claim.get_absolute_url()).content.decode()

    assert "Rejected" in html
    assert suggested(html) == []
    assert "click one to use it" not in html


def test_the_suggestions_need_a_login_and_the_right_to_update_claims(client, claim):
    url = options_url(claim)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))

    viewer = UserFactory(username="vic")
    viewer.user_permissions.add(Permission.objects.get(codename="view_warrantyclaim"))
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "click one to use it" not in html


def test_the_suggestions_answer_get_only_and_an_unknown_claim_is_404(staff_client, claim):
    assert staff_client.post(options_url(claim)).status_code == 405
    missing = reverse("sales:claim_replacement_options", args=[claim.pk + 100])
    assert staff_client.get(missing).status_code == 404


SPARE = ["SPARE-1 · Harbour Mall"]


@pytest.mark.parametrize(
    ("typed", "status", "suggestions"),
    [
        ("a\x00b", 400, None),  # refused by the middleware, as everywhere
        ("x" * 10_000, 200, []),
        ("\u00b2" * 200, 200, []),
        # Full-width text is compared as serials are: it finds SPARE-1.
        ("\uff33\uff30\uff21\uff32\uff25", 200, SPARE),
    ],
)
def test_hostile_text_in_the_box_gets_a_page_or_a_400_not_a_500(
    staff_client, claim, harbour, settings, typed, status, suggestions
):
    settings.DEBUG = False
    SerialRecordFactory(product=claim.serial.product, outlet=harbour, serial="SPARE-1")
    staff_client.raise_request_exception = False

    response = staff_client.get(options_url(claim), {"replacement_serial": typed})

    assert response.status_code == status
    if suggestions is not None:
        assert suggested(response.content.decode()) == suggestions
