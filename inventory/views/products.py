from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.generic import DetailView

from catalog.models import Product
from inventory import selectors
from inventory.models import SerialStatus, StockMove
from inventory.selectors.stock_moves import StockMovePage, product_stock_moves
from lib.ids import parse_id


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
            stock_moves=self.stock_moves(),
            **kwargs,
        )

    def stock_moves(self) -> StockMovePage | None:
        """The Stock history: the newest moves, or those after ?moves_older_than=<move id>."""
        if not self.request.user.has_perm("inventory.view_stockmove"):
            return None
        older_than = self.request.GET.get("moves_older_than")
        if older_than is None:
            return product_stock_moves(product=self.object)
        no_such_move = Http404(_("No such move in this product's stock history."))
        pk = parse_id(older_than)
        if pk is None:
            raise no_such_move
        try:
            return product_stock_moves(product=self.object, older_than=pk)
        except StockMove.DoesNotExist:
            raise no_such_move from None
