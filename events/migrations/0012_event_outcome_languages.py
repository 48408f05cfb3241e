"""An event's outcome in four languages: the English field keeps today's text (renamed)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0011_series_description_languages")]

    operations = [
        migrations.RenameField("exchangeevent", "outcome", "outcome_en"),
        migrations.AlterField(
            model_name="exchangeevent",
            name="outcome_en",
            field=models.TextField(blank=True, verbose_name="outcome (English)"),
        ),
        *[
            migrations.AddField(
                model_name="exchangeevent",
                name=f"outcome_{suffix}",
                field=models.TextField(blank=True, verbose_name=f"outcome ({language})"),
            )
            for suffix, language in [
                ("zh_hans", "simplified Chinese"),
                ("ja", "Japanese"),
                ("ko", "Korean"),
            ]
        ],
    ]
