"""The city model: its areas, roads and registries, and the tables the city edits.

A :class:`City` is built from a city folder (:mod:`feeds.city.folder`) and
holds everything that differs from city to city: the district → street →
community → unit grid hierarchy with shapely geometries (WGS-84 lon/lat),
roads, point registries (sensor sites, cameras, components), departments,
the category catalog, the responsibility table, the working calendar and
the sensor classes.  Every layer but the districts may be missing; the city
then works with what it has (a point falls in the smallest area that exists).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from shapely.geometry.base import BaseGeometry

from feeds.city.fleet import Fence, KindRules
from feeds.city.kpis import Kpis
from feeds.city.workflow import Workflow
from feeds.city.workflow import default as default_workflow

if TYPE_CHECKING:
    from feeds.city.geocode import Geocoder

LEVELS = ("district", "street", "community", "grid")
#: Digits of a code at each level: 6-digit division (GB/T 2260) + 3 street + 3 community + 3 grid.
CODE_DIGITS = {"district": 6, "street": 9, "community": 12, "grid": 15}
#: A component (部件) id: 6-digit division + 5-digit class + 6-digit sequence.
COMPONENT_DIGITS = 17
CLOCK_KINDS = ("urgent", "working_hours", "working_days")
FAMILIES = ("component", "event")  # 部件, 事件
#: 专业部门, 街道办事处 (of a street), 区指挥中心 (a district's, in two-level cities), linked agency.
DEPARTMENT_KINDS = ("department", "street_office", "command", "agency")
#: In the responsibility table: the street office of the street the case lies in.
STREET_OFFICE = "@street_office"
ANY = "*"

#: Mean earth radius (m); the equirectangular projection is exact enough over a city.
EARTH_RADIUS_M = 6_371_008.8


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree east and north at latitude ``lat``."""
    north = math.radians(1.0) * EARTH_RADIUS_M
    return north * math.cos(math.radians(lat)), north


@dataclass(frozen=True, eq=False)
class Area:
    """A district, street (街道/乡镇), community (社区/村) or unit grid (单元网格)."""

    level: str  # one of LEVELS
    code: str
    name: str
    parent: str  # code of the enclosing area of the next coarser level present; "" for a district
    shape: BaseGeometry  # Polygon or MultiPolygon, lon/lat
    name_en: str = ""


@dataclass(frozen=True, eq=False)
class Road:
    name: str
    shape: BaseGeometry  # LineString or MultiLineString, lon/lat


@dataclass(frozen=True)
class Site:
    """A point of a registry: a sensor site, a camera or a component (部件)."""

    id: str
    kind: str  # sensor class code, component category code, or "camera"
    name: str
    lon: float
    lat: float
    department: str = ""  # the owner, for components
    overrides: tuple[tuple[str, float], ...] = ()  # a sensor site's own limits (SITE_OVERRIDES)
    suppressed_by: str = ""  # a sensor whose standing alarm makes this one's expected (by design)


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    name_en: str = ""
    kind: str = "department"  # one of DEPARTMENT_KINDS
    area: str = ""  # the street of a street office; the district of a command center


@dataclass(frozen=True)
class Limit:
    """A time limit and the clock it counts on."""

    limit: float
    unit: str  # minutes, hours or days
    clock: str  # one of CLOCK_KINDS


#: Limits of the stages a city does not set (``city.json`` ``time_limits.stages``); handling's
#: limit is the category's.  The hall is staffed day and night; inspectors work office hours.
STAGE_LIMITS = {
    "verify": Limit(60, "minutes", "working_hours"),
    "file": Limit(30, "minutes", "urgent"),
    "dispatch": Limit(30, "minutes", "urgent"),
    "check": Limit(60, "minutes", "working_hours"),
    "close": Limit(60, "minutes", "urgent"),
}


