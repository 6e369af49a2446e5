"""The console's live mirror of hub state: plain Python and numpy, no Qt.

The feed client hands every snapshot and delta to :meth:`HallState.apply`,
which updates the mirror and marks what changed.  The UI's frame clock calls
:meth:`HallState.take_changes` once per frame and redraws only that, so the
cost of a frame does not depend on how many messages arrived in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from feeds.city import City
from feeds.city.clock import Clocks
from feeds.city.model import DEFAULT_CALENDAR, Calendar
from feeds.city.workflow import Person
from feeds.domain import VEHICLE_KINDS, VEHICLE_STATUSES
from feeds.wire import Alarm, Case, Delta, Position, Sensor, Snapshot, Vehicle, Welcome

SENSOR_STATES = ("normal", "warning", "alarm", "offline", "unknown")  # unknown: silent a while
VEHICLE_KIND_CODES = tuple(VEHICLE_KINDS)
VEHICLE_STATUS_CODES = tuple(VEHICLE_STATUSES)


class PointTable:
    """Entities with a position, kept as parallel numpy columns for drawing.

    Rows never move once given, so an index stays valid for the table's life;
    a snapshot rebuilds it.
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.lon = np.full(0, np.nan)
        self.lat = np.full(0, np.nan)
        self.code = np.zeros(0, np.int8)  # kind for vehicles
        self.state = np.zeros(0, np.int8)  # state / status code

    def __len__(self) -> int:
        return len(self.ids)

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def rows_for(self, ids: list[str]) -> np.ndarray:
        """Row numbers of ``ids``, adding rows for ids not seen before."""
        rows = np.empty(len(ids), np.int64)
        for n, entity_id in enumerate(ids):
            row = self.index.get(entity_id)
            if row is None:
                row = self.index[entity_id] = len(self.ids)
                self.ids.append(entity_id)
            rows[n] = row
        self._grow(len(self.ids))
        return rows

    def _grow(self, size: int) -> None:
        if size <= len(self.lon):
            return
        capacity = max(size, 2 * len(self.lon), 64)
        extra = capacity - len(self.lon)
        self.lon = np.concatenate([self.lon, np.full(extra, np.nan)])
        self.lat = np.concatenate([self.lat, np.full(extra, np.nan)])
        self.code = np.concatenate([self.code, np.zeros(extra, np.int8)])
        self.state = np.concatenate([self.state, np.zeros(extra, np.int8)])


@dataclass(frozen=True)
class HallSummary:
    """The counts a dispatcher scans first (console.columns.hall_summary makes them)."""

    to_dispatch: int = 0
    overdue: int = 0
    escalated: int = 0
    raised: int = 0  # urged, and left alone: on the shift lead's seat
    alarms_active: int = 0
    alarms_critical: int = 0
    vehicles_online: int = 0
    vehicles: int = 0


def signed_in(welcome: Welcome) -> Person:
    """Who sits at this seat, as the hub's welcome says."""
    return Person(welcome.user, welcome.name, frozenset(welcome.roles), welcome.department, welcome.scope)


@dataclass
class Changes:
    """What changed since the last frame."""

    cases: set[str] = field(default_factory=set)
    alarms: set[str] = field(default_factory=set)
    sensors: bool = False
    vehicles: set[str] = field(default_factory=set)
    reset: set[str] = field(default_factory=set)  # topics replaced by a snapshot
    city: bool = False  # the city arrived or changed: names, places and the map

    def __bool__(self) -> bool:
        return bool(self.cases or self.alarms or self.sensors or self.vehicles or self.reset or self.city)


#: A vehicle whose last GPS fix is older than this is shown as stale (fixes come every 10-30 s).
STALE_FIX_S = 90.0
#: A crew is free to send when it is driving or standing (not at work, not offline) with a fresh fix.
FREE_STATUSES = ("moving", "idle")


