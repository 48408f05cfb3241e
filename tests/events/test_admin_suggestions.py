import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cities.models import FriendshipLink
from events.models import ProposalState, Suggestion, SuggestionOutcome
from events.storage import private_storage
from tests import pdffiles
from tests.factories import (
    CityFactory,
    CuratorFactory,
    PartnerFactory,
    SuggestionFactory,
    UserFactory,
)

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def transition_url(suggestion):
    return reverse("admin:events_suggestion_transition", kwargs={"object_id": suggestion.pk})


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def with_pdf(suggestion) -> Suggestion:
    suggestion.document = private_storage().save(
        "suggestions/test.pdf", ContentFile(pdffiles.harmless())
    )
    suggestion.document_name = "agreement.pdf"
    suggestion.save()
    return suggestion


def test_suggestion_accepted_at_the_desk_creates_the_tie(reviewer_client):
    suggestion = with_pdf(
        SuggestionFactory(place__name_en="Yangzhou", partner_place__name_en="Nara")
    )

    reviewer_client.post(transition_url(suggestion), {"target": "under_review"}, follow=True)
    response = reviewer_client.post(
        transition_url(suggestion), {"target": "accepted", "message": "Thank you."}, follow=True
    )

    suggestion.refresh_from_db()
    tie = FriendshipLink.objects.get()
    assert (suggestion.state, suggestion.outcome, suggestion.tie) == (
        S.ACCEPTED,
        SuggestionOutcome.APPLIED,
        tie,
    )
    assert messages_of(response) == ["The suggestion was accepted. Outcome: applied."]


def test_suggestion_reject_at_the_desk_without_a_message_is_refused(reviewer_client):
    suggestion = SuggestionFactory(state=S.UNDER_REVIEW)

    response = reviewer_client.post(
        transition_url(suggestion), {"target": "rejected", "message": ""}, follow=True
    )

    suggestion.refresh_from_db()
    assert suggestion.state == S.UNDER_REVIEW
    assert messages_of(response) == ["Write a message to the partner explaining the decision."]


def test_suggestion_transition_refused_for_staff_who_are_not_reviewers(client):
    client.force_login(UserFactory(is_staff=True))
    suggestion = SuggestionFactory()

    response = client.post(transition_url(suggestion), {"target": "under_review"})

    suggestion.refresh_from_db()
    assert (response.status_code, suggestion.state) == (403, S.SUBMITTED)


def test_suggestion_change_page_shows_the_fields_of_its_kind_and_the_buttons(reviewer_client):
    suggestion = SuggestionFactory(state=S.UNDER_REVIEW)

    response = reviewer_client.get(reverse("admin:events_suggestion_change", args=[suggestion.pk]))

    fields = [
        field.field["name"]
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
    ]
    assert "correction_field" not in fields
    assert "milestone_kind" not in fields
    assert {"partner_place", "tie_kind", "label_own", "label_partner"} <= set(fields)
    assert response.context["transitions"] == [
        ("accepted", "Accept and apply"),
        ("rejected", "Reject"),
    ]


def test_partner_verified_as_office_by_the_admin_action(client):
    curator = CuratorFactory()
    client.force_login(curator)
    kanazawa = CityFactory(name_en="Kanazawa")
    partner = PartnerFactory(place=kanazawa)

    response = client.post(
        reverse("admin:events_partner_changelist"),
        {"action": "verify_office_action", "_selected_action": [partner.pk]},
        follow=True,
    )

    partner.refresh_from_db()
    assert (partner.office_of, partner.office_verified_by) == (kanazawa, curator)
    assert messages_of(response) == ["1 partner(s) updated."]
