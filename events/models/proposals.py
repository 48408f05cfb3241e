"""Partners (organisations that propose events), their proposals and the proposal timeline.

A partner proposes exchange events; staff in the Reviewer group review them. States
change only through `events.services` (one service per transition).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cities.models import City, FriendshipLink, TimestampedModel
from cities.validators import validate_country_code, validate_currency_code
from exchangeportal.infra.translation import (
    Translated,
    translated_field_names,
    translated_value,
)

from ..storage import private_storage
from .events import EventCategory, EventFormat, ExchangeEvent


class PartnerKind(models.TextChoices):
    CITY_GOVERNMENT = "city_government", _("city government")
    UNIVERSITY = "university", _("university")
    COMPANY = "company", _("company")
    NGO = "ngo", _("NGO")
    OTHER = "other", _("other")


class Partner(TimestampedModel):
    """An organisation that proposes events: a city office, university, company or NGO."""

    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    name_zh_hans = models.CharField(_("name (simplified Chinese)"), max_length=300, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300, blank=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[validate_country_code],
        help_text=_("ISO 3166-1 alpha-2 code: CN, JP, KR, or any other."),
    )
    place = models.ForeignKey(
        City,
        verbose_name=_("place"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partners",
    )
    website = models.URLField(_("website"), max_length=500, blank=True)
    # Set by a curator only (`partner_office_verify`): the organisation is the office of this
    # place, so it may suggest new ties, milestones and corrections for it.
    office_of = models.ForeignKey(
        City,
        verbose_name=_("verified office of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offices",
        help_text=_("Set by a curator who checked that the organisation is the place's office."),
    )
    office_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("office verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    office_verified_at = models.DateTimeField(_("office verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name_en", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(name_en="") & Q(name_zh_hans="") & Q(name_ja="") & Q(name_ko="")),
                name="partner_has_a_name",
                violation_error_message=_("Give the organisation's name in at least one language."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, else English, else the first one given."""
        return translated_value(self, "name") or next(
            (getattr(self, f) for f in translated_field_names("name") if getattr(self, f)), ""
        )


