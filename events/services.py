"""Writes for partners and proposals. Every proposal state change goes through here.

The model is pretalx's `set_submission_state`: one module-level map of allowed
transitions (`TRANSITIONS`), one service per transition, each inside
`transaction.atomic` with the proposal row locked (`select_for_update`), a
`ProposalActivity` recorded, mail queued with `transaction.on_commit`, and a no-op
when the proposal is already in the target state. The partner views, the admin
buttons and the admin bulk actions all call these functions.
"""

import secrets
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cities.dates import DatePrecision
from cities.models import City, FriendshipLink, Source
from exchangeportal.infra.images import ProcessedImage, delete_image, thumbnail_name
from exchangeportal.infra.ratelimit import ratelimit_hit
from exchangeportal.infra.translation import CONTENT_LANGUAGE_SUFFIXES, language_suffix

from . import emails
from .models import (
    PROPOSAL_IMAGE_FIELDS,
    PROPOSAL_SUMMARY_FIELDS,
    PROPOSAL_TITLE_FIELDS,
    EventProposal,
    EventStatus,
    ExchangeEvent,
    GoodPractice,
    Partner,
    PartnerMembership,
    ProposalActivity,
    ProposalState,
)
from .slugs import event_slug, romanised_title
from .storage import private_storage
from .validators import proposal_errors, proposal_missing, proposal_values

S = ProposalState

# The one map of allowed transitions: state → states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.CHANGES_REQUESTED, S.ACCEPTED, S.REJECTED, S.WITHDRAWN}),
    S.CHANGES_REQUESTED: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# Who may move a proposal into a state: the partner's own users, or reviewers.
PARTNER_TARGETS = frozenset({S.SUBMITTED, S.WITHDRAWN})
REVIEWER_TARGETS = frozenset({S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.ACCEPTED, S.REJECTED})
REVIEW_PERMISSION = "events.review_eventproposal"

VERIFY_EMAIL_SALT = "events.partner-verify-email"

# Messages are whole sentences, one per state and transition (a state's label glued into a
# sentence reads wrongly in every language): where a proposal stands now, …
STATE_SENTENCES = {
    S.DRAFT: _("It is still a draft."),
    S.SUBMITTED: _("It was submitted and waits for a reviewer."),
    S.UNDER_REVIEW: _("It is under review."),
    S.CHANGES_REQUESTED: _("Changes were requested from the partner."),
    S.ACCEPTED: _("It was accepted."),
    S.REJECTED: _("It was not accepted."),
    S.WITHDRAWN: _("It was withdrawn."),
}
# … why a transition is refused (followed by the state sentence), …
TRANSITION_REFUSALS = {
    S.SUBMITTED: _("This proposal cannot be submitted now."),
    S.UNDER_REVIEW: _("The review of this proposal cannot start now."),
    S.CHANGES_REQUESTED: _("Changes can be requested only while a proposal is under review."),
    S.ACCEPTED: _("A proposal can be accepted only while it is under review."),
    S.REJECTED: _("A proposal can be rejected only while it is under review."),
    S.WITHDRAWN: _("This proposal can no longer be withdrawn."),
}
# … and what a transition did, for the one who made it (admin, partner pages).
TRANSITION_DONE = {
    S.SUBMITTED: _("Proposal submitted. We sent you a receipt."),
    S.UNDER_REVIEW: _("The review started: you are now this proposal's reviewer."),
    S.CHANGES_REQUESTED: _("Changes were requested: the partner was sent your message."),
    S.ACCEPTED: _("The proposal was accepted and its event is published."),
    S.REJECTED: _("The proposal was rejected: the partner was sent your message."),
    S.WITHDRAWN: _("Proposal withdrawn."),
}


def two_sentences(first, second) -> str:
    # Chinese and Japanese join sentences without a space: the joint is translated too.
    return _("%(first)s %(second)s") % {"first": first, "second": second}


def transition_refusal(*, from_state: str, to_state: str) -> str:
    """Why a proposal in `from_state` cannot move to `to_state`, in two sentences."""
    refusal = TRANSITION_REFUSALS.get(to_state, _("This proposal cannot be changed so now."))
    return two_sentences(refusal, STATE_SENTENCES[from_state])


def not_editable_message(*, state: str) -> str:
    """Why a proposal in `state` cannot be edited, in two sentences."""
    return two_sentences(_("This proposal can no longer be edited."), STATE_SENTENCES[state])


