from django.apps import AppConfig
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


def groups_sync_after_migrate(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """Bring the groups to exactly their listed permissions after every migrate (and flush)."""
    from roles.services import groups_sync

    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return  # auth is not migrated yet: the migrate that adds it sends this again.
    # Django creates each app's permissions in that app's own post_migrate, so
    # apps listed after this one would have none yet: create them all first.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    groups_sync(apps=apps, using=using)


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = "Roles"

    def ready(self):
        post_migrate.connect(
            groups_sync_after_migrate, sender=self, dispatch_uid="roles.groups_sync"
        )
