"""The demo city generator: a fictional city written out as a city folder.

Districts, street offices, communities and unit grids on a 100 m lattice,
a lattice of main roads with a riverside road and an elevated road, and the
sensor sites of its supervision hall; the tables are the shipped defaults
plus a street office per street.  Deterministic: the same arguments always
write the same folder (``tests/test_citygen.py`` holds the shipped demo
folder to it).  Run ``python -m feeds.sim.citygen OUT --name … --code …``.

The city is 8 km × 6 km, five districts, 80 × 60 unit grids, 29 main roads
(15 running north-south, 14 east-west, every crossing signalised).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import shapely

from feeds.city.folder import (
    Documents,
    default_tables,
    feature,
    geojson,
    layer_file,
    table_file,
    write_folder,
)
from feeds.city.model import metres_per_degree

#: Where the fictional city lies: its middle, WGS-84.
LON0, LAT0 = 118.78, 32.04
CELL_M = 100.0
COLS, ROWS = 80, 60  # 8 km east-west, 6 km north-south
HALF_W, HALF_H = COLS * CELL_M / 2, ROWS * CELL_M / 2

# Districts as orthogonal polygons over lattice corners (col, row), row 0 north, so a
# district is exactly the cells whose centres it contains; codes are the city's code
# with the last two digits given here.
_DISTRICTS: tuple[tuple[str, str, str, tuple[tuple[int, int], ...]], ...] = (
    ("06", "鼓山区", "Gushan District", ((0, 0), (34, 0), (34, 22), (28, 22), (28, 30), (0, 30))),
    ("02", "玄湖区", "Xuanhu District", ((34, 0), (80, 0), (80, 26), (52, 26), (52, 22), (34, 22))),
    ("05", "江心区", "Jiangxin District", ((0, 30), (28, 30), (28, 60), (0, 60))),
    ("04", "秦安区", "Qin'an District", ((28, 22), (52, 22), (52, 26), (56, 26), (56, 60), (28, 60))),
    ("11", "浦滨区", "Pubin District", ((56, 26), (80, 26), (80, 60), (56, 60))),
)

_STREET_STEMS = (
    "新街", "东湖", "西园", "南湖", "北苑", "朝阳", "兴隆", "金桥", "翠屏", "锦绣",
    "和平", "胜利", "长乐", "永安", "青云", "白鹭", "桃源", "凤凰", "龙江", "月牙",
)  # fmt: skip
_COMMUNITY_HEADS = "丰华康瑞嘉绿清盛福春明秀"
_COMMUNITY_TAILS = ("园", "苑", "庭", "里", "村", "湾")

_NORTH_SOUTH_ROADS = (
    "中山路", "解放路", "建设路", "和平路", "新华路", "胜利路", "虎踞路", "龙蟠路",
    "太平路", "延安路", "江东路", "黄河路", "长春路", "鼓楼路", "青年路",
)  # fmt: skip
_EAST_WEST_ROADS = (
    "人民路", "长江大道", "北京路", "上海路", "汉中路", "珠江路", "广州路",
    "湖南路", "南京路", "天津路", "西安路", "文化路", "学府路", "淮海路",
)  # fmt: skip
_ROAD_END_M = 50.0  # roads stop this far inside the city edge
_BRIDGE_NAME, _BRIDGE_ROAD, _BRIDGE_WEST_OF = "玉带河大桥", "长江大道", 6  # spans N-S roads 6 → 7
_BRIDGE_SENSORS = 6

_WATER_PLACES = ("下穿隧道", "铁路桥涵", "立交桥下", "低洼路段")
_COVER_KINDS = ("雨水", "污水", "供水", "燃气", "电力", "通信")
_SITE_PROJECTS = ("安置房", "商业综合体", "学校改扩建", "道路改造", "地铁站", "城市更新")
_SITE_COUNTS = {
    "water_level": 13, "manhole_tilt": 150, "gas": 20, "dust": 10,
    "tunnel_water": 3, "manhole_water": 40, "street_light": 60, "heat_stations": 12, "noise": 10,
}  # fmt: skip
_BRIDGE_DISPLACEMENT = 4


_KX, _KY = metres_per_degree(LAT0)


def _unproject(x: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray:
    """Local metres (any shape, flattened) to an (N, 2) lon/lat array, as City.unproject."""
    return np.column_stack((LON0 + np.ravel(x) / _KX, LAT0 + np.ravel(y) / _KY))


def _corner_metres(col: npt.ArrayLike, row: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Lattice corner (col, row) to local metres."""
    return np.asarray(col) * CELL_M - HALF_W, HALF_H - np.asarray(row) * CELL_M


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Label points (x east, y north) with k compact clusters (a few Lloyd rounds)."""
    centres = points[rng.choice(len(points), k, replace=False)]
    for _ in range(8):
        labels = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        for c in range(k):
            if np.any(labels == c):
                centres[c] = points[labels == c].mean(axis=0)
    labels = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    # Number clusters in reading order (north-west first) so codes read naturally.
    order = np.lexsort((centres[:, 0], -np.round(centres[:, 1] / 10)))
    ranked: np.ndarray = np.argsort(order)[labels]
    return ranked


def _district_owner() -> np.ndarray:
    """Per lattice cell (row, col), the index of its district."""
    cols, rows = np.meshgrid(np.arange(COLS) + 0.5, np.arange(ROWS) + 0.5)
    owner = np.full((ROWS, COLS), -1)
    for k, (*_, corners) in enumerate(_DISTRICTS):
        owner[shapely.contains_xy(shapely.Polygon(corners), cols, rows)] = k
    assert (owner >= 0).all(), "districts must cover the lattice"
    return owner


def _cells(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Unit grid cells as lon/lat boxes; neighbours share their corners exactly."""
    (west, north), (east, south) = (
        _unproject(*_corner_metres(c, r)).T for c, r in ((cols, rows), (cols + 1, rows + 1))
    )
    boxes: np.ndarray = shapely.box(west, south, east, north)
    return boxes