class ProposalError(ValidationError):
    """A proposal operation refused for a reason the user can read."""


class TransitionNotAllowed(ProposalError):
    pass


class SubmissionLimited(ProposalError):
    """Too many submissions from this partner or this address; `retry_after` in seconds."""

    def __init__(self, message, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def allowed_targets(state: str) -> frozenset[str]:
    return TRANSITIONS.get(state, frozenset())


def user_is_reviewer(user) -> bool:
    return bool(user and user.is_active and user.is_staff and user.has_perm(REVIEW_PERMISSION))


def user_partner_id(user) -> int | None:
    membership = getattr(user, "partner_membership", None) if user else None
    return membership.partner_id if membership else None


# --- Partners -------------------------------------------------------------------------------


def partner_register(
    *,
    username: str,
    email: str,
    password: str,
    partner_names: dict[str, str],
    kind: str,
    country: str,
    place: City | None = None,
    website: str = "",
    language: str = "en",
):
    """Create a user, their partner organisation and the membership joining them.

    The e-mail address starts unverified; a verification link is mailed after commit.
    Returns the new user. When an account already has this e-mail address, nothing is
    created: its owner is mailed instead (as the password reset does) and None is returned,
    so that the sign-up answers the same and does not tell who has an account.
    Raises ValidationError when no name is given.
    """
    if not any(value.strip() for value in partner_names.values()):
        raise ValidationError(_("Give the organisation's name in at least one language."))
    owner = get_user_model().objects.filter(email__iexact=email).order_by("pk").first()
    if owner is not None:
        make_password(password)  # as long as a real sign-up takes: the timing tells nothing
        _mail_address_taken(owner=owner, language=language)
        return None
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=username, email=email, password=password
        )
        partner = Partner.objects.create(
            **{
                f"name_{language_suffix(code)}": value.strip()
                for code, value in partner_names.items()
            },
            kind=kind,
            country=country,
            place=place,
            website=website,
        )
        membership = PartnerMembership.objects.create(user=user, partner=partner, language=language)
        partner_send_verification(membership=membership)
    return user


def _mail_address_taken(*, owner, language: str) -> None:
    membership = PartnerMembership.objects.filter(user=owner).first()
    emails.queue_mail(
        template="signup_address_taken",
        recipients=[emails.Recipient(owner.email, membership.language if membership else language)],
        context={"username": owner.get_username()},
        links={
            "login_url": ("partners:login", {}),
            "password_reset_url": ("partners:password_reset", {}),
        },
    )


def partner_verification_token(*, user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_EMAIL_SALT)


def partner_send_verification(*, membership: PartnerMembership) -> None:
    """Queue the mail with the signed link that verifies the member's address."""
    token = partner_verification_token(user=membership.user)
    emails.queue_mail(
        template="verify_email",
        recipients=[emails.Recipient(membership.user.email, membership.language)],
        context={
            "partner_name": membership.partner.name,
            "username": membership.user.get_username(),
            "days": settings.PARTNER_EMAIL_VERIFICATION_DAYS,
        },
        links={"verify_url": ("partners:verify_email", {"token": token})},
    )


def partner_email_verify(*, token: str) -> PartnerMembership:
    """Mark the address in a signed link as verified.

    Raises ValidationError when the link is forged, expired, or the address changed since.
    """
    try:
        payload = signing.loads(
            token,
            salt=VERIFY_EMAIL_SALT,
            max_age=settings.PARTNER_EMAIL_VERIFICATION_DAYS * 24 * 3600,
        )
    except signing.SignatureExpired as error:
        raise ValidationError(
            _("This verification link has expired. Ask for a new one."), code="expired"
        ) from error
    except signing.BadSignature as error:
        raise ValidationError(_("This verification link is not valid."), code="invalid") from error
    with transaction.atomic():
        membership = (
            PartnerMembership.objects.select_for_update()
            .select_related("user")
            .filter(user_id=payload.get("u"))
            .first()
        )
        if membership is None or membership.user.email != payload.get("e"):
            raise ValidationError(_("This verification link is not valid."), code="invalid")
        if membership.email_verified_at is None:
            membership.email_verified_at = timezone.now()
            membership.save(update_fields=["email_verified_at", "updated_at"])
    return membership


# --- Proposal content -----------------------------------------------------------------------


