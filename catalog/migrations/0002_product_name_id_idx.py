"""Products in name order from an index: the Serial numbers list sorted by product
reads products by (name, id) and each product's serials from the unique
(product, serial) index, one page at a time, instead of sorting a million rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["name", "id"], name="catalog_product_name_id_idx"),
        ),
    ]
