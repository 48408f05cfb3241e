"""sitemap.xml: every public page in the four languages, with hreflang alternates."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.urls import reverse

from cities.models import City, CultureCityDesignation, FriendshipLink
from events.models import EventSeries, ExchangeEvent

from .infra.cache import cache_page_for_anonymous


class PortalSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class StaticPagesSitemap(PortalSitemap):
    changefreq = "weekly"
    priority = 1.0

    def items(self):
        return [
            "home",
            "cities:city_list",
            "cities:designation_archive",
            "events:event_list",
            "network:map",
            "network:triads",
            "network:anniversaries",
            "network:statistics",
            "practices:practice_list",
        ]

    def location(self, item):
        return reverse(item)


class CitySitemap(PortalSitemap):
    priority = 0.8

    def items(self):
        return City.objects.order_by("slug").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class TieSitemap(PortalSitemap):
    priority = 0.6

    def items(self):
        return (
            FriendshipLink.objects.select_related("city_a", "city_b")
            .only("city_a__slug", "city_b__slug", "updated_at")
            .order_by("id")
        )

    def lastmod(self, item):
        return item.updated_at


class DesignationYearSitemap(PortalSitemap):
    priority = 0.6

    def items(self):
        return list(
            CultureCityDesignation.objects.order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )

    def location(self, item):
        return reverse("cities:designation_year", kwargs={"year": item})


class EventSitemap(PortalSitemap):
    priority = 0.6

    def items(self):
        return ExchangeEvent.objects.published().order_by("id").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class SeriesSitemap(PortalSitemap):
    priority = 0.5

    def items(self):
        return EventSeries.objects.order_by("slug").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "places": CitySitemap,
    "ties": TieSitemap,
    "culture-cities": DesignationYearSitemap,
    "events": EventSitemap,
    "series": SeriesSitemap,
}


@cache_page_for_anonymous(dated=False)
def sitemap_view(request):
    """sitemap.xml, kept in the page cache until the next write; its Last-Modified is the last
    write (the data version's `changed_at`)."""
    return sitemap(request, sitemaps=SITEMAPS)