def proposal_save(
    *,
    proposal: EventProposal | None,
    partner: Partner,
    actor,
    fields: dict,
    partner_places: Iterable[City] | None = None,
    links: Iterable[FriendshipLink] | None = None,
    images: dict[str, ProcessedImage | None] | None = None,
    document=None,
    remove_document: bool = False,
    language: str = "en",
) -> EventProposal:
    """Create a draft (proposal=None) or update an editable proposal's content.

    `fields` holds plain field values; `images` maps `image_1..3` to a processed image
    (replace) or None (remove); absent keys keep the stored file. Replaced files are
    deleted only after commit. Raises ProposalError when the proposal is not editable,
    the user is not the partner's, the partner has too many open proposals, or the values
    break a proposal rule (`events.validators.proposal_errors`, the draft rules).
    """
    if user_partner_id(actor) != partner.pk:
        raise PermissionDenied
    replaced: list[str] = []
    with transaction.atomic():
        if proposal is None:
            Partner.objects.select_for_update().filter(pk=partner.pk).first()
            open_count = EventProposal.objects.for_partner(partner).open().count()
            if open_count >= settings.PROPOSAL_OPEN_LIMIT:
                raise ProposalError(
                    _(
                        "Your organisation already has %(count)s open proposals, the most "
                        "allowed. Withdraw one or wait for a decision before starting another."
                    ),
                    code="open_limit",
                    params={"count": open_count},
                )
            proposal = EventProposal(partner=partner, created_by=actor, language=language)
            created = True
        else:
            proposal = EventProposal.objects.select_for_update().get(pk=proposal.pk)
            if proposal.partner_id != partner.pk:
                raise PermissionDenied
            if not proposal.is_editable:
                raise ProposalError(
                    _("A proposal can only be edited as a draft or when changes are requested."),
                    code="not_editable",
                )
            created = False

        for name, value in fields.items():
            setattr(proposal, name, value)
        changes = {}
        if partner_places is not None:
            changes["partner_places"] = partner_places = list(partner_places)
        errors = proposal_errors(proposal_values(proposal, **changes))
        if errors:
            raise ProposalError(errors)
        for name, processed in (images or {}).items():
            if name not in PROPOSAL_IMAGE_FIELDS:
                raise ValueError(name)
            old = getattr(proposal, name).name
            if old:
                replaced.append(old)
            new = (
                processed.store(storage=private_storage(), folder="proposals") if processed else ""
            )
            setattr(proposal, name, new)
        if document is not None or remove_document:
            if proposal.document.name:
                replaced.append(proposal.document.name)
            if document is not None:
                extension = PurePath(document.name).suffix.lower()
                document.seek(0)
                proposal.document = private_storage().save(
                    f"proposals/{secrets.token_urlsafe(24)}{extension}",
                    ContentFile(document.read()),
                )
                proposal.document_name = PurePath(document.name).name[:200]
            else:
                proposal.document = ""
                proposal.document_name = ""
        proposal.full_clean(exclude=["partner", "created_by"], validate_unique=False)
        proposal.save()
        if partner_places is not None:
            proposal.partner_places.set(partner_places)
        if links is not None:
            proposal.links.set(links)
        if created:
            ProposalActivity.objects.create(
                proposal=proposal, actor=actor, from_state="", to_state=S.DRAFT
            )

        def delete_replaced() -> None:
            storage = private_storage()
            for name in replaced:
                delete_image(storage=storage, name=name)

        transaction.on_commit(delete_replaced)
    return proposal


def proposal_missing_fields(proposal: EventProposal) -> list[str]:
    """Verbose names of the fields a proposal still needs before it can be submitted."""
    missing = [
        str(EventProposal._meta.get_field(name).verbose_name)
        for name in proposal_missing(proposal_values(proposal, partner_places=[]))
    ]
    if not proposal.privacy_consent:
        missing.append(str(EventProposal._meta.get_field("privacy_consent").verbose_name))
    return missing


def proposal_submission_errors(proposal: EventProposal, *, today=None) -> dict[str, list[str]]:
    """The rules a proposal must pass to be submitted (`events.validators`), as
    {field: [messages]}."""
    return proposal_errors(proposal_values(proposal), submitting=True, today=today)


# --- State transitions ----------------------------------------------------------------------


