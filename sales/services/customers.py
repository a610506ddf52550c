"""Customers: add and edit (Staff and Managers)."""

from django.db import transaction

from sales.models import Customer


@transaction.atomic
def customer_create(*, name: str, email: str = "", phone: str = "") -> Customer:
    """Add a customer; only the name is required (two people may share one)."""
    customer = Customer(name=name.strip(), email=email.strip(), phone=phone.strip())
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, name: str, email: str = "", phone: str = ""
) -> Customer:
    """Change a customer's details; their sales keep pointing at them."""
    customer.name, customer.email, customer.phone = name.strip(), email.strip(), phone.strip()
    customer.full_clean()
    customer.save(update_fields=["name", "email", "phone", "updated_at"])
    return customer
