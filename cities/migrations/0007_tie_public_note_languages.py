"""A tie's public note in four languages: the English field keeps today's text (renamed),
three new fields for the others, and `text_origins` to mark originals and translations.
The curators' internal `note` is not translated."""

from django.db import migrations, models

import exchangeportal.infra.translation


class Migration(migrations.Migration):
    dependencies = [("cities", "0006_translated_notes_figures_groups")]

    operations = [
        migrations.RenameField("friendshiplink", "public_note", "public_note_en"),
        migrations.AlterField(
            model_name="friendshiplink",
            name="public_note_en",
            field=models.TextField(
                blank=True,
                help_text="Shown on the tie's page.",
                verbose_name="public note (English)",
            ),
        ),
        *[
            migrations.AddField(
                model_name="friendshiplink",
                name=f"public_note_{suffix}",
                field=models.TextField(blank=True, verbose_name=f"public note ({language})"),
            )
            for suffix, language in [
                ("zh_hans", "simplified Chinese"),
                ("ja", "Japanese"),
                ("ko", "Korean"),
            ]
        ],
        migrations.AddField(
            model_name="friendshiplink",
            name="text_origins",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text=(
                    "Which texts are originals and which are translations by the portal, e.g. "
                    '{"title_ja": "original", "title_en": "translation"}. A text not named here '
                    "was written by a curator."
                ),
                validators=[exchangeportal.infra.translation.validate_text_origins],
                verbose_name="origin of the texts",
            ),
        ),
    ]
