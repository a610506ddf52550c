"""Reads of the sales pages: customers, the list of sales, what a customer bought."""

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from django.db.models import (
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils import timezone

from catalog.models import Product
from catalog.selectors import products_by_gtin
from inventory.models import SerialRecord, SerialStatus, SerialTally
from inventory.selectors import serial_list, serial_lookup
from inventory.selectors.serials import SerialLookup
from inventory.services.scans import scan_product_problem
from lib.scans import Scan, ScanError, scan_parse, scan_trim
from sales.models import Customer, Return, Sale, SaleLine, SaleLineSerial, WarrantyClaim


def _add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def warranty_until(*, sold_at: datetime, months: int) -> date:
    """The last day of a unit's warranty: `months` on from its sale's date in the shop.

    Sold on 31 January with a month's warranty, the unit is covered until the
    28th (29th) of February; with 0 months, until the sale's day.
    """
    return _add_months(timezone.localdate(sold_at), months)


@dataclass(frozen=True)
class Warranty:
    """A sold unit's warranty: it runs from the sale date for the product's months."""

    until: date

    @property
    def expired(self) -> bool:
        return self.until < timezone.localdate()


@dataclass(frozen=True)
class SerialSale:
    """A unit's line on a sale: the sale, its customer and date, the line and the warranty."""

    unit: SaleLineSerial

    @property
    def line(self) -> SaleLine:
        return self.unit.line

    @property
    def sale(self) -> Sale:
        return self.unit.line.sale

    @property
    def customer(self) -> Customer | None:
        return self.sale.customer

    @property
    def sold_at(self) -> datetime:
        return self.sale.created_at

    @property
    def is_open(self) -> bool:
        """Not returned: the unit is still on this sale."""
        return self.unit.returned_at is None

    @property
    def warranty(self) -> Warranty:
        months = self.line.product.warranty_months
        return Warranty(until=warranty_until(sold_at=self.sold_at, months=months))


def _serial_sale_rows() -> QuerySet[SaleLineSerial]:
    return SaleLineSerial.objects.select_related(
        "line__product", "line__sale__customer", "line__sale__outlet"
    )


def serial_sales_now(serials: Iterable[SerialRecord]) -> dict[int, SerialSale]:
    """The sale each Sold unit is on now (its line not returned), by unit id, in one query.

    Units that are not Sold are left out, and cost no query when none is.
    """
    sold = [serial.pk for serial in serials if serial.status == SerialStatus.SOLD]
    if not sold:
        return {}
    rows = _serial_sale_rows().filter(serial_id__in=sold, returned_at__isnull=True)
    return {unit.serial_id: SerialSale(unit) for unit in rows}


def serial_sale_now(*, serial: SerialRecord) -> SerialSale | None:
    """The sale the unit is on now, with its customer; None unless it is Sold."""
    return serial_sales_now([serial]).get(serial.pk)


def serial_last_sale(*, serial: SerialRecord, sale: Sale | None = None) -> SerialSale | None:
    """The sale the unit is on now, else the last one it was on (only `sale`'s, if given).

    None when the unit was never sold (on `sale`).
    """
    rows = _serial_sale_rows().filter(serial=serial)
    if sale is not None:
        rows = rows.filter(line__sale=sale)
    unit = rows.order_by(F("returned_at").desc(nulls_first=True), "-pk").first()
    return SerialSale(unit) if unit is not None else None


def customer_list() -> QuerySet[Customer]:
    return Customer.objects.order_by("name", "id")


def customers_matching(queryset: QuerySet[Customer], *, text: str) -> QuerySet[Customer]:
    """Customers whose name, email or phone contains `text`, ignoring case (all when blank)."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
    )


def customer_options(*, query: str, limit: int = 10) -> QuerySet[Customer]:
    """Type-ahead matches for a Customer field: nothing until something is typed."""
    if not query.strip():
        return Customer.objects.none()
    return customers_matching(customer_list(), text=query)[:limit]


def _units_sold() -> Coalesce:
    """A sale's units sold (its lines' quantities), as a subquery: no GROUP BY on the list."""
    units = (
        SaleLine.objects.filter(sale=OuterRef("pk"))
        .order_by()
        .values("sale")
        .annotate(quantities=Sum("quantity"))
        .values("quantities")
    )
    return Coalesce(Subquery(units, output_field=IntegerField()), 0)


def sale_list() -> QuerySet[Sale]:
    """Sales with what a list line shows ("items": units sold), in one query for any rows."""
    return (
        Sale.objects.select_related("outlet", "customer", "clerk")
        .annotate(items=_units_sold())
        .order_by("-created_at", "-id")
    )


def sales_matching_customer(queryset: QuerySet[Sale], *, text: str) -> QuerySet[Sale]:
    """Sales to a customer whose name, email or phone contains `text`."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(customer__in=customers_matching(Customer.objects.all(), text=text))


