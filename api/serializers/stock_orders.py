"""Stock orders as the API reads them, and Receive's request and answer."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.fields import IdField, StringField, outlet_field, product_field
from catalog.models import Supplier
from inventory.models import StockOrder, StockOrderLine


class _NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class _ProductRefSerializer(_NamedRefSerializer):
    sku = serializers.CharField(read_only=True)
    has_serial_numbers = serializers.BooleanField(read_only=True)


class StockOrderLineSerializer(serializers.ModelSerializer):
    product = _ProductRefSerializer(read_only=True)

    class Meta:
        model = StockOrderLine
        fields = ["id", "product", "quantity", "cost", "received"]
        read_only_fields = fields


class StockOrderSerializer(serializers.ModelSerializer):
    supplier = _NamedRefSerializer(read_only=True)
    outlet = _NamedRefSerializer(read_only=True)
    lines = StockOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = StockOrder
        fields = [
            "id",
            "supplier",
            "outlet",
            "reference",
            "due",
            "status",
            "note",
            "lines",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReceiveQuantitySerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = serializers.IntegerField(min_value=0, max_value=2**31 - 1)


class ReceiveSerializer(serializers.Serializer):
    """Receive: the entries of the Scan serial numbers box, and quantities per line."""

    serials = serializers.ListField(
        child=StringField(max_length=1000, allow_blank=True, trim_whitespace=False),
        required=False,
        default=list,
        help_text=_(
            "Entries as scanned or typed: serials, GS1 scans, and product barcodes that "
            "assign the serials after them to their product."
        ),
    )
    quantities = ReceiveQuantitySerializer(many=True, required=False, default=list)
    format_confirmed = serializers.BooleanField(required=False, default=False)


class ReceiveEntrySerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    serial = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ReceiveResultSerializer(serializers.Serializer):
    order = StockOrderSerializer()
    received = serializers.IntegerField()
    quantity = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    not_on_order = ReceiveEntrySerializer(many=True)
    already_recorded = ReceiveEntrySerializer(many=True)
    scanned_twice = ReceiveEntrySerializer(many=True)
    problems = ReceiveEntrySerializer(many=True)


class OrderLineInputSerializer(serializers.Serializer):
    product = product_field()
    quantity = serializers.IntegerField(min_value=1)
    cost = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The unit cost; left out or null: 0.00."),
    )


class StockOrderCreateSerializer(serializers.Serializer):
    """Order stock, as the page takes it: saved as Open, one line per product."""

    supplier = IdField(
        queryset=Supplier.objects.all(),
        error_messages={"does_not_exist": _("No supplier has this id.")},
    )
    outlet = outlet_field(help_text=_("Deliver to: the outlet that receives the stock."))
    reference = StringField(required=False, default="", allow_blank=True)
    due = serializers.DateField(required=False, allow_null=True, default=None)
    note = StringField(required=False, default="", allow_blank=True)
    lines = OrderLineInputSerializer(many=True, allow_empty=False)
