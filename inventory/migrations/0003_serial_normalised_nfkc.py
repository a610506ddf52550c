# Placeholder: recomputes serial_normalised with NFKC + case folding (issue 7).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_groups")]

    operations: list = []
