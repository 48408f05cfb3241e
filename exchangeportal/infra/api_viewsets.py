"""The base of the API's read-only resources (places, ties, designations, events, series).

Not in `api_support`: DRF loads that module from its settings while `rest_framework.views`
is still importing, so it cannot import DRF's viewsets.
"""

from rest_framework import viewsets

from .api_support import CsvListMixin, PortalFilterBackend, SearchFilter, StrictOrderingFilter
from .cache import ApiPageCacheMixin

SLUG_PATTERN = r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*"


class ReadOnlyResourceViewSet(ApiPageCacheMixin, CsvListMixin, viewsets.ReadOnlyModelViewSet):
    """A public read-only resource: a list (JSON, or CSV with `csv_columns`) and a detail,
    behind the page cache; the portal's FilterSet, `?search=` (through the view's
    `search_queryset`) and `?ordering=` (its `ordering_fields`); found by slug by default.
    """

    filter_backends = [PortalFilterBackend, SearchFilter, StrictOrderingFilter]
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
