"""Security headers, login throttling, caching, session idle time and NUL characters."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from config.login_throttle import client_ip
from config.middleware import RefuseNulCharactersMiddleware
from config.sessions import REFRESH_SECONDS
from inventory.models import Outlet
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"
LOCKED_OUT = "Too many failed log-in attempts"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Dozens of log-ins per test: what is tested is the throttle, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(client, username, password, *, address="10.0.0.1", url=LOGIN_URL):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


# Login throttling ---------------------------------------------------------------


@pytest.mark.django_db
def test_five_failed_logins_refuse_even_the_right_password_with_a_message(client):
    UserFactory(username="sam")
    for _ in range(4):
        response = log_in(client, "sam", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.text

    fifth = log_in(client, "sam", "wrong")
    right = log_in(client, "sam", "secret-pass-123")

    assert fifth.status_code == 429
    assert right.status_code == 429
    assert LOCKED_OUT in right.text
    assert "try again in 15 minutes" in right.text
    assert not signed_in(client)


@pytest.mark.django_db
def test_four_failures_still_let_the_right_password_in(client):
    UserFactory(username="sam")
    for _ in range(4):
        log_in(client, "sam", "wrong")

    response = log_in(client, "sam", "secret-pass-123")

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in(client)


@pytest.mark.django_db
def test_failures_for_one_username_from_many_addresses_lock_that_username(client):
    UserFactory(username="sam")
    UserFactory(username="mia")
    for n in range(5):
        log_in(client, "sam", "wrong", address=f"10.0.1.{n}")

    refused = log_in(client, "sam", "secret-pass-123", address="10.0.2.1")
    other_user = log_in(Client(), "mia", "secret-pass-123", address="10.0.2.1")

    assert refused.status_code == 429
    assert LOCKED_OUT in refused.text
    assert other_user.status_code == 302


@pytest.mark.django_db
def test_failures_from_one_address_for_many_usernames_lock_that_address(client):
    UserFactory(username="sam")
    for n in range(5):
        log_in(client, f"guess{n}", "wrong", address="10.0.3.1")

    refused = log_in(client, "sam", "secret-pass-123", address="10.0.3.1")
    elsewhere = log_in(Client(), "sam", "secret-pass-123", address="10.0.3.2")

    assert refused.status_code == 429
    assert LOCKED_OUT in refused.text
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(4):
        response = log_in(client, "root", "wrong", url=ADMIN_LOGIN_URL)
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text

    log_in(client, "root", "wrong", url=ADMIN_LOGIN_URL)
    right = log_in(client, "root", "secret-pass-123", url=ADMIN_LOGIN_URL)

    assert right.status_code == 429
    assert LOCKED_OUT in right.text
    assert not signed_in(client)


@pytest.mark.django_db
def test_another_users_successful_login_does_not_clear_the_count(client):
    UserFactory(username="sam")
    UserFactory(username="mia")
    for _ in range(4):
        log_in(client, "mia", "wrong")
    assert log_in(Client(), "sam", "secret-pass-123").status_code == 302

    fifth = log_in(client, "mia", "wrong")

    assert fifth.status_code == 429
    assert LOCKED_OUT in fifth.text


@pytest.mark.django_db
def test_successful_logins_from_one_address_never_count(client):
    UserFactory(username="sam")
    for _ in range(8):
        assert log_in(Client(), "sam", "secret-pass-123").status_code == 302

    assert log_in(client, "sam", "secret-pass-123").status_code == 302
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_the_lock_lifts_once_the_cool_off_has_passed(client):
    UserFactory(username="sam")
    for _ in range(5):
        log_in(client, "sam", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = log_in(client, "sam", "secret-pass-123")

    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_forced_logins_in_tests_are_not_throttled(client, staff_user):
    for _ in range(5):
        log_in(Client(), "sam", "wrong")

    client.force_login(staff_user)

    assert client.get(reverse("home")).status_code == 200


@override_settings(SERIALDESK_PROXY_COUNT=1)
def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_ip(request) == "203.0.113.9"


def test_without_a_proxy_a_forged_forwarded_header_is_ignored():
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "198.51.100.7"


# Content-Security-Policy and Permissions-Policy -----------------------------------

CSP_DIRECTIVES = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


@pytest.fixture
def shop(db):
    outlet = OutletFactory(name="Main Street")
    product = ProductFactory(name="Espresso Machine Barista 900")
    serial = SerialRecordFactory(product=product, outlet=outlet, serial="BAR-0001")
    return {"outlet": outlet, "product": product, "serial": serial}


def page_urls(shop):
    return {
        "dashboard": reverse("home"),
        "products": reverse("catalog:product_list"),
        "product form": reverse("catalog:product_create"),
        "product edit": reverse("catalog:product_update", args=[shop["product"].pk]),
        "product page": shop["product"].get_absolute_url(),
        "serial list": reverse("inventory:serial_list"),
        "add serial numbers": reverse("inventory:serial_create"),
        "serial page": reverse("serial_detail", args=[shop["serial"].pk]),
        "outlets": reverse("inventory:outlet_list"),
        "outlet form": reverse("inventory:outlet_create"),
        "stock": reverse("inventory:stock_list"),
    }


def csp_directives(response):
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_content_security_policy(client, manager_client, shop):
    staff = Client()
    staff.force_login(UserFactory(username="sam", groups=["Staff"]))
    responses = {
        "login page": client.get(LOGIN_URL),
        "page": manager_client.get(reverse("inventory:serial_list")),
        "htmx fragment": manager_client.get(reverse("inventory:product_options"), {"q": "Esp"}),
        "csv export": manager_client.get(reverse("inventory:serial_export")),
        "redirect": manager_client.get(reverse("serial_lookup"), {"q": "BAR-0001"}),
        "not found": manager_client.get("/no-such-page/"),
        "forbidden": staff.get(reverse("inventory:outlet_create")),
        "admin": client.get(ADMIN_LOGIN_URL),
    }
    for kind, response in responses.items():
        assert response.status_code in {200, 302, 403, 404}, kind
        assert csp_directives(response) == CSP_DIRECTIVES, kind
        assert "camera=()" in response["Permissions-Policy"], kind


@pytest.mark.django_db
def test_powerful_browser_features_are_denied(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    features = {part.strip() for part in response["Permissions-Policy"].split(",")}
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid"]:
        assert f"{feature}=()" in features


class InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy would block in a page."""

    def __init__(self):
        super().__init__()
        self.found = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.found.append(f"style= on <{tag}>")
        if any(name.startswith("on") for name in attrs):
            self.found.append(f"event handler on <{tag}>")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script":
            self.in_script = "src" not in attrs
            if self.in_script:
                self.found.append("<script> without src")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:40]}")


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.mark.django_db
def test_the_main_pages_have_no_inline_script_or_style(client, manager_client, shop):
    login = client.get(LOGIN_URL)
    assert login.status_code == 200
    assert 'name="htmx-config"' in login.text
    assert inline_code(login.text) == []
    for name, url in page_urls(shop).items():
        response = manager_client.get(url)
        assert response.status_code == 200, name
        assert "Look up serial" in response.text, name
        assert inline_code(response.text) == [], name


