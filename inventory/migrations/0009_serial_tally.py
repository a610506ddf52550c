"""SerialTally: units counted per (product, outlet, status), filled from the units.

The counts are kept by the services that change units, in the same transaction
(`inventory.sql.serial_tally_apply`); this fills them once, in one INSERT ...
SELECT ... GROUP BY (about a second at 1,000,000 units on PostgreSQL). Units
written by code that does not know the tally (an older version still running
during a deploy) are counted by `manage.py serial_tally_check` afterwards.
"""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    'INSERT INTO inventory_serialtally (product_id, outlet_id, status, "count") '
    "SELECT product_id, outlet_id, status, COUNT(*) FROM inventory_serialrecord "
    "GROUP BY product_id, outlet_id, status ORDER BY product_id, outlet_id, status"
)


def statistics_update(apps, schema_editor):
    # Fresh statistics: until autovacuum gets to the new table, PostgreSQL would
    # plan its reads for a handful of rows.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE inventory_serialtally")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("inventory", "0008_list_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SerialTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("in_stock", "In stock"),
                            ("sold", "Sold"),
                            ("faulty", "Faulty"),
                            ("written_off", "Written off"),
                        ],
                        max_length=20,
                    ),
                ),
                ("count", models.IntegerField(default=0)),
                (
                    "outlet",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="inventory.outlet",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.product",
                    ),
                ),
            ],
            options={
                "verbose_name": "serial count",
                "verbose_name_plural": "serial counts",
                "indexes": [
                    models.Index(fields=["outlet", "status"], name="inventory_tally_out_st_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("product", "outlet", "status"), name="inventory_tally_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("count__gte", 0)),
                        name="inventory_tally_count_not_negative",
                    ),
                ],
            },
        ),
        # Reversed by dropping the table (CreateModel's reverse).
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.RunPython(statistics_update, migrations.RunPython.noop, elidable=True),
    ]
