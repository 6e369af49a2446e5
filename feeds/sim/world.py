"""The simulated world: a seeded play of a city's sensors, fleet and reporters.

:class:`CityPlay` does no I/O and reads no clock: the same city, scenario,
seed, rate and sequence of ``step`` calls give the same items.  It is built
from numpy arrays so that thousands of readings and fixes a second stay cheap.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import msgspec
import numpy as np

from feeds.city import City, Site
from feeds.domain import VEHICLE_KINDS
from feeds.sim.placement import Unit, area_name, fleet, random_point, sensor_sites, streets
from feeds.sim.texts import (
    CORNERS,
    FLOOD_AT_POINT,
    FLOOD_CATEGORIES,
    FRONTAGES,
    INSPECTORS,
    LANDMARKS,
    NORMAL_CATEGORIES,
    RAINSTORM_CATEGORIES,
    REPORTERS,
    REPORTS_PER_S,
    describe,
    source_weights,
)
from feeds.wire.messages import Fix, IngestItem, Reading, Report, SensorInfo, VehicleInfo

SCENARIOS = ("normal", "rainstorm")

#: Share of the message rate that is GPS fixes; the rest are sensor readings.
FIX_SHARE = 0.3
#: Longer steps are played in slices of this length, so fixes and events stay fine-grained.
MAX_SLICE_S = 1.0
GPS_NOISE_M = 3.0
BACKLOG_SIZE = 30
BACKLOG_SPAN_S = 50 * 60.0  # with a 30-min dispatch limit: some overdue, some due soon, most in time
#: Share of live reports that are another citizen's call about a problem reported in the last hour
#: (one of the last few), a few metres off: the hub offers them as duplicates to merge.
REPEAT_CALL, REPEAT_WITHIN_S, REPEAT_AMONG, REPEAT_M = 0.05, 3600.0, 20, (3.0, 30.0)

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


def _behaviour(city: City, kind: str) -> _Behaviour:
    """How a sensor of a class behaves; a class the simulator does not know wanders a little
    and now and then crosses its alarm threshold."""
    if kind in BEHAVIOUR:
        return BEHAVIOUR[kind]
    spec = city.sensor_classes[kind]
    return _Behaviour(
        0.01 * (spec.high - spec.low), 1, 2.0, (spec.alarm, min(spec.high, spec.alarm * 1.3)), (60.0, 600.0)
    )


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

    def __init__(self, city: City, sites: list[Site], scenario: str, rng: np.random.Generator) -> None:
        self._rng = rng
        self.ids = [site.id for site in sites]
        kinds = np.array([site.kind for site in sites], dtype=str)
        self._behaviour = {kind: _behaviour(city, kind) for kind in dict.fromkeys(kinds.tolist())}
        spec = city.sensor_classes
        self._normal = np.array([spec[k].normal for k in kinds])
        self._low = np.array([spec[k].low for k in kinds])
        self._high = np.array([spec[k].high for k in kinds])
        self._noise = np.array([self._behaviour[k].noise for k in kinds])
        self._members = {kind: np.nonzero(kinds == kind)[0] for kind in self._behaviour}
        self._excursion_until = np.full(len(kinds), -np.inf)
        self._excursion_value = np.zeros(len(kinds))
        factors = RAINSTORM_EXCURSIONS if scenario == "rainstorm" else {}
        self._excursions_per_s = {
            kind: b.excursions_per_hour * factors.get(kind, 1.0) / 3600.0
            for kind, b in self._behaviour.items()
        }
        # Rise of the water at each sensor; zero peak for everything else.
        self.peak, self._onset, self._tau = np.zeros(len(kinds)), np.zeros(len(kinds)), np.ones(len(kinds))
        water = self._members.get("water_level", np.zeros(0, np.int64))
        if scenario == "rainstorm" and len(water):
            self.peak[water], self._onset[water], self._tau[water] = _water_profile(len(water), rng)
        weights = np.array([self._behaviour[k].weight for k in kinds], np.int64)
        self._schedule = rng.permutation(np.repeat(np.arange(len(kinds)), weights))
        self._cursor = 0

    def start_excursions(self, t: float, span: float) -> None:
        """Incidents beginning in the slice [t, t + span) (Poisson), lasting from t."""
        for kind, per_s in self._excursions_per_s.items():
            members = self._members[kind]
            count = self._rng.poisson(per_s * span) if len(members) else 0
            chosen = self._rng.choice(members, count)
            behaviour = self._behaviour[kind]
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
        values = np.round(np.clip(level + rise + noise, self._low[which], self._high[which]), 2).tolist()
        stamps = np.round(start + elapsed, 3).tolist()
        ids = self.ids
        return [Reading(ids[i], v, ts) for i, v, ts in zip(which.tolist(), values, stamps, strict=True)]


# ---------------------------------------------------------------------------
# Roads and vehicles


class _RoadNet:
    """The roads as one flat array of vertices in local metres.

    Segment ``v`` runs from vertex ``v`` to ``v + 1`` of the same road.  Roads
    that share a vertex cross there; ``partner`` links the two vertices."""

    def __init__(self, city: City, lines: list[tuple[str, np.ndarray]]) -> None:
        xy, road_of = [], []
        for k, (_, line) in enumerate(lines):
            x, y = city.project(line[:, 0], line[:, 1])
            xy.append(np.column_stack((x, y)))
            road_of.append(np.full(len(x), k))
        self.names = [name for name, _ in lines]
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
        crossed = np.isin(self.road, self.road[self.partner >= 0])
        self.segments = np.nonzero((self.length > 0) & (crossed if crossed.any() else True))[0]
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

    def __init__(self, units: list[Unit], net: _RoadNet, rng: np.random.Generator) -> None:
        self._net, self._rng = net, rng
        self.ids = [unit.id for unit in units]
        kinds = [unit.kind for unit in units]
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


class _Reporter:
    """Problem reports: where, what, by whom, in the hall's words."""

    def __init__(self, city: City, net: _RoadNet, sensors: _Sensors, sites: list[Site]) -> None:
        self._city, self._net = city, net
        known = set(city.categories)
        self._weights = {
            rainy: {c: w for c, w in table.items() if c in known} or dict.fromkeys(known, 1.0)
            for rainy, table in ((False, NORMAL_CATEGORIES), (True, RAINSTORM_CATEGORIES))
        }
        water = [k for k, site in enumerate(sites) if site.kind == "water_level"]
        self._water_names = [sites[k].name.removesuffix("积水点") for k in water]
        lon = np.array([sites[k].lon for k in water])
        lat = np.array([sites[k].lat for k in water])
        self._water_xy = np.column_stack(city.project(lon, lat)).reshape(-1, 2)
        self._water_peak = sensors.peak[water]
        named = np.array([bool(name) for name in net.names], dtype=bool)
        self._named_crossings = net.crossings[
            named[net.road[net.crossings]] & named[net.road[net.partner[net.crossings]]]
        ]
        self._named_segments = (
            net.segments[named[net.road[net.segments]]] if len(net.segments) else net.segments
        )

    def report(self, rng: np.random.Generator, number: int, run: str, ts: float, rainy: bool) -> Report:
        category = _pick(rng, self._weights[rainy])
        flooded = rainy and category in FLOOD_CATEGORIES and bool(self._water_names)
        place, x, y = (
            self._at_water(rng) if flooded and rng.random() < FLOOD_AT_POINT else self._somewhere(rng)
        )
        lon, lat = (float(v) for v in self._city.unproject(np.array(x), np.array(y)))
        if self._city.locate(lon, lat) is None:  # near the city's edge: report from inside instead
            lon, lat = random_point(self._city, rng)
            place = area_name(self._city, lon, lat)
        source = _pick(rng, source_weights(category))
        inspector = f"监督员{rng.integers(1, INSPECTORS + 1):03d}" if source == "inspector" else ""
        reporter = REPORTERS.get(source, inspector)
        return Report(
            id=f"R-{run}-{number:06d}",
            category=category,
            lon=round(lon, 6),
            lat=round(lat, 6),
            source=source,
            ts=round(ts, 3),
            description=place + describe(rng, category, self._city.categories[category].name),
            reporter=reporter,
        )

    def repeat(self, rng: np.random.Generator, first: Report, number: int, run: str, ts: float) -> Report:
        """Another citizen calls about a problem already reported: the same kind, a few metres off."""
        angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(*REPEAT_M)
        x, y = self._city.project(np.array([first.lon]), np.array([first.lat]))
        lon, lat = self._city.unproject(x + distance * np.cos(angle), y + distance * np.sin(angle))
        source = ("hotline", "app")[rng.integers(2)]
        return msgspec.structs.replace(
            first,
            id=f"R-{run}-{number:06d}",
            lon=round(float(lon[0]), 6),
            lat=round(float(lat[0]), 6),
            source=source,
            ts=round(ts, 3),
            description=f"又有市民反映：{first.description}",
            reporter=REPORTERS[source],
        )

    def _at_water(self, rng: np.random.Generator) -> tuple[str, float, float]:
        """Near a waterlogging point, the deeper it floods the likelier."""
        k = _pick_index(rng, self._water_peak + 1.0)
        angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(10, 120)
        x, y = self._water_xy[k] + distance * np.array([np.cos(angle), np.sin(angle)])
        return f"{self._water_names[k]}附近", float(x), float(y)

    def _somewhere(self, rng: np.random.Generator) -> tuple[str, float, float]:
        style = rng.random()
        if style < 0.4 and len(self._named_crossings):
            return self._at_crossing(rng)
        if style < 0.8 and len(self._named_segments):
            return self._on_road(rng)
        return self._in_area(rng)

    def _at_crossing(self, rng: np.random.Generator) -> tuple[str, float, float]:
        net = self._net
        vertex = self._named_crossings[rng.integers(len(self._named_crossings))]
        a, b = net.names[net.road[vertex]], net.names[net.road[net.partner[vertex]]]
        (sx, sy), corner = list(CORNERS.items())[rng.integers(len(CORNERS))]
        x, y = net.xy[vertex] + rng.uniform(15, 60, 2) * (sx, sy)
        return f"{a}与{b}交叉口{corner}", float(x), float(y)

    def _on_road(self, rng: np.random.Generator) -> tuple[str, float, float]:
        """Mid-block, by house number: odd numbers on one side, even on the other."""
        net = self._net
        segment = int(self._named_segments[rng.integers(len(self._named_segments))])
        share, side = rng.random(), rng.choice([-1, 1])
        along = net.xy[segment + 1] - net.xy[segment]
        normal = np.array([along[1], -along[0]]) / net.length[segment]
        x, y = net.xy[segment] + share * along + side * rng.uniform(5, 20) * normal
        number = 2 * int((net.arc[segment] + share * net.length[segment]) / 20) + (1 if side > 0 else 2)
        frontage = FRONTAGES[rng.integers(len(FRONTAGES))]
        return f"{net.names[net.road[segment]]}{number}号{frontage}", float(x), float(y)

    def _in_area(self, rng: np.random.Generator) -> tuple[str, float, float]:
        lon, lat = random_point(self._city, rng)
        x, y = self._city.project(np.array(lon), np.array(lat))
        landmark = LANDMARKS[rng.integers(len(LANDMARKS))]
        return f"{area_name(self._city, lon, lat)}{landmark}", float(x), float(y)


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    return keys[_pick_index(rng, np.array([weights[k] for k in keys]))]


