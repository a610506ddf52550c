"""Request fields every API serializer shares: ids as the pages take them, strict text."""

import re
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.models import Product
from inventory.models import Outlet
from lib.ids import parse_id

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class StringField(serializers.CharField):
    """Text, sent as a JSON string: a number or a list here is a client's mistake.

    DRF's CharField turns 123 into "123"; a serial sent as a number has lost
    its leading zeros before it arrives.
    """

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(serializers.PrimaryKeyRelatedField):
    """An object by its id: a JSON number, or a string of digits."""

    default_error_messages = {
        "required": _("This field is required."),
        "does_not_exist": _("Nothing has this id."),
        "incorrect_type": _("Send an id: a whole number."),
    }

    def to_internal_value(self, data: Any) -> Model:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type")
        pk = parse_id(data)
        if pk is None:
            if isinstance(data, str) and not _WHOLE_NUMBER.fullmatch(data):
                self.fail("incorrect_type")
            self.fail("does_not_exist")  # -1, 0, 10**30: well formed, nobody's id
        return super().to_internal_value(pk)


def product_field(**kwargs: Any) -> IdField:
    messages = {"does_not_exist": _("No product has this id.")}
    return IdField(queryset=Product.objects.all(), error_messages=messages, **kwargs)


def outlet_field(**kwargs: Any) -> IdField:
    messages = {"does_not_exist": _("No outlet has this id.")}
    return IdField(queryset=Outlet.objects.all(), error_messages=messages, **kwargs)
