"""Schemathesis over the whole open API, against its own OpenAPI schema, in three roles.

Every operation of `/api/schema/` is run anonymously, and the proposal operations (the ones
that read credentials) with a partner's token and with a reviewer's token, through the real
WSGI application: schemathesis' examples, coverage (the boundaries of every parameter and
field, and methods the schema does not list) and fuzzing phases, valid and invalid requests,
with **every check** — no server error, only documented status codes, content types and
headers, bodies matching the schema, invalid input refused, valid input accepted,
authentication not ignored, `Allow` on 405 …

One exclusion, for the operations whose acceptance depends on state the schema cannot state
(`STATE_DEPENDENT`): `positive_data_acceptance` ("a schema-valid request is accepted"). A
proposal may be edited only as a draft or with changes requested, moved only along its
transitions (`events.services`), and saved only when its fields agree with each other (an
end on or after the start, a budget with its currency, places that exist); a token is given
only for a real user name and password. Those refusals are 400s with a readable body, covered
by tests/events/test_api_proposals.py and tests/exchangeportal/test_api.py. Every other check
runs on them too.

Bounded and deterministic: `MAX_EXAMPLES` generated cases per operation and mode, derandomised
Hypothesis (a fixed seed), no example database.
"""

import datetime
import itertools

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cities.dates import DatePrecision
from cities.models import Country, TieKind
from events.models import ProposalState
from exchangeportal.wsgi import application
from tests.factories import (
    CityFactory,
    CultureCityDesignationFactory,
    EventProposalFactory,
    EventSeriesFactory,
    ExchangeEventFactory,
    FriendshipLinkFactory,
    LinkMilestoneFactory,
    PartnerMembershipFactory,
    ReviewerFactory,
    SourceFactory,
)

MAX_EXAMPLES = 5

# Operations whose acceptance of a valid request depends on state (see the docstring).
STATE_DEPENDENT = {
    "POST /api/v1/token/",
    "POST /api/v1/proposals/",
    "PUT /api/v1/proposals/{id}/",
    "PATCH /api/v1/proposals/{id}/",
    *(
        f"POST /api/v1/proposals/{{id}}/{action}/"
        for action in ("submit", "withdraw", "start-review", "request-changes", "accept", "reject")
    ),
}

# The schema as the API serves it (no database needed to build it). dump.zip is checked in
# tests/exchangeportal/test_api.py: the WSGI test transport never closes the file it
# streams, which Python reports as a ResourceWarning (an error in this suite).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).exclude(
    path="/api/v1/dump.zip"
)
# With a token: the operations that read it (the read-only ones answer the same to anyone and
# run anonymously; the token endpoint reads no credentials but the body's).
authenticated = schema.include(path_regex="^/api/v1/proposals/")

run_settings = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def small_world() -> None:
    """A few records of every kind the read-only endpoints answer (places in three countries,
    ties with a partial date and a milestone, a designation, a series and its events, with
    sources): every field shape, and lists small enough that a CSV or GeoJSON answer is quick."""
    source = SourceFactory()
    yangzhou = CityFactory(slug="yangzhou", name_en="Yangzhou", country=Country.CHINA)
    karatsu = CityFactory(slug="karatsu", name_en="Karatsu", country=Country.JAPAN)
    yeosu = CityFactory(
        slug="yeosu", name_en="Yeosu", country=Country.KOREA, latitude=None, longitude=None
    )
    first = FriendshipLinkFactory(
        city_a=yangzhou,
        city_b=karatsu,
        established_on=datetime.date(1982, 2, 1),
        established_precision=DatePrecision.MONTH,
    )
    first.sources.add(source)
    LinkMilestoneFactory(link=first)
    FriendshipLinkFactory(city_a=karatsu, city_b=yeosu, kind=TieKind.SISTER)
    CultureCityDesignationFactory(city=yangzhou, year=2020)
    series = EventSeriesFactory(slug="cjk-go-tournament")
    event = ExchangeEventFactory(host=karatsu, series=series, edition=18)
    event.partners.add(yangzhou, yeosu)
    ExchangeEventFactory(host=yeosu, starts_on=datetime.date(2031, 5, 1))


@pytest.fixture
def api_world(db, settings):
    """The small world; a partner with a proposal in each state open to it, and a reviewer.

    No throttling (the run sends thousands of requests from one client), and the test's
    database connection kept open across the application's requests, as Django's test client
    does (the request signals would close it, inside the test's transaction).
    """
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    small_world()
    membership = PartnerMembershipFactory()
    proposals = [
        EventProposalFactory(partner=membership.partner, state=state)
        for state in (
            ProposalState.DRAFT,
            ProposalState.SUBMITTED,
            ProposalState.UNDER_REVIEW,
            ProposalState.CHANGES_REQUESTED,
        )
    ]
    yield {
        "partner": Token.objects.create(user=membership.user).key,
        "reviewer": Token.objects.create(user=ReviewerFactory()).key,
        "proposal_ids": itertools.cycle([proposal.pk for proposal in proposals]),
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call_and_check(case, world, token: str | None) -> None:
    """Send the case (on a valid proposal address, one of the world's proposals, so that the
    actions reach their services) and run every check, less the state-dependent one."""
    if "id" in (case.path_parameters or {}) and case.meta.generation.mode.is_positive:
        case.path_parameters["id"] = next(world["proposal_ids"])
    excluded = [positive_data_acceptance] if case.operation.label in STATE_DEPENDENT else []
    # Uncompressed answers: the WSGI transport hands over the body as sent, and the client
    # asks for Brotli once the brotli package is installed (compression has its own tests).
    headers = {"Accept-Encoding": "identity"}
    if token:
        headers["Authorization"] = f"Token {token}"
    case.call_and_validate(headers=headers, excluded_checks=excluded)


@schema.parametrize()
@run_settings
def test_api_conforms_to_its_schema_anonymously(case, api_world):
    call_and_check(case, api_world, None)


@authenticated.parametrize()
@run_settings
def test_api_conforms_to_its_schema_with_a_partner_token(case, api_world):
    call_and_check(case, api_world, api_world["partner"])


@authenticated.parametrize()
@run_settings
def test_api_conforms_to_its_schema_with_a_reviewer_token(case, api_world):
    call_and_check(case, api_world, api_world["reviewer"])


def test_the_run_covers_every_operation_but_the_dump():
    operations = {result.ok().label for result in schema.get_all_operations()}

    assert len(operations) == 24
    assert "GET /api/v1/dump.zip" not in operations
    assert operations >= STATE_DEPENDENT
