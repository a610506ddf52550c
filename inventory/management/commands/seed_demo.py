from django.core.management.base import BaseCommand
from django.db import transaction

from catalog import demo as catalog_demo
from inventory import demo


class Command(BaseCommand):
    help = "Load demo users, outlets, products and serial numbers. Safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options):
        users = demo.seed_users()
        outlets = demo.seed_outlets()
        products = catalog_demo.seed_products()
        levels = demo.seed_stock(products, outlets)
        manager = next(user for user in users if user.username == "manager")
        serials = demo.seed_serials(levels, manager)
        demo.seed_write_off(manager)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(users)} users, {len(outlets)} outlets, "
                f"{len(products)} products, {len(levels)} stock levels, "
                f"{serials} serial numbers added."
            )
        )
