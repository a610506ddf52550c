"""Serial numbers: the list, Add Serial numbers, the serial page and its actions, Look up serial.

Each action calls the service its page calls, with the permission its page
needs; a refusal raises and api.errors answers it with the service's code.
"""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from api.filters.serials import ADDED_FILTERS, SerialFilter
from api.idempotency import idempotent
from api.pagination import AddedCursorPagination, IdCursorPagination
from api.serializers.catalog import OutletRefSerializer
from api.serializers.serials import (
    SerialBulkCreateSerializer,
    SerialBulkResultSerializer,
    SerialCreateSerializer,
    SerialDeleteSerializer,
    SerialDetailSerializer,
    SerialEventSerializer,
    SerialHistoryPageSerializer,
    SerialLookupItemSerializer,
    SerialLookupSerializer,
    SerialNoteSerializer,
    SerialSerializer,
    SerialTransferManySerializer,
    SerialTransferredSerializer,
    SerialTransferSerializer,
    SerialUpdateSerializer,
    SerialWriteOffSerializer,
)
from api.views.base import ApiViewMixin, ApiViewSet, valid_data
from inventory import selectors, services
from inventory.models import SerialEvent, SerialRecord
from inventory.selectors.serials import SerialLookup
from inventory.services import SerialsRejected
from lib.ids import parse_id
from lib.scans import scan_parse, scan_trim
from sales.selectors import serial_lookup_scan, serial_sale_now, serial_sales_now

VIEW = "inventory.view_serialrecord"
ADD = "inventory.add_serialrecord"
FAULTY = "inventory.faulty_serialrecord"
TRANSFER = "inventory.transfer_serialrecord"


def _serial(pk: int | None) -> SerialRecord:
    """The unit, or 404; `pk` None (by the pages' rule "١٢" or 10**30 is no id) is none."""
    try:
        if pk is None:
            raise SerialRecord.DoesNotExist
        return selectors.serial_get(pk=pk)
    except SerialRecord.DoesNotExist:
        raise NotFound(_("No such serial number.")) from None


def serial_detail(pk: int | None) -> dict[str, Any]:
    """The serial page's facts about a unit, read afresh; its sale and warranty found as there."""
    serial = _serial(pk)
    # Only a Sold unit's sale is read (one query); others read none.
    context = {"serial_sale": serial_sale_now(serial=serial)}
    return SerialDetailSerializer(serial, context=context).data


