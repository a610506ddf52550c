"""The two groups of users and what each may do (spec.md, "Users and permissions").

Data migrations call `sync_groups` whenever an app adds permissions, so a fresh
database and an upgraded one end with the same groups. Permissions of apps that
are not migrated yet are skipped; their own migration syncs again.
"""

STAFF_PERMISSIONS = [
    "catalog.view_product",
    "inventory.view_outlet",
    "inventory.view_stocklevel",
    "inventory.view_serialrecord",
    "inventory.add_serialrecord",
    "inventory.view_serialevent",
]

MANAGER_PERMISSIONS = [
    *STAFF_PERMISSIONS,
    "catalog.add_product",
    "catalog.change_product",
    "inventory.add_outlet",
    "inventory.change_outlet",
    "inventory.add_stocklevel",
    "inventory.change_stocklevel",
    "inventory.change_serialrecord",
    "inventory.delete_serialrecord",
    "inventory.transfer_serialrecord",
    "inventory.writeoff_serialrecord",
    "inventory.import_serialrecord",
]

GROUPS = {"Staff": STAFF_PERMISSIONS, "Managers": MANAGER_PERMISSIONS}


def sync_groups(apps, schema_editor) -> None:
    """Create the groups and give each exactly its listed permissions that exist."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after `migrate` finishes; make them now
    # so this migration can grant them.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, names in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for name in names:
            app_label, codename = name.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
