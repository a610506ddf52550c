"""Stock orders for the Receive tests, made with the ORM (the order pages are another's)."""

from decimal import Decimal

from catalog.models import Supplier
from inventory.models import StockOrder, StockOrderLine, StockOrderStatus


def order_with(*, outlet, lines, supplier_name="Acme Coffee Supply", status=StockOrderStatus.SENT):
    """A stock order from `supplier_name` to `outlet` with (product, quantity) `lines`."""
    supplier, _created = Supplier.objects.get_or_create(name=supplier_name)
    order = StockOrder.objects.create(supplier=supplier, outlet=outlet, status=status)
    for product, quantity in lines:
        StockOrderLine.objects.create(
            order=order, product=product, quantity=quantity, cost=Decimal("100.00")
        )
    return order


def line_of(order, product):
    return order.lines.get(product=product)
