"""Places and ties as GeoJSON features, for the map and the API's GeoJSON endpoints."""

from .models import (
    City,
    FriendshipLink,
)
from .network import country_pair


def _position(city: City) -> list[float] | None:
    if city.latitude is None or city.longitude is None:
        return None
    # GeoJSON (RFC 7946) order: longitude first.
    return [float(city.longitude), float(city.latitude)]


def _names(city: City) -> dict[str, str]:
    return {
        "en": city.name_en,
        "zh-hans": city.name_zh_hans,
        "ja": city.name_ja,
        "ko": city.name_ko,
    }


def city_feature(city: City) -> dict | None:
    """A place as a GeoJSON Point feature (None when it has no coordinates)."""
    position = _position(city)
    if position is None:
        return None
    return {
        "type": "Feature",
        "id": city.slug,
        "geometry": {"type": "Point", "coordinates": position},
        "properties": {
            "slug": city.slug,
            "name": city.name,
            "names": _names(city),
            "country": city.country,
            "admin_level": city.admin_level,
            "tie_count": getattr(city, "tie_count", None),
            "url": city.get_absolute_url(),
        },
    }


def tie_feature(tie: FriendshipLink) -> dict | None:
    """A tie as a GeoJSON LineString from place A to place B (None when one has no position)."""
    start, end = _position(tie.city_a), _position(tie.city_b)
    if start is None or end is None:
        return None
    return {
        "type": "Feature",
        "id": tie.pk,
        "geometry": {"type": "LineString", "coordinates": [start, end]},
        "properties": {
            "kind": tie.kind,
            "kind_label": str(tie.get_kind_display()),
            "status": tie.status,
            "established": tie.established_iso,
            "established_display": tie.established_display,
            "country_pair": country_pair(tie.city_a.country, tie.city_b.country),
            "city_a": {"slug": tie.city_a.slug, "name": tie.city_a.name},
            "city_b": {"slug": tie.city_b.slug, "name": tie.city_b.name},
            "url": tie.get_absolute_url(),
        },
    }


def feature_collection(objects, build, **foreign_members) -> dict:
    """A FeatureCollection of the objects that have a position (others are left out)."""
    features = [feature for feature in map(build, objects) if feature is not None]
    return {"type": "FeatureCollection", **foreign_members, "features": features}
