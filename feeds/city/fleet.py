"""What a city asks of its vehicles: per kind (``fleet.json``) a speed limit, how long one may
stand, how long a device may be silent; and geofences (``fences.geojson``) — zones a kind may not
enter or drive in, areas it must keep to, routes it must follow — each in force in its hours.

Hours are local times of day ``"HH:MM"``; a window that runs past midnight ends on the next day,
written ``"06:00+1"`` — so a window whose end comes before its start is a mistake, not a night.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

from shapely.geometry.base import BaseGeometry

#: What a fence asks: no_entry (not inside in its hours), no_driving (not moving inside: 渣土车
#: in the morning and evening peaks), keep_in (not outside: a sweeper's beat), route (within
#: ``width_m`` of the line: a muck truck's approved route), yard (where standing is fine).
FENCE_RULES = ("no_entry", "no_driving", "keep_in", "route", "yard")
#: Below this a vehicle is standing (GPS jitters a few km/h around a parked truck).
STANDING_KMH = 3.0
#: Moving inside a no_driving zone means faster than this.
MOVING_KMH = 5.0
DAY_MINUTES = 24 * 60
#: The unit of the value of each vehicle alarm condition (feeds.hub.rules.fleet).
CONDITION_UNITS = {"no_entry": "m", "keep_in": "m", "route": "m", "no_driving": "km/h", "speed": "km/h"} | {
    "stopped": "s",
    "silent": "s",
}
MAX_SHELVE_S = 8 * 3600.0  # the longest an operator may shelve a vehicle's alarm
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(\+1)?$")

Hours = tuple[tuple[int, int], ...]  # windows as (start, end) minutes after midnight; end ≤ 2880


def parse_window(start: str, end: str) -> tuple[int, int]:
    """A window of local time as minutes after midnight; ValueError says what is wrong."""
    first, last = _minute(start, "start"), _minute(end, "end")
    if first >= DAY_MINUTES:
        raise ValueError(f"a window starts on its own day: {start!r} cannot end in +1")
    if last <= first:
        raise ValueError(
            f"the window {start}–{end} ends before it starts; "
            f"one that runs past midnight ends on the next day, e.g. {start}–{end}+1"
        )
    if last - first > DAY_MINUTES:
        raise ValueError(f"the window {start}–{end} is longer than a day")
    return first, last


def _minute(clock: str, what: str) -> int:
    found = _CLOCK.match(clock) if isinstance(clock, str) else None
    if found is None:
        raise ValueError(f"the {what} {clock!r} is not a time of day HH:MM (or HH:MM+1 on the next day)")
    hours, minutes, next_day = found.groups()
    return int(hours) * 60 + int(minutes) + (DAY_MINUTES if next_day else 0)


def in_hours(hours: Hours, minute: float) -> bool:
    """Whether ``minute`` of the day (0 ≤ minute < 1440) lies in one of the windows; no windows:
    always."""
    if not hours:
        return True
    return any(start <= minute < end or start <= minute + DAY_MINUTES < end for start, end in hours)


@dataclass(frozen=True)
class PointRule:
    """The numbers the alarm engine needs of one kind of vehicle alarm point (a sensor class
    carries the same)."""

    source: ClassVar[str] = "vehicle"
    code: str  # the alarm's kind: the fence's id, or the vehicle kind's code
    priority: int
    on_delay_s: float = 0.0
    off_delay_s: float = 0.0
    chatter_count: int = 5
    chatter_window_s: float = 600.0
    max_shelve_s: float = MAX_SHELVE_S


@dataclass(frozen=True)
class KindRules:
    """What a kind of vehicle must keep to wherever it is (0: not watched)."""

    kind: str
    speed_kmh: float = 0.0  # faster than this for ``speed_on_delay_s`` is overspeed
    stop_s: float = 0.0  # standing longer than this outside a yard is stopped too long
    silent_s: float = 0.0  # no fix for this long: the device is silent
    speed_priority: int = 3
    stop_priority: int = 3
    silent_priority: int = 3
    speed_on_delay_s: float = 10.0  # a moment over the limit (overtaking) is not a violation
    serves: frozenset[str] = frozenset()  # case categories (codes, 2-digit major classes) it is sent to

    def suits(self, category: str) -> bool:
        """Whether this kind of crew is sent to a case of ``category``."""
        return category in self.serves or category[:2] in self.serves


@dataclass(frozen=True, eq=False)
class Fence:
    """A geofence: a zone (polygon, lon/lat) or a route (line, lon/lat) and what it asks of
    which vehicles when."""

    id: str
    name: str
    rule: str  # one of FENCE_RULES
    shape: BaseGeometry
    name_en: str = ""
    kinds: frozenset[str] = frozenset()  # vehicle kinds it applies to (none: every kind) …
    vehicles: frozenset[str] = frozenset()  # … or these vehicles by id
    hours: Hours = ()  # in force in these windows (none: always)
    width_m: float = 50.0  # a route: off route further than this from the line
    priority: int = 2
    on_delay_s: float = 30.0  # a GPS fix or two astray is not a violation
    category: str = ""  # the catalog category a violation becomes as a case

    def applies_to(self, vehicle_id: str, kind: str) -> bool:
        if self.vehicles:
            return vehicle_id in self.vehicles
        return not self.kinds or kind in self.kinds

    @cached_property  # asked for every fix it is measured against
    def point_rule(self) -> PointRule:
        return PointRule(self.id, self.priority, on_delay_s=self.on_delay_s, off_delay_s=self.on_delay_s / 2)
