from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView
from django_filters.views import FilterView

from catalog.models import Product
from catalog.selectors import product_suggestions
from inventory import selectors, services
from inventory.exports import serial_export_chunks
from inventory.filters import SERIAL_SORTS, SerialRecordFilter
from inventory.forms import SerialsAddForm, SerialsImportForm
from inventory.models import SerialImportUpload
from inventory.services.jobs import serial_add_job_start, serial_import_job_start
from inventory.services.ranges import serial_range_grown_at
from inventory.services.serials import (
    FORMAT_OVERRIDE_PERMISSION,
    EntryProblem,
    SerialsCheck,
    SerialsRecorded,
    batch_problems_csv,
    serials_add_check,
)
from lib.csvfile import csv_text
from lib.mixins import signed_in_user


class SerialListView(PermissionRequiredMixin, FilterView):
    permission_required = "inventory.view_serialrecord"
    raise_exception = True
    filterset_class = SerialRecordFilter
    template_name = "inventory/serialrecord_list.html"

    def get_queryset(self):
        return selectors.serial_list()

    def get_context_data(self, **kwargs):
        # The Filter button sends the hidden, empty added_at too: only a real
        # batch time means "the serials just recorded".
        filterset = self.filterset
        just_added = filterset.is_valid() and filterset.form.cleaned_data.get("added_at")
        sort_name = filterset.sort_name()
        # Keyset paging, not ListPageMixin's OFFSET pages, which read every row
        # they skip: 1.7-4.4 s for page 5,000 or the last of 1,000,000.
        page = selectors.serial_list_page(
            queryset=kwargs.pop("object_list", self.object_list),
            sort_name=sort_name,
            sort=SERIAL_SORTS[sort_name],
            after=self.request.GET.get("after", ""),
            before=self.request.GET.get("before", ""),
            last=bool(self.request.GET.get("last")),
            size=settings.SERIALDESK_PAGE_SIZE,
        )
        # A long list is exported by a worker, with progress (the count is
        # the planner's estimate above the count's cap).
        export_in_background = page.count.value > settings.SERIALDESK_EXPORT_JOB_ROWS
        return super().get_context_data(
            just_added=bool(just_added),
            object_list=page.rows,
            listing=page,
            export_in_background=export_in_background,
            **kwargs,
        )


# A refused batch's page lists this many problems of each reason; "Download all
# problems" has every one. Rendering all 10,000 rows of a refused batch took
# most of its 2.2-2.4 s.
PROBLEMS_SHOWN_PER_REASON = 20

# What the problems of one reason code have in common, said of N entries.
# ngettext_lazy picks the plural by "count"; "number" is that count as the
# shop writes it ("9,998").
_PROBLEM_HEADINGS = {
    "exists": ngettext_lazy(
        "%(number)s already recorded for this product",
        "%(number)s already recorded for this product",
        "count",
    ),
    "repeated": ngettext_lazy(
        "%(number)s entered more than once", "%(number)s entered more than once", "count"
    ),
    "empty": ngettext_lazy(
        "%(number)s with no serial number", "%(number)s with no serial number", "count"
    ),
    "too_long": ngettext_lazy("%(number)s too long", "%(number)s too long", "count"),
    "comma": ngettext_lazy("%(number)s contains a comma", "%(number)s contain a comma", "count"),
    "unprintable": ngettext_lazy(
        "%(number)s contains a control character",
        "%(number)s contain a control character",
        "count",
    ),
    "unknown_product": ngettext_lazy(
        "%(number)s with an unknown product SKU",
        "%(number)s with an unknown product SKU",
        "count",
    ),
    "unknown_outlet": ngettext_lazy(
        "%(number)s with an unknown outlet", "%(number)s with an unknown outlet", "count"
    ),
    "product_not_serialised": ngettext_lazy(
        "%(number)s for a product without serial numbers enabled",
        "%(number)s for a product without serial numbers enabled",
        "count",
    ),
    "product_inactive": ngettext_lazy(
        "%(number)s for an inactive product", "%(number)s for an inactive product", "count"
    ),
    "outlet_inactive": ngettext_lazy(
        "%(number)s at an inactive outlet", "%(number)s at an inactive outlet", "count"
    ),
    "format": ngettext_lazy(
        "%(number)s does not match the product's serial number format",
        "%(number)s do not match the product's serial number format",
        "count",
    ),
    "scan_invalid": ngettext_lazy(
        "%(number)s is not a readable GS1 scan", "%(number)s are not readable GS1 scans", "count"
    ),
    "scan_no_serial": ngettext_lazy(
        "%(number)s scan with no serial number", "%(number)s scans with no serial number", "count"
    ),
    "gtin_other_product": ngettext_lazy(
        "%(number)s scan of another product", "%(number)s scans of another product", "count"
    ),
}
_ROW_PROBLEM_HEADINGS = {
    "repeated": ngettext_lazy(
        "%(number)s repeats an earlier row", "%(number)s repeat an earlier row", "count"
    ),
    "format": ngettext_lazy(
        "%(number)s does not match its product's serial number format",
        "%(number)s do not match their product's serial number format",
        "count",
    ),
}
_OTHER_PROBLEMS = ngettext_lazy(
    "%(number)s with another problem", "%(number)s with other problems", "count"
)