def sales_with_serial(queryset: QuerySet[Sale], *, text: str) -> QuerySet[Sale]:
    """Sales that include a unit whose serial is `text` (by key: case and spaces ignored)."""
    key = SerialRecord.normalise(text)
    if not key:
        return queryset
    sale_ids = SaleLineSerial.objects.filter(serial__serial_normalised=key).values("line__sale_id")
    return queryset.filter(pk__in=sale_ids)


def sale_export_rows(queryset: QuerySet[Sale]) -> Iterator[tuple]:
    """The export's rows, fetched in chunks so no more than one chunk is in memory."""
    rows = queryset.values_list(
        "pk",
        "created_at",
        "outlet__name",
        "customer__name",
        "clerk__username",
        _units_sold(),
        "total",
    )
    yield from rows.iterator(chunk_size=2000)


# How many of a customer's latest sales their page lists; the Sales list has the rest.
CUSTOMER_PAGE_SALES = 50


def customer_sales(*, customer: Customer, limit: int = CUSTOMER_PAGE_SALES) -> list[Sale]:
    """The customer's latest sales, newest first (one more than `limit`: "there are more")."""
    return list(sale_list().filter(customer=customer)[: limit + 1])


@dataclass(frozen=True)
class OwnedUnit:
    """A unit sold to the customer and not returned, with its warranty."""

    unit: SaleLineSerial
    warranty: Warranty


def customer_units(*, customer: Customer, limit: int = CUSTOMER_PAGE_SALES) -> list[OwnedUnit]:
    """The units the customer owns (sold to them, not returned), newest sale first.

    The warranty runs from the sale date for the product's months, as on the serial page.
    """
    units = (
        SaleLineSerial.objects.filter(line__sale__customer=customer, returned_at__isnull=True)
        .select_related("serial__product", "line__product", "line__sale")
        .order_by("-line__sale__created_at", "-line__sale_id", "line__position", "pk")[: limit + 1]
    )
    return [OwnedUnit(unit, SerialSale(unit).warranty) for unit in units]


def customer_returns(*, customer: Customer, limit: int = CUSTOMER_PAGE_SALES) -> list[Return]:
    """The customer's latest returns, newest first (one more than `limit`)."""
    returns = Return.objects.filter(customer=customer).select_related(
        "serial", "serial__product", "outlet"
    )
    return list(returns.order_by("-created_at", "-id")[: limit + 1])


def customer_claims(
    *, customer: Customer, limit: int = CUSTOMER_PAGE_SALES
) -> list[WarrantyClaim]:
    """The customer's latest warranty claims, newest first (one more than `limit`)."""
    claims = WarrantyClaim.objects.filter(customer=customer).select_related(
        "serial", "serial__product"
    )
    return list(claims.order_by("-created_at", "-id")[: limit + 1])


def sale_detail_queryset() -> QuerySet[Sale]:
    """A sale with all its page shows, in four queries however many lines, units and returns."""
    units = SaleLineSerial.objects.select_related("serial").order_by("serial__serial", "id")
    lines = SaleLine.objects.select_related("product").prefetch_related(
        Prefetch("units", queryset=units)
    )
    returns = Return.objects.select_related("serial", "clerk").order_by("created_at", "id")
    return Sale.objects.select_related("outlet", "customer", "clerk").prefetch_related(
        Prefetch("lines", queryset=lines.order_by("position", "id")),
        Prefetch("returns", queryset=returns),
    )


def claim_list_queryset() -> QuerySet[WarrantyClaim]:
    return WarrantyClaim.objects.select_related(
        "serial", "serial__product", "sale", "sale__outlet", "customer"
    ).order_by("-created_at", "-id")


def claim_detail_queryset() -> QuerySet[WarrantyClaim]:
    return WarrantyClaim.objects.select_related(
        "serial",
        "serial__product",
        "sale",
        "sale__outlet",
        "customer",
        "opened_by",
        "replacement_serial",
        "replacement_sale",
        "supplier_return",
    )


@dataclass(frozen=True)
class ReplacementOptions:
    """In stock units that could replace a claim's unit: the first few, and how many in all."""

    units: list[SerialRecord]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.units)


