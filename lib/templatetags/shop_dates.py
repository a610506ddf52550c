"""Dates and times as the shop's date filters take them: `{{ sale.created_at|shop_datetime }}`."""

from datetime import date, datetime

from django import template

from lib.dates import date_display, datetime_display

register = template.Library()


@register.filter(expects_localtime=True)
def shop_datetime(value: datetime | None) -> str:
    """A moment: "07/12/2026 03:11" in en-gb (lib.dates)."""
    return datetime_display(value)


@register.filter(expects_localtime=True)
def shop_date(value: date | datetime | None) -> str:
    """A day: "07/12/2026" in en-gb (lib.dates)."""
    return date_display(value)
