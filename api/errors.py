"""Every API error as JSON: `{"errors": [{"code", "message", "field"?, "entry"?, ...}]}`.

`code` is stable: DRF's own codes for malformed input ("required", "invalid",
"not_authenticated", "throttled"...) and the services' `ValidationError` codes
for refused work ("duplicate", "not_in_stock"...), the same ones the pages
act on. `field` names the request field (`lines.0.serials` inside a list),
`entry` the 1-based position of one serial in a bulk request.
"""

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from inventory.services.serials import EntryProblem, SerialsRejected
from sales.services.selling import SaleCheck, SaleProblem, SaleRefused

# Refusals caused by another user's change a moment ago: the same request may
# succeed when sent again, so they answer 409 Conflict rather than 400.
CONFLICT_CODES = {
    "recorded_meanwhile",
    "changed_meanwhile",
    "already_sold",
    "gone",
    "moved_meanwhile",
    # Also 409: refusals the same request passes once it carries the flag that
    # confirms them (as a sale's not_recorded needs "record_new").
    "warranty_expired",
}


def error(code: str, message: Any, **where: Any) -> dict[str, Any]:
    """One error object; `where` adds `field`, `entry`, `serial`... when given."""
    found = {name: value for name, value in where.items() if value is not None}
    return {"code": code, "message": str(message), **found}


def _field_path(prefix: str | None, key: Any) -> str | None:
    if key == "non_field_errors":
        return prefix
    return f"{prefix}.{key}" if prefix else str(key)


def drf_errors(detail: Any, field: str | None = None) -> Iterator[dict[str, Any]]:
    """Flatten DRF's nested error detail into error objects with a field path."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from drf_errors(value, _field_path(field, key))
    elif isinstance(detail, list):
        nested = any(isinstance(item, dict | list) for item in detail)
        for index, item in enumerate(detail):
            yield from drf_errors(item, _field_path(field, index) if nested else field)
    else:
        yield error(getattr(detail, "code", None) or "invalid", detail, field=field)


def django_errors(exc: DjangoValidationError, field: str | None = None) -> list[dict[str, Any]]:
    """A service's ValidationError as error objects, keeping each message's code."""
    if hasattr(exc, "error_dict"):
        return [
            item
            for name, errors in exc.error_dict.items()
            for one in errors
            for item in django_errors(one, None if name == "__all__" else name)
        ]
    found = []
    for one in exc.error_list:
        message = one.message % one.params if one.params else one.message
        found.append(error(one.code or "invalid", message, field=field))
    return found


def entry_problem(problem: EntryProblem, field: str = "serials") -> dict[str, Any]:
    """One refused serial of a batch: the page's code and reason, where it was."""
    return error(
        problem.code, problem.reason, field=field, entry=problem.position, serial=problem.text
    )


def serials_rejected_errors(exc: SerialsRejected) -> list[dict[str, Any]]:
    return [error(exc.code or "invalid_entries", exc.message)] + [
        entry_problem(problem) for problem in exc.check.problems
    ]


# A sale line's problem is about its serials unless it is one of these.
SALE_LINE_FIELDS = {
    "product_inactive": "product",
    "quantity_invalid": "quantity",
    # A line without a product whose scans name none, or several.
    "product_required": "product",
    "gtin_unknown": "product",
    "gtin_several_products": "product",
}


def sale_line_problem(problem: SaleProblem, index: int) -> dict[str, Any]:
    field = f"lines.{index}.{SALE_LINE_FIELDS.get(problem.code, 'serials')}"
    return error(
        problem.code,
        problem.message,
        field=field,
        serial=problem.serial or None,
        sale=problem.sale,
    )


def sale_confirmations(check: SaleCheck) -> list[dict[str, Any]]:
    """What the page asks the clerk to confirm, as errors naming the flag to send."""
    found = []
    if not check.record_new:
        message = _('“%(serial)s” is not recorded. Send "record_new": true to record it as new.')
        found += [
            error(
                "not_recorded",
                message % {"serial": text},
                field=f"lines.{index}.serials",
                serial=text,
            )
            for index, text in check.not_recorded
        ]
    if not check.sell_here:
        message = _(
            '“%(serial)s” is in stock at %(outlet)s. Send "sell_here": true to sell it here.'
        )
        found += [
            error(
                "in_stock_elsewhere",
                message % {"serial": text, "outlet": outlet},
                field=f"lines.{index}.serials",
                serial=text,
                outlet=outlet,
            )
            for index, text, outlet in check.elsewhere
        ]
    if not check.format_confirmed:
        message = _(
            "“%(serial)s” breaks the Serial number format of %(product)s: %(reason)s "
            'Send "format_confirmed": true (with "record_new": true) to record it anyway.'
        )
        found += [
            error(
                "format",
                message
                % {"serial": text, "product": check.lines[index].product.name, "reason": reason},
                field=f"lines.{index}.serials",
                serial=text,
            )
            for index, text, reason in check.off_format
        ]
    return found


def sale_refused_errors(exc: SaleRefused) -> tuple[list[dict[str, Any]], int]:
    """A refused sale: its problems, then the confirmations it still needs.

    400 when the request must change; 409 when it only needs a confirmation
    (`record_new`, `sell_here`) or lost a race (a unit sold a moment ago).
    """
    check = exc.check
    errors = [error(problem.code, problem.message) for problem in check.form_errors]
    errors += [
        sale_line_problem(problem, index)
        for index, problems in sorted(check.line_errors.items())
        for problem in problems
    ]
    conflict = all(item["code"] in CONFLICT_CODES for item in errors)
    errors += sale_confirmations(check)
    return errors, status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, answering the error shape above for every refusal.

    Exceptions not handled here (a bug) still reach Django's 500 handling.
    """
    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, SerialsRejected):
        errors, code = serials_rejected_errors(exc), status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, SaleRefused):
        errors, code = sale_refused_errors(exc)
    elif isinstance(exc, DjangoValidationError):
        errors = django_errors(exc)
        conflict = any(item["code"] in CONFLICT_CODES for item in errors)
        code = status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, exceptions.ValidationError):
            errors = list(drf_errors(exc.detail))
        else:
            codes = exc.get_codes()
            errors = [error(codes if isinstance(codes, str) else exc.default_code, exc.detail)]
        code = exc.status_code
    else:
        return None
    set_rollback()
    return Response({"errors": errors}, status=code, headers=headers)
