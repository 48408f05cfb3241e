"""The open API's router (`/api/v1/`), its open-data dump and documentation (`/api/`).

Included from `exchangeportal/urls.py` under `api/` (not language-prefixed).
"""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.http import FileResponse
from django.urls import include, path, re_path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from cities.api.views import CityViewSet, DesignationViewSet, TieViewSet
from events.api.views import EventViewSet, ProposalViewSet, SeriesViewSet

from .infra.api.errors import api_not_found
from .infra.api.throttling import AnonThrottle, UserThrottle
from .infra.login_protection import retry_after_seconds
from .opendata import dump_current

router = SimpleRouter()
router.register("cities", CityViewSet, basename="city")
router.register("ties", TieViewSet, basename="tie")
router.register("designations", DesignationViewSet, basename="designation")
router.register("events", EventViewSet, basename="event")
router.register("series", SeriesViewSet, basename="series")
router.register("proposals", ProposalViewSet, basename="proposal")


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


class SwaggerDocsView(SpectacularSwaggerView):
    """Swagger UI within the portal's Content-Security-Policy: the sidecar's files and
    `static/js/api-swagger.js`, no inline script or style (`templates/api/swagger_ui.html`)."""

    template_name = "api/swagger_ui.html"


# ReDoc's search runs in a web worker it builds from a blob: allowed on this page only.
@method_decorator(
    csp_update({"style-src": [NONCE], "worker-src": ["'self'", "blob:"]}), name="dispatch"
)
class RedocDocsView(SpectacularRedocView):
    """ReDoc within the Content-Security-Policy (`templates/api/redoc.html`): no inline script;
    the styles ReDoc writes at run time carry this response's nonce; no outside web fonts or
    images (`static/js/api-redoc.js`)."""

    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["favicon_href"] = SwaggerDocsView._swagger_ui_favicon()
        return response


class TokenView(ObtainAuthToken):
    """A partner's API token, in exchange for their user name and password."""

    throttle_classes = [AnonThrottle, UserThrottle]
    # Credentials are the body: no session or token is needed (or read) to ask for a token.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get your API token",
        description=(
            "Send `username` and `password` (form or JSON); the answer holds the token to send "
            "as `Authorization: Token <key>` on the proposal endpoints. The same token is "
            "returned until an administrator deletes it. Wrong credentials answer 400; "
            "after repeated failures (for one user name, or from one address across user "
            "names) the answer is 429 with `Retry-After` until the lockout ends."
        ),
        request=inline_serializer(
            "TokenRequest",
            {
                "username": serializers.CharField(help_text="Your user name."),
                "password": serializers.CharField(help_text="Your password."),
            },
        ),
        responses={
            200: inline_serializer(
                "Token",
                {
                    "token": serializers.CharField(
                        help_text="Send it as `Authorization: Token <token>`."
                    )
                },
            )
        },
        tags=["authentication"],
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # axes refused the log-in (it flags the request it was given, DRF's): the account
            # or the address is locked, which is "too many requests", not "wrong password".
            if getattr(request, "axes_locked_out", False):
                raise Throttled(
                    wait=retry_after_seconds(),
                    detail=_("Too many failed log-ins: try again later."),
                ) from None
            raise


app_name = "api"

urlpatterns = [
    path("v1/dump.zip", OpenDataDumpView.as_view(), name="dump"),
    path("v1/token/", TokenView.as_view(), name="token"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerDocsView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", RedocDocsView.as_view(url_name="api:schema"), name="redoc"),
    # Any other address, control characters included (`.` would stop at a line break).
    re_path(r"^(?P<path>[\s\S]*)$", api_not_found, name="not_found"),
]
