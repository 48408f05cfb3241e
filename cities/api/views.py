"""Read-only API of places, ties and Culture City designations (lists, details, CSV)."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from exchangeportal.infra.api.filters import PortalFilterBackend, SearchFilter
from exchangeportal.infra.api.paging import ApiPagination
from exchangeportal.infra.api.viewsets import SLUG_PATTERN, ReadOnlyResourceViewSet
from exchangeportal.infra.cache import ApiPageCacheMixin

from ..filters import CityFilterSet, DesignationFilterSet, TieFilterSet
from ..geojson import city_feature, feature_collection, tie_feature
from ..network import city_tie_counts, tie_list
from ..selectors import (
    city_list,
    city_name_match,
    designation_name_search,
    designation_queryset,
    tie_between,
    tie_name_search,
    tie_queryset,
)
from .columns import CITY_COLUMNS, DESIGNATION_COLUMNS, TIE_COLUMNS
from .serializers import CitySerializer, DesignationSerializer, TieSerializer


def csv_format_parameter(extra: list[str] | None = None) -> OpenApiParameter:
    return OpenApiParameter(
        "format",
        str,
        enum=["json", "csv", *(extra or []), ""],
        description=str(
            _(
                "`csv` for every matching row as CSV (same filters, not paginated, streamed); "
                "`json` (the default) for a page of results."
            )
        ),
    )


def slug_parameter(description: str) -> OpenApiParameter:
    return OpenApiParameter("slug", str, OpenApiParameter.PATH, description=description)


def list_responses(serializer):
    return {
        (200, "application/json"): serializer(many=True),
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR, description="Every matching row, one line each, with a header."
        ),
    }


# Examples are real records of the demo data (from the researched CSVs), as the API answers.
PLACE_EXAMPLE = OpenApiExample(
    "Yangzhou",
    response_only=True,
    value={
        "slug": "yangzhou",
        "url": "https://portal.example/api/v1/cities/yangzhou/",
        "page_url": "https://portal.example/en/cities/yangzhou/",
        "country": "CN",
        "admin_level": "municipality",
        "parent": {
            "slug": "jiangsu-province",
            "url": "https://portal.example/api/v1/cities/jiangsu-province/",
            "country": "CN",
            "name_en": "Jiangsu Province",
            "name_zh_hans": "江苏省",
            "name_zh_hant": "江蘇省",
            "name_ja": "江蘇省",
            "name_ko": "장쑤성",
        },
        "name_en": "Yangzhou",
        "name_zh_hans": "扬州",
        "name_zh_hant": "揚州",
        "name_ja": "揚州",
        "name_ko": "양저우",
        "romanization": "Yangzhou",
        "aliases": ["扬州市"],
        "latitude": 32.3972,
        "longitude": 119.4358,
        "population": 1584237,
        "population_year": None,
        "area_km2": None,
        "valid_from": None,
        "valid_to": None,
        "website": "",
        "wikidata_id": "",
        "geonames_id": 1787227,
        "tie_count": 9,
        "designation_years": [2020],
        "ties_url": "https://portal.example/api/v1/ties/?city=yangzhou",
        "events_url": "https://portal.example/api/v1/events/?place=yangzhou",
    },
)

TIE_EXAMPLE = OpenApiExample(
    "Yangzhou – Karatsu",
    response_only=True,
    value={
        "slug": "karatsu--yangzhou",
        "url": "https://portal.example/api/v1/ties/karatsu--yangzhou/",
        "page_url": "https://portal.example/en/ties/karatsu--yangzhou/",
        "city_a": {
            "slug": "yangzhou",
            "url": "https://portal.example/api/v1/cities/yangzhou/",
            "country": "CN",
            "name_en": "Yangzhou",
            "name_zh_hans": "扬州",
            "name_zh_hant": "揚州",
            "name_ja": "揚州",
            "name_ko": "양저우",
        },
        "city_b": {
            "slug": "karatsu",
            "url": "https://portal.example/api/v1/cities/karatsu/",
            "country": "JP",
            "name_en": "Karatsu",
            "name_zh_hans": "唐津",
            "name_zh_hant": "唐津",
            "name_ja": "唐津",
            "name_ko": "가라쓰",
        },
        "kind": "friendship",
        "label_a": "",
        "label_b": "",
        "established": "1982-02-22",
        "established_precision": "day",
        "date_basis": "signed",
        "status": "active",
        "ended_on": None,
        "verified": True,
        "note": "CLAIR: date of protocol signing; TCS DB says Feb 1982",
        "public_note_en": "CLAIR: date of protocol signing; TCS DB says Feb 1982",
        "public_note_zh_hans": "",
        "public_note_ja": "",
        "public_note_ko": "",
        "text_origins": {},
        "milestones": [],
        "sources": [
            {
                "id": 1,
                "url": "http://www.clair.or.jp/j/exchange/shimai/data/detail/1539",
                "title": "",
                "publisher": "www.clair.or.jp",
                "accessed_on": None,
            }
        ],
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="List places",
        description=(
            "Places (cities, districts, counties, prefectures, provinces …) with the "
            "directory's filters. `q` and `search` both match every name and spelling."
        ),
        parameters=[csv_format_parameter()],
        responses=list_responses(CitySerializer),
        examples=[PLACE_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="One place",
        description="A place by its slug.",
        parameters=[slug_parameter("The place's slug, e.g. `yangzhou`.")],
        examples=[PLACE_EXAMPLE],
    ),
)
class CityViewSet(ReadOnlyResourceViewSet):
    """Places: every name, coordinates, population, and links to their ties and events."""

    serializer_class = CitySerializer
    filter_backends = [PortalFilterBackend, SearchFilter]
    filterset_class = CityFilterSet
    search_description = _(
        "Places answering to this name in any script or spelling (English, 简体, 繁體, "
        "日本語, 한국어, romanisation, other spellings)."
    )
    csv_columns = CITY_COLUMNS
    csv_filename = "places.csv"

    def get_queryset(self):
        return city_list()

    def search_queryset(self, queryset, term):
        return city_name_match(queryset, term)


@extend_schema_view(
    list=extend_schema(
        summary="List ties",
        description=(
            "Ties between places (one per unordered pair), with both places, both sides' "
            "labels, the partial date, milestones and sources."
        ),
        parameters=[csv_format_parameter()],
        responses=list_responses(TieSerializer),
        examples=[TIE_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="One tie",
        description=(
            "A tie by its two places' slugs joined by `--` (either order; the canonical "
            "`slug` has them in alphabetical order)."
        ),
        parameters=[
            OpenApiParameter(
                "pair",
                str,
                OpenApiParameter.PATH,
                description="`<slug-a>--<slug-b>`, e.g. `karatsu--yangzhou`.",
            )
        ],
        examples=[TIE_EXAMPLE],
    ),
)
class TieViewSet(ReadOnlyResourceViewSet):
    """Ties (sister, friendship … cities) between two places."""

    serializer_class = TieSerializer
    filterset_class = TieFilterSet
    ordering_fields = [("established", "established_on"), "kind", "status"]
    lookup_field = "pair"
    lookup_url_kwarg = "pair"
    lookup_value_regex = f"{SLUG_PATTERN}--{SLUG_PATTERN}"
    search_description = _("Ties one of whose places answers to this name (any script).")
    csv_columns = TIE_COLUMNS
    csv_filename = "ties.csv"

    def get_queryset(self):
        return tie_queryset().order_by(F("established_on").asc(nulls_last=True), "id")

    def search_queryset(self, queryset, term):
        return tie_name_search(queryset, term)

    def get_object(self):
        slug_a, _sep, slug_b = self.kwargs["pair"].partition("--")
        tie = tie_between(slug_a=slug_a, slug_b=slug_b)
        if tie is None:
            raise exceptions.NotFound(_("These two places have no recorded tie."))
        return tie


@extend_schema_view(
    list=extend_schema(
        summary="List Culture City designations",
        description="Culture City of East Asia designations: year, place, status, theme, sources.",
        parameters=[csv_format_parameter()],
        responses=list_responses(DesignationSerializer),
    ),
    retrieve=extend_schema(
        summary="One designation",
        description="A designation by its id.",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="The designation's id.")
        ],
    ),
)
class DesignationViewSet(ReadOnlyResourceViewSet):
    """Culture City of East Asia designations."""

    serializer_class = DesignationSerializer
    filterset_class = DesignationFilterSet
    ordering_fields = ["year"]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]{1,18}"
    search_description = _("Designations whose place answers to this name (any script).")
    csv_columns = DESIGNATION_COLUMNS
    csv_filename = "designations.csv"

    def get_queryset(self):
        return designation_queryset().order_by("-year", "city__country", "city__name_en", "id")

    def search_queryset(self, queryset, term):
        return designation_name_search(queryset, term)


# --- GeoJSON (the network map's data) -----------------------------------------------------------


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class GeoJSONPagination(ApiPagination):
    """Features come in big pages for the map: 2,000 by default, at most 10,000."""

    page_size = 2000
    max_page_size = 10000
    page_size_query_description = _("Features per page (default 2,000, at most 10,000).")


FEATURE_COLLECTION_SCHEMA = {
    "type": "object",
    "description": "A GeoJSON FeatureCollection (RFC 7946: longitude before latitude).",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "total": {"type": "integer", "description": "Matching records, on every page."},
        "page": {"type": "integer", "description": "This page's number."},
        "next": {
            "type": "string",
            "nullable": True,
            "description": "The next page's address, or null on the last page.",
        },
        "features": {
            "type": "array",
            "description": "Records with a position (others are counted but not drawn).",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                    "geometry": {"type": "object"},
                    "properties": {"type": "object"},
                },
                "required": ["type", "geometry", "properties"],
            },
        },
    },
    "required": ["type", "features"],
}


class GeoJSONSchema(AutoSchema):
    """A GeoJSON view answers a list of features, not a list action: document its filters,
    `search` and paging as a list's (drf-spectacular only does so for list actions)."""

    def get_filter_backends(self):
        return getattr(self.view, "filter_backends", [])

    def _get_pagination_parameters(self):
        paginator = self._get_paginator()
        return paginator.get_schema_operation_parameters(self.view) if paginator else []


