"""The README's API examples work, in order, on the demo data `make run` loads.

The calls are read from README.md's API section, so a change to the demo data
or to the API that breaks an example fails here rather than for a new user.
"""

import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.test import APIClient

from api.services import integration_user_create
from tests.api.helpers import errors

README = Path(__file__).resolve().parents[2] / "README.md"


def _api_section() -> str:
    text = README.read_text()
    return text[text.index("\n## API\n") : text.index("\n## ", text.index("\n## API\n") + 1)]


def _shell_lines() -> list[str]:
    """The API section's sh blocks, one command a line (continuations joined)."""
    blocks = re.findall(r"```sh\n(.*?)```", _api_section(), re.DOTALL)
    return "\n".join(blocks).replace("\\\n", " ").splitlines()


def _calls() -> list[tuple[str, str, str | None, dict[str, str]]]:
    """Each curl as (method, path under /api/v1, body, extra headers)."""
    calls = []
    for line in _shell_lines():
        if not line.startswith("curl "):
            continue
        words = shlex.split(line, comments=True)
        method, body, headers, path = "GET", None, {}, None
        words = words[1:]
        while words:
            word = words.pop(0)
            if word == "-X":
                method = words.pop(0)
            elif word == "-d":
                body = words.pop(0)
                method = "POST" if method == "GET" else method
            elif word == "-H":
                name, _colon, value = words.pop(0).partition(": ")
                headers["HTTP_" + name.upper().replace("-", "_")] = value
            elif word.startswith("$API/"):
                path = word.removeprefix("$API")
        assert path is not None, line
        calls.append((method, path, body, headers))
    return calls


def test_the_examples_reach_the_server_make_run_started_on_any_port():
    lines = _shell_lines()
    assert "export API=http://127.0.0.1:${PORT:-8000}/api/v1" in lines
    assert 'H=(-H "Authorization: Token $TOKEN" -H "Content-Type: application/json")' in lines
    assert len(_calls()) >= 20


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_every_example_succeeds_in_order_on_the_demo_data(roles, settings):
    # reset_sequences: the ids the README names are a fresh database's. The demo
    # loads only with debug on, as under `make run`.
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    manager = User.objects.get(username="manager")
    _token, key = integration_user_create(
        username="readme-script", role="Managers", created_by=manager
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    answers = {}
    for method, path, body, headers in _calls():
        call = getattr(api, method.lower())
        if body is None:
            response = call("/api/v1" + path, **headers)
        else:
            response = call("/api/v1" + path, body, content_type="application/json", **headers)
        failed = response.status_code >= 300
        assert not failed, f"{method} {path}: {response.status_code} {errors(response)}"
        answers[(method, path)] = response.json() if response.content else None

    # The examples' filters find rows on the demo data.
    listed = answers[
        ("GET", "/serial-numbers/?product=1&outlet=3&status=in_stock&added_from=2026-01-01")
    ]
    assert [row["serial"] for row in listed["results"]][:2] == [
        "BAR-ESP-900-OW0008",
        "BAR-ESP-900-OW0007",
    ]
    assert answers[("GET", "/products/?q=espresso&has_serial_numbers=true")]["results"]
    assert answers[("GET", "/sales/?serial=ESP-0002")]["results"]
    # The ids the README explains are the units it says.
    assert [row["serial"] for row in answers[("GET", "/lookup/?serial=esp-0001")]["exact"]] == [
        "ESP-0001"
    ]
    returned = answers[("POST", "/returns/")]
    assert returned["serial"]["serial"] == "ESP-0002"
    assert answers[("POST", "/warranty-claims/")]["serial"]["serial"] == "ESP-0003"
    assert answers[("POST", "/customers/")]["id"] == 6
