from django.db.models import QuerySet

from catalog.models import Product


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
