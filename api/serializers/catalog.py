from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.fields import StringField
from catalog.gtin import GTIN_LENGTH, barcode_validate
from catalog.models import Product
from inventory.models import Outlet


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "sku",
            "brand",
            "retail_price",
            "warranty_months",
            "is_active",
            "has_serial_numbers",
            "barcode",
            "gtin",
            "serial_format",
            "serial_pattern",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "gtin", "created_at", "updated_at"]
        # Uniqueness is the service's rule (SKU unique whatever its case), with its code.
        validators: list = []
        extra_kwargs: dict[str, dict] = {
            "sku": {"validators": []},
            # The model's check constraint, named on its field.
            "retail_price": {
                "min_value": 0,
                "error_messages": {"min_value": _("The retail price cannot be negative.")},
            },
        }

    # A JSON string: as a number, a UPC-A would have lost its leading zero. Its digits
    # and check digit are checked once the length fits (validate_barcode), so a bad
    # barcode gets one error, as on the page; the service (Product.clean) names the
    # product that has the barcode already.
    barcode = StringField(
        label=_("Barcode"),
        max_length=GTIN_LENGTH,
        required=False,
        allow_blank=True,
        help_text=Product._meta.get_field("barcode").help_text,
        error_messages={"max_length": _("Enter a barcode of 8, 12, 13 or 14 digits.")},
    )

    def validate_barcode(self, value: str) -> str:
        barcode_validate(value)
        return value


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name", "address", "is_active", "require_customer_for_serialised"]
        read_only_fields = fields


class ProductRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku"]
        read_only_fields = fields


class OutletRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name"]
        read_only_fields = fields