def claim_replacement_options(
    *, claim: WarrantyClaim, query: str = "", limit: int = 20
) -> ReplacementOptions:
    """The claim's product's In stock units, at any outlet, for its Replacement serial.

    Those at the claim's sale outlet first (where the customer usually comes
    back), then the others, each by serial; `query` keeps the units whose serial
    contains it, compared as serials are (NFKC, case folded). Each part walks
    the unique (product, serial) index in order and stops at `limit` (2.6 ms
    against 14 ms for one sort of them all, 19,725 In stock of one product). The total
    of an unfiltered list is the unit counts' (SerialTally), not a count of units.
    """
    units = SerialRecord.objects.filter(
        product_id=claim.serial.product_id, status=SerialStatus.IN_STOCK
    ).exclude(pk=claim.serial_id)
    key = SerialRecord.normalise(query.strip())
    if key:
        units = units.filter(serial_normalised__contains=key)
    by_serial = units.select_related("outlet").order_by("serial_normalised")
    outlet_id = claim.sale.outlet_id
    first = list(by_serial.filter(outlet_id=outlet_id)[:limit])
    if len(first) < limit:
        first += by_serial.exclude(outlet_id=outlet_id)[: limit - len(first)]
    if len(first) < limit:
        return ReplacementOptions(first, len(first))
    if key:
        return ReplacementOptions(first, units.count())
    counted = SerialTally.objects.filter(
        product_id=claim.serial.product_id, status=SerialStatus.IN_STOCK
    ).aggregate(total=Sum("count"))["total"]
    return ReplacementOptions(first, max(counted or 0, len(first)))


# Look up serial -------------------------------------------------------------


def scanned_serial(text: str) -> str:
    """The serial a search box's text names: a scan's (AI 21), else the text as typed.

    A GS1 scan that cannot be read (one still being typed) is searched as typed.
    """
    try:
        return scan_parse(text).serial
    except ScanError:
        return text.strip()


@dataclass(frozen=True)
class ScanLookup:
    """What Look up serial found for a typed serial, a scan or a unit's page address."""

    found: SerialLookup
    # What was looked up: the text, or the scan's serial (AI 21).
    serial: str
    scan: Scan | None = None
    # A GS1 scan that cannot be read: its error (nothing was looked up).
    error: ScanError | None = None
    # A scan with a GTIN (AI 01): the product with that barcode, if any, and
    # whether the units found are all of other products than the scan's.
    scanned_product: Product | None = None
    other_products: bool = False


def serial_page_unit(text: str) -> SerialRecord | None:
    """The unit whose page `text` is the address of (a QR label of ours), if any.

    Only this site's own serial page path counts, whatever the host (a label
    outlives the name or address the shop reached the site by when it printed it).
    """
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    path, prefix = parts.path, get_script_prefix()
    if not path.startswith(prefix):
        return None
    try:
        match = resolve("/" + path[len(prefix) :])
    except Resolver404:
        return None
    if match.view_name != "serial_detail":
        return None
    return serial_list().filter(pk=match.kwargs["pk"]).first()


def serial_lookup_scan(*, text: str) -> ScanLookup:
    """Look up serial for what was typed or scanned into the box.

    - the address of a unit's page (one of our QR labels) finds that unit;
    - a GS1 scan is looked up by its serial (AI 21); with a GTIN (AI 01), the exact
      matches are the units of the scanned product (or of products without a
      barcode), so its unit opens even when another product has the same serial;
    - anything else is looked up as typed.
    """
    text = scan_trim(text)
    try:
        scan = scan_parse(text)
    except ScanError as error:
        return ScanLookup(found=SerialLookup([], [], False), serial=text, error=error)
    # A plain QR code's text, without the identifier a scanner puts before it.
    unit = None if scan.is_gs1 else serial_page_unit(scan.serial)
    if unit is not None:
        return ScanLookup(found=SerialLookup([unit], [], False), serial=unit.serial)
    found = serial_lookup(text=scan.serial)
    if not scan.gtin:
        return ScanLookup(found=found, serial=scan.serial, scan=scan)
    by_gtin = products_by_gtin([scan.gtin])
    scanned = by_gtin.get(scan.gtin)
    of_scan = [u for u in found.exact if scan_product_problem(scan, u.product, by_gtin) is None]
    if of_scan or not found.exact:
        found = SerialLookup(of_scan, found.partial, found.more_partial)
    return ScanLookup(
        found=found,
        serial=scan.serial,
        scan=scan,
        scanned_product=scanned,
        other_products=bool(found.exact) and not of_scan,
    )
