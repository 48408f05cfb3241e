import datetime
import io
import re
from datetime import UTC

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from PIL import Image

from events.models import ExchangeEvent, ProposalActivity, ProposalState
from exchangeportal.infra.images import thumbnail_name
from exchangeportal.infra.optimistic import LOADED_VERSION_FIELD, version_stamp
from tests import imagefiles
from tests.factories import (
    CityFactory,
    EventProposalFactory,
    ExchangeEventFactory,
    PartnerMembershipFactory,
    UserFactory,
)

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def change_url(proposal):
    return reverse("admin:events_eventproposal_change", args=[proposal.pk])


def transition_url(proposal):
    return reverse("admin:events_eventproposal_transition", kwargs={"object_id": proposal.pk})


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_reviewer_group_permissions():
    codenames = sorted(
        Group.objects.get(name="Reviewer").permissions.values_list("codename", flat=True)
    )

    assert codenames == [
        "review_eventproposal",
        "view_city",
        "view_eventproposal",
        "view_exchangeevent",
        "view_friendshiplink",
        "view_historyentry",
        "view_partner",
        "view_partnermembership",
        "view_proposalactivity",
        "view_suggestion",
        "view_suggestionactivity",
    ]


def test_change_page_read_only_with_timeline_and_allowed_buttons(reviewer_client, reviewer):
    proposal = EventProposalFactory(state=S.SUBMITTED, title_en="Go by the canal")
    ProposalActivity.objects.create(
        proposal=proposal, actor=reviewer, from_state=S.DRAFT, to_state=S.SUBMITTED
    )

    response = reviewer_client.get(change_url(proposal))

    content = response.content.decode()
    assert response.status_code == 200
    assert [state for state, _label in response.context["transitions"]] == [S.UNDER_REVIEW]
    assert 'name="target" value="under_review"' in content
    assert 'value="accepted"' not in content
    assert 'name="title"' not in content  # read-only: no input for the proposal's fields
    assert "Go by the canal" in content


def test_change_page_for_under_review_offers_decisions(reviewer_client):
    proposal = EventProposalFactory(state=S.UNDER_REVIEW)

    response = reviewer_client.get(change_url(proposal))

    assert [state for state, _label in response.context["transitions"]] == [
        S.CHANGES_REQUESTED,
        S.ACCEPTED,
        S.REJECTED,
    ]


def test_admin_post_is_not_a_way_to_set_state(reviewer_client):
    proposal = EventProposalFactory(state=S.SUBMITTED)

    response = reviewer_client.post(change_url(proposal), {"state": S.ACCEPTED})

    proposal.refresh_from_db()
    assert response.status_code == 403
    assert proposal.state == S.SUBMITTED


def test_transition_button_start_review_goes_through_service(reviewer_client, reviewer):
    proposal = EventProposalFactory(state=S.SUBMITTED)

    response = reviewer_client.post(
        transition_url(proposal), {"target": S.UNDER_REVIEW, "message": ""}, follow=True
    )

    proposal.refresh_from_db()
    assert (proposal.state, proposal.reviewer) == (S.UNDER_REVIEW, reviewer)
    assert messages_of(response) == ["The review started: you are now this proposal's reviewer."]
    assert list(ProposalActivity.objects.values_list("actor", "to_state")) == [
        (reviewer.pk, S.UNDER_REVIEW)
    ]


def test_transition_button_accept_creates_event_and_mails(
    reviewer_client, django_capture_on_commit_callbacks
):
    member = PartnerMembershipFactory(user__email="partner@example.org").user
    proposal = EventProposalFactory(
        partner=member.partner_membership.partner,
        state=S.UNDER_REVIEW,
        contact_email="partner@example.org",
    )

    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(
            transition_url(proposal), {"target": S.ACCEPTED, "message": "Welcome!"}
        )

    proposal.refresh_from_db()
    assert proposal.state == S.ACCEPTED
    assert ExchangeEvent.objects.get() == proposal.event
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["partner@example.org"], f"Proposal accepted: {proposal.title}")
    ]
    assert "Welcome!" in mail.outbox[0].body


def test_transition_button_reject_without_message_refused(reviewer_client):
    proposal = EventProposalFactory(state=S.UNDER_REVIEW)

    response = reviewer_client.post(
        transition_url(proposal), {"target": S.REJECTED, "message": ""}, follow=True
    )

    proposal.refresh_from_db()
    assert proposal.state == S.UNDER_REVIEW
    assert messages_of(response) == ["Write a message to the partner explaining the decision."]


def test_transition_button_not_allowed_reported(reviewer_client):
    proposal = EventProposalFactory(state=S.SUBMITTED)

    response = reviewer_client.post(
        transition_url(proposal), {"target": S.ACCEPTED, "message": ""}, follow=True
    )

    proposal.refresh_from_db()
    assert proposal.state == S.SUBMITTED
    assert messages_of(response) == [
        "A proposal can be accepted only while it is under review. "
        "It was submitted and waits for a reviewer."
    ]


