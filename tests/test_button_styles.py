"""Buttons look like what they are: grey (Bootstrap's secondary) is for what cannot be pressed.

Primary action btn-primary, other actions btn-outline-primary, destructive ones
btn-outline-danger (docs/decisions.md, "Pages on any screen"). A disabled control
is greyed by Bootstrap's own :disabled and .disabled styles, so no live markup
needs the secondary classes at all.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["templates", "static/js", "catalog", "inventory", "sales", "reports", "api", "config"]
GREY_BUTTON = re.compile(r"\bbtn-(outline-)?secondary\b")


def _files():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in {".html", ".js", ".py"} and "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize("path", list(_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_live_action_is_styled_as_the_grey_disabled_looking_button(path):
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        assert not GREY_BUTTON.search(line), (
            f"line {number}: a grey button looks disabled; use btn-outline-primary "
            "(or btn-primary for the page's main action)"
        )
