"""Issue 19: a product's Barcode (with `gtin`, its GTIN-14, computed by the database
and unique when not empty) and its Serial number format (Any, IMEI or Pattern)."""

import catalog.gtin
import catalog.serial_formats
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_product_name_id_idx'),
    ]

    operations = [
        migrations.AddField(
            model_name='product',
            name='barcode',
            field=models.CharField(blank=True, help_text='GTIN-8, UPC-A (12 digits), EAN-13 or GTIN-14, with its check digit.', max_length=14, validators=[catalog.gtin.barcode_validate], verbose_name='Barcode'),
        ),
        migrations.AddField(
            model_name='product',
            name='serial_format',
            field=models.CharField(choices=[('any', 'Any'), ('imei', 'IMEI'), ('pattern', 'Pattern')], default='any', help_text='An entry that breaks it is listed as a problem; a Manager may add it anyway.', max_length=10, verbose_name='Serial number format'),
        ),
        migrations.AddField(
            model_name='product',
            name='serial_pattern',
            field=models.CharField(blank=True, help_text='With the format Pattern: # a digit, @ a letter, * any one character; anything else stands for itself, ignoring case. For example SN-#####.', max_length=100, validators=[catalog.serial_formats.pattern_validate], verbose_name='Pattern'),
        ),
        migrations.AddField(
            model_name='product',
            name='gtin',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(barcode='', then=models.Value('')), default=django.db.models.functions.text.Right(django.db.models.functions.text.Concat(models.Value('000000'), 'barcode'), 14)), output_field=models.CharField(max_length=14), verbose_name='GTIN'),
        ),
        migrations.AddConstraint(
            model_name='product',
            constraint=models.UniqueConstraint(condition=models.Q(('gtin', ''), _negated=True), fields=('gtin',), name='catalog_product_gtin_unique', violation_error_message='Another product has this barcode.'),
        ),
        migrations.AddConstraint(
            model_name='product',
            constraint=models.CheckConstraint(condition=models.Q(('serial_format__in', ['any', 'imei', 'pattern'])), name='catalog_product_serial_format_valid'),
        ),
        migrations.AddConstraint(
            model_name='product',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('serial_format', 'pattern'), models.Q(('serial_pattern', ''), _negated=True)), models.Q(models.Q(('serial_format', 'pattern'), _negated=True), ('serial_pattern', '')), _connector='OR'), name='catalog_product_serial_pattern_with_format'),
        ),
    ]
