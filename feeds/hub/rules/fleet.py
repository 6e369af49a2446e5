"""Fleet supervision: what each GPS fix says about its vehicle against the city's fleet rules
and fences, handed to the alarm engine as conditions — so a muck truck off its route is an alarm
like a flooded underpass: delayed, acknowledged, shelved, sent to the lead the same way.

A vehicle's alarm points (one per vehicle and condition, ``kind`` naming the fence or the rule):

- ``no_entry`` inside a fence it may not enter (value: metres inside the border);
- ``no_driving`` moving inside a fence in its forbidden hours (value: km/h);
- ``keep_in`` outside the area it must keep to (value: metres outside);
- ``route`` further than the route's width from its line (value: metres off the line);
- ``speed`` faster than its kind's limit (value: km/h);
- ``stopped`` standing outside a yard longer than its kind allows (value: seconds standing);
- ``silent`` no fix for longer than its kind allows (value: seconds silent), checked on the clock;
  not for a device that signed off (its last fix said ``offline``) or one left in a yard.

Geometry is done once per frame for all its fixes (shapely, vectorised, in the city's local
metres); the engine then sees the fixes one by one, in order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from feeds.city import City
from feeds.city.clock import zone
from feeds.city.fleet import MOVING_KMH, STANDING_KMH, Fence, KindRules, PointRule, in_hours
from feeds.hub.rules.alarms import AlarmEngine, Level
from feeds.records import Vehicle
from feeds.wire.messages import Fix

FENCE_CONDITIONS = ("no_entry", "no_driving", "keep_in", "route")


@dataclass(frozen=True)
class _Seen:
    """One fix, as the fleet rules measured it."""

    vehicle_id: str
    kind: str
    fix: Fix
    minute: float  # local time of day, minutes after midnight
    inside: dict[str, float]  # fence id → metres inside (negative: outside) or off the route line


class FleetWatch:
    """The fleet rules of one city, feeding one alarm engine."""

    def __init__(self, city: City, engine: AlarmEngine) -> None:
        self.city, self.engine = city, engine
        self._zone = zone(city.calendar.timezone)
        self._standing_since: dict[str, float] = {}  # vehicle id → when it stopped moving
        self._in_yard: set[str] = set()  # vehicles whose last fix lay in a yard
        self._applying: dict[tuple[str, str], list[Fence]] = {}  # (vehicle id, kind) → its fences
        self._fences = {f.id: f for f in city.fences}

    @cached_property
    def _local_shapes(self) -> dict[str, BaseGeometry]:
        """Each fence in the city's local metres, prepared for many points."""
        shapes = {}
        for fence in self.city.fences:
            local = shapely.transform(fence.shape, lambda lonlat: np.column_stack(self._project(lonlat)))
            shapely.prepare(local)
            shapes[fence.id] = local
        return shapes

    def _project(self, lonlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.city.project(lonlat[:, 0], lonlat[:, 1])

    @cached_property
    def _kind_rules(self) -> dict[str, dict[str, PointRule]]:
        """Vehicle kind → condition → the rule of its speed, standing and silence points."""
        return {kind: _kind_points(rules) for kind, rules in self.city.fleet.items()}

    def fences_for(self, vehicle_id: str, kind: str) -> list[Fence]:
        found = self._applying.get((vehicle_id, kind))
        if found is None:
            found = self._applying[(vehicle_id, kind)] = [
                f for f in self.city.fences if f.applies_to(vehicle_id, kind)
            ]
        return found

    # -- fixes -------------------------------------------------------------------------

    def fixes(self, fixes: list[tuple[Vehicle, Fix]]) -> None:
        """Fixes accepted in time order (each with its vehicle as declared): their conditions."""
        if fixes:
            for seen in self._measure(fixes):
                self._conditions(seen)

    def _measure(self, fixes: list[tuple[Vehicle, Fix]]) -> list[_Seen]:
        x, y = self.city.project(np.array([f.lon for _, f in fixes]), np.array([f.lat for _, f in fixes]))
        inside: list[dict[str, float]] = [{} for _ in fixes]
        wanted: dict[str, list[int]] = defaultdict(list)  # fence id → the fixes it applies to
        for n, (vehicle, _) in enumerate(fixes):
            for fence in self.fences_for(vehicle.id, vehicle.kind):
                wanted[fence.id].append(n)
        for fence_id, members in wanted.items():
            shape, which, route = (
                self._local_shapes[fence_id],
                np.array(members),
                self._fences[fence_id].rule == "route",
            )
            metres = shapely.distance(shape if route else shape.boundary, shapely.points(x[which], y[which]))
            if not route:
                metres = np.where(shapely.contains_xy(shape, x[which], y[which]), metres, -metres)
            for n, value in zip(members, metres.tolist(), strict=True):
                inside[n][fence_id] = value
        offset = self._zone.utcoffset(datetime.fromtimestamp(fixes[0][1].ts, self._zone))
        assert offset is not None
        minutes = ((np.array([f.ts for _, f in fixes]) + offset.total_seconds()) % 86_400) / 60
        return [
            _Seen(vehicle.id, vehicle.kind, fix, minute, where)
            for (vehicle, fix), minute, where in zip(fixes, minutes.tolist(), inside, strict=True)
        ]

    def _conditions(self, seen: _Seen) -> None:
        fix, vid = seen.fix, seen.vehicle_id
        rules = self._kind_rules.get(seen.kind, {})
        if "silent" in rules:
            self.engine.evaluate(rules["silent"], vid, "silent", None, 0.0, fix.ts)  # it speaks again
        if "speed" in rules:
            limit = self.city.fleet[seen.kind].speed_kmh
            level = (rules["speed"].priority, limit) if fix.speed > limit else None
            self.engine.evaluate(rules["speed"], vid, "speed", level, fix.speed, fix.ts)
        by_rule: dict[str, list[Fence]] = defaultdict(list)  # the fences it is measured against
        for fence_id in seen.inside:
            by_rule[self._fences[fence_id].rule].append(self._fences[fence_id])
        in_yard = any(seen.inside[fence.id] >= 0 for fence in by_rule.get("yard", ()))
        (self._in_yard.add if in_yard else self._in_yard.discard)(vid)
        standing = self._standing(vid, fix, in_yard)
        if "stopped" in rules:
            limit = self.city.fleet[seen.kind].stop_s
            level = (rules["stopped"].priority, limit) if standing >= limit else None
            self.engine.evaluate(rules["stopped"], vid, "stopped", level, standing, fix.ts)
        for condition in FENCE_CONDITIONS:
            if condition in by_rule:
                self._fence_condition(seen, condition, by_rule[condition])

    def _standing(self, vehicle_id: str, fix: Fix, in_yard: bool) -> float:
        """Seconds the vehicle has stood outside a yard (0 while it moves or stands in one)."""
        if fix.speed >= STANDING_KMH or in_yard:
            self._standing_since.pop(vehicle_id, None)
            return 0.0
        return fix.ts - self._standing_since.setdefault(vehicle_id, fix.ts)

    def _fence_condition(self, seen: _Seen, condition: str, fences: list[Fence]) -> None:
        """One point per vehicle and rule: the worst of the rule's fences it breaks now, if any."""
        broken: list[tuple[float, Fence]] = []
        for fence in fences:
            if not in_hours(fence.hours, seen.minute):
                continue
            metres = seen.inside[fence.id]
            if condition == "no_entry" and metres >= 0:
                broken.append((metres, fence))
            elif condition == "no_driving" and metres >= 0 and seen.fix.speed > MOVING_KMH:
                broken.append((seen.fix.speed, fence))
            elif condition == "keep_in" and metres < 0:
                broken.append((-metres, fence))
            elif condition == "route" and metres > fence.width_m:
                broken.append((metres, fence))
        standing = self.engine.alarm_of(seen.vehicle_id, condition)
        held = next((f for f in fences if standing and f.id == standing.kind), fences[0])  # its off-delay
        value, fence = max(broken, key=lambda b: (-b[1].priority, b[0])) if broken else (0.0, held)
        level: Level | None = (fence.priority, _limit(fence)) if broken else None
        self.engine.evaluate(fence.point_rule, seen.vehicle_id, condition, level, value, seen.fix.ts)

    def fence(self, fence_id: str) -> Fence | None:
        return self._fences.get(fence_id)

    # -- the clock -----------------------------------------------------------------------

    def silence(self, vehicles: list[Vehicle], now: float) -> None:
        """Devices silent longer than their kind allows raise their ``silent`` alarm (not those
        that signed off, nor those left in a yard: a truck parked for the night)."""
        for vehicle in vehicles:
            rule = self._kind_rules.get(vehicle.kind, {}).get("silent")
            if (
                rule is None
                or vehicle.ts is None
                or vehicle.status == "offline"
                or vehicle.id in self._in_yard
            ):
                continue
            silent, limit = now - vehicle.ts, self.city.fleet[vehicle.kind].silent_s
            standing = self.engine.alarm_of(vehicle.id, "silent")
            if silent >= limit and (standing is None or standing.state != "active"):  # raised once
                self.engine.evaluate(rule, vehicle.id, "silent", (rule.priority, limit), silent, now)


def _limit(fence: Fence) -> float:
    """The threshold an alarm of the fence shows: a route's width, the speed that is moving."""
    return fence.width_m if fence.rule == "route" else MOVING_KMH if fence.rule == "no_driving" else 0.0


def _kind_points(rules: KindRules) -> dict[str, PointRule]:
    points = {}
    if rules.speed_kmh:
        points["speed"] = PointRule(rules.kind, rules.speed_priority, rules.speed_on_delay_s, off_delay_s=5.0)
    if rules.stop_s:
        points["stopped"] = PointRule(rules.kind, rules.stop_priority)
    if rules.silent_s:
        points["silent"] = PointRule(rules.kind, rules.silent_priority)
    return points