def test_transition_button_internal_note(reviewer_client):
    proposal = EventProposalFactory(state=S.SUBMITTED)

    reviewer_client.post(transition_url(proposal), {"target": "note", "message": "Ask CLAIR."})

    assert list(ProposalActivity.objects.values_list("message", "is_internal")) == [
        ("Ask CLAIR.", True)
    ]


def test_transition_refused_for_curator_without_review_permission(client):
    curator = UserFactory(is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))
    client.force_login(curator)
    proposal = EventProposalFactory(state=S.SUBMITTED)

    response = client.post(transition_url(proposal), {"target": S.UNDER_REVIEW})

    proposal.refresh_from_db()
    assert response.status_code == 403
    assert proposal.state == S.SUBMITTED


def test_bulk_start_review_reports_failures(reviewer_client):
    ready = EventProposalFactory(state=S.SUBMITTED, title_en="Ready")
    draft = EventProposalFactory(state=S.WITHDRAWN, title_en="Withdrawn one")

    response = reviewer_client.post(
        reverse("admin:events_eventproposal_changelist"),
        {"action": "start_review_action", "_selected_action": [ready.pk, draft.pk]},
        follow=True,
    )

    ready.refresh_from_db()
    draft.refresh_from_db()
    assert (ready.state, draft.state) == (S.UNDER_REVIEW, S.WITHDRAWN)
    assert messages_of(response) == [
        "The review of 1 proposal started: you are its reviewer.",
        "“Withdrawn one” was not changed. The review of this proposal cannot start now. "
        "It was withdrawn.",
    ]


def test_bulk_reject_asks_for_message_then_rejects(
    reviewer_client, django_capture_on_commit_callbacks
):
    first = EventProposalFactory(state=S.UNDER_REVIEW, contact_email="a@example.org")
    accepted = EventProposalFactory(state=S.ACCEPTED, title_en="Done already")
    url = reverse("admin:events_eventproposal_changelist")
    selected = {"action": "reject_with_message_action", "_selected_action": [first.pk, accepted.pk]}

    ask = reviewer_client.post(url, selected)
    with django_capture_on_commit_callbacks(execute=True):
        done = reviewer_client.post(
            url, {**selected, "apply": "1", "message": "Outside our remit."}, follow=True
        )

    first.refresh_from_db()
    assert 'name="message"' in ask.content.decode()
    assert first.state == S.REJECTED
    assert messages_of(done) == [
        "1 proposal was rejected: its partner was sent your message.",
        "“Done already” was not changed. A proposal can be rejected only while it is under "
        "review. It was accepted.",
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["a@example.org"], f"Proposal not accepted: {first.title}")
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_changelist_query_count_fixed(reviewer_client, django_assert_num_queries, count):
    for number in range(count):
        EventProposalFactory(
            state=S.SUBMITTED, host=CityFactory(country=["CN", "JP", "KR"][number])
        )

    # session, user, permissions, counts, page, filter choices, date-hierarchy bounds: fixed
    with django_assert_num_queries(10):
        response = reviewer_client.get(reverse("admin:events_eventproposal_changelist"))

    assert response.context["cl"].result_count == count


def test_changelist_hides_partners_drafts(reviewer_client):
    EventProposalFactory(state=S.DRAFT, title_en="Work in progress")
    sent = EventProposalFactory(state=S.SUBMITTED, title_en="Sent")

    response = reviewer_client.get(reverse("admin:events_eventproposal_changelist"))

    assert list(response.context["cl"].result_list) == [sent]


