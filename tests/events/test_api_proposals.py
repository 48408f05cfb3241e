import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from cities.models import Country
from events.models import EventProposal, ExchangeEvent, ProposalState
from tests import imagefiles, pdffiles
from tests.factories import (
    CityFactory,
    EventProposalFactory,
    FriendshipLinkFactory,
    PartnerMembershipFactory,
    ReviewerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = ProposalState


@pytest.fixture
def partner_a():
    return PartnerMembershipFactory().user


@pytest.fixture
def partner_b():
    return PartnerMembershipFactory().user


@pytest.fixture
def reviewer():
    return ReviewerFactory()


def _proposal_of(user, **kwargs):
    return EventProposalFactory(partner=user.partner_membership.partner, **kwargs)


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- who may do what ----------------------------------------------------------------------------

ROLES = ["anonymous", "partner_a", "partner_b", "reviewer"]

# (action, state the proposal is in, body) → expected status per role; the proposal is A's.
ROUTES = [
    (
        # A draft is the partner's work in progress: reviewers see it once it is submitted.
        "get",
        "",
        S.DRAFT,
        None,
        {"anonymous": 401, "partner_a": 200, "partner_b": 404, "reviewer": 404},
    ),
    (
        "get",
        "",
        S.SUBMITTED,
        None,
        {"anonymous": 401, "partner_a": 200, "partner_b": 404, "reviewer": 200},
    ),
    (
        "patch",
        "",
        S.DRAFT,
        {"title_en": "New"},
        {"anonymous": 401, "partner_a": 200, "partner_b": 404, "reviewer": 403},
    ),
    (
        "put",
        "",
        S.DRAFT,
        {"title_en": "New"},
        {"anonymous": 401, "partner_a": 200, "partner_b": 404, "reviewer": 403},
    ),
    (
        "post",
        "submit/",
        S.DRAFT,
        {},
        {"anonymous": 401, "partner_a": 200, "partner_b": 404, "reviewer": 404},
    ),
    (
        "post",
        "withdraw/",
        S.SUBMITTED,
        {},
        {"anonymous": 401, "partner_a": 200, "partner_b": 404, "reviewer": 403},
    ),
    (
        "post",
        "start-review/",
        S.SUBMITTED,
        {},
        {"anonymous": 401, "partner_a": 403, "partner_b": 404, "reviewer": 200},
    ),
    (
        "post",
        "request-changes/",
        S.UNDER_REVIEW,
        {"message": "Add the venue."},
        {"anonymous": 401, "partner_a": 403, "partner_b": 404, "reviewer": 200},
    ),
    (
        "post",
        "accept/",
        S.UNDER_REVIEW,
        {},
        {"anonymous": 401, "partner_a": 403, "partner_b": 404, "reviewer": 200},
    ),
    (
        "post",
        "reject/",
        S.UNDER_REVIEW,
        {"message": "Out of scope."},
        {"anonymous": 401, "partner_a": 403, "partner_b": 404, "reviewer": 200},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "suffix", "state", "body", "expected"), ROUTES)
def test_proposal_detail_routes_by_role(
    client, request, partner_a, role, method, suffix, state, body, expected
):
    proposal = _proposal_of(partner_a, state=state)
    user = None if role == "anonymous" else request.getfixturevalue(role)

    response = getattr(_as(client, user), method)(
        f"/api/v1/proposals/{proposal.pk}/{suffix}", body, content_type="application/json"
    )

    assert response.status_code == expected[role]
    assert response["Content-Type"] == "application/json"
    if expected[role] == 401:
        assert response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": "Authentication credentials were not provided."}
    if expected[role] == 404:
        assert response.json() == {"detail": "No EventProposal matches the given query."}
    if expected[role] == 403:
        assert set(response.json()) == {"detail"}
        assert EventProposal.objects.get(pk=proposal.pk).state == state
    if expected[role] == 200:
        assert response.json()["id"] == proposal.pk


@pytest.mark.parametrize(
    ("role", "status", "visible"),
    [
        ("anonymous", 401, None),
        ("partner_a", 200, "a"),
        ("partner_b", 200, "b"),
        ("reviewer", 200, "ab"),
    ],
)
def test_proposal_list_by_role(client, request, partner_a, partner_b, role, status, visible):
    mine = _proposal_of(partner_a, title_en="A's", state=S.SUBMITTED)
    theirs = _proposal_of(partner_b, title_en="B's", state=S.CHANGES_REQUESTED)
    user = None if role == "anonymous" else request.getfixturevalue(role)

    response = _as(client, user).get("/api/v1/proposals/")

    assert response.status_code == status
    if visible is not None:
        ids = {item["id"] for item in response.json()["results"]}
        assert ids == {p.pk for key, p in (("a", mine), ("b", theirs)) if key in visible}


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("partner_a", 201), ("partner_b", 201), ("reviewer", 403)],
)
def test_proposal_create_by_role(client, request, role, status):
    host = CityFactory(slug="nara", country=Country.JAPAN)
    CityFactory(slug="gyeongju", country=Country.KOREA)
    user = None if role == "anonymous" else request.getfixturevalue(role)

    response = _as(client, user).post(
        "/api/v1/proposals/",
        {"title_en": "Deer and temples", "host": "nara", "partner_places": ["gyeongju"]},
        content_type="application/json",
    )

    assert response.status_code == status
    if status == 201:
        data = response.json()
        assert (data["state"], data["title_en"], data["host"]) == (
            "draft",
            "Deer and temples",
            "nara",
        )
        assert data["partner_places"] == ["gyeongju"]
        assert data["actions"] == ["submit", "withdraw"]
        proposal = EventProposal.objects.get(pk=data["id"])
        assert proposal.partner == user.partner_membership.partner
        assert proposal.host == host
    if status == 403:
        assert response.json() == {
            "detail": "Only a partner organisation's users can propose events."
        }
        assert EventProposal.objects.count() == 0


