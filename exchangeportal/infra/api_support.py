"""The open API's shared machinery: paging, negotiation (JSON / CSV), filters, throttles, errors.

The resources live in `cities/api/` and `events/api/`; the router and the
documentation URLs in `exchangeportal/api.py`.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponsePermanentRedirect, JsonResponse, StreamingHttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from rest_framework import exceptions
from rest_framework.filters import BaseFilterBackend
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from .ratelimit import client_ip

MAX_PAGE_SIZE = 100
SEARCH_MAX_LENGTH = 200
CSV_CHUNK_SIZE = 2000


# --- Paging -----------------------------------------------------------------------------------


class ApiPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 100); a page past the end answers 404."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_query_description = gettext_lazy("Page number, from 1.")
    page_size_query_description = gettext_lazy(
        "Results per page (default 20, at most 100; a larger value gives 100)."
    )

    def validate_paging(self, request) -> None:
        """400 unless `page` and `page_size`, when given, are whole numbers from 1."""
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            value = request.query_params.get(name, "")
            if value and not (value.isascii() and value.isdigit() and int(value) >= 1):
                errors[name] = [_("Give a whole number from 1.")]
        if errors:
            raise exceptions.ValidationError(errors)

    def paginate_queryset(self, queryset, request, view=None):
        self.validate_paging(request)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "")
        return min(int(value), self.max_page_size) if value else self.page_size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


# --- Formats ----------------------------------------------------------------------------------


class CSVRenderer(BaseRenderer):
    """text/csv. Lists stream their rows themselves (`CsvListMixin`); this renders plain rows."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data if isinstance(data, list) else [data]
        rows = [row for row in rows if isinstance(row, dict)]
        if not rows:
            return b""
        buffer = _Echo()
        writer = csv.writer(buffer)
        lines = [writer.writerow(list(rows[0]))]
        lines += [writer.writerow([_csv_value(value) for value in row.values()]) for row in rows]
        return "".join(lines).encode(self.charset)


RENDERER_FORMATS = {"json", "csv"}


def _view_filters(view) -> set[str]:
    filterset_class = getattr(view, "filterset_class", None)
    return set(filterset_class.base_filters) if filterset_class else set()


class ApiContentNegotiation(DefaultContentNegotiation):
    """`?format=json|csv` or the Accept header.

    An unknown `?format=` answers 400, except where `format` is also a filter of
    the list (events: in person / online / hybrid), where the filter takes it.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        requested = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        offered = [renderer.format for renderer in renderers]
        if requested and requested not in offered:
            view = (getattr(request, "parser_context", None) or {}).get("view")
            if requested in RENDERER_FORMATS or "format" not in _view_filters(view):
                raise exceptions.ValidationError(
                    {
                        "format": [
                            _("Unknown format “%(format)s”: use one of %(formats)s.")
                            % {"format": requested[:50], "formats": ", ".join(offered)}
                        ]
                    }
                )
            by_accept_header = DefaultContentNegotiation()
            by_accept_header.settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)
            return by_accept_header.select_renderer(request, renderers)
        return super().select_renderer(request, renderers, format_suffix=requested)


# --- Filters ----------------------------------------------------------------------------------


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

    target_class = "exchangeportal.infra.api_support.PortalFilterBackend"
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


# --- Throttling -------------------------------------------------------------------------------


def _rate_from_settings(scope: str) -> str | None:
    """The rate of `scope` in DEFAULT_THROTTLE_RATES; "off" (or "none") turns that throttle off,
    for a deployment whose proxy already limits rates, and for `make bench`."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    return None if (rate or "").strip().lower() in {"off", "none"} else rate


class _ClientAddress:
    """A client is identified by the portal's one client-address function
    (`DJANGO_TRUSTED_PROXY_COUNT`), not by DRF's reading of the whole `X-Forwarded-For` header,
    which a client can vary."""

    def get_ident(self, request):
        return client_ip(request)


class AnonThrottle(_ClientAddress, AnonRateThrottle):
    """Anonymous clients, per IP address: `API_THROTTLE_ANON` (default 120/minute)."""

    def get_rate(self):
        return _rate_from_settings(self.scope)


class UserThrottle(_ClientAddress, UserRateThrottle):
    """Signed-in clients (session or token), per user: `API_THROTTLE_USER` (default 600/minute).

    Anonymous clients are left to `AnonThrottle` alone (DRF's own class would count them a
    second time, by IP, against the signed-in rate).
    """

    def get_rate(self):
        return _rate_from_settings(self.scope)

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


# --- Errors -----------------------------------------------------------------------------------


def api_exception_handler(exc, context):
    """DRF's handler, plus: Django's ValidationError (what services raise) answers 400,
    Django's PermissionDenied 403.

    The body is always JSON (even when CSV was asked for): `{"detail": "…"}` for one
    message (a refused transition …) or field errors `{"field": ["…"]}`.
    """
    # Imported here: rest_framework.views reads the throttle classes defined in this module.
    from rest_framework.views import exception_handler  # noqa: PLC0415 — reason above

    if isinstance(exc, DjangoValidationError) and not hasattr(exc, "error_dict"):
        response = Response({"detail": " ".join(exc.messages)}, status=400)
        _answer_in_json(context)
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is not None:
        _answer_in_json(context)
    return response


def _answer_in_json(context) -> None:
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


