"""Each case has its own address (a separate migration: on PostgreSQL the table cannot be
altered in the transaction that filled the slugs)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0015_good_practice_cases"),
    ]

    operations = [
        migrations.AlterField(
            model_name="goodpractice",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text="The case's address; filled from its title when left empty.",
                max_length=100,
                unique=True,
                verbose_name="slug",
            ),
        ),
    ]
