"""Reads of places, ties and designations, shared by the portal, the API and the admin.

Every function returns a queryset (or plain data) whose related rows are named
here (`select_related` / `prefetch_related`), so a page that uses it runs a fixed
number of queries whatever the data size. Counts are annotations, never a
per-row `.count()`.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from exchangeportal.infra.paging import paginate_or_404

from . import search
from .models import (
    City,
    ConflictStatus,
    Country,
    CultureCityDesignation,
    FriendshipLink,
    HistoryEntry,
    LinkMilestone,
    Source,
    TieConflict,
)

FIRST_DESIGNATION_YEAR = 2014


def city_name_match(queryset: QuerySet, query: str) -> QuerySet:
    """Narrow `queryset` (of City) to places whose name matches `query`, best first.

    The portal's one cross-script search (`cities.search.city_name_match`): any
    script, spelling, romanisation or suffix. This is the one place the directory,
    the API and the 404 page ask "which places answer to this name". A blank query
    keeps the whole queryset.
    """
    if not query.strip():
        return queryset
    return search.city_name_match(queryset, query)


def _named_exactly(name: str) -> Q:
    """Places whose name in any script (or romanisation) is `name`, case-insensitive."""
    exact = Q()
    for field_name in City.NAME_FIELDS:
        exact |= Q(**{f"{field_name}__iexact": name})
    return exact


def places_by_slug_or_name(value: str) -> QuerySet | None:
    """The place whose slug is `value`, else the places whose name is `value` (any script,
    case-insensitive), else those whose name contains it (`city_name_match`); None when no
    place answers to it.

    For filters that take a typed place instead of a list of every place. At most
    three small existence queries decide which; the result is a queryset to use as
    a subquery.
    """
    value = value.strip()
    if not value:
        return None
    by_slug = City.objects.filter(slug=value)
    if by_slug.exists():
        return by_slug
    by_name = City.objects.filter(_named_exactly(value))
    if by_name.exists():
        return by_name
    by_part = city_name_match(City.objects.all(), value)
    return by_part if by_part.exists() else None


# "Yangzhou (yangzhou)": a place's name with its slug, as the place fields show and suggest it.
_SLUG_IN_REFERENCE = re.compile(r"\(([a-z0-9][a-z0-9-]*)\)\s*$")


def place_reference(city: City) -> str:
    """How a form field shows a chosen place: its name in the current language and its slug."""
    return f"{city.name} ({city.slug})"


def places_answering_to(reference: str, *, limit: int = 6) -> list[City]:
    """The places a typed reference means, for a form's place field.

    A reference ending in "(slug)" (what `place_reference` writes and the suggestions
    offer) or a bare slug means that place. Otherwise: the places whose name, in any
    script, is exactly the text (case-insensitive), by English name and slug, at most
    `limit`.
    Two queries at most; [] when nothing answers (and at once for a text holding a NUL
    character, which no name holds and PostgreSQL refuses in a query).
    """
    reference = reference.strip()
    if "\x00" in reference:
        return []
    found = _SLUG_IN_REFERENCE.search(reference)
    slug = found.group(1) if found else reference.lower()
    by_slug = list(City.objects.filter(slug=slug)[:1])
    if by_slug:
        return by_slug
    name = _SLUG_IN_REFERENCE.sub("", reference).strip() if found else reference
    return list(City.objects.filter(_named_exactly(name)).order_by("name_en", "slug")[:limit])


def ties_among(places: list[City]) -> QuerySet:
    """The ties both of whose places are among `places` (both places loaded), by names."""
    ids = [place.pk for place in places]
    return (
        FriendshipLink.objects.filter(city_a__in=ids, city_b__in=ids)
        .select_related("city_a", "city_b")
        .order_by("city_a__name_en", "city_b__name_en", "pk")
    )


def tie_count_expression():
    """An annotation: the number of ties a place takes part in (either side)."""
    ties = (
        FriendshipLink.objects.filter(Q(city_a=OuterRef("pk")) | Q(city_b=OuterRef("pk")))
        .order_by()
        .values(group=Value(1))
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(ties, output_field=IntegerField()), 0)


def city_list() -> QuerySet:
    """Places for the directory: parent joined, tie count annotated, designations prefetched."""
    return (
        City.objects.select_related("parent")
        .annotate(tie_count=tie_count_expression())
        .prefetch_related(
            Prefetch(
                "designations",
                queryset=CultureCityDesignation.objects.order_by("year"),
            )
        )
        .order_by("name_en", "country")
    )


def city_designated_filter(queryset: QuerySet, designated: bool) -> QuerySet:
    """Places that were (True) or never were (False) a Culture City of East Asia."""
    ever = Exists(CultureCityDesignation.objects.filter(city=OuterRef("pk")))
    return queryset.filter(ever if designated else ~ever)


def city_active_filter(queryset: QuerySet) -> QuerySet:
    """Places with a tie, a Culture City designation or an event (hosted or joined).

    Events are reached by their relation names alone: `cities` does not import `events`.
    """
    place = OuterRef("pk")
    return queryset.filter(
        Exists(FriendshipLink.objects.filter(city_a=place))
        | Exists(FriendshipLink.objects.filter(city_b=place))
        | Exists(CultureCityDesignation.objects.filter(city=place))
        | Exists(City.objects.filter(pk=place, hosted_events__isnull=False))
        | Exists(City.objects.filter(pk=place, partnered_events__isnull=False))
    )


def city_tied_with_filter(queryset: QuerySet, country: str) -> QuerySet:
    """Places with at least one tie to a place in `country` (ISO code)."""
    tied = FriendshipLink.objects.filter(
        Q(city_a=OuterRef("pk"), city_b__country=country)
        | Q(city_b=OuterRef("pk"), city_a__country=country)
    )
    return queryset.filter(Exists(tied))


def city_detail_queryset() -> QuerySet:
    """One place for its page: parent and social accounts loaded."""
    return City.objects.select_related("parent").prefetch_related("social_accounts")


def _source_prefetch() -> Prefetch:
    return Prefetch("sources", queryset=Source.objects.order_by("publisher", "title", "url"))


def tie_queryset() -> QuerySet:
    """Ties with both places, their sources and their milestones (with sources)."""
    return FriendshipLink.objects.select_related("city_a", "city_b").prefetch_related(
        *_tie_prefetches()
    )


def _tie_prefetches() -> list[Prefetch]:
    """What a tie shows beside its places: its sources and its milestones (with sources)."""
    return [
        _source_prefetch(),
        Prefetch(
            "milestones",
            queryset=LinkMilestone.objects.order_by("date", "id").prefetch_related(
                _source_prefetch()
            ),
        ),
    ]


def tie_open_conflicts(*, tie: FriendshipLink) -> list[TieConflict]:
    """What imports found that disagrees with the tie, still open for a curator."""
    return list(
        tie.conflicts.filter(status=ConflictStatus.OPEN)
        .select_related("incoming_source")
        .order_by("field", "id")
    )


HISTORY_PAGE_SIZE = 10


def tie_history(*, tie: FriendshipLink, limit: int = HISTORY_PAGE_SIZE) -> list[HistoryEntry]:
    """The latest changes to a tie (newest first), with their sources: one query."""
    return list(HistoryEntry.objects.filter(tie=tie).for_page()[:limit])


def city_history(*, city: City, limit: int = HISTORY_PAGE_SIZE) -> list[HistoryEntry]:
    """The latest changes to a place (newest first), with their sources: one query."""
    return list(HistoryEntry.objects.filter(place=city).for_page()[:limit])


@dataclass
class TieGroup:
    """A place's ties with partners in one country (on one page of its ties)."""

    country: str
    country_name: str
    ties: list = field(default_factory=list)
    total: int = 0  # the place's ties with this country, on every page


