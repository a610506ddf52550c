import csv
import itertools
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET
from django.views.generic import FormView
from django_filters.views import FilterView

from config.mixins import ListPageMixin, signed_in_user
from inventory import selectors, services
from inventory.filters import SerialRecordFilter
from inventory.forms import SerialsAddForm, SerialsImportForm
from inventory.models import SerialImportUpload
from inventory.services.serials import SerialsRecorded, csv_cell_escape


class SerialListView(ListPageMixin, FilterView):
    permission_required = "inventory.view_serialrecord"
    filterset_class = SerialRecordFilter
    template_name = "inventory/serialrecord_list.html"

    def get_queryset(self):
        return selectors.serial_list()

    def get_context_data(self, **kwargs):
        # The Filter button sends the hidden, empty added_at too: only a real
        # batch time means "the serials just recorded".
        filterset = self.filterset
        just_added = filterset.is_valid() and filterset.form.cleaned_data.get("added_at")
        return super().get_context_data(just_added=bool(just_added), **kwargs)


class _BatchView(PermissionRequiredMixin, FormView):
    """A form that records a batch of serials; a rejected batch lists its problems."""

    raise_exception = True

    def record(self, data: dict) -> SerialsRecorded:
        raise NotImplementedError

    def recorded_message(self, count: int) -> str:
        raise NotImplementedError

    def list_filters(self, data: dict) -> dict:
        """Filters of the list shown after success, besides the batch's timestamp."""
        return {}

    def form_valid(self, form):
        try:
            result = self.record(form.cleaned_data)
        except services.SerialsRejected as rejected:
            form.add_error(None, rejected)
            return self.render_to_response(self.get_context_data(form=form, check=rejected.check))
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, self.recorded_message(result.count))
        if result.skipped:
            skipped = len(result.skipped)
            messages.info(
                self.request,
                ngettext(
                    "%(count)s entry with a problem was left out.",
                    "%(count)s entries with problems were left out.",
                    skipped,
                )
                % {"count": skipped},
            )
        for warning in result.warnings[:20]:
            messages.warning(self.request, warning)
        filters = {
            **self.list_filters(form.cleaned_data),
            "added_at": result.created_at.isoformat(),
        }
        return redirect(f"{reverse('inventory:serial_list')}?{urlencode(filters)}")


class SerialCreateView(_BatchView):
    """The procedure's "Add Serial numbers" page."""

    permission_required = "inventory.add_serialrecord"
    form_class = SerialsAddForm
    template_name = "inventory/serialrecord_add.html"

    def record(self, data: dict) -> SerialsRecorded:
        return services.serials_add(
            product=data["product"],
            outlet=data["outlet"],
            entries=data["serial_numbers"],
            user=signed_in_user(self.request),
            only_valid=data["only_valid"],
        )

    def recorded_message(self, count: int) -> str:
        text = ngettext("%(count)s serial number added", "%(count)s serial numbers added", count)
        return text % {"count": count}

    def list_filters(self, data: dict) -> dict:
        return {"product": data["product"].pk, "outlet": data["outlet"].pk}


class SerialImportView(_BatchView):
    """Import CSV. A file with problems is kept on the server and the page refers
    to it by id, so importing its valid rows sends nothing through the page again."""

    permission_required = "inventory.add_serialrecord"
    form_class = SerialsImportForm
    template_name = "inventory/serialrecord_import.html"
    upload: SerialImportUpload | None = None  # the kept file the page refers to

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(upload=self.upload, **kwargs)

    def record(self, data: dict) -> SerialsRecorded:
        self.upload = data["upload"]
        try:
            return services.serials_import(
                csv_text=data["csv_text"],
                user=signed_in_user(self.request),
                only_valid=data["only_valid"],
            )
        except services.SerialsRejected as rejected:
            if self.upload is None:
                self.upload = services.serial_import_upload_create(
                    user=signed_in_user(self.request),
                    file_name=data["file_name"],
                    csv_text=data["csv_text"],
                    row_count=rejected.check.rows,
                )
            raise

    def recorded_message(self, count: int) -> str:
        text = ngettext(
            "%(count)s serial number imported", "%(count)s serial numbers imported", count
        )
        return text % {"count": count}


