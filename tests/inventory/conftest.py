import pytest

from tests.factories import OutletFactory, ProductFactory


@pytest.fixture
def product():
    return ProductFactory(name="Barista Pro", sku="BP-1")


@pytest.fixture
def main_street():
    return OutletFactory(name="Main Street")


@pytest.fixture
def harbour():
    return OutletFactory(name="Harbour Mall")


@pytest.fixture
def outlet(main_street):
    """The outlet a test works at, when only one matters."""
    return main_street
