from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog import demo as catalog_demo
from inventory import demo as inventory_demo
from sales import demo


class Command(BaseCommand):
    # In the sales app, the highest one: it may load every app's demo data
    # (inventory must not import sales).
    help = (
        "Load demo users, outlets, products, serial numbers, customers, sales, returns, "
        "warranty claims, transfers, a supplier return and an inventory count into an empty "
        "database (debug on only). Safe to run twice: with any data present it loads nothing."
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
                "Demo data not loaded: the database already holds products, outlets, "
                "serial numbers, customers or sales, and demo data goes only into an "
                "empty database."
            )
            return
        users = inventory_demo.seed_users()
        outlets = inventory_demo.seed_outlets()
        products = catalog_demo.seed_products()
        levels = inventory_demo.seed_stock(products, outlets)
        manager = next(user for user in users if user.username == "manager")
        serials = inventory_demo.seed_serials(levels, manager)
        inventory_demo.seed_write_off(manager)
        customers = demo.seed_customers()
        sales = demo.seed_sales(customers)
        returns = demo.seed_returns(sales)
        claims = demo.seed_claims(sales)
        demo.seed_outlet_settings()
        # Stock control II: after the sales, which take the first units of each product.
        transfers = inventory_demo.seed_transfers(manager)
        supplier_return = inventory_demo.seed_supplier_return(manager)
        count = inventory_demo.seed_count(manager)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(users)} users, {len(outlets)} outlets, "
                f"{len(products)} products, {len(levels)} stock levels, "
                f"{serials} serial numbers added, {len(customers)} customers, "
                f"{len(sales)} sales, {len(returns)} returns, {len(claims)} warranty claims, "
                f"{len(transfers)} transfers, {int(supplier_return is not None)} supplier "
                f"return, {int(count is not None)} inventory count."
            )
        )
