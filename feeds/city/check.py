"""What makes a city unusable beyond its single features: how areas fit together, and
whether the tables agree with each other and with the map.

Each rule yields :class:`Problem`\\ s naming file, feature and rule:

- ``outside-parent``: an area reaches out of the area it belongs to (a grid
  straddling two communities, a street crossing into another district);
- ``overlap``: two areas of one level share ground (grids overlapping each other);
- ``grid-gap``: a community's grids leave ground uncovered;
- ``department-unknown``, ``category-unknown``, ``area-unknown``: a table names
  something that does not exist;
- ``calendar-overlap``, ``calendar-conflict``: working periods that overlap, a day
  both holiday and working day;
- ``sensor-class``: thresholds outside the physical range or in the wrong order, bad
  delays, timeouts or grades (of a class, or of a sensor site over its class);
- ``vehicle-kind``, ``outside-city``: a fleet rule or fence naming a vehicle kind there is
  not, a fence lying wholly outside the districts (a warning);
- ``rate-unknown``, ``rate-object``, ``rate-not-share``, ``weights-sum``, ``grade-overlap``,
  ``grade-gap``, ``grade-band``: the evaluation (kpis.json) names a rate the hub does not count,
  scores a rate its objects cannot be charged with, weights not adding up to 100, grade bands
  that overlap or leave scores without a grade;
- ``class-unknown``, ``outside-city``: registry points of unknown classes, or
  outside every district (a warning: the hub keeps them and shows them as outside).

Tolerances are areas in square metres, so that digitising noise along shared
edges does not count.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import shapely
from shapely import STRtree

from feeds import domain
from feeds.city.folder import Problem, layer_file, table_file
from feeds.city.kpis import problems as kpi_problems
from feeds.city.model import ANY, LEVELS, STREET_OFFICE, Area, City, SensorClass, metres_per_degree

#: Slivers smaller than this (m²) along shared edges are digitising noise, not overlaps or gaps.
TOLERANCE_M2 = 10.0
LAYER_OF = {"district": "districts", "street": "streets", "community": "communities", "grid": "grids"}


def check(city: City, tolerance_m2: float = TOLERANCE_M2) -> list[Problem]:
    kx, ky = metres_per_degree(city.lat0)
    unit = kx * ky  # m² per square degree near the city
    problems: list[Problem] = []
    for level in LEVELS[1:]:
        problems += _outside_parents(city, level, unit, tolerance_m2)
    for level in LEVELS:
        problems += _overlaps(city.areas[level], unit, tolerance_m2)
    problems += _grid_gaps(city, unit, tolerance_m2)
    problems += list(_tables(city))
    problems += list(_registries(city))
    problems += list(_fleet(city))
    problems += [Problem(table_file("kpis"), *found) for found in kpi_problems(city.kpis)]
    return problems


def _name(area: Area) -> str:
    return f"{area.level} {area.code}" + (f" {area.name}" if area.name else "")


def _outside_parents(city: City, level: str, unit: float, tolerance: float) -> Iterator[Problem]:
    areas = [a for a in city.areas[level] if city.area(a.parent) is not None]
    if not areas:
        return
    children = np.array([a.shape for a in areas])
    parents = np.array([city.area(a.parent).shape for a in areas])  # type: ignore[union-attr]
    loose = np.flatnonzero(~shapely.covers(parents, children))
    outside = shapely.area(shapely.difference(children[loose], parents[loose]))
    for n, area_deg in zip(loose.tolist(), outside.tolist(), strict=True):
        metres = area_deg * unit
        if metres > tolerance:
            area, parent = areas[n], city.area(areas[n].parent)
            assert parent is not None
            yield Problem(
                layer_file(LAYER_OF[level]),
                _name(area),
                "outside-parent",
                f"{metres:,.0f} m² of it lie outside its {_name(parent)}",
            )


def _overlaps(areas: tuple[Area, ...], unit: float, tolerance: float) -> Iterator[Problem]:
    if len(areas) < 2:
        return
    shapes = np.array([a.shape for a in areas])
    first, second = STRtree(shapes).query(shapes, predicate="intersects")
    pairs = first < second
    first, second = first[pairs], second[pairs]
    inner = ~shapely.touches(shapes[first], shapes[second])  # touching along an edge is how grids fit
    first, second = first[inner], second[inner]
    shared = shapely.area(shapely.intersection(shapes[first], shapes[second]))
    for i, j, area_deg in zip(first.tolist(), second.tolist(), shared.tolist(), strict=True):
        if area_deg * unit > tolerance:
            yield Problem(
                layer_file(LAYER_OF[areas[i].level]),
                _name(areas[i]),
                "overlap",
                f"overlaps {_name(areas[j])} by {area_deg * unit:,.0f} m²",
            )


def _grid_gaps(city: City, unit: float, tolerance: float) -> Iterator[Problem]:
    if not city.grids:
        return
    for community in city.communities:
        grids = [a.shape for a in city.children(community) if a.level == "grid"]
        if not grids:
            continue
        gap = shapely.difference(community.shape, shapely.union_all(grids))
        metres = float(shapely.area(gap)) * unit
        if metres > tolerance:
            at = gap.representative_point()
            yield Problem(
                layer_file("grids"),
                _name(community),
                "grid-gap",
                f"its grids leave {metres:,.0f} m² uncovered, e.g. at ({at.x:.6f}, {at.y:.6f})",
            )


def _tables(city: City) -> Iterator[Problem]:
    departments, categories = city.departments, city.categories
    streets = {s.code for s in city.streets}
    for d in departments.values():
        if d.kind == "street_office" and streets and d.area not in streets:
            yield Problem(
                table_file("departments"),
                f"department {d.code}",
                "area-unknown",
                f"is the street office of {d.area or '(no street)'}, which streets.geojson does not have",
            )
    districts = {d.code for d in city.districts}
    for d in departments.values():
        if d.kind == "command" and d.area not in districts:
            yield Problem(
                table_file("departments"),
                f"department {d.code}",
                "area-unknown",
                f"is the command center of {d.area or '(no district)'}, not a district of districts.geojson",
            )
    for c in categories.values():
        if c.department not in departments:
            yield Problem(
                table_file("catalog"),
                f"category {c.code} {c.name}",
                "department-unknown",
                f"names department {c.department!r}, which departments.json does not have",
            )
    majors = {code[:2] for code in categories}
    for n, row in enumerate(city.responsibility):
        where = f"rule {n} ({row.category} × {row.area})"
        file = table_file("responsibility")
        if row.category != ANY and row.category not in categories and row.category not in majors:
            yield Problem(
                file, where, "category-unknown", f"names category {row.category}, not in the catalog"
            )
        if row.department != STREET_OFFICE and row.department not in departments:
            yield Problem(
                file,
                where,
                "department-unknown",
                f"names department {row.department!r}, not in departments.json",
            )
        if row.area != ANY and city.area(row.area) is None:
            yield Problem(file, where, "area-unknown", f"names area {row.area}, which no layer has")
    yield from _calendar(city)
    for spec in city.sensor_classes.values():
        where = f"class {spec.code}"
        for message in sensor_class_problems(spec):
            yield Problem(table_file("sensor_classes"), where, "sensor-class", message)
        yield from _unknown_category(city, table_file("sensor_classes"), where, spec.category)
        if spec.auto_case and not spec.category:
            yield Problem(
                table_file("sensor_classes"),
                where,
                "sensor-class",
                "auto_case needs the category its cases get",
            )
    known = {site.id for site in city.sensors}
    for site in city.sensors:
        if site.suppressed_by and (site.suppressed_by not in known or site.suppressed_by == site.id):
            yield Problem(
                layer_file("sensors"),
                f"point {site.id}",
                "sensor-class",
                f"suppressed_by names {site.suppressed_by!r}, not another sensor of the registry",
            )
        if site.overrides and site.kind in city.sensor_classes:
            for message in sensor_class_problems(city.sensor_class(site.id, site.kind)):
                yield Problem(
                    layer_file("sensors"),
                    f"point {site.id}",
                    "sensor-class",
                    f"with its own limits: {message}",
                )


def sensor_class_problems(spec: SensorClass) -> list[str]:
    """What is wrong with a sensor class's numbers (or a site's, over its class)."""
    problems = []
    if not (spec.low < spec.high and spec.low <= spec.warning <= spec.alarm <= spec.high):
        problems.append(
            f"needs low < high and low ≤ warning ≤ alarm ≤ high; has range [{spec.low:g}, {spec.high:g}], "
            f"warning {spec.warning:g}, alarm {spec.alarm:g}"
        )
    lows = [v for v in (spec.low_alarm, spec.low_warning) if v is not None]
    if lows and not (spec.low <= lows[0] <= lows[-1] < spec.warning):
        problems.append(
            f"needs low ≤ low_alarm ≤ low_warning < warning; has low {spec.low:g}, "
            f"low_alarm {spec.low_alarm}, low_warning {spec.low_warning}, warning {spec.warning:g}"
        )
    grades = list(spec.grades)
    if grades and (grades != sorted(set(grades)) or not spec.low < grades[0] <= grades[-1] < spec.high):
        problems.append(f"grades {grades} must rise, within the range [{spec.low:g}, {spec.high:g}]")
    if not 0 <= spec.deadband <= 1:
        problems.append(f"deadband is a share from 0 to 1, not {spec.deadband:g}")
    if min(spec.on_delay_s, spec.off_delay_s) < 0:
        problems.append("on_delay_s and off_delay_s cannot be negative")
    if not 0 < spec.stale_s <= spec.offline_s:
        problems.append(f"needs 0 < stale_s ≤ offline_s; has {spec.stale_s:g} and {spec.offline_s:g}")
    if spec.rate_per_min is not None and spec.rate_per_min <= 0:
        problems.append(f"rate_per_min must be more than 0, not {spec.rate_per_min:g}")
    if spec.chatter_count < 2 or spec.chatter_window_s <= 0 or spec.max_shelve_s <= 0:
        problems.append("needs chatter_count ≥ 2 and chatter_window_s, max_shelve_s more than 0")
    return problems


def _calendar(city: City) -> Iterator[Problem]:
    file, calendar = table_file("calendar"), city.calendar
    periods = sorted(calendar.periods)
    for start, end in periods:
        if end <= start:
            yield Problem(
                file,
                f"working period {_clock(start)}-{_clock(end)}",
                "calendar-time",
                "ends before it starts",
            )
    for (s1, e1), (s2, e2) in itertools.pairwise(periods):
        if s2 < e1:
            yield Problem(
                file,
                f"working period {_clock(s2)}-{_clock(e2)}",
                "calendar-overlap",
                f"overlaps {_clock(s1)}-{_clock(e1)}",
            )
    for day in sorted(calendar.holidays & calendar.workdays):
        yield Problem(file, f"workday {day}", "calendar-conflict", "is a holiday and a working day at once")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _registries(city: City) -> Iterator[Problem]:
    for layer, sites, classes in (
        ("sensors", city.sensors, city.sensor_classes),
        ("components", city.components, city.categories),
    ):
        for site in sites:
            if site.kind not in classes:
                yield Problem(
                    layer_file(layer),
                    f"point {site.id}",
                    "class-unknown",
                    f"is of class {site.kind!r}, which the city's tables do not have",
                )
    points = [*city.sensors, *city.cameras, *city.components]
    if not points:
        return
    located = city.geocoder.locate_many(np.array([p.lon for p in points]), np.array([p.lat for p in points]))
    for site, index in zip(points, located.tolist(), strict=True):
        if index < 0:
            layer = "sensors" if site in city.sensors else "cameras" if site in city.cameras else "components"
            yield Problem(
                layer_file(layer),
                f"point {site.id}",
                "outside-city",
                f"lies outside every district at ({site.lon}, {site.lat}); it is kept and shown as outside",
                error=False,
            )


def _fleet(city: City) -> Iterator[Problem]:
    for kind, rules in city.fleet.items():
        if kind not in domain.VEHICLE_KINDS:
            yield Problem(
                table_file("fleet"),
                f"kind {kind}",
                "vehicle-kind",
                f"is not a vehicle kind; expected one of {', '.join(domain.VEHICLE_KINDS)}",
            )
        majors = {code[:2] for code in city.categories}
        for served in sorted(rules.serves - set(city.categories) - majors):
            yield Problem(
                table_file("fleet"),
                f"kind {kind}",
                "category-unknown",
                f"serves {served}, not in the catalog",
            )
    districts = shapely.union_all([d.shape for d in city.districts]) if city.districts else None
    for fence in city.fences:
        where = f"fence {fence.id} {fence.name}"
        if fence.id in domain.VEHICLE_KINDS:  # a vehicle kind names its speed, stop and silence alarms
            yield Problem(layer_file("fences"), where, "id-reserved", f"id {fence.id} is a vehicle kind")
        for kind in sorted(fence.kinds - set(domain.VEHICLE_KINDS)):
            yield Problem(
                layer_file("fences"), where, "vehicle-kind", f"names vehicle kind {kind!r}, not known"
            )
        yield from _unknown_category(city, layer_file("fences"), where, fence.category)
        if districts is not None and not fence.shape.intersects(districts):
            yield Problem(
                layer_file("fences"), where, "outside-city", "lies outside every district", error=False
            )


def _unknown_category(city: City, file: str, where: str, category: str) -> Iterator[Problem]:
    """A rule naming a category for its alarms' cases that the catalog does not have."""
    if category and category not in city.categories:
        yield Problem(file, where, "category-unknown", f"names category {category}, not in the catalog")
