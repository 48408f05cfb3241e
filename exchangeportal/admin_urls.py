"""Admin URL fields that assume https (Django 6's default; Django 5.2 warns without it)."""

from django.db.models import URLField


def formfield_for_dbfield_https(original):
    """Wrap a ModelAdmin's `formfield_for_dbfield` so URL fields get `assume_scheme="https"`."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, URLField):
            kwargs.setdefault("assume_scheme", "https")
        return original(self, db_field, request, **kwargs)

    return formfield_for_dbfield
