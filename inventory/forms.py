from django import forms

from inventory.models import Outlet


class OutletForm(forms.ModelForm):
    class Meta:
        model = Outlet
        fields = ["name", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
