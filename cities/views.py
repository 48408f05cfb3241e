"""Public pages of places, ties and Culture Cities of East Asia."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from exchangeportal.infra.cache import AnonymousPageCacheMixin

from .filters import CityFilterSet
from .models import City
from .network import (
    anniversary_mark,
    next_round_anniversary,
    place_indicator_charts,
    tie_anniversaries,
)
from .panels import DESIGNATION_YEAR, PLACE, TIE, panel_context
from .selectors import (
    city_designations,
    city_detail_queryset,
    city_history,
    city_list,
    city_name_match,
    city_ties_page,
    designation_archive,
    designation_years,
    designations_for_year,
    tie_between,
    tie_history,
    tie_open_conflicts,
)
from .timeline import city_timeline

CITY_PAGE_SIZE = 24
PLACE_ANNIVERSARIES = 10  # on a place page; the anniversaries page (?place=) lists them all


class CityListView(AnonymousPageCacheMixin, ListView):
    """The place directory: filters, 24 places a page."""

    template_name = "cities/city_list.html"
    context_object_name = "cities"
    paginate_by = CITY_PAGE_SIZE

    def get_queryset(self):
        # The directory lists places with activity unless asked for all (the gazetteer
        # holds thousands of places nobody has recorded anything about yet); a name
        # search looks at every place.
        data = self.request.GET.copy()
        if "activity" not in data:
            data["activity"] = "all" if data.get("q") else "active"
        self.filterset = CityFilterSet(data, queryset=city_list())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filterset=self.filterset,
            ignored_fields=self.filterset.ignored_fields,
            query=self.request.GET.get("q", ""),
        )
        return context


class CityDetailView(AnonymousPageCacheMixin, View):
    """A place: a header with its names, locator map and key numbers; its timeline; then its
    ties by partner country, anniversaries, Culture City years, events and figures."""

    def get(self, request, slug):
        city = city_detail_queryset().filter(slug=slug).first()
        if city is None:
            return city_not_found(request, slug)
        today = timezone.localdate()
        ties_page, tie_groups = city_ties_page(city=city, number=request.GET.get("ties_page"))
        designations = list(city_designations(city=city))
        panels = panel_context(PLACE, request, city=city)
        timeline = city_timeline(
            city=city,
            designations=designations,
            extra=panels.pop("timeline_entries", []),
            ties=ties_page.object_list if ties_page.complete else None,
        )
        anniversaries = list(tie_anniversaries(today=today, city=city)[: PLACE_ANNIVERSARIES + 1])
        for tie in anniversaries:
            tie.partner = tie.partner_of(city)
            anniversary_mark(tie, today=today)
        return render(
            request,
            "cities/city_detail.html",
            {
                "city": city,
                "ties_page": ties_page,
                "tie_groups": tie_groups,
                "partner_countries": len(ties_page.country_counts),
                "designations": designations,
                "timeline": timeline,
                "anniversaries": anniversaries[:PLACE_ANNIVERSARIES],
                "more_anniversaries": len(anniversaries) > PLACE_ANNIVERSARIES,
                "indicator_series_list": place_indicator_charts(city),
                "today": today,
                **panels,
                "history": city_history(city=city),
            },
        )


def city_not_found(request, slug):
    """404 for an unknown place: the directory search with the slug as query, and near names."""
    # The slug as typed, with spaces, run together, and its first word ("kyoto-city" → "kyoto").
    variants = {slug, slug.replace("-", " "), slug.replace("-", ""), slug.split("-")[0]}
    places = City.objects.none()
    for variant in variants:
        places |= city_name_match(City.objects.all(), variant)
    return render(
        request,
        "404.html",
        {
            "search_query": slug,
            "suggestions": list(places.order_by("name_en")[:5]),
            "missing_place": True,
        },
        status=404,
    )


class TieDetailView(AnonymousPageCacheMixin, View):
    """A tie, at /ties/<slug-a>--<slug-b>/ with the slugs in alphabetical order."""

    def get(self, request, slug_a, slug_b):
        if slug_a == slug_b:
            raise Http404(_("A place is not tied to itself."))
        if slug_a > slug_b:
            url = reverse("cities:tie_detail", kwargs={"slug_a": slug_b, "slug_b": slug_a})
            if request.GET:
                url = f"{url}?{request.GET.urlencode()}"
            return redirect(url, permanent=True)
        tie = tie_between(slug_a=slug_a, slug_b=slug_b)
        if tie is None:
            raise Http404(_("These two places have no recorded tie."))
        context = {
            "tie": tie,
            "open_conflicts": tie_open_conflicts(tie=tie),
            "next_anniversary": next_round_anniversary(tie),
            "history": tie_history(tie=tie),
            **panel_context(TIE, request, tie=tie),
        }
        return render(request, "cities/tie_detail.html", context)


class DesignationArchiveView(AnonymousPageCacheMixin, TemplateView):
    """Culture Cities of East Asia: one row per year, one column per country."""

    template_name = "cities/designation_archive.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        countries, rows = designation_archive()
        context.update(countries=countries, rows=rows)
        return context


class DesignationYearView(AnonymousPageCacheMixin, View):
    """One year: its Culture Cities with their themes, and that year's programme events."""

    def get(self, request, year):
        designations = list(designations_for_year(year=year))
        if not designations:
            raise Http404(_("No Culture City of East Asia is recorded for this year."))
        years = designation_years()
        index = years.index(year)
        return render(
            request,
            "cities/designation_year.html",
            {
                "year": year,
                "designations": designations,
                **panel_context(DESIGNATION_YEAR, request, year=year),
                "newer_year": years[index - 1] if index > 0 else None,
                "older_year": years[index + 1] if index + 1 < len(years) else None,
            },
        )
