"""Triads and near-triads, and the statistics page (charts, data tables, CSV)."""

import csv
from dataclasses import dataclass, field

from django import forms
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from cities.charts import Chart, bar_chart, stacked_bar_chart
from cities.models import ExchangeIndicator, FriendshipLink, TieKind, country_label
from cities.network import (
    COUNTRY_PAIRS,
    DEFAULT_QUIET_YEARS,
    country_pair,
    indicator_charts,
    indicator_series,
    most_connected_places,
    places_with_indicators,
    ties_by_pair_and_kind,
    ties_per_year,
    ties_quiet,
)
from cities.views_network import link_to
from exchangeportal.infra.cache import AnonymousPageCacheMixin, cache_page_for_anonymous
from exchangeportal.infra.csvfile import csv_download_response
from exchangeportal.infra.paging import paginate_or_404

from .insights import (
    designations_by_country,
    events_by_category,
    events_per_year_by_format,
    events_shared_by_triads,
)
from .models import EventFormat
from .triads import (
    NEAR_TRIAD_LIMIT,
    RECENT_EVENT_YEARS,
    network_hydrate,
    network_shape,
    trilateral_group_states,
    trilateral_groups,
)

TRIADS_PER_PAGE = 20
NEAR_TRIADS_PER_PAGE = 20
GROUPS_PER_PAGE = 20
INDICATOR_PLACES_PER_PAGE = 10


# --- Triads -----------------------------------------------------------------------------------


class TriadListView(AnonymousPageCacheMixin, TemplateView):
    """Triads (three places in CN, JP, KR pairwise tied) and ranked near-triads."""

    template_name = "network/triads.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        include_unverified = self.request.GET.get("unverified") == "1"
        shape = network_shape(include_unverified=include_unverified)
        context["include_unverified"] = include_unverified
        get = self.request.GET.get
        triad_page = paginate_or_404(shape.triads, per_page=TRIADS_PER_PAGE, number=get("page"))
        near_page = paginate_or_404(
            shape.near_triads, per_page=NEAR_TRIADS_PER_PAGE, number=get("near")
        )
        group_page = paginate_or_404(
            trilateral_groups(), per_page=GROUPS_PER_PAGE, number=get("groups")
        )

        place_ids, tie_ids = set(), set()
        for t in triad_page.object_list:
            place_ids |= {t.cn, t.jp, t.kr}
            tie_ids |= {t.tie_cn_jp, t.tie_cn_kr, t.tie_jp_kr}
        for n in near_page.object_list:
            place_ids |= {n.hub, n.a, n.b}
            tie_ids |= {n.tie_hub_a, n.tie_hub_b}
        places, ties = network_hydrate(place_ids, tie_ids)
        shared = events_shared_by_triads(triad_page.object_list)

        triads = [
            {
                "places": [places[t.cn], places[t.jp], places[t.kr]],
                "ties": [ties[t.tie_cn_jp], ties[t.tie_cn_kr], ties[t.tie_jp_kr]],
                "events": shared.get((t.cn, t.jp, t.kr), []),
            }
            for t in triad_page.object_list
        ]
        near_triads = [
            {
                "hub": places[n.hub],
                "a": places[n.a],
                "b": places[n.b],
                "ties": [ties[n.tie_hub_a], ties[n.tie_hub_b]],
                "score": n.score,
                "active_points": n.active_points,
                "recent_points": n.recent_points,
                "age_points": n.age_points,
            }
            for n in near_page.object_list
        ]
        states = trilateral_group_states(group_page.object_list)
        groups = [
            {"group": group, "state": states[group.pk].state, "missing": states[group.pk].missing}
            for group in group_page.object_list
        ]
        context.update(
            triad_page=triad_page,
            near_page=near_page,
            group_page=group_page,
            triads=triads,
            near_triads=near_triads,
            groups=groups,
            triad_total=len(shape.triads),
            near_total=shape.near_triad_total,
            near_shown=len(shape.near_triads),
            near_limit=NEAR_TRIAD_LIMIT,
            recent_years=RECENT_EVENT_YEARS,
        )
        return context


# --- Statistics -------------------------------------------------------------------------------


@dataclass
class Cell:
    value: object
    url: str = ""


@dataclass
class Row:
    label: str
    cells: list[Cell]
    url: str = ""


@dataclass
class Dataset:
    """One statistic: a caption, a table (also the CSV) and a chart drawn from the same numbers."""

    slug: str
    title: str
    columns: list[str]
    rows: list[Row]
    chart: Chart | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


class StatisticsForm(forms.Form):
    quiet = forms.IntegerField(
        label=gettext_lazy("Years without a recorded event"),
        required=False,
        min_value=1,
        max_value=50,
    )