class _GeoJSONView(ApiPageCacheMixin, GenericAPIView):
    schema = GeoJSONSchema()
    renderer_classes = [GeoJSONRenderer]
    pagination_class = GeoJSONPagination
    filter_backends = [PortalFilterBackend, SearchFilter]
    filterset_class = TieFilterSet
    search_description = _("Ties one of whose places answers to this name (any script).")

    def get_queryset(self):
        return tie_list()

    def search_queryset(self, queryset, term):
        return tie_name_search(queryset, term)

    def collection(self, request, queryset, build):
        page = self.paginate_queryset(queryset)
        paginator = self.paginator
        return Response(
            feature_collection(
                page,
                build,
                total=paginator.page.paginator.count,
                page=paginator.page.number,
                next=paginator.get_next_link(),
            )
        )


@extend_schema(
    summary="Ties as GeoJSON",
    description=(
        "The ties list's filters, as a FeatureCollection of LineStrings from place A to "
        "place B (`[[lon, lat], [lon, lat]]`), for maps. Ties whose places lack "
        "coordinates are counted in `total` but not drawn."
    ),
    responses={(200, "application/geo+json"): FEATURE_COLLECTION_SCHEMA},
    tags=["geojson"],
)
class TieGeoJSONView(_GeoJSONView):
    """Ties as GeoJSON LineStrings (the network map's data)."""

    def get(self, request):
        return self.collection(request, self.filter_queryset(self.get_queryset()), tie_feature)


@extend_schema(
    summary="Places as GeoJSON",
    description=(
        "The places taking part in the ties that match the ties list's filters, as a "
        "FeatureCollection of Points with their `tie_count` (of those ties); `country` "
        "narrows to one country's places."
    ),
    parameters=[
        OpenApiParameter(
            "country",
            {"type": "string", "pattern": "^[A-Za-z]{2}$"},
            description="ISO code of the places' country (CN, JP, KR …).",
            allow_blank=True,
        )
    ],
    responses={(200, "application/geo+json"): FEATURE_COLLECTION_SCHEMA},
    tags=["geojson"],
)
class CityGeoJSONView(_GeoJSONView):
    """Places with their tie counts as GeoJSON Points (the network map's data)."""

    def get(self, request):
        country = request.query_params.get("country", "").upper()
        if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
            raise exceptions.ValidationError(
                {"country": [_("Give a two-letter country code such as CN, JP or KR.")]}
            )
        places = city_tie_counts(self.filter_queryset(self.get_queryset())).filter(
            latitude__isnull=False, longitude__isnull=False
        )
        if country:
            places = places.filter(country=country)
        return self.collection(request, places, city_feature)
