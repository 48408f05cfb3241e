import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from cities.models import (
    ConflictStatus,
    Country,
    DateBasis,
    FriendshipLink,
    HistoryAction,
    HistoryVia,
    MilestoneKind,
    SourceKind,
    TieConflict,
    TieKind,
    TieStatus,
)
from events import services_suggestions as services
from events.models import (
    CorrectionField,
    ProposalState,
    Suggestion,
    SuggestionKind,
    SuggestionOutcome,
)
from events.services import ProposalError, TransitionNotAllowed
from tests import pdffiles
from tests.factories import (
    CityFactory,
    CuratorFactory,
    FriendshipLinkFactory,
    PartnerMembershipFactory,
    UserFactory,
)

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def office(member):
    """The member's partner, verified as the office of a Chinese place."""
    partner = member.partner_membership.partner
    partner.name_en = "Yangzhou Foreign Affairs Office"
    partner.office_of = CityFactory(name_en="Yangzhou", country=Country.CHINA)
    partner.save()
    return partner


def agreement_pdf(name="agreement.pdf"):
    return SimpleUploadedFile(name, pdffiles.harmless(), content_type="application/pdf")


def new_tie_fields(partner_place, **overrides):
    fields = {
        "partner_place": partner_place,
        "tie_kind": TieKind.FRIENDSHIP,
        "date": datetime.date(2024, 5, 10),
        "date_precision": "day",
        "date_basis": DateBasis.SIGNED,
        "label_own": "友好城市",
        "label_partner": "友好都市",
    }
    fields.update(overrides)
    return fields


def submit_new_tie(office, member, partner_place, **overrides):
    return services.suggestion_submit(
        partner=office,
        actor=member,
        kind=SuggestionKind.NEW_TIE,
        fields=new_tie_fields(partner_place, **overrides),
        document=agreement_pdf(),
    )


def _history(suggestion):
    return [
        (a.from_state, a.to_state, a.message)
        for a in suggestion.activities.order_by("created_at", "id")
    ]


# --- Office verification ----------------------------------------------------------------------


def test_partner_office_verify_by_a_curator_sets_the_partners_place():
    curator = CuratorFactory()
    membership = PartnerMembershipFactory(partner__place=CityFactory(name_en="Nara"))
    partner = membership.partner
    # Curators change partners through the migration's permissions.
    result = services.partner_office_verify(partner=partner, actor=curator)

    partner.refresh_from_db()
    assert (partner.office_of, partner.office_verified_by) == (partner.place, curator)
    assert result.office_verified_at is not None


def test_partner_office_verify_refused_for_a_user_who_may_not_change_partners():
    membership = PartnerMembershipFactory(partner__place=CityFactory())

    with pytest.raises(PermissionDenied):
        services.partner_office_verify(partner=membership.partner, actor=UserFactory())

    membership.partner.refresh_from_db()
    assert membership.partner.office_of is None


def test_partner_office_verify_without_a_place_says_to_set_one():
    membership = PartnerMembershipFactory(partner__place=None)

    with pytest.raises(services.ValidationError) as error:
        services.partner_office_verify(partner=membership.partner, actor=CuratorFactory())

    assert error.value.messages == ["This partner names no place: set its place first."]


def test_partner_office_revoke_clears_the_office():
    curator = CuratorFactory()
    membership = PartnerMembershipFactory(partner__place=CityFactory())
    services.partner_office_verify(partner=membership.partner, actor=curator)

    services.partner_office_revoke(partner=membership.partner, actor=curator)

    membership.partner.refresh_from_db()
    assert membership.partner.office_of is None


# --- Submitting -------------------------------------------------------------------------------


def test_suggestion_submit_new_tie_stores_the_pdf_and_mails_office_and_reviewers(
    office, member, reviewer, django_capture_on_commit_callbacks
):
    nara = CityFactory(name_en="Nara", country=Country.JAPAN)

    with django_capture_on_commit_callbacks(execute=True):
        suggestion = submit_new_tie(office, member, nara)

    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.place, suggestion.partner_place) == (
        S.SUBMITTED,
        office.office_of,
        nara,
    )
    assert suggestion.document_name == "agreement.pdf"
    assert suggestion.document.name.startswith("suggestions/")
    with suggestion.document.open() as stored:
        assert stored.read() == pdffiles.harmless()
    assert _history(suggestion) == [("", "submitted", "")]
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("partner@example.org", "Suggestion received: new tie: Yangzhou — Nara"),
        ("reviewer@example.org", "New suggestion from a city office: new tie: Yangzhou — Nara"),
    ]