def _transition(
    *,
    proposal: EventProposal,
    actor,
    to_state: str,
    message: str = "",
    before_save=None,
) -> EventProposal:
    """Move a proposal to `to_state` under a row lock; see the module docstring."""
    with transaction.atomic():
        locked = EventProposal.objects.select_for_update().get(pk=proposal.pk)
        _check_actor(locked, actor, to_state)
        if locked.state == to_state:
            return locked
        from_state = locked.state
        if to_state not in allowed_targets(from_state):
            raise TransitionNotAllowed(
                transition_refusal(from_state=from_state, to_state=to_state),
                code="transition_not_allowed",
            )
        update_fields = ["state", "updated_at"]
        if before_save is not None:
            update_fields += before_save(locked)
        locked.state = to_state
        locked.save(update_fields=update_fields)
        ProposalActivity.objects.create(
            proposal=locked, actor=actor, from_state=from_state, to_state=to_state, message=message
        )
        _queue_transition_mail(locked, to_state=to_state, message=message)
    return locked


def _check_actor(proposal: EventProposal, actor, to_state: str) -> None:
    if to_state in PARTNER_TARGETS and user_partner_id(actor) == proposal.partner_id:
        return
    if to_state in REVIEWER_TARGETS and user_is_reviewer(actor):
        return
    raise PermissionDenied


def _queue_transition_mail(proposal: EventProposal, *, to_state: str, message: str) -> None:
    context = {
        "proposal_title": str(proposal),
        "partner_name": proposal.partner.name,
        "message": message,
        "state": to_state,
    }
    partner_link = {"proposal_url": ("partners:proposal_detail", {"pk": proposal.pk})}
    recipients = emails.partner_recipients(
        proposal.partner, extra_email=proposal.contact_email, extra_language=proposal.language
    )
    if to_state == S.SUBMITTED:
        emails.queue_mail(
            template="proposal_received",
            recipients=recipients,
            context=context,
            links=partner_link,
        )
        emails.queue_mail(
            template="proposal_new_for_reviewers",
            recipients=emails.reviewer_recipients(),
            context=context,
            links={"review_url": ("admin:events_eventproposal_change", {"object_id": proposal.pk})},
        )
    elif to_state in (S.CHANGES_REQUESTED, S.ACCEPTED, S.REJECTED):
        if to_state == S.ACCEPTED and proposal.event_id:
            context["event_slug"] = proposal.event.slug
            partner_link["event_url"] = ("events:event_detail", {"slug": proposal.event.slug})
        emails.queue_mail(
            template=f"proposal_{to_state}",
            recipients=recipients,
            context=context,
            links=partner_link,
        )


def proposal_submit_guard(*, partner_id: int, client_address: str) -> None:
    """Count one submission against the partner's and the address's limits
    (`PROPOSAL_SUBMIT_RATE_PARTNER`, `PROPOSAL_SUBMIT_RATE_IP`, in the shared cache).

    Called by `proposal_submit`, so the partner pages and the API are limited alike.
    Raises SubmissionLimited (with `retry_after`) past either limit.
    """
    if not settings.RATELIMIT_ENABLED:
        return
    checks = [("proposal-submit-partner", str(partner_id), settings.PROPOSAL_SUBMIT_RATE_PARTNER)]
    if client_address:
        checks.insert(0, ("proposal-submit-ip", client_address, settings.PROPOSAL_SUBMIT_RATE_IP))
    for scope, key, rate in checks:
        result = ratelimit_hit(scope=scope, key=key, rate=rate)
        if not result.allowed:
            raise SubmissionLimited(
                _("Too many submissions in a short time. Your draft is saved: submit it later."),
                code="submit_rate_limited",
                retry_after=result.retry_after,
            )


def proposal_submit(*, proposal: EventProposal, actor, client_address: str = "") -> EventProposal:
    """draft / changes requested → submitted, by the partner's own user.

    Requires a verified e-mail address and a complete proposal (see
    `proposal_submission_errors`), and counts against the submission limits per partner and
    per `client_address` (the request's `client_ip`; empty outside a request), see
    `proposal_submit_guard`. Mails a receipt to the partner and a note to the Reviewer group
    after commit. Raises ProposalError (SubmissionLimited past a limit), TransitionNotAllowed
    or PermissionDenied.
    """

    def check(locked: EventProposal) -> list[str]:
        verified = PartnerMembership.objects.filter(
            user=actor, email_verified_at__isnull=False
        ).exists()
        if not verified:
            raise ProposalError(
                _("Please verify your e-mail address before submitting a proposal."),
                code="email_unverified",
            )
        errors = proposal_submission_errors(locked)
        if errors:
            raise ProposalError(errors)
        proposal_submit_guard(partner_id=locked.partner_id, client_address=client_address)
        locked.submitted_at = timezone.now()
        return ["submitted_at"]

    return _transition(proposal=proposal, actor=actor, to_state=S.SUBMITTED, before_save=check)