@require_GET
@permission_required("inventory.add_serialrecord", raise_exception=True)
def product_options(request: HttpRequest) -> HttpResponse:
    """Type-ahead matches for the Product field (htmx fragment)."""
    query = request.GET.get("q", "").strip()
    products = selectors.product_options(query=query)
    context = {"products": products, "query": query}
    return render(request, "inventory/includes/_product_options.html", context)


@require_GET
@permission_required("inventory.view_serialrecord", raise_exception=True)
def serial_lookup(request: HttpRequest) -> HttpResponse:
    """The "Look up serial" page: one exact match opens its page, else the matches are listed."""
    text = request.GET.get("q", "").strip()
    found = selectors.serial_lookup(text=text)
    if len(found.exact) == 1:
        return redirect(found.exact[0])
    context = {
        "found": found,
        "rows": selectors.serial_lookup_rows(found.exact or found.partial),
        "lookup_query": text,
        "list_query": urlencode({"q": text}),
        "customer_search_url": _customer_search_url(text) if text else "",
    }
    return render(request, "inventory/serial_lookup.html", context)


def _customer_search_url(text: str) -> str:
    """The Customers list searched by `text`; empty when sales is not installed.

    By URL name, not import: inventory must not import sales.
    """
    try:
        return f"{reverse('sales:customer_list')}?{urlencode({'q': text})}"
    except NoReverseMatch:
        return ""


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


# Rows per piece of the streamed export, as many as the database sends at once
# (selectors.serial_export_rows): few writes, one chunk in memory.
EXPORT_CHUNK_ROWS = 2000

# The BOM tells spreadsheets the file is UTF-8, so accents survive.
BOM = "\ufeff"


def _export_cells(row: tuple) -> list[str]:
    *values, created_at, notes = row
    added = timezone.localtime(created_at).strftime("%Y-%m-%d %H:%M")
    return [csv_cell_escape(str(value)) for value in (*values, added, notes)]


@require_GET
@permission_required("inventory.view_serialrecord", raise_exception=True)
def serial_export(request: HttpRequest) -> StreamingHttpResponse:
    """The Serial numbers list as CSV, with the list's filters, streamed in chunks."""
    filterset = SerialRecordFilter(request.GET, queryset=selectors.serial_list())
    # As on the list (FilterView's strict mode): invalid filters match no rows, not all.
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    rows = selectors.serial_export_rows(queryset)
    # Run the query before the response starts, so a database error gives an
    # error page rather than a file cut short.
    first_chunk = list(itertools.islice(rows, EXPORT_CHUNK_ROWS))
    writer = csv.writer(_Echo())
    header = [
        _("Serial number"),
        _("Product"),
        _("SKU"),
        _("Outlet"),
        _("Status"),
        _("Date added"),
        _("Notes"),
    ]

    def lines():
        yield BOM + writer.writerow(header)
        chunk = first_chunk
        while chunk:
            yield "".join(writer.writerow(_export_cells(row)) for row in chunk)
            chunk = list(itertools.islice(rows, EXPORT_CHUNK_ROWS))

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="serial-numbers-{stamp}.csv"'
    return response


@require_GET
@permission_required("inventory.add_serialrecord", raise_exception=True)
def serial_import_template(request: HttpRequest) -> HttpResponse:
    """A CSV to fill in for Import CSV: the columns it reads and one example row."""
    writer = csv.writer(_Echo())
    text = BOM + writer.writerow(["serial", "product SKU", "outlet"])
    text += writer.writerow(["SN-000123", "EXAMPLE-SKU", _("Main Street")])
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="serial-import-template.csv"'
    return response
