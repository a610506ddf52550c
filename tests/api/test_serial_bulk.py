"""POST /api/v1/serial-numbers/bulk/: Add Serial numbers, many at once, all or nothing."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import IdempotentRequest
from api.services import api_token_create
from inventory.models import SerialRecord, SerialStatus
from tests.api.helpers import codes, errors, token_client
from tests.concurrency import postgresql_only, run_both
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

BULK_URL = reverse("api:serial-bulk")


@pytest.fixture
def shop(db):
    main = OutletFactory(name="Main Street")
    harbour = OutletFactory(name="Harbour Mall")
    product = ProductFactory(name="Barista Pro", sku="BP-1")
    return main, harbour, product


def bulk(api, shop, serials, **extra):
    main, _harbour, product = shop
    headers = {k: v for k, v in extra.items() if k.startswith("HTTP_")}
    data = {"product": product.pk, "outlet": main.pk, "serials": serials}
    data.update({k: v for k, v in extra.items() if not k.startswith("HTTP_")})
    return api.post(BULK_URL, data, format="json", **headers)


def recorded() -> list[str]:
    return sorted(SerialRecord.objects.values_list("serial", flat=True))


# Who may --------------------------------------------------------------------------


def test_an_anonymous_bulk_add_is_answered_401(anonymous_api, shop):
    response = bulk(anonymous_api, shop, ["SN-1"])

    assert response.status_code == 401
    assert codes(response) == ["not_authenticated"]
    assert recorded() == []


def test_a_user_without_the_add_permission_cannot_bulk_add(shop):
    api = token_client(UserFactory(username="no-role"))

    response = bulk(api, shop, ["SN-1"])

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    assert recorded() == []


def test_get_on_bulk_is_405(staff_api):
    response = staff_api.get(BULK_URL)

    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]


# Success ------------------------------------------------------------------------


def test_a_staff_token_adds_a_batch_in_stock_stamped_with_one_time(
    staff_api, shop, api_staff_user
):
    main, _harbour, product = shop

    response = bulk(staff_api, shop, ["SN-1", " SN-2 ", "SN-3"])

    assert response.status_code == 201
    body = response.json()
    assert (body["count"], body["skipped"], body["warnings"]) == (3, [], [])
    assert recorded() == ["SN-1", "SN-2", "SN-3"]
    units = SerialRecord.objects.all()
    assert {(u.product, u.outlet, u.status, u.created_by) for u in units} == {
        (product, main, SerialStatus.IN_STOCK, api_staff_user)
    }
    # The time the page's list shows "the serials just recorded" by.
    stamps = {u.created_at for u in units}
    assert len(stamps) == 1
    list_response = staff_api.get(reverse("api:serial-list"), {"product": product.pk})
    assert body["created_at"] == list_response.json()["results"][0]["created_at"]


def test_a_serial_recorded_for_another_product_is_added_with_a_warning(staff_api, shop):
    SerialRecordFactory(serial="SHARED-1", product=ProductFactory(name="Grinder One"))

    response = bulk(staff_api, shop, ["shared-1"])

    assert response.status_code == 201
    assert response.json()["warnings"] == ["shared-1 is also recorded for Grinder One."]
    assert SerialRecord.objects.filter(serial="shared-1", product=shop[2]).exists()


def test_ten_thousand_serials_are_one_call(staff_api, shop):
    serials = [f"BULK-{n:05d}" for n in range(10_000)]

    response = bulk(staff_api, shop, serials)

    assert response.status_code == 201
    assert response.json()["count"] == 10_000
    assert SerialRecord.objects.count() == 10_000


@pytest.mark.parametrize("size", [10, 300])
def test_a_batch_costs_the_same_queries_whatever_its_size(
    staff_api, shop, django_assert_num_queries, size
):
    staff_api.get(reverse("api:serial-list"))  # stamps the token's last_used_at
    SerialRecordFactory(serial="ELSEWHERE", product=ProductFactory())

    # Token, permissions (2), product and outlet, then the service: savepoint,
    # product lock, the one check query, savepoint, insert, on hand (make the
    # stock row, lock it on PostgreSQL, raise it), tally, release (x2). The
    # stock move is written by the raise on PostgreSQL (UPDATE ... RETURNING
    # into the INSERT), by one more statement before it on SQLite.
    on_hand = 3
    with django_assert_num_queries(13 + on_hand):
        response = bulk(staff_api, shop, [f"SIZE-{n}" for n in range(size)] + ["elsewhere"])

    assert response.status_code == 201
    assert response.json()["count"] == size + 1


# All or nothing ---------------------------------------------------------------------


def test_over_the_pages_cap_is_refused_whole_with_too_many(staff_api, shop, settings):
    settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION = 5

    response = bulk(staff_api, shop, [f"SN-{n}" for n in range(6)], only_valid=True)

    assert response.status_code == 400
    assert codes(response) == ["too_many"]
    assert "At most 5 serial numbers" in response.json()["errors"][0]["message"]
    assert recorded() == []


def test_the_cap_itself_is_accepted(staff_api, shop, settings):
    settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION = 5

    response = bulk(staff_api, shop, [f"SN-{n}" for n in range(5)])

    assert response.status_code == 201
    assert len(recorded()) == 5


def test_one_bad_entry_refuses_the_batch_and_names_each_problem(staff_api, shop):
    main, harbour, product = shop
    SerialRecordFactory(serial="OLD-1", product=product, outlet=harbour, status="sold")

    response = bulk(
        staff_api,
        shop,
        ["GOOD-1", "old-1", "A,B", "X" * 101, "BEL\u0007", "", "good-1", "GOOD-2"],
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0] == {
        "code": "invalid_entries",
        "message": "6 of the entries cannot be added. Nothing was saved.",
    }
    assert errors[1:] == [
        {
            "code": "exists",
            "message": "Already recorded for this product at Harbour Mall (Sold).",
            "field": "serials",
            "entry": 2,
            "serial": "old-1",
        },
        {
            "code": "comma",
            "message": "Contains a comma.",
            "field": "serials",
            "entry": 3,
            "serial": "A,B",
        },
        {
            "code": "too_long",
            "message": "Longer than 100 characters.",
            "field": "serials",
            "entry": 4,
            "serial": "X" * 101,
        },
        {
            "code": "unprintable",
            "message": "Contains a control or non-printable character.",
            "field": "serials",
            "entry": 5,
            "serial": "BEL\u0007",
        },
        {
            "code": "empty",
            "message": "The serial number is empty.",
            "field": "serials",
            "entry": 6,
            "serial": "",
        },
        {
            "code": "repeated",
            "message": "Entered more than once (first as entry 1).",
            "field": "serials",
            "entry": 7,
            "serial": "good-1",
        },
    ]
    assert recorded() == ["OLD-1"]


def test_only_valid_records_the_valid_entries_and_lists_the_skipped(staff_api, shop):
    main, harbour, product = shop
    SerialRecordFactory(serial="OLD-1", product=product, outlet=harbour)

    response = bulk(staff_api, shop, ["NEW-1", "OLD-1", "C,D", "NEW-2"], only_valid=True)

    assert response.status_code == 201
    body = response.json()
    assert body["count"] == 2
    assert body["skipped"] == [
        {
            "entry": 2,
            "serial": "OLD-1",
            "code": "exists",
            "message": "Already recorded for this product at Harbour Mall (In stock).",
        },
        {"entry": 3, "serial": "C,D", "code": "comma", "message": "Contains a comma."},
    ]
    assert recorded() == ["NEW-1", "NEW-2", "OLD-1"]


def test_only_valid_with_nothing_valid_is_refused(staff_api, shop):
    response = bulk(staff_api, shop, ["A,B"], only_valid=True)

    assert response.status_code == 400
    assert codes(response) == ["nothing_valid"]
    assert recorded() == []


def test_an_empty_list_is_refused_with_the_pages_code(staff_api, shop):
    response = bulk(staff_api, shop, [])

    assert response.status_code == 400
    assert codes(response) == ["empty"]


def test_an_inactive_product_refuses_the_batch(staff_api, shop):
    shop[2].is_active = False
    shop[2].save()

    response = bulk(staff_api, shop, ["SN-1"])

    assert response.status_code == 400
    assert codes(response) == ["product_inactive"]
    assert recorded() == []


# Malformed requests -------------------------------------------------------------


def test_entries_that_are_not_strings_are_named_by_their_place(staff_api, shop):
    response = bulk(staff_api, shop, ["SN-1", 12345, ["SN-2"], None])

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("not_a_string", "serials.1"),
        ("not_a_string", "serials.2"),
        ("not_a_string", "serials.3"),
    ]
    assert recorded() == []


@pytest.mark.parametrize("serials", ["SN-1,SN-2", {"0": "SN-1"}, 7, None])
def test_serials_that_are_not_a_list_is_a_400(staff_api, shop, serials):
    response = bulk(staff_api, shop, serials)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "serials"
    assert codes(response)[0] in {"not_a_list", "null"}


def test_a_missing_product_is_required(staff_api, shop):
    response = staff_api.post(BULK_URL, {"outlet": shop[0].pk, "serials": ["SN-1"]}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "required", "message": "This field is required.", "field": "product"}
    ]


@pytest.mark.parametrize("outlet", [10**30, -5, "\u0663", "x", [1]])
def test_an_outlet_that_is_no_outlets_id_is_a_400_on_outlet(staff_api, shop, outlet):
    response = staff_api.post(
        BULK_URL, {"product": shop[2].pk, "outlet": outlet, "serials": ["SN-1"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "outlet"
    assert recorded() == []


# Idempotency-Key ------------------------------------------------------------------


def test_a_retry_with_the_same_key_gets_the_first_answer_and_adds_nothing(staff_api, shop):
    first = bulk(staff_api, shop, ["K-1", "K-2"], HTTP_IDEMPOTENCY_KEY="batch-0001")

    again = bulk(staff_api, shop, ["K-1", "K-2"], HTTP_IDEMPOTENCY_KEY="batch-0001")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert recorded() == ["K-1", "K-2"]


def test_the_same_key_with_another_batch_is_refused_422(staff_api, shop):
    bulk(staff_api, shop, ["K-1"], HTTP_IDEMPOTENCY_KEY="batch-0001")

    response = bulk(staff_api, shop, ["K-2"], HTTP_IDEMPOTENCY_KEY="batch-0001")

    assert response.status_code == 422
    assert codes(response) == ["idempotency_key_reused"]
    assert recorded() == ["K-1"]


def test_a_refused_batch_leaves_its_key_free_so_the_retry_runs(staff_api, shop):
    blocker = SerialRecordFactory(serial="K-1", product=shop[2], outlet=shop[1])
    refused = bulk(staff_api, shop, ["K-1", "K-2"], HTTP_IDEMPOTENCY_KEY="batch-0001")
    blocker.delete()

    retried = bulk(staff_api, shop, ["K-1", "K-2"], HTTP_IDEMPOTENCY_KEY="batch-0001")

    assert refused.status_code == 400
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert recorded() == ["K-1", "K-2"]
    assert IdempotentRequest.objects.get().status_code == 201


def test_a_key_is_one_users_another_user_with_it_adds_their_own_batch(
    staff_api, manager_api, shop
):
    bulk(staff_api, shop, ["K-1"], HTTP_IDEMPOTENCY_KEY="batch-0001")

    response = bulk(manager_api, shop, ["K-2"], HTTP_IDEMPOTENCY_KEY="batch-0001")

    assert response.status_code == 201
    assert recorded() == ["K-1", "K-2"]


# Two at once (PostgreSQL) -----------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_batches_at_once_record_each_serial_once(roles):
    main = OutletFactory(name="Main Street")
    product = ProductFactory(name="Barista Pro", sku="BP-1")
    shop = (main, None, product)
    till, script = (
        token_client(UserFactory(username="till-1", groups=["Staff"])),
        token_client(UserFactory(username="script-1", groups=["Managers"])),
    )

    results = run_both(
        [
            lambda: bulk(till, shop, ["RACE-1", "RACE-2", "TILL-3"]),
            lambda: bulk(script, shop, ["race-2", "RACE-1", "SCRIPT-3"]),
        ]
    )

    statuses = sorted(response.status_code for response in results)
    assert statuses[0] == 201
    assert statuses[1] in (400, 409)
    loser = next(response for response in results if response.status_code != 201)
    loser_codes = codes(loser)
    assert loser_codes[0] in {"invalid_entries", "recorded_meanwhile"}
    if loser_codes[0] == "invalid_entries":
        assert set(loser_codes[1:]) == {"exists"}
    normalised = list(SerialRecord.objects.values_list("serial_normalised", flat=True))
    assert len(normalised) == 3
    assert {"race-1", "race-2"} <= set(normalised)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_request_at_once_make_one_batch(roles):
    main = OutletFactory(name="Main Street")
    product = ProductFactory(name="Barista Pro", sku="BP-1")
    shop = (main, None, product)
    user = UserFactory(username="till-1", groups=["Staff"])
    _token, key = api_token_create(user=user, created_by=user)
    # One client per request, as two connections of one till would be.
    tills = [APIClient(), APIClient()]
    for till in tills:
        till.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    def sender(till):
        return lambda: bulk(till, shop, ["COPY-1", "COPY-2"], HTTP_IDEMPOTENCY_KEY="copy-0001")

    results = run_both([sender(till) for till in tills])

    assert [response.status_code for response in results] == [201, 201]
    assert results[0].json() == results[1].json()
    assert sorted("Idempotent-Replayed" in response for response in results) == [False, True]
    assert recorded() == ["COPY-1", "COPY-2"]


# Scans and serial number formats ----------------------------------------------------

GTIN = "09506000134352"  # GS1's example GTIN
GS = "\x1d"
CREATE_URL = reverse("api:serial-list")


@pytest.fixture
def phone(db):
    return ProductFactory(name="Pixel 9", sku="PX-9", serial_format="imei")


@pytest.mark.django_db
def test_scans_are_recorded_as_their_serials(staff_api, shop):
    serials = [f"]d201{GTIN}10LOT{GS}21SCAN-1", f"https://id.gs1.org/01/{GTIN}/21/SCAN-2", "P-3"]

    response = bulk(staff_api, shop, serials)

    assert response.status_code == 201
    assert response.json()["count"] == 3
    assert recorded() == ["P-3", "SCAN-1", "SCAN-2"]


@pytest.mark.django_db
def test_a_gs_at_the_end_of_a_scan_survives_the_trimming(staff_api, shop):
    response = bulk(staff_api, shop, [f" {GS}01{GTIN}21SCAN-9{GS} "])

    assert response.status_code == 201
    assert recorded() == ["SCAN-9"]


@pytest.mark.django_db
def test_a_scan_of_another_product_and_a_broken_scan_are_named(staff_api, shop):
    ProductFactory(name="Bosch Kettle", sku="BK-1", barcode="4006381333931")
    serials = ["(01)04006381333931(21)K-1", f"(01){GTIN}", "]d2" + "A" * 10_000]

    response = bulk(staff_api, shop, serials)

    assert response.status_code == 400
    found = errors(response)
    assert [(e["code"], e["entry"]) for e in found[1:]] == [
        ("gtin_other_product", 1),
        ("scan_no_serial", 2),
        ("scan_invalid", 3),
    ]
    assert found[1]["message"] == "The scan is of Bosch Kettle (BK-1), not Barista Pro (BP-1)."
    assert found[1]["serial"] == "(01)04006381333931(21)K-1"
    assert recorded() == []


@pytest.mark.django_db
def test_format_problems_refuse_the_batch_with_their_code(staff_api, shop, phone):
    main, _harbour, _product = shop
    data = {"product": phone.pk, "outlet": main.pk, "serials": ["356938035643808"]}

    response = staff_api.post(BULK_URL, data, format="json")

    assert response.status_code == 400
    assert codes(response) == ["invalid_entries", "format"]
    assert errors(response)[1]["message"] == "Not an IMEI: the check digit should be 9."
    assert recorded() == []


@pytest.mark.django_db
def test_a_manager_adds_anyway_with_format_confirmed(manager_api, shop, phone):
    main, _harbour, _product = shop
    data = {"product": phone.pk, "outlet": main.pk, "serials": ["356938035643808", "12"]}

    response = manager_api.post(BULK_URL, {**data, "format_confirmed": True}, format="json")

    assert response.status_code == 201
    assert response.json()["count"] == 2
    assert recorded() == ["12", "356938035643808"]


@pytest.mark.django_db
def test_staff_sending_format_confirmed_get_403(staff_api, shop, phone):
    main, _harbour, _product = shop
    data = {"product": phone.pk, "outlet": main.pk, "serials": ["12"], "format_confirmed": True}

    response = staff_api.post(BULK_URL, data, format="json")

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    single = {"product": phone.pk, "outlet": main.pk, "serial": "12", "format_confirmed": True}
    assert staff_api.post(CREATE_URL, single, format="json").status_code == 403
    assert recorded() == []


@pytest.mark.django_db
def test_adding_one_scan_answers_the_unit_with_its_serial(staff_api, shop):
    main, _harbour, product = shop
    data = {"product": product.pk, "outlet": main.pk, "serial": f"(01){GTIN}(21)ONE-1"}

    response = staff_api.post(CREATE_URL, data, format="json")

    assert response.status_code == 201
    assert response.json()["serial"] == "ONE-1"
    assert recorded() == ["ONE-1"]


@pytest.mark.django_db
def test_adding_one_broken_scan_names_it_on_serial(staff_api, shop):
    main, _harbour, product = shop
    data = {"product": product.pk, "outlet": main.pk, "serial": f"(01){GTIN}"}

    response = staff_api.post(CREATE_URL, data, format="json")

    assert response.status_code == 400
    assert codes(response) == ["scan_no_serial"]
    assert errors(response)[0]["field"] == "serial"
    assert recorded() == []


@pytest.mark.django_db
def test_format_confirmed_must_be_a_boolean(manager_api, shop):
    response = bulk(manager_api, shop, ["SN-1"], format_confirmed="maybe")

    assert response.status_code == 400
    assert recorded() == []
