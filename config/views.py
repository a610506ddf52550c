from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from inventory.selectors import outlet_count_active


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    tiles = [
        {
            "label": _("Active outlets"),
            "value": outlet_count_active(),
            "url": reverse("inventory:outlet_list"),
        },
    ]
    return render(request, "home.html", {"tiles": tiles})
