"""Serial numbers as the API shows them, and what it takes to add or change one."""

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.catalog import OutletRefSerializer, ProductRefSerializer
from api.serializers.fields import StringField, outlet_field, product_field
from inventory.filters import EARLIEST_DATE, LATEST_DATE
from inventory.models import InventoryCount, SerialEvent, SerialRecord, SupplierReturn, Transfer
from lib.ids import parse_id
from lib.scans import scan_trim
from sales.models import Return, Sale, WarrantyClaim
from sales.selectors import SerialSale

# A note on a transfer or a Faulty change: the page's limit.
NOTE_MAX_LENGTH = 500


def seen_updated_at_field() -> serializers.DateTimeField:
    # The page's 1900..2999 bounds: a far time overflows when SQLite's adapter
    # moves it to UTC for the service's "changed since" query.
    return serializers.DateTimeField(
        required=False,
        help_text=_(
            "The updated_at you last read. If the unit changed since, nothing is done "
            "and the answer is 409 changed_meanwhile."
        ),
        validators=[
            MinValueValidator(
                datetime(EARLIEST_DATE.year, 1, 2, tzinfo=UTC),
                _("Enter a time from 1900 to 2999."),
            ),
            MaxValueValidator(
                datetime(LATEST_DATE.year, 12, 30, tzinfo=UTC),
                _("Enter a time from 1900 to 2999."),
            ),
        ],
    )


# Reading ------------------------------------------------------------------


# Plain strings in the schema: the postprocessing hook names every enum after
# its field, and a second name for SerialStatus (FromStatusEnum, ToStatusEnum
# beside StatusEnum) is a warning. `status` and `kind` carry the enums.
@extend_schema_field(OpenApiTypes.STR)
class EventStatusField(serializers.CharField):
    """A `status` value, or empty when the event did not change the status."""


@extend_schema_field(OpenApiTypes.STR)
class OriginField(serializers.CharField):
    """A history `kind`: how the unit was first recorded (added, imported, recorded_at_sale)."""


