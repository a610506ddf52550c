"""How long a background job took or has waited, as the job page says it.

`{{ took|duration_short }}`: "1 min 12 s"; `{{ waited|duration_words }}`: "2 minutes".
"""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration_short(value: timedelta | None) -> str:
    """A job's run time, to the second: "45 s", "1 min 12 s", "2 h 5 min"."""
    if value is None:
        return ""
    seconds = round(value.total_seconds())
    if seconds < 1:
        return _("under a second")
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)s s") % {"seconds": seconds}


@register.filter
def duration_words(value: timedelta | None) -> str:
    """A wait, in whole units: "40 seconds", "2 minutes", "1 hour 5 minutes"."""
    if value is None:
        return ""
    seconds = max(int(value.total_seconds()), 0)
    if seconds < 60:
        return ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    hours, minutes = divmod(minutes, 60)
    hours_text = ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    if not minutes:
        return hours_text
    minutes_text = ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    return _("%(hours)s %(minutes)s") % {"hours": hours_text, "minutes": minutes_text}
