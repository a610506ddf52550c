"""Indexes for the Serial numbers list at a million rows.

Every sort the list offers ends in a unique key and reads an index in that order
(keyset paging): (serial_normalised, id), (created_at, id), (status, id) and
(outlet, id); sorting by product walks products by name and each product's serials
through the unique (product, serial_normalised) index. The indexes on
serial_normalised, created_at and (outlet, status) become (…, id) ones, which serve
the same look-ups and, with a filter, the page in key order (sorted by outlet and
filtered by status: one seek per outlet into (outlet, status, id)).

On PostgreSQL, a trigram (pg_trgm) GIN index serves "serial contains" searches
(LIKE '%...%'); SQLite has none and scans the table, which is slower.
"""

from django.db import migrations, models

TRIGRAM_INDEX = "inventory_serial_norm_trgm"


def trigram_index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may add it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON inventory_serialrecord "
        "USING gin (serial_normalised gin_trgm_ops)"
    )


def trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other database objects may use it by then.
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0007_serial_job"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="serialrecord", name="inventory_serial_norm_idx"),
        migrations.RemoveIndex(model_name="serialrecord", name="inventory_serial_created_idx"),
        migrations.RemoveIndex(model_name="serialrecord", name="inventory_serial_outlet_st_idx"),
        migrations.AddIndex(
            model_name="serialrecord",
            index=models.Index(
                fields=["serial_normalised", "id"], name="inventory_serial_norm_id_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="serialrecord",
            index=models.Index(fields=["created_at", "id"], name="inventory_serial_added_id_idx"),
        ),
        migrations.AddIndex(
            model_name="serialrecord",
            index=models.Index(fields=["status", "id"], name="inventory_serial_st_id_idx"),
        ),
        migrations.AddIndex(
            model_name="serialrecord",
            index=models.Index(fields=["outlet", "id"], name="inventory_serial_out_id_idx"),
        ),
        migrations.AddIndex(
            model_name="serialrecord",
            index=models.Index(
                fields=["outlet", "status", "id"], name="inventory_serial_out_st_id_idx"
            ),
        ),
        migrations.RunPython(trigram_index_create, trigram_index_drop, elidable=False),
    ]
