"""A series' description in four languages: the English field keeps today's text."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0010_proposal_languages_event_image_text")]

    operations = [
        migrations.RenameField("eventseries", "description", "description_en"),
        migrations.AlterField(
            model_name="eventseries",
            name="description_en",
            field=models.TextField(blank=True, verbose_name="description (English)"),
        ),
        *[
            migrations.AddField(
                model_name="eventseries",
                name=f"description_{suffix}",
                field=models.TextField(blank=True, verbose_name=f"description ({language})"),
            )
            for suffix, language in [
                ("zh_hans", "simplified Chinese"),
                ("ja", "Japanese"),
                ("ko", "Korean"),
            ]
        ],
    ]