@dataclass(frozen=True)
class Category:
    code: str  # 2-digit major + 3-digit minor class
    name: str
    name_en: str
    family: str  # one of FAMILIES
    limit: float
    unit: str  # "hours" or "days"
    clock: str  # one of CLOCK_KINDS
    department: str  # default responsible department
    urgency: int = 3  # 1 生命安全 life and safety, 2 紧急 urgent, 3 一般 routine: orders the queue first
    stages: dict[str, Limit] = field(default_factory=dict)  # this category's own limits of other stages

    def stage_limit(self, stage: str, city_limits: dict[str, Limit]) -> Limit:
        """The limit of a stage for this category: handling is the catalog's; other stages are
        the category's own or the city's.  An urgent-clock category counts every stage on the
        urgent clock: a gas leak is not verified "tomorrow at 08:00"."""
        if stage == "handle":
            return Limit(self.limit, self.unit, self.clock)
        limit = self.stages.get(stage) or city_limits[stage]
        return Limit(limit.limit, limit.unit, "urgent") if self.clock == "urgent" else limit


@dataclass(frozen=True)
class Responsibility:
    """A row of the responsibility table: category × area → department."""

    category: str  # ANY, a 2-digit major class or a 5-digit code
    area: str  # ANY or an area code
    department: str  # a department code or STREET_OFFICE


@dataclass(frozen=True)
class Calendar:
    timezone: str
    periods: tuple[tuple[int, int], ...]  # working periods of a day, minutes since midnight
    weekend: frozenset[int]  # ISO weekdays, 6 and 7 by default
    holidays: frozenset[date]
    workdays: frozenset[date]  # weekend days worked instead (调休)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day not in self.holidays and day.isoweekday() not in self.weekend


#: Working hours 08:00-12:00 and 14:00-18:00 on weekdays, no holidays: a city without a calendar.
DEFAULT_CALENDAR = Calendar(
    "Asia/Shanghai", ((480, 720), (840, 1080)), frozenset({6, 7}), frozenset(), frozenset()
)


@dataclass(frozen=True)
class SensorClass:
    """What a kind of sensor measures and when it alarms: the numbers of the hub's alarm rules
    (ISA-18.2 terms: H and HH limits, L and LL for readings that must not fall)."""

    source: ClassVar[str] = "sensor"  # what its alarms watch
    code: str
    name: str
    name_en: str
    unit: str
    low: float  # physical range: readings outside it are refused
    high: float
    warning: float  # H: a reading at or above is a warning
    alarm: float  # HH: a reading at or above raises an alarm of the class's priority
    priority: int  # alarm priority, 1 = critical … 4 = low; a warning is one lower
    deadband: float = 0.1  # a condition ends this share of its limit back on the normal side
    normal: float = 0.0  # a typical quiet value
    low_warning: float | None = None  # L: at or below is a warning (a supply pressure falling)
    low_alarm: float | None = None  # LL
    on_delay_s: float = 0.0  # a condition counts once it has held this long (a tilt: 30 s) …
    off_delay_s: float = 0.0  # … and ends once it has been gone this long
    rate_per_min: float | None = None  # a rise faster than this (units a minute) alarms on its own
    stale_s: float = 300.0  # silent this long: the sensor's state is unknown …
    offline_s: float = 900.0  # … and this long: offline, with a communication alarm
    chatter_count: int = 5  # raised this many times …
    chatter_window_s: float = 600.0  # … within this window: chattering, and suppressed
    max_shelve_s: float = 8 * 3600.0  # the longest an operator may shelve its alarms
    grades: tuple[float, ...] = ()  # where its grades change (waterlogging: 3, 10, 25 cm)
    category: str = ""  # the catalog category its alarms become as cases …
    auto_case: bool = False  # … on their own when one is raised at the class's priority


