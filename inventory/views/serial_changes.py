import copy
from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, UpdateView
from django.views.generic.edit import FormMixin

from inventory import selectors, services
from inventory.forms import (
    SerialFaultyForm,
    SerialTransferForm,
    SerialUpdateForm,
    SerialWriteOffForm,
    change_token,
    serial_pks,
)
from inventory.models import SerialRecord, SerialStatus
from lib.mixins import signed_in_user

TOKEN = "seen_updated_at"


def get_serial_or_404(pk: int) -> SerialRecord:
    try:
        return selectors.serial_get(pk=pk)
    except SerialRecord.DoesNotExist:
        raise Http404(_("No such serial number.")) from None


class SerialPermissionMixin(PermissionRequiredMixin):
    raise_exception = True
    # FormView treats PUT as POST and DeleteView deletes on DELETE without the
    # service's rules: only the methods a browser sends are allowed.
    http_method_names: Sequence[str] = ["get", "post", "head", "options"]


class ChangeFromPageMixin(FormMixin):
    """A change view whose form carries the state its page showed (`change_token`).

    `shown_serials` is what the page shows, read once per request. When the
    service refuses a change made on an older page (`changed_meanwhile`), the
    form comes back with everything typed and the token of the state shown now,
    so submitting again is a decision made on the current state.
    """

    def shown_serials(self) -> list[SerialRecord]:
        raise NotImplementedError

    def get_initial(self):
        initial = super().get_initial()
        if shown := self.shown_serials():
            initial[TOKEN] = change_token(shown)
        return initial

    def refuse(self, form, error: ValidationError, field: str | None = None):
        if getattr(error, "code", None) == "changed_meanwhile":
            form.add_error(None, error)
            self.show_current_state(form)
        else:
            form.add_error(field, error)
        return self.form_invalid(form)

    def form_invalid(self, form):
        # A hidden field's error would not show: say it above the form.
        if token_errors := form.errors.pop(TOKEN, None):
            form.add_error(None, token_errors)
            self.show_current_state(form)
        return super().form_invalid(form)

    def show_current_state(self, form) -> None:
        form.data = form.data.copy()
        if shown := self.shown_serials():
            form.data[TOKEN] = change_token(shown)


class SerialUpdateView(SerialPermissionMixin, ChangeFromPageMixin, UpdateView):
    permission_required = "inventory.change_serialrecord"
    form_class = SerialUpdateForm

    def get_object(self, queryset=None):
        serial = get_serial_or_404(self.kwargs["pk"])
        # The form writes what was typed onto the object; the page shows the stored unit.
        self.stored = copy.copy(serial)
        return serial

    def shown_serials(self) -> list[SerialRecord]:
        return [self.stored]

    def get_context_data(self, **kwargs):
        return super().get_context_data(serial=self.stored, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            serial = services.serial_update(
                serial=self.object,
                text=data["serial"],
                notes=data["notes"],
                user=signed_in_user(self.request),
                seen_updated_at=data[TOKEN],
            )
        except ValidationError as error:
            return self.refuse(form, error, "serial")
        messages.success(self.request, _("Serial number “%(serial)s” saved.") % {"serial": serial})
        return redirect(serial)


class SerialTransferView(SerialPermissionMixin, ChangeFromPageMixin, FormView):
    permission_required = "inventory.transfer_serialrecord"
    form_class = SerialTransferForm
    template_name = "inventory/serialrecord_transfer.html"

    @cached_property
    def selected(self) -> list[SerialRecord]:
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        return list(selectors.serials_by_pks(pks=serial_pks(data.getlist("serial"))))

    def shown_serials(self) -> list[SerialRecord]:
        return self.selected

    def get_initial(self):
        return {**super().get_initial(), "serial": [s.pk for s in self.selected]}

    def get_form_kwargs(self):
        outlets = {s.outlet for s in self.selected}
        current = outlets.pop() if len(outlets) == 1 else None
        return {**super().get_form_kwargs(), "current_outlet": current}

    def get_context_data(self, **kwargs):
        return super().get_context_data(serials=self.selected, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        outlet, serials = data["outlet"], data["serial"]
        try:
            count = services.serials_transfer(
                serials=serials,
                to_outlet=outlet,
                user=signed_in_user(self.request),
                note=data["note"],
                seen_updated_at=data[TOKEN],
            )
        except ValidationError as error:
            return self.refuse(form, error)
        message = ngettext(
            "%(count)s serial number transferred to %(outlet)s.",
            "%(count)s serial numbers transferred to %(outlet)s.",
            count,
        )
        messages.success(self.request, message % {"count": count, "outlet": outlet})
        if len(serials) == 1:
            return redirect(serials[0])
        return redirect(reverse("inventory:serial_list") + f"?outlet={outlet.pk}")


class SerialWriteOffView(SerialPermissionMixin, ChangeFromPageMixin, FormView):
    permission_required = "inventory.writeoff_serialrecord"
    form_class = SerialWriteOffForm
    template_name = "inventory/serialrecord_write_off.html"

    @cached_property
    def serial(self) -> SerialRecord:
        return get_serial_or_404(self.kwargs["pk"])

    def shown_serials(self) -> list[SerialRecord]:
        return [self.serial]

    def get_context_data(self, **kwargs):
        return super().get_context_data(serial=self.serial, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.serial_write_off(
                serial=self.serial,
                reason=data["reason"],
                user=signed_in_user(self.request),
                seen_updated_at=data[TOKEN],
            )
        except ValidationError as error:
            return self.refuse(form, error)
        message = _("Serial number “%(serial)s” written off.") % {"serial": self.serial}
        messages.success(self.request, message)
        return redirect(self.serial)


class SerialFaultyChangeView(SerialPermissionMixin, ChangeFromPageMixin, FormView):
    """Mark faulty / Reinstate: one unit, a note, the service named by the subclass."""

    permission_required = "inventory.faulty_serialrecord"
    form_class = SerialFaultyForm
    # The status the change starts from; any other and the page only explains.
    from_status: str

    @cached_property
    def serial(self) -> SerialRecord:
        return get_serial_or_404(self.kwargs["pk"])

    def shown_serials(self) -> list[SerialRecord]:
        return [self.serial]

    def get_context_data(self, **kwargs):
        allowed = self.serial.status == self.from_status
        return super().get_context_data(serial=self.serial, allowed=allowed, **kwargs)

    def change(self, **kwargs) -> None:
        raise NotImplementedError

    def done_message(self) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            self.change(
                serial=self.serial,
                note=data["note"],
                user=signed_in_user(self.request),
                seen_updated_at=data[TOKEN],
            )
        except ValidationError as error:
            return self.refuse(form, error)
        messages.success(self.request, self.done_message() % {"serial": self.serial})
        return redirect(self.serial)


class SerialMarkFaultyView(SerialFaultyChangeView):
    template_name = "inventory/serialrecord_mark_faulty.html"
    from_status = SerialStatus.IN_STOCK

    def change(self, **kwargs) -> None:
        services.serial_mark_faulty(**kwargs)

    def done_message(self) -> str:
        return _("Serial number “%(serial)s” marked faulty.")


class SerialReinstateView(SerialFaultyChangeView):
    template_name = "inventory/serialrecord_reinstate.html"
    from_status = SerialStatus.FAULTY

    def change(self, **kwargs) -> None:
        services.serial_reinstate(**kwargs)

    def done_message(self) -> str:
        return _("Serial number “%(serial)s” reinstated: it is In stock again.")
