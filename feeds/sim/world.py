"""The simulated world: a seeded play of a city's sensors, fleet and reporters.

:class:`CityPlay` does no I/O and reads no clock: the same city, scenario,
seed, rate and sequence of ``step`` calls give the same items.  It is built
from numpy arrays so that thousands of readings and fixes a second stay cheap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from feeds.city import City, Site
from feeds.city.model import SensorClass
from feeds.domain import VEHICLE_KINDS
from feeds.sim.placement import Unit, area_name, fleet, random_point, sensor_sites, streets
from feeds.sim.texts import (
    CATEGORIES,
    CORNERS,
    FLOOD_AT_POINT,
    FLOOD_CATEGORIES,
    FRONTAGES,
    GAS_SMELL_AFTER_S,
    GAS_SMELL_CALLS,
    GAS_SMELL_CATEGORY,
    GAS_SMELL_M,
    GAS_SMELL_WORDS,
    INSPECTORS,
    LANDMARKS,
    REPORTERS,
    REPORTS_PER_S,
    STREET_CATEGORIES,
    describe,
    source_weights,
)
from feeds.wire.messages import Fix, IngestItem, Reading, Report, SensorInfo, VehicleInfo

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

#: A vehicle that turns off its route drives on this long (the hub's off-route alarm needs half a minute).
OFF_ROUTE_MOVING_S = 600.0

# Independent random streams, so that e.g. the backlog does not shift the live play.
_SENSOR_STREAM, _FLEET_STREAM, _REPORT_STREAM, _BACKLOG_STREAM, _SCENE_STREAM = range(5)


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
    # Waterlogging points and tunnels report often: their rise is what the hall watches in a storm.
    "water_level": _Behaviour(0.3, 10, 0.0, (0.0, 0.0), (0.0, 0.0)),
    "tunnel_water": _Behaviour(0.3, 10, 0.0, (0.0, 0.0), (0.0, 0.0)),
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


Ranges = tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
Odds = tuple[float, float, float]  # of each of STATUSES


@dataclass(frozen=True)
class _Rise:
    """How the sites of a sensor class rise in a scenario: each site's reading climbs towards its
    peak from its onset, with its time constant; each drawn from its (low, high) in ``quick`` for
    ``fast`` sites (past the alarm limit within a minute or two), in ``slow`` for the rest."""

    fast: int
    quick: Ranges  # peak over normal, onset (s), time constant (s)
    slow: Ranges


def _rise_profile(rise: _Rise, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Peak, onset and time constant of each of n sites' rise."""
    fast = np.zeros(n, dtype=bool)
    fast[rng.choice(n, min(rise.fast, n), replace=False)] = True
    return tuple(
        np.where(fast, rng.uniform(*quick, n), rng.uniform(*slow, n))
        for quick, slow in zip(rise.quick, rise.slow, strict=True)
    )


@dataclass(frozen=True)
class Scenario:
    """What a scenario brings beyond an ordinary day; times are seconds into the play."""

    rises: Mapping[str, _Rise] = field(default_factory=dict)  # sensor class → how its sites rise
    excursions: Mapping[str, float] = field(default_factory=dict)  # sensor class → × its incidents
    status_odds: Mapping[str, Odds] = field(default_factory=dict)  # vehicle kind → its odds instead
    chattering_from: float | None = None  # one sensor's alarm comes and goes from then on
    silent_from: float | None = None  # one sensor says nothing more from then on
    off_route_from: float | None = None  # vehicles on a route turn off it at the next crossing
    gas_leak_at: float | None = None  # a gas main starts leaking under a gas sensor


