"""Writes on places and their ties: every entry point (admin, loaders, commands) calls these."""

import copy
import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchangeportal.infra.optimistic import version_check

from .bulk import insert_rows
from .dates import DatePrecision, parse_partial_date, partial_date_iso
from .models import (
    PLACE_CONFLICT_FIELDS,
    City,
    CitySearchKey,
    ConflictField,
    ConflictStatus,
    DateBasis,
    FriendshipLink,
    HistoryAction,
    HistoryEntry,
    HistoryVia,
    KanaBasis,
    LinkMilestone,
    MilestoneKind,
    Source,
    TieConflict,
    TieStatus,
)
from .reconcile import Reconciliation, TieFacts, tie_reconcile
from .search import CITY_NAME_FIELDS, city_key_rows

_REBUILD_BATCH = 500

# --- History: who changed what, when, from which source ---------------------------------------

# The fields whose changes a tie's and a place's history records (public facts only: the
# curators' research notes stay out). The tie's date is one entry with its precision.
TIE_HISTORY_FIELDS = (
    "city_a",
    "city_b",
    "kind",
    "label_a",
    "label_b",
    "established_on",
    "date_basis",
    "status",
    "ended_on",
    "verified",
    *FriendshipLink.public_note.field_names,
)
PLACE_HISTORY_FIELDS = (
    *City.NAME_FIELDS,
    "name_kana",
    "country",
    "admin_level",
    "parent",
    "valid_from",
    "valid_to",
    "latitude",
    "longitude",
    "population",
    "population_year",
    "area_km2",
    "website",
)


def _history_values(obj, names: Iterable[str]) -> dict[str, object]:
    """The stored text of each field for the history (related rows by id, compared cheaply)."""
    values: dict[str, object] = {}
    for name in names:
        if name == "established_on":
            values[name] = partial_date_iso(obj.established_on, obj.established_precision)
            continue
        model_field = obj._meta.get_field(name)
        value = getattr(obj, model_field.attname)
        if isinstance(value, bool) or value is None:
            values[name] = value if value is not None else ""
        elif isinstance(value, datetime.date):
            values[name] = value.isoformat()
        elif isinstance(model_field, DecimalField):
            # 34, 34.0 and 34.000000 are one value: compared and shown without trailing zeros.
            values[name] = format(Decimal(str(value)).normalize(), "f")
        else:
            values[name] = str(value) if not model_field.is_relation else value
    return values


def _history_diff(obj, before: dict[str, object], after: dict[str, object]) -> dict[str, list]:
    """{field: [old, new]} for the fields that differ; related rows by their name."""
    changes = {}
    for name, new in after.items():
        old = before.get(name, "")
        if old == new:
            continue
        model_field = obj._meta.get_field(name)
        if model_field.is_relation:
            model = model_field.related_model
            names = dict(
                model.objects.filter(pk__in=[v for v in (old, new) if v]).values_list(
                    "pk", "name_en"
                )
            )
            old, new = names.get(old, ""), names.get(new, "")
        changes[name] = [old, new]
    return changes


def tie_history_changes(tie: FriendshipLink, values: dict) -> dict[str, list]:
    """The history's {field: [old, new]} for setting `values` on `tie` (left as it is): for
    writers that update ties in bulk, such as the tie import."""
    before = _history_values(tie, TIE_HISTORY_FIELDS)
    changed = copy.copy(tie)
    for name, value in values.items():
        setattr(changed, name, value)
    return _history_diff(changed, before, _history_values(changed, TIE_HISTORY_FIELDS))


def history_record(
    *,
    tie: FriendshipLink | None = None,
    place: City | None = None,
    action: str,
    changes: dict | None = None,
    source: Source | None = None,
    milestone: LinkMilestone | None = None,
    changed_by=None,
    via: str = HistoryVia.CURATOR,
    via_detail: str = "",
) -> HistoryEntry | None:
    """Write one line of a tie's or a place's history (the only writer of `HistoryEntry`).

    A "changed" line with no change is not written (None is returned). Runs in the caller's
    transaction.
    """
    if action == HistoryAction.CHANGED and not changes:
        return None
    user = changed_by if changed_by is not None and changed_by.is_authenticated else None
    return HistoryEntry.objects.create(
        tie=tie,
        place=place,
        action=action,
        changes=changes or {},
        source=source,
        milestone=milestone,
        changed_by=user,
        via=via,
        via_detail=via_detail[:300],
    )


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