class _Areas:
    """The four layers as GeoJSON features, built district by district."""

    def __init__(self, city_code: str, owner: np.ndarray) -> None:
        self.layers: dict[str, list[dict[str, Any]]] = {
            "districts": [],
            "streets": [],
            "communities": [],
            "grids": [],
        }
        self.street_names: dict[str, str] = {}
        self.dust_candidates: list[tuple[str, float, float]] = []  # community name, grid centre (metres)
        rng = np.random.default_rng(20240601)
        self._street_names = iter(s + "街道" for s in _STREET_STEMS)
        heads = rng.permutation(list(_COMMUNITY_HEADS))
        self._community_names = iter(h + t + "社区" for t in _COMMUNITY_TAILS for h in heads)
        for k, (suffix, zh, en, corners) in enumerate(_DISTRICTS):
            code = city_code[:4] + suffix
            ring = np.array(corners, dtype=float)
            outline = shapely.Polygon(_unproject(*_corner_metres(ring[:, 0], ring[:, 1])))
            self.layers["districts"].append(feature(outline, {"code": code, "name": zh, "name_en": en}))
            rows, cols = np.nonzero(owner == k)
            self._district(code, rows, cols, rng)

    def _district(self, code: str, rows: np.ndarray, cols: np.ndarray, rng: np.random.Generator) -> None:
        cells = np.column_stack((cols, -rows)).astype(float)  # x east, y north
        street_of = _kmeans(cells, int(np.clip(round(len(cells) / 320), 2, 4)), rng)
        for s in range(street_of.max() + 1):
            street_code, street_name = f"{code}{s + 1:03d}", next(self._street_names)
            in_street = np.nonzero(street_of == s)[0]
            self.street_names[street_code] = street_name
            self._add("streets", _cells(rows[in_street], cols[in_street]), street_code, street_name)
            n_communities = int(np.clip(round(len(in_street) / 100), 2, 6))
            community_of = _kmeans(cells[in_street], n_communities, rng)
            for c in range(n_communities):
                members = in_street[community_of == c]
                community_code, community_name = f"{street_code}{c + 1:03d}", next(self._community_names)
                self._add("communities", _cells(rows[members], cols[members]), community_code, community_name)
                self._grids(community_code, community_name, rows[members], cols[members])

    def _add(self, layer: str, cells: np.ndarray, code: str, name: str) -> None:
        self.layers[layer].append(feature(shapely.union_all(cells), {"code": code, "name": name}))

    def _grids(self, community: str, community_name: str, rows: np.ndarray, cols: np.ndarray) -> None:
        """One community's cells, numbered west→east within rows, rows north→south."""
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
        for seq, (cell, x, y) in enumerate(
            zip(_cells(rows, cols), *_corner_metres(cols + 0.5, rows + 0.5), strict=True), 1
        ):
            self.layers["grids"].append(feature(cell, {"code": f"{community}{seq:03d}"}))
            self.dust_candidates.append((community_name, float(x), float(y)))


