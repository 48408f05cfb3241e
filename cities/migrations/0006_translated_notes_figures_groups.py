"""Figures (label, unit, note), trilateral groups' joint programmes and milestones' public
notes in four languages: the English field keeps today's text (renamed), three new fields
for the others, and `text_origins` to mark originals and translations."""

from django.db import migrations, models

import exchangeportal.infra.translation

LANGUAGES = [("zh_hans", "simplified Chinese"), ("ja", "Japanese"), ("ko", "Korean")]


def translations(model, base, label, field_class, **options):
    return [
        migrations.AddField(
            model_name=model,
            name=f"{base}_{suffix}",
            field=field_class(f"{label} ({language})", blank=True, **options),
        )
        for suffix, language in LANGUAGES
    ]


def origins(model):
    return migrations.AddField(
        model_name=model,
        name="text_origins",
        field=models.JSONField(
            blank=True,
            default=dict,
            help_text=(
                'Which texts are originals and which are translations by the portal, e.g. '
                '{"title_ja": "original", "title_en": "translation"}. A text not named here '
                "was written by a curator."
            ),
            validators=[exchangeportal.infra.translation.validate_text_origins],
            verbose_name="origin of the texts",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("cities", "0005_text_origins")]

    operations = [
        migrations.RemoveConstraint(
            model_name="exchangeindicator", name="indicator_unique_place_year"
        ),
        migrations.RenameField("exchangeindicator", "indicator", "indicator_en"),
        migrations.AlterField(
            model_name="exchangeindicator",
            name="indicator_en",
            field=models.CharField(max_length=300, verbose_name="figure (English)"),
        ),
        migrations.RenameField("exchangeindicator", "unit", "unit_en"),
        migrations.AlterField(
            model_name="exchangeindicator",
            name="unit_en",
            field=models.CharField(max_length=50, verbose_name="unit (English)"),
        ),
        migrations.RenameField("exchangeindicator", "note", "note_en"),
        migrations.AlterField(
            model_name="exchangeindicator",
            name="note_en",
            field=models.TextField(blank=True, verbose_name="note (English)"),
        ),
        *translations("exchangeindicator", "indicator", "figure", models.CharField, max_length=300),
        *translations("exchangeindicator", "unit", "unit", models.CharField, max_length=50),
        *translations("exchangeindicator", "note", "note", models.TextField),
        origins("exchangeindicator"),
        migrations.AlterModelOptions(
            name="exchangeindicator",
            options={
                "ordering": ["city", "indicator_en", "year"],
                "verbose_name": "exchange indicator",
                "verbose_name_plural": "exchange indicators",
            },
        ),
        migrations.AddConstraint(
            model_name="exchangeindicator",
            constraint=models.UniqueConstraint(
                fields=("city", "year", "indicator_en"),
                name="indicator_unique_place_year",
                violation_error_message="This figure is already recorded for this year.",
            ),
        ),
        migrations.RenameField("trilateralgroup", "joint_programme", "joint_programme_en"),
        migrations.AlterField(
            model_name="trilateralgroup",
            name="joint_programme_en",
            field=models.TextField(blank=True, verbose_name="joint programme (English)"),
        ),
        *translations("trilateralgroup", "joint_programme", "joint programme", models.TextField),
        origins("trilateralgroup"),
        migrations.RenameField("linkmilestone", "note", "note_en"),
        migrations.AlterField(
            model_name="linkmilestone",
            name="note_en",
            field=models.TextField(blank=True, verbose_name="public note (English)"),
        ),
        *translations("linkmilestone", "note", "public note", models.TextField),
        origins("linkmilestone"),
    ]
