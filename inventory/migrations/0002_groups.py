from django.db import migrations


class Migration(migrations.Migration):
    # Kept so the migration graph and databases that applied it stay valid; the
    # groups are now synced by the roles app's post_migrate receiver.
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0001_initial"),
        ("inventory", "0001_initial"),
    ]

    operations = []