class SerialSerializer(serializers.ModelSerializer):
    """A line of the Serial numbers list: reads only what `serial_list` joins."""

    product = ProductRefSerializer(read_only=True)
    outlet = OutletRefSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SerialRecord
        fields = [
            "id",
            "serial",
            "product",
            "outlet",
            "status",
            "status_display",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WarrantySerializer(serializers.Serializer):
    until = serializers.DateField()
    expired = serializers.BooleanField()


class SerialDetailSerializer(SerialSerializer):
    """The serial page: the unit, who added it, and, when Sold, its sale and warranty.

    The view puts the sale the unit is on in the context (`serial_sale`, a
    `sales.selectors.SerialSale` or None), found as the page finds it.
    """

    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    origin = OriginField(read_only=True)
    origin_display = serializers.CharField(source="get_origin_display", read_only=True)
    warranty = serializers.SerializerMethodField()
    sale = serializers.SerializerMethodField()
    customer = serializers.SerializerMethodField()
    sold_at = serializers.SerializerMethodField()

    class Meta(SerialSerializer.Meta):
        fields = [
            *SerialSerializer.Meta.fields,
            "origin",
            "origin_display",
            "created_by",
            "warranty",
            "sale",
            "customer",
            "sold_at",
        ]
        read_only_fields = fields

    def _serial_sale(self) -> SerialSale | None:
        return self.context.get("serial_sale")

    @extend_schema_field(WarrantySerializer(allow_null=True))
    def get_warranty(self, record: SerialRecord) -> dict | None:
        found = self._serial_sale()
        if found is None:
            return None
        warranty = found.warranty
        return {"until": warranty.until, "expired": warranty.expired}

    @extend_schema_field(OpenApiTypes.INT)
    def get_sale(self, record: SerialRecord) -> int | None:
        found = self._serial_sale()
        return found.sale.pk if found else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_customer(self, record: SerialRecord) -> int | None:
        found = self._serial_sale()
        return found.sale.customer_id if found else None

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_sold_at(self, record: SerialRecord) -> str | None:
        found = self._serial_sale()
        return serializers.DateTimeField().to_representation(found.sold_at) if found else None


class SerialLookupItemSerializer(SerialSerializer):
    """A unit the look-up found, with the sale and customer of a Sold one (as the page lists).

    The context's `sales` maps a unit's id to its sale (`sales.selectors.serial_sales_now`).
    """

    sale = serializers.SerializerMethodField()
    customer = serializers.SerializerMethodField()

    class Meta(SerialSerializer.Meta):
        fields = [*SerialSerializer.Meta.fields, "sale", "customer"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_sale(self, record: SerialRecord) -> int | None:
        sale = self.context["sales"].get(record.pk)
        return sale.pk if sale is not None else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_customer(self, record: SerialRecord) -> int | None:
        return getattr(self.context["sales"].get(record.pk), "customer_id", None)


class SerialLookupSerializer(serializers.Serializer):
    exact = SerialLookupItemSerializer(many=True, help_text=_("Units whose serial is the text."))
    matches = SerialLookupItemSerializer(
        many=True, help_text=_("Without an exact match: units whose serial contains the text.")
    )
    more_matches = serializers.BooleanField(help_text=_("More units contain the text."))


class SerialEventSerializer(serializers.ModelSerializer):
    """One line of a serial's history. The oldest line, how the unit was first
    recorded, is read from the unit itself: it has no id."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    from_outlet = OutletRefSerializer(read_only=True, allow_null=True)
    to_outlet = OutletRefSerializer(read_only=True, allow_null=True)
    from_status = EventStatusField(read_only=True)
    to_status = EventStatusField(read_only=True)
    sale = serializers.SerializerMethodField()
    # "return" is a Python keyword: that field is added in get_fields.
    claim = serializers.SerializerMethodField()
    # Stock control II (issue 21): the document that sent, received, returned or counted it.
    transfer = serializers.SerializerMethodField()
    supplier_return = serializers.SerializerMethodField()
    inventory_count = serializers.SerializerMethodField()

    class Meta:
        model = SerialEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "at",
            "user",
            "from_outlet",
            "to_outlet",
            "from_status",
            "to_status",
            "note",
            "sale",
            "claim",
            "transfer",
            "supplier_return",
            "inventory_count",
        ]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # "return" goes between sale and claim, as it always has.
        later = {name: fields.pop(name) for name in list(fields)[list(fields).index("claim") :]}
        fields["return"] = serializers.SerializerMethodField(method_name="get_return")
        fields.update(later)
        return fields

    def _document(self, event: SerialEvent, model: type[Model]) -> int | None:
        kinds = self.context.setdefault("document_types", {})
        if model not in kinds:
            kinds[model] = ContentType.objects.get_for_model(model).pk
        return event.document_id if event.document_type_id == kinds[model] else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_sale(self, event: SerialEvent) -> int | None:
        return self._document(event, Sale)

    @extend_schema_field(OpenApiTypes.INT)
    def get_return(self, event: SerialEvent) -> int | None:
        return self._document(event, Return)

    @extend_schema_field(OpenApiTypes.INT)
    def get_claim(self, event: SerialEvent) -> int | None:
        return self._document(event, WarrantyClaim)

    @extend_schema_field(OpenApiTypes.INT)
    def get_transfer(self, event: SerialEvent) -> int | None:
        return self._document(event, Transfer)

    @extend_schema_field(OpenApiTypes.INT)
    def get_supplier_return(self, event: SerialEvent) -> int | None:
        return self._document(event, SupplierReturn)

    @extend_schema_field(OpenApiTypes.INT)
    def get_inventory_count(self, event: SerialEvent) -> int | None:
        return self._document(event, InventoryCount)


class SerialHistoryPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text=_("The next, older, page."))
    total = serializers.IntegerField(help_text=_("Lines in the whole history."))
    results = SerialEventSerializer(many=True)


# Writing ------------------------------------------------------------------


def format_confirmed_field() -> serializers.BooleanField:
    return serializers.BooleanField(
        default=False,
        help_text=_(
            "Add anyway: record serial numbers that break the product's Serial number "
            "format. Needs the permission inventory.override_format_serialrecord "
            "(Managers); others get 403."
        ),
    )


class SerialCreateSerializer(serializers.Serializer):
    product = product_field()
    outlet = outlet_field()
    # Blank and too long are the service's refusals, with the page's codes. Plain
    # text or a scan (GS1 with AI 21); trimmed by the service, which keeps a GS.
    serial = StringField(allow_blank=True, trim_whitespace=False)
    format_confirmed = format_confirmed_field()


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class SerialEntriesField(serializers.Field):
    """A list of serial texts, each one entry, trimmed as the page trims.

    Checked in one pass rather than by a ListField of CharFields: a batch of
    20,000 entries is one call, and the service checks every text itself.
    """

    default_error_messages = {
        "not_a_list": _("Send a list of serial numbers."),
        "not_a_string": _("Send each serial number as a string."),
    }

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list):
            self.fail("not_a_list")
        wrong = {
            index: [serializers.ErrorDetail(self.error_messages["not_a_string"], "not_a_string")]
            for index, item in enumerate(data)
            if not isinstance(item, str)
        }
        if wrong:
            raise serializers.ValidationError(wrong)
        # Empty entries stay, so each problem's entry number is its place in the list.
        # Trimmed as the page trims: a GS at either end of a scan stays.
        return [scan_trim(item) for item in data]

    def to_representation(self, value: list[str]) -> list[str]:
        return value


class SerialBulkCreateSerializer(serializers.Serializer):
    product = product_field()
    outlet = outlet_field()
    serials = SerialEntriesField(
        help_text=_(
            "One serial number per item, up to the Add Serial numbers page's cap: plain "
            "text or a scan (GS1 with AI 21, whose serial is recorded)."
        )
    )
    only_valid = serializers.BooleanField(
        default=False,
        help_text=_(
            "Record the valid entries and list the others as skipped. Without it, one "
            "invalid entry refuses the whole batch."
        ),
    )
    format_confirmed = format_confirmed_field()


class SkippedEntrySerializer(serializers.Serializer):
    entry = serializers.IntegerField(help_text=_("Its place in `serials`, from 1."))
    serial = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class SerialBulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    created_at = serializers.DateTimeField(
        help_text=_("The time every unit of the batch is stamped with.")
    )
    skipped = SkippedEntrySerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class SerialUpdateSerializer(serializers.Serializer):
    serial = StringField(required=False, allow_blank=True)
    notes = StringField(required=False, allow_blank=True)
    updated_at = seen_updated_at_field()


class SerialTransferSerializer(serializers.Serializer):
    outlet = outlet_field()
    note = StringField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="")
    updated_at = seen_updated_at_field()


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class SerialIdsField(serializers.Field):
    default_error_messages = {
        "not_a_list": _("Send a list of serial number ids."),
        "empty": _("Select at least one serial number."),
        "incorrect_type": _("Send an id: a whole number."),
        "too_many": _("At most %(max)s serial numbers can be transferred at once."),
    }

    def to_internal_value(self, data: Any) -> list[int]:
        if not isinstance(data, list):
            self.fail("not_a_list")
        if not data:
            self.fail("empty")
        cap = settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION
        if len(data) > cap:
            raise serializers.ValidationError(
                self.error_messages["too_many"] % {"max": cap}, code="too_many"
            )
        pks = [parse_id(item) for item in data]
        wrong = {
            index: [serializers.ErrorDetail(self.error_messages["incorrect_type"], "invalid")]
            for index, pk in enumerate(pks)
            if pk is None
        }
        if wrong:
            raise serializers.ValidationError(wrong)
        return [pk for pk in pks if pk is not None]

    def to_representation(self, value: list[int]) -> list[int]:
        return value


class SerialTransferManySerializer(SerialTransferSerializer):
    serials = SerialIdsField()


class SerialTransferredSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("Units moved (those already there stay)."))
    outlet = OutletRefSerializer()


class SerialWriteOffSerializer(serializers.Serializer):
    # Blank is the service's refusal (reason_required).
    reason = StringField(allow_blank=True)
    updated_at = seen_updated_at_field()


class SerialNoteSerializer(serializers.Serializer):
    note = StringField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="")
    updated_at = seen_updated_at_field()


class SerialDeleteSerializer(serializers.Serializer):
    updated_at = seen_updated_at_field()
