"""The network map, its GeoJSON endpoints and the anniversaries (pages and iCal feed)."""

from urllib.parse import urlencode

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from exchangeportal.infra.cache import AnonymousPageCacheMixin, cache_page_for_anonymous
from exchangeportal.infra.ical import all_day_component, calendar_response
from exchangeportal.infra.paging import paginate_or_404

from .dates import DatePrecision
from .filters import AnniversaryFilterForm, TieFilterSet
from .models import TieKind
from .network import (
    DEFAULT_ANNIVERSARY_YEARS,
    anniversary_date,
    anniversary_mark,
    tie_anniversaries,
    tie_list,
)

TIES_PER_PAGE = 50
ANNIVERSARIES_PER_PAGE = 50


def link_to(viewname: str, *, kwargs: dict | None = None, query: dict | None = None) -> str:
    """The URL of a page, with the query string's non-empty values."""
    url = reverse(viewname, kwargs=kwargs)
    query = {key: value for key, value in (query or {}).items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def map_config(*, city_slug: str = "") -> dict:
    """What the map script needs, passed through data- attributes (no inline JS)."""
    query = f"?{urlencode({'city': city_slug})}" if city_slug else ""
    return {
        "outline_url": static("vendor/east-asia/east-asia.geojson"),
        "cities_url": reverse("geojson:cities") + query,
        "ties_url": reverse("geojson:ties") + query,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


class NetworkMapView(AnonymousPageCacheMixin, TemplateView):
    """The map of places and ties, with the same ties as a paginated list for readers without JS."""

    template_name = "network/map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = TieFilterSet(self.request.GET or None, queryset=tie_list())
        form = filterset.form
        ties = filterset.qs.prefetch_related("sources")
        page = paginate_or_404(ties, per_page=TIES_PER_PAGE, number=self.request.GET.get("page"))
        context.update(
            form=form,
            page_obj=page,
            ties=page.object_list,
            map=map_config(),
            kinds=TieKind.choices,
        )
        return context


class AnniversaryListView(AnonymousPageCacheMixin, TemplateView):
    """Round anniversaries of ties this year and next (`?years=` looks further ahead, `?place=`
    keeps one place's ties): a planning tool for city offices. This year's anniversaries that
    are over are marked as passed."""

    template_name = "network/anniversaries.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        form = AnniversaryFilterForm(self.request.GET)
        filters = form.filters()
        page = paginate_or_404(
            tie_anniversaries(today=today, **filters),
            per_page=ANNIVERSARIES_PER_PAGE,
            number=self.request.GET.get("page"),
        )
        for tie in page.object_list:
            anniversary_mark(tie, today=today)
            if filters["city"] is not None:
                tie.partner = tie.partner_of(filters["city"])
        context.update(
            form=form,
            page_obj=page,
            ties=page.object_list,
            place=filters["city"],
            years=filters["years"],
            query=_anniversary_query(filters),
            this_year=today.year,
            next_year=today.year + 1,
            last_year=today.year + filters["years"] - 1,
        )
        return context


def _anniversary_query(filters: dict) -> str:
    """The valid filters as a query string (for the iCal link): bad values are left out."""
    query = {}
    if filters["city"] is not None:
        query["place"] = filters["city"].slug
    if filters["years"] != DEFAULT_ANNIVERSARY_YEARS:
        query["years"] = filters["years"]
    return urlencode(query)


def _ical_summary(tie, age: int) -> str:
    return _("%(age)s years: %(a)s – %(b)s (%(kind)s)") % {
        "age": age,
        "a": tie.city_a.name,
        "b": tie.city_b.name,
        "kind": tie.get_kind_display(),
    }


@require_GET
@cache_page_for_anonymous
def anniversaries_ical(request):
    """The same anniversaries as an iCalendar feed (all-day events), with the page's filters
    (`?place=`, `?years=`; a bad value is ignored).

    A tie known to the day gives an event on that day; one known only to the
    month or the year gives an event on the first day of that month or year, with
    the precision said in its title.
    """
    today = timezone.localdate()
    stamp = timezone.now()
    components = []
    filters = AnniversaryFilterForm(request.GET).filters()
    for tie in tie_anniversaries(today=today, **filters):
        summary = _ical_summary(tie, tie.anniversary_age)
        if tie.established_precision == DatePrecision.MONTH:
            summary += " — " + _("day not known, month only")
        elif tie.established_precision == DatePrecision.YEAR:
            summary += " — " + _("day not known, year only")
        url = tie.get_absolute_url()
        components.append(
            all_day_component(
                uid=f"tie-{tie.pk}-anniversary-{tie.anniversary_year}",
                day=anniversary_date(
                    tie.established_on, tie.established_precision, tie.anniversary_year
                ),
                summary=summary,
                description=_("Established %(date)s.") % {"date": tie.established_display},
                url=request.build_absolute_uri(url) if url else "",
                stamp=stamp,
            )
        )
    return calendar_response(
        components, name=_("Tie anniversaries"), filename="tie-anniversaries.ics"
    )
