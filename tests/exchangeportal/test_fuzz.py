"""Fuzzing with Hypothesis: every public form and every query parameter of the public pages,
fed arbitrary text (control characters, NUL, huge numbers, every script), never answers 500.

The Django test client re-raises a view's exception, so a crash fails the test with its
traceback. Bounded: few examples per test, no deadline (the suite's time budget is ~60 s).
"""

from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import PROPOSAL_PARTNER_FIELDS, EventProposal
from tests.factories import EventProposalFactory, PartnerMembershipFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any text a browser could send (UTF-8 encodable: no lone surrogates), NUL and controls included.
any_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]),
    max_size=60,
)
edge_text = st.sampled_from(
    [
        "",
        "\x00",
        "a\x00b",
        "-1",
        "0",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "2010-13-45",
        "%",
        "_",
        "'; DROP TABLE cities_city; --",
        "<script>alert(1)</script>",
        "揚州",
        "경주",
        " " * 300,
        "x" * 5000,
        "../../etc/passwd",
        "true",
        "CN",
        "yangzhou",
    ]
)
value = st.one_of(edge_text, any_text)


def query(names: list[str]):
    """A query string dict: some of the page's own parameters (and an unknown one), each with
    one value or several (repeated parameters)."""
    return st.dictionaries(
        st.sampled_from([*names, "page", "unknown"]),
        st.one_of(value, st.lists(value, min_size=2, max_size=3)),
        max_size=len(names) + 2,
    )


PUBLIC_PAGES = {
    "/en/": ["q"],
    "/en/cities/": ["q", "country", "admin_level", "designated", "tied_with", "ordering"],
    "/ja/cities/yangzhou/": ["events_page"],
    "/en/ties/nara--yangzhou/": ["page"],
    "/en/culture-cities/": ["page"],
    "/en/culture-cities/2016/": ["page"],
    "/en/events/": ["category", "format", "country", "host", "year", "when", "series"],
    "/en/events/feed.ics": ["category", "country", "host"],
    "/en/network/": ["kind", "pair", "since", "year", "status", "city", "quiet"],
    "/en/network/triads/": ["kind", "pair", "status", "country", "quiet"],
    "/en/network/anniversaries/": ["year", "kind", "country"],
    "/en/network/anniversaries.ics": ["year"],
    "/en/statistics/": ["quiet"],
    "/en/good-practices/": ["category", "format"],
    "/api/v1/cities.geojson": ["city", "kind", "pair", "since", "status", "page_size"],
    "/api/v1/ties.geojson": ["city", "kind", "pair", "since", "year", "status", "page_size"],
    "/en/partners/login/": ["next"],
    "/en/partners/register/": ["next"],
}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_query_parameters_never_crash(demo_data_readonly, client, path):
    @settings(parent=FUZZ, max_examples=12)
    @given(params=query(PUBLIC_PAGES[path]))
    def run(params):
        response = client.get(path, params)
        assert response.status_code < 500, (path, params, response.status_code)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert b"<script>alert(1)</script>" not in response.content

    run()


# --- Public forms (POST) -----------------------------------------------------------------------

REGISTRATION_FIELDS = [
    "username",
    "email",
    "password1",
    "password2",
    "name_en",
    "name_zh_hans",
    "name_ja",
    "name_ko",
    "kind",
    "country",
    "place",
    "website",
    "homepage",
]


def honest_answers(data: dict) -> tuple[int, ...]:
    """The form again (200), a redirect after success (302), or 400 when the hidden honeypot
    field was filled in (bots get a bare refusal)."""
    return (200, 302, 400) if data.get("homepage") else (200, 302)


def form_data(names: list[str]):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, value))


@FUZZ
@given(data=form_data(REGISTRATION_FIELDS))
def test_partner_registration_form_never_crashes(client, settings, data):
    settings.RATELIMIT_ENABLED = False  # the limit would answer 429 before the form is read
    response = client.post(reverse("partners:register"), data)
    # A refused sign-up answers 400 with the form again; an accepted one redirects.
    assert response.status_code in (302, 400), (data, response.status_code)


@FUZZ
@given(data=form_data(["username", "password", "next"]))
def test_partner_login_form_never_crashes(client, data):
    response = client.post("/en/partners/login/", data)
    # 429: django-axes locked the user name after repeated failures (a designed answer).
    assert response.status_code in (200, 302, 429), (data, response.status_code)


@FUZZ
@given(data=form_data(["email"]))
def test_password_reset_form_never_crashes(client, data):
    response = client.post("/en/partners/password/reset/", data)
    assert response.status_code in (200, 302, 429), (data, response.status_code)


PROPOSAL_FIELDS = [
    *PROPOSAL_PARTNER_FIELDS,
    "remove_image_1",
    "remove_document",
    "homepage",
]


@pytest.fixture
def partner_client(client, settings):
    settings.RATELIMIT_ENABLED = False
    settings.PROPOSAL_OPEN_LIMIT = 10_000
    member = PartnerMembershipFactory().user
    client.force_login(member)
    return client, member


@FUZZ
@given(
    data=form_data(PROPOSAL_FIELDS),
    button=st.sampled_from([{"draft": "1"}, {"submit": "1"}, {}]),
)
def test_proposal_form_never_crashes(partner_client, data, button):
    client, _member = partner_client
    response = client.post(reverse("partners:proposal_create"), {**data, **button})
    assert response.status_code in honest_answers(data), (data, response.status_code)


@FUZZ
@given(data=form_data(PROPOSAL_FIELDS))
def test_proposal_edit_form_never_crashes_and_keeps_a_valid_proposal(partner_client, data):
    client, member = partner_client
    proposal = EventProposalFactory(partner=member.partner_membership.partner)
    response = client.post(
        reverse("partners:proposal_edit", args=[proposal.pk]), {**data, "submit": "1"}
    )
    assert response.status_code in honest_answers(data), (data, response.status_code)
    assert EventProposal.objects.filter(pk=proposal.pk).exists()


@FUZZ
@given(field=value, size=value)
def test_proposal_file_view_never_crashes(partner_client, field, size):
    client, member = partner_client
    proposal = EventProposalFactory(partner=member.partner_membership.partner)
    # Quoted: a "#" or "?" in the field must stay in the path, not end it.
    url = f"/en/partner/proposals/{proposal.pk}/files/{quote(field.replace('/', ''), safe='')}/"
    response = client.get(url, {"size": size}) if field.strip("/") else None
    if response is not None:
        assert response.status_code in (200, 404), (url, response.status_code)


@FUZZ
@given(path=any_text)
def test_unknown_paths_answer_404_not_500(client, path):
    response = client.get("/en/cities/" + path.replace("?", "").replace("#", ""))
    assert response.status_code in (200, 301, 302, 404), (path, response.status_code)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("host", "No place on the portal is called “99999999999999999999999”."),
        ("partner_places", "No place on the portal is called “99999999999999999999999”."),
        ("links", "Select a valid choice."),
    ],
)
def test_proposal_form_huge_primary_key_is_refused_with_a_message(partner_client, field, message):
    client, _member = partner_client
    response = client.post(
        reverse("partners:proposal_create"), {field: "99999999999999999999999", "draft": "1"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field][0].startswith(message)
