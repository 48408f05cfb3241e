"""Formats of the API's answers: JSON and CSV, negotiated by `?format=` or `Accept`."""

import csv
from types import SimpleNamespace

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer


class Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return str(value)


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
        buffer = Echo()
        writer = csv.writer(buffer)
        lines = [writer.writerow(list(rows[0]))]
        lines += [writer.writerow([csv_value(value) for value in row.values()]) for row in rows]
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
