from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from catalog.services import serials_off_check_register
        from inventory.services.jobs import serial_job_task_register
        from inventory.services.products import product_serials_off_check
        from inventory.tasks import serial_job_task

        serials_off_check_register(product_serials_off_check)
        serial_job_task_register(serial_job_task)
