import pytest

from cities import panels


@pytest.fixture
def page(monkeypatch):
    """A page of its own, so the real panels stay as they are."""
    monkeypatch.setattr(panels, "_panels", {**panels._panels, panels.PLACE: []})
    return panels.PLACE


def test_panel_context_joins_timeline_entries_and_replaces_other_keys(page):
    panels.panel_register(page, lambda request, **objects: {"timeline_entries": [1], "x": "a"})
    panels.panel_register(page, lambda request, **objects: {"timeline_entries": [2, 3], "x": "b"})

    assert panels.panel_context(page, None) == {"timeline_entries": [1, 2, 3], "x": "b"}


def test_panel_register_refuses_an_unknown_page():
    with pytest.raises(ValueError, match="No page 'nowhere'"):
        panels.panel_register("nowhere", lambda request: {})
