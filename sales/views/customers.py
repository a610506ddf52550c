from urllib.parse import urlencode

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from lib.mixins import ListPageMixin, ServiceFormMixin
from sales import selectors, services
from sales.filters import CustomerFilter
from sales.forms import CustomerForm
from sales.models import Customer


class CustomerListView(ListPageMixin, FilterView):
    permission_required = "sales.view_customer"
    filterset_class = CustomerFilter
    template_name = "sales/customer_list.html"

    def get_queryset(self):
        return selectors.customer_list()


class CustomerCreateView(ServiceFormMixin, CreateView):
    permission_required = "sales.add_customer"
    form_class = CustomerForm
    template_name = "sales/customer_form.html"
    success_message = _("Customer “%(name)s” added.")

    def call_service(self, data):
        return services.customer_create(**data)


class CustomerUpdateView(ServiceFormMixin, UpdateView):
    permission_required = "sales.change_customer"
    model = Customer
    form_class = CustomerForm
    success_message = _("Customer “%(name)s” saved.")

    def call_service(self, data):
        return services.customer_update(customer=self.object, **data)


def _most_specific(customer: Customer) -> str:
    return customer.email or customer.phone or customer.name


class CustomerDetailView(PermissionRequiredMixin, DetailView):
    """A customer's details, latest sales, units they own, returns and warranty claims."""

    permission_required = "sales.view_customer"
    raise_exception = True
    model = Customer

    def get_context_data(self, **kwargs):
        limit = selectors.CUSTOMER_PAGE_SALES
        sales = selectors.customer_sales(customer=self.object, limit=limit)
        units = selectors.customer_units(customer=self.object, limit=limit)
        returns = selectors.customer_returns(customer=self.object, limit=limit)
        claims = selectors.customer_claims(customer=self.object, limit=limit)
        return super().get_context_data(
            sales=sales[:limit],
            more_sales=len(sales) > limit,
            units=units[:limit],
            more_units=len(units) > limit,
            returns=returns[:limit],
            more_returns=len(returns) > limit,
            claims=claims[:limit],
            more_claims=len(claims) > limit,
            all_sales_url=self.all_sales_url(),
            **kwargs,
        )

    def all_sales_url(self) -> str:
        # The Sales list finds customers by text; the email (or phone) is the
        # most specific text a customer has.
        query = urlencode({"customer": _most_specific(self.object)})
        return f"{reverse('sales:sale_list')}?{query}"
