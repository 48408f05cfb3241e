"""The `Curator` group: staff who curate places, ties, designations and events."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED_MODELS = {
    "cities": [
        "source",
        "city",
        "socialaccount",
        "friendshiplink",
        "linkmilestone",
        "culturecitydesignation",
        "exchangeindicator",
        "trilateralgroup",
    ],
    "events": ["eventseries", "exchangeevent"],
}


def create_curator_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_label in CURATED_MODELS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Curator")
    for app_label, models in CURATED_MODELS.items():
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, content_type__model__in=models
        )
        group.permissions.add(*permissions)


def remove_curator_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curator").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cities", "0001_initial"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_curator_group, remove_curator_group)]
