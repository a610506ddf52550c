"""Transfers as the API reads them, Send's request, and Receive's request and answer."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.fields import StringField, outlet_field, product_field
from api.serializers.stock_orders import (
    ReceiveEntrySerializer,
    _NamedRefSerializer,
    _ProductRefSerializer,
)
from inventory.models import Transfer, TransferLine, TransferUnit
from inventory.selectors.transfers import transfer_is_overdue


class TransferLineSerializer(serializers.ModelSerializer):
    product = _ProductRefSerializer(read_only=True)

    class Meta:
        model = TransferLine
        fields = ["id", "product", "quantity", "received", "never_arrived"]
        read_only_fields = fields


class TransferUnitSerializer(serializers.ModelSerializer):
    serial_number = serializers.IntegerField(source="serial_id", read_only=True)
    serial = serializers.CharField(source="serial.serial", read_only=True)
    product = serializers.IntegerField(source="serial.product_id", read_only=True)
    status = serializers.CharField(source="serial.status", read_only=True)

    class Meta:
        model = TransferUnit
        fields = ["serial_number", "serial", "product", "status", "received_at"]
        read_only_fields = fields


class TransferSerializer(serializers.ModelSerializer):
    from_outlet = _NamedRefSerializer(read_only=True)
    to_outlet = _NamedRefSerializer(read_only=True)
    sent_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    closed_by = serializers.CharField(source="closed_by.username", read_only=True, default=None)
    overdue = serializers.SerializerMethodField()
    lines = TransferLineSerializer(many=True, read_only=True)
    units = TransferUnitSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "from_outlet",
            "to_outlet",
            "status",
            "overdue",
            "note",
            "sent_by",
            "created_at",
            "received_at",
            "closed_at",
            "closed_by",
            "closed_reason",
            "updated_at",
            "lines",
            "units",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, transfer: Transfer) -> bool:
        return transfer_is_overdue(transfer)


class TransferQuantitySerializer(serializers.Serializer):
    product = product_field()
    quantity = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class TransferCreateSerializer(serializers.Serializer):
    """Send, as Transfer stock takes it: units In stock at From, quantities on hand there."""

    from_outlet = outlet_field(help_text=_("From: the outlet that sends."))
    to_outlet = outlet_field(help_text=_("To: the outlet that receives."))
    serials = serializers.ListField(
        child=StringField(max_length=1000, allow_blank=True, trim_whitespace=False),
        required=False,
        default=list,
        help_text=_(
            "Entries as scanned or typed: serials, GS1 scans, and product barcodes that "
            "name the product of the serials after them."
        ),
    )
    lines = TransferQuantitySerializer(
        many=True,
        required=False,
        default=list,
        help_text=_("Products without serial numbers: one line per product."),
    )
    note = StringField(required=False, default="", allow_blank=True, max_length=2000)


class TransferReceiveQuantitySerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = serializers.IntegerField(min_value=0, max_value=2**31 - 1)


class TransferReceiveSerializer(serializers.Serializer):
    """Receive: the entries of the Scan serial numbers box, and quantities per line."""

    serials = serializers.ListField(
        child=StringField(max_length=1000, allow_blank=True, trim_whitespace=False),
        required=False,
        default=list,
    )
    quantities = TransferReceiveQuantitySerializer(many=True, required=False, default=list)


class TransferCloseSerializer(serializers.Serializer):
    """Close short: why the rest will never arrive."""

    reason = StringField(max_length=200)


class TransferMissingSerializer(serializers.Serializer):
    """A unit of the transfer still In transit that this Receive did not take."""

    serial_number = serializers.IntegerField()
    serial = serializers.CharField()
    product = serializers.CharField()


class TransferReceiveResultSerializer(serializers.Serializer):
    transfer = TransferSerializer()
    received = serializers.IntegerField()
    quantity = serializers.IntegerField()
    missing = TransferMissingSerializer(many=True)
    unexpected = ReceiveEntrySerializer(many=True)
    scanned_twice = ReceiveEntrySerializer(many=True)
