"""The city simulator: a seeded play of the demo city and the asyncio shell
that feeds it to the hub.

:class:`CityPlay` does no I/O and reads no clock: the same city, scenario,
seed, rate and sequence of ``step`` calls give the same items.  It is built
from numpy arrays so that thousands of readings and fixes a second stay cheap.
:func:`run_simulator` is the thin I/O shell around it: connect, declare,
send batches under an ack window, reconnect with backoff and resend.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol as TypingProtocol

import numpy as np
from websockets.asyncio.client import connect
from websockets.client import process_exception
from websockets.exceptions import ConnectionClosed

from feeds import protocol
from feeds.city import City, Grid, demo_city
from feeds.domain import CATEGORIES, SENSOR_KINDS, VEHICLE_KINDS
from feeds.protocol import (
    Ack,
    Batch,
    Error,
    ErrorCode,
    Fix,
    Hello,
    IngestItem,
    Reading,
    Report,
    SensorInfo,
    VehicleInfo,
    Welcome,
)

log = logging.getLogger(__name__)

SCENARIOS = ("normal", "rainstorm")

#: Share of the message rate that is GPS fixes; the rest are sensor readings.
FIX_SHARE = 0.3
#: Longer steps are played in slices of this length, so fixes and events stay fine-grained.
MAX_SLICE_S = 1.0
GPS_NOISE_M = 3.0
BACKLOG_SIZE = 30
BACKLOG_SPAN_S = 50 * 60.0  # with a 30-min dispatch limit: some overdue, some due soon, most in time

# Independent random streams, so that e.g. the backlog does not shift the live play.
_SENSOR_STREAM, _FLEET_STREAM, _REPORT_STREAM, _BACKLOG_STREAM = range(4)


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


# ---------------------------------------------------------------------------
# Sensors


@dataclass(frozen=True)
class _Behaviour:
    """How one sensor kind behaves; excursions are city-wide random incidents."""

    noise: float  # standard deviation of a reading
    weight: int  # readings per round of the schedule, relative to other kinds
    excursions_per_hour: float  # city-wide, in the normal scenario
    excursion_value: tuple[float, float]
    excursion_s: tuple[float, float]


BEHAVIOUR: dict[str, _Behaviour] = {
    # Waterlogging points report often: their rise is what the hall watches in a storm.
    "water_level": _Behaviour(0.3, 10, 0.0, (0.0, 0.0), (0.0, 0.0)),
    "manhole_tilt": _Behaviour(0.2, 1, 20.0, (16.0, 40.0), (30.0, 600.0)),
    "gas": _Behaviour(0.3, 1, 3.0, (22.0, 45.0), (60.0, 600.0)),
    "bridge_strain": _Behaviour(15.0, 2, 2.0, (820.0, 1100.0), (5.0, 60.0)),
    "signal": _Behaviour(0.0, 1, 12.0, (1.0, 1.0), (120.0, 900.0)),
    "dust": _Behaviour(10.0, 1, 6.0, (160.0, 320.0), (300.0, 1800.0)),
}
# Storms pop manhole covers and knock out signals; rain keeps dust down.
RAINSTORM_EXCURSIONS = {"manhole_tilt": 3.0, "signal": 3.0, "dust": 0.2}
#: Waterlogging points that flood fast in a rainstorm (past the alarm depth within a minute).
FAST_FLOODING_POINTS = 5


def _water_profile(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Peak depth (cm), onset (s) and time constant (s) of each point's rise in a rainstorm.

    A few points flood within a minute so alarms show early; the rest rise
    over minutes, most to warning depth, some barely."""
    fast = np.zeros(n, dtype=bool)
    fast[rng.choice(n, min(FAST_FLOODING_POINTS, n), replace=False)] = True
    peak = np.where(fast, rng.uniform(35, 55, n), rng.uniform(4, 24, n))
    onset = np.where(fast, rng.uniform(0, 10, n), rng.uniform(0, 90, n))
    tau = np.where(fast, rng.uniform(10, 20, n), rng.uniform(60, 300, n))
    return peak, onset, tau


