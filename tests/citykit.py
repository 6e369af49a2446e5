"""A small hand-made city for tests, built as documents so a test can break exactly one thing.

Two districts side by side, one street each, two communities per street and
four unit grids per community (two rows of two, numbered west to east, rows
north to south), every boundary on a lattice so edges match exactly; a road
across; the shipped default tables.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from feeds.city.folder import Documents, default_tables, write_folder

WEST, SOUTH = 120.10, 30.20  # somewhere in Zhejiang
STEP = 0.01  # degrees: about 1 km


def ring(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    """A closed rectangle, in lattice steps from (WEST, SOUTH)."""
    w, s, e, n = WEST + x0 * STEP, SOUTH + y0 * STEP, WEST + x1 * STEP, SOUTH + y1 * STEP
    return [[w, s], [e, s], [e, n], [w, n], [w, s]]


def area(code: str, name: str, box: tuple[float, float, float, float]) -> dict[str, Any]:
    props = {"code": code, "name": name} if name else {"code": code}
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Polygon", "coordinates": [ring(*box)]},
    }


def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def tiny_city() -> Documents:
    """Districts 330101 (west) and 330102 (east), each 2 × 2 steps."""
    districts, streets, communities, grids = [], [], [], []
    for d, (code, name) in enumerate((("330101", "上城区"), ("330102", "下城区"))):
        x = 2 * d
        districts.append(area(code, name, (x, 0, x + 2, 2)))
        street = f"{code}001"
        streets.append(area(street, f"{name[:2]}街道", (x, 0, x + 2, 2)))
        for c in range(2):  # north community first, as codes run north to south
            community = f"{street}{c + 1:03d}"
            y = 1 - c
            communities.append(area(community, f"{name[:2]}{c + 1}社区", (x, y, x + 2, y + 1)))
            for g in range(4):
                col, top = x + g % 2, y + 1 - 0.5 * (g // 2)
                grids.append(area(f"{community}{g + 1:03d}", "", (col, top - 0.5, col + 1, top)))
    road = {
        "type": "Feature",
        "properties": {"name": "解放路"},
        "geometry": {
            "type": "LineString",
            "coordinates": [[WEST + 0.1 * STEP, SOUTH + STEP], [WEST + 3.9 * STEP, SOUTH + STEP]],
        },
    }
    sensor = {
        "type": "Feature",
        "properties": {"id": "WL-01", "class": "water_level", "name": "解放路积水点"},
        "geometry": {"type": "Point", "coordinates": [WEST + 1.5 * STEP, SOUTH + 1.02 * STEP]},
    }
    tables = default_tables()
    tables["departments.json"]["departments"] += [
        {
            "code": f"so-{f['properties']['code']}",
            "name": f"{f['properties']['name']}办事处",
            "kind": "street_office",
            "area": f["properties"]["code"],
        }
        for f in streets
    ]
    return {
        "city.json": {"format": 1, "name": "测试市", "code": "330100"},
        "districts.geojson": collection(districts),
        "streets.geojson": collection(streets),
        "communities.geojson": collection(communities),
        "grids.geojson": collection(grids),
        "roads.geojson": collection([road]),
        "sensors.geojson": collection([sensor]),
        **tables,
    }


def write(folder: Path, documents: Documents) -> Path:
    write_folder(folder, copy.deepcopy(documents))
    return folder


def grid_feature(documents: Documents, code: str) -> dict[str, Any]:
    return next(f for f in documents["grids.geojson"]["features"] if f["properties"]["code"] == code)
