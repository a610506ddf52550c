"""Supplier returns as the API reads them, Send's request and a unit's outcome."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.fields import IdField, StringField, outlet_field
from catalog.models import Supplier
from inventory.models import (
    SupplierReturn,
    SupplierReturnOutcome,
    SupplierReturnReason,
    SupplierReturnUnit,
)
from inventory.services.supplier_returns import MAX_CREDIT, MAX_UNITS


class _ReturnRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class _ReturnSerialRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    serial = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    product = _ReturnRefSerializer(read_only=True)


class SupplierReturnUnitSerializer(serializers.ModelSerializer):
    serial = _ReturnSerialRefSerializer(read_only=True)
    replacement = _ReturnSerialRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SupplierReturnUnit
        fields = [
            "id",
            "serial",
            "from_status",
            "outcome",
            "credit_amount",
            "replacement",
            "resolved_at",
        ]
        read_only_fields = fields


class SupplierReturnSerializer(serializers.ModelSerializer):
    supplier = _ReturnRefSerializer(read_only=True)
    outlet = _ReturnRefSerializer(read_only=True, help_text=_("From: the outlet they left."))
    units = SupplierReturnUnitSerializer(many=True, read_only=True)
    units_at_supplier = serializers.IntegerField(
        read_only=True, help_text=_("Units without an outcome yet.")
    )
    oldest_at_supplier = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("When the oldest unit still at the supplier was sent; null when none is."),
    )

    class Meta:
        model = SupplierReturn
        fields = [
            "id",
            "supplier",
            "outlet",
            "reason",
            "supplier_reference",
            "status",
            "note",
            "units",
            "units_at_supplier",
            "oldest_at_supplier",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SupplierReturnCreateSerializer(serializers.Serializer):
    """Send, as Return stock takes it: the units In stock or Faulty at the outlet."""

    supplier = IdField(
        queryset=Supplier.objects.all(),
        error_messages={"does_not_exist": _("No supplier has this id.")},
    )
    outlet = outlet_field(help_text=_("From: the outlet the units leave."))
    serials = serializers.ListField(
        child=StringField(max_length=1000, trim_whitespace=False),
        allow_empty=False,
        max_length=MAX_UNITS,
        help_text=_("The units' serials as scanned or typed (serials or GS1 scans)."),
    )
    reason = serializers.ChoiceField(choices=SupplierReturnReason.choices)
    supplier_reference = StringField(required=False, default="", allow_blank=True)
    note = StringField(required=False, default="", allow_blank=True)


class SupplierReturnResolveSerializer(serializers.Serializer):
    """One unit's outcome: Credited (credit_amount), Repaired, Replaced (replacement_serial)."""

    unit = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=_("The unit's id on this return (units[].id).")
    )
    outcome = serializers.ChoiceField(choices=SupplierReturnOutcome.choices)
    credit_amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        max_value=MAX_CREDIT,
        required=False,
        allow_null=True,
        default=None,
    )
    replacement_serial = StringField(
        max_length=1000, required=False, default="", allow_blank=True, trim_whitespace=False
    )
    note = StringField(required=False, default="", allow_blank=True)
