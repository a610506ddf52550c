from collections.abc import Iterable

from django.db.models import Q, QuerySet

from catalog.gtin import gtin14
from catalog.models import Product, ProductQuerySet, Supplier
from lib.scans import scan_gtin


def product_list() -> QuerySet[Product]:
    return Product.objects.order_by("name", "id")


def brand_list() -> list[str]:
    """Brands in use, for the Products list's brand filter."""
    return list(
        Product.objects.exclude(brand="")
        .order_by("brand")
        .values_list("brand", flat=True)
        .distinct()
    )


def sku_taken(*, sku: str, exclude_pk: int | None = None) -> bool:
    products = Product.objects.filter(sku__iexact=sku.strip())
    if exclude_pk is not None:
        products = products.exclude(pk=exclude_pk)
    return products.exists()


def product_by_gtin(gtin: str) -> Product | None:
    """The product with this GTIN (8 to 14 digits, compared as GTIN-14), or None."""
    key = gtin14(gtin)
    return Product.objects.filter(gtin=key).first() if key else None


def products_by_gtin(gtins: Iterable[str]) -> dict[str, Product]:
    """The products with these GTINs, keyed by GTIN-14, in one query (none for no GTIN)."""
    keys = {key for key in map(gtin14, gtins) if key}
    if not keys:
        return {}
    return {product.gtin: product for product in Product.objects.filter(gtin__in=keys)}


def product_matches(
    products: ProductQuerySet[Product], text: str, *, containing: bool = True
) -> list[Product]:
    """The products of `products` that `text` names: none, one, or two (it is ambiguous).

    The first of these that finds any product decides:
    1. a scan or a barcode (`lib.scans.scan_gtin`: a GS1 scan with AI 01, or 8, 12,
       13 or 14 digits with their check digit): the product with that GTIN;
    2. the SKU, ignoring case;
    3. the name, ignoring case;
    4. "Name (SKU)", as picking a suggestion writes it;
    5. with `containing`: the products whose name, SKU or barcode contains the text
       (one of them is what the suggestions would show alone).
    So a barcode beats a SKU made of digits, and a SKU beats another product's name.
    """
    text = text.strip()
    if not text or "\x00" in text:
        return []
    gtin = scan_gtin(text)
    if gtin:
        found = list(products.filter(gtin=gtin)[:2])
        if found:
            return found
    found = list(products.filter(sku__iexact=text)[:2])
    if not found:
        found = list(products.filter(name__iexact=text)[:2])
    name, _separator, sku = text.rpartition(" (")
    if not found and name.strip() and sku.endswith(")"):
        found = list(products.filter(name__iexact=name.strip(), sku__iexact=sku[:-1].strip())[:2])
    if not found and containing:
        found = list(products.search(text)[:2])
    return found


def product_suggestions(
    products: ProductQuerySet[Product], text: str, *, limit: int = 10
) -> tuple[list[Product], Product | None]:
    """A Product field's suggestions for `text`, and the product it names exactly.

    The exact one (`product_matches` without its "containing" step, when it finds
    just one) comes first, so Enter in the box (a scanner's, after the code) can
    pick it; then the products whose name, SKU or barcode contains the text.
    """
    matches = product_matches(products, text, containing=False)
    exact = matches[0] if len(matches) == 1 else None
    others = products.search(text).order_by("name", "id")
    if exact:
        others = others.exclude(pk=exact.pk)
    return ([exact] if exact else []) + list(others[: limit - bool(exact)]), exact


def supplier_list() -> QuerySet[Supplier]:
    return Supplier.objects.order_by("name", "id")


def supplier_search(suppliers: QuerySet[Supplier], text: str) -> QuerySet[Supplier]:
    """The suppliers whose name, email or phone contains `text`, ignoring case (all when blank)."""
    text = text.strip()
    if not text:
        return suppliers
    return suppliers.filter(
        Q(name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
    )


def supplier_choices(*, keep: Supplier | int | None = None) -> QuerySet[Supplier]:
    """The suppliers a product may be given: the active ones, and `keep` (its current one)."""
    keep_pk = keep.pk if isinstance(keep, Supplier) else keep
    active = Q(is_active=True)
    if keep_pk is not None:
        active |= Q(pk=keep_pk)
    return Supplier.objects.filter(active).order_by("name", "id")


def supplier_name_taken(*, name: str, exclude_pk: int | None = None) -> bool:
    suppliers = Supplier.objects.filter(name__iexact=name.strip())
    if exclude_pk is not None:
        suppliers = suppliers.exclude(pk=exclude_pk)
    return suppliers.exists()


def supplier_code_owner(
    *, supplier: Supplier | int, code: str, exclude_pk: int | None = None
) -> Product | None:
    """The product of `supplier` whose supplier code is `code`, ignoring case (None for none)."""
    code = code.strip()
    if not code:
        return None
    products = Product.objects.filter(supplier=supplier, supplier_code__iexact=code)
    if exclude_pk is not None:
        products = products.exclude(pk=exclude_pk)
    return products.order_by("pk").first()
