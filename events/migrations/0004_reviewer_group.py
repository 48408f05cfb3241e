"""The `Reviewer` group: staff who review partner proposals in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWER_PERMISSIONS = [
    ("events", "eventproposal", "view_eventproposal"),
    ("events", "eventproposal", "review_eventproposal"),
    ("events", "proposalactivity", "view_proposalactivity"),
    ("events", "partner", "view_partner"),
    ("events", "partnermembership", "view_partnermembership"),
    ("events", "exchangeevent", "view_exchangeevent"),
    ("cities", "city", "view_city"),
]


def create_reviewer_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_label in {"events", "cities"}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Reviewer")
    for app_label, model, codename in REVIEWER_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
        )


def remove_reviewer_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Reviewer").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0003_partners_proposals"),
    ]

    operations = [migrations.RunPython(create_reviewer_group, remove_reviewer_group)]