class HallState:
    """The city the hub serves, and its cases, alarms, sensors and vehicles as the hub last told them."""

    #: Until the city arrives, a case's light turns yellow when this share of its limit is left.
    DEFAULT_YELLOW_SHARE = 0.2

    def __init__(self, city: City | None = None) -> None:
        self.city = city
        self._clocks: tuple[Calendar, Clocks] | None = None
        self.cases: dict[str, Case] = {}
        self.alarms: dict[str, Alarm] = {}
        self.sensors: dict[str, Sensor] = {}
        self.vehicles: dict[str, Vehicle] = {}
        self.sensor_points = PointTable()
        self.vehicle_points = PointTable()
        self.positions: dict[str, Position] = {}
        self.updates = 0  # entity updates applied, for the ingest benchmark
        self._changes = Changes()
        self._parts: dict[str, list[Snapshot]] = {}  # a snapshot's parts until its last one

    def subject(self, alarm: Alarm) -> Sensor | Vehicle | None:
        """What an alarm watches, as the seat knows it: its sensor, or its vehicle."""
        return self.vehicles.get(alarm.vehicle_id) if alarm.vehicle_id else self.sensors.get(alarm.sensor_id)

    def apply(self, message: Snapshot | Delta) -> bool:
        """Apply a snapshot or delta; False means a gap: ask for a resync.

        A snapshot in parts is applied whole when its last part arrives, so views
        load a topic of 100,000 records once, not once per part."""
        topic = message.topic
        if isinstance(message, Delta):
            seen = self.positions.get(topic)
            if seen is None or seen.stream != message.stream or message.from_seq != seen.seq + 1:
                return False
            self._apply(message)
            return True
        if message.part == 0:
            parts = [message]
        else:
            parts = self._parts.pop(topic, [])
            if not parts or parts[-1].part != message.part - 1 or parts[-1].stream != message.stream:
                return False  # a part went missing: ask for the topic again
            parts.append(message)
        if not message.final:
            self._parts[topic] = parts
            return True
        self._parts.pop(topic, None)
        self._reset(topic)
        for part in parts:
            self._apply(part)
        return True

    def _apply(self, message: Snapshot | Delta) -> None:
        topic = message.topic
        self.positions[topic] = Position(message.stream, message.seq)
        self.updates += len(message.items)
        if topic == "cases":
            self._apply_cases(message.items)  # type: ignore[arg-type]
        elif topic == "alarms":
            self._apply_alarms(message.items)  # type: ignore[arg-type]
        elif topic == "sensors":
            self._apply_sensors(message.items)  # type: ignore[arg-type]
        else:
            self._apply_vehicles(message.items)  # type: ignore[arg-type]

    def set_city(self, city: City) -> None:
        """The hub's city arrived (from the cache or the hub); everything named or placed redraws."""
        self.city = city
        self._changes.city = True

    @property
    def clocks(self) -> Clocks:
        """The time-limit clocks of the city's calendar (the default calendar until it arrives)."""
        calendar = self.city.calendar if self.city else DEFAULT_CALENDAR
        if self._clocks is None or self._clocks[0] is not calendar:
            self._clocks = (calendar, Clocks(calendar))
        return self._clocks[1]

    @property
    def yellow_share(self) -> float:
        return self.city.yellow_share if self.city else self.DEFAULT_YELLOW_SHARE

    def nearest_vehicles(self, kind: str, lon: float, lat: float, count: int) -> list[tuple[Vehicle, float]]:
        """Vehicles (or inspectors: kind "inspector") of ``kind`` on duty, nearest first, with metres."""
        on_duty = [v for v in self.vehicles.values() if v.kind == kind and v.status != "offline"]
        return self._nearest(on_duty, lon, lat, count)

    def nearest_crews(self, case: Case, count: int, now: float) -> list[tuple[Vehicle, float]]:
        """The crews free to send to ``case`` — of the kinds the city sends to its category,
        driving or standing with a fresh fix — nearest first, with metres (as the crow flies)."""
        if self.city is None:
            return []
        kinds = {kind for kind, rules in self.city.fleet.items() if rules.suits(case.category)}
        free = [
            v
            for v in self.vehicles.values()
            if v.kind in kinds
            and v.status in FREE_STATUSES
            and v.ts is not None
            and now - v.ts <= STALE_FIX_S
        ]
        return self._nearest(free, case.lon, case.lat, count)

    def _nearest(
        self, vehicles: list[Vehicle], lon: float, lat: float, count: int
    ) -> list[tuple[Vehicle, float]]:
        found = [v for v in vehicles if v.lon is not None and v.lat is not None]
        if not found or self.city is None:
            return []
        x, y = self.city.project(np.array([v.lon for v in found]), np.array([v.lat for v in found]))
        cx, cy = self.city.project(np.array([lon]), np.array([lat]))
        metres = np.hypot(x - cx[0], y - cy[0])
        return [(found[i], float(metres[i])) for i in np.argsort(metres, kind="stable")[:count].tolist()]

    def outside(self) -> int:
        """Sensors and vehicles placed outside the city: drawn, but off the usual view (0 until
        the city is known)."""
        if self.city is None:
            return 0
        located = [*self.sensors.values(), *(v for v in self.vehicles.values() if v.lon is not None)]
        return sum(not item.district for item in located)

    def take_changes(self) -> Changes:
        changes, self._changes = self._changes, Changes()
        return changes

    def _reset(self, topic: str) -> None:
        self._changes.reset.add(topic)
        if topic == "cases":
            self.cases.clear()
        elif topic == "alarms":
            self.alarms.clear()
        elif topic == "sensors":
            self.sensors.clear()
            self.sensor_points.clear()
        else:
            self.vehicles.clear()
            self.vehicle_points.clear()

    def _apply_cases(self, items: list[Case]) -> None:
        for case in items:
            self.cases[case.id] = case
            self._changes.cases.add(case.id)

    def _apply_alarms(self, items: list[Alarm]) -> None:
        for alarm in items:
            self.alarms[alarm.id] = alarm
            self._changes.alarms.add(alarm.id)

    def _apply_sensors(self, items: list[Sensor]) -> None:
        table = self.sensor_points
        rows = table.rows_for([s.id for s in items])
        table.lon[rows] = [s.lon for s in items]
        table.lat[rows] = [s.lat for s in items]
        table.state[rows] = [SENSOR_STATES.index(s.state) for s in items]
        for sensor in items:
            self.sensors[sensor.id] = sensor
        self._changes.sensors = True

    def _apply_vehicles(self, items: list[Vehicle]) -> None:
        table = self.vehicle_points
        rows = table.rows_for([v.id for v in items])
        table.lon[rows] = [np.nan if v.lon is None else v.lon for v in items]
        table.lat[rows] = [np.nan if v.lat is None else v.lat for v in items]
        table.code[rows] = [_code(VEHICLE_KIND_CODES, v.kind) for v in items]
        table.state[rows] = [_code(VEHICLE_STATUS_CODES, v.status) for v in items]
        vehicles = self.vehicles
        for vehicle in items:
            vehicles[vehicle.id] = vehicle
        self._changes.vehicles.update(v.id for v in items)


def _code(codes: tuple[str, ...], value: str) -> int:
    """Index of ``value`` in ``codes``; unknown values share the last slot."""
    try:
        return codes.index(value)
    except ValueError:
        return len(codes) - 1
