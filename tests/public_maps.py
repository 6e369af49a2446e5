"""Real public boundaries for tests: Nanjing's 11 districts, decoded from a committed ECharts map file.

The file ``tests/data/public/nanjing.js`` is copied unchanged from the PyPI package
``echarts-china-cities-pypkg`` 0.0.9 (see ``tests/data/public/README.md``). Keeping the published
file byte for byte, and decoding it here, lets anyone check the data against its source by SHA-256;
no network is used at test time.

The file calls ``echarts.registerMap("南京", {...})`` with a JavaScript object literal (unquoted
keys, ``!0`` for true) whose rings are in ECharts' compressed "UTF8Encoding" format. The decoding
follows ECharts' own ``decodePolygon`` (apache/echarts ``src/coord/geo/parseGeoJson.ts``).

The published rings are quantized to 1/1024 degree (about 100 m), which leaves most of them with
zero-area spikes, self-touching vertices and a few tiny crossings: not OGC-valid, although ECharts
draws them fine. ``nanjing_districts()`` therefore repairs each district with GEOS ``make_valid``
("structure" method, polygons only), which changes no district's area by as much as 0.01 %;
``nanjing_districts(repair=False)`` gives the faithful decoding.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NANJING_JS = Path(__file__).parent / "data" / "public" / "nanjing.js"

# ECharts' default when the map has no ``UTF8Scale``: coordinates are quantized to 1/1024 degree.
DEFAULT_ENCODE_SCALE = 1024

# One token of the object literal: a whole double-quoted string (so that nothing inside a string
# is ever rewritten), or a bare key after "{" or ",", or the minifier's booleans !0 / !1.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(?P<lead>[{,]\s*)(?P<key>[A-Za-z_$][\w$]*)(?=\s*:)|!(?P<bool>[01])\b')


def _object_literal(source: str, start: int) -> str:
    """The balanced ``{...}`` beginning at or after ``start``; braces inside strings do not count."""
    begin = source.index("{", start)
    depth = 0
    in_string = False
    escaped = False
    for i in range(begin, len(source)):
        char = source[i]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return source[begin : i + 1]
    raise ValueError("unbalanced braces in the map's object literal")


def _literal_to_json(literal: str) -> str:
    """Rewrite the JS literal as JSON: quote bare keys, ``!0``/``!1`` to true/false, leave strings."""

    def token(match: re.Match[str]) -> str:
        if match["key"] is not None:
            return f'{match["lead"]}"{match["key"]}"'
        if match["bool"] is not None:
            return "true" if match["bool"] == "0" else "false"
        return match[0]

    return _TOKEN.sub(token, literal)


def parse_registered_map(source: str) -> tuple[str, dict[str, Any]]:
    """The name and the (still encoded) GeoJSON object of the ``registerMap(name, {...})`` call."""
    call = re.search(r'registerMap\(\s*"((?:[^"\\]|\\.)*)"\s*,', source)
    if call is None:
        raise ValueError("no registerMap(name, {...}) call in the map file")
    name = json.loads(f'"{call[1]}"')
    return name, json.loads(_literal_to_json(_object_literal(source, call.end())))


def _utf16_units(text: str) -> tuple[int, ...]:
    """The string as JavaScript sees it: ``charCodeAt`` returns UTF-16 code units."""
    data = text.encode("utf-16-le")
    return struct.unpack(f"<{len(data) // 2}H", data)


def decode_ring(
    encoded: str, offset: Sequence[int], scale: float = DEFAULT_ENCODE_SCALE
) -> list[list[float]]:
    """One ring, exactly as ECharts' ``decodePolygon``, then closed as GeoJSON requires.

    Each character pair is one point: code unit − 64, zigzag-decoded to a signed delta, added to
    the previous point (the first to ``offset``, the ring's ``encodeOffsets`` entry), then divided
    by ``scale`` to give degrees [longitude, latitude].
    """
    units = _utf16_units(encoded)
    if len(units) % 2:
        raise ValueError(f"an encoded ring needs an even number of code units, got {len(units)}")
    prev_x, prev_y = offset
    ring: list[list[float]] = []
    for i in range(0, len(units), 2):
        x = units[i] - 64
        y = units[i + 1] - 64
        x = (x >> 1) ^ -(x & 1)  # zigzag: 0, 1, 2, 3, … → 0, −1, 1, −2, …
        y = (y >> 1) ^ -(y & 1)
        x += prev_x
        y += prev_y
        prev_x, prev_y = x, y
        ring.append([x / scale, y / scale])
    if ring and ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return ring


def decode_feature_collection(encoded: dict[str, Any]) -> dict[str, Any]:
    """A plain GeoJSON FeatureCollection with properties ``{"code", "name"}`` from an encoded map."""
    if not encoded.get("UTF8Encoding"):
        raise ValueError("expected an ECharts map with UTF8Encoding")
    scale = encoded.get("UTF8Scale") or DEFAULT_ENCODE_SCALE
    features = []
    for feature in encoded["features"]:
        geometry = feature["geometry"]
        rings, offsets = geometry["coordinates"], geometry["encodeOffsets"]
        if geometry["type"] == "Polygon":
            coordinates: list[Any] = [decode_ring(r, o, scale) for r, o in zip(rings, offsets, strict=True)]
        elif geometry["type"] == "MultiPolygon":
            coordinates = [
                [decode_ring(r, o, scale) for r, o in zip(polygon, polygon_offsets, strict=True)]
                for polygon, polygon_offsets in zip(rings, offsets, strict=True)
            ]
        else:
            raise ValueError(f"unexpected geometry type {geometry['type']!r}")
        features.append(
            {
                "type": "Feature",
                "properties": {"code": str(feature["id"]), "name": feature["properties"]["name"]},
                "geometry": {"type": geometry["type"], "coordinates": coordinates},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def repair_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """A valid Polygon/MultiPolygon with the same area: GEOS ``make_valid`` keeping polygons only.

    The "structure" method rebuilds the area the rings enclose (spikes, which enclose nothing,
    vanish); exteriors are then wound counter-clockwise as RFC 7946 recommends.
    """
    import shapely  # only here: the faithful decoding above needs nothing beyond the standard library
    from shapely.geometry import shape

    valid = shapely.make_valid(shape(geometry), method="structure", keep_collapsed=False)
    polygons = [part for part in getattr(valid, "geoms", [valid]) if part.geom_type == "Polygon"]
    if not polygons:
        raise ValueError("the repaired geometry has no polygonal part")
    coordinates = [
        [[list(point) for point in ring.coords] for ring in (polygon.exterior, *polygon.interiors)]
        for polygon in (shapely.orient_polygons(part, exterior_cw=False) for part in polygons)
    ]
    if len(coordinates) == 1:
        return {"type": "Polygon", "coordinates": coordinates[0]}
    return {"type": "MultiPolygon", "coordinates": coordinates}


def nanjing_districts(*, repair: bool = True) -> dict[str, Any]:
    """Nanjing's 11 districts (codes 320102 … 320118) as a GeoJSON FeatureCollection, lon/lat degrees.

    ``repair=False`` returns the published rings exactly as ECharts decodes them (not all valid).
    """
    _name, encoded = parse_registered_map(NANJING_JS.read_text(encoding="utf-8"))
    collection = decode_feature_collection(encoded)
    if repair:
        for feature in collection["features"]:
            feature["geometry"] = repair_geometry(feature["geometry"])
    return collection


def write_nanjing_geojson(path: str | Path) -> Path:
    """Write the (repaired) districts as a UTF-8 GeoJSON file, Chinese names readable; return its path."""
    target = Path(path)
    target.write_text(json.dumps(nanjing_districts(), ensure_ascii=False), encoding="utf-8")
    return target
