from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import DetailView

from catalog.models import Product
from inventory import selectors
from inventory.models import SerialStatus


class ProductDetailView(PermissionRequiredMixin, DetailView):
    """The product page: catalog data with its stock and serials (so it lives in inventory)."""

    permission_required = "catalog.view_product"
    raise_exception = True
    model = Product
    template_name = "inventory/product_detail.html"

    def get_context_data(self, **kwargs):
        rows = selectors.product_stock_by_outlet(product=self.object)
        # Serial columns once the product is serialised or has serials left over.
        show_serials = self.object.has_serial_numbers or any(
            cell.count for row in rows for cell in row.serial_counts
        )
        # The add form takes only active products with serial numbers.
        can_add_serials = (
            self.object.has_serial_numbers
            and self.object.is_active
            and self.request.user.has_perm("inventory.add_serialrecord")
        )
        return super().get_context_data(
            outlet_rows=rows,
            statuses=SerialStatus.choices,
            show_serials=show_serials,
            can_add_serials=can_add_serials,
            **kwargs,
        )