@dataclass(frozen=True)
class ProblemGroup:
    """The problems of a refused batch that share a reason code, as its page lists them."""

    heading: str
    count: int
    first: Sequence[EntryProblem]

    @property
    def more(self) -> str:
        """How many are not listed, as the shop writes numbers ("" when all are)."""
        hidden = self.count - len(self.first)
        return number_format(hidden, force_grouping=True) if hidden else ""


def problem_groups(problems: Sequence[EntryProblem], *, in_rows: bool) -> list[ProblemGroup]:
    """`problems` by reason code, most frequent first, each with its first few listed."""
    first: dict[str, list[EntryProblem]] = {}
    counts: dict[str, int] = {}
    for problem in problems:
        seen = counts.get(problem.code, 0)
        counts[problem.code] = seen + 1
        if seen < PROBLEMS_SHOWN_PER_REASON:
            first.setdefault(problem.code, []).append(problem)
    headings = {**_PROBLEM_HEADINGS, **_ROW_PROBLEM_HEADINGS} if in_rows else _PROBLEM_HEADINGS
    groups = [
        ProblemGroup(
            heading=headings.get(code, _OTHER_PROBLEMS)
            % {"count": count, "number": number_format(count, force_grouping=True)},
            count=count,
            first=first[code],
        )
        for code, count in counts.items()
    ]
    # Problems come in entry order, so a tie keeps the reason met first.
    return sorted(groups, key=lambda group: -group.count)


