import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.utils import timezone

from cities.models import Country, Source
from events import services
from events.models import (
    EventProposal,
    EventStatus,
    ExchangeEvent,
    GoodPractice,
    ProposalActivity,
    ProposalState,
)
from tests.factories import (
    CityFactory,
    CuratorFactory,
    EventProposalFactory,
    ExchangeEventFactory,
    GoodPracticeFactory,
    PartnerMembershipFactory,
    ReviewerFactory,
    UserFactory,
)

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(member):
    return EventProposalFactory(
        partner=member.partner_membership.partner, contact_email="partner@example.org"
    )


@pytest.fixture
def no_mail_queued(django_capture_on_commit_callbacks):
    """The test's refused transitions queue no mail (checked when the test ends)."""
    with django_capture_on_commit_callbacks(execute=True):
        yield
    assert mail.outbox == []


def _history(proposal):
    return list(
        ProposalActivity.objects.filter(proposal=proposal)
        .order_by("id")
        .values_list("from_state", "to_state", "message")
    )


def test_transition_map_allows_exactly_the_documented_moves():
    assert {state: sorted(targets) for state, targets in services.TRANSITIONS.items()} == {
        "draft": ["submitted", "withdrawn"],
        "submitted": ["under_review", "withdrawn"],
        "under_review": ["accepted", "changes_requested", "rejected", "withdrawn"],
        "changes_requested": ["submitted", "withdrawn"],
        "accepted": [],
        "rejected": [],
        "withdrawn": [],
    }


def test_proposal_submit_from_draft_sends_receipt_and_reviewer_note(
    proposal, member, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.proposal_submit(proposal=proposal, actor=member)

    assert result.state == S.SUBMITTED
    assert result.submitted_at is not None
    assert _history(proposal) == [("draft", "submitted", "")]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["partner@example.org"], f"Proposal received: {proposal.title}"),
        (["reviewer@example.org"], f"New proposal to review: {proposal.title}"),
    ]
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert f"http://127.0.0.1:8000/en/partner/proposals/{proposal.pk}/" in mail.outbox[0].body


def test_proposal_submit_mail_in_recipients_language(
    proposal, member, django_capture_on_commit_callbacks
):
    member.partner_membership.language = "ko"
    member.partner_membership.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_submit(proposal=proposal, actor=member)

    assert f"/ko/partner/proposals/{proposal.pk}/" in mail.outbox[0].body
    assert mail.outbox[0].subject == f"제안 접수: {proposal.title}"


def test_proposal_submit_refused_when_email_unverified(proposal, member, no_mail_queued):
    member.partner_membership.email_verified_at = None
    member.partner_membership.save()

    with pytest.raises(services.ProposalError) as caught:
        services.proposal_submit(proposal=proposal, actor=member)

    assert caught.value.messages == [
        "Please verify your e-mail address before submitting a proposal."
    ]
    proposal.refresh_from_db()
    assert (proposal.state, mail.outbox) == (S.DRAFT, [])


def test_proposal_submit_refused_when_incomplete_or_start_in_past(proposal, member, no_mail_queued):
    EventProposal.objects.filter(pk=proposal.pk).update(
        title_en="", starts_on=timezone.localdate() - datetime.timedelta(days=1)
    )

    with pytest.raises(services.ProposalError) as caught:
        services.proposal_submit(proposal=proposal, actor=member)

    assert caught.value.message_dict == {
        "title_en": ["Give the title in at least one language."],
        "starts_on": ["The start date is in the past. Propose a date from today on."],
    }
    assert _history(proposal) == []


def test_proposal_submit_refused_without_partner_abroad(member, no_mail_queued):
    host = CityFactory(country=Country.JAPAN)
    proposal = EventProposalFactory(
        partner=member.partner_membership.partner,
        host=host,
        partner_places=[CityFactory(country=Country.JAPAN)],
    )

    with pytest.raises(services.ProposalError) as caught:
        services.proposal_submit(proposal=proposal, actor=member)

    assert caught.value.message_dict == {
        "partner_places": [
            "At least one partner place must be in a different country from the host."
        ]
    }


