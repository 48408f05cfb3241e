"""City offices' suggestions: a partner verified as the office of a place proposes a new tie,
a milestone or a correction for that place and its ties, reviewed like an event proposal.

States change only through `events.services_suggestions`; accepting applies the suggestion
through the tie and place services of `cities` (which keep a history and queue conflicts).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.dates import DatePrecision, format_partial_date
from cities.models import (
    City,
    DateBasis,
    FriendshipLink,
    MilestoneKind,
    TieKind,
    TimestampedModel,
)

from ..storage import private_storage
from .proposals import OPEN_PROPOSAL_STATES, Partner, ProposalState, ReviewActivity


class SuggestionKind(models.TextChoices):
    NEW_TIE = "new_tie", _("new tie")
    MILESTONE = "milestone", _("milestone")
    CORRECTION = "correction", _("correction")


# The steps of a tie's life a city office may report (the agreement itself is a new tie).
SUGGESTION_MILESTONE_KINDS = (
    MilestoneKind.UPGRADE,
    MilestoneKind.RENEWAL,
    MilestoneKind.SUSPENSION,
    MilestoneKind.END,
)


class CorrectionField(models.TextChoices):
    """What a correction changes: a tie's date or the office's word for it, or a name."""

    ESTABLISHED = "established", _("date of the tie's agreement")
    LABEL = "label", _("our own word for the tie")
    NAME_EN = "name_en", _("our place's name in English")
    NAME_ZH_HANS = "name_zh_hans", _("our place's name in simplified Chinese")
    NAME_ZH_HANT = "name_zh_hant", _("our place's name in traditional Chinese")
    NAME_JA = "name_ja", _("our place's name in Japanese")
    NAME_KO = "name_ko", _("our place's name in Korean")
    ROMANIZATION = "romanization", _("our place's official romanisation")


# Corrections of the tie (they need a tie), and of the place's names (a value).
TIE_CORRECTIONS = (CorrectionField.ESTABLISHED, CorrectionField.LABEL)
DATED_CORRECTIONS = (CorrectionField.ESTABLISHED,)


class SuggestionOutcome(models.TextChoices):
    APPLIED = "applied", _("applied")
    PARTLY = "partly", _("partly applied, the rest kept for a curator")
    CONFLICT = "conflict", _("kept for a curator: it disagrees with a curated fact")
    UNCHANGED = "unchanged", _("already recorded")


class SuggestionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_PROPOSAL_STATES)

    def for_list(self):
        return self.select_related(
            "partner", "place", "partner_place", "tie__city_a", "tie__city_b"
        )


class Suggestion(TimestampedModel):
    """A city office's new tie, milestone or correction for its own place, for review.

    `partner`, `place` (the office's place), `state`, `reviewer`, the timestamps and
    `outcome` are server-owned: set by the services only.
    """

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="suggestions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    language = models.CharField(
        _("language written in"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ProposalState.choices, default=ProposalState.SUBMITTED
    )
    kind = models.CharField(_("kind of suggestion"), max_length=20, choices=SuggestionKind.choices)
    place = models.ForeignKey(
        City, verbose_name=_("office's place"), on_delete=models.PROTECT, related_name="+"
    )
    partner_place = models.ForeignKey(
        City,
        verbose_name=_("partner place"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The place the new tie joins yours with."),
    )
    tie = models.ForeignKey(
        FriendshipLink,
        verbose_name=_("tie"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    tie_kind = models.CharField(
        _("kind of tie"), max_length=20, choices=TieKind.choices, blank=True
    )
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("precision of the date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    date_basis = models.CharField(
        _("date basis"), max_length=20, choices=DateBasis.choices, default=DateBasis.SIGNED
    )
    label_own = models.CharField(
        _("your word for the tie"),
        max_length=200,
        blank=True,
        help_text=_("In your own language, as your agreement names it (e.g. 友好城市)."),
    )
    label_partner = models.CharField(
        _("the partner's word for the tie"),
        max_length=200,
        blank=True,
        help_text=_("In the partner's language (e.g. 자매도시)."),
    )
    milestone_kind = models.CharField(
        _("step"),
        max_length=20,
        choices=[(kind.value, kind.label) for kind in SUGGESTION_MILESTONE_KINDS],
        blank=True,
    )
    kind_after = models.CharField(
        _("kind of tie after this step"), max_length=20, choices=TieKind.choices, blank=True
    )
    correction_field = models.CharField(
        _("what to correct"), max_length=20, choices=CorrectionField.choices, blank=True
    )
    value = models.CharField(_("correct value"), max_length=200, blank=True)
    source_url = models.URLField(
        _("public page"),
        max_length=500,
        blank=True,
        help_text=_("A page of your government that states the fact, if there is one."),
    )
    document = models.FileField(
        _("PDF document"), storage=private_storage, blank=True, max_length=200
    )
    document_name = models.CharField(_("PDF file name"), max_length=200, blank=True)
    note = models.TextField(
        _("explanation"),
        max_length=2000,
        blank=True,
        help_text=_("Anything the reviewers should know (seen by them only)."),
    )

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_suggestions",
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=SuggestionOutcome.choices, blank=True
    )

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("city office suggestion")
        verbose_name_plural = _("city office suggestions")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "state"], name="suggestion_partner_state_idx"),
            models.Index(fields=["state", "submitted_at"], name="suggestion_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ProposalState.values), name="suggestion_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(partner_place__isnull=True) | ~Q(partner_place=models.F("place")),
                name="suggestion_not_tied_to_itself",
                violation_error_message=_("A place cannot be tied to itself."),
            ),
        ]

    def __str__(self) -> str:
        if self.partner_place_id:
            subject = f"{self.place} — {self.partner_place}"
        else:
            subject = self.tie or self.place
        return f"{self.get_kind_display()}: {subject}"

    def get_absolute_url(self) -> str:
        return reverse("partners:suggestion_detail", kwargs={"pk": self.pk})

    @property
    def title(self) -> str:
        """What the suggestion is about, in the reader's language (places by their name)."""
        if self.partner_place_id:
            subject = f"{self.place.name} — {self.partner_place.name}"
        elif self.tie_id:
            subject = f"{self.tie.city_a.name} — {self.tie.city_b.name}"
        else:
            subject = self.place.name
        return f"{self.get_kind_display()}: {subject}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_PROPOSAL_STATES

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.date_precision)


class SuggestionActivity(ReviewActivity):
    """One line of a suggestion's timeline: a transition or an internal note."""

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("suggestion"),
        on_delete=models.CASCADE,
        related_name="activities",
    )

    class Meta:
        verbose_name = _("suggestion activity")
        verbose_name_plural = _("suggestion activities")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.suggestion_id}: {self.from_state} → {self.to_state}"
