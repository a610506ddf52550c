from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, UpdateView

from inventory import selectors, services
from inventory.forms import OutletForm
from inventory.models import Outlet
from lib.mixins import ListPageMixin, ServiceFormMixin


class OutletListView(ListPageMixin, ListView):
    permission_required = "inventory.view_outlet"

    def get_queryset(self):
        return selectors.outlet_list()


class OutletCreateView(ServiceFormMixin, CreateView):
    permission_required = "inventory.add_outlet"
    form_class = OutletForm
    template_name = "inventory/outlet_form.html"
    success_message = gettext_lazy("Outlet “%(name)s” added.")
    success_url = reverse_lazy("inventory:outlet_list")

    def call_service(self, data):
        return services.outlet_create(**data)


class OutletUpdateView(ServiceFormMixin, UpdateView):
    permission_required = "inventory.change_outlet"
    model = Outlet
    form_class = OutletForm
    success_message = gettext_lazy("Outlet “%(name)s” saved.")
    success_url = reverse_lazy("inventory:outlet_list")

    def call_service(self, data):
        return services.outlet_update(outlet=self.object, **data)


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
