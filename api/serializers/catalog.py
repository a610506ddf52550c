from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.fields import IdField, StringField
from catalog.gtin import GTIN_LENGTH, barcode_validate
from catalog.models import Product, Supplier
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
            "supplier",
            "supplier_code",
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

    # Any supplier's id is taken here; the service refuses an inactive one
    # (unless it is the product's own already), with the page's message.
    supplier = IdField(
        label=_("Supplier"),
        queryset=Supplier.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The id of the supplier this product is ordered from, or null."),
        error_messages={"does_not_exist": _("No supplier has this id.")},
    )
    supplier_code = StringField(
        label=_("Supplier code"),
        max_length=64,
        required=False,
        allow_blank=True,
        help_text=Product._meta.get_field("supplier_code").help_text,
    )

    def validate_barcode(self, value: str) -> str:
        barcode_validate(value)
        return value


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "address",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness is the service's rule (names unique whatever their case), with its code.
        validators: list = []

    name = StringField(label=_("Name"), max_length=200)
    email = StringField(label=_("Email"), max_length=254, required=False, allow_blank=True)
    phone = StringField(label=_("Phone"), max_length=50, required=False, allow_blank=True)
    address = StringField(label=_("Address"), required=False, allow_blank=True)
    # The email's form is checked by the service (the model's EmailField), as on the page.


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name", "address", "is_active", "require_customer_for_serialised"]
        read_only_fields = fields


class SupplierRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = ["id", "name"]
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
