from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import CreateView, UpdateView
from django_filters.views import FilterView

from catalog import selectors, services
from catalog.filters import ProductFilter
from catalog.forms import ProductForm
from catalog.models import Product
from lib.mixins import ListPageMixin


class ProductListView(ListPageMixin, FilterView):
    permission_required = "catalog.view_product"
    filterset_class = ProductFilter
    template_name = "catalog/product_list.html"

    def get_queryset(self):
        return selectors.product_list()


class ProductCreateView(PermissionRequiredMixin, CreateView):
    permission_required = "catalog.add_product"
    raise_exception = True
    form_class = ProductForm
    template_name = "catalog/product_form.html"

    def form_valid(self, form):
        try:
            product = services.product_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Product “%(name)s” added.") % {"name": product.name})
        return redirect(product)


class ProductUpdateView(PermissionRequiredMixin, UpdateView):
    permission_required = "catalog.change_product"
    raise_exception = True
    model = Product
    form_class = ProductForm

    def form_valid(self, form):
        try:
            product = services.product_update(product=self.object, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Product “%(name)s” saved.") % {"name": product.name})
        return redirect(product)