def test_the_inline_code_check_finds_what_it_looks_for():
    html = '<p style="x">a</p><script>alert(1)</script><style>p{}</style><a onclick="x">b</a>'
    assert len(inline_code(html)) == 5


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="fr")
def test_pages_declare_the_active_language_and_switch_off_htmx_eval(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert '"allowEval": false' in response.text
    assert '"includeIndicatorStyles": false' in response.text


# Caching and the session's idle time -----------------------------------------------


@pytest.mark.django_db
def test_pages_for_a_signed_in_user_are_not_stored(manager_client, shop):
    for name, url in page_urls(shop).items():
        response = manager_client.get(url)
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name


@pytest.mark.django_db
def test_a_csv_export_is_not_stored(manager_client, shop):
    response = manager_client.get(reverse("inventory:serial_export"))
    assert response.status_code == 200
    assert response.streaming
    assert "BAR-0001" in b"".join(response.streaming_content).decode("utf-8-sig")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_page_for_an_anonymous_visitor_is_not_marked_no_store(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_stay_cacheable_for_a_signed_in_user(staff_user):
    client = Client()  # a new client builds its middleware with the settings above
    client.force_login(staff_user)
    response = client.get("/static/css/serialdesk.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_a_request_moves_a_session_end_fallen_behind_to_twelve_hours_ahead(manager_client):
    session = Session.objects.get()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))

    response = manager_client.get(reverse("home"))

    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 12 * 60 * 60
    session.refresh_from_db()
    ahead = session.expire_date - timezone.now()
    assert timedelta(hours=11, minutes=59) < ahead <= timedelta(hours=12)


@pytest.mark.django_db
def test_a_session_moved_on_minutes_ago_is_not_written_again(
    manager_client, django_assert_num_queries
):
    # Writing the session on every request cost three queries a page.
    session = Session.objects.get()
    end = timezone.now() + timedelta(hours=12) - timedelta(seconds=REFRESH_SECONDS - 60)
    Session.objects.update(expire_date=end)

    # Session, user, permissions (2), the exact and the partial look-up: no write.
    with django_assert_num_queries(6):
        response = manager_client.get(reverse("serial_lookup"), {"q": "NONE"})

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    session.refresh_from_db()
    assert session.expire_date == end


@pytest.mark.django_db
def test_a_session_idle_past_its_end_is_sent_to_the_login_page(manager_client):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = manager_client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


# NUL characters -------------------------------------------------------------------

INVALID_CHARACTER = "contained an invalid character"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/inventory/serials/lookup/?q=%00",
        "/inventory/serials/product-options/?q=ab%00c",
        "/inventory/serials/?q%00=x",
        "/admin/catalog/product/?brand=%00",
    ],
)
def test_a_nul_in_the_query_string_gets_a_400_page_that_names_it(client, url):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.get(url)

    assert response.status_code == 400
    assert INVALID_CHARACTER in response.text
    assert "Go to the Dashboard" in response.text


