from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, UpdateView

from inventory import selectors, services
from inventory.forms import OutletForm
from inventory.models import Outlet
from lib.mixins import ListPageMixin


class OutletListView(ListPageMixin, ListView):
    permission_required = "inventory.view_outlet"

    def get_queryset(self):
        return selectors.outlet_list()


class OutletCreateView(PermissionRequiredMixin, CreateView):
    permission_required = "inventory.add_outlet"
    raise_exception = True
    form_class = OutletForm
    template_name = "inventory/outlet_form.html"

    def form_valid(self, form):
        try:
            outlet = services.outlet_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Outlet “%(name)s” added.") % {"name": outlet.name})
        return redirect("inventory:outlet_list")


class OutletUpdateView(PermissionRequiredMixin, UpdateView):
    permission_required = "inventory.change_outlet"
    raise_exception = True
    model = Outlet
    form_class = OutletForm

    def form_valid(self, form):
        try:
            outlet = services.outlet_update(outlet=self.object, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Outlet “%(name)s” saved.") % {"name": outlet.name})
        return redirect("inventory:outlet_list")


@require_POST
@permission_required("inventory.change_outlet", raise_exception=True)
def outlet_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    outlet = get_object_or_404(Outlet, pk=pk)
    active = request.POST.get("active") == "1"
    services.outlet_set_active(outlet=outlet, active=active)
    if active:
        messages.success(request, _("Outlet “%(name)s” reactivated.") % {"name": outlet.name})
    else:
        messages.success(request, _("Outlet “%(name)s” deactivated.") % {"name": outlet.name})
    return redirect("inventory:outlet_list")
