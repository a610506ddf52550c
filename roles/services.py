from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, transaction

from roles.permissions import GROUPS


def groups_sync(*, apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the groups and give each exactly its listed permissions that exist."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    with transaction.atomic(using=using):
        for group_name, names in GROUPS.items():
            group, _created = Group.objects.using(using).get_or_create(name=group_name)
            # A permission whose app is not migrated yet is skipped; the
            # post_migrate that follows that app's migration grants it.
            wanted = []
            for name in names:
                app_label, codename = name.split(".")
                wanted.extend(
                    Permission.objects.using(using).filter(
                        content_type__app_label=app_label, codename=codename
                    )
                )
            group.permissions.set(wanted)
