"""TopoJSON → GeoJSON for the map's bundled East Asia outline (no tile server needed).

The source is `countries-50m.json` of the `world-atlas` npm package (Natural
Earth 1:50m Admin 0 boundaries as TopoJSON). We decode its quantised,
delta-encoded arcs, keep China, Japan, Korea and their neighbours, clip every
ring to the map's box (so Russia or India do not bring the whole continent) and
round coordinates to 3 decimals (about 100 m: plenty for an outline).
`manage.py build_east_asia_outline` runs this; see static/vendor/east-asia/README.md.
"""

# ISO 3166-1 numeric ids (world-atlas feature ids) → alpha-2 codes.
EAST_ASIA_COUNTRIES = {
    "156": "CN",
    "392": "JP",
    "410": "KR",
    "408": "KP",
    "158": "TW",
    "496": "MN",
    "643": "RU",
    "704": "VN",
    "418": "LA",
    "104": "MM",
    "356": "IN",
    "524": "NP",
    "064": "BT",
    "050": "BD",
    "764": "TH",
    "608": "PH",
    "398": "KZ",
    "417": "KG",
    "762": "TJ",
    "586": "PK",
    "004": "AF",
}

# west, south, east, north
MAP_BOX = (70.0, 10.0, 150.0, 56.0)


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute [lon, lat] positions of every arc (undoing quantisation and delta encoding)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(px), float(py)) for px, py in arc]
        arcs.append(points)
    return arcs


def ring_from_arcs(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list:
    """Join arcs into one ring; a negative index ~i means arc i reversed."""
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share their joining point: drop the duplicate.
        ring.extend(points[1:] if ring else points)
    return ring


def _clip_edge(points, inside, intersect):
    if not points:
        return []
    result = []
    previous = points[-1]
    for current in points:
        if inside(current):
            if not inside(previous):
                result.append(intersect(previous, current))
            result.append(current)
        elif inside(previous):
            result.append(intersect(previous, current))
        previous = current
    return result


def clip_ring(ring: list, box: tuple[float, float, float, float]) -> list:
    """Sutherland–Hodgman clipping of a ring to a rectangle (good enough for a filled outline)."""
    west, south, east, north = box

    def cut_x(limit):
        def intersect(p, q):
            t = (limit - p[0]) / (q[0] - p[0])
            return (limit, p[1] + t * (q[1] - p[1]))

        return intersect

    def cut_y(limit):
        def intersect(p, q):
            t = (limit - p[1]) / (q[1] - p[1])
            return (p[0] + t * (q[0] - p[0]), limit)

        return intersect

    points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else list(ring)
    points = _clip_edge(points, lambda p: p[0] >= west, cut_x(west))
    points = _clip_edge(points, lambda p: p[0] <= east, cut_x(east))
    points = _clip_edge(points, lambda p: p[1] >= south, cut_y(south))
    points = _clip_edge(points, lambda p: p[1] <= north, cut_y(north))
    rounded = []
    for x, y in points:
        point = [round(x, 3), round(y, 3)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) < 3:
        return []
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded if len(rounded) >= 4 else []


def east_asia_geojson(topology: dict, *, box=MAP_BOX, countries=None) -> dict:
    """A GeoJSON FeatureCollection of the chosen countries, clipped to `box`."""
    countries = countries or EAST_ASIA_COUNTRIES
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = countries.get(str(geometry.get("id", "")))
        if code is None:
            continue
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        clipped = []
        for polygon in polygons:
            rings = [clip_ring(ring_from_arcs(ring, arcs), box) for ring in polygon]
            if rings and rings[0]:
                clipped.append([ring for ring in rings if ring])
        if not clipped:
            continue
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"country": code, "name": geometry["properties"]["name"]},
                "geometry": {"type": "MultiPolygon", "coordinates": clipped},
            }
        )
    features.sort(key=lambda feature: feature["id"])
    return {
        "type": "FeatureCollection",
        "attribution": "Made with Natural Earth (public domain), via world-atlas 2.0.2",
        "bbox": list(box),
        "features": features,
    }
