from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DeleteView, DetailView, FormView, UpdateView

from inventory import selectors, services
from inventory.forms import SerialTransferForm, SerialUpdateForm, SerialWriteOffForm
from inventory.models import SerialRecord


def get_serial_or_404(pk: int) -> SerialRecord:
    try:
        return selectors.serial_get(pk=pk)
    except SerialRecord.DoesNotExist:
        raise Http404(_("No such serial number.")) from None


class SerialPermissionMixin(PermissionRequiredMixin):
    raise_exception = True
    # FormView treats PUT as POST and DeleteView deletes on DELETE without the
    # service's rules: only the methods a browser sends are allowed.
    http_method_names = ["get", "post", "head", "options"]


class SerialDetailView(SerialPermissionMixin, DetailView):
    permission_required = "inventory.view_serialrecord"
    http_method_names = ["get", "head", "options"]
    template_name = "inventory/serialrecord_detail.html"
    context_object_name = "serial"

    def get_object(self, queryset=None):
        return get_serial_or_404(self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        history = list(selectors.serial_history(serial=self.object))
        sale_event = selectors.serial_sale_event(serial=self.object, history=history)
        return super().get_context_data(
            history=history,
            sale_event=sale_event,
            warranty=selectors.serial_warranty(serial=self.object, sale_event=sale_event),
            was_sold=selectors.serial_was_sold(serial=self.object, history=history),
            **kwargs,
        )


class SerialUpdateView(SerialPermissionMixin, UpdateView):
    permission_required = "inventory.change_serialrecord"
    form_class = SerialUpdateForm

    def get_object(self, queryset=None):
        return get_serial_or_404(self.kwargs["pk"])

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            serial = services.serial_update(
                serial=self.object,
                text=data["serial"],
                notes=data["notes"],
                user=self.request.user,
            )
        except ValidationError as error:
            form.add_error("serial", error)
            return self.form_invalid(form)
        messages.success(self.request, _("Serial number “%(serial)s” saved.") % {"serial": serial})
        return redirect(serial)


class SerialTransferView(SerialPermissionMixin, FormView):
    permission_required = "inventory.transfer_serialrecord"
    form_class = SerialTransferForm
    template_name = "inventory/serialrecord_transfer.html"

    @cached_property
    def selected_pks(self) -> list[int]:
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        return [int(pk) for pk in data.getlist("serial") if pk.isdigit()]

    def get_initial(self):
        return {"serial": self.selected_pks}

    def get_context_data(self, **kwargs):
        serials = selectors.serials_by_pks(pks=self.selected_pks)
        return super().get_context_data(serials=serials, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        outlet, serials = data["outlet"], data["serial"]
        try:
            count = services.serials_transfer(
                serials=serials, to_outlet=outlet, user=self.request.user, note=data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        message = ngettext(
            "%(count)s serial number transferred to %(outlet)s.",
            "%(count)s serial numbers transferred to %(outlet)s.",
            count,
        )
        messages.success(self.request, message % {"count": count, "outlet": outlet})
        if len(serials) == 1:
            return redirect(serials[0])
        return redirect(reverse("inventory:serial_list") + f"?outlet={outlet.pk}")


class SerialWriteOffView(SerialPermissionMixin, FormView):
    permission_required = "inventory.writeoff_serialrecord"
    form_class = SerialWriteOffForm
    template_name = "inventory/serialrecord_write_off.html"

    @cached_property
    def serial(self) -> SerialRecord:
        return get_serial_or_404(self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(serial=self.serial, **kwargs)

    def form_valid(self, form):
        reason = form.cleaned_data["reason"]
        try:
            services.serial_write_off(serial=self.serial, reason=reason, user=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        message = _("Serial number “%(serial)s” written off.") % {"serial": self.serial}
        messages.success(self.request, message)
        return redirect(self.serial)


class SerialDeleteView(SerialPermissionMixin, DeleteView):
    permission_required = "inventory.delete_serialrecord"
    context_object_name = "serial"

    def get_object(self, queryset=None):
        return get_serial_or_404(self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        was_sold = selectors.serial_was_sold(serial=self.object)
        return super().get_context_data(was_sold=was_sold, **kwargs)

    def form_valid(self, form):
        try:
            services.serial_delete(serial=self.object, user=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        message = _("Serial number “%(serial)s” deleted.") % {"serial": self.object}
        messages.success(self.request, message)
        return redirect("inventory:serial_list")
