"""CSV answers, streamed in chunks; the columns written once per resource."""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.http import StreamingHttpResponse
from rest_framework.renderers import JSONRenderer

from ..translation import text_origin
from .formats import CSVRenderer, Echo, csv_value

CSV_CHUNK_SIZE = 2000


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


def translated_columns(base: str, what: str, *, origins: bool = False) -> list[Column]:
    """One column per UI language of a translated field: `title_en` "Title in English." …;
    with `origins`, each followed by `title_en_origin`: original, translation (by the
    portal) or empty (written by a curator), from the model's `text_origins`."""
    columns = []
    for suffix, language in CONTENT_LANGUAGE_NAMES.items():
        name = f"{base}_{suffix}"
        columns.append(
            Column(name, f"{what} in {language}.", lambda obj, name=name: getattr(obj, name))
        )
        if origins:
            columns.append(
                Column(
                    f"{name}_origin",
                    f"Whether the {what.lower()} in {language} is the original (original), "
                    "a translation by the portal (translation) or a curator's text (empty).",
                    lambda obj, name=name: text_origin(obj, name),
                )
            )
    return columns


def csv_rows(objects: Iterable, columns: list[Column]) -> Iterator[str]:
    """The header line, then one line per object (objects are consumed lazily)."""
    writer = csv.writer(Echo())
    yield writer.writerow([column.name for column in columns])
    for obj in objects:
        yield writer.writerow([csv_value(column.value(obj)) for column in columns])


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
