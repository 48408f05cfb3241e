"""Writes for city offices: verifying a partner as a place's office, and its suggestions.

A suggestion (new tie, milestone, correction) goes through the same states, transition map
(`events.services.TRANSITIONS`), actor checks, rate limits and review desk as an event
proposal. Accepting it applies it through the tie and place services of `cities`
(`tie_add_from_outside`, `tie_milestone_add`, `tie_facts_apply`, `city_names_apply`), with
the office's document as the source: they write the record's history and queue anything
that disagrees with a curated fact in the conflict queue instead of writing it.
"""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.models import FriendshipLink, HistoryVia, Source, SourceKind
from cities.reconcile import TieFacts
from cities.services import (
    OutsideOutcome,
    city_names_apply,
    tie_add_from_outside,
    tie_facts_apply,
    tie_milestone_add,
)

from . import emails
from .models import (
    CorrectionField,
    Partner,
    PartnerMembership,
    ProposalState,
    Suggestion,
    SuggestionActivity,
    SuggestionKind,
    SuggestionOutcome,
)
from .services import (
    STATE_SENTENCES,
    ProposalError,
    TransitionNotAllowed,
    _check_actor,
    _require_message,
    allowed_targets,
    proposal_submit_guard,
    review_note_add,
    two_sentences,
    user_partner_id,
)
from .storage import private_storage
from .validators import suggestion_errors

S = ProposalState
OFFICE_VERIFY_PERMISSION = "events.change_partner"
# What a partner writes in a suggestion (the form derives its fields from this list).
SUGGESTION_PARTNER_FIELDS = (
    "partner_place",
    "tie",
    "tie_kind",
    "date",
    "date_precision",
    "date_basis",
    "label_own",
    "label_partner",
    "milestone_kind",
    "kind_after",
    "correction_field",
    "value",
    "source_url",
    "note",
)


# --- City offices -----------------------------------------------------------------------------


def user_may_verify_offices(user) -> bool:
    return bool(
        user and user.is_active and user.is_staff and user.has_perm(OFFICE_VERIFY_PERMISSION)
    )


