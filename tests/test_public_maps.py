"""The Nanjing districts decoded from the committed ECharts map are real, correct boundaries.

Each check would catch a different decoding mistake: a wrong zigzag sign or axis order puts the
well-known places in the wrong district (or outside the city), a wrong scale breaks the area, a
wrong running sum leaves rings open and districts overlapping.
"""

from __future__ import annotations

import hashlib
import json
import math
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from tests.public_maps import (
    NANJING_JS,
    decode_ring,
    nanjing_districts,
    parse_registered_map,
    write_nanjing_geojson,
)

# SHA-256 of echarts_china_cities_pypkg/resources/echarts-china-cities-js/jiang1_su1_nan2_jing1.js
# in the sdist of echarts-china-cities-pypkg 0.0.9 (also in tests/data/public/README.md).
NANJING_JS_SHA256 = "b7f3140dec61548c98f1b68e5d277f719d0f405e7ad51e36809644f8f90e2e03"

# Nanjing's districts and their codes in the national division code (GB/T 2260).
DISTRICTS = {
    "320102": "玄武区",
    "320104": "秦淮区",
    "320105": "建邺区",
    "320106": "鼓楼区",
    "320111": "浦口区",
    "320113": "栖霞区",
    "320114": "雨花台区",
    "320115": "江宁区",
    "320116": "六合区",
    "320117": "溧水区",
    "320118": "高淳区",
}

# Published areas: the city's administrative area is 6,587.02 km² (Nanjing statistics, 2020; the
# Wikipedia infobox gives 6,587 km²). It is the area inside the city's boundary, water included
# (the Yangtze reach and lakes), which is what the boundary polygons enclose. Gaochun: 790.23 km².
NANJING_AREA_KM2 = 6587.0
GAOCHUN_AREA_KM2 = 790.23

# (longitude, latitude) in degrees, WGS-84 as published; the map may be in GCJ-02 (a few hundred
# metres off here), so every place must also lie more than 1 km inside its district.
PLACES = {
    # Wikipedia infobox: 31°44′32″N 118°51′43″E.
    "Nanjing Lukou International Airport": ((118.8619, 31.7422), "江宁区"),
    # Sun Yat-sen Mausoleum on the southern slope of Zijin Mountain, approximate.
    "Sun Yat-sen Mausoleum": ((118.8483, 32.0642), "玄武区"),
    # Gaochun's seat, Chunxi, home of the old street (Wikipedia: 31°19′47″N 118°53′14″E).
    "Gaochun old town (Chunxi)": ((118.8872, 31.3297), "高淳区"),
    # Liuhe's seat, Xiongzhou subdistrict, approximate; the district is some 40 km across.
    "Liuhe town centre (Xiongzhou)": ((118.8361, 32.3222), "六合区"),
}

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
KM_PER_DEGREE = math.pi / 180 * EARTH_RADIUS_KM


def to_local_km(geometry: BaseGeometry, lon0: float, lat0: float) -> BaseGeometry:
    """Project lon/lat degrees to km on a local equirectangular plane centred at (lon0, lat0).

    North-south is exact on the sphere; east-west uses cos(lat0), so elsewhere the scale is off by
    cos(lat)/cos(lat0) - 1 ≈ -tan(lat0)·Δlat: ±0.8 % at Nanjing's northern and southern edges (about
    ±0.7° from the centre), errors that cancel to first order when centred on the centroid. The
    sphere itself differs from the WGS-84 ellipsoid by under 0.1 % in area at 32° N. Both are far
    inside the 5 % tolerance; for distances near (lon0, lat0) the projection is exact enough.
    """
    scale = np.array([KM_PER_DEGREE * math.cos(math.radians(lat0)), KM_PER_DEGREE])
    origin = np.array([lon0, lat0])

    def project(xy: np.ndarray) -> np.ndarray:
        return (xy - origin) * scale

    return shapely.transform(geometry, project)


