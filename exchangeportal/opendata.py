"""The open-data dump: every public table as CSV, with a README, in one zip.

The zip is built once per data version (`exchangeportal.infra.cache`, moved on by every write)
and kept under `MEDIA_ROOT/<OPEN_DATA_DIR>/`; a request
after a data change builds the new one, every other request serves the file.
`manage.py build_open_data` builds it ahead of time (e.g. after an import).
"""

import datetime
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cities.api.columns import (
    CITY_COLUMNS,
    DESIGNATION_COLUMNS,
    MILESTONE_COLUMNS,
    SOURCE_TABLE_COLUMNS,
    TIE_COLUMNS,
)
from cities.models import LinkMilestone, Source
from cities.selectors import city_list, designation_queryset, tie_queryset
from events.api.columns import EVENT_COLUMNS, SERIES_COLUMNS
from events.selectors import event_open_data_list, series_list

from .infra.api.csv_export import Column, csv_rows, iterate
from .infra.cache import data_version

DUMP_PREFIX = "cjk-exchange-open-data-"


@dataclass(frozen=True)
class Table:
    filename: str
    description: str
    columns: list[Column]
    rows: object  # a callable returning the queryset


def _milestones():
    return (
        LinkMilestone.objects.select_related("link__city_a", "link__city_b")
        .prefetch_related("sources")
        .order_by("link_id", "date", "id")
    )


TABLES = [
    Table(
        "places.csv", "Places: cities, districts, prefectures, provinces …", CITY_COLUMNS, city_list
    ),
    Table(
        "ties.csv",
        "Ties between two places (one row per unordered pair).",
        TIE_COLUMNS,
        lambda: tie_queryset().order_by("established_on", "id"),
    ),
    Table("milestones.csv", "Dated steps in the life of a tie.", MILESTONE_COLUMNS, _milestones),
    Table(
        "designations.csv",
        "Culture City of East Asia designations.",
        DESIGNATION_COLUMNS,
        lambda: designation_queryset().order_by("year", "city__country", "city__name_en", "id"),
    ),
    Table(
        "events.csv",
        "Published exchange events.",
        EVENT_COLUMNS,
        lambda: event_open_data_list().order_by("starts_on", "id"),
    ),
    Table("series.csv", "Event series (recurring exchanges).", SERIES_COLUMNS, series_list),
    Table(
        "sources.csv",
        "Sources, referred to by the source_ids columns.",
        SOURCE_TABLE_COLUMNS,
        lambda: Source.objects.order_by("id"),
    ),
]


def open_data_version() -> str:
    """The dump's version: the portal's data version (`exchangeportal.infra.cache`), which every
    write to what the dump holds moves on."""
    return str(data_version())


def dump_directory() -> Path:
    return Path(settings.MEDIA_ROOT) / settings.OPEN_DATA_DIR


def dump_path(*, version: str) -> Path:
    return dump_directory() / f"{DUMP_PREFIX}{version}.zip"


def dump_readme(*, version: str, generated_at: datetime.datetime) -> str:
    """The README.md of the dump: licence, formats, and every column of every file."""
    lines = [
        "# CJK City Exchange Portal — open data",
        "",
        f"Data version `{version}`, generated {generated_at.strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "## Licence",
        "",
        settings.OPEN_DATA_LICENCE,
        "",
        "## Format",
        "",
        "UTF-8 CSV files with a header row, comma-separated, quoted where needed. Lists "
        "inside a cell are separated by `; `. Partial dates are ISO partial strings: "
        "`1995` (year known), `2002-11` (month known), `2010-05-23` (day known); the "
        "matching `*_precision` column says which. Empty cell = unknown. Places, ties, "
        "events and series are identified by their slugs (a tie by both places' slugs in "
        "alphabetical order joined by `--`), as in the API at `/api/v1/`.",
        "",
    ]
    for table in TABLES:
        lines += [f"## {table.filename}", "", table.description, "", "| column | meaning |"]
        lines += ["|---|---|"]
        lines += [f"| `{column.name}` | {column.description} |" for column in table.columns]
        lines += [""]
    return "\n".join(lines)


def dump_build(*, version: str) -> Path:
    """Write the dump for `version` and delete older dumps; returns its path.

    Rows are streamed table by table (never all in memory). The zip is written to
    a temporary file then renamed into place, so a reader never sees half a file
    and two concurrent builds do not clash.
    """
    directory = dump_directory()
    directory.mkdir(parents=True, exist_ok=True)
    target = dump_path(version=version)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".building-", suffix=".zip")
    try:
        with (
            os.fdopen(handle, "wb") as raw,
            zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as dump,
        ):
            generated_at = timezone.now()
            readme = dump_readme(version=version, generated_at=generated_at)
            stamp = generated_at.timetuple()[:6]
            dump.writestr(zipfile.ZipInfo("README.md", date_time=stamp), readme)
            for table in TABLES:
                info = zipfile.ZipInfo(table.filename, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                with dump.open(info, "w") as member:
                    text = io.TextIOWrapper(member, encoding="utf-8", newline="")
                    for line in csv_rows(iterate(table.rows()), table.columns):
                        text.write(line)
                    text.flush()
                    text.detach()
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    for old in directory.glob(f"{DUMP_PREFIX}*.zip"):
        if old != target:
            old.unlink(missing_ok=True)
    return target


def dump_current() -> Path:
    """The dump of the current data: the kept file, or a new one if the data changed."""
    version = open_data_version()
    path = dump_path(version=version)
    if not path.exists():
        path = dump_build(version=version)
    return path
