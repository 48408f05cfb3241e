from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Network insights: the map's GeoJSON (not language-prefixed), the insight pages (prefixed).
from django.conf.urls.i18n import i18n_patterns  # noqa: E402
from django.urls import include  # noqa: E402

urlpatterns += [path("api/v1/", include("cities.urls_geojson"))]
urlpatterns += i18n_patterns(
    path("", include("events.urls_network")),
    path("", include("events.urls_practices")),
)
