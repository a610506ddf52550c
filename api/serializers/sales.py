"""Sales, returns, warranty claims and customers as the API shows them, and their inputs.

Ids are checked here (an unknown one is `does_not_exist` on its field); every
rule about the sale itself is `sale_create`'s, answered with its codes.
"""

from decimal import Decimal
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.catalog import OutletRefSerializer, ProductRefSerializer
from api.serializers.fields import IdField, StringField, outlet_field, product_field
from api.serializers.serials import SerialEntriesField
from inventory.models import SerialRecord
from sales.forms import MAX_LINES, MAX_QUANTITY
from sales.forms.claims import REPLACEMENT_MAX_LENGTH
from sales.models import (
    ClaimStatus,
    ClaimUpdate,
    Customer,
    Return,
    ReturnOutcome,
    ReturnReason,
    Sale,
    SaleLine,
    SaleLineSerial,
    WarrantyClaim,
)

# The Return page's limit on a note.
RETURN_NOTE_MAX_LENGTH = 2000


class ClaimStatusField(serializers.ChoiceField):
    """A claim's status, one of the stored values (open, in_repair, ... rejected)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ClaimStatus.choices, **kwargs)


def serial_field(**kwargs: Any) -> IdField:
    messages = {"does_not_exist": _("No serial number has this id.")}
    return IdField(queryset=SerialRecord.objects.all(), error_messages=messages, **kwargs)


def customer_field(**kwargs: Any) -> IdField:
    messages = {"does_not_exist": _("No customer has this id.")}
    return IdField(queryset=Customer.objects.all(), error_messages=messages, **kwargs)


def sale_field(**kwargs: Any) -> IdField:
    messages = {"does_not_exist": _("No sale has this id.")}
    return IdField(queryset=Sale.objects.all(), error_messages=messages, **kwargs)


# Reading ------------------------------------------------------------------


class CustomerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name"]
        read_only_fields = fields


class SaleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sale
        fields = ["id", "number"]
        read_only_fields = fields


class SerialRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SerialRecord
        fields = ["id", "serial"]
        read_only_fields = fields


class SerialWithProductSerializer(serializers.ModelSerializer):
    product = ProductRefSerializer(read_only=True)

    class Meta:
        model = SerialRecord
        fields = ["id", "serial", "product"]
        read_only_fields = fields


class SaleUnitSerializer(serializers.ModelSerializer):
    """A unit sold on a line: the serial number's id and text, and when it came back."""

    id = serializers.IntegerField(source="serial_id", read_only=True)
    serial = serializers.CharField(source="serial.serial", read_only=True)

    class Meta:
        model = SaleLineSerial
        fields = ["id", "serial", "returned_at"]
        read_only_fields = fields


class SaleLineSerializer(serializers.ModelSerializer):
    product = ProductRefSerializer(read_only=True)
    serials = SaleUnitSerializer(source="units", many=True, read_only=True)

    class Meta:
        model = SaleLine
        fields = ["position", "product", "quantity", "unit_price", "serials"]
        read_only_fields = fields


class SaleListSerializer(serializers.ModelSerializer):
    """A line of the Sales list; `items` is the units sold."""

    outlet = OutletRefSerializer(read_only=True)
    customer = CustomerRefSerializer(read_only=True, allow_null=True)
    clerk = serializers.SlugRelatedField(slug_field="username", read_only=True)
    items = serializers.IntegerField(read_only=True)

    class Meta:
        model = Sale
        fields = ["id", "number", "outlet", "customer", "clerk", "created_at", "total", "items"]
        read_only_fields = fields


class SaleSerializer(serializers.ModelSerializer):
    """A sale's page: reads what `sale_detail_queryset` fetches, its lines and units."""

    outlet = OutletRefSerializer(read_only=True)
    customer = CustomerRefSerializer(read_only=True, allow_null=True)
    clerk = serializers.SlugRelatedField(slug_field="username", read_only=True)
    lines = SaleLineSerializer(many=True, read_only=True)

    class Meta:
        model = Sale
        fields = ["id", "number", "outlet", "customer", "clerk", "created_at", "total", "lines"]
        read_only_fields = fields


class ReturnSerializer(serializers.ModelSerializer):
    serial = SerialWithProductSerializer(read_only=True)
    sale = SaleRefSerializer(read_only=True)
    customer = CustomerRefSerializer(read_only=True, allow_null=True)
    outlet = OutletRefSerializer(read_only=True)
    clerk = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Return
        fields = [
            "id",
            "serial",
            "sale",
            "customer",
            "reason",
            "outcome",
            "outlet",
            "refund_amount",
            "note",
            "clerk",
            "created_at",
        ]
        read_only_fields = fields


class ClaimUpdateSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    from_status = serializers.CharField(
        read_only=True, help_text=_("The status before; empty on the update that opened it.")
    )
    to_status = ClaimStatusField(read_only=True)

    class Meta:
        model = ClaimUpdate
        fields = ["from_status", "to_status", "note", "user", "created_at"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    """A line of Sales > Warranty claims."""

    serial = SerialWithProductSerializer(read_only=True)
    sale = SaleRefSerializer(read_only=True)
    customer = CustomerRefSerializer(read_only=True, allow_null=True)
    status = ClaimStatusField(read_only=True)

    class Meta:
        model = WarrantyClaim
        fields = [
            "id",
            "serial",
            "sale",
            "customer",
            "status",
            "warranty_expired",
            "fault_description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ClaimDetailSerializer(ClaimSerializer):
    """A claim's page: the claim, its replacement, and every update, newest first."""

    opened_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    replacement_serial = SerialRefSerializer(read_only=True, allow_null=True)
    replacement_sale = SaleRefSerializer(read_only=True, allow_null=True)
    updates = ClaimUpdateSerializer(many=True, read_only=True)

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "opened_by",
            "replacement_serial",
            "replacement_sale",
            "updates",
        ]
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer):
    """A customer; name, email and phone are what Add and Edit customer change."""

    # Strings only: a phone number sent as a JSON number has lost its leading zero.
    name = StringField(max_length=Customer._meta.get_field("name").max_length)
    phone = StringField(
        max_length=Customer._meta.get_field("phone").max_length, required=False, allow_blank=True
    )

    class Meta:
        model = Customer
        fields = ["id", "name", "email", "phone", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


# Writing ------------------------------------------------------------------


class SaleLineInputSerializer(serializers.Serializer):
    product = product_field(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Left out or null: the product whose barcode the line's GS1 scans carry (AI 01)."
        ),
    )
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    unit_price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Left out or null: the product's retail price."),
    )
    serials = SerialEntriesField(
        required=False,
        default=list,
        help_text=_(
            "One serial number per unit, for a product with serial numbers; none otherwise. "
            "Each one typed, or a scan: a GS1 scan sells the unit of its serial (AI 21), "
            "and its GTIN (AI 01) must be the line's product's barcode (code "
            "gtin_other_product otherwise)."
        ),
    )

    def validate_serials(self, value: list[str]) -> list[str]:
        # The most a line can need: one serial per unit of the largest quantity.
        if len(value) > MAX_QUANTITY:
            raise serializers.ValidationError(
                _("At most %(max)s serial numbers on one line.") % {"max": MAX_QUANTITY},
                code="too_many",
            )
        return value


class SaleCreateSerializer(serializers.Serializer):
    outlet = outlet_field()
    customer = customer_field(required=False, allow_null=True, default=None)
    lines = SaleLineInputSerializer(
        many=True,
        max_length=MAX_LINES,
        help_text=format_lazy(_("1 to {max} lines, as the New sale page takes."), max=MAX_LINES),
    )
    record_new = serializers.BooleanField(
        default=False,
        help_text=_(
            "Record serial numbers that are not recorded yet, as the New sale page's "
            "Record as new. Without it such a sale is refused with code not_recorded."
        ),
    )
    sell_here = serializers.BooleanField(
        default=False,
        help_text=_(
            "Sell units In stock at another outlet here, as the page's Sell it here. "
            "Without it such a sale is refused with code in_stock_elsewhere."
        ),
    )
    format_confirmed = serializers.BooleanField(
        default=False,
        help_text=_(
            "With record_new: record new serial numbers that break their product's Serial "
            "number format, as a Manager's Record as new on the page. Needs the permission "
            "inventory.override_format_serialrecord (Managers); others get 403. Without it "
            "such a sale is refused with code format."
        ),
    )


class ReturnCreateSerializer(serializers.Serializer):
    serial = serial_field()
    sale = sale_field(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The sale it is returned from; left out: the unit's current sale."),
    )
    reason = serializers.ChoiceField(choices=ReturnReason.choices)
    outcome = serializers.ChoiceField(
        choices=ReturnOutcome.choices,
        help_text=_("restock: back In stock at `outlet`; faulty: Faulty."),
    )
    outlet = outlet_field(help_text=_("Where the unit goes."))
    refund_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text=_("At most what was paid for the unit.")
    )
    note = StringField(
        required=False, allow_blank=True, max_length=RETURN_NOTE_MAX_LENGTH, default=""
    )


class ClaimCreateSerializer(serializers.Serializer):
    serial = serial_field(help_text=_("A unit sold and not returned."))
    # Blank is the service's refusal (required, on this field).
    fault_description = StringField(allow_blank=True)
    confirm_expired = serializers.BooleanField(
        default=False,
        help_text=_(
            "Open the claim although the warranty has expired. Without it such a claim "
            "is refused with code warranty_expired."
        ),
    )


class ClaimStatusSerializer(serializers.Serializer):
    status = ClaimStatusField()
    note = StringField(required=False, allow_blank=True, default="")
    replacement_serial = StringField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        max_length=REPLACEMENT_MAX_LENGTH,
        # Trimmed by the service as scans are (a GS at either end stays).
        trim_whitespace=False,
        help_text=_(
            "Only for resolved_replaced: the serial number of a unit In stock of the "
            "same product, sold to the customer at no charge; typed, or a scan (its "
            "serial, AI 21; its GTIN, AI 01, must be the product's barcode)."
        ),
    )
