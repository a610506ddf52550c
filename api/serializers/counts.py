"""Inventory counts as the API reads them, and the requests of New count, scans, Apply."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.fields import IdField, StringField, outlet_field, product_field
from inventory.models import InventoryCount, InventoryCountScan


class CountOutletRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class CountProductRefSerializer(CountOutletRefSerializer):
    sku = serializers.CharField(read_only=True)


class CountListsSerializer(serializers.Serializer):
    """How many each running list holds."""

    counted = serializers.IntegerField(
        help_text=_("Units of the scope here whose serial was scanned.")
    )
    expected = serializers.IntegerField(
        help_text=_(
            "Expected, not counted yet: units of the scope here (In stock or Faulty) not scanned."
        )
    )
    elsewhere = serializers.IntegerField(
        help_text=_("At another outlet: scanned units not on this outlet's shelf.")
    )
    not_recorded = serializers.IntegerField(help_text=_("Scans no unit of the scope has."))
    scanned_twice = serializers.IntegerField(help_text=_("Scans repeated (ignored)."))


class InventoryCountSerializer(serializers.ModelSerializer):
    outlet = CountOutletRefSerializer(read_only=True)
    product = CountProductRefSerializer(read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    applied_by = serializers.CharField(source="applied_by.username", read_only=True, default=None)
    # Text, not an enum: the schema's enums are named by field, and "status" is taken.
    status = serializers.CharField(
        read_only=True, help_text=_("open (counting), applied or cancelled.")
    )

    class Meta:
        model = InventoryCount
        fields = [
            "id",
            "name",
            "outlet",
            "product",
            "brand",
            "status",
            "created_by",
            "created_at",
            "applied_by",
            "applied_at",
        ]
        read_only_fields = fields


class InventoryCountDetailSerializer(InventoryCountSerializer):
    lists = CountListsSerializer(read_only=True)

    class Meta(InventoryCountSerializer.Meta):
        fields = [*InventoryCountSerializer.Meta.fields, "lists"]
        read_only_fields = fields


class CountCreateSerializer(serializers.Serializer):
    """New count: an outlet, and one product or one brand (or neither: everything)."""

    outlet = outlet_field()
    name = StringField(
        required=False,
        default="",
        allow_blank=True,
        max_length=100,
        help_text=_("Left out: the outlet's name and today's date."),
    )
    product = product_field(required=False, allow_null=True, default=None)
    brand = StringField(required=False, default="", allow_blank=True, max_length=100)


class CountScansSerializer(serializers.Serializer):
    serials = serializers.ListField(
        child=StringField(max_length=1000, trim_whitespace=False),
        allow_empty=False,
        help_text=_("Serials or GS1 scans, as scanned; a serial scanned again is counted once."),
    )


class ScanResultSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    serial = serializers.CharField()
    verdict = serializers.ChoiceField(
        choices=["counted", "elsewhere", "not_recorded", "twice", "problem"]
    )
    message = serializers.CharField()


class CountScansResultSerializer(serializers.Serializer):
    results = ScanResultSerializer(many=True)
    lists = CountListsSerializer()


class CountQuantitySerializer(serializers.Serializer):
    product = product_field(help_text=_("A product without serial numbers in the count's scope."))
    counted = serializers.IntegerField(min_value=0, max_value=1_000_000)


class CountQuantityResultSerializer(serializers.Serializer):
    product = CountProductRefSerializer()
    counted = serializers.IntegerField()


class CountRecordSerializer(serializers.Serializer):
    scan = IdField(
        queryset=InventoryCountScan.objects.all(),
        error_messages={"does_not_exist": _("No scan has this id.")},
    )
    product = product_field(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Left out: the count's product, or the one the GS1 scan named."),
    )


class CountApplySerializer(serializers.Serializer):
    """Apply's choices: anything not named is kept (missing) or left (elsewhere, not recorded)."""

    write_off = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        help_text=_("Ids of missing units to write off."),
    )
    write_off_all = serializers.BooleanField(required=False, default=False)
    transfer = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        help_text=_("Ids of units at another outlet to transfer here."),
    )
    record = CountRecordSerializer(many=True, required=False, default=list)


class CountAppliedSerializer(serializers.Serializer):
    count = InventoryCountSerializer()
    written_off = serializers.IntegerField()
    transferred = serializers.IntegerField()
    recorded = serializers.IntegerField()
    stock_changes = serializers.IntegerField()
    left = serializers.IntegerField(
        help_text=_("Chosen units that changed meanwhile and were left as they are.")
    )
