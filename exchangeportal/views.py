"""Project-wide public pages: the home page and robots.txt."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from cities.selectors import designation_years, designations_for_year
from events.selectors import portal_totals, upcoming_events

from .infra.cache import AnonymousPageCacheMixin

HOME_EVENTS = 5


class HomeView(AnonymousPageCacheMixin, TemplateView):
    """What the portal is, this year's Culture Cities, the next events, totals, a search box."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        years = designation_years()
        # This year's Culture Cities; before they are named, the latest year that has some.
        year = today.year if today.year in years else (years[0] if years else None)
        context.update(
            today=today,
            designation_year=year,
            designations=designations_for_year(year=year) if year else [],
            upcoming_events=upcoming_events(today=today, limit=HOME_EVENTS),
            totals=portal_totals(),
        )
        return context


@require_GET
def robots_txt(request):
    """Everything public may be crawled; the admin may not. Points at the sitemap."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
