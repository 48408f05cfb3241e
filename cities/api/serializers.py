"""What the open API says about places, ties, milestones, designations and sources.

Explicit fields only; every fact carries its sources. Partial dates are ISO
partial strings ("1995", "2002-11", "2010-05-23") with their precision.
"""

from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exchangeportal.infra.api.serializers import ReadModelSerializer

from ..dates import partial_date_iso
from ..models import (
    City,
    CultureCityDesignation,
    FriendshipLink,
    LinkMilestone,
    Source,
    TieEvidence,
)


def tie_pair_slug(tie: FriendshipLink) -> str:
    """The tie's address: its places' slugs in alphabetical order, joined by "--"."""
    return "--".join(sorted([tie.city_a.slug, tie.city_b.slug]))


def absolute(request, path: str) -> str | None:
    if not path:
        return None
    return request.build_absolute_uri(path) if request is not None else path


class SourceSerializer(ReadModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "url", "title", "publisher", "kind", "accessed_on"]
        extra_kwargs = {
            "kind": {"help_text": "primary (a government or an official registry) or secondary."},
            "id": {"help_text": "The source's id (the `id` column of sources.csv in the dump)."},
            "url": {"help_text": "Where the fact can be checked; empty for a printed citation."},
            "title": {"help_text": "Title of the page or document, or the citation."},
            "publisher": {"help_text": "Who published it."},
            "accessed_on": {"help_text": "When the portal's researchers last read it."},
        }


class PlaceRefSerializer(ReadModelSerializer):
    """A place named from another record: slug, country, names and API address."""

    url = serializers.SerializerMethodField(help_text="The place in this API.")

    class Meta:
        model = City
        fields = [
            "slug",
            "url",
            "country",
            *City.SCRIPT_NAME_FIELDS,
        ]
        extra_kwargs = {"slug": {"help_text": "The place's address in the portal and this API."}}

    def get_url(self, city: City) -> str:
        return absolute(self.context.get("request"), reverse("api:city-detail", args=[city.slug]))