#: What each scenario brings, by its name.
SCENES = {
    "normal": Scenario(),
    # Water rises at the waterlogging points, in the tunnels and manholes; storms pop manhole
    # covers and knock out signals, rain keeps dust down; a bridge's strain gauge chatters in the
    # gusts, a waterlogging gauge drowns, and a muck truck leaves its approved route.
    "rainstorm": Scenario(
        rises={
            "water_level": _Rise(5, ((35, 55), (0, 10), (10, 20)), ((4, 24), (0, 90), (60, 300))),
            "tunnel_water": _Rise(1, ((25, 40), (10, 30), (30, 60)), ((0, 4), (30, 120), (120, 300))),
            "manhole_water": _Rise(4, ((72, 80), (20, 60), (20, 60)), ((5, 45), (30, 180), (120, 600))),
        },
        excursions={"manhole_tilt": 3.0, "signal": 3.0, "dust": 0.2},
        chattering_from=20.0,
        silent_from=60.0,
        off_route_from=30.0,
    ),
    # Snow ploughs out at work; the heat stations push their supply up, one of them too far.
    "snow": Scenario(
        rises={
            "heating_temperature": _Rise(1, ((38, 45), (30, 90), (60, 120)), ((5, 20), (0, 120), (120, 600))),
            "heating_pressure": _Rise(
                1, ((0.65, 0.75), (30, 90), (60, 120)), ((0.05, 0.3), (0, 120), (120, 600))
            ),
        },
        excursions={"dust": 0.2},
        status_odds={"plough": (0.15, 0.8, 0.05)},
    ),
    # A gas main leaks: its sensor's %LEL climbs past the alarm limit, the nearest ones follow.
    "gas-leak": Scenario(gas_leak_at=15.0),
}  # fmt: skip
SCENARIOS = tuple(SCENES)

#: The sensors a scenario is about report as often as a waterlogging point, so their story shows
#: at any rate.
FEATURED_WEIGHT = 10
#: The chattering sensor swings over its alarm limit (by this share of the limit's distance from
#: normal) for its class's on-delay and a margin, then back to normal for its off-delay and the
#: margin, again and again: an alarm raised, cleared and raised until the hub calls it chattering.
SWING_OVER, SWING_MARGIN_S = 0.05, 6.0
CHATTERING_CLASSES = ("bridge_strain", "bridge_displacement")  # a bridge in the gusts, if there is one
#: The gas leak levels off at this many times the alarm limit's distance from normal, and passes
#: the limit this long after it starts; the nearest gas sensors rise a little later, about to
#: their warning limit: peak (× the warning's distance from normal), later by (s) and time
#: constant (s), each drawn from (low, high).
GAS_CLASS, LEAK_PEAK, LEAK_TO_ALARM_S = "gas", 1.75, 90.0
LEAK_NEIGHBOURS, NEIGHBOUR_RISE = 2, ((0.6, 1.3), (45.0, 90.0), (90.0, 180.0))