def test_changelist_not_visible_to_partner_users(client):
    client.force_login(PartnerMembershipFactory().user)

    response = client.get(reverse("admin:events_eventproposal_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Place photos and event images through the same pipeline ---------------------------------


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _event_post_data(event, **overrides):
    data = {
        "slug": event.slug,
        "title_en": event.title_en,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "date_precision": event.date_precision,
        "host": event.host_id,
        "category": event.category,
        "format": event.format,
        "status": event.status,
        "is_published": "on",
        # The good-practice inline (network insights) on the event's admin page.
        "good_practice-TOTAL_FORMS": "0",
        "good_practice-INITIAL_FORMS": "0",
        "good_practice-MIN_NUM_FORMS": "0",
        "good_practice-MAX_NUM_FORMS": "1",
        # Optimistic locking: the version the change form was opened at.
        LOADED_VERSION_FIELD: version_stamp(event.updated_at),
    }
    data.update(overrides)
    return data


def test_event_admin_image_stripped_and_renamed(
    superuser_client, settings, django_capture_on_commit_callbacks
):
    event = ExchangeEventFactory()
    url = reverse("admin:events_exchangeevent_change", args=[event.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            url,
            _event_post_data(
                event, image=imagefiles.upload("gps.jpg", imagefiles.jpeg_with_gps(), "image/jpeg")
            ),
        )

    event.refresh_from_db()
    stored = settings.MEDIA_ROOT / event.image.name
    assert response.status_code == 302
    assert event.image.name.startswith("events/") and "gps" not in event.image.name
    assert dict(Image.open(io.BytesIO(stored.read_bytes())).getexif()) == {}
    assert (settings.MEDIA_ROOT / thumbnail_name(event.image.name)).exists()


def test_event_admin_image_svg_refused_with_message(superuser_client):
    event = ExchangeEventFactory()
    url = reverse("admin:events_exchangeevent_change", args=[event.pk])

    response = superuser_client.post(
        url, _event_post_data(event, image=imagefiles.upload("logo.svg", imagefiles.SVG))
    )

    event.refresh_from_db()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"] == [
        "SVG, HTML and other text files are not accepted. Upload a JPEG, PNG or WebP."
    ]
    assert event.image.name == ""


def test_city_admin_photo_goes_through_pipeline(superuser_client):
    from django.contrib.admin import site

    from cities.models import City

    form_class = site._registry[City].form

    form = form_class(
        data={},
        files={"photo": imagefiles.upload("photo.jpg", imagefiles.image_bytes("PNG"))},
    )
    form.is_valid()

    assert form.errors["photo"] == [
        "The file is named .jpg but its content is PNG. "
        "Save it with the right extension and upload it again."
    ]


@pytest.mark.parametrize(
    ("language", "stamp"),
    [
        ("en", "30 Nov 2026, 11:43"),
        ("zh-hans", "2026年11月30日 11:43"),
        ("ja", "2026年11月30日 11:43"),
        ("ko", "2026년 11월 30일 11:43"),
    ],
)
def test_change_page_shows_budget_and_timeline_in_the_language(reviewer_client, language, stamp):
    proposal = EventProposalFactory(
        state=S.SUBMITTED, budget_amount="200000.00", budget_currency="CNY", participants=1200
    )
    ProposalActivity.objects.create(proposal=proposal, from_state=S.DRAFT, to_state=S.SUBMITTED)
    ProposalActivity.objects.update(created_at=datetime.datetime(2026, 11, 30, 11, 43, tzinfo=UTC))

    content = reviewer_client.get(
        change_url(proposal), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert '<div class="readonly">200,000 CNY</div>' in content
    assert '<div class="readonly">1,200</div>' in content
    assert "200000" not in content
    assert f"<strong>{stamp}</strong>" in content


def test_review_desk_shows_uploaded_images_as_thumbnails_with_their_description(reviewer_client):
    proposal = EventProposalFactory(
        state=S.SUBMITTED,
        title_en="Go <week>",
        image_1="proposals/first.jpg",
        image_2="proposals/second.png",
        image_alt='Pupils "playing" <b>Go</b>',
        document="proposals/agreement.pdf",
        document_name="agreement.pdf",
    )

    html = reviewer_client.get(change_url(proposal)).content.decode()

    files = reverse("partners:proposal_file", kwargs={"pk": proposal.pk, "field": "image_1"})
    second = reverse("partners:proposal_file", kwargs={"pk": proposal.pk, "field": "image_2"})
    document = reverse("partners:proposal_file", kwargs={"pk": proposal.pk, "field": "document"})
    assert re.findall(r'class="review-thumb"><img src="([^"]+)" alt="([^"]*)"', html) == [
        (f"{files}?size=thumb", "Pupils &quot;playing&quot; &lt;b&gt;Go&lt;/b&gt;"),
        (f"{second}?size=thumb", "Image 2 of the proposal “Go &lt;week&gt;”"),
    ]
    assert f'<a href="{document}" class="review-document">PDF: agreement.pdf</a>' in html
    assert ">image_1<" not in html
    assert "<b>Go</b>" not in html


def test_transition_message_is_a_whole_sentence_in_the_reviewers_language(reviewer_client):
    proposal = EventProposalFactory(state=S.UNDER_REVIEW)

    response = reviewer_client.post(
        transition_url(proposal),
        {"target": S.CHANGES_REQUESTED, "message": "Add the venue."},
        headers={"accept-language": "ja"},
        follow=True,
    )
    refused = reviewer_client.post(
        transition_url(proposal),
        {"target": S.ACCEPTED, "message": ""},
        headers={"accept-language": "ko"},
        follow=True,
    )

    assert messages_of(response) == ["修正を依頼しました。提案団体にメッセージを送りました。"]
    assert messages_of(refused) == [
        "제안은 심사 중일 때만 채택할 수 있습니다. 제안 기관에 수정을 요청했습니다."
    ]


def test_transition_to_the_state_a_proposal_is_in_says_nothing_changed(reviewer_client):
    proposal = EventProposalFactory(state=S.UNDER_REVIEW)

    response = reviewer_client.post(
        transition_url(proposal), {"target": S.UNDER_REVIEW, "message": ""}, follow=True
    )

    assert messages_of(response) == ["Nothing changed. It is under review."]
