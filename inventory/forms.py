import codecs
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.conf import settings
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from inventory.labels import CODE128, CODES, LAYOUTS
from inventory.models import Outlet, SerialImportUpload, SerialRecord
from inventory.services import serials_parse
from inventory.services.ranges import serial_range
from inventory.services.serials import IMPORT_UPLOAD_KEPT_FOR
from inventory.widgets import ProductPickerField
from lib.ids import IdChoiceField, IdField, parse_id
from lib.scans import scan_parse


class OutletForm(forms.ModelForm):
    class Meta:
        model = Outlet
        fields = ["name", "address", "require_customer_for_serialised"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


MAX_ON_HAND = 1_000_000_000


class StockSetForm(forms.Form):
    """One outlet's row of the stock form on the product page."""

    outlet = IdChoiceField(
        queryset=Outlet.objects.filter(is_active=True),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Stock can only be set at an active outlet.")},
    )
    on_hand = forms.IntegerField(
        label=_("On hand"),
        min_value=0,
        # Far below the database column's limit (2,147,483,647), far above a shop's count.
        max_value=MAX_ON_HAND,
        error_messages={
            "min_value": _("Stock on hand cannot be negative."),
            "max_value": _("Enter at most %(limit_value)s units."),
            "required": _("Enter the units on hand."),
            "invalid": _("Enter a whole number of units."),
        },
    )


def serial_pks(values: Iterable[str]) -> list[int]:
    """The primary keys among `values` (e.g. `?serial=` parameters); the rest is ignored."""
    pks = (parse_id(value) for value in values)
    return list(dict.fromkeys(pk for pk in pks if pk is not None))


def change_token(serials: Iterable[SerialRecord]) -> str:
    """What a page tells the service it showed: the latest `updated_at` of its serials.

    In ISO 8601 with microseconds: two changes in one second are two states.
    """
    latest = max(serial.updated_at for serial in serials)
    return latest.astimezone(dt.UTC).isoformat(timespec="microseconds")


class ChangeTokenField(forms.Field):
    """The hidden `change_token` of the page a change was made from, as a datetime."""

    widget = forms.HiddenInput
    default_error_messages = {
        # Sent by a page from before this field existed, or altered by hand.
        "required": _("This page is out of date: check what it shows now and submit again."),
        "invalid": _("This page is out of date: check what it shows now and submit again."),
    }

    def to_python(self, value) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        value = str(value).strip()
        if not value:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if parsed.tzinfo is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class SerialUpdateForm(forms.ModelForm):
    """Correct a serial's text or notes; the service re-checks uniqueness."""

    seen_updated_at = ChangeTokenField()

    class Meta:
        model = SerialRecord
        fields = ["serial", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class SerialChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        # Junk is dropped before the database sees it (SQLite overflows on huge numbers).
        return super().clean(serial_pks(value or []))


class SerialTransferForm(forms.Form):
    serial = SerialChoiceField(
        queryset=SerialRecord.objects.all(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("Select at least one serial number."),
            "invalid_choice": _("One of the selected serial numbers no longer exists."),
            "invalid_pk_value": _("One of the selected serial numbers no longer exists."),
        },
    )
    outlet = IdChoiceField(queryset=Outlet.objects.filter(is_active=True), label=_("Outlet"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    seen_updated_at = ChangeTokenField()

    def __init__(self, *args, current_outlet: Outlet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if current_outlet is not None:
            # Offered: the other outlets. Accepted: any active one, so a choice
            # made on an older page reaches the service, which says what changed.
            field = self.fields["outlet"]
            # Declared above with a queryset; the check narrows `Field` to say so.
            assert isinstance(field, forms.ModelChoiceField) and field.queryset is not None
            others = field.queryset.exclude(pk=current_outlet.pk)
            field.widget.choices = [("", field.empty_label), *((o.pk, str(o)) for o in others)]


class SerialWriteOffForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: lost, stolen, scrapped, sent back to the supplier."),
    )
    seen_updated_at = ChangeTokenField()


class SerialFaultyForm(forms.Form):
    """Mark faulty or Reinstate: an optional note for the unit's history."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seen_updated_at = ChangeTokenField()


class SerialDeleteForm(forms.Form):
    seen_updated_at = ChangeTokenField()


def active_outlets():
    return Outlet.objects.filter(is_active=True).order_by("name")


_GENERATE_FIELDS = ("first_serial", "count")
# serial_range's problems that a different Count would solve.
_COUNT_PROBLEMS = ("count_out_of_range", "range_too_long")


def first_serial_field() -> forms.CharField:
    """Generate's First serial (on Add Serial numbers and Receive)."""
    return forms.CharField(
        label=_("First serial"),
        required=False,
        error_messages={"required": _("Enter the first serial.")},
        help_text=_("Its last number counts up, zeros kept: SN-0098, SN-0099, SN-0100…"),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )


def count_field() -> forms.IntegerField:
    """Generate's Count (serial_range says what it must be)."""
    return forms.IntegerField(
        label=_("Count"),
        required=False,
        error_messages={
            "required": _("Enter how many serial numbers to generate."),
            "invalid": _("Enter a whole number."),
        },
        widget=forms.NumberInput(attrs={"min": 1}),
    )


class GenerateForm(forms.Form):
    """Generate on a form with a `serial_numbers` box and the fields First serial and Count.

    The form sets `self.generating` (the Generate button was pressed). Generate checks
    only its two fields and never saves; the form's other action ignores them.
    """

    generating: bool = False

    def clean_first_serial(self) -> str:
        # A scan of the first unit's label gives its serial (AI 21 of a GS1 code).
        text = self.cleaned_data["first_serial"]
        return scan_parse(text).serial if text else text

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        # Generate works before Product and Outlet are chosen and never adds: the
        # other fields are checked when the serials are added, which in turn
        # ignores First serial and Count.
        ignored = [name for name in self.errors if (name in _GENERATE_FIELDS) != self.generating]
        for name in ignored:
            del self.errors[name]
        if not self.generating:
            return
        data = self.cleaned_data
        # Not `required` fields: Add leaves them empty, and the page should not say otherwise.
        for name in _GENERATE_FIELDS:
            if name not in self.errors and data.get(name) in self.fields[name].empty_values:
                message = self.fields[name].error_messages["required"]
                self.add_error(name, forms.ValidationError(message, code="required"))
        if self.errors:
            return
        try:
            data["generated"] = serial_range(first=data["first_serial"], count=data["count"])
        except forms.ValidationError as error:
            for problem in error.error_list:
                field = "count" if problem.code in _COUNT_PROBLEMS else "first_serial"
                self.add_error(field, problem)

    def box_with_generated(self) -> QueryDict:
        """The submitted data with the generated serials appended to the box, one per
        line, and First serial and Count emptied, so a second Generate adds no copy."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        held = data.get("serial_numbers", "").rstrip()
        lines = [held] if held else []
        data["serial_numbers"] = "\n".join([*lines, *self.cleaned_data["generated"]])
        data["first_serial"] = data["count"] = ""
        return data


class SerialsAddForm(GenerateForm):
    """The procedure's "Add Serial numbers" form: Product, Outlet, Serial numbers."""

    product = ProductPickerField(
        label=_("Product"),
        queryset=Product.objects.filter(has_serial_numbers=True, is_active=True),
    )
    outlet = IdChoiceField(
        label=_("Outlet"),
        queryset=active_outlets(),
        empty_label=_("Select an outlet"),
        error_messages={"required": _("Select an outlet.")},
    )
    serial_numbers = forms.CharField(
        label=_("Serial numbers"),
        strip=False,
        error_messages={"required": _("Enter at least one serial number.")},
        widget=forms.Textarea(attrs={"rows": 8, "class": "serial-input", "spellcheck": "false"}),
        help_text=_(
            "Separate serial numbers with commas. New lines, tabs and semicolons work too, "
            "so a barcode scanner can scan straight into this box. For a batch bigger than "
            "one submission allows, use Import CSV."
        ),
    )
    # Set by the "Add only the N valid serial numbers" button, never by a field.
    only_valid = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # "Add anyway": shown on a refused batch with format problems, to Managers only.
    format_confirmed = forms.BooleanField(
        label=_("Add anyway"),
        required=False,
        help_text=_("Record the serial numbers that break the product's format too."),
    )
    # "Generate" (inventory.services.ranges): a range appended to the box, to check.
    first_serial = first_serial_field()
    count = count_field()

    def __init__(self, *args, generate: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.max_entries = settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION
        # Generate checks only its own two fields (see full_clean).
        self.generating = generate
        self.fields["count"].widget.attrs["max"] = self.max_entries
        # The count under the box is kept live by static/js/serial-count.js.
        self.helper.layout = Layout(
            "product",
            "outlet",
            "serial_numbers",
            HTML('{% include "inventory/includes/_serial_count.html" %}'),
            Row(
                Column("first_serial", css_class="col-sm-6"),
                Column("count", css_class="col-sm-3"),
                Column(
                    HTML('{% include "inventory/includes/_generate_button.html" %}'),
                    css_class="col-sm-3",
                ),
            ),
        )

    @classmethod
    def initial_from_query(cls, query: QueryDict) -> dict[str, Any]:
        """The product and outlet `?product=&outlet=` name (links from the product page and
        the coverage report), each only if the form accepts it; junk is ignored."""
        product_field, outlet_field = cls.base_fields["product"], cls.base_fields["outlet"]
        # Declared above with querysets; the checks narrow `Field` to say so.
        assert isinstance(product_field, ProductPickerField)
        assert isinstance(outlet_field, forms.ModelChoiceField)
        assert outlet_field.queryset is not None
        initial: dict[str, Any] = {}
        for name, queryset in (
            ("product", product_field.queryset),
            ("outlet", outlet_field.queryset),
        ):
            # Only plain keys reach the database (SQLite overflows on huge numbers).
            pks = serial_pks(query.getlist(name))
            found = queryset.filter(pk=pks[0]).first() if pks else None
            if found is not None:
                initial[name] = found
        return initial

    def clean_serial_numbers(self) -> list[str]:
        entries = serials_parse(self.cleaned_data["serial_numbers"])
        if not entries:
            raise forms.ValidationError(_("Enter at least one serial number."), code="empty")
        return entries


class CsvFile(NamedTuple):
    name: str
    text: str


# Line ends in a file that has not been decoded yet: LF, CRLF, or a lone CR.
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


class SerialsImportForm(forms.Form):
    """Import CSV: a new file, or the user's file kept on the server after a refused check."""

    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("Columns: serial, product SKU, outlet. The first row names them."),
    )
    # The id of the file kept after a refused check (a SerialImportUpload), so
    # "Import only the valid rows" does not send the file again.
    upload = IdField(required=False, widget=forms.HiddenInput)
    only_valid = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # "Add anyway", as on Add Serial numbers.
    format_confirmed = forms.BooleanField(
        label=_("Add anyway"),
        required=False,
        help_text=_("Record the serial numbers that break their product's format too."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout("file")

    def clean_file(self) -> CsvFile | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        # Files above SERIALDESK_IMPORT_MAX_BYTES are imported by a background job.
        limit = settings.SERIALDESK_IMPORT_JOB_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "This file is %(size)s; at most %(max)s can be imported at once. "
                    "Split it into smaller files."
                ),
                code="too_large",
                params={"size": filesizeformat(upload.size), "max": filesizeformat(limit)},
            )
        data = upload.read().removeprefix(codecs.BOM_UTF8)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                _("Row %(row)s is not UTF-8 text. Save the file as “CSV UTF-8” and try again."),
                code="encoding",
                params={"row": len(_LINE_BREAK.split(data[: error.start]))},
            ) from None
        return CsvFile(upload.name, text)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("file") or self.has_error("file"):
            # A file chosen now replaces the one kept from before.
            file = cleaned.get("file")
            cleaned["upload"] = None
            if file:
                cleaned.update(file_name=file.name, csv_text=file.text)
            return cleaned
        if not cleaned.get("upload"):
            raise forms.ValidationError(_("Choose a CSV file to import."), code="required")
        kept = SerialImportUpload.objects.filter(
            pk=cleaned["upload"],
            user=self.user,
            created_at__gte=timezone.now() - IMPORT_UPLOAD_KEPT_FOR,
        ).first()
        if kept is None:
            raise forms.ValidationError(
                _("The file checked earlier is no longer kept. Choose it again."),
                code="upload_gone",
            )
        cleaned.update(upload=kept, file_name=kept.file_name, csv_text=kept.text)
        return cleaned


class LabelOptionsForm(forms.Form):
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[(key, layout.name) for key, layout in LAYOUTS.items()],
        widget=forms.RadioSelect,
        help_text=_(
            "A4 sheet: 3 x 8 labels of 70 x 37 mm. Label roll: 62 x 29 mm, one label a page."
        ),
        error_messages={
            "required": _("Choose A4 sheet or Label roll."),
            "invalid_choice": _("Choose A4 sheet or Label roll."),
        },
    )
    code = forms.ChoiceField(
        label=_("Code"),
        choices=list(CODES.items()),
        widget=forms.RadioSelect,
        help_text=_(
            "Code 128 holds the serial number, the QR code the unit's page address, GS1 "
            "DataMatrix the product's barcode and the serial number."
        ),
        error_messages={
            "required": _("Choose Code 128, QR code or GS1 DataMatrix."),
            "invalid_choice": _("Choose Code 128, QR code or GS1 DataMatrix."),
        },
    )

    @classmethod
    def from_query(cls, query: QueryDict) -> "LabelOptionsForm":
        """The choices in `query`; A4 sheet and Code 128 for those it does not make."""
        return cls({"layout": query.get("layout", "sheet"), "code": query.get("code", CODE128)})
