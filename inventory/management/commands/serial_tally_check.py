from django.core.management.base import BaseCommand, CommandError

from inventory.services import serial_tally_rebuild

# How many differences the output names before "and N more".
SHOWN = 20


class Command(BaseCommand):
    help = (
        "Compare the serial counts per product, outlet and status (SerialTally) with the "
        "serial numbers and set wrong ones right. Safe to run twice, and while the shop "
        "works. With --dry-run, only report, and exit with status 1 when counts differ."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="report the differences, change nothing"
        )

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        differences = serial_tally_rebuild(dry_run=dry_run)
        if not differences:
            self.stdout.write(self.style.SUCCESS("Serial counts match the serial numbers."))
            return
        for d in differences[:SHOWN]:
            self.stdout.write(
                f"Product {d.product_id} at outlet {d.outlet_id}, {d.status}: "
                f"counted {d.counted}, serial numbers {d.units}"
            )
        if len(differences) > SHOWN:
            self.stdout.write(f"and {len(differences) - SHOWN} more")
        if dry_run:
            raise CommandError(
                f"{len(differences)} serial counts differ from the serial numbers; "
                "run without --dry-run to fix them.",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"Fixed {len(differences)} serial counts."))