class _BatchView(PermissionRequiredMixin, FormView):
    """A form that records a batch of serials; a rejected batch lists its problems."""

    raise_exception = True
    in_rows = False  # positions are CSV rows, not entry numbers

    def record(self, data: dict) -> SerialsRecorded:
        raise NotImplementedError

    def recorded_message(self, count: int) -> str:
        raise NotImplementedError

    def list_filters(self, data: dict) -> dict:
        """Filters of the list shown after success, besides the batch's timestamp."""
        return {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            format_confirmable=_format_confirmable(self.request, kwargs.get("form"), kwargs),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            result = self.record(form.cleaned_data)
        except services.SerialsRejected as rejected:
            form.add_error(None, rejected)
            check = rejected.check
            groups = problem_groups(check.problems, in_rows=self.in_rows)
            context = self.get_context_data(form=form, check=check, problem_groups=groups)
            return self.render_to_response(context)
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


def _format_confirmable(request: HttpRequest, form, context: dict) -> bool:
    """Whether the page offers "Add anyway": to a user allowed it, when the refused batch
    has entries that break the format, or the box was ticked already."""
    if form is None or not request.user.has_perm(FORMAT_OVERRIDE_PERMISSION):
        return False
    check = context.get("check")
    if check is not None and any(problem.code == "format" for problem in check.problems):
        return True
    return form.is_bound and bool(form["format_confirmed"].value())


class SerialCreateView(_BatchView):
    """The procedure's "Add Serial numbers" page."""

    permission_required = "inventory.add_serialrecord"
    form_class = SerialsAddForm
    template_name = "inventory/serialrecord_add.html"

    def get_initial(self):
        return {**super().get_initial(), **SerialsAddForm.initial_from_query(self.request.GET)}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "generate": "generate" in self.request.POST}

    def post(self, request, *args, **kwargs):
        if "generate" not in request.POST:
            return super().post(request, *args, **kwargs)
        # Generate: the page again, the range appended to the box; nothing is saved.
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        generated = form.cleaned_data["generated"]
        form.data = form.box_with_generated()
        for message in _generated_messages(generated):
            messages.info(request, message)
        return self.render_to_response(self.get_context_data(form=form))

    def form_valid(self, form):
        # "Add in the background": the same text, with no cap, as a job.
        if not self.request.POST.get("background"):
            return super().form_valid(form)
        job = serial_add_job_start(
            user=signed_in_user(self.request),
            product=form.cleaned_data["product"],
            outlet=form.cleaned_data["outlet"],
            text=form.data["serial_numbers"],
            only_valid=form.cleaned_data["only_valid"],
            format_confirmed=form.cleaned_data["format_confirmed"],
        )
        # The job's page says it runs in the background, while it waits or runs.
        return redirect(job)

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        over_cap = form is not None and form.has_error(NON_FIELD_ERRORS, "too_many")
        return super().get_context_data(over_cap=over_cap, **kwargs)

    def record(self, data: dict) -> SerialsRecorded:
        return services.serials_add(
            product=data["product"],
            outlet=data["outlet"],
            entries=data["serial_numbers"],
            user=signed_in_user(self.request),
            only_valid=data["only_valid"],
            format_confirmed=data["format_confirmed"],
        )

    def recorded_message(self, count: int) -> str:
        text = ngettext("%(count)s serial number added", "%(count)s serial numbers added", count)
        return text % {"count": count}

    def list_filters(self, data: dict) -> dict:
        return {"product": data["product"].pk, "outlet": data["outlet"].pk}


def _generated_messages(serials: list[str]) -> list[str]:
    """What Generate says of the serials it put in the box."""
    count, first, last = len(serials), serials[0], serials[-1]
    if count == 1:
        text = _("1 serial number generated: %(first)s. Check it, then Add Serial numbers.")
    else:
        text = ngettext(
            "%(count)s serial number generated: %(first)s to %(last)s. "
            "Check them, then Add Serial numbers.",
            "%(count)s serial numbers generated: %(first)s to %(last)s. "
            "Check them, then Add Serial numbers.",
            count,
        )
    said = [
        text % {"count": number_format(count, force_grouping=True), "first": first, "last": last}
    ]
    grown = serial_range_grown_at(serials)
    if grown is not None:
        said.append(
            _("From %(grown)s on, the number has more digits than in %(first)s.")
            % {"grown": grown, "first": first}
        )
    return said


