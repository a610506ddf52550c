from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

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
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
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