def test_proposal_submit_refused_for_another_partners_user(proposal):
    outsider = PartnerMembershipFactory().user

    with pytest.raises(PermissionDenied):
        services.proposal_submit(proposal=proposal, actor=outsider)


def test_proposal_submit_idempotent_when_already_submitted(
    proposal, member, django_capture_on_commit_callbacks
):
    services.proposal_submit(proposal=proposal, actor=member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = services.proposal_submit(proposal=proposal, actor=member)

    assert result.state == S.SUBMITTED
    assert _history(proposal) == [("draft", "submitted", "")]
    assert mail.outbox == []


def test_proposal_start_review_sets_reviewer(proposal, reviewer):
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.SUBMITTED)

    result = services.proposal_start_review(proposal=proposal, actor=reviewer)

    assert (result.state, result.reviewer) == (S.UNDER_REVIEW, reviewer)
    assert _history(proposal) == [("submitted", "under_review", "")]


def test_proposal_start_review_refused_from_draft(proposal, reviewer, no_mail_queued):
    with pytest.raises(services.TransitionNotAllowed) as caught:
        services.proposal_start_review(proposal=proposal, actor=reviewer)

    assert caught.value.messages == [
        "The review of this proposal cannot start now. It is still a draft."
    ]
    assert (_history(proposal), mail.outbox) == ([], [])


def test_proposal_start_review_refused_for_partner_user(proposal, member, no_mail_queued):
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.SUBMITTED)

    with pytest.raises(PermissionDenied):
        services.proposal_start_review(proposal=proposal, actor=member)


def test_proposal_start_review_refused_for_staff_without_reviewer_group(proposal):
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.SUBMITTED)

    with pytest.raises(PermissionDenied):
        services.proposal_start_review(proposal=proposal, actor=UserFactory(is_staff=True))


def test_proposal_request_changes_mails_message_and_allows_resubmit(
    proposal, member, reviewer, django_capture_on_commit_callbacks
):
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.UNDER_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_request_changes(
            proposal=proposal, actor=reviewer, message="Please add the venue's address."
        )
    resubmitted = services.proposal_submit(proposal=proposal, actor=member)

    assert resubmitted.state == S.SUBMITTED
    assert [(m.to, m.subject) for m in mail.outbox[:1]] == [
        (["partner@example.org"], f"Changes requested: {proposal.title}")
    ]
    assert "Please add the venue's address." in mail.outbox[0].body
    assert "Please add the venue&#x27;s address." in mail.outbox[0].alternatives[0][0]
    assert _history(proposal) == [
        ("under_review", "changes_requested", "Please add the venue's address."),
        ("changes_requested", "submitted", ""),
    ]


def test_proposal_request_changes_refused_without_message(proposal, reviewer, no_mail_queued):
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.UNDER_REVIEW)

    with pytest.raises(services.ProposalError) as caught:
        services.proposal_request_changes(proposal=proposal, actor=reviewer, message="  ")

    assert caught.value.messages == ["Write a message to the partner explaining the decision."]
    proposal.refresh_from_db()
    assert (proposal.state, mail.outbox) == (S.UNDER_REVIEW, [])


def test_proposal_reject_mails_message(proposal, reviewer, django_capture_on_commit_callbacks):
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.UNDER_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.proposal_reject(
            proposal=proposal, actor=reviewer, message="The dates clash with the festival."
        )

    assert (result.state, result.decided_at is not None) == (S.REJECTED, True)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["partner@example.org"], f"Proposal not accepted: {proposal.title}")
    ]
    assert "The dates clash with the festival." in mail.outbox[0].body