def test_suggestion_submit_refused_for_a_partner_not_verified_as_an_office(member):
    partner = member.partner_membership.partner

    with pytest.raises(ProposalError) as error:
        submit_new_tie(partner, member, CityFactory())

    assert error.value.code == "not_an_office"
    assert Suggestion.objects.count() == 0


def test_suggestion_submit_refused_before_the_email_address_is_verified(office, member):
    member.partner_membership.email_verified_at = None
    member.partner_membership.save()

    with pytest.raises(ProposalError) as error:
        submit_new_tie(office, member, CityFactory())

    assert error.value.code == "email_unverified"


def test_suggestion_submit_refused_for_another_partners_user(office):
    stranger = PartnerMembershipFactory().user

    with pytest.raises(PermissionDenied):
        submit_new_tie(office, stranger, CityFactory())


def test_suggestion_submit_new_tie_needs_the_signed_agreement(office, member):
    with pytest.raises(ProposalError) as error:
        services.suggestion_submit(
            partner=office,
            actor=member,
            kind=SuggestionKind.NEW_TIE,
            fields=new_tie_fields(CityFactory()),
        )

    assert error.value.message_dict == {"document": ["Attach the signed agreement as a PDF."]}


# --- Review -----------------------------------------------------------------------------------


def test_suggestion_accept_new_tie_creates_the_tie_with_the_pdf_as_its_source(
    office, member, reviewer, django_capture_on_commit_callbacks
):
    nara = CityFactory(name_en="Nara", country=Country.JAPAN)
    suggestion = submit_new_tie(office, member, nara)
    services.suggestion_start_review(suggestion=suggestion, actor=reviewer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = services.suggestion_accept(suggestion=suggestion, actor=reviewer)
        again = services.suggestion_accept(suggestion=suggestion, actor=reviewer)

    tie = FriendshipLink.objects.get()
    assert (result.state, again.state, result.outcome, result.tie) == (
        S.ACCEPTED,
        S.ACCEPTED,
        SuggestionOutcome.APPLIED,
        tie,
    )
    assert (tie.city_a, tie.city_b, tie.kind, tie.label_a, tie.label_b) == (
        office.office_of,
        nara,
        TieKind.FRIENDSHIP,
        "友好城市",
        "友好都市",
    )
    assert (tie.established_on, tie.date_basis, tie.verified, tie.evidence) == (
        datetime.date(2024, 5, 10),
        DateBasis.SIGNED,
        True,
        "primary",
    )
    source = tie.sources.get()
    assert (source.title, source.publisher, source.kind, source.url) == (
        f"Agreement between Yangzhou and Nara (PDF supplied by Yangzhou Foreign Affairs "
        f"Office, suggestion #{suggestion.pk})",
        "Yangzhou Foreign Affairs Office",
        SourceKind.PRIMARY,
        "",
    )
    assert source.document.name.startswith("sources/")
    with source.document.open() as published:
        assert published.read() == pdffiles.harmless()
    entry = tie.history.get()
    assert (entry.action, entry.via, entry.via_detail, entry.changed_by, entry.source) == (
        HistoryAction.CREATED,
        HistoryVia.OFFICE,
        "Yangzhou Foreign Affairs Office",
        reviewer,
        source,
    )
    assert [m.subject for m in mail.outbox] == ["Suggestion accepted: new tie: Yangzhou — Nara"]
    assert _history(suggestion)[-1] == ("under_review", "accepted", "")


def test_suggestion_accept_refused_before_the_review_started(office, member, reviewer):
    suggestion = submit_new_tie(office, member, CityFactory())

    with pytest.raises(TransitionNotAllowed) as refused:
        services.suggestion_accept(suggestion=suggestion, actor=reviewer)

    assert refused.value.messages == [
        "A suggestion can be accepted only while it is under review. "
        "It was submitted and waits for a reviewer."
    ]
    assert FriendshipLink.objects.count() == 0


def test_suggestion_accept_refused_for_the_office_itself(office, member):
    suggestion = submit_new_tie(office, member, CityFactory())

    with pytest.raises(PermissionDenied):
        services.suggestion_start_review(suggestion=suggestion, actor=member)


def test_suggestion_correction_disagreeing_with_a_curated_date_goes_to_the_conflict_queue(
    office, member, reviewer
):
    tie = FriendshipLinkFactory(
        city_a=office.office_of,
        established_on=datetime.date(1997, 10, 8),
        established_precision="day",
    )
    suggestion = services.suggestion_submit(
        partner=office,
        actor=member,
        kind=SuggestionKind.CORRECTION,
        fields={
            "tie": tie,
            "correction_field": CorrectionField.ESTABLISHED,
            "date": datetime.date(1998, 10, 8),
            "date_precision": "day",
            "source_url": "https://www.yangzhou.gov.cn/ties/",
        },
    )
    services.suggestion_start_review(suggestion=suggestion, actor=reviewer)

    result = services.suggestion_accept(suggestion=suggestion, actor=reviewer)

    tie.refresh_from_db()
    assert (result.outcome, tie.established_on) == (
        SuggestionOutcome.CONFLICT,
        datetime.date(1997, 10, 8),
    )
    conflict = TieConflict.objects.get()
    assert (
        conflict.tie,
        conflict.field,
        conflict.current_value,
        conflict.incoming_value,
        conflict.incoming_source.url,
        conflict.status,
    ) == (
        tie,
        "established",
        "1997-10-08",
        "1998-10-08",
        "https://www.yangzhou.gov.cn/ties/",
        ConflictStatus.OPEN,
    )
    assert tie.history.count() == 0


def test_suggestion_correction_of_an_empty_name_is_written_with_its_source(
    office, member, reviewer
):
    office.office_of.name_ko = ""
    office.office_of.save()
    suggestion = services.suggestion_submit(
        partner=office,
        actor=member,
        kind=SuggestionKind.CORRECTION,
        fields={
            "correction_field": CorrectionField.NAME_KO,
            "value": "양저우",
            "source_url": "https://www.yangzhou.gov.cn/ko/",
        },
    )
    services.suggestion_start_review(suggestion=suggestion, actor=reviewer)

    result = services.suggestion_accept(suggestion=suggestion, actor=reviewer)

    place = office.office_of
    place.refresh_from_db()
    assert (result.outcome, place.name_ko) == (SuggestionOutcome.APPLIED, "양저우")
    entry = place.history.get()
    assert (entry.changes, entry.source.url) == (
        {"name_ko": ["", "양저우"]},
        "https://www.yangzhou.gov.cn/ko/",
    )


def test_suggestion_milestone_end_ends_the_tie(office, member, reviewer):
    tie = FriendshipLinkFactory(city_b=office.office_of, established_on=datetime.date(1990, 1, 1))
    suggestion = services.suggestion_submit(
        partner=office,
        actor=member,
        kind=SuggestionKind.MILESTONE,
        fields={
            "tie": tie,
            "milestone_kind": MilestoneKind.END,
            "date": datetime.date(2020, 3, 31),
            "date_precision": "day",
        },
        document=agreement_pdf("end.pdf"),
    )
    services.suggestion_start_review(suggestion=suggestion, actor=reviewer)

    services.suggestion_accept(suggestion=suggestion, actor=reviewer)

    tie.refresh_from_db()
    assert (tie.status, tie.ended_on) == (TieStatus.ENDED, datetime.date(2020, 3, 31))
    entry = tie.history.get()
    assert (entry.action, entry.milestone.kind, entry.changes) == (
        HistoryAction.MILESTONE,
        MilestoneKind.END,
        {"status": ["active", "ended"], "ended_on": ["", "2020-03-31"]},
    )


def test_suggestion_reject_needs_a_message_and_mails_it(
    office, member, reviewer, django_capture_on_commit_callbacks
):
    suggestion = submit_new_tie(office, member, CityFactory(name_en="Nara"))
    services.suggestion_start_review(suggestion=suggestion, actor=reviewer)
    with pytest.raises(ProposalError):
        services.suggestion_reject(suggestion=suggestion, actor=reviewer, message=" ")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.suggestion_reject(
            suggestion=suggestion, actor=reviewer, message="The PDF is not signed."
        )

    assert [m.subject for m in mail.outbox] == ["Suggestion not accepted: new tie: Yangzhou — Nara"]
    assert "The PDF is not signed." in mail.outbox[0].body
    assert FriendshipLink.objects.count() == 0


def test_suggestion_withdraw_by_the_office(office, member):
    suggestion = submit_new_tie(office, member, CityFactory())

    result = services.suggestion_withdraw(suggestion=suggestion, actor=member)

    assert result.state == S.WITHDRAWN


def test_suggestion_mail_names_the_places_in_each_recipients_language(
    office, member, django_capture_on_commit_callbacks
):
    member.partner_membership.language = "ja"
    member.partner_membership.save()
    office.office_of.name_ja = "揚州"
    office.office_of.save()

    with django_capture_on_commit_callbacks(execute=True):
        submit_new_tie(office, member, CityFactory(name_en="Nara", name_ja="奈良"))

    assert [m.subject for m in mail.outbox] == ["提案受付：新しい提携: 揚州 — 奈良"]