class PartnerMembership(TimestampedModel):
    """A user serving a partner (one partner per user for now)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="partner_membership",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="memberships"
    )
    language = models.CharField(
        _("language for e-mail"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    email_verified_at = models.DateTimeField(_("e-mail address verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner membership")
        verbose_name_plural = _("partner memberships")
        ordering = ["partner", "user"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner}"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    UNDER_REVIEW = "under_review", _("under review")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_PROPOSAL_STATES = (
    ProposalState.DRAFT,
    ProposalState.SUBMITTED,
    ProposalState.UNDER_REVIEW,
    ProposalState.CHANGES_REQUESTED,
)
EDITABLE_PROPOSAL_STATES = (ProposalState.DRAFT, ProposalState.CHANGES_REQUESTED)
PROPOSAL_IMAGE_FIELDS = ("image_1", "image_2", "image_3")
# The title and summary in each of the four languages; the partner writes one or more.
PROPOSAL_TITLE_FIELDS = tuple(translated_field_names("title"))
PROPOSAL_SUMMARY_FIELDS = tuple(translated_field_names("summary"))
# What a partner writes in a proposal (the web form and the API alike). Server-owned fields
# (state, partner, reviewer, timestamps, resulting event) are never among them.
PROPOSAL_PARTNER_FIELDS = (
    "language",
    *PROPOSAL_TITLE_FIELDS,
    *PROPOSAL_SUMMARY_FIELDS,
    "description",
    "category",
    "format",
    "starts_on",
    "ends_on",
    "host",
    "partner_places",
    "venue",
    "online_url",
    "participants",
    "budget_amount",
    "budget_currency",
    "links",
    "source_url",
    "image_alt",
    "image_credit",
    "contact_name",
    "contact_email",
    "contact_phone",
    "privacy_consent",
)


class EventProposalQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_PROPOSAL_STATES)

    def for_partner(self, partner):
        return self.filter(partner=partner)

    def for_list(self):
        return self.select_related("host", "partner")


class EventProposal(TimestampedModel):
    """What a partner proposes; accepted, it becomes an `ExchangeEvent`.

    Drafts may be incomplete, so most fields are blank-able here; the proposal form
    requires them on submit. `state`, `partner`, `reviewer`, the timestamps and `event`
    are server-owned: set by the services only.
    """

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="proposals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    language = models.CharField(
        _("language written in"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language you write the proposal in; the event keeps it as the original."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ProposalState.choices, default=ProposalState.DRAFT
    )

    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_zh_hans = models.CharField(_("title (simplified Chinese)"), max_length=300, blank=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=300, blank=True)
    summary_en = models.TextField(_("summary (English)"), max_length=1000, blank=True)
    summary_zh_hans = models.TextField(
        _("summary (simplified Chinese)"), max_length=1000, blank=True
    )
    summary_ja = models.TextField(_("summary (Japanese)"), max_length=1000, blank=True)
    summary_ko = models.TextField(_("summary (Korean)"), max_length=1000, blank=True)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=30, choices=EventCategory.choices, blank=True
    )
    format = models.CharField(_("format"), max_length=10, choices=EventFormat.choices, blank=True)
    starts_on = models.DateField(_("proposed start date"), null=True, blank=True)
    ends_on = models.DateField(_("proposed end date"), null=True, blank=True)
    host = models.ForeignKey(
        City,
        verbose_name=_("host place"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_proposals",
    )
    partner_places = models.ManyToManyField(
        City, verbose_name=_("partner places"), blank=True, related_name="partnered_proposals"
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    participants = models.PositiveIntegerField(_("expected participants"), null=True, blank=True)
    budget_amount = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_currency_code]
    )
    links = models.ManyToManyField(
        FriendshipLink, verbose_name=_("ties served"), blank=True, related_name="proposals"
    )
    source_url = models.URLField(
        _("public announcement"),
        max_length=500,
        blank=True,
        help_text=_("A public page about the event; it becomes the event's source."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    image_1 = models.ImageField(_("image 1"), storage=private_storage, blank=True, max_length=200)
    image_2 = models.ImageField(_("image 2"), storage=private_storage, blank=True, max_length=200)
    image_3 = models.ImageField(_("image 3"), storage=private_storage, blank=True, max_length=200)
    image_alt = models.CharField(
        _("image description"),
        max_length=300,
        blank=True,
        help_text=_("What the first image shows, for readers who cannot see it."),
    )
    image_credit = models.CharField(
        _("image credit"),
        max_length=200,
        blank=True,
        help_text=_("Who took the first image or holds its rights."),
    )
    document = models.FileField(
        _("PDF document"), storage=private_storage, blank=True, max_length=200
    )
    document_name = models.CharField(_("PDF file name"), max_length=200, blank=True)
    privacy_consent = models.BooleanField(_("consent to the privacy note"), default=False)

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_proposals",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    event = models.OneToOneField(
        ExchangeEvent,
        verbose_name=_("resulting event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
    )

    # In the reader's language, else the one the partner wrote in, else any given.
    title = Translated("title", original="language")
    summary = Translated("summary", original="language")

    objects = EventProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("event proposal")
        verbose_name_plural = _("event proposals")
        ordering = ["-updated_at", "-id"]
        permissions = [("review_eventproposal", _("Can review event proposals"))]
        indexes = [
            models.Index(fields=["partner", "state"]),
            models.Index(fields=["state", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ProposalState.values),
                name="proposal_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="proposal_ends_on_or_after_start",
                violation_error_message=_("The event cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="proposal_budget_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(participants__isnull=True) | Q(participants__gt=0),
                name="proposal_participants_positive",
                violation_error_message=_("Expect at least one participant."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or gettext("(untitled proposal)")

    def get_absolute_url(self) -> str:
        return reverse("partners:proposal_detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_PROPOSAL_STATES

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_PROPOSAL_STATES

    @property
    def images(self) -> list[tuple[str, models.fields.files.FieldFile]]:
        return [
            (name, getattr(self, name)) for name in PROPOSAL_IMAGE_FIELDS if getattr(self, name)
        ]


class ReviewActivity(models.Model):
    """One line of a reviewed item's timeline (a proposal's, a suggestion's): a transition,
    a message, or an internal note the partner never sees."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    from_state = models.CharField(
        _("from"), max_length=20, choices=ProposalState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=20, choices=ProposalState.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    is_internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Seen by reviewers only.")
    )

    class Meta:
        abstract = True


class ProposalActivity(ReviewActivity):
    """One line of a proposal's timeline: a transition, a message or an internal note."""

    proposal = models.ForeignKey(
        EventProposal,
        verbose_name=_("proposal"),
        on_delete=models.CASCADE,
        related_name="activities",
    )

    class Meta:
        verbose_name = _("proposal activity")
        verbose_name_plural = _("proposal activities")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at"])]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_state} → {self.to_state}"

    @property
    def is_transition(self) -> bool:
        return bool(self.to_state) and self.to_state != self.from_state