def _road_nodes() -> np.ndarray:
    """Crossings of the main-road lattice in metres: (n_north_south, n_east_west, 2).

    Jitter and a gentle wave per road make the grid look grown, not drawn."""
    rng = np.random.default_rng(1949)
    xs = np.linspace(-HALF_W + 300, HALF_W - 300, len(_NORTH_SOUTH_ROADS))
    ys = np.linspace(HALF_H - 250, -HALF_H + 250, len(_EAST_WEST_ROADS))
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    wave_x = 60 * np.sin(gy / 900 + rng.uniform(0, 2 * np.pi, (len(xs), 1)))
    wave_y = 45 * np.sin(gx / 1100 + rng.uniform(0, 2 * np.pi, (1, len(ys))))
    jitter = np.clip(rng.normal(0, 25, (*gx.shape, 2)), -60, 60)
    return np.stack((gx + wave_x, gy + wave_y), axis=-1) + jitter


def _riverside_x(y: float) -> float:
    """滨江大道 follows the river bank along the west edge."""
    return -HALF_W + 120 + 40 * math.sin(y / 700)


def _road(name: str, xy: np.ndarray) -> dict[str, Any]:
    return feature(shapely.LineString(_unproject(xy[:, 0], xy[:, 1])), {"name": name})


def _build_roads(nodes: np.ndarray) -> list[dict[str, Any]]:
    """Every crossing is a vertex shared by both roads, so vehicles can turn there.

    North-south roads run on to near the city edge, east-west roads from the
    riverside road (a T-junction) to near the east edge; the elevated road
    crosses everything without junctions."""
    top, bottom, right = HALF_H - _ROAD_END_M, -HALF_H + _ROAD_END_M, HALF_W - _ROAD_END_M
    roads = []
    for name, column in zip(_NORTH_SOUTH_ROADS, nodes, strict=True):
        roads.append(_road(name, np.vstack(([column[0, 0], top], column, [column[-1, 0], bottom]))))
    west_ends = [(_riverside_x(float(row[0, 1])), float(row[0, 1])) for row in nodes.transpose(1, 0, 2)]
    for name, row, west_end in zip(_EAST_WEST_ROADS, nodes.transpose(1, 0, 2), west_ends, strict=True):
        roads.append(_road(name, np.vstack((west_end, row, [right, row[-1, 1]]))))
    riverside = np.array([(_riverside_x(top), top), *west_ends, (_riverside_x(bottom), bottom)])
    roads.append(_road("滨江大道", riverside))
    elevated_x = np.linspace(-HALF_W + 400, HALF_W - 400, 9)
    elevated_y = np.linspace(-HALF_H + 400, HALF_H - 500, 9) + 300 * np.sin(elevated_x / 1300)
    roads.append(_road("应天高架", np.column_stack((elevated_x, elevated_y))))
    return roads


class _Sites:
    """Collects sensor sites with ids numbered per kind."""

    _PREFIX: ClassVar[dict[str, tuple[str, int]]] = {
        "water_level": ("WL", 2), "signal": ("SIG", 3), "manhole_tilt": ("MH", 4),
        "gas": ("GAS", 2), "bridge_strain": ("BR", 2), "dust": ("DUST", 2),
        "bridge_displacement": ("BD", 2), "tunnel_water": ("TW", 2), "manhole_water": ("MW", 3),
        "street_light": ("SL", 3), "heating_temperature": ("HT", 2), "heating_pressure": ("HP", 2),
        "noise": ("NS", 2),
    }  # fmt: skip

    def __init__(self) -> None:
        self.sites: list[dict[str, Any]] = []
        self._counts = dict.fromkeys(self._PREFIX, 0)

    def add(self, kind: str, name: str, x: float, y: float) -> None:
        self._counts[kind] += 1
        prefix, width = self._PREFIX[kind]
        site = {"id": f"{prefix}-{self._counts[kind]:0{width}d}", "class": kind, "name": name}
        self.sites.append(feature(shapely.Point(_unproject(x, y)[0]), site))


def _along(a: np.ndarray, b: np.ndarray, share: float, offset_m: float) -> tuple[float, float]:
    """A point `share` of the way from a to b, `offset_m` to the right of the road."""
    direction = (b - a) / np.linalg.norm(b - a)
    point = a + (b - a) * share + offset_m * np.array([direction[1], -direction[0]])
    return float(point[0]), float(point[1])


