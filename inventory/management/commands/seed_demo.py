from django.core.management.base import BaseCommand
from django.db import transaction

from inventory import demo


class Command(BaseCommand):
    help = "Load demo users, outlets, products and serial numbers. Safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options):
        users = demo.seed_users()
        outlets = demo.seed_outlets()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(users)} users, {len(outlets)} outlets.")
        )