@pytest.mark.django_db
def test_a_nul_in_a_form_field_gets_a_400_and_saves_nothing(manager_client):
    response = manager_client.post(
        reverse("inventory:outlet_create"), {"name": "Harbour\x00Mall", "address": ""}
    )
    assert response.status_code == 400
    assert INVALID_CHARACTER in response.text
    assert not Outlet.objects.exists()


def test_a_nul_inside_an_uploaded_file_is_left_to_the_view():
    reached = []

    def view(request):
        reached.append(request.FILES["file"].read())
        return HttpResponse("imported")

    upload = SimpleUploadedFile("serials.csv", b"serial\nA\x00B\n", content_type="text/csv")
    request = RequestFactory().post("/inventory/serials/import/", {"file": upload, "note": "ok"})

    response = RefuseNulCharactersMiddleware(view)(request)

    assert response.status_code == 200
    assert reached == [b"serial\nA\x00B\n"]


def test_a_nul_in_a_multipart_field_beside_a_file_is_refused():
    upload = SimpleUploadedFile("serials.csv", b"serial\nA\n", content_type="text/csv")
    request = RequestFactory().post("/inventory/serials/import/", {"file": upload, "note": "\x00"})

    response = RefuseNulCharactersMiddleware(lambda request: HttpResponse("imported"))(request)

    assert response.status_code == 400
    assert INVALID_CHARACTER in response.content.decode()


@pytest.mark.django_db
def test_a_nul_in_the_session_cookie_gets_a_400_and_a_fresh_session(client):
    client.cookies["sessionid"] = "abc\x00defghijk"

    response = client.get(reverse("login"))

    assert response.status_code == 400
    assert "Your browser sent a damaged cookie for this site" in response.text
    assert response.cookies["sessionid"].value == ""
    assert client.get(reverse("login")).status_code == 200