def _ties_by_pair_dataset() -> Dataset:
    counts = ties_by_pair_and_kind()
    kinds = list(TieKind.choices)
    pair_labels = {pair: " – ".join(country_label(c) for c in pair.split("-")) for pair in counts}
    pair_labels["other"] = _("other pairs")
    rows = []
    for pair, counter in counts.items():
        query_pair = pair if pair in COUNTRY_PAIRS else ""
        cells = [
            Cell(
                counter[kind],
                link_to("network:map", query={"pair": query_pair, "kind": kind})
                if query_pair
                else "",
            )
            for kind, _label in kinds
        ]
        total = sum(counter.values())
        cells.append(
            Cell(total, link_to("network:map", query={"pair": query_pair}) if query_pair else "")
        )
        rows.append(Row(pair_labels[pair], cells))
    chart = stacked_bar_chart(
        [row.label for row in rows],
        [
            (
                kind,
                str(label),
                [row.cells[index].value for row in rows],
                [row.cells[index].url for row in rows],
            )
            for index, (kind, label) in enumerate(kinds)
        ],
        height=240,
    )
    return Dataset(
        "ties-by-country-pair",
        _("Ties by country pair and kind"),
        [_("Countries"), *(str(label) for _kind, label in kinds), _("Total")],
        rows,
        chart,
    )


def _ties_per_year_dataset() -> Dataset:
    series = ties_per_year()
    rows = [
        Row(str(year), [Cell(n, link_to("network:map", query={"year": year}))])
        for year, n in series
    ]
    chart = bar_chart(
        [(row.label, row.cells[0].value, row.cells[0].url) for row in rows], label_every=5
    )
    return Dataset(
        "ties-per-year",
        _("New ties per year since %(year)s") % {"year": series[0][0]},
        [_("Year"), _("New ties")],
        rows,
        chart,
        _("Ties whose date is not known are not counted here."),
    )


