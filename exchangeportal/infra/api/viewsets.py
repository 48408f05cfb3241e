"""The base of the API's read-only resources (places, ties, designations, events, series).

Not in `csv_export` or `filters`: DRF loads those from its settings while
`rest_framework.views` is still importing, so they cannot import DRF's viewsets.
"""

from rest_framework import viewsets

from ..cache import ApiPageCacheMixin
from .csv_export import CsvListMixin
from .filters import PortalFilterBackend, SearchFilter, StrictOrderingFilter

SLUG_PATTERN = r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*"


class ReadOnlyResourceViewSet(ApiPageCacheMixin, CsvListMixin, viewsets.ReadOnlyModelViewSet):
    """A public read-only resource: a list (JSON, or CSV with `csv_columns`) and a detail,
    behind the page cache; the portal's FilterSet, `?search=` (through the view's
    `search_queryset`) and `?ordering=` (its `ordering_fields`); found by slug by default.
    """

    filter_backends = [PortalFilterBackend, SearchFilter, StrictOrderingFilter]
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN

    def filter_queryset(self, queryset):
        """A detail is found by its address alone: the list's filters (documented for the
        lists only) are neither built nor applied to it."""
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)
