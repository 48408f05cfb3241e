"""What `make bench` measures: the one list of pages and endpoints.

Each target is (name, path, whether the 50%-of-ceiling and p99 targets apply).
Placeholders are filled from the benchmark database by the harness:
`{busiest_place_url}` (the place with the most ties), `{tie_url}` (one of its
ties), `{search_query}` (the first letters of that place's name). A path that
answers 404 on the current code is reported as "not available".
"""

CEILING = ("framework ceiling", "/bench/ceiling/", False)

TARGETS = [
    ("directory", "/en/cities/", True),
    ("directory, two filters", "/en/cities/?country=JP&admin_level=municipality", True),
    ("busiest place", "{busiest_place_url}", True),
    ("tie page", "{tie_url}", False),
    ("Culture City archive", "/en/culture-cities/", False),
    ("events list", "/en/events/", False),
    ("triads", "/en/network/triads/", False),
    ("API places", "/api/v1/cities/", True),
    ("API ties", "/api/v1/ties/", True),
    ("API events", "/api/v1/events/", True),
    ("API designations", "/api/v1/designations/", True),
    ("search", "/en/search/?q={search_query}", False),
]
