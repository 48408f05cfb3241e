"""Reads of events and series, shared by the portal, the API, the feeds and the admin."""

import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL

from cities.models import City, CultureCityDesignation, FriendshipLink, Source
from cities.search import city_match_ids, search_key
from cities.selectors import city_name_match
from exchangeportal.infra.translation import translated_field_names

from .models import (
    EventProposal,
    EventSeries,
    ExchangeEvent,
    Partner,
    ProposalActivity,
    ProposalState,
)

FEED_DAYS_BACK = 365


def _sources() -> Prefetch:
    return Prefetch("sources", queryset=Source.objects.order_by("publisher", "title", "url"))


def _partners() -> Prefetch:
    return Prefetch("partners", queryset=City.objects.order_by("name_en"))


def event_list() -> QuerySet:
    """Published events with host, series and partner places, newest first."""
    return (
        ExchangeEvent.objects.published()
        .select_related("host", "series")
        .prefetch_related(_partners())
        .order_by("-starts_on", "id")
    )


def events_in_period(
    *, first_day: datetime.date, last_day: datetime.date, limit: int
) -> list[ExchangeEvent]:
    """Published events that take place on at least one day from `first_day` to `last_day`
    (a multi-day event that began before counts), host loaded, in date order; at most
    `limit` of them (one query)."""
    return list(
        ExchangeEvent.objects.published()
        .filter(starts_on__lte=last_day, ends_on__gte=first_day)
        .select_related("host")
        .order_by("starts_on", "ends_on", "id")[:limit]
    )


def event_when_filter(queryset: QuerySet, when: str, *, today: datetime.date) -> QuerySet:
    """`upcoming` (not yet over, soonest first) or `past` (over, latest first)."""
    if when == "upcoming":
        return queryset.upcoming(today=today).order_by("starts_on", "id")
    if when == "past":
        return queryset.past(today=today).order_by("-starts_on", "id")
    return queryset


def event_detail_queryset() -> QuerySet:
    """Published events for their page: every related row the page shows."""
    return (
        ExchangeEvent.objects.published()
        .select_related(
            "host",
            "series",
            "designation",
            "designation__city",
            "proposal__partner",
            "good_practice",
        )
        .prefetch_related(
            _partners(),
            _sources(),
            Prefetch(
                "links",
                queryset=FriendshipLink.objects.select_related("city_a", "city_b").order_by(
                    "established_on", "id"
                ),
            ),
        )
    )


def event_series_neighbours(
    *, event: ExchangeEvent
) -> tuple[ExchangeEvent | None, ExchangeEvent | None]:
    """The previous and next published editions of the event's series (one query), or Nones."""
    if event.series_id is None:
        return None, None
    editions = list(
        ExchangeEvent.objects.published()
        .filter(series_id=event.series_id)
        .order_by(F("edition").asc(nulls_last=True), "starts_on", "id")
        .only("id", "slug", *ExchangeEvent.title.field_names, "text_origins", "edition")
    )
    # Order by edition where known, else by date: the position of this event decides.
    ids = [edition.pk for edition in editions]
    if event.pk not in ids:
        return None, None
    index = ids.index(event.pk)
    previous = editions[index - 1] if index > 0 else None
    following = editions[index + 1] if index + 1 < len(editions) else None
    return previous, following


def _event_ids_of_places(*, host: Q, partner: Q) -> QuerySet:
    """Ids of the events whose host answers to `host` or one of whose partner rows answers to
    `partner` (a Q on the partner table), as one UNION of two indexed lookups: the host's
    index and the partner table's (city) index. One OR across both (`host = X OR id IN
    (partners)`) reads every event on PostgreSQL, and SQLite scans them too."""
    return (
        ExchangeEvent.objects.filter(host)
        .order_by()
        .values("pk")
        .union(
            ExchangeEvent.partners.through.objects.filter(partner)
            .order_by()
            .values("exchangeevent_id")
        )
    )