Segment = tuple[str, np.ndarray, np.ndarray, int]  # road, start, end (metres), first house number


def _segments(nodes: np.ndarray) -> dict[str, list[Segment]]:
    """Each lattice road's blocks between neighbouring crossings."""
    n_ns, n_ew = nodes.shape[:2]
    blocks: dict[str, list[Segment]] = {}
    for i, name in enumerate(_NORTH_SOUTH_ROADS):
        blocks[name] = [(name, nodes[i, j], nodes[i, j + 1], 20 * j + 1) for j in range(n_ew - 1)]
    for j, name in enumerate(_EAST_WEST_ROADS):
        blocks[name] = [(name, nodes[i, j], nodes[i + 1, j], 20 * i + 1) for i in range(n_ns - 1)]
    return blocks


def _roadside(segment: Segment, rng: np.random.Generator) -> tuple[str, float, float]:
    """A random kerbside spot on a block: its address and position."""
    name, a, b, first_number = segment
    share = rng.uniform(0.1, 0.9)
    return f"{name}{first_number + 2 * int(share * 10)}号", *_along(a, b, share, 4.0)


def _build_sensors(
    nodes: np.ndarray, dust_candidates: list[tuple[str, float, float]]
) -> list[dict[str, Any]]:
    rng = np.random.default_rng(720)
    sites = _Sites()
    blocks = _segments(nodes)
    all_blocks = [segment for road in blocks.values() for segment in road]

    # Waterlogging points: on different roads, mid-block where underpasses and dips are.
    flooded = rng.choice(list(blocks), _SITE_COUNTS["water_level"], replace=False)
    for k, road in enumerate(flooded):
        _, a, b, _ = blocks[road][rng.integers(len(blocks[road]))]
        place = _WATER_PLACES[k % len(_WATER_PLACES)]
        sites.add("water_level", f"{road}{place}积水点", *_along(a, b, 0.5, 0))

    for j, east_west in enumerate(_EAST_WEST_ROADS):
        for i, north_south in enumerate(_NORTH_SOUTH_ROADS):
            sites.add("signal", f"{north_south}与{east_west}交叉口", *map(float, nodes[i, j]))

    for k in rng.choice(len(all_blocks), _SITE_COUNTS["manhole_tilt"]):
        address, x, y = _roadside(all_blocks[k], rng)
        sites.add("manhole_tilt", f"{address}{_COVER_KINDS[rng.integers(len(_COVER_KINDS))]}井盖", x, y)
    for k in rng.choice(len(all_blocks), _SITE_COUNTS["gas"]):
        address, x, y = _roadside(all_blocks[k], rng)
        sites.add("gas", f"{address}燃气阀井监测点", x, y)

    _, a, b, _ = blocks[_BRIDGE_ROAD][_BRIDGE_WEST_OF]
    for k in range(_BRIDGE_SENSORS):
        share = 0.3 + 0.4 * k / (_BRIDGE_SENSORS - 1)
        sites.add("bridge_strain", f"{_BRIDGE_NAME}{k + 1}号应变测点", *_along(a, b, share, 0))

    for k, g in enumerate(rng.choice(len(dust_candidates), _SITE_COUNTS["dust"], replace=False)):
        community, x, y = dust_candidates[g]
        project = _SITE_PROJECTS[k % len(_SITE_PROJECTS)]
        sites.add("dust", f"{community.removesuffix('社区')}{project}项目工地扬尘监测点", x, y)
    _later_sensors(sites, blocks, all_blocks, dust_candidates, rng)
    return sites.sites


