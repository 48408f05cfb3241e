"""Writes on places and their ties: every entry point (admin, loaders, commands) calls these."""

from collections.abc import Iterable

from django.db import transaction

from .models import City, CitySearchDocument, CitySearchKey
from .search import CITY_NAME_FIELDS, city_key_set, search_document

_REBUILD_BATCH = 500


def city_search_keys_rebuild(*, cities: Iterable[City] | None = None) -> int:
    """Recompute the search keys and search documents of `cities` (all places if None).

    Replaces the places' `CitySearchKey` rows and their `CitySearchDocument` in one
    transaction, in batches (so 20,000 places do not sit in memory at once).
    Returns the number of keys written. Raises nothing of its own.
    """
    if cities is None:
        queryset = City.objects.order_by("pk")
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
    CitySearchDocument.objects.filter(city_id__in=ids).delete()
    keys, documents = [], []
    for city in cities:
        key_set = city_key_set(city)
        keys += [CitySearchKey(city_id=city.pk, key=key) for key in sorted(key_set)]
        documents.append(CitySearchDocument(city_id=city.pk, text=search_document(key_set)))
    CitySearchKey.objects.bulk_create(keys, batch_size=2000)
    CitySearchDocument.objects.bulk_create(documents, batch_size=_REBUILD_BATCH)
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
