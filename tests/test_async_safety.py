import asyncio

import pytest
from django.core.exceptions import SynchronousOnlyOperation

from catalog.models import Product


@pytest.mark.django_db(transaction=True)
def test_the_orm_is_refused_inside_an_event_loop_outside_the_browser_tests():
    # Transactional, so pytest-django runs it after the browser tests (also
    # transactional) in a full run: their allowance must not leak past them.
    async def count_products():
        return Product.objects.count()

    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(count_products())