# --- what the actions do ------------------------------------------------------------------------


def test_proposal_submit_calls_the_service(client, partner_a):
    proposal = _proposal_of(partner_a)

    response = _as(client, partner_a).post(f"/api/v1/proposals/{proposal.pk}/submit/")

    proposal.refresh_from_db()
    assert response.json()["state"] == "submitted"
    assert response.json()["actions"] == ["withdraw"]
    assert proposal.state == S.SUBMITTED
    assert proposal.submitted_at is not None
    assert proposal.activities.filter(to_state=S.SUBMITTED).count() == 1


def test_proposal_submit_incomplete_lists_what_is_missing(client, partner_a):
    proposal = _proposal_of(partner_a, venue="", starts_on=None, ends_on=None)

    response = _as(client, partner_a).post(f"/api/v1/proposals/{proposal.pk}/submit/")

    assert response.status_code == 400
    assert response.json() == {
        "starts_on": ["This field is required to submit."],
        "ends_on": ["This field is required to submit."],
        "venue": ["Give the venue of an in-person or hybrid event."],
    }
    assert EventProposal.objects.get(pk=proposal.pk).state == S.DRAFT


def test_proposal_refused_transition_is_400_with_a_readable_message(client, reviewer, partner_a):
    proposal = _proposal_of(partner_a, state=S.SUBMITTED)

    response = _as(client, reviewer).post(f"/api/v1/proposals/{proposal.pk}/accept/")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A proposal can be accepted only while it is under review. "
        "It was submitted and waits for a reviewer."
    }


def test_proposal_withdrawn_cannot_be_submitted_again(client, partner_a):
    proposal = _proposal_of(partner_a, state=S.WITHDRAWN)

    response = _as(client, partner_a).post(f"/api/v1/proposals/{proposal.pk}/submit/")

    assert response.status_code == 400
    assert response.json() == {"detail": "This proposal cannot be submitted now. It was withdrawn."}


def test_proposal_request_changes_needs_a_message(client, reviewer, partner_a):
    proposal = _proposal_of(partner_a, state=S.UNDER_REVIEW)

    response = _as(client, reviewer).post(
        f"/api/v1/proposals/{proposal.pk}/request-changes/", {"message": " "}
    )

    assert response.status_code == 400
    assert response.json() == {
        "message": ["Write a message to the partner explaining the decision."]
    }


def test_proposal_accept_publishes_the_event_and_mails_the_partner(
    client, reviewer, partner_a, django_capture_on_commit_callbacks
):
    proposal = _proposal_of(partner_a, state=S.UNDER_REVIEW, title_en="Go for youth")

    with django_capture_on_commit_callbacks(execute=True):
        response = _as(client, reviewer).post(f"/api/v1/proposals/{proposal.pk}/accept/")

    event = ExchangeEvent.objects.get(proposal=proposal)
    assert response.json()["state"] == "accepted"
    assert response.json()["event"] == {
        "slug": event.slug,
        "url": f"http://testserver/api/v1/events/{event.slug}/",
    }
    assert event.title_en == "Go for youth"
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [partner_a.email, proposal.contact_email]
    )