class SerialViewSet(mixins.ListModelMixin, ApiViewSet):
    """Inventory > Serial numbers. Staff list, look up and add; Managers change."""

    serializer_class = SerialSerializer
    filterset_class = SerialFilter
    action_permissions = {
        "list": VIEW,
        "retrieve": VIEW,
        "history": VIEW,
        "create": ADD,
        "bulk": ADD,
        "partial_update": "inventory.change_serialrecord",
        "destroy": "inventory.delete_serialrecord",
        "transfer": TRANSFER,
        "transfer_many": TRANSFER,
        "write_off": "inventory.writeoff_serialrecord",
        "mark_faulty": FAULTY,
        "reinstate": FAULTY,
    }

    def get_queryset(self):
        return selectors.serial_list()

    @property
    def paginator(self) -> IdCursorPagination:
        """Newest first by id, or by date added when the list is filtered by date added.

        Each is the order an index serves: the primary key and the (outlet, ...,
        id), (status, id) indexes read by id, the (created_at, id) index a date
        range (by id, PostgreSQL walked the primary key back to the range).
        """
        if not hasattr(self, "_paginator"):
            dated = any(self.request.query_params.get(name) for name in ADDED_FILTERS)
            self._paginator = AddedCursorPagination() if dated else IdCursorPagination()
        return self._paginator

    def get_object(self) -> SerialRecord:
        return _serial(parse_id(self.kwargs["pk"]))

    @extend_schema(responses=SerialDetailSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(serial_detail(parse_id(self.kwargs["pk"])))

    @extend_schema(
        request=SerialCreateSerializer,
        responses={201: SerialDetailSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def create(self, request: Request) -> Response:
        """Add one serial number (Add Serial numbers with one entry)."""
        return idempotent(request, lambda: self._create_one(request))

    def _create_one(self, request: Request) -> Response:
        data = valid_data(SerialCreateSerializer, request.data)
        try:
            services.serials_add(
                product=data["product"],
                outlet=data["outlet"],
                entries=[data["serial"]],
                user=request.user,
                format_confirmed=data["format_confirmed"],
            )
        except SerialsRejected as rejected:
            [problem] = rejected.check.problems
            detail = {"serial": [ErrorDetail(problem.reason, code=problem.code)]}
            raise ValidationError(detail) from None
        # What was recorded: the text, or the serial (AI 21) of a scan the service read.
        serial = scan_parse(data["serial"]).serial
        pk = (
            SerialRecord.objects.filter(
                product=data["product"], serial_normalised=SerialRecord.normalise(serial)
            )
            .values_list("pk", flat=True)
            .get()
        )
        return Response(serial_detail(pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SerialBulkCreateSerializer,
        responses={201: SerialBulkResultSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        """Add many serial numbers of one product at one outlet: all, or none unless only_valid."""
        return idempotent(request, lambda: self._create_many(request))

    def _create_many(self, request: Request) -> Response:
        data = valid_data(SerialBulkCreateSerializer, request.data)
        result = services.serials_add(
            product=data["product"],
            outlet=data["outlet"],
            entries=data["serials"],
            user=request.user,
            only_valid=data["only_valid"],
            format_confirmed=data["format_confirmed"],
        )
        body = {
            "count": result.count,
            "created_at": serializers.DateTimeField().to_representation(result.created_at),
            "skipped": [
                {"entry": p.position, "serial": p.text, "code": p.code, "message": p.reason}
                for p in result.skipped
            ],
            "warnings": result.warnings,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=SerialUpdateSerializer, responses=SerialDetailSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Correct the serial's text or notes."""
        serial = self.get_object()
        data = valid_data(SerialUpdateSerializer, request.data)
        seen = data.get("updated_at")
        if seen is None and not {"serial", "notes"} <= data.keys():
            # A field left out is sent as read here; a change made before the
            # service's lock would be undone by it, so the service refuses that.
            seen = serial.updated_at
        services.serial_update(
            serial=serial,
            text=data.get("serial", serial.serial),
            notes=data.get("notes", serial.notes),
            user=request.user,
            seen_updated_at=seen,
        )
        return Response(serial_detail(serial.pk))

    @extend_schema(
        request=SerialDeleteSerializer,
        responses={204: None},
        parameters=[OpenApiParameter("updated_at", str, description=_("Or in the body."))],
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Delete a unit recorded by mistake; one ever sold is written off instead."""
        serial = self.get_object()
        # Many clients send no body with DELETE: the check may come in the query string.
        data = valid_data(SerialDeleteSerializer, request.data or request.query_params)
        services.serial_delete(
            serial=serial, user=request.user, seen_updated_at=data.get("updated_at")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SerialTransferSerializer, responses=SerialDetailSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str | None = None) -> Response:
        """Move an In stock or Faulty unit to another active outlet."""
        serial = self.get_object()
        data = valid_data(SerialTransferSerializer, request.data)
        services.serials_transfer(
            serials=[serial],
            to_outlet=data["outlet"],
            user=request.user,
            note=data["note"],
            seen_updated_at=data.get("updated_at"),
        )
        return Response(serial_detail(serial.pk))

    @extend_schema(
        request=SerialTransferManySerializer,
        responses=SerialTransferredSerializer,
        operation_id="serial_numbers_transfer_many",
    )
    @action(detail=False, methods=["post"], url_path="transfer", url_name="transfer-many")
    def transfer_many(self, request: Request) -> Response:
        """Move several units at once, as ticked on the list: all of them, or none."""
        data = valid_data(SerialTransferManySerializer, request.data)
        # Units by id only: the service locks and reads them, and refuses an id
        # that is no unit (not_found), which a queryset would silently drop.
        count = services.serials_transfer(
            serials=[SerialRecord(pk=pk) for pk in data["serials"]],
            to_outlet=data["outlet"],
            user=request.user,
            note=data["note"],
            seen_updated_at=data.get("updated_at"),
        )
        return Response({"count": count, "outlet": OutletRefSerializer(data["outlet"]).data})

    @extend_schema(request=SerialWriteOffSerializer, responses=SerialDetailSerializer)
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request: Request, pk: str | None = None) -> Response:
        """Write off an In stock or Faulty unit, with a reason."""
        serial = self.get_object()
        data = valid_data(SerialWriteOffSerializer, request.data)
        services.serial_write_off(
            serial=serial,
            reason=data["reason"],
            user=request.user,
            seen_updated_at=data.get("updated_at"),
        )
        return Response(serial_detail(serial.pk))

    @extend_schema(request=SerialNoteSerializer, responses=SerialDetailSerializer)
    @action(detail=True, methods=["post"], url_path="mark-faulty")
    def mark_faulty(self, request: Request, pk: str | None = None) -> Response:
        """Take an In stock unit off sale as Faulty."""
        return self._note_change(request, services.serial_mark_faulty)

    @extend_schema(request=SerialNoteSerializer, responses=SerialDetailSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request: Request, pk: str | None = None) -> Response:
        """Put a Faulty unit back In stock."""
        return self._note_change(request, services.serial_reinstate)

    def _note_change(self, request: Request, change: Any) -> Response:
        serial = self.get_object()
        data = valid_data(SerialNoteSerializer, request.data)
        change(
            serial=serial,
            note=data["note"],
            user=request.user,
            seen_updated_at=data.get("updated_at"),
        )
        return Response(serial_detail(serial.pk))

    @extend_schema(
        request=None,
        responses={200: SerialHistoryPageSerializer, 404: OpenApiResponse(description="")},
        parameters=[
            OpenApiParameter("cursor", int, description=_("The `next` link's event id.")),
            OpenApiParameter("page_size", int, description=_("Lines per page, up to 500.")),
        ],
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The unit's history, newest first; the last page ends with how it was first recorded."""
        serial = self.get_object()
        cursor = request.query_params.get("cursor")
        older_than = parse_id(cursor) if cursor is not None else None
        try:
            if cursor is not None and older_than is None:
                raise SerialEvent.DoesNotExist
            page = selectors.serial_history_page(
                serial=serial,
                older_than=older_than,
                size=IdCursorPagination().get_page_size(request),
            )
        except SerialEvent.DoesNotExist:
            raise NotFound(_("Invalid cursor")) from None
        next_url = None
        if page.older_than is not None:
            next_url = replace_query_param(request.build_absolute_uri(), "cursor", page.older_than)
        events = SerialEventSerializer(page.events, many=True).data
        return Response({"next": next_url, "total": page.total, "results": events})


class SerialLookupView(ApiViewMixin, APIView):
    """Look up serial (the box at the top of every page): exact matches, else partial ones."""

    action_permissions = {"get": VIEW}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "serial",
                str,
                required=True,
                description=_(
                    "The serial: case, spaces and full-width forms do not matter. Or a "
                    "scan: a GS1 code is looked up by its serial (AI 21), and its GTIN "
                    "(AI 01) picks the product's unit; the address of a unit's page (our "
                    "QR labels) finds that unit."
                ),
            )
        ],
        responses=SerialLookupSerializer,
    )
    def get(self, request: Request) -> Response:
        # Trimmed as scans are: a GS at either end (FNC1) is part of a scan.
        text = scan_trim(request.query_params.get("serial", ""))
        if not text:
            message = _("Enter a serial number to look up.")
            raise ValidationError({"serial": [ErrorDetail(message, code="required")]})
        # The page's reading: a scan by its serial (AI 21) and GTIN, a unit's page address.
        looked_up = serial_lookup_scan(text=text)
        if looked_up.error is not None:
            code = looked_up.error.code or "scan_invalid"
            detail = [ErrorDetail(message, code=code) for message in looked_up.error.messages]
            raise ValidationError({"serial": detail})
        found = looked_up.found
        if looked_up.other_products:
            # None is of the scanned product: units of others are matches, not the unit.
            found = SerialLookup([], found.exact, False)
        found_sales = serial_sales_now(found.exact or found.partial)
        context = {"sales": {pk: unit.sale for pk, unit in found_sales.items()}}
        return Response(
            {
                "exact": SerialLookupItemSerializer(found.exact, many=True, context=context).data,
                "matches": SerialLookupItemSerializer(
                    found.partial, many=True, context=context
                ).data,
                "more_matches": found.more_partial,
            }
        )