def _reviewer_stamp(actor):
    """A `before_save` that makes the acting reviewer the proposal's reviewer."""

    def stamp(locked: EventProposal) -> list[str]:
        locked.reviewer = actor
        return ["reviewer"]

    return stamp


def proposal_start_review(*, proposal: EventProposal, actor, message: str = "") -> EventProposal:
    """submitted → under review, by a reviewer, who becomes the proposal's reviewer."""

    return _transition(
        proposal=proposal,
        actor=actor,
        to_state=S.UNDER_REVIEW,
        message=message,
        before_save=_reviewer_stamp(actor),
    )


def _require_message(message: str) -> str:
    if not (message or "").strip():
        raise ProposalError(
            _("Write a message to the partner explaining the decision."), code="message_required"
        )
    return message.strip()


def proposal_request_changes(*, proposal: EventProposal, actor, message: str) -> EventProposal:
    """under review → changes requested, with a required message mailed to the partner."""
    message = _require_message(message)

    return _transition(
        proposal=proposal,
        actor=actor,
        to_state=S.CHANGES_REQUESTED,
        message=message,
        before_save=_reviewer_stamp(actor),
    )


def proposal_reject(*, proposal: EventProposal, actor, message: str) -> EventProposal:
    """under review → rejected, with a required message mailed to the partner."""
    message = _require_message(message)

    def stamp(locked: EventProposal) -> list[str]:
        locked.reviewer = actor
        locked.decided_at = timezone.now()
        return ["reviewer", "decided_at"]

    return _transition(
        proposal=proposal, actor=actor, to_state=S.REJECTED, message=message, before_save=stamp
    )


def proposal_accept(*, proposal: EventProposal, actor, message: str = "") -> EventProposal:
    """under review → accepted; creates the published, planned `ExchangeEvent` in the same
    transaction, exactly once (the row lock makes a second, concurrent accept a no-op).

    The first image and the announcement link are carried over (image copied to public
    storage; the proposal as a citation, the link and the partner's website as sources).
    Mails the partner after commit.
    """

    def create_event(locked: EventProposal) -> list[str]:
        missing = proposal_missing_fields(locked)
        if missing:
            raise ProposalError(
                _("The proposal lacks %(fields)s; request changes instead."),
                code="incomplete",
                params={"fields": ", ".join(missing)},
            )
        locked.event = _event_from_proposal(locked)
        locked.reviewer = actor
        locked.decided_at = timezone.now()
        return ["event", "reviewer", "decided_at"]

    return _transition(
        proposal=proposal,
        actor=actor,
        to_state=S.ACCEPTED,
        message=message,
        before_save=create_event,
    )


def proposal_withdraw(*, proposal: EventProposal, actor, message: str = "") -> EventProposal:
    """Any open state → withdrawn, by the partner's own user."""
    return _transition(proposal=proposal, actor=actor, to_state=S.WITHDRAWN, message=message)


TRANSITION_SERVICES = {
    S.SUBMITTED: proposal_submit,
    S.UNDER_REVIEW: proposal_start_review,
    S.CHANGES_REQUESTED: proposal_request_changes,
    S.ACCEPTED: proposal_accept,
    S.REJECTED: proposal_reject,
    S.WITHDRAWN: proposal_withdraw,
}


def review_note_add(*, activities, state: str, actor, message: str):
    """Record a reviewer's internal note on a reviewed item's timeline (`activities`, its
    related manager; `state`, its state now); the partner never sees it."""
    if not user_is_reviewer(actor):
        raise PermissionDenied
    if not (message or "").strip():
        raise ProposalError(_("The note is empty."), code="empty_note")
    return activities.create(
        actor=actor, from_state=state, to_state=state, message=message.strip(), is_internal=True
    )


def proposal_add_note(*, proposal: EventProposal, actor, message: str) -> ProposalActivity:
    """Record a reviewer's internal note; the partner never sees it."""
    return review_note_add(
        activities=proposal.activities, state=proposal.state, actor=actor, message=message
    )


def _slug_title(proposal: EventProposal) -> tuple[str, str]:
    """(title, language) the event's address is made from: the English title when there is
    one, else the one in the proposal's language, else the first given."""
    original = language_suffix(proposal.language)
    for suffix in dict.fromkeys(("en", original, *CONTENT_LANGUAGE_SUFFIXES)):
        if title := getattr(proposal, f"title_{suffix}"):
            return title, suffix
    return "", "en"