def _pick_index(rng: np.random.Generator, weights: np.ndarray) -> int:
    return int(np.searchsorted(np.cumsum(weights), rng.random() * weights.sum(), side="right"))


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
        lines = streets(city)
        net = _RoadNet(city, lines)
        self.sites = sensor_sites(city, lines)
        self.units = fleet(city)
        self._sensors = _Sensors(city, self.sites, scenario, _rng(seed, _SENSOR_STREAM))
        self._fleet = _Fleet(self.units, net, _rng(seed, _FLEET_STREAM))
        self._reporter = _Reporter(city, net, self._sensors, self.sites)
        self._report_rng = _rng(seed, _REPORT_STREAM)
        self._reports_made = BACKLOG_SIZE  # live report numbers follow the backlog's
        self._recent: deque[Report] = deque(maxlen=REPEAT_AMONG)  # live reports another call may repeat
        self._reading_due = 0.0  # fractional messages carried to the next slice
        self._fix_due = 0.0

    def declarations(self) -> list[SensorInfo | VehicleInfo]:
        units = self.city.sensor_classes
        sensors = [SensorInfo(s.id, s.kind, s.name, s.lon, s.lat, units[s.kind].unit) for s in self.sites]
        return [*sensors, *(VehicleInfo(u.id, u.kind, u.plate) for u in self.units)]

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
            number, ts = self._reports_made, self.start + t0 + offset
            recent = [r for r in self._recent if r.ts > ts - REPEAT_WITHIN_S]
            if recent and rng.random() < REPEAT_CALL:
                first = recent[rng.integers(len(recent))]
                reports.append(self._reporter.repeat(rng, first, number, self.run, ts))
            else:
                reports.append(self._reporter.report(rng, number, self.run, ts, rainy))
                self._recent.append(reports[-1])
        return reports


def _spread(t0: float, span: float, n: int) -> np.ndarray:
    """n times evenly spread over [t0, t0 + span)."""
    return t0 + span * (np.arange(n) + 0.5) / max(n, 1)
