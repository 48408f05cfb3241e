"""Reviewers see city offices' suggestions and the history; curators verify city offices."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "Reviewer": [
        ("events", "suggestion", "view_suggestion"),
        ("events", "suggestionactivity", "view_suggestionactivity"),
        ("cities", "historyentry", "view_historyentry"),
        ("cities", "friendshiplink", "view_friendshiplink"),
    ],
    "Curator": [
        ("events", "partner", "view_partner"),
        ("events", "partner", "change_partner"),
        ("events", "suggestion", "view_suggestion"),
        ("cities", "historyentry", "view_historyentry"),
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_label in ("events", "cities"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, model, codename in permissions:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename=codename,
                )
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUP_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, model, codename in permissions:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename=codename,
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cities", "0010_history_office_documents_place_conflicts"),
        ("events", "0013_city_office_suggestions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
