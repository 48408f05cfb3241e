"""What the open API says about exchange events and series (explicit fields, with sources)."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cities.api.serializers import (
    PartialDateField,
    PlaceRefSerializer,
    SourceSerializer,
    absolute,
    tie_pair_slug,
)
from cities.models import City, CultureCityDesignation, FriendshipLink
from exchangeportal.infra.api.fields import (
    VISIBLE_TEXT_PATTERN,
    JsonTypesMixin,
    PatternDecimalField,
    PatternTextField,
)
from exchangeportal.infra.api.serializers import ReadModelSerializer
from exchangeportal.infra.api.viewsets import SLUG_PATTERN
from exchangeportal.infra.images import process_image

from ..models import (
    PROPOSAL_IMAGE_FIELDS,
    PROPOSAL_PARTNER_FIELDS,
    EventProposal,
    EventSeries,
    ExchangeEvent,
)
from ..selectors import proposal_actions_for
from ..validators import (
    BUDGET_AMOUNT_PATTERN,
    BUDGET_NEGATIVE_MESSAGE,
    MAX_PARTICIPANTS,
    MIN_PARTICIPANTS,
    PARTICIPANTS_MIN_MESSAGE,
    proposal_errors,
    proposal_values,
    validate_pdf,
)


class SeriesRefSerializer(ReadModelSerializer):
    url = serializers.SerializerMethodField(help_text="The series in this API.")

    class Meta:
        model = EventSeries
        fields = ["slug", "url", *EventSeries.name.field_names]
        extra_kwargs = {"slug": {"help_text": "The series' address in the portal and this API."}}

    def get_url(self, series: EventSeries) -> str:
        path = reverse("api:series-detail", args=[series.slug])
        return absolute(self.context.get("request"), path)


class TieRefSerializer(ReadModelSerializer):
    slug = serializers.SerializerMethodField(help_text="The tie's `<slug-a>--<slug-b>`.")
    url = serializers.SerializerMethodField(help_text="The tie in this API.")

    class Meta:
        model = FriendshipLink
        fields = ["slug", "url", "kind"]

    def get_slug(self, tie: FriendshipLink) -> str:
        return tie_pair_slug(tie)

    def get_url(self, tie: FriendshipLink) -> str:
        path = reverse("api:tie-detail", args=[tie_pair_slug(tie)])
        return absolute(self.context.get("request"), path)


class DesignationRefSerializer(ReadModelSerializer):
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="Place slug.")
    url = serializers.SerializerMethodField(help_text="The designation in this API.")

    class Meta:
        model = CultureCityDesignation
        fields = ["id", "url", "year", "city", "status"]
        extra_kwargs = {
            "id": {"help_text": "The designation's id."},
            "year": {"help_text": "The Culture City year."},
            "status": {"help_text": "selected, proclaimed, extended or cancelled."},
        }

    def get_url(self, designation: CultureCityDesignation) -> str:
        path = reverse("api:designation-detail", args=[designation.pk])
        return absolute(self.context.get("request"), path)


class EventSerializer(ReadModelSerializer):
    url = serializers.SerializerMethodField(help_text="This event in the API.")
    page_url = serializers.SerializerMethodField(help_text="The event's public page.")
    starts = PartialDateField(
        date_field="starts_on",
        precision_field="date_precision",
        help_text="First day, as a partial ISO date (local date at the host place).",
    )
    ends = PartialDateField(
        date_field="ends_on",
        precision_field="date_precision",
        help_text="Last day, as a partial ISO date (local date at the host place).",
    )
    host = PlaceRefSerializer(read_only=True, help_text="The host place.")
    partners = PlaceRefSerializer(many=True, read_only=True, help_text="Partner places.")
    partner_organisations = serializers.ListField(
        source="partner_organisation_list",
        child=serializers.CharField(),
        help_text="Organisations that are not places (CPAFFC, CLAIR …).",
    )
    series = SeriesRefSerializer(read_only=True, allow_null=True, help_text="Its series, if any.")
    ties = TieRefSerializer(
        source="links", many=True, read_only=True, help_text="The ties this event serves."
    )
    designation = DesignationRefSerializer(
        read_only=True, allow_null=True, help_text="The Culture City year it belongs to, if any."
    )
    image = serializers.SerializerMethodField(help_text="The event's image, if any.")
    sources = SourceSerializer(many=True, read_only=True, help_text="Where these facts come from.")

    class Meta:
        model = ExchangeEvent
        fields = [
            "slug",
            "url",
            "page_url",
            *ExchangeEvent.title.field_names,
            *ExchangeEvent.summary.field_names,
            "text_origins",
            "description",
            "starts",
            "ends",
            "date_precision",
            "starts_at",
            "host",
            "partners",
            "partner_organisations",
            "category",
            "format",
            "status",
            "venue",
            "online_url",
            "series",
            "edition",
            "ties",
            "designation",
            "budget_amount",
            "budget_currency",
            "participants",
            *ExchangeEvent.outcome.field_names,
            "image",
            "sources",
        ]
        extra_kwargs = {
            "slug": {"help_text": "The event's address in the portal and this API."},
            "title_en": {"help_text": "Title in English."},
            "text_origins": {
                "help_text": (
                    "Which texts are originals (as their source published them, "
                    '"original") and which are translations by the portal ("translation"), '
                    'by field: {"title_ja": "original", "title_en": "translation"}. A text '
                    "not named was written by a curator."
                )
            },
            "date_precision": {"help_text": "How much of `starts` and `ends` is known."},
            "starts_at": {"help_text": "Exact start time (UTC), when known."},
            "category": {"help_text": "culture, sports, tourism, trade_investment …"},
            "format": {"help_text": "in_person, online or hybrid."},
            "status": {"help_text": "planned, held, cancelled or postponed."},
            "edition": {"help_text": "Edition number within its series."},
            "budget_amount": {"help_text": "Budget, in `budget_currency`."},
            "budget_currency": {"help_text": "ISO 4217 currency code."},
            "participants": {"help_text": "Number of participants."},
            "description": {"help_text": "Longer description (English)."},
            "venue": {"help_text": "Where it takes place."},
            "online_url": {"help_text": "Link to the online event, if any."},
            "outcome_en": {"help_text": "What came out of it, in English."},
        }

    def get_url(self, event: ExchangeEvent) -> str:
        path = reverse("api:event-detail", args=[event.slug])
        return absolute(self.context.get("request"), path)

    def get_page_url(self, event: ExchangeEvent) -> str | None:
        return absolute(self.context.get("request"), event.get_absolute_url())

    def get_image(self, event: ExchangeEvent) -> str | None:
        return absolute(self.context.get("request"), event.image.url) if event.image else None


class SeriesSerializer(ReadModelSerializer):
    url = serializers.SerializerMethodField(help_text="This series in the API.")
    page_url = serializers.SerializerMethodField(help_text="The series' public page.")
    events_url = serializers.SerializerMethodField(help_text="The API list of its editions.")
    event_count = serializers.IntegerField(help_text="Number of published editions.")
    sources = SourceSerializer(many=True, read_only=True, help_text="Where these facts come from.")

    class Meta:
        model = EventSeries
        fields = [
            "slug",
            "url",
            "page_url",
            *EventSeries.name.field_names,
            *EventSeries.description.field_names,
            "text_origins",
            "event_count",
            "events_url",
            "sources",
        ]
        extra_kwargs = {
            "slug": {"help_text": "The series' address in the portal and this API."},
            "name_en": {"help_text": "Name in English."},
            "description": {"help_text": "What the series is (English)."},
        }

    def get_url(self, series: EventSeries) -> str:
        path = reverse("api:series-detail", args=[series.slug])
        return absolute(self.context.get("request"), path)

    def get_page_url(self, series: EventSeries) -> str | None:
        return absolute(self.context.get("request"), series.get_absolute_url())

    def get_events_url(self, series: EventSeries) -> str:
        path = f"{reverse('api:event-list')}?series={series.slug}"
        return absolute(self.context.get("request"), path)


# --- Proposals (partners and reviewers) ---------------------------------------------------------


PLACE_SLUG_MAX_LENGTH = City._meta.get_field("slug").max_length
PLACE_SLUG_REGEX = re.compile(f"^{SLUG_PATTERN}$")
TIE_PAIR_REGEX = re.compile(f"^{SLUG_PATTERN}--{SLUG_PATTERN}$")


@extend_schema_field(
    {
        "type": "string",
        "pattern": PLACE_SLUG_REGEX.pattern,
        "maxLength": PLACE_SLUG_MAX_LENGTH,
        "example": "yangzhou",
    }
)
class PlaceSlugField(serializers.SlugRelatedField):
    """A place by its slug; text that cannot be a slug is refused before the database is
    asked (as the schema's pattern says)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not (
            len(data) <= PLACE_SLUG_MAX_LENGTH and PLACE_SLUG_REGEX.match(data)
        ):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data[:100])
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "string", "pattern": TIE_PAIR_REGEX.pattern, "example": "karatsu--yangzhou"}
)
class TiePairField(serializers.Field):
    """A tie given as `<slug-a>--<slug-b>` (either order)."""

    default_error_messages = {
        "invalid": "Give a tie as “<slug-a>--<slug-b>”.",
        "does_not_exist": "No tie joins “{value}”.",
    }

    def to_representation(self, tie: FriendshipLink) -> str:
        return tie_pair_slug(tie)

    def to_internal_value(self, data) -> FriendshipLink:
        if not isinstance(data, str) or len(data) > 200 or not TIE_PAIR_REGEX.match(data):
            self.fail("invalid")
        slug_a, _sep, slug_b = data.partition("--")
        tie = FriendshipLink.objects.with_places().between(slug_a, slug_b).first()
        if tie is None:
            self.fail("does_not_exist", value=data)
        return tie


