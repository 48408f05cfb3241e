from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from .sitemaps import sitemap_view
from .views import HomeView, favicon, robots_txt

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("sitemap.xml", sitemap_view, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    # The open API and its documentation (not language-prefixed); the map's GeoJSON
    # endpoints (namespace "geojson") first, before the API's catch-all 404.
    path("api/v1/", include("cities.urls_geojson")),
    path("api/", include("exchangeportal.api")),
]

# The public portal, under /en/, /zh-hans/, /ja/, /ko/; "/" redirects by Accept-Language.
urlpatterns += i18n_patterns(
    path("", HomeView.as_view(), name="home"),
    path("", include("cities.urls")),
    path("", include("events.urls_places")),
    path("events/", include("events.urls")),
    # Partner accounts and proposals (namespace "partners").
    path("", include("events.urls_partner")),
    path("search/", include("events.urls_search")),
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Error pages in the page's language that leak nothing (exchangeportal/infra/errors.py).
handler400 = "exchangeportal.infra.errors.bad_request"
handler403 = "exchangeportal.infra.errors.permission_denied"
handler404 = "exchangeportal.infra.errors.page_not_found"
handler500 = "exchangeportal.infra.errors.server_error"
# Network insights: the insight pages (prefixed); their GeoJSON is in the API above.
urlpatterns += i18n_patterns(
    path("", include("events.urls_network")),
    path("", include("events.urls_practices")),
)

# `make bench` only: the framework ceiling (see exchangeportal/infra/bench.py).
if settings.BENCH_CEILING_VIEW:
    from .infra.bench import ceiling_view

    urlpatterns += [path("bench/ceiling/", ceiling_view, name="bench_ceiling")]
