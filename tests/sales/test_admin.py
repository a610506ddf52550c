"""The sales admin at scale: a sale's lines and the units-sold search (issue 11)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sales.models import SaleLine, SaleLineSerial
from tests.factories import ProductFactory, SaleFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db


def sale_with_lines(count):
    sale = SaleFactory()
    SaleLine.objects.bulk_create(
        SaleLine(
            sale=sale,
            position=n,
            product=ProductFactory(name=f"Line product {n}"),
            quantity=1,
            unit_price=Decimal("1.00"),
        )
        for n in range(1, count + 1)
    )
    return sale


def test_a_sales_admin_page_costs_the_same_queries_for_3_or_30_lines(admin_client):
    def queries_for(sale):
        path = reverse("admin:sales_sale_change", args=[sale.pk])
        admin_client.get(path)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(path)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    few, _ = queries_for(sale_with_lines(3))
    many, page = queries_for(sale_with_lines(30))

    assert "Line product 30" in page
    assert few == many


def test_the_units_sold_search_finds_a_unit_by_the_beginning_of_its_key(admin_client):
    [line] = sale_with_lines(1).lines.all()
    sold = SaleLineSerial.objects.create(line=line, serial=SerialRecordFactory(serial="Full-10"))
    SaleLineSerial.objects.create(line=line, serial=SerialRecordFactory(serial="xfull-1"))

    for text in ["FULL-10", "ｆｕｌｌ－１", "full"]:
        response = admin_client.get(reverse("admin:sales_salelineserial_changelist"), {"q": text})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [sold], text