class _Sensors:
    """Every sensor's state; readings round-robin over a shuffled, weighted schedule."""

    def __init__(self, city: City, scenario: str, rng: np.random.Generator) -> None:
        self._rng = rng
        self.ids = [site.id for site in city.sensors]
        kinds = np.array([site.kind for site in city.sensors])
        self._normal = np.array([SENSOR_KINDS[k].normal for k in kinds])
        self._noise = np.array([BEHAVIOUR[k].noise for k in kinds])
        self._members = {kind: np.nonzero(kinds == kind)[0] for kind in BEHAVIOUR}
        self._excursion_until = np.full(len(kinds), -np.inf)
        self._excursion_value = np.zeros(len(kinds))
        factors = RAINSTORM_EXCURSIONS if scenario == "rainstorm" else {}
        self._excursions_per_s = {
            kind: b.excursions_per_hour * factors.get(kind, 1.0) / 3600.0 for kind, b in BEHAVIOUR.items()
        }
        # Rise of the water at each sensor; zero peak for everything else.
        self.peak, self._onset, self._tau = np.zeros(len(kinds)), np.zeros(len(kinds)), np.ones(len(kinds))
        water = self._members["water_level"]
        if scenario == "rainstorm" and len(water):
            self.peak[water], self._onset[water], self._tau[water] = _water_profile(len(water), rng)
        weights = np.array([BEHAVIOUR[k].weight for k in kinds])
        self._schedule = rng.permutation(np.repeat(np.arange(len(kinds)), weights))
        self._cursor = 0

    def start_excursions(self, t: float, span: float) -> None:
        """Incidents beginning in the slice [t, t + span) (Poisson), lasting from t."""
        for kind, per_s in self._excursions_per_s.items():
            members = self._members[kind]
            count = self._rng.poisson(per_s * span) if len(members) else 0
            chosen = self._rng.choice(members, count)
            behaviour = BEHAVIOUR[kind]
            self._excursion_until[chosen] = t + self._rng.uniform(*behaviour.excursion_s, count)
            self._excursion_value[chosen] = self._rng.uniform(*behaviour.excursion_value, count)

    def readings(self, elapsed: np.ndarray, start: float) -> list[Reading]:
        """One reading per time in ``elapsed`` (simulated seconds), next sensors in the schedule."""
        n = len(elapsed)
        which = self._schedule[(self._cursor + np.arange(n)) % len(self._schedule)]
        self._cursor = (self._cursor + n) % len(self._schedule)
        in_excursion = self._excursion_until[which] > elapsed
        level = np.where(in_excursion, self._excursion_value[which], self._normal[which])
        wet_s = np.clip(elapsed - self._onset[which], 0, None)
        rise = self.peak[which] * -np.expm1(-wet_s / self._tau[which])
        noise = self._noise[which] * self._rng.standard_normal(n)
        values = np.round(np.clip(level + rise + noise, 0, None), 2).tolist()
        stamps = np.round(start + elapsed, 3).tolist()
        ids = self.ids
        return [Reading(ids[i], v, ts) for i, v, ts in zip(which.tolist(), values, stamps, strict=True)]


# ---------------------------------------------------------------------------
# Roads and vehicles