#: The optional numbers of a class in sensor_classes.json, each a field of SensorClass.
TUNABLE = (
    *("deadband", "low_warning", "low_alarm", "on_delay_s", "off_delay_s", "rate_per_min"),
    *("stale_s", "offline_s", "chatter_count", "chatter_window_s", "max_shelve_s"),
)
#: What a sensor site may set for itself in the registry (sensors.geojson), over its class.
SITE_OVERRIDES = (
    *("warning", "alarm", "low_warning", "low_alarm", "deadband", "on_delay_s", "off_delay_s"),
    *("rate_per_min", "stale_s", "offline_s"),
)


@dataclass(frozen=True)
class Place:
    """Where a point lies: the codes of its areas, "" where the city has no such layer (or a gap)."""

    district: str = ""
    street: str = ""
    community: str = ""
    grid: str = ""


@dataclass(frozen=True, eq=False)
class City:
    name: str
    code: str  # 6-digit division code of the city
    areas: dict[str, tuple[Area, ...]]  # level → areas, every level present (maybe empty)
    name_en: str = ""
    plate_prefix: str = ""  # of the city's vehicle plates, e.g. 苏A
    yellow_share: float = 0.2  # the light turns yellow when this share of the limit is left
    stage_limits: dict[str, Limit] = field(default_factory=lambda: dict(STAGE_LIMITS))
    raise_after_s: float = 1800.0  # an urged case nobody acts on for this long goes to the shift lead
    dispatch_levels: int = 1  # 2: the city dispatches to district command centers first
    duplicate_m: float = 50.0  # a report this close to an open case of its category …
    duplicate_s: float = 7200.0  # … and this soon after it is offered as a probable duplicate
    alarm_attach_m: float = 200.0  # a report this close to a standing alarm's case is offered to join it
    alarm_ack_s: float = 120.0  # a critical alarm nobody acknowledges this long goes to the shift lead
    history_raw_s: float = 48 * 3600.0  # sensor readings are kept raw this long …
    history_interval_s: float = 300.0  # … then as min, max and mean per interval …
    history_keep_s: float = 400 * 86_400.0  # … this long (a year and its same month before)
    roads: tuple[Road, ...] = ()
    sensors: tuple[Site, ...] = ()
    cameras: tuple[Site, ...] = ()
    components: tuple[Site, ...] = ()
    departments: dict[str, Department] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    responsibility: tuple[Responsibility, ...] = ()
    calendar: Calendar = DEFAULT_CALENDAR
    sensor_classes: dict[str, SensorClass] = field(default_factory=dict)
    fleet: dict[str, KindRules] = field(default_factory=dict)  # vehicle kind → what it keeps to
    fences: tuple[Fence, ...] = ()
    workflow: Workflow = field(default_factory=default_workflow)
    kpis: Kpis = field(default_factory=Kpis)  # the rates, schemes and grade bands of its evaluation
    content_hash: str = ""  # of the folder it was read from: consoles cache the city by it

    # -- areas ---------------------------------------------------------------

    @property
    def districts(self) -> tuple[Area, ...]:
        return self.areas["district"]

    @property
    def streets(self) -> tuple[Area, ...]:
        return self.areas["street"]

    @property
    def communities(self) -> tuple[Area, ...]:
        return self.areas["community"]

    @property
    def grids(self) -> tuple[Area, ...]:
        return self.areas["grid"]

    @cached_property
    def _by_code(self) -> dict[str, Area]:
        return {area.code: area for level in LEVELS for area in self.areas[level]}

    def area(self, code: str) -> Area | None:
        return self._by_code.get(code)

    def place_of(self, area: Area) -> Place:
        """The codes of an area and of every area above it."""
        codes = {}
        current: Area | None = area
        while current is not None:
            codes[current.level] = current.code
            current = self._by_code.get(current.parent)
        return Place(**codes)

    def children(self, area: Area) -> list[Area]:
        return self._children.get(area.code, [])

    @cached_property
    def _children(self) -> dict[str, list[Area]]:
        children: dict[str, list[Area]] = {}
        for level in LEVELS[1:]:
            for area in self.areas[level]:
                children.setdefault(area.parent, []).append(area)
        return children

    # -- sensors ---------------------------------------------------------------

    @cached_property
    def suppressors(self) -> dict[str, str]:
        """Sensor id → the sensor whose standing alarm suppresses its alarms by design (downstream
        of a tripped pump, its water is expected to rise)."""
        return {site.id: site.suppressed_by for site in self.sensors if site.suppressed_by}

    def sensor_class(self, sensor_id: str, kind: str) -> SensorClass:
        """The rules of one sensor: its class, with what its registry entry sets for it."""
        return self._site_classes.get(sensor_id) or self.sensor_classes[kind]

    @cached_property
    def _site_classes(self) -> dict[str, SensorClass]:
        found = {}
        for site in self.sensors:
            if site.overrides and site.kind in self.sensor_classes:
                own: dict[str, Any] = dict(site.overrides)
                found[site.id] = replace(self.sensor_classes[site.kind], **own)
        return found

    # -- where things are ----------------------------------------------------

    @cached_property
    def geocoder(self) -> Geocoder:
        from feeds.city.geocode import Geocoder

        return Geocoder(self)

    def locate(self, lon: float, lat: float) -> Place | None:
        """The areas a point lies in; None outside the city."""
        return self.geocoder.locate(lon, lat)

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the districts, in degrees."""
        boxes = np.array([d.shape.bounds for d in self.districts])
        return (
            float(boxes[:, 0].min()),
            float(boxes[:, 1].min()),
            float(boxes[:, 2].max()),
            float(boxes[:, 3].max()),
        )

    @property
    def lon0(self) -> float:
        """Projection origin: the middle of the city."""
        west, _, east, _ = self.bounds
        return (west + east) / 2

    @property
    def lat0(self) -> float:
        _, south, _, north = self.bounds
        return (south + north) / 2

    def project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Local metres east/north of the city's middle; vectorised, for the map and distances."""
        kx, ky = metres_per_degree(self.lat0)
        return (np.asarray(lon) - self.lon0) * kx, (np.asarray(lat) - self.lat0) * ky

    def unproject(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inverse of :meth:`project`: lon/lat of local metres east/north."""
        kx, ky = metres_per_degree(self.lat0)
        return self.lon0 + np.asarray(x) / kx, self.lat0 + np.asarray(y) / ky

    # -- who handles what ----------------------------------------------------

    def responsible(self, category: str, place: Place) -> str | None:
        """The department the responsibility table names for a category at a place.

        The most specific row wins: the finest area, then the exact code before
        its major class before any category.  A row naming the street office
        applies only where the place's street has one.  Without a matching row,
        the catalog's default department."""
        codes = [place.grid, place.community, place.street, place.district]
        area_rank = {code: n for n, code in enumerate(codes) if code}
        category_rank = {category: 0, category[:2]: 1, ANY: 2}
        best: tuple[int, int, str] | None = None
        for row in self.responsibility:
            a = area_rank.get(row.area, len(codes) if row.area == ANY else None)
            c = category_rank.get(row.category)
            if a is None or c is None:
                continue
            department = self._street_office(place) if row.department == STREET_OFFICE else row.department
            if department and (best is None or (a, c) < best[:2]):
                best = (a, c, department)
        if best is not None:
            return best[2]
        known = self.categories.get(category)
        return known.department if known else None

    def _street_office(self, place: Place) -> str:
        return self._street_offices.get(place.street, "")

    @cached_property
    def _street_offices(self) -> dict[str, str]:
        return {d.area: d.code for d in self.departments.values() if d.kind == "street_office" and d.area}


def polygons_of(shape: BaseGeometry) -> Sequence[BaseGeometry]:
    """The polygons of a Polygon or MultiPolygon."""
    return list(shape.geoms) if hasattr(shape, "geoms") else [shape]


def flat_areas(city: City, levels: Iterable[str] = LEVELS) -> list[Area]:
    return [area for level in levels for area in city.areas[level]]