def partner_office_verify(*, partner: Partner, actor, place=None) -> Partner:
    """Record that a curator checked the partner is the office of `place` (default: the place
    it named at sign-up). Raises PermissionDenied for a user who may not change partners and
    ValidationError when no place is known. Locks the partner row."""
    if not user_may_verify_offices(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = (
            Partner.objects.select_for_update(of=("self",))
            .select_related("place")
            .get(pk=partner.pk)
        )
        place = place or locked.place
        if place is None:
            raise ValidationError(
                _("This partner names no place: set its place first."), code="no_place"
            )
        if locked.office_of_id == place.pk:
            return locked
        locked.office_of = place
        locked.office_verified_by = actor
        locked.office_verified_at = timezone.now()
        locked.save(
            update_fields=["office_of", "office_verified_by", "office_verified_at", "updated_at"]
        )
    return locked


def partner_office_revoke(*, partner: Partner, actor) -> Partner:
    """The partner is no longer a verified office (its open suggestions stay for review)."""
    if not user_may_verify_offices(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if locked.office_of_id is None:
            return locked
        locked.office_of = None
        locked.office_verified_by = actor
        locked.office_verified_at = timezone.now()
        locked.save(
            update_fields=["office_of", "office_verified_by", "office_verified_at", "updated_at"]
        )
    return locked


# --- Submitting -------------------------------------------------------------------------------


def suggestion_values(*, partner: Partner, kind: str, fields: dict, has_document: bool) -> dict:
    """The values `suggestion_errors` checks: the fields, the office's place, the tie the two
    places already have (for a new tie)."""
    values = {**fields, "kind": kind, "place": partner.office_of, "has_document": has_document}
    partner_place = fields.get("partner_place")
    values["existing_tie"] = (
        FriendshipLink.objects.involving(partner.office_of).involving(partner_place).first()
        if kind == SuggestionKind.NEW_TIE and partner_place is not None and partner.office_of
        else None
    )
    return values


def suggestion_submit(
    *,
    partner: Partner,
    actor,
    kind: str,
    fields: dict,
    document=None,
    language: str = "en",
    client_address: str = "",
) -> Suggestion:
    """Send a city office's suggestion to the reviewers (it is created submitted).

    Requires the actor to serve `partner`, a verified e-mail address, a partner verified as
    the office of a place, and values that pass `suggestion_errors`; counts against the same
    submission limits as proposals (`proposal_submit_guard`). The PDF (checked by the form,
    `validate_pdf`) is stored privately under an unguessable name. Mails a receipt to the
    partner and a note to the reviewers after commit. Raises PermissionDenied or
    ProposalError (SubmissionLimited past a limit).
    """
    if user_partner_id(actor) != partner.pk:
        raise PermissionDenied
    unknown = sorted(set(fields) - set(SUGGESTION_PARTNER_FIELDS))
    if unknown:
        raise TypeError(f"not a field a partner writes: {', '.join(unknown)}")
    with transaction.atomic():
        partner = (
            Partner.objects.select_for_update(of=("self",))
            .select_related("office_of")
            .get(pk=partner.pk)
        )
        if partner.office_of_id is None:
            raise ProposalError(
                _(
                    "Only an organisation a curator has verified as the office of a place can "
                    "suggest ties and corrections."
                ),
                code="not_an_office",
            )
        if not PartnerMembership.objects.filter(
            user=actor, email_verified_at__isnull=False
        ).exists():
            raise ProposalError(
                _("Please verify your e-mail address before sending a suggestion."),
                code="email_unverified",
            )
        errors = suggestion_errors(
            suggestion_values(
                partner=partner, kind=kind, fields=fields, has_document=document is not None
            )
        )
        if errors:
            raise ProposalError(errors)
        open_count = Suggestion.objects.filter(partner=partner).open().count()
        if open_count >= settings.PROPOSAL_OPEN_LIMIT:
            raise ProposalError(
                _(
                    "Your organisation already has %(count)s suggestions waiting for review, the "
                    "most allowed. Wait for a decision before sending another."
                ),
                code="open_limit",
                params={"count": open_count},
            )
        proposal_submit_guard(partner_id=partner.pk, client_address=client_address)
        suggestion = Suggestion(
            partner=partner,
            created_by=actor,
            language=language,
            kind=kind,
            place=partner.office_of,
            state=S.SUBMITTED,
            submitted_at=timezone.now(),
            **fields,
        )
        if document is not None:
            document.seek(0)
            suggestion.document = private_storage().save(
                f"suggestions/{secrets.token_urlsafe(24)}.pdf", ContentFile(document.read())
            )
            suggestion.document_name = PurePath(document.name).name[:200]
        suggestion.full_clean(exclude=["partner", "created_by", "place"])
        suggestion.save()
        SuggestionActivity.objects.create(
            suggestion=suggestion, actor=actor, from_state="", to_state=S.SUBMITTED
        )
        _queue_mail(suggestion, to_state=S.SUBMITTED, message="")
    return suggestion


# --- State transitions ------------------------------------------------------------------------

# Why a suggestion's transition is refused, as a whole sentence (followed by the sentence
# of the state it is in, as for proposals): a state label glued into a sentence reads
# wrongly in every language. A suggestion is never sent back for changes.
SUGGESTION_TRANSITION_REFUSALS = {
    S.UNDER_REVIEW: _("The review of this suggestion cannot start now."),
    S.CHANGES_REQUESTED: _(
        "A suggestion is not sent back for changes: reject it with a message saying what "
        "the office should send instead."
    ),
    S.ACCEPTED: _("A suggestion can be accepted only while it is under review."),
    S.REJECTED: _("A suggestion can be rejected only while it is under review."),
    S.WITHDRAWN: _("This suggestion can no longer be withdrawn."),
}


def suggestion_transition_refusal(*, from_state: str, to_state: str) -> str:
    """Why a suggestion in `from_state` cannot move to `to_state`, in two sentences."""
    refusal = SUGGESTION_TRANSITION_REFUSALS.get(
        to_state, _("This suggestion cannot be changed so now.")
    )
    return two_sentences(refusal, STATE_SENTENCES[from_state])


def _transition(
    *, suggestion: Suggestion, actor, to_state: str, message: str = "", before_save=None
):
    """Move a suggestion to `to_state` under a row lock, by the proposals' transition map."""
    with transaction.atomic():
        locked = (
            Suggestion.objects.select_for_update(of=("self",))
            .select_related("partner", "place", "partner_place", "tie")
            .get(pk=suggestion.pk)
        )
        _check_actor(locked, actor, to_state)
        if locked.state == to_state:
            return locked
        from_state = locked.state
        if to_state not in allowed_targets(from_state) or to_state == S.CHANGES_REQUESTED:
            raise TransitionNotAllowed(
                suggestion_transition_refusal(from_state=from_state, to_state=to_state),
                code="transition_not_allowed",
            )
        update_fields = ["state", "updated_at"]
        if before_save is not None:
            update_fields += before_save(locked)
        locked.state = to_state
        locked.save(update_fields=update_fields)
        SuggestionActivity.objects.create(
            suggestion=locked,
            actor=actor,
            from_state=from_state,
            to_state=to_state,
            message=message,
        )
        _queue_mail(locked, to_state=to_state, message=message)
    return locked


class _Title:
    """The suggestion's title, read when each mail is rendered: in its recipient's language."""

    def __init__(self, suggestion: Suggestion):
        self.suggestion = suggestion

    def __str__(self) -> str:
        return self.suggestion.title


def _queue_mail(suggestion: Suggestion, *, to_state: str, message: str) -> None:
    context = {
        "suggestion_title": _Title(suggestion),
        "partner_name": suggestion.partner.name,
        "message": message,
        "outcome": SuggestionOutcome(suggestion.outcome).label if suggestion.outcome else "",
    }
    partner_link = {"suggestion_url": ("partners:suggestion_detail", {"pk": suggestion.pk})}
    recipients = emails.partner_recipients(suggestion.partner)
    if to_state == S.SUBMITTED:
        emails.queue_mail(
            template="suggestion_received",
            recipients=recipients,
            context=context,
            links=partner_link,
        )
        emails.queue_mail(
            template="suggestion_new_for_reviewers",
            recipients=emails.reviewer_recipients(),
            context=context,
            links={"review_url": ("admin:events_suggestion_change", {"object_id": suggestion.pk})},
        )
    elif to_state in (S.ACCEPTED, S.REJECTED):
        emails.queue_mail(
            template=f"suggestion_{to_state}",
            recipients=recipients,
            context=context,
            links=partner_link,
        )


def _reviewer_stamp(actor):
    def stamp(locked: Suggestion) -> list[str]:
        locked.reviewer = actor
        return ["reviewer"]

    return stamp


def suggestion_start_review(*, suggestion: Suggestion, actor, message: str = "") -> Suggestion:
    """submitted → under review, by a reviewer, who becomes the suggestion's reviewer."""
    return _transition(
        suggestion=suggestion,
        actor=actor,
        to_state=S.UNDER_REVIEW,
        message=message,
        before_save=_reviewer_stamp(actor),
    )


def suggestion_reject(*, suggestion: Suggestion, actor, message: str) -> Suggestion:
    """under review → rejected, with a required message mailed to the office."""
    message = _require_message(message)

    def stamp(locked: Suggestion) -> list[str]:
        locked.reviewer, locked.decided_at = actor, timezone.now()
        return ["reviewer", "decided_at"]

    return _transition(
        suggestion=suggestion, actor=actor, to_state=S.REJECTED, message=message, before_save=stamp
    )


def suggestion_accept(*, suggestion: Suggestion, actor, message: str = "") -> Suggestion:
    """under review → accepted: applied through the tie and place services in the same
    transaction, exactly once (the row lock makes a second, concurrent accept a no-op).

    What the suggestion adds or makes more precise is written, with the office's document (or
    page) as source, and recorded in the record's history; what disagrees with a curated fact
    is queued in the conflict queue (`outcome` says which). A suggestion the data refuses
    (e.g. the same milestone twice) raises ProposalError and stays under review. Mails the
    office after commit.
    """

    def apply(locked: Suggestion) -> list[str]:
        try:
            outcome = _apply(locked, actor=actor)
        except ValidationError as error:
            raise ProposalError(
                _("The suggestion cannot be applied: %(reason)s"),
                code="not_applicable",
                params={"reason": " ".join(error.messages)},
            ) from error
        if outcome.conflicts:
            locked.outcome = (
                SuggestionOutcome.PARTLY if outcome.changed else SuggestionOutcome.CONFLICT
            )
        else:
            locked.outcome = (
                SuggestionOutcome.APPLIED if outcome.changed else SuggestionOutcome.UNCHANGED
            )
        if outcome.tie is not None:
            locked.tie = outcome.tie
        locked.reviewer, locked.decided_at = actor, timezone.now()
        return ["outcome", "tie", "reviewer", "decided_at"]

    return _transition(
        suggestion=suggestion, actor=actor, to_state=S.ACCEPTED, message=message, before_save=apply
    )


def suggestion_withdraw(*, suggestion: Suggestion, actor, message: str = "") -> Suggestion:
    """Any open state → withdrawn, by the office's own user."""
    return _transition(suggestion=suggestion, actor=actor, to_state=S.WITHDRAWN, message=message)


SUGGESTION_TRANSITION_SERVICES = {
    S.UNDER_REVIEW: suggestion_start_review,
    S.ACCEPTED: suggestion_accept,
    S.REJECTED: suggestion_reject,
    S.WITHDRAWN: suggestion_withdraw,
}


def suggestion_add_note(*, suggestion: Suggestion, actor, message: str) -> SuggestionActivity:
    """Record a reviewer's internal note; the office never sees it."""
    return review_note_add(
        activities=suggestion.activities, state=suggestion.state, actor=actor, message=message
    )


# --- Applying ---------------------------------------------------------------------------------


def _office_name(suggestion: Suggestion) -> str:
    # Stored text, so in one language: the partner's English name where it has one.
    return suggestion.partner.name_en or suggestion.partner.name


def suggestion_source(suggestion: Suggestion) -> Source:
    """The source an accepted suggestion's facts carry: the office's PDF, published (copied to
    public storage, `sources/`), else its public page. A primary source: the publisher is the
    place's own government office."""
    office = _office_name(suggestion)
    if suggestion.document:
        with private_storage().open(suggestion.document.name) as upload:
            name = default_storage.save(
                f"sources/{secrets.token_urlsafe(24)}.pdf", ContentFile(upload.read())
            )
        if suggestion.kind == SuggestionKind.NEW_TIE:
            what = f"Agreement between {suggestion.place} and {suggestion.partner_place}"
        else:
            what = f"Document on {suggestion.tie or suggestion.place}"
        return Source.objects.create(
            title=f"{what} (PDF supplied by {office}, suggestion #{suggestion.pk})"[:500],
            publisher=office[:200],
            accessed_on=timezone.localdate(),
            kind=SourceKind.PRIMARY,
            document=name,
        )
    source, _created = Source.objects.get_or_create(
        url=suggestion.source_url,
        title="",
        defaults={
            "publisher": office[:200],
            "accessed_on": timezone.localdate(),
            "kind": SourceKind.PRIMARY,
        },
    )
    return source


def _apply(suggestion: Suggestion, *, actor) -> OutsideOutcome:
    source = suggestion_source(suggestion)
    history = {
        "changed_by": actor,
        "via": HistoryVia.OFFICE,
        # The office's name: the public history says "by the city office (…)"; the source's
        # title names the suggestion.
        "via_detail": _office_name(suggestion),
    }
    place, tie = suggestion.place, suggestion.tie
    if suggestion.kind == SuggestionKind.NEW_TIE:
        return tie_add_from_outside(
            place=place,
            partner=suggestion.partner_place,
            facts=TieFacts(
                kind=suggestion.tie_kind,
                established_on=suggestion.date,
                established_precision=suggestion.date_precision,
                date_basis=suggestion.date_basis,
                label_a=suggestion.label_own,
                label_b=suggestion.label_partner,
                verified=True,
            ),
            source=source,
            **history,
        )
    if suggestion.kind == SuggestionKind.MILESTONE:
        milestone = tie_milestone_add(
            tie=tie,
            kind=suggestion.milestone_kind,
            date=suggestion.date,
            precision=suggestion.date_precision,
            kind_after=suggestion.kind_after,
            sources=[source],
            **history,
        )
        tie.sources.add(source)
        return OutsideOutcome(tie=tie, milestones=[milestone])
    field = suggestion.correction_field
    if field == CorrectionField.ESTABLISHED:
        facts = TieFacts(
            established_on=suggestion.date,
            established_precision=suggestion.date_precision,
            date_basis=suggestion.date_basis,
        )
        return tie_facts_apply(tie=tie, facts=facts, source=source, **history)
    if field == CorrectionField.LABEL:
        side = "label_a" if tie.city_a_id == place.pk else "label_b"
        facts = TieFacts(**{side: suggestion.value.strip()})
        return tie_facts_apply(tie=tie, facts=facts, source=source, **history)
    return city_names_apply(city=place, names={field: suggestion.value}, source=source, **history)