def area_km2(geometry: BaseGeometry) -> float:
    """Area on the local plane centred at the geometry's own centroid."""
    centre = geometry.centroid
    return float(to_local_km(geometry, centre.x, centre.y).area)


def rings_of(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """Every ring of a GeoJSON Polygon or MultiPolygon."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for polygon in polygons for ring in polygon]


@pytest.fixture(scope="module")
def districts() -> dict[str, Any]:
    return nanjing_districts()


@pytest.fixture(scope="module")
def shapes(districts: dict[str, Any]) -> dict[str, BaseGeometry]:
    return {f["properties"]["name"]: shape(f["geometry"]) for f in districts["features"]}


def zigzag(value: int) -> str:
    """ECharts' encoder for one delta, to build test rings: 0, -1, 1, -2, … → '@', 'A', 'B', 'C', …"""
    return chr(64 + (2 * value if value >= 0 else -2 * value - 1))


def test_decode_ring_is_zigzag_deltas_from_the_offset_divided_by_1024() -> None:
    deltas = [(0, 0), (3, -2), (-1, 5), (-2, -3)]  # sums back to (0, 0): a closed ring
    encoded = "".join(zigzag(dx) + zigzag(dy) for dx, dy in deltas)
    assert encoded == "@@FCAJCE"
    offset = (121_000, 32_000)
    x, y = offset
    expected = []
    for dx, dy in deltas:
        x, y = x + dx, y + dy
        expected.append([x / 1024, y / 1024])
    assert decode_ring(encoded, offset) == expected
    # An open ring is closed by repeating its first point, as GeoJSON requires.
    assert decode_ring(encoded[:6], offset) == [*expected[:3], expected[0]]
    # A backslash (code 92, an escaped "\\" in the JS source) is an ordinary delta of +14.
    assert decode_ring("\\@", (0, 0)) == [[14 / 1024, 0.0]]


def test_parser_quotes_keys_but_never_touches_strings() -> None:
    source = (
        'x(function(){B.registerMap("小城",{type:"FeatureCollection",features:[{type:"Feature",id:"1",'
        'properties:{name:"a,b:{c}"},geometry:{type:"Polygon",coordinates:["\\\\@"],'
        "encodeOffsets:[[0,0]]}}],UTF8Encoding:!0})})"
    )
    name, encoded = parse_registered_map(source)
    assert name == "小城"
    assert encoded["UTF8Encoding"] is True
    feature = encoded["features"][0]
    assert feature["properties"]["name"] == "a,b:{c}"
    assert feature["geometry"]["coordinates"] == ["\\@"]


def test_committed_file_is_the_published_one() -> None:
    assert hashlib.sha256(NANJING_JS.read_bytes()).hexdigest() == NANJING_JS_SHA256


def test_eleven_districts_with_their_division_codes(districts: dict[str, Any]) -> None:
    assert districts["type"] == "FeatureCollection"
    properties = [f["properties"] for f in districts["features"]]
    assert len(properties) == 11
    codes = [p["code"] for p in properties]
    assert len(set(codes)) == 11
    for p in properties:
        assert len(p["code"]) == 6 and p["code"].isdigit() and p["code"].startswith("3201"), p
        assert p["name"].endswith("区"), p
        assert set(p) == {"code", "name"}
    assert {p["code"]: p["name"] for p in properties} == DISTRICTS


def test_published_rings_close_by_themselves() -> None:
    """The running sum of every published ring returns exactly to its start: no closing added."""
    _name, encoded = parse_registered_map(NANJING_JS.read_text(encoding="utf-8"))
    count = 0
    for feature in encoded["features"]:
        geometry = feature["geometry"]
        pairs: list[tuple[str, list[int]]] = []
        if geometry["type"] == "Polygon":
            pairs = list(zip(geometry["coordinates"], geometry["encodeOffsets"], strict=True))
        else:
            for polygon, offsets in zip(geometry["coordinates"], geometry["encodeOffsets"], strict=True):
                pairs += zip(polygon, offsets, strict=True)
        for ring_text, offset in pairs:
            ring = decode_ring(ring_text, offset)
            assert len(ring) == len(ring_text) // 2 >= 4
            assert ring[0] == ring[-1]
            count += 1
    assert count == 16


def test_every_ring_closed_and_every_district_valid(districts: dict[str, Any]) -> None:
    for feature in districts["features"]:
        geometry = feature["geometry"]
        assert geometry["type"] in {"Polygon", "MultiPolygon"}
        for ring in rings_of(geometry):
            assert len(ring) >= 4 and ring[0] == ring[-1], feature["properties"]
        polygon = shape(geometry)
        assert polygon.is_valid, (feature["properties"], shapely.is_valid_reason(polygon))
        for part in getattr(polygon, "geoms", [polygon]):
            assert part.is_valid and part.exterior.is_ccw, feature["properties"]


def test_repair_changes_no_area(shapes: dict[str, BaseGeometry]) -> None:
    """The published rings have spikes and self-touches (1/1024° quantization); the repair keeps area."""
    raw = {f["properties"]["name"]: shape(f["geometry"]) for f in nanjing_districts(repair=False)["features"]}
    assert sum(not g.is_valid for g in raw.values()) > 0, "the published rings became valid: drop the repair"
    for name, repaired in shapes.items():
        assert repaired.area == pytest.approx(raw[name].area, rel=1e-4), name


def test_area_matches_nanjings_published_area(shapes: dict[str, BaseGeometry]) -> None:
    city = shapely.union_all(list(shapes.values()))
    assert area_km2(city) == pytest.approx(NANJING_AREA_KM2, rel=0.05)
    assert area_km2(shapes["高淳区"]) == pytest.approx(GAOCHUN_AREA_KM2, rel=0.05)


def test_districts_barely_overlap(shapes: dict[str, BaseGeometry]) -> None:
    city_area = area_km2(shapely.union_all(list(shapes.values())))
    overlap = sum(area_km2(a.intersection(b)) for a, b in combinations(shapes.values(), 2) if a.intersects(b))
    assert overlap < 0.01 * city_area


def test_districts_tile_the_city(shapes: dict[str, BaseGeometry]) -> None:
    """Neighbours share their boundaries: the sum of the parts is the whole."""
    city_area = area_km2(shapely.union_all(list(shapes.values())))
    assert sum(area_km2(g) for g in shapes.values()) == pytest.approx(city_area, rel=0.01)


@pytest.mark.parametrize("place", sorted(PLACES))
def test_well_known_place_lies_well_inside_its_district(shapes: dict[str, BaseGeometry], place: str) -> None:
    (lon, lat), expected = PLACES[place]
    point = Point(lon, lat)
    containing = [name for name, g in shapes.items() if g.contains(point)]
    assert containing == [expected]
    # Distance in km to the district's whole boundary: its neighbours and the city's edge.
    margin_km = to_local_km(shapes[expected].boundary, lon, lat).distance(Point(0, 0))
    assert margin_km > 1.0, f"{place} is only {margin_km:.2f} km inside {expected}"


def test_label_points_in_the_source_fall_in_their_districts(shapes: dict[str, BaseGeometry]) -> None:
    """The file's plain-decimal label points (``cp``) agree with the decoded geometry."""
    _name, encoded = parse_registered_map(NANJING_JS.read_text(encoding="utf-8"))
    for feature in encoded["features"]:
        name = feature["properties"]["name"]
        assert shapes[name].contains(Point(feature["properties"]["cp"])), name


def test_write_geojson_round_trips(tmp_path: Path, districts: dict[str, Any]) -> None:
    path = write_nanjing_geojson(tmp_path / "nanjing.geojson")
    assert path == tmp_path / "nanjing.geojson"
    text = path.read_text(encoding="utf-8")
    assert "玄武区" in text  # ensure_ascii=False: the names stay readable
    assert json.loads(text) == districts