class _RoadNet:
    """The roads as one flat array of vertices in local metres.

    Segment ``v`` runs from vertex ``v`` to ``v + 1`` of the same road.  Roads
    that share a vertex cross there; ``partner`` links the two vertices."""

    def __init__(self, city: City) -> None:
        xy, road_of = [], []
        for k, road in enumerate(city.roads):
            x, y = city.project(road.points[:, 0], road.points[:, 1])
            xy.append(np.column_stack((x, y)))
            road_of.append(np.full(len(x), k))
        self.names = [road.name for road in city.roads]
        self.xy = np.vstack(xy)
        self.road = np.concatenate(road_of)
        self.last = np.append(self.road[1:] != self.road[:-1], True)
        self.first = np.insert(self.road[1:] != self.road[:-1], 0, True)
        step = np.append(np.linalg.norm(np.diff(self.xy, axis=0), axis=1), 0.0)
        self.length = np.where(self.last, 0.0, step)
        # Distance along the road to each vertex, for house numbers.
        before = np.cumsum(np.insert(self.length[:-1], 0, 0.0))
        self.arc = before - before[np.nonzero(self.first)[0]][self.road]
        self.partner = self._shared_vertices()
        # The street network proper: roads with crossings.  An elevated road
        # without junctions is scenery; nobody parks or turns off there.
        streets = np.isin(self.road, self.road[self.partner >= 0])
        self.segments = np.nonzero((self.length > 0) & streets)[0]
        self.crossings = np.nonzero(self.partner > np.arange(len(self.xy)))[0]

    def _shared_vertices(self) -> np.ndarray:
        partner = np.full(len(self.xy), -1)
        seen: dict[tuple[float, float], int] = {}
        for v, (x, y) in enumerate(np.round(self.xy, 2).tolist()):
            other = seen.setdefault((x, y), v)
            if other != v and self.road[other] != self.road[v]:
                partner[v], partner[other] = other, v
        return partner

    def random_segments(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Street segments drawn in proportion to their length."""
        lengths = self.length[self.segments]
        return self.segments[rng.choice(len(lengths), n, p=lengths / lengths.sum())]


STATUSES = ("moving", "working", "idle")
#: Chance of each status when a vehicle changes what it does, by kind.
STATUS_ODDS = {
    "sanitation": (0.35, 0.5, 0.15),
    "muck": (0.6, 0.2, 0.2),
    "enforcement": (0.5, 0.3, 0.2),
    "repair": (0.4, 0.3, 0.3),
}
#: How long a status lasts, seconds (low, high).
STATUS_DWELL_S = ((120.0, 600.0), (300.0, 1200.0), (120.0, 900.0))
#: Each driver's cruising speed as a share of the kind's typical speed (low, high).
CRUISE_SPREAD = (0.8, 1.15)
#: Speed while working: sweepers crawl along the kerb, the rest stand at the job.
WORKING_KMH = {"sanitation": 8.0}
#: At a crossing, share of vehicles that carry straight on rather than turn.
STRAIGHT_ON = 0.6


class _Fleet:
    """Vehicles driving the road network: segment, offset and direction per unit."""

    def __init__(self, city: City, net: _RoadNet, rng: np.random.Generator) -> None:
        self._net, self._rng = net, rng
        self.ids = [unit.id for unit in city.fleet]
        kinds = [unit.kind for unit in city.fleet]
        n = len(kinds)
        self._odds = np.cumsum([STATUS_ODDS[k] for k in kinds], axis=1)
        self._cruise_kmh = np.array([VEHICLE_KINDS[k].speed_kmh for k in kinds]) * rng.uniform(
            *CRUISE_SPREAD, n
        )
        self._working_kmh = np.array([WORKING_KMH.get(k, 0.0) for k in kinds])
        self._segment = net.random_segments(rng, n)
        self._offset = rng.uniform(0, net.length[self._segment])
        self._direction = rng.choice([-1, 1], n)
        self._status = self._draw_status(np.arange(n))
        self._until = rng.uniform(0, np.array(STATUS_DWELL_S)[self._status, 1])
        self._heading = np.zeros(n)
        self._order = rng.permutation(n)
        self._cursor = 0

    def _draw_status(self, which: np.ndarray) -> np.ndarray:
        draw = self._rng.random(len(which))
        status: np.ndarray = np.count_nonzero(draw[:, None] > self._odds[which], axis=1)
        return status

    def speed_kmh(self) -> np.ndarray:
        return np.select([self._status == 0, self._status == 1], [self._cruise_kmh, self._working_kmh], 0.0)

    def advance(self, t: float, dt: float) -> None:
        """Drive for dt seconds, then change status where its time is up at t."""
        self._offset += self._direction * self.speed_kmh() / 3.6 * dt
        off_segment = (self._offset < 0) | (self._offset > self._net.length[self._segment])
        for k in np.nonzero(off_segment)[0].tolist():
            self._pass_vertices(k)
        self._turn_heading()
        due = np.nonzero(self._until <= t)[0]
        self._status[due] = self._draw_status(due)
        low, high = np.array(STATUS_DWELL_S)[self._status[due]].T
        self._until[due] = t + self._rng.uniform(low, high)

    def _pass_vertices(self, k: int) -> None:
        """Carry vehicle k over the vertices it drove past, turning at crossings."""
        net = self._net
        while True:
            segment, offset, direction = self._segment[k], self._offset[k], self._direction[k]
            if direction > 0 and offset > net.length[segment]:
                vertex, beyond = segment + 1, offset - net.length[segment]
            elif direction < 0 and offset < 0:
                vertex, beyond = segment, -offset
            else:
                return
            vertex, direction = self._next_way(vertex, direction)
            self._direction[k] = direction
            self._segment[k] = vertex if direction > 0 else vertex - 1
            self._offset[k] = beyond if direction > 0 else net.length[vertex - 1] - beyond

    def _next_way(self, vertex: int, direction: int) -> tuple[int, int]:
        """Where to go on from a vertex: straight on, turn at a crossing or U-turn at a dead end."""
        net = self._net
        ahead = [(vertex, direction)] if not (net.last if direction > 0 else net.first)[vertex] else []
        other = net.partner[vertex]
        turns = [(other, d) for d, end in ((1, net.last), (-1, net.first)) if other >= 0 and not end[other]]
        if ahead and (not turns or self._rng.random() < STRAIGHT_ON):
            return ahead[0]
        if turns:
            return turns[self._rng.integers(len(turns))]
        return vertex, -direction

    def _turn_heading(self) -> None:
        """Moving vehicles face along their segment; standing ones keep their last heading."""
        along = self._along()
        heading = np.degrees(np.arctan2(along[:, 0], along[:, 1]) + (self._direction < 0) * np.pi) % 360
        self._heading = np.where(self.speed_kmh() > 0, heading, self._heading)

    def _along(self) -> np.ndarray:
        along: np.ndarray = self._net.xy[self._segment + 1] - self._net.xy[self._segment]
        return along

    def positions(self) -> np.ndarray:
        """Where each vehicle is, (n, 2) metres."""
        share = self._offset / self._net.length[self._segment]
        xy: np.ndarray = self._net.xy[self._segment] + self._along() * share[:, None]
        return xy

    def fixes(self, city: City, elapsed: np.ndarray, start: float) -> list[Fix]:
        """One GPS fix per time in ``elapsed``, vehicles in a shuffled round-robin."""
        n = len(elapsed)
        which = self._order[(self._cursor + np.arange(n)) % len(self._order)]
        self._cursor = (self._cursor + n) % len(self._order)
        noisy = self.positions()[which] + self._rng.normal(0, GPS_NOISE_M, (n, 2))
        lon, lat = city.unproject(noisy[:, 0], noisy[:, 1])
        speed = self.speed_kmh()[which]
        speed = np.where(speed > 0, np.clip(speed + self._rng.normal(0, 1.5, n), 0, None), 0.0)
        columns = (
            which.tolist(),
            np.round(lon, 6).tolist(),
            np.round(lat, 6).tolist(),
            np.round(start + elapsed, 3).tolist(),
            np.round(speed, 1).tolist(),
            np.round(self._heading[which]).tolist(),
            self._status[which].tolist(),
        )
        ids = self.ids
        return [
            Fix(ids[v], x, y, ts, s, h, STATUSES[st]) for v, x, y, ts, s, h, st in zip(*columns, strict=True)
        ]


# ---------------------------------------------------------------------------
# Reports


# Relative frequency of each category in reports (exposed garbage, parking,
# stalls and flyers lead in every published city statistic).
NORMAL_CATEGORIES: dict[str, float] = {
    "06010": 14, "09009": 12, "09006": 10, "07001": 10, "06012": 6, "06042": 6, "09001": 5,
    "09011": 5, "06011": 3, "06014": 3, "03005": 3, "01037": 3, "08002": 3, "06001": 2,
    "06029": 2, "08004": 2, "08011": 2, "04002": 2, "02014": 1, "02017": 1, "01001": 1,
    "01002": 1, "01003": 1, "01004": 1, "01011": 0.5, "10002": 0.5, "10003": 0.5, "01067": 0.3,
}  # fmt: skip
RAINSTORM_CATEGORIES: dict[str, float] = {
    **NORMAL_CATEGORIES,
    "10003": 40, "01004": 10, "01003": 6, "04002": 5, "10002": 3, "02014": 3, "01067": 2,
    "06029": 0, "08004": 0, "09006": 4, "09001": 2,
}  # fmt: skip
REPORTS_PER_S = {"normal": 0.5, "rainstorm": 1.5}  # demo-accelerated
#: Categories a storm report places at a waterlogging point, most of the time.
FLOOD_CATEGORIES = ("10003", "01003", "01004")
FLOOD_AT_POINT = 0.8

# Who reports: inspectors most; AI cameras only what they recognise; sensors only what they measure.
SOURCE_WEIGHTS = {"inspector": 70.0, "hotline": 16.0, "app": 10.0}
VIDEO_CATEGORIES = frozenset({"06010", "09006", "09001", "07001", "09009", "06042"})
SENSOR_CATEGORIES = frozenset({"10003", "01067", "01011", "02014"})
REPORTERS = {"hotline": "12319热线", "app": "市民APP", "video": "视频AI识别", "sensor": "物联感知平台"}
INSPECTORS = 120

DETAILS: dict[str, tuple[str, ...]] = {
    "06010": ("暴露垃圾", "绿化带内暴露垃圾", "路边生活垃圾未清运"),
    "09009": ("机动车乱停放", "机动车占用人行道停放", "车辆占用盲道停放"),
    "09006": ("占道经营", "水果摊占道经营", "早餐摊点占道经营"),
    "07001": ("非法小广告", "电线杆上张贴小广告", "墙面喷涂小广告"),
    "06042": ("垃圾满溢", "垃圾桶满溢未清运"),
    "09011": ("共享单车乱停放", "共享单车堆积占用人行道"),
    "01003": ("雨水井盖缺失", "雨水井盖移位", "雨水井冒水"),
    "01004": ("雨水箅子堵塞", "雨水箅子被杂物覆盖，排水不畅"),
    "04002": ("行道树倾倒", "行道树断枝压占道路"),
    "10003": ("道路积水约{cm}厘米", "道路积水，车辆涉水通行", "积水没过路沿，行人无法通行"),
    "01037": ("路灯不亮", "路灯白天常亮"),
    "02014": ("信号灯故障", "信号灯黑灯"),
    "01001": ("供水井盖破损", "供水井盖缺失"),
    "01002": ("污水井盖破损", "污水井冒溢"),
    "01011": ("燃气井盖松动", "燃气井盖破损"),
    "02017": ("交通护栏损坏", "交通护栏倒伏"),
    "03005": ("垃圾箱破损", "垃圾箱缺失"),
}
CORNERS = {(1, 1): "东北角", (1, -1): "东南角", (-1, -1): "西南角", (-1, 1): "西北角"}
LANDMARKS = ("小区门口", "农贸市场旁", "公交站台旁", "学校门口", "背街小巷")
FRONTAGES = ("门前", "附近", "对面")


class _Reporter:
    """Problem reports: where, what, by whom, in the hall's words."""

    def __init__(self, city: City, net: _RoadNet, sensors: _Sensors) -> None:
        self._city, self._net = city, net
        water = [k for k, site in enumerate(city.sensors) if site.kind == "water_level"]
        self._water_names = [city.sensors[k].name.removesuffix("积水点") for k in water]
        lon = np.array([city.sensors[k].lon for k in water])
        lat = np.array([city.sensors[k].lat for k in water])
        self._water_xy = np.column_stack(city.project(lon, lat)).reshape(-1, 2)
        self._water_peak = sensors.peak[water]
        west, south, east, north = city.extent()
        x, y = city.project(np.array([west, east]), np.array([south, north]))
        margin = 1.0  # metres, keeps clipped points off the city's edge
        self._bounds = (x[0] + margin, x[1] - margin, y[0] + margin, y[1] - margin)

    def report(self, rng: np.random.Generator, number: int, run: str, ts: float, rainy: bool) -> Report:
        weights = RAINSTORM_CATEGORIES if rainy else NORMAL_CATEGORIES
        category = _pick(rng, weights)
        flooded = rainy and category in FLOOD_CATEGORIES and bool(self._water_names)
        place, x, y = (
            self._at_water(rng) if flooded and rng.random() < FLOOD_AT_POINT else self._somewhere(rng)
        )
        west, east, south, north = self._bounds
        lon, lat = self._city.unproject(np.clip(x, west, east), np.clip(y, south, north))
        source = _pick(rng, _source_weights(category))
        inspector = f"监督员{rng.integers(1, INSPECTORS + 1):03d}" if source == "inspector" else ""
        reporter = REPORTERS.get(source, inspector)
        return Report(
            id=f"R-{run}-{number:06d}",
            category=category,
            lon=round(float(lon), 6),
            lat=round(float(lat), 6),
            source=source,
            ts=round(ts, 3),
            description=place + _detail(rng, category),
            reporter=reporter,
        )

    def _at_water(self, rng: np.random.Generator) -> tuple[str, float, float]:
        """Near a waterlogging point, the deeper it floods the likelier."""
        k = _pick_index(rng, self._water_peak + 1.0)
        angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(10, 120)
        x, y = self._water_xy[k] + distance * np.array([np.cos(angle), np.sin(angle)])
        return f"{self._water_names[k]}附近", float(x), float(y)

    def _somewhere(self, rng: np.random.Generator) -> tuple[str, float, float]:
        style = rng.random()
        if style < 0.4 and len(self._net.crossings):
            return self._at_crossing(rng)
        if style < 0.8:
            return self._on_road(rng)
        return self._in_community(rng)

    def _at_crossing(self, rng: np.random.Generator) -> tuple[str, float, float]:
        net = self._net
        vertex = net.crossings[rng.integers(len(net.crossings))]
        a, b = net.names[net.road[vertex]], net.names[net.road[net.partner[vertex]]]
        (sx, sy), corner = list(CORNERS.items())[rng.integers(len(CORNERS))]
        x, y = net.xy[vertex] + rng.uniform(15, 60, 2) * (sx, sy)
        return f"{a}与{b}交叉口{corner}", float(x), float(y)

    def _on_road(self, rng: np.random.Generator) -> tuple[str, float, float]:
        """Mid-block, by house number: odd numbers on one side, even on the other."""
        net = self._net
        segment = int(net.random_segments(rng, 1)[0])
        share, side = rng.random(), rng.choice([-1, 1])
        along = net.xy[segment + 1] - net.xy[segment]
        normal = np.array([along[1], -along[0]]) / net.length[segment]
        x, y = net.xy[segment] + share * along + side * rng.uniform(5, 20) * normal
        number = 2 * int((net.arc[segment] + share * net.length[segment]) / 20) + (1 if side > 0 else 2)
        frontage = FRONTAGES[rng.integers(len(FRONTAGES))]
        return f"{net.names[net.road[segment]]}{number}号{frontage}", float(x), float(y)

    def _in_community(self, rng: np.random.Generator) -> tuple[str, float, float]:
        grid: Grid = self._city.grids[rng.integers(len(self._city.grids))]
        x, y = self._city.project(np.array(grid.lon), np.array(grid.lat))
        dx, dy = rng.uniform(-40, 40, 2)
        landmark = LANDMARKS[rng.integers(len(LANDMARKS))]
        return f"{grid.street}{grid.community}{landmark}", float(x + dx), float(y + dy)


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    return keys[_pick_index(rng, np.array([weights[k] for k in keys]))]


def _pick_index(rng: np.random.Generator, weights: np.ndarray) -> int:
    return int(np.searchsorted(np.cumsum(weights), rng.random() * weights.sum(), side="right"))


def _source_weights(category: str) -> dict[str, float]:
    weights = dict(SOURCE_WEIGHTS)
    if category in VIDEO_CATEGORIES:
        weights["video"] = 8.0
    if category in SENSOR_CATEGORIES:
        weights["sensor"] = 25.0
    return weights


def _detail(rng: np.random.Generator, category: str) -> str:
    """What is wrong; a component class (majors 01-05) without its own words is "abnormal"."""
    zh = CATEGORIES[category].zh
    options = DETAILS.get(category, (f"{zh}异常" if category[:2] <= "05" else zh,))
    return options[rng.integers(len(options))].format(cm=rng.integers(5, 40))


# ---------------------------------------------------------------------------
# The play


class CityPlay:
    """The city as a seeded play: declarations, a backlog, then ``step`` by ``step``.

    ``rate`` is readings plus fixes per simulated second; reports come on top
    at the scenario's pace.  Timestamps are ``start`` plus simulated time."""

    def __init__(self, city: City, scenario: str, seed: int, rate: float, start: float) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; expected one of {SCENARIOS}")
        if rate < 0:
            raise ValueError("rate must not be negative")
        self.city, self.scenario, self.seed, self.rate, self.start = city, scenario, seed, rate, start
        # Report ids name the run, so a rerun with the same seed is new work, not a retry.
        self.run = f"{seed}-{int(start)}"
        self.elapsed = 0.0
        net = _RoadNet(city)
        self._sensors = _Sensors(city, scenario, _rng(seed, _SENSOR_STREAM))
        self._fleet = _Fleet(city, net, _rng(seed, _FLEET_STREAM))
        self._reporter = _Reporter(city, net, self._sensors)
        self._report_rng = _rng(seed, _REPORT_STREAM)
        self._reports_made = BACKLOG_SIZE  # live report numbers follow the backlog's
        self._reading_due = 0.0  # fractional messages carried to the next slice
        self._fix_due = 0.0

    def declarations(self) -> list[SensorInfo | VehicleInfo]:
        sensors = [
            SensorInfo(s.id, s.kind, s.name, s.lon, s.lat, SENSOR_KINDS[s.kind].unit)
            for s in self.city.sensors
        ]
        return [*sensors, *(VehicleInfo(u.id, u.kind, u.plate) for u in self.city.fleet)]

    def backlog(self) -> list[Report]:
        """Reports of the last hours before ``start``, oldest first; the same on every call."""
        rng = _rng(self.seed, _BACKLOG_STREAM)
        ages = np.sort(rng.uniform(0, BACKLOG_SPAN_S, BACKLOG_SIZE))[::-1]
        return [
            self._reporter.report(rng, n, self.run, self.start - age, rainy=False)
            for n, age in enumerate(ages.tolist(), start=1)
        ]

    def step(self, dt: float) -> list[IngestItem]:
        """Readings, fixes and reports for the next dt simulated seconds."""
        items: list[IngestItem] = []
        remaining = dt
        while remaining > 1e-9:
            span = min(remaining, MAX_SLICE_S)
            items += self._play_slice(span)
            remaining -= span
        return items

    def _play_slice(self, span: float) -> list[IngestItem]:
        t0 = self.elapsed
        self.elapsed += span
        self._fleet.advance(self.elapsed, span)
        self._sensors.start_excursions(t0, span)
        self._reading_due += self.rate * (1 - FIX_SHARE) * span
        self._fix_due += self.rate * FIX_SHARE * span
        n_readings, n_fixes = int(self._reading_due), int(self._fix_due)
        self._reading_due -= n_readings
        self._fix_due -= n_fixes
        items: list[IngestItem] = []
        items += self._sensors.readings(_spread(t0, span, n_readings), self.start)
        items += self._fleet.fixes(self.city, _spread(t0, span, n_fixes), self.start)
        items += self._live_reports(t0, span)
        return items

    def _live_reports(self, t0: float, span: float) -> list[Report]:
        rng, rainy = self._report_rng, self.scenario == "rainstorm"
        count = rng.poisson(REPORTS_PER_S[self.scenario] * span)
        reports = []
        for offset in np.sort(rng.uniform(0, span, count)).tolist():
            self._reports_made += 1
            ts = self.start + t0 + offset
            reports.append(self._reporter.report(rng, self._reports_made, self.run, ts, rainy))
        return reports


def _spread(t0: float, span: float, n: int) -> np.ndarray:
    """n times evenly spread over [t0, t0 + span)."""
    return t0 + span * (np.arange(n) + 0.5) / max(n, 1)


# ---------------------------------------------------------------------------
# The I/O shell

TICK_S = 0.1  # simulated seconds per tick, played at 10 Hz on the loop's clock
MAX_UNACKED = 32
BACKOFF_INITIAL_S, BACKOFF_MAX_S = 0.2, 5.0
WELCOME_TIMEOUT_S = 10.0
#: Hub answers to a batch that are worth sending it again (the hub was busy, not the batch bad).
RETRY_CODES = frozenset({ErrorCode.TOO_MANY_PENDING, ErrorCode.STORAGE})


@dataclass
class SimStats:
    sent: int = 0  # items put in new batch frames (resending a batch does not count them again)
    acked: int = 0  # items the hub acknowledged as accepted
    rejected: int = 0  # items the hub acknowledged as refused
    errors: int = 0  # error frames and undecodable frames from the hub
    reconnects: int = 0


class HubRefused(Exception):
    """The hub turned the simulator away (unsupported version, forbidden …); retrying won't help."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"hub refused the simulator: {code}: {message}")
        self.code = code


class Connection(TypingProtocol):
    """What :class:`Uplink` needs of a WebSocket connection."""

    async def send(self, message: bytes, *, text: bool | None = None) -> None: ...

    async def recv(self) -> str | bytes: ...

    def __aiter__(self) -> AsyncIterator[str | bytes]: ...


@dataclass
class _Sent:
    frame: bytes
    items: int
    declares: bool = False  # sensors and vehicles, which the data batches need first


class Uplink:
    """Feeds a :class:`CityPlay` to the hub over any number of connections.

    Batches stay in ``unacked`` from the moment they are made until the hub
    acknowledges them.  A tick is played only while fewer than
    ``MAX_UNACKED`` are out, so a slow hub slows the play down instead of
    growing a buffer.  Each connection first declares the sensors and
    vehicles (afresh, unless an earlier declaration is still un-acknowledged:
    that one goes out again), then resends what is still un-acknowledged, in
    order (report ids make that idempotent at the hub)."""

    def __init__(
        self,
        play: CityPlay,
        seconds: float | None,
        user: str,
        pace: float = TICK_S,
        stats: SimStats | None = None,
    ) -> None:
        if seconds is not None and seconds < 0:
            raise ValueError("seconds must not be negative")  # it would never count down to 0
        self.play, self.user, self.pace = play, user, pace
        self.ticks_left = None if seconds is None else round(seconds / TICK_S)
        self.stats = stats if stats is not None else SimStats()
        self.unacked: dict[str, _Sent] = {}  # in the order they were made
        self.welcomes = 0
        self._batches_made = 0
        self._backlog_made = False
        self._retry: list[str] = []  # batches the hub asked to have again
        self._heard = asyncio.Event()  # an answer arrived or the connection ended

    def finished(self) -> bool:
        return self.ticks_left == 0 and not self.unacked

    async def serve(self, ws: Connection) -> None:
        """Play over one connection until finished; raises when the connection is lost."""
        await self._handshake(ws)
        reader = asyncio.create_task(self._read(ws))
        try:
            # Declarations first: the hub refuses readings and fixes of unknown sensors and vehicles.
            resend = sorted(self.unacked.values(), key=lambda sent: not sent.declares)
            if not any(sent.declares for sent in resend):
                await self._send_new(ws, self.play.declarations(), declares=True)
            for sent in resend:
                await ws.send(sent.frame, text=True)
            if not self._backlog_made:
                self._backlog_made = True
                await self._send_new(ws, self.play.backlog())
            await self._tick(ws, reader)
            await self._wait(ws, reader, lambda: not self.unacked)
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _handshake(self, ws: Connection) -> None:
        hello = Hello(protocol=protocol.PROTOCOL_VERSION, kind="producer", user=self.user)
        await ws.send(protocol.encode(hello), text=True)
        async with asyncio.timeout(WELCOME_TIMEOUT_S):
            while True:
                message = self._decode(await ws.recv())
                if isinstance(message, Welcome):
                    log.info("connected to hub %s (%s) as %s", message.hub, message.city, message.user)
                    self.welcomes += 1
                    return
                if isinstance(message, Error):
                    raise HubRefused(message.code, message.message)

    async def _tick(self, ws: Connection, reader: asyncio.Task[None]) -> None:
        """Play TICK_S per tick at the pace of the loop's clock; a late tick is not made up."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while self.ticks_left != 0:
            await self._wait(ws, reader, lambda: len(self.unacked) < MAX_UNACKED)
            due = max(due + self.pace, loop.time())
            await asyncio.sleep(due - loop.time())
            items = self.play.step(TICK_S)
            if self.ticks_left is not None:
                self.ticks_left -= 1
            await self._send_new(ws, items)

    async def _wait(self, ws: Connection, reader: asyncio.Task[None], ready: Callable[[], bool]) -> None:
        """Resend what the hub asks for and wait for its answers until ``ready()``.

        Raises if the connection ends first."""
        while True:
            retry, self._retry = self._retry, []
            for batch_id in retry:
                if batch_id in self.unacked:
                    await ws.send(self.unacked[batch_id].frame, text=True)
            if ready():
                return
            if reader.done():
                reader.result()  # re-raises how the connection failed
                raise ConnectionError("the hub closed the connection")
            self._heard.clear()
            await self._heard.wait()

    async def _send_new(self, ws: Connection, items: Sequence[IngestItem], declares: bool = False) -> None:
        """Send items in new batches, kept for resending until acknowledged."""
        size = protocol.MAX_BATCH_ITEMS
        batches: dict[str, _Sent] = {}
        for first in range(0, len(items), size):
            self._batches_made += 1
            batch = Batch(f"b-{self._batches_made}", list(items[first : first + size]))
            batches[batch.id] = _Sent(protocol.encode(batch), len(batch.items), declares)
            self.stats.sent += len(batch.items)
        self.unacked.update(batches)  # before sending, so that a lost connection resends them
        for sent in batches.values():
            await ws.send(sent.frame, text=True)

    async def _read(self, ws: Connection) -> None:
        try:
            async for frame in ws:
                message = self._decode(frame)
                if isinstance(message, Ack):
                    self._on_ack(message)
                elif isinstance(message, Error):
                    self._on_error(message)
                self._heard.set()
        finally:
            self._heard.set()

    def _on_ack(self, ack: Ack) -> None:
        self.unacked.pop(ack.id, None)
        self.stats.acked += ack.accepted
        self.stats.rejected += ack.rejected

    def _on_error(self, error: Error) -> None:
        """Count and log; a refused batch leaves the window unless the hub wants it again."""
        self.stats.errors += 1
        log.warning("hub error %s on %s: %s", error.code, error.id, error.message)
        if error.id is None or error.id not in self.unacked:
            return
        if error.code in RETRY_CODES:
            self._retry.append(error.id)
        else:  # sending it again would fail the same way (an ack may still follow for its good items)
            del self.unacked[error.id]

    def _decode(self, frame: str | bytes) -> protocol.ServerMessage | None:
        try:
            return protocol.decode_server(frame)
        except protocol.ProtocolError as exc:
            self.stats.errors += 1
            log.warning("undecodable frame from the hub (%s): %s", exc.code, exc.message)
            return None


def next_backoff(previous: float | None) -> float:
    """Delay before the next connection attempt: 0.2 s, doubling up to 5 s.

    ``previous`` is None after a connection that was welcomed, so a hub that
    restarts is found again quickly."""
    return BACKOFF_INITIAL_S if previous is None else min(2 * previous, BACKOFF_MAX_S)


def _retryable(exc: Exception) -> bool:
    """Connection trouble is worth another try; a refusal or a bad URL is not."""
    return isinstance(exc, ConnectionClosed) or process_exception(exc) is None


async def run_simulator(
    hub_url: str,
    scenario: str = "normal",
    rate: float = 200,
    seed: int = 1,
    seconds: float | None = None,
    user: str = "simulator",
    stats: SimStats | None = None,
) -> SimStats:
    """Play the demo city into the hub at ``hub_url`` for ``seconds`` (None: until cancelled).

    Reconnects after connection trouble (see :func:`next_backoff`); raises
    :class:`HubRefused` when the hub rejects the handshake.  Pass ``stats``
    to watch the counts while it runs; the same object is returned."""
    play = CityPlay(demo_city(), scenario, seed, rate, start=time.time())
    uplink = Uplink(play, seconds, user, stats=stats)
    delay: float | None = None
    while True:
        welcomes = uplink.welcomes
        try:
            async with connect(hub_url, max_size=protocol.MAX_FRAME_BYTES) as ws:
                await uplink.serve(ws)
            return uplink.stats
        except Exception as exc:
            if not _retryable(exc):
                raise
            delay = next_backoff(None if uplink.welcomes > welcomes else delay)
            log.warning("hub connection lost (%s); reconnecting in %.1f s", exc, delay)
        uplink.stats.reconnects += 1
        await asyncio.sleep(delay)