def _events_per_year_dataset() -> Dataset:
    years, by_format = events_per_year_by_format()
    formats = list(EventFormat.choices)
    rows = []
    for index, year in enumerate(years):
        cells = [
            Cell(
                by_format[code][index],
                link_to("events:event_list", query={"year": year, "format": code}),
            )
            for code, _label in formats
        ]
        total = sum(cell.value for cell in cells)
        cells.append(Cell(total, link_to("events:event_list", query={"year": year})))
        rows.append(Row(str(year), cells))
    chart = stacked_bar_chart(
        [str(year) for year in years],
        [
            (code, str(label), by_format[code], [row.cells[index].url for row in rows])
            for index, (code, label) in enumerate(formats)
        ],
        label_every=max(1, len(years) // 14),
    )
    return Dataset(
        "events-per-year",
        _("Events per year by format"),
        [_("Year"), *(str(label) for _code, label in formats), _("Total")],
        rows,
        chart,
        _("From 2020 many exchanges moved online (“screen to screen”) or became hybrid."),
    )


def _events_by_category_dataset() -> Dataset:
    rows = [
        Row(label, [Cell(n, link_to("events:event_list", query={"category": code}))])
        for code, label, n in events_by_category()
    ]
    chart = bar_chart([(row.label, row.cells[0].value, row.cells[0].url) for row in rows])
    return Dataset(
        "events-by-category", _("Events by category"), [_("Category"), _("Events")], rows, chart
    )


def _most_connected_dataset() -> Dataset:
    places = list(most_connected_places())
    rows = [
        Row(
            place.name,
            [
                Cell(place.country_name),
                Cell(place.tie_count, link_to("network:map", query={"city": place.slug})),
            ],
            url=place.get_absolute_url(),
        )
        for place in places
    ]
    chart = bar_chart(
        [(row.label, row.cells[1].value, row.cells[1].url) for row in rows], height=260
    )
    return Dataset(
        "most-connected-places",
        _("The most connected places"),
        [_("Place"), _("Country"), _("Ties")],
        rows,
        chart,
    )


def _quiet_dataset(years: int) -> Dataset:
    rows_by_pair = (
        ties_quiet(FriendshipLink.objects.all(), years=years)
        .values("city_a__country", "city_b__country")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys([*COUNTRY_PAIRS, "other"], 0)
    for row in rows_by_pair:
        pair = country_pair(row["city_a__country"], row["city_b__country"])
        counts[pair if pair in COUNTRY_PAIRS else "other"] += row["n"]
    rows = []
    for pair, n in counts.items():
        if pair == "other":
            rows.append(Row(_("other pairs"), [Cell(n)]))
        else:
            label = " – ".join(country_label(c) for c in pair.split("-"))
            rows.append(
                Row(label, [Cell(n, link_to("network:map", query={"pair": pair, "quiet": years}))])
            )
    total = sum(counts.values())
    rows.append(Row(_("Total"), [Cell(total, link_to("network:map", query={"quiet": years}))]))
    return Dataset(
        "dormant-ties",
        _("Dormant ties: active, but no recorded event for %(years)s years") % {"years": years},
        [_("Countries"), _("Ties")],
        rows,
        None,
        _(
            "Active ties established more than %(years)s years ago with no published event "
            "recorded for them in the last %(years)s years."
        )
        % {"years": years},
        {"years": years},
    )


def _culture_cities_dataset() -> Dataset:
    rows = [
        Row(
            country_label(code),
            [
                Cell(
                    places,
                    link_to("cities:city_list", query={"country": code, "designated": "true"}),
                ),
                Cell(designations, link_to("cities:designation_archive")),
                Cell(cancelled),
            ],
        )
        for code, places, designations, cancelled in designations_by_country()
    ]
    chart = bar_chart(
        [(row.label, row.cells[0].value, row.cells[0].url) for row in rows], height=200
    )
    return Dataset(
        "culture-cities",
        _("Culture Cities of East Asia by country"),
        [_("Country"), _("Places designated"), _("Designations"), _("of which cancelled")],
        rows,
        chart,
        _(
            "A place counts once however many years it was named; a designation is one "
            "place in one year, cancelled ones included."
        ),
    )


# slug → builder (taking the dormant-ties years), in the page's order.
DATASET_BUILDERS = {
    "ties-by-country-pair": lambda years: _ties_by_pair_dataset(),
    "ties-per-year": lambda years: _ties_per_year_dataset(),
    "events-per-year": lambda years: _events_per_year_dataset(),
    "events-by-category": lambda years: _events_by_category_dataset(),
    "most-connected-places": lambda years: _most_connected_dataset(),
    "dormant-ties": _quiet_dataset,
    "culture-cities": lambda years: _culture_cities_dataset(),
}


def statistics_datasets(*, quiet_years: int) -> list[Dataset]:
    return [build(quiet_years) for build in DATASET_BUILDERS.values()]


def _quiet_years(request) -> tuple[StatisticsForm, int]:
    form = StatisticsForm(request.GET or None, initial={"quiet": DEFAULT_QUIET_YEARS})
    years = DEFAULT_QUIET_YEARS
    if form.is_valid() and form.cleaned_data.get("quiet"):
        years = form.cleaned_data["quiet"]
    return form, years


class StatisticsView(AnonymousPageCacheMixin, TemplateView):
    template_name = "network/statistics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, years = _quiet_years(self.request)
        place_page = paginate_or_404(
            places_with_indicators(),
            per_page=INDICATOR_PLACES_PER_PAGE,
            number=self.request.GET.get("page"),
        )
        series = indicator_series(place_page.object_list)
        context.update(
            form=form,
            datasets=statistics_datasets(quiet_years=years),
            quiet_years=years,
            place_page=place_page,
            indicator_places=[
                {
                    "place": place,
                    "series": indicator_charts(
                        series.get(place.pk, []), prefix=f"indicator-{place.pk}"
                    ),
                }
                for place in place_page.object_list
            ],
        )
        return context


@cache_page_for_anonymous
def statistics_csv(request, slug: str):
    """The numbers of one statistic as CSV (first column the row label)."""
    form, years = _quiet_years(request)
    if slug == "indicators":
        return _indicators_csv(request)
    build = DATASET_BUILDERS.get(slug)
    if build is None:
        raise Http404(_("There is no statistic called “%(slug)s”.") % {"slug": slug})
    dataset = build(years)
    response = csv_download_response(request, filename=f"{slug}.csv")
    writer = csv.writer(response)
    writer.writerow(dataset.columns)
    for row in dataset.rows:
        writer.writerow([row.label, *(cell.value for cell in row.cells)])
    return response


def _indicators_csv(request) -> HttpResponse:
    response = csv_download_response(request, filename="indicators.csv")
    writer = csv.writer(response)
    writer.writerow(["place", "country", "indicator", "year", "value", "unit", "sources"])
    records = (
        ExchangeIndicator.objects.select_related("city")
        .prefetch_related("sources")
        .order_by("city__name_en", "indicator_en", "year")
    )
    for record in records:
        writer.writerow(
            [
                record.city.name_en,
                record.city.country,
                record.indicator_en,
                record.year,
                f"{record.value.normalize():f}",
                record.unit_en,
                " ".join(source.url or source.title for source in record.sources.all()),
            ]
        )
    return response
