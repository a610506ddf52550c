"""Prices as the shop writes them: its currency, in its locale's number format."""

from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils.translation import get_language, to_locale

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str:
    """`1299` -> "£1,299.00" for GBP in en-gb (SERIALDESK_CURRENCY, LANGUAGE_CODE)."""
    if value is None or value == "":
        return ""
    locale = to_locale(get_language() or settings.LANGUAGE_CODE)
    return format_currency(value, settings.SERIALDESK_CURRENCY, locale=locale)
