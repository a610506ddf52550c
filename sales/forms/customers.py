"""Add customer and a customer's edit page."""

from django import forms

from sales.models import Customer


class CustomerForm(forms.ModelForm):
    """Add customer and its edit page: Name, Email, Phone."""

    class Meta:
        model = Customer
        fields = ["name", "email", "phone"]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