class SerialImportView(_BatchView):
    """Import CSV. A file with problems is kept on the server and the page refers
    to it by id, so importing its valid rows sends nothing through the page again."""

    permission_required = "inventory.add_serialrecord"
    form_class = SerialsImportForm
    template_name = "inventory/serialrecord_import.html"
    in_rows = True
    upload: SerialImportUpload | None = None  # the kept file the page refers to

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(upload=self.upload, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        if not _import_is_big(data["csv_text"]):
            return super().form_valid(form)
        job = serial_import_job_start(
            user=signed_in_user(self.request),
            file_name=data["file_name"],
            csv_text=data["csv_text"],
            only_valid=data["only_valid"],
            format_confirmed=data["format_confirmed"],
        )
        if data["upload"] is not None:
            data["upload"].delete()
        # The job's page says why it runs in the background, while it waits or runs.
        return redirect(job)

    def record(self, data: dict) -> SerialsRecorded:
        self.upload = data["upload"]
        try:
            return services.serials_import(
                csv_text=data["csv_text"],
                user=signed_in_user(self.request),
                only_valid=data["only_valid"],
                format_confirmed=data["format_confirmed"],
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


@require_POST
@permission_required("inventory.add_serialrecord", raise_exception=True)
def serial_batch_problems(
    request: HttpRequest, batch: str
) -> HttpResponse | StreamingHttpResponse:
    """Every problem of a refused Add or Import as CSV, from a fresh check of what the page
    holds: the typed text, or the id of the kept file. The server keeps nothing more."""
    checks = {"add": _batch_add_check, "import": _batch_import_check}
    if batch not in checks:
        raise Http404
    try:
        check = checks[batch](request)
    except ValidationError as error:
        # Only if something changed since the page was shown (the kept file expired).
        return HttpResponseBadRequest(" ".join(error.messages), content_type="text/plain")
    rows = batch_problems_csv(problems=check.problems, in_rows=batch == "import")
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="serial-problems-{stamp}.csv"'
    return response


def _batch_add_check(request: HttpRequest) -> SerialsCheck:
    form = SerialsAddForm(request.POST)
    if not form.is_valid():
        raise ValidationError([error for errors in form.errors.values() for error in errors])
    data = form.cleaned_data
    return serials_add_check(
        product=data["product"],
        outlet=data["outlet"],
        entries=data["serial_numbers"],
        format_confirmed=data["format_confirmed"],
    )


def _batch_import_check(request: HttpRequest) -> SerialsCheck:
    # request.FILES left out: the kept file is the one the page refers to.
    form = SerialsImportForm(request.POST, user=request.user)
    if not form.is_valid():
        raise ValidationError([error for errors in form.errors.values() for error in errors])
    data = form.cleaned_data
    return services.serials_import_check(
        csv_text=data["csv_text"], format_confirmed=data["format_confirmed"]
    )


@require_GET
@permission_required("inventory.add_serialrecord", raise_exception=True)
def product_options(request: HttpRequest) -> HttpResponse:
    """Type-ahead matches for the Product field (htmx fragment)."""
    query = request.GET.get("q", "").strip()
    products, exact = product_suggestions(selectors.serialised_products(), query)
    context = {"products": products, "query": query, "exact": exact}
    return render(request, "inventory/includes/_product_options.html", context)


@require_GET
@permission_required("inventory.view_serialrecord", raise_exception=True)
def product_filter_options(request: HttpRequest) -> HttpResponse:
    """Type-ahead matches for the list's Product filter: any product, active or not."""
    query = request.GET.get("q", "").strip()
    products, exact = product_suggestions(Product.objects.all(), query)
    context = {"products": products, "query": query, "exact": exact}
    return render(request, "inventory/includes/_product_filter_options.html", context)


# Rows per piece of the streamed export: few writes, one chunk in memory.
EXPORT_CHUNK_ROWS = 2000


@require_GET
@permission_required("inventory.view_serialrecord", raise_exception=True)
def serial_export(request: HttpRequest) -> StreamingHttpResponse:
    """The Serial numbers list as CSV, with the list's filters, streamed in chunks."""
    filterset = SerialRecordFilter(request.GET, queryset=selectors.serial_list())
    # As on the list (FilterView's strict mode): invalid filters match no rows, not all.
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    chunks = serial_export_chunks(queryset, chunk_rows=EXPORT_CHUNK_ROWS)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="serial-numbers-{stamp}.csv"'
    return response


@require_GET
@permission_required("inventory.add_serialrecord", raise_exception=True)
def serial_import_template(request: HttpRequest) -> HttpResponse:
    """A CSV to fill in for Import CSV: the columns it reads and one example row."""
    text = csv_text(
        ["serial", "product SKU", "outlet"], [["SN-000123", "EXAMPLE-SKU", _("Main Street")]]
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="serial-import-template.csv"'
    return response


def _import_is_big(csv_text: str) -> bool:
    """A file for a background job: more rows, or more bytes, than one request should take."""
    # Counting line ends is enough to choose: a quoted cell holding a line end is rare.
    if csv_text.count("\n") > settings.SERIALDESK_IMPORT_JOB_ROWS:
        return True
    return len(csv_text.encode()) > settings.SERIALDESK_IMPORT_MAX_BYTES
