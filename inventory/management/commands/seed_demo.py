from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog import demo as catalog_demo
from inventory import demo


class Command(BaseCommand):
    help = (
        "Load demo users, outlets, products and serial numbers into an empty database "
        "(debug on only). Safe to run twice: with any data present it loads nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo runs only with DJANGO_DEBUG on: it creates users with known "
                "passwords (manager/manager, staff/staff) and must never reach a live shop."
            )
        if not demo.database_is_empty():
            self.stdout.write(
                "Demo data not loaded: the database already holds products, outlets or "
                "serial numbers, and demo data goes only into an empty database."
            )
            return
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