def test_proposal_reject_refused_once_accepted(proposal, reviewer, no_mail_queued):
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.ACCEPTED)

    with pytest.raises(services.TransitionNotAllowed):
        services.proposal_reject(proposal=proposal, actor=reviewer, message="No.")

    assert (_history(proposal), mail.outbox) == ([], [])


def test_proposal_accept_creates_one_published_planned_event(
    member, reviewer, django_capture_on_commit_callbacks
):
    partner = member.partner_membership.partner
    partner.website = "https://friends.example.org/"
    partner.save()
    korea = CityFactory(country=Country.KOREA)
    proposal = EventProposalFactory(
        partner=partner,
        state=S.UNDER_REVIEW,
        partner_places=[korea],
        source_url="https://city.example.org/news/go-2027",
        contact_email="partner@example.org",
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = services.proposal_accept(proposal=proposal, actor=reviewer)
        again = services.proposal_accept(proposal=proposal, actor=reviewer)

    event = ExchangeEvent.objects.get()
    assert (result.state, again.state, result.event_id) == (S.ACCEPTED, S.ACCEPTED, event.pk)
    assert (event.title_en, event.host, event.status, event.is_published) == (
        proposal.title,
        proposal.host,
        EventStatus.PLANNED,
        True,
    )
    assert list(event.partners.all()) == [korea]
    assert sorted(event.sources.values_list("url", "title")) == [
        (
            "",
            f"Proposed by {partner.name} through the portal "
            f"(proposal #{proposal.pk}, accepted {timezone.localdate()})",
        ),
        ("https://city.example.org/news/go-2027", ""),
        ("https://friends.example.org/", ""),
    ]
    assert event.proposal == result
    assert [m.subject for m in mail.outbox] == [f"Proposal accepted: {proposal.title}"]
    assert _history(proposal) == [("under_review", "accepted", "")]


def test_proposal_accept_carries_first_image_to_public_storage(member, reviewer, settings):
    from django.core.files.storage import default_storage

    from exchangeportal.infra.images import process_image, thumbnail_name
    from tests import imagefiles

    proposal = EventProposalFactory(partner=member.partner_membership.partner)
    services.proposal_save(
        proposal=proposal,
        partner=proposal.partner,
        actor=member,
        fields={},
        images={"image_2": process_image(imagefiles.jpeg_upload())},
    )
    EventProposal.objects.filter(pk=proposal.pk).update(
        state=S.UNDER_REVIEW, image_alt="Boats on the canal", image_credit="Yangzhou City"
    )

    result = services.proposal_accept(proposal=proposal, actor=reviewer)

    assert (result.event.image_alt, result.event.image_credit) == (
        "Boats on the canal",
        "Yangzhou City",
    )
    name = result.event.image.name
    assert name.startswith("events/") and name.endswith(".jpg")
    assert default_storage.exists(name) and default_storage.exists(thumbnail_name(name))
    with result.image_2.open() as private_file:
        assert (settings.MEDIA_ROOT / name).read_bytes() == private_file.read()


def test_proposal_accept_in_chinese_fills_the_chinese_fields(member, reviewer):
    partner = member.partner_membership.partner
    proposal = EventProposalFactory(
        partner=partner,
        state=S.UNDER_REVIEW,
        language="zh-hans",
        title_en="",
        summary_en="",
        title_zh_hans="扬州运河论坛",
        summary_zh_hans="运河城市的学生在扬州相聚。",
    )

    event = services.proposal_accept(proposal=proposal, actor=reviewer).event

    year = proposal.starts_on.year
    assert (event.slug, event.title_en, event.title_zh_hans, event.title_ja, event.title_ko) == (
        f"yang-zhou-yun-he-lun-tan-{year}",
        "Yang Zhou Yun He Lun Tan",
        "扬州运河论坛",
        "",
        "",
    )
    assert (event.summary_en, event.summary_zh_hans, event.summary_ja, event.summary_ko) == (
        "",
        "运河城市的学生在扬州相聚。",
        "",
        "",
    )
    assert (event.organiser, event.partner_organisations) == (partner, "")


def test_proposal_accept_address_from_the_english_title_numbered_on_a_clash(member, reviewer):
    partner = member.partner_membership.partner
    first, second = (
        EventProposalFactory(
            partner=partner,
            state=S.UNDER_REVIEW,
            language="ja",
            title_en="Nara deer festival",
            title_ja="奈良の祭り",
        )
        for _ in range(2)
    )
    EventProposal.objects.filter(pk=second.pk).update(starts_on=first.starts_on)
    second.refresh_from_db()

    slugs = [
        services.proposal_accept(proposal=proposal, actor=reviewer).event.slug
        for proposal in (first, second)
    ]

    year = first.starts_on.year
    assert slugs == [f"nara-deer-festival-{year}", f"nara-deer-festival-{year}-2"]
    assert ExchangeEvent.objects.get(slug=slugs[0]).title_ja == "奈良の祭り"


def test_proposal_accept_refused_from_submitted(proposal, reviewer, no_mail_queued):
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.SUBMITTED)

    with pytest.raises(services.TransitionNotAllowed):
        services.proposal_accept(proposal=proposal, actor=reviewer)

    assert (ExchangeEvent.objects.count(), mail.outbox) == (0, [])


