"""A big synthetic city for the city benchmarks: 12 districts, 200 streets, 2,000 communities,
20,000 unit grids and 50,000 road segments, around Zhengzhou (WGS-84).

The demo city (4,800 grids) is too small to say whether geocoding, import and check keep up
with a real city, and no real city's data may be shipped, so this one is generated.  The
areas come from one lattice of 120 m cells whose corners are jittered and whose edges carry
a few wiggle vertices, so that grids are irregular polygons (17 vertices) rather than boxes,
as surveyed grids are.  Every polygon takes its vertices from that one lattice: a grid is a
cell, a community a block of 5 × 2 cells, a street a block of 2 × 5 communities, a district
a block of streets, so neighbours share their edges vertex for vertex and ``hall city check``
finds neither overlaps nor gaps.  Codes carry their parents (6/9/12/15 digits); grids are
numbered per community, rows north to south and west to east within a row, as grid codes run.

Roads are a lattice of long, gently waving roads (经…路 north-south, 纬…路 east-west), each
cut into segments of about 120 m with 7 vertices apiece, as a road centreline layer comes.

Deterministic: the same size always gives the same documents.  ``python -m benchmarks.bigcity
OUT`` writes the folder (then try ``hall city check OUT``).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from feeds.city.folder import (
    COORDINATE_DIGITS,
    Documents,
    default_tables,
    geojson,
    layer_file,
    table_file,
    write_folder,
)
from feeds.city.importer import LayerSpec
from feeds.city.model import metres_per_degree

LON0, LAT0 = 113.65, 34.76  # the middle of the city: Zhengzhou, whose roads are named 经…路 and 纬…路
CITY_NAME, CITY_NAME_EN, CITY_CODE = "基准市", "Jizhun (benchmark city)", "410100"
CELL_M = 120.0  # a unit grid is about 1.4 ha, the order of the national standard's grids
CORNER_JITTER_M = 18.0  # lattice corners move this far at most: grids are irregular quadrilaterals
EDGE_VERTICES = 3  # wiggle vertices on every cell edge, shared by both cells along it
EDGE_WIGGLE_M = 7.0
POINTS_PER_SEGMENT = 6  # intervals of a road segment: 7 vertices
ROAD_INSET_M = 60.0  # roads stop this far inside the city's edge

_KX, _KY = metres_per_degree(LAT0)

_DISTRICT_NAMES = (
    "金城区", "玉泉区", "青云区", "东湖区", "中原新区", "凤台区",
    "龙湾区", "临江区", "白沙区", "长乐区", "兴华区", "福安区",
)  # fmt: skip
_NAME_HEADS = "东西南北中新长青白金玉龙凤和兴安福清明华"
_NAME_MIDDLES = "山湖园桥门河林阳庄岗"
_COMMUNITY_TAILS = "里苑园庭湾村坊居府城"


@dataclass(frozen=True)
class CitySize:
    """How big the city is; every count follows from these (``FULL`` for the benchmarks,
    ``SMALL`` for tests)."""

    district_cols: tuple[int, ...] = (4, 6, 5, 5)  # streets across each column of districts
    district_rows: tuple[int, ...] = (3, 4, 3)  # streets down each row of districts
    street: tuple[int, int] = (2, 5)  # communities across and down a street
    community: tuple[int, int] = (5, 2)  # grids across and down a community
    roads: tuple[int, int] = (250, 125)  # north-south roads, east-west roads
    segments: tuple[int, int] = (100, 200)  # segments of each north-south road, of each east-west road

    @property
    def districts(self) -> int:
        return len(self.district_cols) * len(self.district_rows)

    @property
    def streets(self) -> int:
        return sum(self.district_cols) * sum(self.district_rows)

    @property
    def communities(self) -> int:
        return self.streets * self.street[0] * self.street[1]

    @property
    def grids(self) -> int:
        return self.communities * self.community[0] * self.community[1]

    @property
    def road_segments(self) -> int:
        return self.roads[0] * self.segments[0] + self.roads[1] * self.segments[1]

    @property
    def grid_cols(self) -> int:
        return sum(self.district_cols) * self.street[0] * self.community[0]

    @property
    def grid_rows(self) -> int:
        return sum(self.district_rows) * self.street[1] * self.community[1]


FULL = CitySize()
SMALL = CitySize((1, 2), (2,), (2, 1), (2, 2), (6, 3), (4, 8))  # 2, 6, 12, 48 areas; 48 road segments


# ---------------------------------------------------------------------------
# Geometry


def _lonlat(xy: np.ndarray) -> np.ndarray:
    """Local metres (…, 2) to lon/lat rounded as the folder keeps them (about a centimetre)."""
    lon, lat = LON0 + xy[..., 0] / _KX, LAT0 + xy[..., 1] / _KY
    return np.round(np.stack((lon, lat), axis=-1), COORDINATE_DIGITS)


def _edge_vertices(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """EDGE_VERTICES points along each edge a→b (…, 2), pushed sideways a little."""
    t = np.arange(1, EDGE_VERTICES + 1) / (EDGE_VERTICES + 1)
    direction = b - a
    normal = np.stack((-direction[..., 1], direction[..., 0]), axis=-1)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    offset = rng.uniform(-EDGE_WIGGLE_M, EDGE_WIGGLE_M, (*a.shape[:-1], EDGE_VERTICES))
    along = a[..., None, :] + direction[..., None, :] * t[:, None]
    result: np.ndarray = along + normal[..., None, :] * offset[..., None]
    return result


class _Lattice:
    """Every vertex any area uses, in lon/lat already rounded: corners (rows+1, cols+1, 2),
    vertices of horizontal edges (rows+1, cols, k, 2) and of vertical edges (rows, cols+1, k, 2).

    An area's ring is read off these arrays, so two areas along one edge have the same
    vertices, bit for bit."""

    def __init__(self, cols: int, rows: int, rng: np.random.Generator) -> None:
        col, row = np.meshgrid(np.arange(cols + 1), np.arange(rows + 1))
        corners = np.stack(((col - cols / 2) * CELL_M, (rows / 2 - row) * CELL_M), axis=-1) + rng.uniform(
            -CORNER_JITTER_M, CORNER_JITTER_M, (rows + 1, cols + 1, 2)
        )
        self.corners = _lonlat(corners)
        self.across = _lonlat(_edge_vertices(corners[:, :-1], corners[:, 1:], rng))
        self.down = _lonlat(_edge_vertices(corners[:-1, :], corners[1:, :], rng))

    def block(self, c0: int, c1: int, r0: int, r1: int) -> np.ndarray:
        """The closed ring (n, 2) of the block of cells columns c0…c1-1, rows r0…r1-1,
        counter-clockwise (as GeoJSON asks)."""
        k = EDGE_VERTICES
        top = np.concatenate((self.corners[r0, c0:c1, None], self.across[r0, c0:c1]), axis=1)
        right = np.concatenate((self.corners[r0:r1, c1, None], self.down[r0:r1, c1]), axis=1)
        bottom = np.concatenate(
            (self.corners[r1, c1:c0:-1, None], self.across[r1, c1 - 1 : c0 - 1 if c0 else None : -1, ::-1]),
            axis=1,
        )
        left = np.concatenate(
            (self.corners[r1:r0:-1, c0, None], self.down[r1 - 1 : r0 - 1 if r0 else None : -1, c0, ::-1]),
            axis=1,
        )
        ring = np.concatenate(
            [part.reshape(-1, 2) for part in (top, right, bottom, left)] + [self.corners[r0, c0][None]]
        )
        assert len(ring) == 2 * (k + 1) * ((c1 - c0) + (r1 - r0)) + 1
        reversed_ring: np.ndarray = ring[::-1]  # walked clockwise above
        return reversed_ring

    def cells(self) -> np.ndarray:
        """The ring of every cell at once: (rows, cols, 4k+5, 2), as :meth:`block` gives one."""
        c, a, d = self.corners, self.across, self.down
        parts = (
            c[:-1, :-1, None],
            a[:-1],
            c[:-1, 1:, None],
            d[:, 1:],
            c[1:, 1:, None],
            a[1:, :, ::-1],
            c[1:, :-1, None],
            d[:, :-1, ::-1],
            c[:-1, :-1, None],
        )
        rings: np.ndarray = np.concatenate(parts, axis=2)[:, :, ::-1]
        return rings


def _polygon(ring: Any, props: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON polygon feature; rings arrive rounded, so this skips feature()'s per-shape
    rounding, which would cost seconds over 70,000 features."""
    coordinates = ring.tolist() if isinstance(ring, np.ndarray) else ring
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Polygon", "coordinates": [coordinates]},
    }


