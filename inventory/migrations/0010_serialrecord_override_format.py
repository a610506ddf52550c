"""The permission behind "Add anyway": record serials that break their product's format."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0009_serial_tally"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="serialrecord",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("transfer_serialrecord", "Can transfer serial numbers between outlets"),
                    ("writeoff_serialrecord", "Can write off serial numbers"),
                    ("faulty_serialrecord", "Can mark serial numbers faulty or reinstate them"),
                    (
                        "override_format_serialrecord",
                        "Can record serial numbers that break their product's format",
                    ),
                ],
                "verbose_name": "serial number",
                "verbose_name_plural": "serial numbers",
            },
        ),
    ]
