"""The demo city generator: districts, street offices, communities, unit grids,
roads, sensor sites and the fleet of a fictional city.  Deterministic:
``demo_city()`` always builds the same city.

The city is 8 km × 6 km, five districts, 80 × 60 unit grids of 100 m, a
lattice of 29 main roads (15 running north-south, 14 east-west, every
crossing signalised) plus a riverside road and an elevated road, and the
sensor sites and fleet of its supervision hall.
"""

from __future__ import annotations

import itertools
import math
from functools import cache
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from feeds.city.model import City, District, FleetUnit, Grid, Road, SensorSite, metres_per_degree
from feeds.domain import SENSOR_KINDS, VEHICLE_KINDS

# ---------------------------------------------------------------------------
# The demo city's layout.  Everything below is fixed data or drawn from
# generators with fixed seeds, so the city never changes between runs.

CITY_NAME = "滨江市"
LON0, LAT0 = 118.78, 32.04
CELL_M = 100.0
COLS, ROWS = 80, 60  # 8 km east-west, 6 km north-south
HALF_W, HALF_H = COLS * CELL_M / 2, ROWS * CELL_M / 2
PLATE_PREFIX = "苏A·"

# Districts as orthogonal polygons over lattice corners (col, row), row 0 north,
# so a district is exactly the cells whose centres it contains.
_DISTRICTS: tuple[tuple[str, str, str, tuple[tuple[int, int], ...]], ...] = (
    ("320106", "鼓山区", "Gushan District", ((0, 0), (34, 0), (34, 22), (28, 22), (28, 30), (0, 30))),
    ("320102", "玄湖区", "Xuanhu District", ((34, 0), (80, 0), (80, 26), (52, 26), (52, 22), (34, 22))),
    ("320105", "江心区", "Jiangxin District", ((0, 30), (28, 30), (28, 60), (0, 60))),
    ("320104", "秦安区", "Qin'an District", ((28, 22), (52, 22), (52, 26), (56, 26), (56, 60), (28, 60))),
    ("320111", "浦滨区", "Pubin District", ((56, 26), (80, 26), (80, 60), (56, 60))),
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
_SITE_COUNTS = {"water_level": 13, "manhole_tilt": 150, "gas": 20, "dust": 10}
_FLEET_COUNTS = {"sanitation": 90, "muck": 40, "enforcement": 40, "repair": 30}
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


_KX, _KY = metres_per_degree(LAT0)


def _unproject(x: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray:
    """Local metres (any shape, flattened) to an (N, 2) lon/lat array, as City.unproject."""
    return np.column_stack((LON0 + np.ravel(x) / _KX, LAT0 + np.ravel(y) / _KY))


def _corner_metres(col: npt.ArrayLike, row: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Lattice corner (col, row) to local metres."""
    return np.asarray(col) * CELL_M - HALF_W, HALF_H - np.asarray(row) * CELL_M


def contains(polygon: np.ndarray, x: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray:
    """Even-odd point-in-polygon test for a closed ring, vectorised over points."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    inside = np.zeros(x.shape, dtype=bool)
    for (x1, y1), (x2, y2) in itertools.pairwise(polygon):
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < x_at)
    return inside


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


def _build_districts() -> tuple[tuple[District, ...], np.ndarray]:
    """The districts and, per lattice cell (row, col), the index of its district."""
    cols, rows = np.meshgrid(np.arange(COLS) + 0.5, np.arange(ROWS) + 0.5)
    owner = np.full((ROWS, COLS), -1)
    districts = []
    for k, (code, zh, en, corners) in enumerate(_DISTRICTS):
        ring = np.array(corners + corners[:1], dtype=float)
        owner[contains(ring, cols, rows)] = k
        districts.append(District(code, zh, en, _unproject(*_corner_metres(ring[:, 0], ring[:, 1]))))
    assert (owner >= 0).all(), "districts must cover the lattice"
    return tuple(districts), owner


def _build_grids(districts: tuple[District, ...], owner: np.ndarray) -> tuple[Grid, ...]:
    rng = np.random.default_rng(20240601)
    street_names = iter(s + "街道" for s in _STREET_STEMS)
    heads = rng.permutation(list(_COMMUNITY_HEADS))
    community_names = iter(h + t + "社区" for t in _COMMUNITY_TAILS for h in heads)
    grids: list[Grid] = []
    for k, district in enumerate(districts):
        rows, cols = np.nonzero(owner == k)
        cells = np.column_stack((cols, -rows)).astype(float)  # x east, y north
        street_of = _kmeans(cells, int(np.clip(round(len(cells) / 320), 2, 4)), rng)
        for s in range(street_of.max() + 1):
            street = next(street_names)
            in_street = np.nonzero(street_of == s)[0]
            n_communities = int(np.clip(round(len(in_street) / 100), 2, 6))
            community_of = _kmeans(cells[in_street], n_communities, rng)
            for c in range(n_communities):
                members = in_street[community_of == c]
                prefix = f"{district.code}{s + 1:03d}{c + 1:03d}"
                grids.extend(
                    _community_grids(
                        prefix, district.code, street, next(community_names), rows[members], cols[members]
                    )
                )
    return tuple(sorted(grids, key=lambda g: g.code))


_RING_COLS = np.array([0, 1, 1, 0, 0])  # a cell's closed ring, clockwise from its north-west corner
_RING_ROWS = np.array([0, 0, 1, 1, 0])


def _community_grids(
    prefix: str, district: str, street: str, community: str, rows: np.ndarray, cols: np.ndarray
) -> list[Grid]:
    """One community's cells, numbered west→east within rows, rows north→south."""
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    rings = _unproject(*_corner_metres(cols[:, None] + _RING_COLS, rows[:, None] + _RING_ROWS))
    rings = rings.reshape(len(rows), len(_RING_COLS), 2)
    centres = _unproject(*_corner_metres(cols + 0.5, rows + 0.5)).tolist()
    return [
        Grid(f"{prefix}{seq:03d}", district, street, community, ring, lon, lat)
        for seq, (ring, (lon, lat)) in enumerate(zip(rings, centres, strict=True), start=1)
    ]


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


def _build_roads(nodes: np.ndarray) -> tuple[Road, ...]:
    """Every crossing is a vertex shared by both roads, so vehicles can turn there.

    North-south roads run on to near the city edge, east-west roads from the
    riverside road (a T-junction) to near the east edge; the elevated road
    crosses everything without junctions."""
    top, bottom, right = HALF_H - _ROAD_END_M, -HALF_H + _ROAD_END_M, HALF_W - _ROAD_END_M
    roads = []
    for name, column in zip(_NORTH_SOUTH_ROADS, nodes, strict=True):
        xy = np.vstack(([column[0, 0], top], column, [column[-1, 0], bottom]))
        roads.append(Road(name, _unproject(xy[:, 0], xy[:, 1])))
    west_ends = [(_riverside_x(float(row[0, 1])), float(row[0, 1])) for row in nodes.transpose(1, 0, 2)]
    for name, row, west_end in zip(_EAST_WEST_ROADS, nodes.transpose(1, 0, 2), west_ends, strict=True):
        xy = np.vstack((west_end, row, [right, row[-1, 1]]))
        roads.append(Road(name, _unproject(xy[:, 0], xy[:, 1])))
    riverside = np.array([(_riverside_x(top), top), *west_ends, (_riverside_x(bottom), bottom)])
    roads.append(Road("滨江大道", _unproject(riverside[:, 0], riverside[:, 1])))
    elevated_x = np.linspace(-HALF_W + 400, HALF_W - 400, 9)
    elevated_y = np.linspace(-HALF_H + 400, HALF_H - 500, 9) + 300 * np.sin(elevated_x / 1300)
    roads.append(Road("应天高架", _unproject(elevated_x, elevated_y)))
    return tuple(roads)


class _Sites:
    """Collects sensor sites with ids numbered per kind."""

    _PREFIX: ClassVar[dict[str, tuple[str, int]]] = {
        "water_level": ("WL", 2), "signal": ("SIG", 3), "manhole_tilt": ("MH", 4),
        "gas": ("GAS", 2), "bridge_strain": ("BR", 2), "dust": ("DUST", 2),
    }  # fmt: skip

    def __init__(self) -> None:
        self.sites: list[SensorSite] = []
        self._counts = dict.fromkeys(self._PREFIX, 0)

    def add(self, kind: str, name: str, x: float, y: float) -> None:
        self._counts[kind] += 1
        prefix, width = self._PREFIX[kind]
        ((lon, lat),) = _unproject(x, y)
        self.sites.append(
            SensorSite(f"{prefix}-{self._counts[kind]:0{width}d}", kind, name, float(lon), float(lat))
        )


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


def _build_sensors(nodes: np.ndarray, grids: tuple[Grid, ...]) -> tuple[SensorSite, ...]:
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

    for k, g in enumerate(rng.choice(len(grids), _SITE_COUNTS["dust"], replace=False)):
        grid = grids[g]
        project = _SITE_PROJECTS[k % len(_SITE_PROJECTS)]
        name = f"{grid.community.removesuffix('社区')}{project}项目工地扬尘监测点"
        sites.add("dust", name, (grid.lon - LON0) * _KX, (grid.lat - LAT0) * _KY)
    assert all(site.kind in SENSOR_KINDS for site in sites.sites)
    return tuple(sites.sites)


def _build_fleet() -> tuple[FleetUnit, ...]:
    rng = np.random.default_rng(2_718)
    total = sum(_FLEET_COUNTS.values())
    numbers = rng.choice(10_000, total, replace=False)
    letters = rng.choice(list(_PLATE_LETTERS), total)
    kinds = [kind for kind, count in _FLEET_COUNTS.items() for _ in range(count)]
    assert set(kinds) <= set(VEHICLE_KINDS)
    return tuple(
        FleetUnit(f"V-{n + 1:04d}", kind, f"{PLATE_PREFIX}{letter}{number:04d}")
        for n, (kind, letter, number) in enumerate(zip(kinds, letters, numbers, strict=True))
    )


@cache
def demo_city() -> City:
    districts, owner = _build_districts()
    grids = _build_grids(districts, owner)
    nodes = _road_nodes()
    city = City(
        name=CITY_NAME,
        lon0=LON0,
        lat0=LAT0,
        districts=districts,
        grids=grids,
        roads=_build_roads(nodes),
        sensors=_build_sensors(nodes, grids),
        fleet=_build_fleet(),
    )
    # Also builds the grid index, so the first lookup elsewhere is already O(1).
    outside = [s.id for s in city.sensors if city.grid_at(s.lon, s.lat) is None]
    assert not outside, f"sensor sites outside the city: {outside}"
    return city