@csrf_exempt  # answers every method with a JSON 404, never Django's HTML CSRF page
def api_not_found(request, path=""):
    """Any other address under /api/: a JSON 404 (or a redirect to the address with its slash)."""
    if request.method in ("GET", "HEAD") and path and not path.endswith("/"):
        try:
            match = resolve(f"{request.path}/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not_found":
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                f"{request.path}/" + (f"?{query}" if query else "")
            )
    return JsonResponse(
        {"detail": _("There is no API endpoint at this address. See /api/docs/.")}, status=404
    )


# --- CSV streaming ----------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class Column:
    """One CSV column: its header, what it holds (for the dump's README), how to read it."""

    name: str
    description: str
    value: Callable


CONTENT_LANGUAGE_NAMES = {
    "en": "English",
    "zh_hans": "simplified Chinese",
    "ja": "Japanese",
    "ko": "Korean",
}


def translated_columns(base: str, what: str) -> list[Column]:
    """One column per UI language of a translated field: `title_en` "Title in English." …"""
    return [
        Column(
            f"{base}_{suffix}",
            f"{what} in {language}.",
            lambda obj, name=f"{base}_{suffix}": getattr(obj, name),
        )
        for suffix, language in CONTENT_LANGUAGE_NAMES.items()
    ]


def csv_rows(objects: Iterable, columns: list[Column]) -> Iterator[str]:
    """The header line, then one line per object (objects are consumed lazily)."""
    writer = csv.writer(_Echo())
    yield writer.writerow([column.name for column in columns])
    for obj in objects:
        yield writer.writerow([_csv_value(column.value(obj)) for column in columns])


def iterate(queryset, *, chunk_size: int = CSV_CHUNK_SIZE) -> Iterator:
    """The queryset's rows in chunks (prefetches run once per chunk), never all in memory."""
    return queryset.iterator(chunk_size=chunk_size)


def streaming_csv_response(queryset, columns: list[Column], *, filename: str):
    response = StreamingHttpResponse(
        csv_rows(iterate(queryset), columns), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CsvListMixin:
    """`?format=csv` on a list: the same filters, every matching row, streamed (not paginated)."""

    csv_columns: list[Column] = []
    csv_filename = "export.csv"

    def get_renderers(self):
        if getattr(self, "action", None) == "list":
            return [JSONRenderer(), CSVRenderer()]
        return [JSONRenderer()]

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            self.paginator.validate_paging(request)
            queryset = self.filter_queryset(self.get_queryset())
            return streaming_csv_response(queryset, self.csv_columns, filename=self.csv_filename)
        return super().list(request, *args, **kwargs)


# --- Schema -----------------------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` says what went wrong.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "Invalid input: each key names a parameter or field (or `detail` / "
        "`non_field_errors`) and holds the list of what is wrong with it."
    ),
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "description": "Errors of a list's items, by position."},
        ]
    },
}

_ERROR_RESPONSES = {
    "400": ("BadRequest", "Invalid parameter or field values, or a refused action (see the body)."),
    "404": ("Error", "Not found, or a page number past the last page."),
    "429": ("Error", "Too many requests: see the throttling rates in the description."),
}
_AUTH_RESPONSES = {
    "401": ("Error", "No valid credentials (send `Authorization: Token <key>` or sign in)."),
    "403": ("Error", "Signed in, but not allowed to do this."),
}


API_DESCRIPTION = """\
Everything the CJK City Exchange Portal shows — places, ties, Culture City of East Asia
designations, exchange events and series — with the sources of every fact.

* **Read-only resources** (`cities`, `ties`, `designations`, `events`, `series`) need no
  account. Lists take the portal's filters plus `search`, `ordering`, `page` and
  `page_size` (at most 100). A malformed filter value answers 400 naming the parameter.
* **CSV**: add `format=csv` to any list (or send `Accept: text/csv`) for every matching row,
  streamed, with the same filters. `/api/v1/dump.zip` holds all open data as CSV files with
  a README of every column and the licence.
* **Dates** are partial ISO strings — `"1995"`, `"2002-11"`, `"2010-05-23"` — with their
  precision alongside.
* **Authentication** (partners' proposals only): a session, or `Authorization: Token <key>`.
* **Throttling**: anonymous clients {anon} per IP address, signed-in clients {user} per user;
  past the limit the API answers 429 with a `Retry-After` header.
* **Empty parameters** (`?country=`) count as absent, as in the portal's forms.
* **Errors** are JSON: `{{"detail": "…"}}`, or `{{"field": ["…"]}}` for invalid input.
* **CORS**: any web page may read the API anonymously (GET); nothing else cross-origin.
"""


def postprocess_error_responses(result, generator, request, public):
    """Document the JSON error answers on every operation (and 401/403 where auth is needed),
    the throttling rates in force, and a description on fields that only had a title."""
    result["info"]["description"] = API_DESCRIPTION.format(
        anon=_rate_from_settings("anon") or "unlimited",
        user=_rate_from_settings("user") or "unlimited",
    )
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    components["FieldErrors"] = FIELD_ERRORS_SCHEMA
    components["BadRequest"] = {
        "description": "Field errors, or one `detail` message (e.g. a refused transition).",
        "anyOf": [
            {"$ref": "#/components/schemas/FieldErrors"},
            {"$ref": "#/components/schemas/Error"},
        ],
    }
    for component in components.values():
        for spec in component.get("properties", {}).values():
            if not spec.get("description") and spec.get("title"):
                spec["description"] = spec["title"]
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True  # an empty value counts as absent
            extra = dict(_ERROR_RESPONSES)
            if operation.get("security") and {} not in operation["security"]:
                extra.update(_AUTH_RESPONSES)
            for status, (schema, description) in extra.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                )
    return result