# ---------------------------------------------------------------------------
# Names


def chinese_number(n: int) -> str:
    """1 … 999 in Chinese numerals, as road names write them (十一, 一百零五, 二百五十)."""
    if not 1 <= n <= 999:
        raise ValueError(f"{n} is outside 1 … 999")
    digits = "零一二三四五六七八九"
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{digits[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (digits[ones] if ones else "")


def _names(parts: tuple[str, ...], suffix: str, count: int) -> list[str]:
    """``count`` distinct names from the product of ``parts``, numbered once they run out."""
    stems = ["".join(p) for p in itertools.product(*parts)]
    return [
        f"{stems[n % len(stems)]}{'' if n < len(stems) else n // len(stems) + 1}{suffix}"
        for n in range(count)
    ]


# ---------------------------------------------------------------------------
# The city


def _areas(size: CitySize, lattice: _Lattice) -> dict[str, list[dict[str, Any]]]:
    """The four area layers, each ordered by code."""
    sx, sy = size.street
    gx, gy = size.community
    col_starts = np.cumsum((0, *size.district_cols)) * sx * gx  # grid columns where district columns start
    row_starts = np.cumsum((0, *size.district_rows)) * sy * gy
    street_names = iter(_names((_NAME_HEADS, _NAME_MIDDLES), "街道", size.streets))
    community_names = iter(_names((_NAME_HEADS, _NAME_MIDDLES, _COMMUNITY_TAILS), "社区", size.communities))
    layers: dict[str, list[dict[str, Any]]] = {"districts": [], "streets": [], "communities": [], "grids": []}
    cells = lattice.cells().tolist()
    for k, (r0, r1, c0, c1) in enumerate(
        (r0, r1, c0, c1)
        for r0, r1 in itertools.pairwise(row_starts.tolist())
        for c0, c1 in itertools.pairwise(col_starts.tolist())
    ):
        district = f"{CITY_CODE[:4]}{k + 2:02d}"  # 01 is the city itself (市辖区)
        name = _DISTRICT_NAMES[k % len(_DISTRICT_NAMES)]
        if k >= len(_DISTRICT_NAMES):
            name = name.replace("区", f"{k // len(_DISTRICT_NAMES) + 1}区")
        layers["districts"].append(_polygon(lattice.block(c0, c1, r0, r1), {"code": district, "name": name}))
        blocks = itertools.product(range(r0, r1, sy * gy), range(c0, c1, sx * gx))
        for s, (sr, sc) in enumerate(blocks, 1):
            street = f"{district}{s:03d}"
            ring = lattice.block(sc, sc + sx * gx, sr, sr + sy * gy)
            layers["streets"].append(_polygon(ring, {"code": street, "name": next(street_names)}))
            for m, (mr, mc) in enumerate(
                itertools.product(range(sr, sr + sy * gy, gy), range(sc, sc + sx * gx, gx)), 1
            ):
                community = f"{street}{m:03d}"
                ring = lattice.block(mc, mc + gx, mr, mr + gy)
                layers["communities"].append(
                    _polygon(ring, {"code": community, "name": next(community_names)})
                )
                for g, (r, c) in enumerate(itertools.product(range(mr, mr + gy), range(mc, mc + gx)), 1):
                    layers["grids"].append(_polygon(cells[r][c], {"code": f"{community}{g:03d}"}))
    return layers


def _roads(size: CitySize, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Long roads that wave gently, each cut into segments whose ends are shared vertices."""
    width, height = size.grid_cols * CELL_M, size.grid_rows * CELL_M
    features = []
    for axis, (count, segments, span, across, prefix) in enumerate(
        (
            (size.roads[0], size.segments[0], height, width, "经"),
            (size.roads[1], size.segments[1], width, height, "纬"),
        )
    ):
        spacing = across / count
        along = np.linspace(
            span / 2 - ROAD_INSET_M, -span / 2 + ROAD_INSET_M, segments * POINTS_PER_SEGMENT + 1
        )
        for n in range(count):
            phase = rng.uniform(0, 2 * np.pi, 2)
            wave = 0.18 * spacing * np.sin(along / 800 + phase[0]) + 0.05 * spacing * np.sin(
                along / 170 + phase[1]
            )
            sideways = -across / 2 + (n + 0.5) * spacing + wave
            xy = np.column_stack((sideways, along) if axis == 0 else (along[::-1], sideways[::-1]))
            line = _lonlat(xy).tolist()
            name = f"{prefix}{chinese_number(n + 1) if n < 999 else n + 1}路"
            for s in range(segments):
                piece = line[s * POINTS_PER_SEGMENT : (s + 1) * POINTS_PER_SEGMENT + 1]
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"name": name},
                        "geometry": {"type": "LineString", "coordinates": piece},
                    }
                )
    return features


def big_city_documents(size: CitySize = FULL, seed: int = 2026) -> Documents:
    """The big city's folder as documents (write them with :func:`write_folder`)."""
    rng = np.random.default_rng(seed)
    layers = _areas(size, _Lattice(size.grid_cols, size.grid_rows, rng))
    tables = default_tables()
    tables[table_file("departments")]["departments"] += [
        {"code": f"so-{p['code']}", "name": f"{p['name']}办事处", "kind": "street_office", "area": p["code"]}
        for p in (f["properties"] for f in layers["streets"])
    ]
    info = {"format": 1, "name": CITY_NAME, "name_en": CITY_NAME_EN, "code": CITY_CODE, "plate_prefix": "豫A"}
    return {
        table_file("city"): {**info, "time_limits": {"yellow_share": 0.2}},
        **{layer_file(layer): geojson(found) for layer, found in layers.items()},
        layer_file("roads"): geojson(_roads(size, rng)),
        **tables,
    }


def _cache_key(size: CitySize) -> str:
    """Changes with the generator's source and the size, so a stale cached city is never used."""
    return hashlib.sha256(Path(__file__).read_bytes() + repr(size).encode()).hexdigest()[:16]


def write_big_city(folder: Path | None = None, size: CitySize = FULL) -> Path:
    """Write the city folder and return it; without ``folder``, once into a cache in the temp
    directory (write_folder renames a finished folder into place, so one there is whole)."""
    if folder is None:
        folder = Path(tempfile.gettempdir()) / f"hall-bigcity-{_cache_key(size)}"
        if (folder / table_file("city")).exists():
            return folder
    write_folder(folder, big_city_documents(size), replace=True)
    return folder


# ---------------------------------------------------------------------------
# The same layers as a GIS department exports them, for ``hall city import``

#: File names and fields as a city's GIS exports name them; the codes come as the exports
#: write them too: districts with the country prefix 156, grid codes as numbers.
RAW_FILES = {
    "districts": "区县界.geojson",
    "streets": "街道.geojson",
    "communities": "社区.geojson",
    "grids": "单元网格.geojson",
    "roads": "道路中心线.geojson",
}
RAW_FIELDS = {
    "districts": {"code": "XZQDM", "name": "XZQMC"},
    "streets": {"code": "JDDM", "name": "JDMC"},
    "communities": {"code": "SQDM", "name": "SQMC"},
    "grids": {"code": "WGBM"},
    "roads": {"name": "DLMC"},
}


def _raw_properties(layer: str, index: int, props: dict[str, Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {"OBJECTID": index + 1}
    for ours, theirs in RAW_FIELDS[layer].items():
        value: Any = props[ours]
        if layer == "districts" and ours == "code":
            value = f"156{value}"
        elif layer == "grids" and ours == "code":
            value = int(value)
        raw[theirs] = value
    return raw


def write_raw_layers(folder: Path, size: CitySize = FULL) -> dict[str, Path]:
    """The big city's layers as plain GeoJSON files with GIS field names; layer → file."""
    documents = big_city_documents(size)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for layer, name in RAW_FILES.items():
        found = documents[layer_file(layer)]["features"]
        raw = [{**f, "properties": _raw_properties(layer, n, f["properties"])} for n, f in enumerate(found)]
        paths[layer] = folder / name
        paths[layer].write_text(json.dumps(geojson(raw), ensure_ascii=False, separators=(",", ":")), "utf-8")
    return paths


def raw_layer_specs(paths: dict[str, Path]) -> list[LayerSpec]:
    """What ``hall city import districts=区县界.geojson:code=XZQDM,name=XZQMC …`` would parse."""
    return [LayerSpec(layer, path, dict(RAW_FIELDS[layer])) for layer, path in paths.items()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the big benchmark city folder.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--small", action="store_true", help="the small city of the tests")
    args = parser.parse_args(argv)
    write_big_city(args.out, SMALL if args.small else FULL)


if __name__ == "__main__":
    main()
