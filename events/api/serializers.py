"""What the open API says about exchange events and series (explicit fields, with sources)."""

from django.urls import reverse
from rest_framework import serializers

from cities.api.serializers import (
    PartialDateField,
    PlaceRefSerializer,
    SourceSerializer,
    absolute,
    tie_pair_slug,
)
from cities.models import CultureCityDesignation, FriendshipLink

from ..models import EventSeries, ExchangeEvent


class SeriesRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The series in this API.")

    class Meta:
        model = EventSeries
        fields = ["slug", "url", "name_en", "name_zh_hans", "name_ja", "name_ko"]
        extra_kwargs = {"slug": {"help_text": "The series' address in the portal and this API."}}

    def get_url(self, series: EventSeries) -> str:
        path = reverse("api:series-detail", args=[series.slug])
        return absolute(self.context.get("request"), path)


class TieRefSerializer(serializers.ModelSerializer):
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


class DesignationRefSerializer(serializers.ModelSerializer):
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


class EventSerializer(serializers.ModelSerializer):
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
            "title_en",
            "title_zh_hans",
            "title_ja",
            "title_ko",
            "summary_en",
            "summary_zh_hans",
            "summary_ja",
            "summary_ko",
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
            "outcome",
            "image",
            "sources",
        ]
        extra_kwargs = {
            "slug": {"help_text": "The event's address in the portal and this API."},
            "title_en": {"help_text": "Title in English."},
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
            "outcome": {"help_text": "What came out of it."},
        }

    def get_url(self, event: ExchangeEvent) -> str:
        path = reverse("api:event-detail", args=[event.slug])
        return absolute(self.context.get("request"), path)

    def get_page_url(self, event: ExchangeEvent) -> str | None:
        return absolute(self.context.get("request"), event.get_absolute_url())

    def get_image(self, event: ExchangeEvent) -> str | None:
        return absolute(self.context.get("request"), event.image.url) if event.image else None


class SeriesSerializer(serializers.ModelSerializer):
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
            "name_en",
            "name_zh_hans",
            "name_ja",
            "name_ko",
            "description",
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
