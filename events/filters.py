"""The events list's filters, shared by the portal page and the API."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.filters import YearFilter
from cities.models import Country
from cities.selectors import places_by_slug_or_name

from .models import (
    EventCategory,
    EventFormat,
    EventProposal,
    EventSeries,
    ExchangeEvent,
    ProposalState,
)
from .selectors import event_place_filter, event_when_filter

WHEN_CHOICES = [("upcoming", _("upcoming")), ("past", _("past"))]


class PlacesMatchingField(forms.CharField):
    """A filter's place typed by slug or by name (any script): a text box, not a list of every
    place. Cleans to the queryset of every place it matches, partial names included
    (`places_by_slug_or_name`); a value no place answers to does not validate (the filter is
    then ignored with a note). Not `forms_partner.OnePlaceField`, which needs exactly one
    place and says when a name is ambiguous."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        places = places_by_slug_or_name(value)
        if places is None:
            raise forms.ValidationError(
                _("No place answers to “%(value)s”."), code="unknown_place", params={"value": value}
            )
        return places


class PlaceFilter(django_filters.CharFilter):
    field_class = PlacesMatchingField


def series_choices() -> list[tuple[str, str]]:
    return [(series.slug, series.name) for series in EventSeries.objects.order_by("name_en")]


class EventFilterSet(django_filters.FilterSet):
    """Filters of the events list.

    Use it on `selectors.event_list()`. A value that does not validate is left
    out of the filtering; `ignored_fields` names those so the page can say so.
    """

    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=EventCategory.choices, empty_label=_("any")
    )
    format = django_filters.ChoiceFilter(
        label=_("Format"), choices=EventFormat.choices, empty_label=_("any")
    )
    country = django_filters.ChoiceFilter(
        label=_("Host country"),
        field_name="host__country",
        choices=Country.choices,
        empty_label=_("any"),
    )
    host = PlaceFilter(
        label=_("Host place"),
        method="filter_host",
        max_length=80,
        help_text=_("Its address name (slug) or its name in any script."),
    )
    year = YearFilter(
        label=_("Year"), field_name="starts_on", lookup_expr="year", min_value=1900, max_value=2100
    )
    when = django_filters.ChoiceFilter(
        label=_("When"), choices=WHEN_CHOICES, empty_label=_("any time"), method="filter_when"
    )
    series = django_filters.ChoiceFilter(
        label=_("Series"),
        field_name="series__slug",
        choices=series_choices,
        empty_label=_("any"),
    )

    class Meta:
        model = ExchangeEvent
        fields = ["category", "format", "country", "host", "year", "when", "series"]

    def filter_host(self, queryset, name, value):
        return queryset.filter(host__in=value.values("pk"))

    def filter_when(self, queryset, name, value):
        return event_when_filter(queryset, value, today=timezone.localdate())

    @property
    def ignored_fields(self) -> list[str]:
        """Labels of the filters whose value was malformed and therefore ignored."""
        if not self.is_bound:
            return []
        return [str(self.form.fields[name].label) for name in self.form.errors]


class EventApiFilterSet(EventFilterSet):
    """The events list's filters, plus `place` (hosted or joined) for the API's place links.

    In the API a `host` no place answers to, or a `series` slug no series has, is not an
    error: it gives an empty list (the portal's page offers the series as a list instead).
    """

    host = django_filters.CharFilter(
        label=_("Host place"),
        method="filter_host_typed",
        max_length=80,
        help_text=_("Its address name (slug) or its name in any script."),
    )

    series = django_filters.CharFilter(
        label=_("Series (slug)"),
        field_name="series__slug",
        max_length=EventSeries._meta.get_field("slug").max_length,
    )
    place = django_filters.CharFilter(
        label=_("Place (slug), as host or partner"), method="filter_place", max_length=80
    )

    class Meta(EventFilterSet.Meta):
        fields = [*EventFilterSet.Meta.fields, "place"]

    def filter_host_typed(self, queryset, name, value):
        places = places_by_slug_or_name(value)
        return queryset.none() if places is None else queryset.filter(host__in=places.values("pk"))

    def filter_place(self, queryset, name, value):
        return event_place_filter(queryset, value)


class ProposalFilterSet(django_filters.FilterSet):
    """Filters of the API's proposals list."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=ProposalState.choices)

    class Meta:
        model = EventProposal
        fields = ["state"]