class CitySerializer(ReadModelSerializer):
    url = serializers.SerializerMethodField(help_text="This place in the API.")
    page_url = serializers.SerializerMethodField(
        help_text="The place's public page (in the language of the request's Accept-Language)."
    )
    ties_url = serializers.SerializerMethodField(help_text="The API list of the place's ties.")
    events_url = serializers.SerializerMethodField(
        help_text="The API list of published events the place hosted or joined."
    )
    parent = PlaceRefSerializer(
        read_only=True, allow_null=True, help_text="The place it belongs to, if any."
    )
    aliases = serializers.ListField(
        source="alias_list",
        child=serializers.CharField(),
        help_text="Other spellings: old romanisations, forms with 市 / 시 / 県 suffixes …",
    )
    latitude = serializers.FloatField(allow_null=True, help_text="WGS 84 latitude, degrees.")
    longitude = serializers.FloatField(allow_null=True, help_text="WGS 84 longitude, degrees.")
    area_km2 = serializers.FloatField(allow_null=True, help_text="Area in square kilometres.")
    tie_count = serializers.IntegerField(help_text="How many ties the place takes part in.")
    designation_years = serializers.SerializerMethodField(
        help_text="Years the place was a Culture City of East Asia (any status)."
    )

    class Meta:
        model = City
        fields = [
            "slug",
            "url",
            "page_url",
            "country",
            "admin_level",
            "parent",
            *City.NAME_FIELDS,
            "name_kana",
            "name_kana_basis",
            "latitude",
            "longitude",
            "population",
            "population_year",
            "population_as_of",
            "coordinates_basis",
            "area_km2",
            "valid_from",
            "valid_to",
            "website",
            "wikidata_id",
            "geonames_id",
            "tie_count",
            "designation_years",
            "ties_url",
            "events_url",
        ]
        extra_kwargs = {
            "slug": {"help_text": "The place's address in the portal and this API."},
            "country": {"help_text": "ISO 3166-1 alpha-2 code (CN, JP, KR or another)."},
            "name_en": {"help_text": "English name."},
            "name_zh_hans": {"help_text": "Name in simplified Chinese."},
            "name_zh_hant": {"help_text": "Name in traditional Chinese."},
            "name_ja": {"help_text": "Name in Japanese."},
            "name_ko": {"help_text": "Name in Korean."},
            "romanization": {
                "help_text": "Official romanisation: Pinyin, Hepburn, Revised Romanization."
            },
            "name_kana": {
                "help_text": "Japanese places: the reading in hiragana (several separated by "
                "spaces)."
            },
            "name_kana_basis": {
                "help_text": "Where the reading comes from: gazetteer (GeoNames), machine "
                "(an analyser, confirmed by the Latin names) or curator."
            },
            "population": {"help_text": "Population, as of `population_year`."},
            "population_year": {"help_text": "Year of the population figure."},
            "valid_from": {"help_text": "Exists since (for places created by a merger …)."},
            "valid_to": {"help_text": "Exists until (merged or dissolved places are kept)."},
            "website": {"help_text": "Official website."},
            "wikidata_id": {"help_text": "Wikidata item (Q…)."},
            "geonames_id": {"help_text": "GeoNames id."},
        }

    def get_url(self, city: City) -> str:
        return absolute(self.context.get("request"), reverse("api:city-detail", args=[city.slug]))

    def get_page_url(self, city: City) -> str | None:
        return absolute(self.context.get("request"), city.get_absolute_url())

    def get_ties_url(self, city: City) -> str:
        path = f"{reverse('api:tie-list')}?{urlencode({'city': city.slug})}"
        return absolute(self.context.get("request"), path)

    def get_events_url(self, city: City) -> str:
        path = f"{reverse('api:event-list')}?{urlencode({'place': city.slug})}"
        return absolute(self.context.get("request"), path)

    def get_designation_years(self, city: City) -> list[int]:
        return [designation.year for designation in city.designations.all()]


class PartialDateField(serializers.Field):
    """A stored (date, precision) pair as its ISO partial form, or null when unknown."""

    def __init__(self, *, date_field: str, precision_field: str, **kwargs):
        self.date_field = date_field
        self.precision_field = precision_field
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(source="*", **kwargs)

    def to_representation(self, obj):
        return (
            partial_date_iso(getattr(obj, self.date_field), getattr(obj, self.precision_field))
            or None
        )


extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
        "example": "2002-11",
    }
)(PartialDateField)


class MilestoneSerializer(ReadModelSerializer):
    date = PartialDateField(
        date_field="date",
        precision_field="date_precision",
        help_text="When: a partial ISO date (YYYY, YYYY-MM or YYYY-MM-DD).",
    )
    sources = SourceSerializer(many=True, read_only=True, help_text="Where these facts come from.")

    class Meta:
        model = LinkMilestone
        fields = [
            "date",
            "date_precision",
            "kind",
            "kind_after",
            *LinkMilestone.note.field_names,
            "text_origins",
            "sources",
        ]
        extra_kwargs = {
            "date_precision": {"help_text": "How much of the date is known."},
            "kind": {"help_text": "The step: memorandum, agreement, upgrade, renewal …"},
            "kind_after": {"help_text": "The kind of tie after this step (empty if unchanged)."},
            "note_en": {"help_text": "Public note on this step, in English."},
            "text_origins": {
                "help_text": (
                    'Which notes are originals ("original") and which translations by the '
                    'portal ("translation"), by field; a note not named was written by a curator.'
                )
            },
        }


