"""Template helpers for the network pages and the place-page includes."""

from django import template
from django.conf import settings

from cities import network

register = template.Library()


@register.simple_tag
def map_tile_url() -> str:
    """The optional tile layer's URL template (empty: the bundled outline only)."""
    return settings.MAP_TILE_URL


@register.simple_tag
def map_tile_attribution() -> str:
    return settings.MAP_TILE_ATTRIBUTION


@register.simple_tag
def place_indicator_charts(city):
    """`{% place_indicator_charts city as series_list %}` for a place page (two queries)."""
    return network.place_indicator_charts(city)
