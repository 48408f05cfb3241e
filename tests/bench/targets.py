"""What `make bench` measures: the one list of pages and endpoints, and their targets.

A hot target (`TARGETS`) is one address, requested over and over: after the first request
every answer comes from the page cache. Its path may hold placeholders, filled from the
benchmark database by the harness: `{busiest_place_url}` (the place with the most ties),
`{tie_url}` (one of its ties), `{search_query}` (the first letters of that place's name). A
target may send request headers (the compressed variants: `Accept-Encoding`, served from the
page cache's stored Brotli or gzip body). A path that answers 404 on the current code is
reported as "not available".

A cold target (`COLD_TARGETS`) is a kind of address (`tests/bench/addresses.py`): the harness
walks a file of distinct addresses of that kind, each requested once in the whole run, after
emptying the caches (see tests/bench/README.md, "Cold targets").

Targets: the ratio of the target's requests/s to the framework ceiling's at least
`ratio_min`, and the p99 latency under `p99_max_ms`, both in the median run. A target
without them is reported only.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    name: str
    path: str = ""  # hot targets: the address (placeholders allowed)
    ratio_min: float | None = None
    p99_max_ms: float | None = None
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = ""  # cold targets: the kind of address walked (`addresses.KINDS`)

    @property
    def has_targets(self) -> bool:
        return self.ratio_min is not None or self.p99_max_ms is not None

    @property
    def cold(self) -> bool:
        return bool(self.kind)

    def describe(self) -> str:
        """The targets as the table shows them: "≥0.50, p99<100"."""
        parts = []
        if self.ratio_min is not None:
            parts.append(f"≥{self.ratio_min:.2f}")
        if self.p99_max_ms is not None:
            parts.append(f"p99<{self.p99_max_ms:g}")
        return ", ".join(parts)


# The targets for the directory, the busiest place and the API lists: at least 50 % of
# the ceiling, p99 under 100 ms at 32 connections.
_HALF = {"ratio_min": 0.50, "p99_max_ms": 100}

CEILING = Target("framework ceiling", "/bench/ceiling/")

TARGETS = [
    Target("directory", "/en/cities/", **_HALF),
    Target("directory, two filters", "/en/cities/?country=JP&admin_level=municipality", **_HALF),
    Target("busiest place", "{busiest_place_url}", **_HALF),
    Target("tie page", "{tie_url}"),
    Target("Culture City archive", "/en/culture-cities/"),
    Target("events list", "/en/events/"),
    Target("triads", "/en/network/triads/"),
    Target("API places", "/api/v1/cities/", **_HALF),
    Target("API ties", "/api/v1/ties/", **_HALF),
    Target("API events", "/api/v1/events/", **_HALF),
    Target("API designations", "/api/v1/designations/", **_HALF),
    Target("search", "/en/search/?q={search_query}"),
    # Issue #16: the same pages asked for compressed, as browsers do.
    Target("directory, Brotli", "/en/cities/", headers={"Accept-Encoding": "gzip, deflate, br"}),
    Target("directory, gzip", "/en/cities/", headers={"Accept-Encoding": "gzip"}),
    Target("busiest place, Brotli", "{busiest_place_url}", headers={"Accept-Encoding": "br"}),
    Target("API ties, Brotli", "/api/v1/ties/", headers={"Accept-Encoding": "br"}),
    Target("API ties, gzip", "/api/v1/ties/", headers={"Accept-Encoding": "gzip"}),
]

# Distinct addresses, none answered from a cache: what a crawler or a first visit costs.
COLD_TARGETS = [
    Target("distinct place pages", kind="place", ratio_min=0.05, p99_max_ms=200),
    Target("distinct tie pages", kind="tie"),
    Target("distinct API place details", kind="api-place", ratio_min=0.15, p99_max_ms=100),
    Target("distinct searches", kind="search", ratio_min=0.03, p99_max_ms=300),
]

# How many distinct addresses each cold kind's walk file holds (fewer when the set has fewer;
# searches: one per distinct name).
WALK_SIZES = {"place": 20000, "api-place": 20000, "tie": 30000, "search": 20000}
