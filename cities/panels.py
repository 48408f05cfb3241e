"""What other apps add to the pages of places, ties and Culture City years.

`cities` never imports `events`: the events app registers a *panel* for a page (in its
`AppConfig.ready`), and the page's view merges what each panel gives into its template
context. A panel is a function taking the request and the page's object(s) by name and
returning a dict of context; the page's template renders it (e.g. `events_page`).

A place panel may also give `timeline_entries`, a list of `cities.timeline.TimelineEntry`:
the lists of every panel are joined (not replaced) and the place page merges them into the
place's one chronological timeline.
"""

from collections.abc import Callable

PLACE, TIE, DESIGNATION_YEAR = "place", "tie", "designation_year"
PAGES = (PLACE, TIE, DESIGNATION_YEAR)

Panel = Callable[..., dict]
JOINED_KEYS = {"timeline_entries"}  # lists that panels add to instead of replacing
_panels: dict[str, list[Panel]] = {page: [] for page in PAGES}


def panel_register(page: str, panel: Panel) -> None:
    """Add `panel` to `page` (once: registering it again changes nothing)."""
    if page not in _panels:
        raise ValueError(f"No page {page!r}: one of {', '.join(PAGES)}.")
    if panel not in _panels[page]:
        _panels[page].append(panel)


def panel_context(page: str, request, **objects) -> dict:
    """The context every panel registered for `page` gives, merged in registration order."""
    context: dict = {}
    for panel in _panels[page]:
        given = panel(request, **objects)
        for key in JOINED_KEYS & given.keys():
            given[key] = [*context.get(key, []), *given[key]]
        context.update(given)
    return context
