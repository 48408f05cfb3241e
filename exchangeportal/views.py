"""Project-wide public pages: the home page, robots.txt and /favicon.ico."""

import datetime

from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from cities.network import tie_anniversaries_in_months
from cities.selectors import designation_years, designations_for_year, latest_ties
from events.selectors import latest_events, portal_totals, upcoming_events

from .infra.cache import AnonymousPageCacheMixin

HOME_EVENTS = 5
HOME_ANNIVERSARIES = 8  # of this month and next, when no event is upcoming
HOME_ADDITIONS = 6  # the latest ties and events added, when no event is upcoming


class HomeView(AnonymousPageCacheMixin, TemplateView):
    """What the portal is, this year's Culture Cities, the next events, totals, a search box.

    When no event is upcoming the events column is no dead end: it shows the ties' round
    anniversaries of this month and next and the latest additions (ties and events).
    """

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        years = designation_years()
        # This year's Culture Cities; before they are named, the latest year that has some.
        year = today.year if today.year in years else (years[0] if years else None)
        upcoming = upcoming_events(today=today, limit=HOME_EVENTS)
        context.update(
            today=today,
            designation_year=year,
            designations=designations_for_year(year=year) if year else [],
            upcoming_events=upcoming,
            totals=portal_totals(),
        )
        if not upcoming:
            anniversaries = tie_anniversaries_in_months(
                today=today, months=2, limit=HOME_ANNIVERSARIES + 1
            )
            context.update(
                next_month=(today.replace(day=1) + datetime.timedelta(days=31)).replace(day=1),
                anniversaries=anniversaries[:HOME_ANNIVERSARIES],
                more_anniversaries=len(anniversaries) > HOME_ANNIVERSARIES,
                latest_additions=latest_additions(limit=HOME_ADDITIONS),
            )
        return context


def latest_additions(*, limit: int) -> list[dict]:
    """The ties and published events added most recently, newest first, as
    `{"kind": "tie" | "event", "item": …, "added": datetime}` (two queries)."""
    additions = [
        *(
            {"kind": "tie", "item": tie, "added": tie.created_at}
            for tie in latest_ties(limit=limit)
        ),
        *(
            {"kind": "event", "item": event, "added": event.created_at}
            for event in latest_events(limit=limit)
        ),
    ]
    additions.sort(key=lambda addition: (addition["added"], addition["item"].pk), reverse=True)
    return additions[:limit]


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


@require_GET
def favicon(request):
    """/favicon.ico, which browsers and crawlers ask for whatever the page links: the icon in
    static/ (the pages link static/favicon.svg)."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