class TieSerializer(ReadModelSerializer):
    slug = serializers.SerializerMethodField(
        help_text="The tie's address: both places' slugs, alphabetical, joined by `--`."
    )
    url = serializers.SerializerMethodField(help_text="This tie in the API.")
    page_url = serializers.SerializerMethodField(help_text="The tie's public page.")
    city_a = PlaceRefSerializer(read_only=True, help_text="Place A.")
    city_b = PlaceRefSerializer(read_only=True, help_text="Place B.")
    established = PartialDateField(
        date_field="established_on",
        precision_field="established_precision",
        help_text='When established: "1995", "2002-11" or "2010-05-23"; null if unknown.',
    )
    milestones = MilestoneSerializer(
        many=True, read_only=True, help_text="Dated steps of the tie, oldest first."
    )
    sources = SourceSerializer(many=True, read_only=True, help_text="Where these facts come from.")
    evidence = serializers.ChoiceField(
        choices=TieEvidence.choices,
        read_only=True,
        help_text="primary: a government or registry source; secondary: news or lists only; "
        "unverified: no trustworthy source yet.",
    )
    note = serializers.CharField(
        source="public_note_en",
        read_only=True,
        help_text="The public note on the tie, in English (the same as `public_note_en`).",
    )

    class Meta:
        model = FriendshipLink
        fields = [
            "slug",
            "url",
            "page_url",
            "city_a",
            "city_b",
            "kind",
            "label_a",
            "label_b",
            "established",
            "established_precision",
            "date_basis",
            "status",
            "ended_on",
            "verified",
            "evidence",
            "note",
            *FriendshipLink.public_note.field_names,
            "text_origins",
            "milestones",
            "sources",
        ]
        extra_kwargs = {
            "kind": {"help_text": "Normalised kind: sister, friendship, friendly_exchange …"},
            "label_a": {"help_text": "Place A's own term for the tie, in its language."},
            "label_b": {"help_text": "Place B's own term for the tie, in its language."},
            "established_precision": {"help_text": "How much of `established` is known."},
            "date_basis": {"help_text": "What the date is of: signature, ceremony, council …"},
            "status": {"help_text": "active, dormant (no recent exchange) or ended."},
            "text_origins": {
                "help_text": (
                    "Which public notes are originals (as their source published them, "
                    '"original") and which are translations by the portal ("translation"), '
                    'by field: {"public_note_ja": "original"}. A text not named was written '
                    "by a curator."
                )
            },
            "ended_on": {"help_text": "When an ended tie ended."},
            "verified": {"help_text": "Confirmed against a trustworthy source."},
        }

    def get_slug(self, tie: FriendshipLink) -> str:
        return tie_pair_slug(tie)

    def get_url(self, tie: FriendshipLink) -> str:
        path = reverse("api:tie-detail", args=[tie_pair_slug(tie)])
        return absolute(self.context.get("request"), path)

    def get_page_url(self, tie: FriendshipLink) -> str | None:
        return absolute(self.context.get("request"), tie.get_absolute_url())


class DesignationSerializer(ReadModelSerializer):
    url = serializers.SerializerMethodField(help_text="This designation in the API.")
    page_url = serializers.SerializerMethodField(help_text="The year's public page.")
    city = PlaceRefSerializer(read_only=True, help_text="The designated place.")
    sources = SourceSerializer(many=True, read_only=True, help_text="Where these facts come from.")

    class Meta:
        model = CultureCityDesignation
        fields = [
            "id",
            "url",
            "page_url",
            "year",
            "city",
            "status",
            *CultureCityDesignation.theme.field_names,
            "note",
            "sources",
        ]
        extra_kwargs = {
            "year": {"help_text": "The Culture City year (2014 on)."},
            "status": {"help_text": "selected, proclaimed, extended or cancelled."},
            "id": {"help_text": "The designation's id (its address in this API)."},
            "theme_en": {"help_text": "The year's theme, in English."},
            "note": {"help_text": "Curator's note (extension, cancellation …)."},
        }

    def get_url(self, designation: CultureCityDesignation) -> str:
        path = reverse("api:designation-detail", args=[designation.pk])
        return absolute(self.context.get("request"), path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, designation: CultureCityDesignation) -> str | None:
        path = reverse("cities:designation_year", kwargs={"year": designation.year})
        return absolute(self.context.get("request"), path)