class TieListField(serializers.ListField):
    """Ties (a many-to-many relation) as a list of `<slug-a>--<slug-b>`."""

    child = TiePairField()

    def to_representation(self, data):
        return super().to_representation(data.all() if hasattr(data, "all") else data)


class ProposalImageField(serializers.FileField):
    """An image upload, checked and re-encoded by the portal's one Pillow pipeline (the web
    form's); `null` removes the stored image."""

    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        try:
            return process_image(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class ProposalDocumentField(serializers.FileField):
    """A PDF upload (recognised by its first bytes, at most 10 MB); `null` removes it."""

    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        try:
            validate_pdf(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return upload


def _upload_field(field_class, help_text: str):
    return field_class(write_only=True, required=False, allow_null=True, help_text=help_text)


API_LANGUAGE_NAMES = {
    "en": "English",
    "zh_hans": "simplified Chinese",
    "ja": "Japanese",
    "ko": "Korean",
}


class ProposalSerializer(JsonTypesMixin, serializers.ModelSerializer):
    """A partner's event proposal. State, partner, reviewer and dates are set by the services.

    In JSON each field takes its JSON type (`JsonTypesMixin`); the bounds the proposal's rules
    set (`events.validators`) are stated on the fields, so the schema says them too.
    """

    image_1 = _upload_field(
        ProposalImageField,
        "Send as multipart/form-data: JPEG, PNG or WebP, at most 5 MB and 40 megapixels; "
        "location and camera data are removed. `null` (JSON) removes the stored image.",
    )
    image_2 = _upload_field(ProposalImageField, "A second image, as `image_1`.")
    image_3 = _upload_field(ProposalImageField, "A third image, as `image_1`.")
    document = _upload_field(
        ProposalDocumentField,
        "A PDF (programme, flyer), at most 10 MB, sent as multipart/form-data; `null` removes it.",
    )
    files = serializers.SerializerMethodField(
        help_text="Which images are stored, and the PDF's file name (null when none)."
    )

    url = serializers.SerializerMethodField(help_text="This proposal in the API.")
    partner = serializers.SerializerMethodField(help_text="The proposing organisation.")
    host = PlaceSlugField(
        slug_field="slug",
        queryset=City.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the host place.",
    )
    partner_places = PlaceSlugField(
        slug_field="slug",
        queryset=City.objects.all(),
        many=True,
        required=False,
        help_text="Slugs of the partner places (at least one abroad, to submit).",
    )
    budget_amount = PatternDecimalField(
        pattern=BUDGET_AMOUNT_PATTERN,
        message=_("Give the budget as a number with at most 2 decimals, e.g. “1500.00”."),
        negative_message=BUDGET_NEGATIVE_MESSAGE,
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        required=False,
        help_text='Budget (not negative, at most 2 decimals, as text: `"1500.00"`), in '
        "`budget_currency`.",
    )
    links = TieListField(
        required=False,
        max_length=50,
        help_text="The ties this event serves, as `<slug-a>--<slug-b>`.",
    )
    event = serializers.SerializerMethodField(
        help_text="The published event, once the proposal is accepted."
    )
    actions = serializers.SerializerMethodField(
        help_text="The actions the requesting user may take now (e.g. `submit`, `withdraw`)."
    )

    class Meta:
        model = EventProposal
        fields = [
            "id",
            "url",
            "state",
            "partner",
            *PROPOSAL_PARTNER_FIELDS,
            *PROPOSAL_IMAGE_FIELDS,
            "document",
            "files",
            "created_at",
            "updated_at",
            "submitted_at",
            "decided_at",
            "event",
            "actions",
        ]
        read_only_fields = [
            "id",
            "state",
            "created_at",
            "updated_at",
            "submitted_at",
            "decided_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "The proposal's id."},
            "state": {
                "help_text": "draft, submitted, under_review, changes_requested, accepted, "
                "rejected or withdrawn."
            },
            "language": {
                "help_text": "The language the proposal is written in: en, zh-hans, ja or ko "
                "(default: the request's language)."
            },
            **{
                f"title_{suffix}": {
                    "help_text": f"Title in {name} (a title in at least one language, to submit)."
                }
                for suffix, name in API_LANGUAGE_NAMES.items()
            },
            **{
                f"summary_{suffix}": {
                    "help_text": f"Summary in {name}: one or two sentences (at most 1,000 "
                    "characters; a summary in at least one language, to submit)."
                }
                for suffix, name in API_LANGUAGE_NAMES.items()
            },
            "image_alt": {"help_text": "What the first image shows (its alt text, published)."},
            "image_credit": {"help_text": "Who took the first image (published with it)."},
            "description": {"help_text": "The programme in full."},
            "category": {"help_text": "culture, sports, tourism, trade_investment …"},
            "format": {"help_text": "in_person, online or hybrid."},
            "starts_on": {"help_text": "Proposed first day (local date at the host place)."},
            "ends_on": {"help_text": "Proposed last day."},
            "venue": {"help_text": "Venue (needed to submit an in-person or hybrid event)."},
            "online_url": {"help_text": "Online link (needed to submit an online or hybrid one)."},
            "participants": {
                "help_text": "Expected participants (at least 1).",
                "min_value": MIN_PARTICIPANTS,
                "max_value": MAX_PARTICIPANTS,
                # The proposal rule's own words, as the form and the service say it.
                "error_messages": {"min_value": PARTICIPANTS_MIN_MESSAGE},
            },
            "budget_currency": {"help_text": "ISO 4217 currency code of the budget."},
            "source_url": {"help_text": "A public page about the event; becomes its source."},
            "contact_name": {"help_text": "Contact person."},
            "contact_email": {"help_text": "Contact e-mail."},
            "contact_phone": {"help_text": "Contact phone."},
            "privacy_consent": {"help_text": "Consent to the privacy note (needed to submit)."},
            "created_at": {"help_text": "When the draft was started."},
            "updated_at": {"help_text": "Last change."},
            "submitted_at": {"help_text": "When it was (last) submitted."},
            "decided_at": {"help_text": "When it was accepted or rejected."},
        }

    def get_url(self, proposal: EventProposal) -> str:
        path = reverse("api:proposal-detail", args=[proposal.pk])
        return absolute(self.context.get("request"), path)

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name_en": {"type": "string"}},
        }
    )
    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                **{name: {"type": "boolean"} for name in PROPOSAL_IMAGE_FIELDS},
                "document": {"type": "string", "nullable": True},
            },
        }
    )
    def get_files(self, proposal: EventProposal) -> dict:
        return {
            **{name: bool(getattr(proposal, name)) for name in PROPOSAL_IMAGE_FIELDS},
            "document": proposal.document_name or None if proposal.document else None,
        }

    def get_partner(self, proposal: EventProposal) -> dict:
        return {"id": proposal.partner_id, "name_en": proposal.partner.name_en}

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"slug": {"type": "string"}, "url": {"type": "string"}},
        }
    )
    def get_event(self, proposal: EventProposal) -> dict | None:
        if proposal.event_id is None:
            return None
        path = reverse("api:event-detail", args=[proposal.event.slug])
        return {"slug": proposal.event.slug, "url": absolute(self.context.get("request"), path)}

    def get_actions(self, proposal: EventProposal) -> list[str]:
        request = self.context.get("request")
        return proposal_actions_for(proposal=proposal, user=request.user) if request else []

    def validate_budget_currency(self, value: str) -> str:
        return (value or "").upper()

    def validate(self, attrs):
        """The proposal's draft rules (`events.validators`), on the sent values over the stored
        ones; the messages in the request's language."""
        errors = proposal_errors(proposal_values(self.instance, **attrs))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ProposalMessageSerializer(JsonTypesMixin, serializers.Serializer):
    """The body of submit, withdraw, start-review and accept: an optional message."""

    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="An optional message to the partner, kept in the proposal's timeline.",
    )


DECISION_MESSAGE_REQUIRED = _("Write a message to the partner explaining the decision.")


class ProposalDecisionSerializer(JsonTypesMixin, serializers.Serializer):
    """The body of request-changes and reject: the message explaining the decision."""

    message = PatternTextField(
        pattern=VISIBLE_TEXT_PATTERN,
        message=DECISION_MESSAGE_REQUIRED,
        max_length=5000,
        help_text="The message to the partner explaining the decision (required; not only spaces).",
        error_messages=dict.fromkeys(("blank", "required"), DECISION_MESSAGE_REQUIRED),
    )
