from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from catalog.services import serials_off_check_register
        from inventory.services.products import product_serials_off_check

        serials_off_check_register(product_serials_off_check)