TIES_PAGE_SIZE = 50


def _partner_country(city: City):
    """The partner's country of a tie of `city`, as an SQL expression."""
    return Case(When(city_a=city, then=F("city_b__country")), default=F("city_a__country"))


def city_tie_counts_by_country(*, city: City) -> dict[str, int]:
    """How many ties the place has with each partner country (one query)."""
    rows = (
        FriendshipLink.objects.involving(city)
        .annotate(partner_country=_partner_country(city))
        .values("partner_country")
        .annotate(ties=Count("id"))
        .order_by()
    )
    return {row["partner_country"]: row["ties"] for row in rows}


def city_ties_page(*, city: City, number=None, per_page: int = TIES_PAGE_SIZE):
    """One page of the place's ties, grouped by partner country: `(page, groups)`.

    Ties are ordered China, Japan, Korea, other countries, then by date inside a
    country, so a country's group may go on over the next page; each group
    carries the country's `total` over all pages. A malformed or out-of-range
    page number → 404. Bounded work: the counts, one page of ties and their
    prefetches, whatever the number of ties.
    """
    # Most places have fewer ties than a page: read them all at once (one query and its
    # prefetches), then count and order them here, with no COUNT and no ordering expressions.
    every = list(
        FriendshipLink.objects.with_places().involving(city).order_by("id")[: per_page + 1]
    )
    if len(every) <= per_page:
        prefetch_related_objects(every, *_tie_prefetches())
        return _city_ties_one_page(city=city, ties=every, per_page=per_page, number=number)
    counts = city_tie_counts_by_country(city=city)
    order = [code for code, _label in Country.choices]
    ties = (
        tie_queryset()
        .involving(city)
        .annotate(partner_country=_partner_country(city))
        .annotate(
            country_rank=Case(
                *[When(partner_country=code, then=Value(rank)) for rank, code in enumerate(order)],
                default=Value(len(order)),
                output_field=IntegerField(),
            )
        )
        .order_by(
            "country_rank",
            "partner_country",
            F("established_on").asc(nulls_last=True),
            "id",
        )
    )
    # the count is known from the counts: no COUNT query
    page = paginate_or_404(ties, per_page=per_page, number=number, count=sum(counts.values()))
    page.country_counts = counts  # ties per partner country, over every page
    page.complete = False
    groups = city_ties_by_country(city=city, ties=page.object_list)
    for group in groups:
        group.total = counts.get(group.country, len(group.ties))
    return page, groups


