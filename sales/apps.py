from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from inventory.pages import serial_page_actions_register
        from sales.views.returns import sold_serial_actions

        serial_page_actions_register(sold_serial_actions)