@dataclass(frozen=True)
class _Swing:
    """One sensor over its alarm limit for ``high_s`` of every ``period_s``, from ``from_s`` on."""

    sensor: int
    amplitude: float
    high_s: float
    period_s: float
    from_s: float

    @classmethod
    def of(cls, spec: SensorClass, sensor: int, from_s: float) -> _Swing:
        """The swing that raises and clears the alarm of a sensor of class ``spec``, from ``from_s``."""
        high_s = spec.on_delay_s + SWING_MARGIN_S
        period_s = high_s + spec.off_delay_s + SWING_MARGIN_S
        return cls(sensor, (spec.alarm - spec.normal) * (1 + SWING_OVER), high_s, period_s, from_s)

    def over(self, which: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
        """How far over its normal each reading of ``which`` at ``elapsed`` swings."""
        since = elapsed - self.from_s
        up = (which == self.sensor) & (since >= 0) & (since % self.period_s < self.high_s)
        over: np.ndarray = self.amplitude * up
        return over


class _Sensors:
    """Every sensor's state; readings round-robin over a shuffled, weighted schedule.

    ``scene_rng`` picks the sensors a scenario is about: one that chatters, one that falls
    silent, the gas sensors over a leak."""

    def __init__(
        self,
        city: City,
        sites: list[Site],
        scene: Scenario,
        rng: np.random.Generator,
        scene_rng: np.random.Generator,
    ) -> None:
        self._rng = rng
        self.ids = [site.id for site in sites]
        kinds = np.array([site.kind for site in sites], dtype=str)
        n = len(kinds)
        self._behaviour = {kind: _behaviour(city, kind) for kind in dict.fromkeys(kinds.tolist())}
        spec = city.sensor_classes
        self._normal = np.array([spec[k].normal for k in kinds])
        self._low = np.array([spec[k].low for k in kinds])
        self._high = np.array([spec[k].high for k in kinds])
        self._noise = np.array([self._behaviour[k].noise for k in kinds])
        self._members = {kind: np.nonzero(kinds == kind)[0] for kind in self._behaviour}
        self._excursion_until = np.full(n, -np.inf)
        self._excursion_value = np.zeros(n)
        self._excursions_per_s = {
            kind: b.excursions_per_hour * scene.excursions.get(kind, 1.0) / 3600.0
            for kind, b in self._behaviour.items()
        }
        # How each sensor's reading rises in the scenario; zero peak for the rest.
        self.peak, self._onset, self._tau = np.zeros(n), np.zeros(n), np.ones(n)
        for kind, rise in scene.rises.items():
            members = self._members.get(kind, np.zeros(0, np.int64))
            if len(members):
                self.peak[members], self._onset[members], self._tau[members] = _rise_profile(
                    rise, len(members), rng
                )
        self.swing: _Swing | None = None  # the sensor whose alarm chatters
        self.silent_from = np.full(n, np.inf)  # when each sensor falls silent
        self.leak: list[int] = []  # the gas sensor over a leak, then the nearest ones
        featured = self._stage(city, sites, scene, scene_rng)
        weights = np.array([self._behaviour[k].weight for k in kinds], np.int64)
        weights[featured] = FEATURED_WEIGHT
        self._schedule = rng.permutation(np.repeat(np.arange(n), weights))
        self._cursor = 0

    def _stage(self, city: City, sites: list[Site], scene: Scenario, rng: np.random.Generator) -> list[int]:
        """Cast the scenario's sensors; returns those it is about."""
        featured = []
        if scene.chattering_from is not None:
            sensor = self._one_of(
                city, rng, lambda c: (c.code not in CHATTERING_CLASSES, c.on_delay_s + c.off_delay_s)
            )
            if sensor is not None:
                self.swing = _Swing.of(
                    city.sensor_class(sites[sensor].id, sites[sensor].kind), sensor, scene.chattering_from
                )
                featured.append(sensor)
        if scene.silent_from is not None:
            sensor = self._one_of(city, rng, lambda c: c.offline_s, besides=featured)
            if sensor is not None:
                self.silent_from[sensor] = scene.silent_from
        if scene.gas_leak_at is not None and GAS_CLASS in self._members:
            self._start_leak(city, sites, scene.gas_leak_at, rng)
            featured += self.leak
        return featured

    def _one_of(
        self,
        city: City,
        rng: np.random.Generator,
        rank: Callable[[SensorClass], Any],
        besides: Sequence[int] = (),
    ) -> int | None:
        """A random sensor, not one of ``besides``, of the class that ranks first by ``rank`` (of
        equals, the first listed)."""
        present = [spec for code, spec in city.sensor_classes.items() if code in self._members]
        for spec in sorted(present, key=rank):
            candidates = np.setdiff1d(self._members[spec.code], besides)
            if len(candidates):
                return int(rng.choice(candidates))
        return None

    def _start_leak(self, city: City, sites: list[Site], at: float, rng: np.random.Generator) -> None:
        gas = self._members[GAS_CLASS]
        here = int(rng.integers(len(gas)))
        x, y = city.project(np.array([sites[k].lon for k in gas]), np.array([sites[k].lat for k in gas]))
        nearest = [k for k in np.argsort(np.hypot(x - x[here], y - y[here])).tolist() if k != here]
        leak, neighbours = int(gas[here]), gas[nearest[:LEAK_NEIGHBOURS]]
        self.leak = [leak, *neighbours.tolist()]
        spec = city.sensor_class(sites[leak].id, GAS_CLASS)
        over = spec.alarm - spec.normal
        self.peak[leak], self._onset[leak] = LEAK_PEAK * over, at
        self._tau[leak] = LEAK_TO_ALARM_S / -np.log1p(-1 / LEAK_PEAK)
        peak, later, tau = (rng.uniform(*bounds, len(neighbours)) for bounds in NEIGHBOUR_RISE)
        self.peak[neighbours] = peak * (spec.warning - spec.normal)
        self._onset[neighbours], self._tau[neighbours] = at + later, tau

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
        speaking = elapsed < self.silent_from[which]
        which, elapsed = which[speaking], elapsed[speaking]
        n = len(which)
        in_excursion = self._excursion_until[which] > elapsed
        level = np.where(in_excursion, self._excursion_value[which], self._normal[which])
        if self.swing is not None:
            level += self.swing.over(which, elapsed)
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

    def along(self, city: City, line: BaseGeometry, within_m: float) -> np.ndarray:
        """Which street segments run along ``line`` (lon/lat): both ends within ``within_m`` of it."""
        local = shapely.transform(
            line, lambda lonlat: np.column_stack(city.project(lonlat[:, 0], lonlat[:, 1]))
        )
        near = shapely.distance(local, shapely.points(self.xy)) <= within_m
        on_it = np.zeros(len(self.xy), dtype=bool)
        on_it[self.segments] = near[self.segments] & near[self.segments + 1]
        return on_it

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
    "plough": (0.05, 0.05, 0.9),  # parked, unless a scenario sends them out
}
#: How long a status lasts, seconds (low, high).
STATUS_DWELL_S = ((120.0, 600.0), (300.0, 1200.0), (120.0, 900.0))
#: Each driver's cruising speed as a share of the kind's typical speed (low, high).
CRUISE_SPREAD = (0.8, 1.15)
#: Speed while working: sweepers crawl along the kerb, ploughs push and grit, the rest stand at the job.
WORKING_KMH = {"sanitation": 8.0, "plough": 12.0}
#: At a crossing, share of vehicles that carry straight on rather than turn.
STRAIGHT_ON = 0.6


