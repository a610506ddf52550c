"""Print labels: the labels of one unit, of the units ticked on the list, or of the list's
filter (which is also how the batch just added or imported is printed)."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from inventory import selectors
from inventory.filters import SerialRecordFilter
from inventory.forms import LabelOptionsForm, serial_pks
from inventory.labels import (
    GS1_SERIAL_MAX,
    LABELS_MAX,
    LAYOUTS,
    NARROW,
    NO_BARCODE,
    NOT_CODE128,
    NOT_GS1_SERIAL,
    PLAIN_FORM,
    TOO_LONG,
    LabelSet,
    labels_make,
)
from inventory.models import SerialRecord

# The list's filters, carried from the list to this page and on to each redisplay.
FILTER_KEYS = tuple(SerialRecordFilter.base_filters)
# A note names at most this many serials; the rest are counted.
NAMED_MAX = 20


@dataclass
class Chosen:
    """The units a request asks labels for, and how to ask for them again."""

    serials: list[SerialRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    carry: list[tuple[str, str]] = field(default_factory=list)  # hidden inputs
    back_url: str = ""


def _over_cap() -> str:
    return _(
        "More than %(max)s serial numbers are chosen: one page prints at most %(max)s "
        "labels. Narrow the list's filters (Date added, Product, Outlet) or tick fewer."
    ) % {"max": number_format(LABELS_MAX, force_grouping=True)}


def _selection(query: QueryDict) -> Chosen:
    pks = serial_pks(query.getlist("serial"))
    # "selected" keeps an empty selection one when the page is shown again (not the whole list).
    carry = [("selected", "1"), *(("serial", str(pk)) for pk in pks)]
    chosen = Chosen(carry=carry, back_url=reverse("inventory:serial_list"))
    if len(pks) > LABELS_MAX:
        chosen.problems.append(_over_cap())
        return chosen
    found = {serial.pk: serial for serial in selectors.serials_by_pks(pks=pks)}
    # In the order ticked, which is the list's order.
    chosen.serials = [found[pk] for pk in pks if pk in found]
    if not pks:
        chosen.problems.append(
            _("No serial numbers selected. Tick the ones to print on the Serial numbers list.")
        )
    elif len(chosen.serials) < len(pks):
        gone = len(pks) - len(chosen.serials)
        chosen.problems.append(
            ngettext(
                "%(count)s of the selected serial numbers no longer exists.",
                "%(count)s of the selected serial numbers no longer exist.",
                gone,
            )
            % {"count": gone}
        )
    if len(chosen.serials) == 1:
        chosen.back_url = chosen.serials[0].get_absolute_url()
    return chosen


def _filtered(query: QueryDict) -> Chosen:
    carry = [(key, value) for key in FILTER_KEYS for value in query.getlist(key)]
    back = reverse("inventory:serial_list") + (f"?{urlencode(carry)}" if carry else "")
    chosen = Chosen(carry=carry, back_url=back)
    filterset = SerialRecordFilter(query, queryset=selectors.serial_list())
    if not filterset.is_valid():
        # As on the list: filters that cannot be read match nothing.
        chosen.problems += [error for errors in filterset.errors.values() for error in errors]
        return chosen
    queryset = filterset.qs
    batch = filterset.form.cleaned_data.get("added_at") or filterset.form.cleaned_data.get(
        "arrival_order"
    )
    if batch and not filterset.form.cleaned_data["sort"]:
        # A batch just recorded (or received) prints in the order it was typed or scanned.
        queryset = queryset.order_by("id")
    serials = list(queryset[: LABELS_MAX + 1])
    if len(serials) > LABELS_MAX:
        chosen.problems.append(_over_cap())
    elif not serials:
        chosen.problems.append(_("No serial numbers match the list's filters."))
    else:
        chosen.serials = serials
    return chosen


def _named(labels: list) -> str:
    shown = ", ".join(label.serial for label in labels[:NAMED_MAX])
    more = len(labels) - NAMED_MAX
    if more > 0:
        return _("%(serials)s and %(count)s more") % {"serials": shown, "count": more}
    return shown


def label_notes(labels: LabelSet) -> list[str]:
    """What the page says about labels whose code is not the one chosen, or may not scan."""
    texts = {
        NO_BARCODE: lambda n: ngettext(
            "%(count)s label shows Code 128: its product has no barcode (GTIN).",
            "%(count)s labels show Code 128: their products have no barcode (GTIN).",
            n,
        ),
        NOT_GS1_SERIAL: lambda n: ngettext(
            "%(count)s label shows Code 128: a GS1 serial number is at most %(max)s letters, "
            "digits or !\"%%&'()*+,-./:;<=>?_ signs (%(serials)s).",
            "%(count)s labels show Code 128: a GS1 serial number is at most %(max)s letters, "
            "digits or !\"%%&'()*+,-./:;<=>?_ signs (%(serials)s).",
            n,
        ),
        NOT_CODE128: lambda n: ngettext(
            "%(count)s label shows a QR code of its serial number: Code 128 cannot hold its "
            "characters (%(serials)s).",
            "%(count)s labels show a QR code of their serial numbers: Code 128 cannot hold "
            "their characters (%(serials)s).",
            n,
        ),
        TOO_LONG: lambda n: ngettext(
            "%(count)s label shows a QR code of its serial number: as Code 128 it is too long "
            "for the label (%(serials)s).",
            "%(count)s labels show a QR code of their serial numbers: as Code 128 they are too "
            "long for the label (%(serials)s).",
            n,
        ),
        NARROW: lambda n: ngettext(
            "%(count)s label may not scan: its bars are narrower than 0.25 mm, as its serial "
            "number is long (%(serials)s). Choose QR code, or the A4 sheet's wider labels.",
            "%(count)s labels may not scan: their bars are narrower than 0.25 mm, as their "
            "serial numbers are long (%(serials)s). Choose QR code, or the A4 sheet's wider "
            "labels.",
            n,
        ),
        PLAIN_FORM: lambda n: ngettext(
            "%(count)s label's Code 128 holds its serial number in plain characters "
            "(ＦＵＬＬ－１ as FULL-1), which Look up serial finds as the same unit (%(serials)s).",
            "%(count)s labels' Code 128 hold their serial numbers in plain characters "
            "(ＦＵＬＬ－１ as FULL-1), which Look up serial finds as the same units "
            "(%(serials)s).",
            n,
        ),
    }
    notes = []
    for code, text in texts.items():
        if concerned := labels.notes.get(code):
            count = len(concerned)
            params = {"count": count, "max": GS1_SERIAL_MAX, "serials": _named(concerned)}
            notes.append(text(count) % params)
    return notes


def _summary(labels: LabelSet) -> str:
    if labels.layout.key == "roll":
        return ngettext(
            "%(count)s label on the label roll.",
            "%(count)s labels on the label roll.",
            labels.count,
        ) % {"count": labels.count}
    sheets = len(labels.pages)
    text = ngettext(
        "%(labels)s on %(count)s A4 sheet.", "%(labels)s on %(count)s A4 sheets.", sheets
    )
    count = ngettext("%(count)s label", "%(count)s labels", labels.count) % {"count": labels.count}
    return text % {"labels": count, "count": sheets}


@require_GET
@permission_required("inventory.view_serialrecord", raise_exception=True)
def serial_labels(request: HttpRequest) -> HttpResponse:
    """Labels to print: of the ticked or linked units (`serial`), else of the list's filters."""
    query = request.GET
    form = LabelOptionsForm.from_query(query)
    selecting = "serial" in query or "selected" in query
    chosen = _selection(query) if selecting else _filtered(query)
    labels = None
    if form.is_valid() and chosen.serials:
        labels = labels_make(
            serials=chosen.serials,
            layout=LAYOUTS[form.cleaned_data["layout"]],
            code=form.cleaned_data["code"],
            url_of=lambda serial: request.build_absolute_uri(serial.get_absolute_url()),
        )
    context = {
        "form": form,
        "chosen": chosen,
        "labels": labels,
        "notes": label_notes(labels) if labels else [],
        "summary": _summary(labels) if labels else "",
    }
    return render(request, "inventory/serial_labels.html", context)