def _country_rank(country: str) -> int:
    codes = [code for code, _label in Country.choices]
    return codes.index(country) if country in codes else len(codes)


def _city_ties_one_page(*, city: City, ties: list, per_page: int, number):
    """`city_ties_page` for a place whose ties fit on one page: `ties` are all of them."""
    counts: dict[str, int] = {}
    for tie in ties:
        country = tie.partner_of(city).country
        counts[country] = counts.get(country, 0) + 1
    # The order of the query in `city_ties_page`: country, then date (unknown last), then id.
    ties.sort(
        key=lambda tie: (
            _country_rank(tie.partner_of(city).country),
            tie.partner_of(city).country,
            tie.established_on is None,
            tie.established_on or datetime.date.min,
            tie.pk,
        )
    )
    page = paginate_or_404(ties, per_page=per_page, number=number)
    page.country_counts = counts
    page.complete = True  # the page holds every tie of the place (with its milestones)
    groups = city_ties_by_country(city=city, ties=page.object_list)
    for group in groups:
        group.total = counts[group.country]
    return page, groups


def city_ties_by_country(*, city: City, ties=None) -> list[TieGroup]:
    """The place's ties (or the given ones) grouped by the partner's country.

    Groups come China, Japan, Korea, then others. Each tie gets `partner`,
    `own_label` and `partner_label` attributes set for this place's point of
    view. Inside a group, ties keep their order (date order when not given).
    """
    if ties is None:
        ties = (
            tie_queryset().involving(city).order_by(F("established_on").asc(nulls_last=True), "id")
        )
    groups: dict[str, TieGroup] = {}
    for tie in ties:
        tie.partner = tie.partner_of(city)
        tie.own_label = tie.label_of(city)
        tie.partner_label = tie.label_of(tie.partner)
        country = tie.partner.country
        if country not in groups:
            groups[country] = TieGroup(country=country, country_name=tie.partner.country_name)
        groups[country].ties.append(tie)
    order = [code for code, _label in Country.choices]
    return sorted(
        groups.values(),
        key=lambda group: (
            order.index(group.country) if group.country in order else len(order),
            group.country,
        ),
    )


def tie_between(*, slug_a: str, slug_b: str) -> FriendshipLink | None:
    """The tie joining the places with these slugs (in either order), fully loaded, or None."""
    return tie_queryset().between(slug_a, slug_b).first()


def ties_with(*, city: City, partners: list[City]) -> QuerySet:
    """The ties joining `city` to any of `partners` (in either order)."""
    return FriendshipLink.objects.filter(
        Q(city_a=city, city_b__in=partners) | Q(city_b=city, city_a__in=partners)
    )


