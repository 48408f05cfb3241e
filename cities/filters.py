"""The place directory's filters, shared by the portal page and the API."""

import django_filters
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import (
    AdminLevel,
    City,
    Country,
    CultureCityDesignation,
    DesignationStatus,
    FriendshipLink,
    TieKind,
    TieStatus,
)
from .network import (
    COUNTRY_PAIR_CHOICES,
    DEFAULT_ANNIVERSARY_YEARS,
    MAX_ANNIVERSARY_YEARS,
    ties_filter,
)
from .selectors import (
    city_active_filter,
    city_designated_filter,
    city_name_match,
    city_tied_with_filter,
)

YES_NO = [("true", _("yes")), ("false", _("no"))]


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the place's name and id as tie-breakers, so pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "name_en", "pk")
        return qs


class CityFilterSet(django_filters.FilterSet):
    """Filters of the place directory.

    Use it on `selectors.city_list()` (the `ties` ordering needs its `tie_count`
    annotation). A value that does not validate is left out of the filtering;
    `ignored_fields` names those so the page can say so.
    """

    q = django_filters.CharFilter(
        label=_("Name"),
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search"}),
        max_length=200,
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=Country.choices, empty_label=_("any")
    )
    admin_level = django_filters.ChoiceFilter(
        label=_("Administrative level"), choices=AdminLevel.choices, empty_label=_("any")
    )
    designated = django_filters.ChoiceFilter(
        label=_("Culture City of East Asia"),
        choices=YES_NO,
        empty_label=_("any"),
        method="filter_designated",
    )
    activity = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[
            ("active", _("places with ties, Culture City years or events")),
            ("all", _("every place of the gazetteer")),
        ],
        empty_label=None,
        method="filter_activity",
    )
    tied_with = django_filters.ChoiceFilter(
        label=_("Tied with a place in"),
        choices=Country.choices,
        empty_label=_("any country"),
        method="filter_tied_with",
    )
    ordering = StableOrderingFilter(
        label=_("Order by"),
        fields=(("name_en", "name"), ("population", "population"), ("tie_count", "ties")),
        field_labels={
            "name_en": _("name"),
            "population": _("population"),
            "tie_count": _("number of ties"),
        },
        empty_label=None,
    )

    class Meta:
        model = City
        fields = ["q", "country", "admin_level", "activity", "designated", "tied_with", "ordering"]

    def filter_q(self, queryset, name, value):
        return city_name_match(queryset, value)

    def filter_activity(self, queryset, name, value):
        return city_active_filter(queryset) if value == "active" else queryset

    def filter_designated(self, queryset, name, value):
        return city_designated_filter(queryset, value == "true")

    def filter_tied_with(self, queryset, name, value):
        return city_tied_with_filter(queryset, value)

    @property
    def ignored_fields(self) -> list[str]:
        """Labels of the filters whose value was malformed and therefore ignored."""
        if not self.is_bound:
            return []
        return [str(self.form.fields[name].label) for name in self.form.errors]


class YearFilter(django_filters.NumberFilter):
    """A whole number (a year, a count of years): `?year=2019.5` does not validate."""

    field_class = forms.IntegerField


class TieFilterSet(django_filters.FilterSet):
    """Filters of the ties list: the network map and its no-JS list, the API's `ties`,
    its CSV and `ties.geojson` (applied by `network.ties_filter`).

    A value that does not validate is left out of the filtering (the page shows its error).
    """

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=TieKind.choices, empty_label=_("any kind")
    )
    pair = django_filters.ChoiceFilter(
        label=_("Countries"), choices=COUNTRY_PAIR_CHOICES, empty_label=_("any pair")
    )
    since = YearFilter(label=_("Established since (year)"), min_value=1800, max_value=2100)
    year = YearFilter(label=_("Established in (year)"), min_value=1800, max_value=2100)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TieStatus.choices, empty_label=_("any status")
    )
    city = django_filters.CharFilter(label=_("Place (slug)"), max_length=80)
    quiet = YearFilter(
        label=_("Active, but no recorded event for (years)"), min_value=1, max_value=100
    )
    verified = django_filters.ChoiceFilter(label=_("Verified by staff"), choices=YES_NO)

    class Meta:
        model = FriendshipLink
        fields = ["kind", "pair", "since", "year", "status", "city", "quiet", "verified"]

    def filter_queryset(self, queryset):
        filters = dict(self.form.cleaned_data)
        verified = filters.pop("verified", "")
        queryset = ties_filter(queryset, filters)
        if verified:
            queryset = queryset.filter(verified=verified == "true")
        return queryset


class DesignationFilterSet(django_filters.FilterSet):
    """Filters of the Culture City designations list (the API's `designations`)."""

    year = YearFilter(label=_("Year"), field_name="year", min_value=2014, max_value=2100)
    country = django_filters.ChoiceFilter(
        label=_("Country"), field_name="city__country", choices=Country.choices
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DesignationStatus.choices)
    city = django_filters.CharFilter(
        label=_("Place (slug)"), field_name="city__slug", max_length=80
    )

    class Meta:
        model = CultureCityDesignation
        fields = ["year", "country", "status", "city"]


YEARS_AHEAD_ERROR = format_lazy(
    _("Give a whole number of years from 1 to {max}."), max=MAX_ANNIVERSARY_YEARS
)


class AnniversaryFilterForm(forms.Form):
    """The anniversaries page's and feed's filters: a place (`?place=<slug>`) and how many
    calendar years to look ahead (`?years=`, this year and next by default, at most
    `network.MAX_ANNIVERSARY_YEARS`). A value that does not validate is ignored: its error
    says why, and the list is shown without it."""

    place = forms.SlugField(
        label=_("Place (slug)"),
        required=False,
        max_length=80,
        error_messages={"invalid": _("A place's address is made of letters, digits and -.")},
    )
    years = forms.IntegerField(
        label=_("Years ahead"),
        required=False,
        min_value=1,
        max_value=MAX_ANNIVERSARY_YEARS,
        help_text=format_lazy(
            _("1 (this year) to {max}; 2: this year and next"), max=MAX_ANNIVERSARY_YEARS
        ),
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_ANNIVERSARY_YEARS}),
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), YEARS_AHEAD_ERROR),
    )

    def clean_place(self):
        slug = self.cleaned_data["place"]
        if not slug:
            return None
        place = City.objects.filter(slug=slug).first()
        if place is None:
            raise forms.ValidationError(
                _("No place has the address “%(slug)s”."), params={"slug": slug}
            )
        return place

    def filters(self) -> dict:
        """The valid filters: {'city': City | None, 'years': int}."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "city": data.get("place"),
            "years": data.get("years") or DEFAULT_ANNIVERSARY_YEARS,
        }
