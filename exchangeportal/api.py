"""The open API's router (`/api/v1/`), its open-data dump and documentation (`/api/`).

Included from `exchangeportal/urls.py` under `api/` (not language-prefixed).
"""

from django.http import FileResponse
from django.urls import include, path, re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from cities.api.views import CityViewSet, DesignationViewSet, TieViewSet
from events.api.views import EventViewSet, SeriesViewSet

from .api_support import api_not_found
from .opendata import dump_current

router = SimpleRouter()
router.register("cities", CityViewSet, basename="city")
router.register("ties", TieViewSet, basename="tie")
router.register("designations", DesignationViewSet, basename="designation")
router.register("events", EventViewSet, basename="event")
router.register("series", SeriesViewSet, basename="series")


class OpenDataDumpView(APIView):
    """The whole open data set as one zip of CSV files with a README."""

    @extend_schema(
        summary="Download all open data",
        description=(
            "A zip of places.csv, ties.csv, milestones.csv, designations.csv, events.csv, "
            "series.csv and sources.csv, with a README.md describing every column and the "
            "licence. Rebuilt only when the data changes; the file name carries the data "
            "version."
        ),
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The zip file."
            )
        },
        tags=["open data"],
    )
    def get(self, request):
        dump = dump_current()
        return FileResponse(
            dump.open("rb"),
            as_attachment=True,
            filename=dump.name,
            content_type="application/zip",
        )


app_name = "api"

urlpatterns = [
    path("v1/dump.zip", OpenDataDumpView.as_view(), name="dump"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    re_path(r"^(?P<path>.*)$", api_not_found, name="not_found"),
]
