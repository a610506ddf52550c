import csv
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET
from django.views.generic import FormView
from django_filters.views import FilterView

from inventory import selectors, services
from inventory.filters import SerialRecordFilter
from inventory.forms import SerialsAddForm, SerialsImportForm
from inventory.services.serials import SerialsRecorded


class SerialListView(PermissionRequiredMixin, FilterView):
    permission_required = "inventory.view_serialrecord"
    raise_exception = True
    filterset_class = SerialRecordFilter
    template_name = "inventory/serialrecord_list.html"

    def get_paginate_by(self, queryset):
        return settings.SERIALDESK_PAGE_SIZE

    def get_queryset(self):
        return selectors.serial_list()

    def get_context_data(self, **kwargs):
        return super().get_context_data(just_added="added_at" in self.request.GET, **kwargs)


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
            user=self.request.user,
            only_valid=data["only_valid"],
        )

    def recorded_message(self, count: int) -> str:
        text = ngettext("%(count)s serial number added", "%(count)s serial numbers added", count)
        return text % {"count": count}

    def list_filters(self, data: dict) -> dict:
        return {"product": data["product"].pk, "outlet": data["outlet"].pk}


class SerialImportView(_BatchView):
    permission_required = "inventory.import_serialrecord"
    form_class = SerialsImportForm
    template_name = "inventory/serialrecord_import.html"

    def record(self, data: dict) -> SerialsRecorded:
        return services.serials_import(
            csv_text=data["csv_text"], user=self.request.user, only_valid=data["only_valid"]
        )

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
    """The header's "Look up serial": one exact match opens it, else the filtered list."""
    text = request.GET.get("q", "").strip()
    matches = list(selectors.serials_matching_exactly(text=text)[:2]) if text else []
    if len(matches) == 1:
        return redirect(matches[0])
    return redirect(f"{reverse('inventory:serial_list')}?{urlencode({'q': text})}")


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


@require_GET
@permission_required("inventory.view_serialrecord", raise_exception=True)
def serial_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered Serial numbers list as CSV, streamed row by row."""
    filterset = SerialRecordFilter(request.GET, queryset=selectors.serial_list())
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
        yield writer.writerow(header)
        for *values, created_at, notes in selectors.serial_export_rows(filterset.qs):
            added = timezone.localtime(created_at).strftime("%Y-%m-%d %H:%M")
            yield writer.writerow([*values, added, notes])

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="serial-numbers-{stamp}.csv"'
    return response