def designation_queryset() -> QuerySet:
    """Designations with their place (and its parent) and sources."""
    return CultureCityDesignation.objects.select_related("city", "city__parent").prefetch_related(
        _source_prefetch()
    )


def city_designations(*, city: City) -> QuerySet:
    return designation_queryset().filter(city=city).order_by("year")


@dataclass
class ArchiveRow:
    """One year of the Culture City archive: designations per country code."""

    year: int
    cells: list[list[CultureCityDesignation]]

    @property
    def is_empty(self) -> bool:
        return not any(self.cells)


def designation_archive() -> tuple[list[tuple[str, str]], list[ArchiveRow]]:
    """The archive table: (countries as (code, name), rows from 2014 to the latest year).

    Newest year first. Years without any designation are kept as empty rows so a
    gap is visible rather than hidden.
    """
    countries = [(code, str(label)) for code, label in Country.choices]
    by_year: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    designations = CultureCityDesignation.objects.select_related("city").order_by(
        "year", "city__name_en"
    )
    latest = FIRST_DESIGNATION_YEAR
    for designation in designations:
        by_year[designation.year][designation.city.country].append(designation)
        latest = max(latest, designation.year)
    if not by_year:
        return countries, []
    rows = [
        ArchiveRow(year=year, cells=[by_year[year][code] for code, _name in countries])
        for year in range(latest, FIRST_DESIGNATION_YEAR - 1, -1)
    ]
    return countries, rows


def designations_for_year(*, year: int) -> QuerySet:
    """That year's designated places, by country then name."""
    return designation_queryset().filter(year=year).order_by("city__country", "city__name_en")


def designation_years() -> list[int]:
    """Every year with at least one designation, newest first."""
    return list(
        CultureCityDesignation.objects.order_by("-year").values_list("year", flat=True).distinct()
    )


def tie_name_search(queryset: QuerySet, query: str) -> QuerySet:
    """Ties one of whose places answers to `query` (the directory's name match)."""
    places = city_name_match(City.objects.all(), query).values("pk")
    return queryset.filter(Q(city_a__in=places) | Q(city_b__in=places))


def designation_name_search(queryset: QuerySet, query: str) -> QuerySet:
    """Designations whose place answers to `query` (the directory's name match)."""
    return queryset.filter(city__in=city_name_match(City.objects.all(), query).values("pk"))


def ties_of_matching_places(query: str) -> QuerySet:
    """Ties of the places the query finds, newest first, with both places and sources loaded."""
    if not search.search_key(query or ""):
        return FriendshipLink.objects.none()
    places = search.city_match_ids(query)
    # One UNION of the two sides' indexed lookups: `city_a IN … OR city_b IN …` reads every tie.
    matching = (
        FriendshipLink.objects.filter(city_a__in=places)
        .order_by()
        .values("pk")
        .union(FriendshipLink.objects.filter(city_b__in=places).order_by().values("pk"))
    )
    return tie_search_rows().filter(pk__in=matching).order_by("-established_on", "pk")


def tie_search_rows() -> QuerySet:
    """Ties as the search page shows them: both places and the sources loaded."""
    return FriendshipLink.objects.with_places().prefetch_related("sources")


@dataclass(frozen=True)
class CurationCounts:
    """What the curators' dashboard lists as needing attention."""

    ties_without_date: int
    ties_without_source: int
    places_without_coordinates: int
    open_conflicts: int


def curation_counts() -> CurationCounts:
    """The records a curator should complete or decide, counted with the same querysets the
    admin's list filters use. Four COUNT queries, whatever the data size."""
    return CurationCounts(
        ties_without_date=FriendshipLink.objects.without_date().count(),
        ties_without_source=FriendshipLink.objects.without_source().count(),
        places_without_coordinates=City.objects.without_coordinates().count(),
        open_conflicts=TieConflict.objects.filter(status=ConflictStatus.OPEN).count(),
    )


def latest_ties(*, limit: int) -> list[FriendshipLink]:
    """The ties added to the portal most recently (both places loaded), newest first. One query."""
    return list(FriendshipLink.objects.with_places().order_by("-created_at", "-id")[:limit])
