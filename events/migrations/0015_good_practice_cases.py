"""Good practices become structured cases: a title, places, since when, sources, and an
event or a series that is optional. Existing write-ups get their event's slug and date."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_slugs_and_dates(apps, schema_editor):
    GoodPractice = apps.get_model("events", "GoodPractice")
    for practice in GoodPractice.objects.select_related("event").order_by("id"):
        practice.slug = practice.event.slug[:100] if practice.event_id else f"case-{practice.pk}"
        fields = ["slug"]
        if practice.event_id and practice.since_on is None:
            practice.since_on = practice.event.starts_on
            practice.since_precision = practice.event.date_precision
            fields += ["since_on", "since_precision"]
        practice.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("cities", "0008_city_name_kana"),
        ("events", "0014_suggestion_review_and_office_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="goodpractice",
            options={
                "ordering": [
                    models.OrderBy(models.F("since_on"), descending=True, nulls_last=True),
                    "id",
                ],
                "verbose_name": "good practice",
                "verbose_name_plural": "good practices",
            },
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="category",
            field=models.CharField(
                blank=True,
                choices=[
                    ("culture", "culture"),
                    ("sports", "sports"),
                    ("tourism", "tourism"),
                    ("trade_investment", "trade and investment"),
                    ("education_youth", "education and youth"),
                    ("science_technology", "science and technology"),
                    ("government", "government"),
                    ("health_disaster_relief", "health and disaster relief"),
                    ("other", "other"),
                ],
                help_text="Left empty, the event's category.",
                max_length=30,
                verbose_name="category",
            ),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="format",
            field=models.CharField(
                blank=True,
                choices=[("in_person", "in person"), ("online", "online"), ("hybrid", "hybrid")],
                help_text="Left empty, the event's format.",
                max_length=10,
                verbose_name="format",
            ),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="is_ongoing",
            field=models.BooleanField(
                default=False, help_text="It is repeated to this day.", verbose_name="still running"
            ),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="places",
            field=models.ManyToManyField(
                blank=True, related_name="good_practices", to="cities.city", verbose_name="places"
            ),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="series",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="good_practices",
                to="events.eventseries",
                verbose_name="series",
            ),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="since_on",
            field=models.DateField(
                blank=True,
                help_text="When it began (or took place).",
                null=True,
                verbose_name="since",
            ),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="since_precision",
            field=models.CharField(
                choices=[("year", "year"), ("month", "month"), ("day", "day")],
                default="year",
                max_length=5,
                verbose_name="precision of the date",
            ),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text="The case's address; filled from its title when left empty.",
                max_length=100,
                verbose_name="slug",
                default="",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="sources",
            field=models.ManyToManyField(blank=True, to="cities.source", verbose_name="sources"),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="title_en",
            field=models.CharField(
                blank=True,
                help_text="Left empty, the case takes the title of its event or series.",
                max_length=300,
                verbose_name="title (English)",
            ),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="title_ja",
            field=models.CharField(blank=True, max_length=300, verbose_name="title (Japanese)"),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="title_ko",
            field=models.CharField(blank=True, max_length=300, verbose_name="title (Korean)"),
        ),
        migrations.AddField(
            model_name="goodpractice",
            name="title_zh_hans",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="title (simplified Chinese)"
            ),
        ),
        migrations.AlterField(
            model_name="goodpractice",
            name="event",
            field=models.OneToOneField(
                blank=True,
                help_text="The event the case is about, or its latest recorded edition.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="good_practice",
                to="events.exchangeevent",
                verbose_name="event",
            ),
        ),
        migrations.AddConstraint(
            model_name="goodpractice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("event__isnull", False),
                    ("series__isnull", False),
                    models.Q(("title_en", ""), _negated=True),
                    _connector="OR",
                ),
                name="good_practice_has_a_subject",
                violation_error_message="Give the case a title (in English at least), an event or a series.",
            ),
        ),
        migrations.RunPython(fill_slugs_and_dates, migrations.RunPython.noop),
    ]
