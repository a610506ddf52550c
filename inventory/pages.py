"""What other apps add to inventory's pages, without inventory importing them.

The serial page shows buttons for what can be done with a unit; some of them
belong to apps built on inventory (sales: Return, Open warranty claim). Each
such app registers a function from its AppConfig.ready, as catalog's
`serials_off_check_register` does for checks.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from inventory.models import SerialRecord


@dataclass(frozen=True)
class SerialPageAction:
    """A button on the serial page's button row: a page-opening GET control."""

    label: str
    url: str
    style: str = "btn-outline-secondary"


SerialPageActions = Callable[[HttpRequest, SerialRecord], list[SerialPageAction]]
_serial_page_actions: list[SerialPageActions] = []


def serial_page_actions_register(fn: SerialPageActions) -> None:
    """Show the buttons `fn(request, serial)` returns on the serial page (once per fn)."""
    if fn not in _serial_page_actions:
        _serial_page_actions.append(fn)


def serial_page_actions(request: HttpRequest, serial: SerialRecord) -> list[SerialPageAction]:
    """The registered buttons for `serial`, in the order their apps registered."""
    return [action for fn in _serial_page_actions for action in fn(request, serial)]
