"""A place's timeline: its ties, their milestones, its Culture City years and (given by the
events panel, `cities` never imports `events`) its events, in one chronological list.

Each kind is read by one bounded query (at most `TIMELINE_LIMIT` rows, newest first); the
merged list keeps the newest `TIMELINE_LIMIT` entries in date order and says whether older
ones were left out (the sections of the page still list them all).
"""

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import F, Q

from .dates import DatePrecision, format_partial_date, partial_date_iso
from .models import City, CultureCityDesignation, FriendshipLink, LinkMilestone

TIMELINE_LIMIT = 100

# The kinds of entry, in the order they come on the same date.
TIE, MILESTONE, DESIGNATION, EVENT = "tie", "milestone", "designation", "event"
_KIND_ORDER = {TIE: 0, MILESTONE: 1, DESIGNATION: 2, EVENT: 3}
# A date known to the year sorts before what is known to the month or day of that year.
_PRECISION_ORDER = {DatePrecision.YEAR: 0, DatePrecision.MONTH: 1, DatePrecision.DAY: 2}


@dataclass
class TimelineEntry:
    """One dated step in a place's life: `kind` says what `item` is (a tie, a milestone, a
    designation or an event); the template renders each kind in its own words."""

    date: datetime.date
    precision: str
    kind: str
    item: object

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.precision)

    @property
    def date_iso(self) -> str:
        return partial_date_iso(self.date, self.precision)

    @property
    def sort_key(self) -> tuple:
        # Year, then month (0 when only the year is known), then the day and the precision.
        precision = _PRECISION_ORDER.get(self.precision, 2)
        month = self.date.month if precision else 0
        kind = _KIND_ORDER[self.kind]
        return (self.date.year, month, self.date, precision, kind, self.item.pk)


@dataclass
class TimelineYear:
    year: int
    entries: list[TimelineEntry] = field(default_factory=list)


@dataclass
class Timeline:
    years: list[TimelineYear]
    truncated: bool  # older entries were left out
    size: int


def _with_partner(tie: FriendshipLink, city: City) -> FriendshipLink:
    tie.partner = tie.partner_of(city)
    return tie


def city_timeline_ties(*, city: City, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """The place's dated ties (one query, the newest `limit`), each with its `partner`."""
    ties = (
        FriendshipLink.objects.with_places()
        .involving(city)
        .filter(established_on__isnull=False)
        .order_by("-established_on", "-id")[:limit]
    )
    return [
        TimelineEntry(tie.established_on, tie.established_precision, TIE, _with_partner(tie, city))
        for tie in ties
    ]


def city_timeline_milestones(*, city: City, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """The milestones of the place's ties (one query, the newest `limit`), each milestone's
    tie loaded with both places and its `partner`."""
    milestones = (
        LinkMilestone.objects.select_related("link__city_a", "link__city_b")
        .filter(Q(link__city_a=city) | Q(link__city_b=city))
        .order_by(F("date").desc(), "-id")[:limit]
    )
    entries = []
    for milestone in milestones:
        _with_partner(milestone.link, city)
        entries.append(
            TimelineEntry(milestone.date, milestone.date_precision, MILESTONE, milestone)
        )
    return entries


def designation_timeline_entries(designations) -> list[TimelineEntry]:
    """Culture City years as entries (no query: the designations the page already loaded)."""
    return [
        TimelineEntry(datetime.date(d.year, 1, 1), DatePrecision.YEAR, DESIGNATION, d)
        for d in designations
        if isinstance(d, CultureCityDesignation)
    ]


def timeline_build(entries: list[TimelineEntry], *, limit: int = TIMELINE_LIMIT) -> Timeline:
    """The newest `limit` entries in date order (oldest first), grouped by year."""
    ordered = sorted(entries, key=lambda entry: entry.sort_key)
    truncated = len(ordered) > limit
    kept = ordered[-limit:] if truncated else ordered
    years = [
        TimelineYear(year=year, entries=list(group))
        for year, group in groupby(kept, key=lambda entry: entry.date.year)
    ]
    return Timeline(years=years, truncated=truncated, size=len(kept))


def timeline_entries_of_ties(
    *, ties: list[FriendshipLink], limit: int = TIMELINE_LIMIT
) -> list[TimelineEntry]:
    """The entries `city_timeline_ties` and `city_timeline_milestones` give, from ties already
    loaded with their milestones (no query): every tie of the place, each with `partner`."""
    dated = sorted(
        (tie for tie in ties if tie.established_on),
        key=lambda tie: (tie.established_on, tie.pk),
        reverse=True,
    )
    milestones = sorted(
        (milestone for tie in ties for milestone in tie.milestones.all()),
        key=lambda milestone: (milestone.date, milestone.pk),
        reverse=True,
    )
    return [
        *(
            TimelineEntry(tie.established_on, tie.established_precision, TIE, tie)
            for tie in dated[:limit]
        ),
        *(
            TimelineEntry(milestone.date, milestone.date_precision, MILESTONE, milestone)
            for milestone in milestones[:limit]
        ),
    ]


def city_timeline(
    *, city: City, designations, extra: list[TimelineEntry] = (), ties=None
) -> Timeline:
    """The place's timeline: its ties, milestones and designations, and `extra` entries (the
    events panel's). Two queries (ties, milestones); none when `ties` holds every tie of the
    place, loaded with its milestones and `partner` (a place whose ties fit on one page)."""
    if ties is None:
        tie_entries = [*city_timeline_ties(city=city), *city_timeline_milestones(city=city)]
    else:
        tie_entries = timeline_entries_of_ties(ties=ties)
    entries = [
        *tie_entries,
        *designation_timeline_entries(designations),
        *extra,
    ]
    return timeline_build(entries)