def test_proposal_update_refused_once_submitted(client, partner_a):
    proposal = _proposal_of(partner_a, state=S.SUBMITTED, title_en="Before")

    response = _as(client, partner_a).patch(
        f"/api/v1/proposals/{proposal.pk}/", {"title_en": "After"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A proposal can only be edited as a draft or when changes are requested."
    }
    assert EventProposal.objects.get(pk=proposal.pk).title == "Before"


def test_proposal_update_field_errors(client, partner_a):
    proposal = _proposal_of(partner_a)
    today = timezone.localdate()

    response = _as(client, partner_a).patch(
        f"/api/v1/proposals/{proposal.pk}/",
        {
            "starts_on": str(today),
            "ends_on": str(today - datetime.timedelta(days=1)),
            "host": "atlantis",
            "links": ["nowhere"],
            "budget_amount": "10",
            "budget_currency": "",
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "host": ["Object with slug=atlantis does not exist."],
        "links": {"0": ["Give a tie as “<slug-a>--<slug-b>”."]},
    }


def test_proposal_update_rule_messages_in_the_requested_language(client, partner_a):
    proposal = _proposal_of(partner_a)
    with translation.override("ja"):
        expected = translation.gettext("Give the currency of the budget.")

    response = _as(client, partner_a).patch(
        f"/api/v1/proposals/{proposal.pk}/",
        {"budget_amount": "10", "budget_currency": ""},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ja",
    )

    assert expected != "Give the currency of the budget."
    assert (response.status_code, response.json()) == (400, {"budget_currency": [expected]})


def test_proposal_update_sets_ties_by_pair(client, partner_a):
    proposal = _proposal_of(partner_a)
    tie = FriendshipLinkFactory(
        city_a=CityFactory(slug="yangzhou"), city_b=CityFactory(slug="karatsu")
    )

    response = _as(client, partner_a).patch(
        f"/api/v1/proposals/{proposal.pk}/",
        {"links": ["yangzhou--karatsu"], "budget_amount": "10", "budget_currency": "JPY"},
        content_type="application/json",
    )

    assert response.json()["links"] == ["karatsu--yangzhou"]
    assert response.json()["budget_currency"] == "JPY"
    assert list(EventProposal.objects.get(pk=proposal.pk).links.all()) == [tie]


def test_proposal_api_accepts_a_token(client):
    membership = PartnerMembershipFactory()
    token = Token.objects.create(user=membership.user)
    _proposal_of(membership.user)

    response = client.get("/api/v1/proposals/", headers={"Authorization": f"Token {token.key}"})

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_token_endpoint_gives_the_token_for_good_credentials(client):
    user = UserFactory(username="kanazawa-office")

    good = client.post(
        "/api/v1/token/",
        {"username": "kanazawa-office", "password": "correct horse battery staple"},
    )
    bad = client.post("/api/v1/token/", {"username": "kanazawa-office", "password": "nope"})

    assert good.json() == {"token": Token.objects.get(user=user).key}
    assert bad.status_code == 400
    assert bad.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}


# --- query counts -------------------------------------------------------------------------------


def test_proposal_list_query_count_is_fixed(client, partner_a, django_assert_num_queries):
    _proposal_of(partner_a).links.add(FriendshipLinkFactory())
    _as(client, partner_a).get("/api/v1/proposals/")  # session and user rows warmed up
    # session, user, membership, partner, count, page, partner places, ties
    with django_assert_num_queries(8):
        client.get("/api/v1/proposals/")
    for proposal in [_proposal_of(partner_a) for _ in range(3)]:
        proposal.links.add(FriendshipLinkFactory())
    with django_assert_num_queries(8):
        response = client.get("/api/v1/proposals/")
    assert response.json()["count"] == 4


def test_proposal_detail_query_count_is_fixed(client, partner_a, django_assert_num_queries):
    small = _proposal_of(partner_a)
    small.links.add(FriendshipLinkFactory())
    big = _proposal_of(partner_a, partner_places=CityFactory.create_batch(3))
    big.links.add(*FriendshipLinkFactory.create_batch(3))
    _as(client, partner_a)
    # session, user, membership, partner, proposal, partner places, ties
    with django_assert_num_queries(7):
        client.get(f"/api/v1/proposals/{small.pk}/")
    with django_assert_num_queries(7):
        response = client.get(f"/api/v1/proposals/{big.pk}/")
    assert len(response.json()["links"]) == 3


# --- images and the PDF through the API ---------------------------------------------------------


def _patch_multipart(client, proposal, data):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return client.patch(
        f"/api/v1/proposals/{proposal.pk}/",
        encode_multipart(BOUNDARY, data),
        content_type=MULTIPART_CONTENT,
    )


def test_proposal_images_and_pdf_are_uploaded_as_multipart(client, partner_a):
    from PIL import Image

    from events.storage import private_storage
    from tests import imagefiles

    proposal = _proposal_of(partner_a)

    response = _patch_multipart(
        _as(client, partner_a),
        proposal,
        {
            "image_2": imagefiles.upload("canal.jpg", imagefiles.jpeg_with_gps(), "image/jpeg"),
            "document": imagefiles.upload("Programme.pdf", imagefiles.PDF, "application/pdf"),
            "title_en": "With files",
        },
    )

    stored = EventProposal.objects.get(pk=proposal.pk)
    assert response.status_code == 200
    assert response.json()["files"] == {
        "image_1": False,
        "image_2": True,
        "image_3": False,
        "document": "Programme.pdf",
    }
    assert "image_2" not in response.json()
    assert stored.title == "With files"
    with private_storage().open(stored.image_2.name) as handle:
        assert Image.open(handle).getexif() == {}  # location and camera data removed
    with private_storage().open(stored.document.name) as handle:
        assert handle.read() == imagefiles.PDF


def test_proposal_upload_that_is_not_an_image_is_400_and_changes_nothing(client, partner_a):
    from tests import imagefiles

    proposal = _proposal_of(partner_a, title_en="Before")

    response = _patch_multipart(
        _as(client, partner_a),
        proposal,
        {
            "title_en": "After",
            "image_1": imagefiles.upload("page.jpg", imagefiles.HTML, "image/jpeg"),
            "document": imagefiles.upload("notes.pdf", b"not a pdf at all", "application/pdf"),
        },
    )

    body = response.json()
    assert response.status_code == 400
    assert body == {
        "image_1": ["SVG, HTML and other text files are not accepted. Upload a JPEG, PNG or WebP."],
        "document": ["This file is not a PDF (its content does not start like one)."],
    }
    assert EventProposal.objects.get(pk=proposal.pk).title == "Before"


def test_proposal_image_null_removes_it(client, partner_a):
    from tests import imagefiles

    proposal = _proposal_of(partner_a)
    uploaded = _patch_multipart(
        _as(client, partner_a),
        proposal,
        {
            "image_1": imagefiles.jpeg_upload(),
            "document": imagefiles.upload("p.pdf", imagefiles.PDF, "application/pdf"),
        },
    )

    response = client.patch(
        f"/api/v1/proposals/{proposal.pk}/",
        {"image_1": None, "document": None},
        content_type="application/json",
    )

    stored = EventProposal.objects.get(pk=proposal.pk)
    assert uploaded.json()["files"]["image_1"] is True
    assert response.status_code == 200
    assert response.json()["files"]["image_1"] is False
    assert response.json()["files"]["document"] is None
    assert not stored.image_1
    assert not stored.document


def test_proposal_submit_through_the_api_counts_against_the_partner_limit(
    client, partner_a, settings
):
    settings.PROPOSAL_SUBMIT_RATE_PARTNER = "2/3600"
    proposals = [_proposal_of(partner_a) for _ in range(3)]
    _as(client, partner_a)

    statuses = [
        client.post(f"/api/v1/proposals/{proposal.pk}/submit/").status_code
        for proposal in proposals
    ]
    last = client.post(f"/api/v1/proposals/{proposals[2].pk}/submit/")

    assert statuses == [200, 200, 429]
    assert last.json()["detail"].startswith(
        "Too many submissions in a short time. Your draft is saved: submit it later."
    )
    assert 0 < int(last["Retry-After"]) <= 3600
    assert sorted(EventProposal.objects.values_list("state", flat=True)) == [
        "draft",
        "submitted",
        "submitted",
    ]


def test_proposal_submit_web_and_api_share_one_partner_limit(client, partner_a, settings):
    settings.PROPOSAL_SUBMIT_RATE_PARTNER = "1/3600"
    first, second = _proposal_of(partner_a), _proposal_of(partner_a)
    _as(client, partner_a)
    client.post(f"/en/partner/proposals/{first.pk}/submit/")

    response = client.post(f"/api/v1/proposals/{second.pk}/submit/")

    assert response.status_code == 429
    assert [p.state for p in EventProposal.objects.order_by("pk")] == ["submitted", "draft"]


def test_proposal_pdf_with_javascript_refused_through_the_api(client, partner_a):
    proposal = _proposal_of(partner_a, title_en="Before")

    response = _patch_multipart(
        _as(client, partner_a),
        proposal,
        {
            "title_en": "After",
            "document": imagefiles.upload(
                "programme.pdf", pdffiles.open_action_javascript(), "application/pdf"
            ),
        },
    )

    stored = EventProposal.objects.get(pk=proposal.pk)
    assert (response.status_code, response.json()) == (
        400,
        {
            "document": [
                "This PDF contains scripts, automatic actions or attached files, which are not "
                "accepted. Save it again as a plain PDF (for example with “Print to PDF”)."
            ]
        },
    )
    assert (stored.title, stored.document.name) == ("Before", "")


def test_reviewers_do_not_see_partners_drafts_in_the_api(client, reviewer, partner_a):
    draft = _proposal_of(partner_a, title_en="Still a draft")
    sent = _proposal_of(partner_a, title_en="Sent", state=S.SUBMITTED)
    withdrawn = _proposal_of(partner_a, title_en="Withdrawn", state=S.WITHDRAWN)
    _as(client, reviewer)

    listed = client.get("/api/v1/proposals/")
    detail = client.get(f"/api/v1/proposals/{draft.pk}/")
    start = client.post(f"/api/v1/proposals/{draft.pk}/start-review/")

    assert sorted(item["title_en"] for item in listed.json()["results"]) == ["Sent", "Withdrawn"]
    assert {sent.pk, withdrawn.pk} == {item["id"] for item in listed.json()["results"]}
    assert (detail.status_code, start.status_code) == (404, 404)
    assert client.get(f"/en/partner/proposals/{draft.pk}/files/document/").status_code == 404


def test_proposal_json_fields_take_their_json_types(client, partner_a):
    proposal = EventProposalFactory(partner=partner_a.partner_membership.partner)
    client.force_login(partner_a)

    response = client.patch(
        f"/api/v1/proposals/{proposal.pk}/",
        {"title_en": 3, "participants": "5", "privacy_consent": "true", "budget_amount": 12},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "title_en": ["Give a text (a JSON string)."],
        "participants": ["Give a whole number (a JSON number, not text)."],
        "privacy_consent": ["Give true or false."],
        "budget_amount": ["Give a text (a JSON string)."],
    }


def test_proposal_action_message_must_be_text(client, partner_a):
    proposal = EventProposalFactory(partner=partner_a.partner_membership.partner)
    client.force_login(partner_a)

    response = client.post(
        f"/api/v1/proposals/{proposal.pk}/withdraw/",
        {"message": 0},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"message": ["Give a text (a JSON string)."]}


def test_malformed_multipart_body_is_refused_and_saves_nothing(client, partner_a):
    client.force_login(partner_a)
    body = b"--XX\r\n[1, 2]--XX--\r\n"

    response = client.generic(
        "POST", "/api/v1/proposals/", body, content_type="multipart/form-data; boundary=XX"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed multipart body")
    assert EventProposal.objects.count() == 0


def test_proposal_bounds_are_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    fields = schema["components"]["schemas"]["ProposalRequest"]["properties"]

    assert fields["participants"]["minimum"] == 1
    assert fields["budget_amount"]["pattern"] == "^(?:[0-9]{1,14}(?:\\.[0-9]{0,2})?|\\.[0-9]{1,2})$"


def test_proposal_budget_refuses_what_the_pattern_refuses(client, partner_a):
    proposal = EventProposalFactory(partner=partner_a.partner_membership.partner)
    client.force_login(partner_a)

    answers = [
        client.patch(
            f"/api/v1/proposals/{proposal.pk}/",
            {"budget_amount": value, "budget_currency": "JPY"},
            content_type="application/json",
        ).status_code
        for value in ("-5", "1e3", "1500.00")
    ]

    assert answers == [400, 400, 200]