def test_proposal_withdraw_from_each_open_state(member):
    partner = member.partner_membership.partner
    for state in (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED):
        proposal = EventProposalFactory(partner=partner, state=state)

        result = services.proposal_withdraw(proposal=proposal, actor=member)

        assert (state, result.state) == (state, S.WITHDRAWN)


def test_proposal_withdraw_refused_after_decision(proposal, member, no_mail_queued):
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.REJECTED)

    with pytest.raises(services.TransitionNotAllowed) as caught:
        services.proposal_withdraw(proposal=proposal, actor=member)

    assert caught.value.messages == [
        "This proposal can no longer be withdrawn. It was not accepted."
    ]
    assert (_history(proposal), mail.outbox) == ([], [])


def test_proposal_add_note_is_internal(proposal, reviewer):
    note = services.proposal_add_note(proposal=proposal, actor=reviewer, message="Check budget.")

    assert (note.is_internal, note.from_state, note.to_state) == (True, "draft", "draft")


def test_proposal_save_refused_over_open_cap(member, settings):
    settings.PROPOSAL_OPEN_LIMIT = 2
    partner = member.partner_membership.partner
    EventProposalFactory.create_batch(2, partner=partner)
    EventProposalFactory(partner=partner, state=S.REJECTED)  # decided: not open

    with pytest.raises(services.ProposalError) as caught:
        services.proposal_save(
            proposal=None, partner=partner, actor=member, fields={"title_en": "x"}
        )

    assert caught.value.messages == [
        "Your organisation already has 2 open proposals, the most allowed. "
        "Withdraw one or wait for a decision before starting another."
    ]


def test_proposal_save_refused_when_not_editable(proposal, member):
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.SUBMITTED)

    with pytest.raises(services.ProposalError) as caught:
        services.proposal_save(
            proposal=proposal, partner=proposal.partner, actor=member, fields={"title_en": "New"}
        )

    assert [e.code for e in caught.value.error_list] == ["not_editable"]


def test_partner_email_verify_with_signed_link():
    membership = PartnerMembershipFactory(email_verified_at=None)
    token = services.partner_verification_token(user=membership.user)

    result = services.partner_email_verify(token=token)

    assert result.email_verified_at is not None


def test_partner_email_verify_refused_for_tampered_or_changed_address():
    membership = PartnerMembershipFactory(email_verified_at=None)
    token = services.partner_verification_token(user=membership.user)
    membership.user.email = "new@example.org"
    membership.user.save()

    with pytest.raises(services.ValidationError) as changed:
        services.partner_email_verify(token=token)
    with pytest.raises(services.ValidationError) as tampered:
        services.partner_email_verify(token=token[:-2] + "xx")

    assert (
        changed.value.messages
        == tampered.value.messages
        == ["This verification link is not valid."]
    )


