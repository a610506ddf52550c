from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from catalog.models import Product
from inventory import selectors, services
from inventory.filters import StockLevelFilter
from inventory.forms import StockSetForm
from lib.mixins import ListPageMixin, signed_in_user


class StockLevelListView(ListPageMixin, FilterView):
    permission_required = "inventory.view_stocklevel"
    filterset_class = StockLevelFilter
    template_name = "inventory/stocklevel_list.html"

    def get_queryset(self):
        return selectors.stock_level_list()


@require_POST
@permission_required("inventory.change_stocklevel", raise_exception=True)
def stock_set(request: HttpRequest, product_pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=product_pk)
    form = StockSetForm(request.POST)
    if not form.is_valid():
        text = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, text)
        return redirect(product)
    outlet, on_hand = form.cleaned_data["outlet"], form.cleaned_data["on_hand"]
    try:
        services.stock_set(
            product=product, outlet=outlet, on_hand=on_hand, user=signed_in_user(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(product)
    messages.success(
        request,
        _("Stock on hand at %(outlet)s set to %(on_hand)s.")
        % {"outlet": outlet.name, "on_hand": on_hand},
    )
    return redirect(product)