def _event_from_proposal(proposal: EventProposal) -> ExchangeEvent:
    """The event a proposal describes. Each language's title and summary go into the event's
    field of that language; the others stay empty for the translators. The English title is
    required on an event: without one from the partner it is the romanised title (the
    curators replace it with a translation). The proposing organisation is the organiser
    (`event.proposal.partner`), not one of the event's partner organisations."""
    title, title_language = _slug_title(proposal)
    texts = {
        name: getattr(proposal, name) for name in (*PROPOSAL_TITLE_FIELDS, *PROPOSAL_SUMMARY_FIELDS)
    }
    texts["title_en"] = texts["title_en"] or romanised_title(title, language=title_language)
    event = ExchangeEvent(
        slug=event_slug(
            title=title,
            language=title_language,
            year=proposal.starts_on.year,
            taken=lambda slug: ExchangeEvent.objects.filter(slug=slug).exists(),
        ),
        **texts,
        description=proposal.description,
        starts_on=proposal.starts_on,
        ends_on=proposal.ends_on,
        date_precision=DatePrecision.DAY,
        host=proposal.host,
        category=proposal.category,
        format=proposal.format,
        venue=proposal.venue,
        online_url=proposal.online_url,
        budget_amount=proposal.budget_amount,
        budget_currency=proposal.budget_currency,
        participants=proposal.participants,
        status=EventStatus.PLANNED,
        is_published=True,
    )
    first_image = next((file for _name, file in proposal.images), None)
    if first_image:
        # The public event image, through the same pipeline's files (already re-encoded).
        event.image = _copy_to_public(first_image.name)
        event.image_alt = proposal.image_alt
        event.image_credit = proposal.image_credit
    event.save()
    event.partners.set(proposal.partner_places.all())
    event.links.set(proposal.links.all())
    # The proposal itself is a source: every fact on the portal names where it comes from.
    # Stored text, so in one language: the partner's English name where it has one.
    partner_name = proposal.partner.name_en or proposal.partner.name
    citation, _created = Source.objects.get_or_create(
        url="",
        title=(
            f"Proposed by {partner_name} through the portal "
            f"(proposal #{proposal.pk}, accepted {timezone.localdate().isoformat()})"
        )[:500],
        defaults={"publisher": partner_name[:200]},
    )
    sources = [citation]
    for url in (proposal.source_url, proposal.partner.website):
        if url:
            source, _created = Source.objects.get_or_create(
                url=url, title="", defaults={"publisher": partner_name[:200]}
            )
            sources.append(source)
    event.sources.set(sources)
    return event


def _copy_to_public(private_name: str) -> str:
    """Copy an already-processed private image (and its thumbnail) to `events/` publicly."""
    storage = private_storage()
    extension = PurePath(private_name).suffix
    token = secrets.token_urlsafe(24)
    with storage.open(private_name) as source:
        name = default_storage.save(f"events/{token}{extension}", ContentFile(source.read()))
    if storage.exists(thumbnail_name(private_name)):
        with storage.open(thumbnail_name(private_name)) as source:
            default_storage.save(thumbnail_name(name), ContentFile(source.read()))
    return name


# --- Good practices ---------------------------------------------------------------------------


def _good_practice_free_slug(practice: GoodPractice) -> str:
    """An unused address from the case's title, its event's slug or its series' slug."""
    if practice.event_id:
        base = practice.event.slug
    elif practice.title_en:
        base = slugify(practice.title_en)
    elif practice.series_id:
        base = practice.series.slug
    else:
        base = ""
    base = (base or "case")[:90].strip("-") or "case"
    taken = set(
        GoodPractice.objects.filter(slug__startswith=base)
        .exclude(pk=practice.pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def good_practice_save(*, practice: GoodPractice, user) -> GoodPractice:
    """Save a good-practice case (from its own admin page or the event's inline alike).

    The curator who first marks it is kept as `marked_by`; an empty address is made from the
    title (or the event's or series' slug); an empty "since" takes the event's start date.
    """
    if practice.marked_by_id is None and user is not None and user.is_authenticated:
        practice.marked_by = user
    if not practice.slug:
        practice.slug = _good_practice_free_slug(practice)
    if practice.since_on is None and practice.event_id:
        practice.since_on = practice.event.starts_on
        practice.since_precision = practice.event.date_precision
    practice.save()
    return practice
