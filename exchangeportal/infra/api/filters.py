"""Filtering, `?search=` and `?ordering=` for the API's lists, and their schema."""

from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from rest_framework import exceptions
from rest_framework.filters import BaseFilterBackend

from .formats import RENDERER_FORMATS

SEARCH_MAX_LENGTH = 200


class PortalFilterBackend(DjangoFilterBackend):
    """The portal's own FilterSets; a malformed value answers 400 naming the field.

    `?format=csv` / `?format=json` choose the output and are not passed to the
    FilterSet (whose `format` filter, on events, is the event's format).
    """

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        data = request.query_params.copy()
        if data.get("format") in RENDERER_FORMATS:
            data.pop("format")
        kwargs["data"] = data
        return kwargs


class PortalFilterExtension(DjangoFilterExtension):
    """Schema of the portal's filters, with what their form fields enforce.

    Adds an integer field's bounds, a text field's maximum length and the empty
    value (= any) to each choice list, so the documentation states exactly what
    answers 400.
    """

    target_class = "exchangeportal.infra.api.filters.PortalFilterBackend"
    match_subclasses = True
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        field = filter_field.field
        for parameter in parameters:
            schema = parameter["schema"]
            if isinstance(field, forms.IntegerField):
                schema.update(type="integer")
                schema.pop("format", None)
                for bound, value in (("minimum", field.min_value), ("maximum", field.max_value)):
                    if value is not None:
                        schema[bound] = value
            elif isinstance(field, forms.ChoiceField) and not callable(
                filter_field.extra.get("choices")
            ):
                # Fixed choices only: choices read from the database (series) are not
                # enumerated, so the schema never needs the database.
                target = schema.get("items", schema)
                target.update(type="string")
                target["enum"] = [str(value) for value, _label in field.choices if value != ""]
                target["enum"].append("")
            elif isinstance(field, forms.CharField) and field.max_length:
                schema["maxLength"] = field.max_length
            if not parameter.get("description"):
                parameter["description"] = str(filter_field.label or field_name)
        return parameters


def clean_search_term(value: str) -> str:
    """The `search` parameter, stripped; 400 when too long or holding control characters."""
    term = value.strip()
    if len(term) > SEARCH_MAX_LENGTH:
        raise exceptions.ValidationError(
            {
                "search": [
                    _("Ensure this value has at most %(max)d characters.")
                    % {"max": SEARCH_MAX_LENGTH}
                ]
            }
        )
    if any(ord(character) < 32 for character in term):
        raise exceptions.ValidationError(
            {"search": [_("The search text cannot contain control characters.")]}
        )
    return term


class SearchFilter(BaseFilterBackend):
    """`?search=`: each view says what it searches (`search_queryset`, `search_description`)."""

    search_param = "search"

    def filter_queryset(self, request, queryset, view):
        term = clean_search_term(request.query_params.get(self.search_param, ""))
        if not term:
            return queryset
        return view.search_queryset(queryset, term)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.search_param,
                "required": False,
                "in": "query",
                "description": str(view.search_description),
                "schema": {
                    "type": "string",
                    "maxLength": SEARCH_MAX_LENGTH,
                    "pattern": "^[^\\x00-\\x1f]*$",
                },
            }
        ]


class StrictOrderingFilter(BaseFilterBackend):
    """`?ordering=`: comma-separated names, `-` for descending; an unknown name answers 400.

    The view's `ordering_fields` lists the public names, or (public name, model
    field) pairs. The id is added as a tie-breaker so pages never overlap.
    Without the parameter the selector's order is kept.
    """

    ordering_param = "ordering"

    @staticmethod
    def _fields(view) -> dict[str, str]:
        return dict(
            (item, item) if isinstance(item, str) else tuple(item) for item in view.ordering_fields
        )

    def filter_queryset(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param, "")
        if params == "":
            return queryset
        fields = self._fields(view)
        ordering = []
        for term in (param.strip() for param in params.split(",")):
            descending = term.startswith("-")
            name = term.removeprefix("-")
            if name not in fields:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            _("Order by one of %(fields)s (with “-” for descending).")
                            % {"fields": ", ".join(fields)}
                        ]
                    }
                )
            ordering.append(f"-{fields[name]}" if descending else fields[name])
        return queryset.order_by(*ordering, "pk")

    def get_schema_operation_parameters(self, view):
        names = list(self._fields(view))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(
                    _(
                        "Order of the results: a name, with “-” in front for descending "
                        "(several may be given, separated by commas)."
                    )
                ),
                "schema": {
                    "type": "string",
                    "enum": [value for name in names for value in (name, f"-{name}")] + [""],
                },
            }
        ]