def city_save_names(
    *,
    city: City,
    name_kana: str | None = None,
    changed_by=None,
    source: Source | None = None,
    via: str = HistoryVia.CURATOR,
    via_detail: str = "",
    **names: str,
) -> City:
    """Set a place's names (any of `CITY_NAME_FIELDS`), save it and rebuild its search keys.

    A `name_kana` given is a curator's reading: stored with basis curator, so no
    gazetteer load replaces it (an empty one says the place has no reading). The place's
    history records what changed in the saved row (`PLACE_HISTORY_FIELDS`), by whom
    (`changed_by`, `via`) and from which `source`.

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
        stored = City.objects.filter(pk=city.pk).first() if city.pk else None
        before = _history_values(stored, PLACE_HISTORY_FIELDS) if stored else {}
        city.save()
        city_search_keys_rebuild(cities=[city])
        history_record(
            place=city,
            action=HistoryAction.CHANGED if stored else HistoryAction.CREATED,
            changes=_history_diff(city, before, _history_values(city, PLACE_HISTORY_FIELDS)),
            source=source,
            changed_by=changed_by,
            via=via,
            via_detail=via_detail,
        )
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


def tie_save(
    *,
    tie: FriendshipLink,
    loaded_version: str | None = None,
    changed_by=None,
    source: Source | None = None,
    via: str = HistoryVia.CURATOR,
    via_detail: str = "",
) -> FriendshipLink:
    """Save a tie and keep its kind and status in step with its milestones.

    With `loaded_version` (the `updated_at` stamp the editor opened, see
    `exchangeportal.infra.optimistic`), the row is locked and the save refused with
    `ValidationError` (code "stale") when someone saved the tie since. Validates the tie
    (`full_clean`). The tie's history records what changed (`TIE_HISTORY_FIELDS`), by whom
    and from which `source`, which is also added to the tie's sources. One transaction.
    """
    with transaction.atomic():
        if tie.pk and loaded_version is not None:
            version_check(tie, loaded_version, TIE_CHANGED_MESSAGE)
        tie.full_clean()
        stored = (
            FriendshipLink.objects.select_for_update().filter(pk=tie.pk).first() if tie.pk else None
        )
        before = _history_values(stored, TIE_HISTORY_FIELDS) if stored else {}
        tie.save()
        tie_sync_milestones(tie=tie)
        if source is not None:
            tie.sources.add(source)
        history_record(
            tie=tie,
            action=HistoryAction.CHANGED if stored else HistoryAction.CREATED,
            changes=_history_diff(tie, before, _history_values(tie, TIE_HISTORY_FIELDS)),
            source=source,
            changed_by=changed_by,
            via=via,
            via_detail=via_detail,
        )
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
    changed_by=None,
    via: str = HistoryVia.CURATOR,
    via_detail: str = "",
) -> LinkMilestone:
    """Add a step to a tie's life and keep the tie consistent with it (`tie_sync_milestones`).

    The tie's history records the step and what it changed in the tie (kind, status), with
    the step's first source. Raises `ValidationError` for an invalid step (e.g. the same
    step on the same date). Runs in one transaction.
    """
    sources = list(sources)
    with transaction.atomic():
        before = _history_values(tie, TIE_HISTORY_FIELDS)
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
        milestone.sources.set(sources)
        tie_sync_milestones(tie=tie)
        history_record(
            tie=tie,
            action=HistoryAction.MILESTONE,
            changes=_history_diff(tie, before, _history_values(tie, TIE_HISTORY_FIELDS)),
            milestone=milestone,
            source=sources[0] if sources else None,
            changed_by=changed_by,
            via=via,
            via_detail=via_detail,
        )
    return milestone


def tie_conflict_resolve(*, conflict: TieConflict, accept: bool, user) -> TieConflict:
    """Close a conflict: take the incoming value (and its source) or keep the curated one.

    Accepting writes the incoming value to the tie (through `tie_save`, which adds the
    incoming source to the tie's sources) or, for a name, to the place (`city_save_names`);
    either's history records it. A conflict already closed is left as it is. Locks the
    conflict row; one transaction; the data version is bumped on commit.
    """
    with transaction.atomic():
        conflict = (
            TieConflict.objects.select_for_update(of=("self",))
            .select_related("tie", "place", "incoming_source")
            .get(pk=conflict.pk)
        )
        if conflict.status != ConflictStatus.OPEN:
            return conflict
        if accept:
            history = {
                "changed_by": user,
                "source": conflict.incoming_source,
                "via": HistoryVia.CURATOR,
                "via_detail": conflict.origin,
            }
            if conflict.place_id:
                city_save_names(
                    city=conflict.place, **{conflict.field: conflict.incoming_value}, **history
                )
            else:
                tie = conflict.tie
                if conflict.field == ConflictField.ESTABLISHED:
                    tie.established_on, tie.established_precision = parse_partial_date(
                        conflict.incoming_value
                    )
                else:
                    setattr(tie, conflict.field, conflict.incoming_value)
                tie_save(tie=tie, **history)
        conflict.status = ConflictStatus.ACCEPTED if accept else ConflictStatus.DISMISSED
        conflict.resolved_by = user
        conflict.resolved_at = timezone.now()
        conflict.save(update_fields=["status", "resolved_by", "resolved_at"])
    return conflict


# --- Facts from outside: a city office's suggestion -----------------------------------------


@dataclass
class OutsideOutcome:
    """What facts from outside did to a tie or a place: written, added, or kept for a curator."""

    tie: FriendshipLink | None = None
    place: City | None = None
    created: bool = False
    changes: dict[str, object] = dataclasses.field(default_factory=dict)
    milestones: list[LinkMilestone] = dataclasses.field(default_factory=list)
    conflicts: list[TieConflict] = dataclasses.field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.changes or self.milestones)


def conflict_open(
    *,
    field_name: str,
    current: str,
    incoming: str,
    source: Source | None,
    origin: str,
    tie: FriendshipLink | None = None,
    place: City | None = None,
) -> TieConflict:
    """Queue a disagreement with a curated value for a curator (the import's conflict queue).

    The same open disagreement is queued once (the existing one is returned). Runs in the
    caller's transaction; for a tie, its current sources are noted beside the curated value.
    """
    subject = {"tie": tie} if tie is not None else {"place": place}
    existing = TieConflict.objects.filter(
        **subject, field=field_name, incoming_value=incoming, status=ConflictStatus.OPEN
    ).first()
    if existing is not None:
        return existing
    current_sources = (
        "\n".join(source_row.url or source_row.title for source_row in tie.sources.all())
        if tie is not None
        else ""
    )
    return TieConflict.objects.create(
        **subject,
        field=field_name,
        current_value=current,
        incoming_value=incoming,
        current_sources=current_sources,
        incoming_source=source,
        origin=origin[:300],
    )


def _tie_facts(tie: FriendshipLink) -> TieFacts:
    return TieFacts(
        kind=tie.kind,
        established_on=tie.established_on,
        established_precision=tie.established_precision,
        date_basis=tie.date_basis,
        label_a=tie.label_a,
        label_b=tie.label_b,
        verified=tie.verified,
        note=tie.note,
        public_note_en=tie.public_note_en,
    )


def tie_facts_apply(
    *,
    tie: FriendshipLink,
    facts: TieFacts,
    source: Source,
    changed_by=None,
    via: str = HistoryVia.OFFICE,
    via_detail: str = "",
) -> OutsideOutcome:
    """Apply facts from outside to a curated tie by the reconciling rules (`cities.reconcile`).

    What makes the tie better is written (`tie_save`, with `source`); a later upgrade or an
    earlier agreement becomes a milestone (`tie_milestone_add`); a real disagreement is
    queued as a conflict (`conflict_open`), never written. One transaction.
    """
    outcome = OutsideOutcome(tie=tie)
    history = {"changed_by": changed_by, "via": via, "via_detail": via_detail}
    with transaction.atomic():
        tie = FriendshipLink.objects.select_for_update().get(pk=tie.pk)
        outcome.tie = tie
        result: Reconciliation = tie_reconcile(current=_tie_facts(tie), incoming=facts)
        if any(conflict.field == ConflictField.ESTABLISHED for conflict in result.conflicts):
            # The basis belongs to the disputed date: it waits with it.
            result.changes.pop("date_basis", None)
        if result.changes:
            for name, value in result.changes.items():
                setattr(tie, name, value)
            tie_save(tie=tie, source=source, **history)
            outcome.changes = dict(result.changes)
        for step in result.milestones:
            if tie.milestones.filter(date=step.date, kind=step.kind).exists():
                continue
            outcome.milestones.append(
                tie_milestone_add(
                    tie=tie,
                    kind=step.kind,
                    date=step.date,
                    precision=step.precision,
                    kind_after=step.kind_after,
                    sources=[source],
                    **history,
                )
            )
        if outcome.milestones and not result.changes:
            tie.sources.add(source)
        for conflict in result.conflicts:
            outcome.conflicts.append(
                conflict_open(
                    tie=tie,
                    field_name=conflict.field,
                    current=conflict.current,
                    incoming=conflict.incoming,
                    source=source,
                    origin=via_detail,
                )
            )
        for name in ("label_a", "label_b"):
            # The reconciling rules take a variant label for no disagreement; a side that
            # corrects its own word for the tie is one, when the curated label differs.
            incoming, current = getattr(facts, name), getattr(tie, name)
            if incoming and current and incoming != current:
                outcome.conflicts.append(
                    conflict_open(
                        tie=tie,
                        field_name=name,
                        current=current,
                        incoming=incoming,
                        source=source,
                        origin=via_detail,
                    )
                )
    return outcome


def tie_add_from_outside(
    *,
    place: City,
    partner: City,
    facts: TieFacts,
    source: Source,
    changed_by=None,
    via: str = HistoryVia.OFFICE,
    via_detail: str = "",
) -> OutsideOutcome:
    """Record a tie between `place` and `partner` from outside, with `source`.

    `facts.label_a` is `place`'s word for the tie, `label_b` the partner's. A new tie is
    created (place A = `place`) through `tie_save`; when the two places are tied already, the
    facts are applied to that tie by the reconciling rules (`tie_facts_apply`, labels put on
    the right sides). Raises `ValidationError` for invalid facts. One transaction.
    """
    history = {"changed_by": changed_by, "via": via, "via_detail": via_detail}
    with transaction.atomic():
        existing = (
            FriendshipLink.objects.involving(place)
            .filter(Q(city_a=partner) | Q(city_b=partner))
            .first()
        )
        if existing is not None:
            if existing.city_a_id != place.pk:
                facts = replace(facts, label_a=facts.label_b, label_b=facts.label_a)
            return tie_facts_apply(tie=existing, facts=facts, source=source, **history)
        tie = FriendshipLink(
            city_a=place,
            city_b=partner,
            kind=facts.kind,
            label_a=facts.label_a,
            label_b=facts.label_b,
            established_on=facts.established_on,
            established_precision=facts.established_precision,
            date_basis=facts.date_basis or DateBasis.UNKNOWN,
            verified=bool(facts.verified),
        )
        tie_save(tie=tie, source=source, **history)
    return OutsideOutcome(tie=tie, created=True)


def city_names_apply(
    *,
    city: City,
    names: dict[str, str],
    source: Source,
    changed_by=None,
    via: str = HistoryVia.OFFICE,
    via_detail: str = "",
) -> OutsideOutcome:
    """Apply names from outside to a place: an empty name is filled (`city_save_names`, with
    `source`); a different curated name is queued as a conflict, never replaced. Raises
    `TypeError` for a field that is not a name a conflict can hold. One transaction.
    """
    unknown = sorted(set(names) - set(PLACE_CONFLICT_FIELDS))
    if unknown:
        raise TypeError(f"not a name field of a place: {', '.join(unknown)}")
    outcome = OutsideOutcome(place=city)
    with transaction.atomic():
        city = City.objects.select_for_update().get(pk=city.pk)
        outcome.place = city
        fill = {}
        for name, value in names.items():
            value, current = value.strip(), getattr(city, name)
            if not value or value == current:
                continue
            if not current:
                fill[name] = value
            else:
                outcome.conflicts.append(
                    conflict_open(
                        place=city,
                        field_name=name,
                        current=current,
                        incoming=value,
                        source=source,
                        origin=via_detail,
                    )
                )
        if fill:
            city_save_names(
                city=city,
                **fill,
                source=source,
                changed_by=changed_by,
                via=via,
                via_detail=via_detail,
            )
            outcome.changes = fill
    return outcome