class _Fleet:
    """Vehicles driving the road network: segment, offset and direction per unit.

    A vehicle given a route (``routes``: its index → the segments the route runs along) keeps
    to it, turning back at its ends, until told to turn off it; then it keeps off it."""

    def __init__(
        self,
        units: list[Unit],
        net: _RoadNet,
        rng: np.random.Generator,
        odds: Mapping[str, Odds],
        routes: dict[int, np.ndarray],
    ) -> None:
        self._net, self._rng = net, rng
        self.ids = [unit.id for unit in units]
        kinds = [unit.kind for unit in units]
        n = len(kinds)
        self._odds = np.cumsum([odds.get(k, STATUS_ODDS[k]) for k in kinds], axis=1)
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
        self._routes = routes
        self._keeps_route = np.ones(n, dtype=bool)
        for k in routes:
            self._onto_route(k)

    def _onto_route(self, k: int) -> None:
        """Move vehicle k to the segment of its route nearest to where it is."""
        net, on_route = self._net, np.nonzero(self._routes[k])[0]
        middle = (net.xy[on_route] + net.xy[on_route + 1]) / 2
        nearest = on_route[np.argmin(np.linalg.norm(middle - self.positions()[k], axis=1))]
        self._segment[k], self._offset[k] = nearest, min(self._offset[k], net.length[nearest])

    def turn_off_routes(self, t: float, moving_s: float) -> None:
        """Every vehicle on a route drives on and turns off it at the next crossing, and keeps off."""
        for k in self._routes:
            self._keeps_route[k] = False
            self._status[k], self._until[k] = STATUSES.index("moving"), t + moving_s

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
            vertex, direction = self._next_way(k, vertex, direction)
            self._direction[k] = direction
            self._segment[k] = vertex if direction > 0 else vertex - 1
            self._offset[k] = beyond if direction > 0 else net.length[vertex - 1] - beyond

    def _next_way(self, k: int, vertex: int, direction: int) -> tuple[int, int]:
        """Where vehicle k goes on from a vertex: straight on, turn at a crossing or U-turn at a
        dead end (or at the end of its route)."""
        net = self._net
        ahead = [(vertex, direction)] if not (net.last if direction > 0 else net.first)[vertex] else []
        other = net.partner[vertex]
        turns = [(other, d) for d, end in ((1, net.last), (-1, net.first)) if other >= 0 and not end[other]]
        route = self._routes.get(k)
        if route is not None:  # on its route: only ways along it; off it: other ways where there are any
            keep = self._keeps_route[k]
            kept = [
                [(v, d) for v, d in ways if route[v if d > 0 else v - 1] == keep] for ways in (ahead, turns)
            ]
            if keep or any(kept):
                ahead, turns = kept
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
            scenario: {c: w for c, w in table.items() if c in known} or dict.fromkeys(known, 1.0)
            for scenario, table in CATEGORIES.items()
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

    def report(self, rng: np.random.Generator, number: int, run: str, ts: float, scenario: str) -> Report:
        category = _pick(rng, self._weights[scenario])
        flooded = category in FLOOD_CATEGORIES and bool(self._water_peak.any())  # the points are flooding
        place, x, y = (
            self._at_water(rng)
            if flooded and rng.random() < FLOOD_AT_POINT
            else self._somewhere(rng, on_street=category in STREET_CATEGORIES)
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
        lon, lat = self._near(rng, first.lon, first.lat, REPEAT_M)
        source = ("hotline", "app")[rng.integers(2)]
        return msgspec.structs.replace(
            first,
            id=f"R-{run}-{number:06d}",
            lon=lon,
            lat=lat,
            source=source,
            ts=round(ts, 3),
            description=f"又有市民反映：{first.description}",
            reporter=REPORTERS[source],
        )

    def gas_smells(self, rng: np.random.Generator, site: Site, at: float) -> list[tuple[float, Report]]:
        """Citizens calling about the smell of a gas leak under ``site`` that starts at ``at``: when
        (s into the play), and what (a report to be given its id and time then)."""
        if GAS_SMELL_CATEGORY not in self._city.categories:
            return []
        calls = []
        for after in np.sort(rng.uniform(*GAS_SMELL_AFTER_S, GAS_SMELL_CALLS)).tolist():
            lon, lat = self._near(rng, site.lon, site.lat, GAS_SMELL_M)
            if self._city.locate(lon, lat) is None:  # over the city's edge: at the site itself
                lon, lat = site.lon, site.lat
            source = ("hotline", "app")[rng.integers(2)]
            words = GAS_SMELL_WORDS[rng.integers(len(GAS_SMELL_WORDS))]
            report = Report(
                id="",
                category=GAS_SMELL_CATEGORY,
                lon=lon,
                lat=lat,
                source=source,
                ts=0.0,
                description=site.name.removesuffix("监测点") + words,
                reporter=REPORTERS[source],
            )
            calls.append((at + after, report))
        return calls

    def _near(
        self, rng: np.random.Generator, lon: float, lat: float, metres: tuple[float, float]
    ) -> tuple[float, float]:
        """A point ``metres`` (low, high) off a point, any way, rounded as reported."""
        angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(*metres)
        x, y = self._city.project(np.array([lon]), np.array([lat]))
        near = self._city.unproject(x + distance * np.cos(angle), y + distance * np.sin(angle))
        return round(float(near[0][0]), 6), round(float(near[1][0]), 6)

    def _at_water(self, rng: np.random.Generator) -> tuple[str, float, float]:
        """Near a waterlogging point, the deeper it floods the likelier."""
        k = _pick_index(rng, self._water_peak + 1.0)
        angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(10, 120)
        x, y = self._water_xy[k] + distance * np.array([np.cos(angle), np.sin(angle)])
        return f"{self._water_names[k]}附近", float(x), float(y)

    def _somewhere(self, rng: np.random.Generator, on_street: bool) -> tuple[str, float, float]:
        """At a crossing, by house number, or (not ``on_street``) by a landmark of an area."""
        style = rng.random() * (0.8 if on_street else 1.0)
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
        if scenario not in SCENES:
            raise ValueError(f"unknown scenario {scenario!r}; expected one of {SCENARIOS}")
        if rate < 0:
            raise ValueError("rate must not be negative")
        self.city, self.scenario, self.seed, self.rate, self.start = city, scenario, seed, rate, start
        self.scene = scene = SCENES[scenario]
        # Report ids name the run, so a rerun with the same seed is new work, not a retry.
        self.run = f"{seed}-{int(start)}"
        self.elapsed = 0.0
        lines = streets(city)
        net = _RoadNet(city, lines)
        self.sites = sensor_sites(city, lines)
        self.units = fleet(city)
        scene_rng = _rng(seed, _SCENE_STREAM)
        self._sensors = _Sensors(city, self.sites, scene, _rng(seed, _SENSOR_STREAM), scene_rng)
        routes = _routes(city, net, self.units)
        self._fleet = _Fleet(self.units, net, _rng(seed, _FLEET_STREAM), scene.status_odds, routes)
        self._reporter = _Reporter(city, net, self._sensors, self.sites)
        self._calls = (  # reports the scenario brings at set times: (when, report without id)
            self._reporter.gas_smells(scene_rng, self.sites[self._sensors.leak[0]], scene.gas_leak_at)
            if self._sensors.leak and scene.gas_leak_at is not None
            else []
        )
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
            self._reporter.report(rng, n, self.run, self.start - age, "normal")
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
        if _starts_in(self.scene.off_route_from, t0, span):
            self._fleet.turn_off_routes(t0, OFF_ROUTE_MOVING_S)
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
        """The scenario's reports at its pace, and its set calls that come now."""
        rng = self._report_rng
        count = rng.poisson(REPORTS_PER_S[self.scenario] * span)
        calls: list[tuple[float, Report | None]] = [(at, None) for at in rng.uniform(0, span, count).tolist()]
        calls += [(at - t0, call) for at, call in self._calls if _starts_in(at, t0, span)]
        reports = []
        for offset, call in sorted(calls, key=lambda c: c[0]):
            self._reports_made += 1
            number, ts = self._reports_made, self.start + t0 + offset
            if call is None:
                reports.append(self._report(rng, number, ts))
            else:
                reports.append(
                    msgspec.structs.replace(call, id=f"R-{self.run}-{number:06d}", ts=round(ts, 3))
                )
        return reports

    def _report(self, rng: np.random.Generator, number: int, ts: float) -> Report:
        """A new report, or now and then another citizen's call about a recent one."""
        recent = [r for r in self._recent if r.ts > ts - REPEAT_WITHIN_S]
        if recent and rng.random() < REPEAT_CALL:
            return self._reporter.repeat(rng, recent[rng.integers(len(recent))], number, self.run, ts)
        report = self._reporter.report(rng, number, self.run, ts, self.scenario)
        self._recent.append(report)
        return report


def _starts_in(at: float | None, t0: float, span: float) -> bool:
    return at is not None and t0 <= at < t0 + span


def _routes(city: City, net: _RoadNet, units: list[Unit]) -> dict[int, np.ndarray]:
    """The vehicles given a route (a route fence that applies to them): each one's index → the
    segments its route runs along (both ends within half the route's width of its line)."""
    routes: dict[int, np.ndarray] = {}
    for fence in city.fences:
        on_route = net.along(city, fence.shape, fence.width_m / 2) if fence.rule == "route" else None
        if on_route is not None and on_route.any():
            routes.update(
                (k, on_route) for k, unit in enumerate(units) if fence.applies_to(unit.id, unit.kind)
            )
    return routes


def _spread(t0: float, span: float, n: int) -> np.ndarray:
    """n times evenly spread over [t0, t0 + span)."""
    return t0 + span * (np.arange(n) + 0.5) / max(n, 1)