def _later_sensors(
    sites: _Sites,
    blocks: dict[str, list[Segment]],
    all_blocks: list[Segment],
    communities: list[tuple[str, float, float]],
    rng: np.random.Generator,
) -> None:
    """The sensor classes added since the first demo city, drawn after it so that its sites stay."""
    _, a, b, _ = blocks[_BRIDGE_ROAD][_BRIDGE_WEST_OF]
    for k in range(_BRIDGE_DISPLACEMENT):
        share = 0.35 + 0.3 * k / (_BRIDGE_DISPLACEMENT - 1)
        sites.add("bridge_displacement", f"{_BRIDGE_NAME}{k + 1}号位移测点", *_along(a, b, share, 0))
    for road in rng.choice(list(blocks), _SITE_COUNTS["tunnel_water"], replace=False):
        _, a, b, _ = blocks[road][rng.integers(len(blocks[road]))]
        sites.add("tunnel_water", f"{road}隧道积水监测点", *_along(a, b, 0.5, 0))
    for k in rng.choice(len(all_blocks), _SITE_COUNTS["manhole_water"]):
        address, x, y = _roadside(all_blocks[k], rng)
        sites.add("manhole_water", f"{address}{('雨水', '污水')[rng.integers(2)]}井水位", x, y)
    for k in rng.choice(len(all_blocks), _SITE_COUNTS["street_light"]):
        address, x, y = _roadside(all_blocks[k], rng)
        sites.add("street_light", f"{address}路灯", x, y)
    chosen = rng.choice(
        len(communities), _SITE_COUNTS["heat_stations"] + _SITE_COUNTS["noise"], replace=False
    )
    for n, g in enumerate(chosen.tolist()):
        community, x, y = communities[g]
        place = community.removesuffix("社区")
        if n < _SITE_COUNTS["heat_stations"]:  # a heat exchange station measures both
            sites.add("heating_temperature", f"{place}换热站供水温度", x + 15, y)
            sites.add("heating_pressure", f"{place}换热站供水压力", x + 15, y + 5)
        else:
            sites.add("noise", f"{place}噪声监测点", x - 15, y)


#: The demo's approved muck route (核准路线): the first muck truck keeps to this road.
MUCK_ROUTE_ROAD, MUCK_ROUTE_VEHICLE = "长江大道", "V-0091"


def _box(name: str, x0: float, y0: float, x1: float, y1: float, **props: Any) -> dict[str, Any]:
    corners = _unproject([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0])
    return feature(shapely.Polygon(corners), {"name": name, **props})


def _build_fences(roads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Muck trucks kept out of the centre in the peaks, off a school's street, on their approved
    route; their disposal yard, where standing is fine."""
    route = next(r for r in roads if r["properties"]["name"] == MUCK_ROUTE_ROAD)
    return [
        _box(
            "中心城区渣土车高峰禁行区", -1500, -1000, 1500, 1000, id="F-PEAK", rule="no_driving",
            kinds=["muck"], hours=[["07:00", "09:00"], ["17:00", "19:00"]], priority=2,
        ),
        _box(
            "学府路小学周边禁入区", 1900, -1800, 2300, -1400, id="F-SCHOOL", rule="no_entry",
            kinds=["muck"], priority=2,
        ),
        _box("城东渣土消纳场", 3300, -2600, 3750, -2150, id="F-YARD", rule="yard", kinds=["muck"]),
        {
            **route,
            "properties": {
                "id": "F-ROUTE", "name": f"渣土运输核准路线（{MUCK_ROUTE_ROAD}）", "rule": "route",
                "vehicles": [MUCK_ROUTE_VEHICLE], "width_m": 50, "priority": 2,
            },
        },
    ]  # fmt: skip


def generate(name: str, code: str, name_en: str = "", plate_prefix: str = "") -> Documents:
    """The demo city's folder, as documents (write them with :func:`write_folder`)."""
    areas = _Areas(code, _district_owner())
    nodes = _road_nodes()
    roads = _build_roads(nodes)
    tables = default_tables()
    tables[table_file("departments")]["departments"] += [
        {"code": f"so-{street}", "name": f"{street_name}办事处", "kind": "street_office", "area": street}
        for street, street_name in areas.street_names.items()
    ]
    info = {"format": 1, "name": name, "name_en": name_en, "code": code, "plate_prefix": plate_prefix}
    return {
        table_file("city"): {**info, "time_limits": {"yellow_share": 0.2}},
        **{
            layer_file(layer): geojson(sorted(found, key=lambda f: f["properties"]["code"]))
            for layer, found in areas.layers.items()
        },
        layer_file("roads"): geojson(roads),
        layer_file("sensors"): geojson(_build_sensors(nodes, areas.dust_candidates)),
        layer_file("fences"): geojson(_build_fences(roads)),
        **tables,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the demo city folder.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--name", required=True, help="the city's name, e.g. 南京市")
    parser.add_argument("--code", required=True, help="6-digit division code of the city")
    parser.add_argument("--name-en", default="")
    parser.add_argument("--plate-prefix", default="")
    args = parser.parse_args(argv)
    write_folder(args.out, generate(args.name, args.code, args.name_en, args.plate_prefix), replace=True)


if __name__ == "__main__":
    main()
