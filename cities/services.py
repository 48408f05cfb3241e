"""Writes on places and their ties: every entry point (admin, loaders, commands) calls these."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchangeportal.infra.optimistic import version_check

from .bulk import insert_rows
from .dates import DatePrecision, parse_partial_date
from .models import (
    City,
    CitySearchKey,
    ConflictField,
    ConflictStatus,
    FriendshipLink,
    KanaBasis,
    LinkMilestone,
    MilestoneKind,
    Source,
    TieConflict,
    TieStatus,
)
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


def city_save_names(*, city: City, name_kana: str | None = None, **names: str) -> City:
    """Set a place's names (any of `CITY_NAME_FIELDS`) and rebuild its search keys.

    A `name_kana` given is a curator's reading: stored with basis curator, so no
    gazetteer load replaces it (an empty one says the place has no reading).

    Validates the place (`full_clean`) before saving; raises `ValidationError` when a
    name is invalid and `TypeError` for a field that is not a name. The save and the
    rebuild run in one transaction, so the place is never searchable by stale names.
    """
    unknown = sorted(set(names) - set(CITY_NAME_FIELDS))
    if unknown:
        raise TypeError(f"not a name field of a place: {', '.join(unknown)}")
    for field, value in names.items():
        setattr(city, field, value)
    if name_kana is not None:
        city.name_kana = " ".join(name_kana.split())
        city.name_kana_basis = KanaBasis.CURATOR
    city.full_clean()
    with transaction.atomic():
        city.save()
        city_search_keys_rebuild(cities=[city])
    return city


# What a step in a tie's life does to the tie itself.
_MILESTONE_STATUS = {
    MilestoneKind.SUSPENSION: TieStatus.DORMANT,
    MilestoneKind.END: TieStatus.ENDED,
    MilestoneKind.RENEWAL: TieStatus.ACTIVE,
}


def tie_sync_milestones(*, tie: FriendshipLink) -> list[str]:
    """Bring a tie's kind and status in line with its milestones, in date order.

    From the tie's own date on, an upgrade (or an agreement) with a "kind after" sets the
    kind; a suspension makes the tie dormant, an end ends it on that date, a renewal makes
    it active again. Steps dated before the tie's date are its history and change nothing.
    Saves only the fields that change (returned) and bumps the data version on commit.
    """
    values = {"kind": tie.kind, "status": tie.status, "ended_on": tie.ended_on}
    steps = tie.milestones.order_by("date", "id")
    if tie.established_on is not None:
        # Steps before the tie's own date are its history (the agreement that came before).
        steps = steps.filter(date__gte=tie.established_on)
    for milestone in steps:
        if milestone.kind_after:
            values["kind"] = milestone.kind_after
        status = _MILESTONE_STATUS.get(milestone.kind)
        if status is not None:
            values["status"] = status
            values["ended_on"] = milestone.date if status == TieStatus.ENDED else None
    changed = [name for name, value in values.items() if getattr(tie, name) != value]
    if changed:
        for name in changed:
            setattr(tie, name, values[name])
        tie.save(update_fields=[*changed, "updated_at"])
    return changed


TIE_CHANGED_MESSAGE = _(
    "This tie was changed by someone else since you opened it — reload to see their changes."
)


def tie_save(*, tie: FriendshipLink, loaded_version: str | None = None) -> FriendshipLink:
    """Save a tie and keep its kind and status in step with its milestones.

    With `loaded_version` (the `updated_at` stamp the editor opened, see
    `exchangeportal.infra.optimistic`), the row is locked and the save refused with
    `ValidationError` (code "stale") when someone saved the tie since. Validates the tie
    (`full_clean`). One transaction.
    """
    with transaction.atomic():
        if tie.pk and loaded_version is not None:
            version_check(tie, loaded_version, TIE_CHANGED_MESSAGE)
        tie.full_clean()
        tie.save()
        tie_sync_milestones(tie=tie)
    return tie


def tie_milestone_add(
    *,
    tie: FriendshipLink,
    kind: str,
    date: datetime.date,
    precision: str = DatePrecision.DAY,
    kind_after: str = "",
    note: str = "",
    sources: Iterable[Source] = (),
) -> LinkMilestone:
    """Add a step to a tie's life and keep the tie consistent with it (`tie_sync_milestones`).

    Raises `ValidationError` for an invalid step (e.g. the same step on the same date).
    Runs in one transaction.
    """
    with transaction.atomic():
        milestone = LinkMilestone(
            link=tie,
            kind=kind,
            date=date,
            date_precision=precision,
            kind_after=kind_after,
            note_en=note,
        )
        milestone.full_clean()
        milestone.save()
        milestone.sources.set(list(sources))
        tie_sync_milestones(tie=tie)
    return milestone


def tie_conflict_resolve(*, conflict: TieConflict, accept: bool, user) -> TieConflict:
    """Close an import conflict: take the incoming value (and its source) or keep the curated one.

    Accepting writes the incoming value to the tie and adds the incoming source to the tie's
    sources. A conflict already closed is left as it is. Locks the conflict row; one
    transaction; the data version is bumped on commit.
    """
    with transaction.atomic():
        conflict = TieConflict.objects.select_for_update().select_related("tie").get(pk=conflict.pk)
        if conflict.status != ConflictStatus.OPEN:
            return conflict
        if accept:
            tie = conflict.tie
            if conflict.field == ConflictField.ESTABLISHED:
                tie.established_on, tie.established_precision = parse_partial_date(
                    conflict.incoming_value
                )
                fields = ["established_on", "established_precision"]
            else:
                setattr(tie, conflict.field, conflict.incoming_value)
                fields = [conflict.field]
            tie.full_clean(validate_constraints=False)
            tie.save(update_fields=[*fields, "updated_at"])
            if conflict.incoming_source_id:
                tie.sources.add(conflict.incoming_source_id)
        conflict.status = ConflictStatus.ACCEPTED if accept else ConflictStatus.DISMISSED
        conflict.resolved_by = user
        conflict.resolved_at = timezone.now()
        conflict.save(update_fields=["status", "resolved_by", "resolved_at"])
    return conflict
