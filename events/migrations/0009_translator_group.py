"""The `Translator` group: staff who fill in the Chinese, Japanese and Korean texts.

View and change only; the admin keeps every other field read-only for them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MODELS = {
    "cities": [
        "city",
        "friendshiplink",
        "linkmilestone",
        "culturecitydesignation",
        "exchangeindicator",
        "trilateralgroup",
    ],
    "events": ["eventseries", "exchangeevent", "goodpractice"],
}


def create_translator_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_label in CONTENT_MODELS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Translator")
    for app_label, models in CONTENT_MODELS.items():
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                content_type__model__in=models,
                codename__in=[f"{action}_{model}" for model in models for action in ("view", "change")],
            )
        )


def remove_translator_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Translator").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cities", "0004_gazetteer_provenance_conflicts"),
        ("events", "0008_text_origins"),
    ]

    operations = [migrations.RunPython(create_translator_group, remove_translator_group)]
