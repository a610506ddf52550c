"""What other apps add to inventory's pages, without inventory importing them.

The serial page shows buttons for what can be done with a unit; some of them
belong to apps built on inventory (sales: Return, Open warranty claim). Each
such app registers a function from its AppConfig.ready, as catalog's
`serials_off_check_register` does for checks.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from inventory.models import SerialRecord, SerialStatus


@dataclass(frozen=True)
class SerialPageAction:
    """A button on the serial page's button row: a page-opening GET control.

    `takes_back`: the action brings a Sold unit back from its sale (Return), the
    way on to writing it off; the page's advice on a Sold unit points to it.
    """

    label: str
    url: str
    style: str = "btn-outline-primary"
    takes_back: bool = False


SerialPageActions = Callable[[HttpRequest, SerialRecord], list[SerialPageAction]]
_serial_page_actions: list[SerialPageActions] = []


def serial_page_actions_register(fn: SerialPageActions) -> None:
    """Show the buttons `fn(request, serial)` returns on the serial page (once per fn)."""
    if fn not in _serial_page_actions:
        _serial_page_actions.append(fn)


def serial_page_actions(request: HttpRequest, serial: SerialRecord) -> list[SerialPageAction]:
    """The registered buttons for `serial`, in the order their apps registered."""
    return [action for fn in _serial_page_actions for action in fn(request, serial)]


def serial_page_advice(
    *,
    serial: SerialRecord,
    was_sold: bool,
    request: HttpRequest,
    actions: list[SerialPageAction],
) -> SafeString | None:
    """Why Delete or Write off is missing from the serial page, and what to do instead.

    Said only to users who may delete or write off serials (the ones who look
    for those buttons), and only pointing to actions the page offers them.
    """
    may_delete = request.user.has_perm("inventory.delete_serialrecord")
    may_write_off = request.user.has_perm("inventory.writeoff_serialrecord")
    if not (may_delete or may_write_off):
        return None
    if serial.status == SerialStatus.SOLD:
        take_back = next((action for action in actions if action.takes_back), None)
        if take_back is None:
            return format_html(
                "{}", _("Sold units cannot be deleted or written off until they are returned.")
            )
        link = format_html('<a href="{}">{}</a>', take_back.url, _("record a Return"))
        return format_html(
            _("Sold units cannot be deleted or written off: {return_link} first."),
            return_link=link,
        )
    if not (was_sold and may_delete):
        return None
    if serial.status == SerialStatus.WRITTEN_OFF:
        message = _("This serial number was sold, so it cannot be deleted; it keeps its history.")
    elif may_write_off:
        message = _("This serial number was sold, so it cannot be deleted. Write it off instead.")
    else:
        message = _("This serial number was sold, so it cannot be deleted.")
    return format_html("{}", message)
