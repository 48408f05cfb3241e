"""Writes on places and their ties: every entry point (admin, loaders, commands) calls these."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from .bulk import insert_rows
from .models import City, CitySearchKey
from .search import CITY_NAME_FIELDS, city_key_rows

_REBUILD_BATCH = 500


def city_search_keys_rebuild(*, cities: Iterable[City] | QuerySet | None = None) -> int:
    """Recompute the search keys of `cities` (a list, a queryset; all places if None).

    Replaces the places' `CitySearchKey` rows in one transaction, in batches (so
    20,000 places do not sit in memory at once). Returns the number of rows written
    (whole keys and their ends). Raises nothing of its own.
    """
    if cities is None:
        queryset = City.objects.order_by("pk")
    elif isinstance(cities, QuerySet):
        queryset = cities.order_by("pk")
    else:
        queryset = City.objects.filter(pk__in=[city.pk for city in cities]).order_by("pk")
    written = 0
    fields = ["pk", "country", *CITY_NAME_FIELDS]
    with transaction.atomic():
        batch: list[City] = []
        for city in queryset.only(*fields).iterator(chunk_size=_REBUILD_BATCH):
            batch.append(city)
            if len(batch) == _REBUILD_BATCH:
                written += _rebuild_batch(batch)
                batch = []
        if batch:
            written += _rebuild_batch(batch)
    return written


def _rebuild_batch(cities: list[City]) -> int:
    ids = [city.pk for city in cities]
    CitySearchKey.objects.filter(city_id__in=ids).delete()
    keys = [
        {"city_id": city.pk, "key": key, "is_suffix": is_suffix}
        for city in cities
        for key, is_suffix in sorted(city_key_rows(city).items())
    ]
    insert_rows(CitySearchKey, keys)
    return len(keys)


def city_save_names(*, city: City, **names: str) -> City:
    """Set a place's names (any of `CITY_NAME_FIELDS`) and rebuild its search keys.

    Validates the place (`full_clean`) before saving; raises `ValidationError` when a
    name is invalid and `TypeError` for a field that is not a name. The save and the
    rebuild run in one transaction, so the place is never searchable by stale names.
    """
    unknown = sorted(set(names) - set(CITY_NAME_FIELDS))
    if unknown:
        raise TypeError(f"not a name field of a place: {', '.join(unknown)}")
    for field, value in names.items():
        setattr(city, field, value)
    city.full_clean()
    with transaction.atomic():
        city.save()
        city_search_keys_rebuild(cities=[city])
    return city