def test_partner_email_verify_refused_when_expired(settings):
    membership = PartnerMembershipFactory(email_verified_at=None)
    token = services.partner_verification_token(user=membership.user)
    settings.PARTNER_EMAIL_VERIFICATION_DAYS = -1

    with pytest.raises(services.ValidationError) as caught:
        services.partner_email_verify(token=token)

    assert caught.value.messages == ["This verification link has expired. Ask for a new one."]


@pytest.mark.django_db(transaction=True)
def test_proposal_accept_concurrent_accepts_create_one_event():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Row locks (select_for_update) need PostgreSQL; SQLite serialises whole-database "
            "writes, so this race cannot be reproduced there. Run with DATABASE_URL=postgres://…"
        )
    reviewers = [ReviewerFactory(), ReviewerFactory()]
    proposal = EventProposalFactory(state=S.UNDER_REVIEW)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def accept(actor):
        try:
            barrier.wait(timeout=10)
            result = services.proposal_accept(proposal=proposal, actor=actor)
            outcomes.append(result.event_id)
        except Exception as error:  # reported below; a thread must not swallow a failure
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(actor,)) for actor in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    event = ExchangeEvent.objects.get()
    assert errors == []
    assert outcomes == [event.pk, event.pk]
    assert list(
        ProposalActivity.objects.filter(proposal=proposal).values_list("to_state", flat=True)
    ) == ["accepted"]
    assert Source.objects.count() == 1  # the proposal's citation, once


def test_proposal_submit_refused_past_the_partner_limit(member, settings):
    settings.PROPOSAL_SUBMIT_RATE_PARTNER = "2/3600"
    partner = member.partner_membership.partner
    proposals = [EventProposalFactory(partner=partner) for _ in range(3)]
    for proposal in proposals[:2]:
        services.proposal_submit(proposal=proposal, actor=member, client_address="203.0.113.5")

    with pytest.raises(services.SubmissionLimited) as refused:
        services.proposal_submit(proposal=proposals[2], actor=member, client_address="198.51.100.9")

    assert refused.value.messages == [
        "Too many submissions in a short time. Your draft is saved: submit it later."
    ]
    assert 0 < refused.value.retry_after <= 3600
    assert [p.state for p in EventProposal.objects.order_by("pk")] == [
        S.SUBMITTED,
        S.SUBMITTED,
        S.DRAFT,
    ]


def test_proposal_submit_refused_past_the_address_limit_across_partners(settings):
    settings.PROPOSAL_SUBMIT_RATE_IP = "2/3600"
    members = [PartnerMembershipFactory().user for _ in range(3)]
    proposals = [EventProposalFactory(partner=m.partner_membership.partner) for m in members]
    for user, proposal in zip(members[:2], proposals[:2], strict=True):
        services.proposal_submit(proposal=proposal, actor=user, client_address="203.0.113.5")

    with pytest.raises(services.SubmissionLimited):
        services.proposal_submit(
            proposal=proposals[2], actor=members[2], client_address="203.0.113.5"
        )
    elsewhere = services.proposal_submit(
        proposal=proposals[2], actor=members[2], client_address="198.51.100.9"
    )

    assert elsewhere.state == S.SUBMITTED


def test_good_practice_save_keeps_the_curator_who_first_marked_it():
    first, second = CuratorFactory(), CuratorFactory()
    practice = GoodPracticeFactory.build(marked_by=None, event=ExchangeEventFactory())

    services.good_practice_save(practice=practice, user=first)
    practice.what_en = "Edited later by another curator."
    services.good_practice_save(practice=practice, user=second)

    practice.refresh_from_db()
    assert (practice.marked_by, practice.what_en) == (first, "Edited later by another curator.")
    assert GoodPractice.objects.count() == 1
