from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, UpdateView
from django_filters.views import FilterView

from catalog import selectors, services
from catalog.filters import ProductFilter
from catalog.forms import ProductForm
from catalog.models import Product
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
