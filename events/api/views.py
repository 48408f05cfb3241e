"""Read-only API of exchange events and their series (lists, details, CSV)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from cities.api.views import SLUG_PATTERN, csv_format_parameter, list_responses, slug_parameter
from exchangeportal.api_support import (
    CsvListMixin,
    PortalFilterBackend,
    SearchFilter,
    StrictOrderingFilter,
)

from ..filters import EventApiFilterSet
from ..selectors import (
    event_open_data_list,
    event_text_search,
    series_list,
    series_name_search,
)
from .columns import EVENT_COLUMNS, SERIES_COLUMNS
from .serializers import EventSerializer, SeriesSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List events",
        description=(
            "Published exchange events with the events page's filters, newest first "
            "(`when=upcoming`: soonest first). `format` is the event's format "
            "(in_person, online, hybrid) or, with `csv` / `json`, the output format; to "
            "filter by event format and get CSV, send `Accept: text/csv`."
        ),
        parameters=[csv_format_parameter(["in_person", "online", "hybrid"])],
        responses=list_responses(EventSerializer),
    ),
    retrieve=extend_schema(
        summary="One event",
        description="A published event by its slug.",
        parameters=[slug_parameter("The event's slug.")],
    ),
)
class EventViewSet(CsvListMixin, viewsets.ReadOnlyModelViewSet):
    """Published exchange events."""

    serializer_class = EventSerializer
    filter_backends = [PortalFilterBackend, SearchFilter, StrictOrderingFilter]
    filterset_class = EventApiFilterSet
    ordering_fields = [("starts", "starts_on"), ("ends", "ends_on"), ("title", "title_en")]
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    search_description = _(
        "Events whose title (any language) contains this text, or whose host answers to it."
    )
    csv_columns = EVENT_COLUMNS
    csv_filename = "events.csv"

    def get_queryset(self):
        return event_open_data_list()

    def search_queryset(self, queryset, term):
        return event_text_search(queryset, term)


@extend_schema_view(
    list=extend_schema(
        summary="List event series",
        description="Recurring exchanges (a tournament held every year …), by name.",
        parameters=[csv_format_parameter()],
        responses=list_responses(SeriesSerializer),
    ),
    retrieve=extend_schema(
        summary="One event series",
        description="A series by its slug.",
        parameters=[slug_parameter("The series' slug, e.g. `cjk-go-tournament`.")],
    ),
)
class SeriesViewSet(CsvListMixin, viewsets.ReadOnlyModelViewSet):
    """Event series."""

    serializer_class = SeriesSerializer
    filter_backends = [SearchFilter, StrictOrderingFilter]
    ordering_fields = [("name", "name_en"), "event_count"]
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    search_description = _("Series whose name (any language) contains this text.")
    csv_columns = SERIES_COLUMNS
    csv_filename = "series.csv"

    def get_queryset(self):
        return series_list()

    def search_queryset(self, queryset, term):
        return series_name_search(queryset, term)
