from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, UpdateView
from django_filters.views import FilterView

from catalog import selectors, services
from catalog.filters import ProductFilter, SupplierFilter
from catalog.forms import ProductForm, SupplierForm
from catalog.models import Product, Supplier
from lib.mixins import ListPageMixin, ServiceFormMixin


class ProductListView(ListPageMixin, FilterView):
    permission_required = "catalog.view_product"
    filterset_class = ProductFilter
    template_name = "catalog/product_list.html"

    def get_queryset(self):
        return selectors.product_list()


class ProductCreateView(ServiceFormMixin, CreateView):
    permission_required = "catalog.add_product"
    form_class = ProductForm
    template_name = "catalog/product_form.html"
    success_message = _("Product “%(name)s” added.")

    def call_service(self, data):
        return services.product_create(**data)


class ProductUpdateView(ServiceFormMixin, UpdateView):
    permission_required = "catalog.change_product"
    model = Product
    form_class = ProductForm
    success_message = _("Product “%(name)s” saved.")

    def call_service(self, data):
        return services.product_update(product=self.object, **data)


class SupplierListView(ListPageMixin, FilterView):
    permission_required = "catalog.view_supplier"
    filterset_class = SupplierFilter
    template_name = "catalog/supplier_list.html"

    def get_queryset(self):
        return selectors.supplier_list()


class SupplierCreateView(ServiceFormMixin, CreateView):
    permission_required = "catalog.add_supplier"
    form_class = SupplierForm
    template_name = "catalog/supplier_form.html"
    success_message = _("Supplier “%(name)s” added.")
    success_url = reverse_lazy("catalog:supplier_list")

    def call_service(self, data):
        return services.supplier_create(**data)


class SupplierUpdateView(ServiceFormMixin, UpdateView):
    permission_required = "catalog.change_supplier"
    model = Supplier
    form_class = SupplierForm
    template_name = "catalog/supplier_form.html"
    success_message = _("Supplier “%(name)s” saved.")
    success_url = reverse_lazy("catalog:supplier_list")

    def call_service(self, data):
        return services.supplier_update(supplier=self.object, **data)
