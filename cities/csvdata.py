"""Reading the portal's CSV files: rows with their line numbers, countries, citations, counts.

Shared by the demo loader (`cities.demo`) and the tie import (`cities.imports`).
"""

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import models
from django.utils.encoding import iri_to_uri

from .models import Country, DateBasis, Source

COUNTRY_NAMES = {
    "china": Country.CHINA,
    "cn": Country.CHINA,
    "japan": Country.JAPAN,
    "jp": Country.JAPAN,
    "south korea": Country.KOREA,
    "korea": Country.KOREA,
    "republic of korea": Country.KOREA,
    "kr": Country.KOREA,
}

# Citations that the data gives as text. The same interview is cited by URL in
# friendship_links.csv ("Mayor WANG Jinjian's TCS interview"), so we link it.
KNOWN_CITATION_URLS = {
    "TCS interview with Mayor WANG Jinjian of Yangzhou (2022)": (
        "https://cn.tcs-asia.org/en/cooperation/interview_view.php?idx=2&pNo=1&topics=31"
    ),
}


def country_from_name(text: str) -> str:
    """ "China" / "Japan" / "South Korea" / "Korea" or an ISO code → CN / JP / KR."""
    code = COUNTRY_NAMES.get(text.strip().lower())
    if code is None:
        raise ValueError(f"unknown country '{text}' (use China, Japan, South Korea or CN, JP, KR)")
    return str(code)


class MissingColumnsError(ValueError):
    """The header of a CSV file lacks required columns."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(f"missing column(s): {', '.join(missing)}")


_EXTRA_CELLS = "\0extra"


def csv_rows(handle, required: list[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Yield (line number, row) from an open CSV text stream, cells stripped.

    Raises MissingColumnsError when the header lacks a required column. A row
    shorter than the header has None in its missing cells; cells beyond the
    header are dropped.
    """
    reader = csv.DictReader(handle, restkey=_EXTRA_CELLS)
    missing = [column for column in required if column not in (reader.fieldnames or [])]
    if missing:
        raise MissingColumnsError(missing)
    for row in reader:
        yield (
            reader.line_num,
            {
                key: (value.strip() if value is not None else None)
                for key, value in row.items()
                if key != _EXTRA_CELLS
            },
        )


@dataclass
class LoadReport:
    """created / updated / unchanged per model, counting each object once."""

    outcomes: dict[str, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)

    _RANK = {"unchanged": 0, "updated": 1, "created": 2}

    def record(self, obj: models.Model, outcome: str, *, key=None) -> None:
        """Count `obj` once; `key` stands in for the pk of an object not saved (a dry run)."""
        label = obj._meta.verbose_name_plural.title()
        key = obj.pk if key is None else key
        seen = self.outcomes[str(label)].get(key)
        if seen is None or self._RANK[outcome] > self._RANK[seen]:
            self.outcomes[str(label)][key] = outcome

    def table(self) -> list[str]:
        """The counts as lines of a fixed-width table (what the commands print)."""
        counts = self.counts()
        if not counts:
            return []
        width = max(len(label) for label in counts)
        lines = [f"{'':<{width}}  created  updated  unchanged"]
        for label, totals in counts.items():
            lines.append(
                f"{label:<{width}}  {totals['created']:>7}  {totals['updated']:>7}  "
                f"{totals['unchanged']:>9}"
            )
        return lines

    def counts(self) -> dict[str, dict[str, int]]:
        result = {}
        for label, per_object in sorted(self.outcomes.items()):
            totals = {"created": 0, "updated": 0, "unchanged": 0}
            for outcome in per_object.values():
                totals[outcome] += 1
            result[label] = totals
        return result

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts().values())


def source_values(citation: str) -> dict[str, str]:
    """The url, title and publisher of a Source from a cell holding a URL or a citation."""
    citation = citation.strip()
    if citation.startswith(("http://", "https://")):
        # An address with non-ASCII characters (a Japanese page name) is kept as its URI
        # form, the same address percent-encoded.
        url, title = iri_to_uri(citation), ""
    else:
        url, title = KNOWN_CITATION_URLS.get(citation, ""), citation
    publisher = (urlsplit(url).hostname or "") if url else ""
    return {"url": url, "title": title, "publisher": publisher}


def date_basis_from_note(note: str) -> str:
    lowered = note.lower()
    if "ceremony" in lowered:
        return DateBasis.CEREMONY
    if "signing" in lowered or "signed" in lowered:
        return DateBasis.SIGNED
    if "council approval" in lowered:
        return DateBasis.COUNCIL
    if "mou only" in lowered or "memorandum only" in lowered:
        return DateBasis.MEMORANDUM
    return DateBasis.UNKNOWN