def events_for_city(*, city: City, today: datetime.date) -> QuerySet:
    """Published events the place hosted or joined: upcoming first (soonest), then past (latest)."""
    return (
        event_list()
        .filter(pk__in=_event_ids_of_places(host=Q(host_id=city.pk), partner=Q(city_id=city.pk)))
        .annotate(
            is_upcoming=Case(
                When(ends_on__gte=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            upcoming_start=Case(When(ends_on__gte=today, then=F("starts_on")), default=None),
        )
        .order_by("-is_upcoming", "upcoming_start", "-starts_on", "id")
    )


def _city_list_key(event: ExchangeEvent, today: datetime.date) -> tuple:
    """The order of `events_for_city`, for events in memory."""
    if event.ends_on >= today:
        return (0, event.starts_on.toordinal(), event.pk)
    return (1, -event.starts_on.toordinal(), event.pk)


def events_for_city_newest(*, city: City, limit: int) -> list[ExchangeEvent]:
    """The newest `limit` published events the place hosted or joined, with host and series,
    newest first (one query): the place's timeline, and its whole events list when fewer than
    `limit` come back."""
    return list(
        ExchangeEvent.objects.published()
        .select_related("host", "series")
        .filter(pk__in=_event_ids_of_places(host=Q(host_id=city.pk), partner=Q(city_id=city.pk)))
        .order_by("-starts_on", "-id")[:limit]
    )


def events_in_city_order(events: list[ExchangeEvent], *, today: datetime.date) -> list:
    """Events in memory in the order of `events_for_city` (upcoming first, soonest; then past,
    latest), partners not loaded."""
    return sorted(events, key=lambda event: _city_list_key(event, today))


def events_partners_load(events: list[ExchangeEvent]) -> None:
    """Load the partner places of events in memory (one query), as `event_list` does."""
    prefetch_related_objects(events, _partners())


def events_for_tie(*, tie: FriendshipLink) -> QuerySet:
    """Published events that serve the tie, newest first."""
    return event_list().filter(links=tie)


def events_for_designation_year(*, year: int) -> QuerySet:
    """Published events of that year's Culture City programmes, by date."""
    return event_list().filter(designation__year=year).order_by("starts_on", "id")


def latest_events(*, limit: int) -> list[ExchangeEvent]:
    """The published events added to the portal most recently (host loaded), newest first.
    One query."""
    return list(
        ExchangeEvent.objects.published()
        .select_related("host")
        .order_by("-created_at", "-id")[:limit]
    )


def upcoming_events(*, today: datetime.date, limit: int = 5) -> list[ExchangeEvent]:
    """The next published events that are not over yet, soonest first."""
    return list(event_list().upcoming(today=today).order_by("starts_on", "id")[:limit])


def feed_events(*, today: datetime.date) -> QuerySet:
    """Published events for the iCal feed: from one year back onward, by date."""
    since = today - datetime.timedelta(days=FEED_DAYS_BACK)
    return event_list().filter(ends_on__gte=since).order_by("starts_on", "id")


def series_detail_queryset() -> QuerySet:
    return EventSeries.objects.prefetch_related(_sources())


def series_events(*, series: EventSeries) -> QuerySet:
    """Published editions of a series, latest first."""
    return event_list().filter(series=series).order_by("-starts_on", "id")


def event_open_data_list() -> QuerySet:
    """Published events for the API and the open data: `event_list()` plus sources,
    ties served and the Culture City year."""
    return (
        event_list()
        .select_related("designation", "designation__city")
        .prefetch_related(
            _sources(),
            Prefetch(
                "links",
                queryset=FriendshipLink.objects.select_related("city_a", "city_b").order_by(
                    "established_on", "id"
                ),
            ),
        )
    )


def event_place_filter(queryset: QuerySet, slug: str) -> QuerySet:
    """Events the place (by slug) hosted or joined as a partner."""
    return queryset.filter(
        pk__in=_event_ids_of_places(host=Q(host__slug=slug), partner=Q(city__slug=slug))
    )


def event_text_search(queryset: QuerySet, query: str) -> QuerySet:
    """Events whose title (any language) contains `query`, or whose host answers to it."""
    condition = Q()
    for name in ExchangeEvent.title.field_names:
        condition |= Q(**{f"{name}__icontains": query})
    hosts = city_name_match(City.objects.all(), query).values("pk")
    return queryset.filter(condition | Q(host__in=hosts))


def series_list() -> QuerySet:
    """Series with their sources and the number of published editions, by name."""
    return (
        EventSeries.objects.prefetch_related(_sources())
        .annotate(event_count=Count("events", filter=Q(events__is_published=True)))
        .order_by("name_en", "id")
    )


def series_name_search(queryset: QuerySet, query: str) -> QuerySet:
    """Series whose name (any language) contains `query`."""
    condition = Q()
    for name in EventSeries.name.field_names:
        condition |= Q(**{f"{name}__icontains": query})
    return queryset.filter(condition)


# --- Partners and proposals: the partner pages and the review desk ---------------------------


def partner_for_user(*, user) -> Partner | None:
    """The partner a user serves, or None (staff, anonymous, users without a membership)."""
    if not user.is_authenticated:
        return None
    membership = getattr(user, "partner_membership", None)
    return membership.partner if membership else None


def proposal_list_for_partner(*, partner: Partner) -> QuerySet[EventProposal]:
    """The partner's proposals for the dashboard: newest change first, with the host place."""
    return EventProposal.objects.for_partner(partner).for_list().order_by("-updated_at", "-id")


def proposals_visible_to(*, user) -> QuerySet[EventProposal]:
    """Proposals a user may open: their own partner's; for reviewers/staff who may view
    proposals, every proposal that was sent to them — all but other partners' drafts, which
    are work in progress (as on the review desk); nothing for anyone else. What is not visible
    is a 404, in the API, the partner pages and the file view alike."""
    if not user.is_authenticated:
        return EventProposal.objects.none()
    partner = partner_for_user(user=user)
    if user.is_staff and user.has_perm("events.view_eventproposal"):
        sent = ~Q(state=ProposalState.DRAFT)
        return EventProposal.objects.filter(sent | Q(partner=partner) if partner else sent)
    if partner is None:
        return EventProposal.objects.none()
    return EventProposal.objects.for_partner(partner)


def _proposal_detail_queryset(queryset: QuerySet[EventProposal]) -> QuerySet[EventProposal]:
    return queryset.select_related("host", "partner", "event").prefetch_related(
        "partner_places",
        Prefetch("links", queryset=FriendshipLink.objects.select_related("city_a", "city_b")),
    )


def proposal_detail(*, user, pk: int) -> EventProposal:
    """One proposal with what its page shows; raises DoesNotExist when not visible."""
    return _proposal_detail_queryset(proposals_visible_to(user=user)).get(pk=pk)


def proposal_detail_for_partner(*, partner: Partner, pk: int) -> EventProposal:
    """One of the partner's proposals; raises DoesNotExist for anyone else's."""
    return _proposal_detail_queryset(EventProposal.objects.for_partner(partner)).get(pk=pk)


PROGRAMME_EXAMPLES = 6
# Decisions looked at for the typical review time, and how many make it worth stating.
REVIEW_TIME_SAMPLE = 50
REVIEW_TIME_MINIMUM = 3


def programme_examples(*, limit: int = PROGRAMME_EXAMPLES) -> list[ExchangeEvent]:
    """Examples for the partner programme page: published events accepted through the
    programme first (with the proposing partner), then published events that serve a tie
    (the kind of exchange the programme is for); newest first within each. Two queries."""
    serves_a_tie = ExchangeEvent.links.through.objects.filter(exchangeevent=OuterRef("pk"))
    return list(
        event_list()
        .select_related("proposal__partner")
        .annotate(
            accepted_here=Case(
                When(proposal__isnull=False, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .filter(Q(proposal__isnull=False) | Exists(serves_a_tie))
        .order_by("-accepted_here", "-starts_on", "id")[:limit]
    )


def proposal_review_days() -> dict[str, int] | None:
    """The typical time from submission to decision: the median whole days over the latest
    `REVIEW_TIME_SAMPLE` decided proposals, and how many that is; None below
    `REVIEW_TIME_MINIMUM` decisions. One query."""
    decided = list(
        EventProposal.objects.filter(
            state__in=(ProposalState.ACCEPTED, ProposalState.REJECTED),
            submitted_at__isnull=False,
            decided_at__isnull=False,
        )
        .order_by("-decided_at", "-id")
        .values_list("submitted_at", "decided_at")[:REVIEW_TIME_SAMPLE]
    )
    if len(decided) < REVIEW_TIME_MINIMUM:
        return None
    days = sorted(max((decided_at - submitted_at).days, 0) for submitted_at, decided_at in decided)
    return {"days": days[len(days) // 2], "count": len(days)}


def proposal_timeline(*, proposal: EventProposal, include_internal: bool) -> list:
    """The proposal's activities in order; internal notes only for reviewers."""
    activities = ProposalActivity.objects.filter(proposal=proposal).select_related("actor")
    if not include_internal:
        activities = activities.filter(is_internal=False)
    return list(activities.order_by("created_at", "id"))


def proposal_admin_queryset(queryset: QuerySet[EventProposal]) -> QuerySet[EventProposal]:
    """The review desk's changelist: the relations its columns show, loaded up front."""
    return queryset.select_related("partner", "host", "reviewer").prefetch_related(
        Prefetch("partner_places")
    )


# The states in which a proposal waits for someone, in the order the review desk meets them:
# for a reviewer to start, for the reviewer's decision, for the partner's changes.
PROPOSAL_WAITING_STATES = (
    ProposalState.SUBMITTED,
    ProposalState.UNDER_REVIEW,
    ProposalState.CHANGES_REQUESTED,
)
REVIEWER_GROUP = "Reviewer"


def proposal_waiting_counts() -> dict[str, int]:
    """How many proposals wait in each of `PROPOSAL_WAITING_STATES` (zeros included), in
    that order. One grouped COUNT query."""
    rows = (
        EventProposal.objects.filter(state__in=PROPOSAL_WAITING_STATES)
        .values("state")
        .annotate(total=Count("id"))
        .order_by()
    )
    found = {row["state"]: row["total"] for row in rows}
    return {state: found.get(state, 0) for state in PROPOSAL_WAITING_STATES}


def reviewers_to_notify() -> QuerySet:
    """The users told of new proposals: active staff in the Reviewer group with an e-mail
    address. When there is none, nobody hears of a submission (the dashboard warns)."""
    User = get_user_model()
    return (
        User.objects.filter(groups__name=REVIEWER_GROUP, is_active=True, is_staff=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


# The API's proposal actions, by the state each one moves a proposal to.
PROPOSAL_ACTIONS = {
    "submit": ProposalState.SUBMITTED,
    "withdraw": ProposalState.WITHDRAWN,
    "start-review": ProposalState.UNDER_REVIEW,
    "request-changes": ProposalState.CHANGES_REQUESTED,
    "accept": ProposalState.ACCEPTED,
    "reject": ProposalState.REJECTED,
}


def proposal_actions_for(*, proposal: EventProposal, user) -> list[str]:
    """The API actions `user` may take on `proposal` now (its state allows them and the user
    is the partner's, for submit/withdraw, or a reviewer, for the rest)."""
    # The services import these selectors: the rules are read at call time.
    from .services import (  # noqa: PLC0415
        PARTNER_TARGETS,
        REVIEWER_TARGETS,
        allowed_targets,
        user_is_reviewer,
        user_partner_id,
    )

    targets = allowed_targets(proposal.state)
    mine = user_partner_id(user) == proposal.partner_id
    reviewer = user_is_reviewer(user)
    return [
        action
        for action, state in PROPOSAL_ACTIONS.items()
        if state in targets
        and ((state in PARTNER_TARGETS and mine) or (state in REVIEWER_TARGETS and reviewer))
    ]


def proposal_api_queryset(*, user) -> QuerySet[EventProposal]:
    """Proposals the user may see through the API (`proposals_visible_to`), with what the
    API shows loaded: partner, host, event, partner places and ties."""
    return (
        proposals_visible_to(user=user)
        .select_related("partner", "host", "event")
        .prefetch_related(
            Prefetch("partner_places", queryset=City.objects.order_by("name_en")),
            Prefetch("links", queryset=FriendshipLink.objects.select_related("city_a", "city_b")),
        )
        .order_by("-updated_at", "-id")
    )


def events_matching(query: str) -> QuerySet:
    """Published events hosted by or partnered with a place the query finds, or whose
    title (in any language) contains the query; newest first, host, series and partner
    places loaded (what `includes/_event_item.html` shows).

    The three ways to match are one UNION of three indexed lookups (the host's index,
    the partner table's index, the titles' trigram indexes on PostgreSQL), not one OR
    across a join, which no index can answer."""
    query = (query or "").strip()
    if not search_key(query):
        return ExchangeEvent.objects.none()
    places = city_match_ids(query)
    partnered = ExchangeEvent.partners.through.objects.filter(city__in=places)
    matching = (
        ExchangeEvent.objects.filter(host__in=places)
        .order_by()
        .values("pk")
        .union(
            partnered.order_by().values("exchangeevent_id"),
            events_by_title(query).order_by().values("pk"),
        )
    )
    return event_search_rows().published().filter(pk__in=matching).order_by("-starts_on", "pk")


# On SQLite the titles' trigrams are indexed in this FTS5 table (`events/migrations/0017_…`),
# which answers a query of at least TITLE_TRIGRAM_MIN characters; PostgreSQL's pg_trgm indexes
# (0007) answer `icontains` itself.
TITLE_TRIGRAM_TABLE = "events_title_trigram"
TITLE_TRIGRAM_MIN = 3


def events_by_title(query: str) -> QuerySet:
    """Events whose title, in any language, contains the query (case-insensitive).

    On SQLite a query of three characters or more is looked up in the trigram index (a
    phrase: the query as it is, quotes doubled); a shorter one, which holds no trigram,
    reads the titles."""
    if connection.vendor == "sqlite" and len(query) >= TITLE_TRIGRAM_MIN:
        phrase = '"' + query.replace('"', '""') + '"'
        table = TITLE_TRIGRAM_TABLE
        indexed = RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [phrase])
        return ExchangeEvent.objects.filter(pk__in=indexed)
    by_title = Q()
    for field in translated_field_names("title"):
        by_title |= Q(**{f"{field}__icontains": query})
    return ExchangeEvent.objects.filter(by_title)


def event_search_rows() -> QuerySet:
    """Events as the search page shows them (`includes/_event_item.html`): host, series and
    partner places loaded."""
    return ExchangeEvent.objects.with_places().prefetch_related("partners")


def portal_totals() -> dict[str, int]:
    """How many places, ties, designations and published events the portal holds (one query)."""
    querysets = {
        "places": City.objects.all(),
        "ties": FriendshipLink.objects.all(),
        "designations": CultureCityDesignation.objects.all(),
        "events": ExchangeEvent.objects.published(),
    }
    first, *others = querysets
    totals = (
        querysets[first]
        .order_by()
        .aggregate(
            **{first: Count("pk")},
            **{
                name: Max(
                    Subquery(
                        querysets[name]
                        .order_by()
                        .values(group=Value(1))
                        .annotate(total=Count("pk"))
                        .values("total"),
                        output_field=IntegerField(),
                    )
                )
                for name in others
            },
        )
    )
    return {name: totals[name] or 0 for name in querysets}
