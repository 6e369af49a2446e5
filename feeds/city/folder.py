"""The city folder: read it, build the :class:`City` from it, bundle it, write it.

A folder holds ``city.json`` and ``districts.geojson`` at least; the other
layers and tables are optional (a missing table takes the defaults shipped
in ``feeds/city/defaults``).  Reading never stops at the first problem:
every problem is a :class:`Problem` naming file, feature and rule, and a
feature that cannot be used is left out of the city.  ``docs/city.md``
describes every file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import shapely
from referencing import Registry, Resource
from shapely.geometry.base import BaseGeometry

from feeds.city.fleet import FENCE_RULES, Fence, KindRules, parse_window
from feeds.city.kpis import Kpis
from feeds.city.kpis import parse as parse_kpis
from feeds.city.model import (
    CODE_DIGITS,
    COMPONENT_DIGITS,
    LEVELS,
    SITE_OVERRIDES,
    STAGE_LIMITS,
    TUNABLE,
    Area,
    Calendar,
    Category,
    City,
    Department,
    Limit,
    Responsibility,
    Road,
    SensorClass,
    Site,
)
from feeds.city.workflow import Workflow
from feeds.city.workflow import default as default_workflow
from feeds.city.workflow import parse as parse_workflow

FORMAT = 1
AREA_LAYERS = {"districts": "district", "streets": "street", "communities": "community", "grids": "grid"}
POINT_LAYERS = ("sensors", "cameras", "components")
LAYERS = (*AREA_LAYERS, "roads", *POINT_LAYERS, "fences")
TABLES = (
    *("city", "departments", "catalog", "responsibility", "calendar", "sensor_classes", "workflow"),
    "fleet",
    "kpis",
)
#: The table each file keeps its entries under, and how an entry is named in a problem.
ENTRIES = {
    "departments": "departments",
    "catalog": "categories",
    "responsibility": "rules",
    "sensor_classes": "classes",
    "fleet": "kinds",
    "kpis": "schemes",
}
COORDINATE_DIGITS = 7  # about 1 cm: finer is noise in a city map
Documents = dict[str, Any]  # file name → its parsed JSON


def layer_file(layer: str) -> str:
    return f"{layer}.geojson"


def table_file(table: str) -> str:
    return f"{table}.json"


FILES = tuple(layer_file(layer) for layer in LAYERS) + tuple(table_file(t) for t in TABLES)
REQUIRED = (table_file("city"), layer_file("districts"))


@dataclass(frozen=True)
class Problem:
    file: str
    where: str  # the feature or entry; "" for the file as a whole
    rule: str  # a short stable name, e.g. ring-open, grid-overlap
    message: str
    error: bool = True  # False: a warning, the folder stays usable

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        kind = "" if self.error else "warning: "
        return f"{self.file}:{where} {kind}{self.message} [{self.rule}]"


class CityError(Exception):
    """A city folder that cannot be used; ``problems`` says why, each naming file, feature and rule."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.error]
        super().__init__(f"{len(errors)} problem(s) make the city unusable:\n" + "\n".join(map(str, errors)))


class Unusable(Exception):
    """A feature that cannot be used: ``rule`` and the words for it."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


# ---------------------------------------------------------------------------
# Reading


def read_folder(folder: Path) -> tuple[Documents, list[Problem]]:
    """The folder's files as parsed JSON, and what could not be read."""
    problems: list[Problem] = []
    documents: Documents = {}
    if not folder.is_dir():
        return documents, [Problem(str(folder), "", "folder", "is not a folder")]
    for name in FILES:
        path = folder / name
        if not path.exists():
            if name in REQUIRED:
                problems.append(Problem(name, "", "missing-file", "is missing: a city needs it"))
            continue
        try:
            documents[name] = json.loads(path.read_bytes())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            problems.append(Problem(name, "", "json", f"is not JSON: {error}"))
        except RecursionError:
            problems.append(Problem(name, "", "json", "is nested too deeply to read"))
    return documents, problems


def default_tables() -> Documents:
    """The tables a new city starts from: national catalog, common departments, the calendar …"""
    folder = resources.files("feeds.city") / "defaults"
    return {
        table_file(t): json.loads(folder.joinpath(table_file(t)).read_text(encoding="utf-8"))
        for t in TABLES
        if t != "city"
    }


def bundle(documents: Documents) -> bytes:
    """The folder as one canonical JSON document: what the hub serves and consoles cache."""
    return msgspec.json.encode({"format": FORMAT, "files": documents}, order="sorted")


def unbundle(data: bytes) -> Documents:
    files: Documents = msgspec.json.decode(data)["files"]
    return files


def content_hash(documents: Documents) -> str:
    return hashlib.sha256(bundle(documents)).hexdigest()


@dataclass(frozen=True, eq=False)
class CityFolder:
    """A folder read, built and checked: the city, and the bundle the hub serves of it."""

    city: City
    bundle: bytes
    problems: list[Problem]  # warnings only: the folder is usable


def open_folder(folder: Path, tolerance_m2: float | None = None) -> CityFolder:
    """Read, build and check a folder; raises :class:`CityError` if it is not usable.

    ``tolerance_m2``: overlaps and gaps smaller than this are digitising noise
    (default: :data:`feeds.city.check.TOLERANCE_M2`)."""
    from feeds.city.check import TOLERANCE_M2, check

    documents, problems = read_folder(folder)
    if any(p.error for p in problems):
        raise CityError(problems)
    city, more = build(documents)
    problems += more
    if not any(p.error for p in problems):
        problems += check(city, TOLERANCE_M2 if tolerance_m2 is None else tolerance_m2)
    if any(p.error for p in problems):
        raise CityError(problems)
    return CityFolder(city, bundle(documents), problems)


def load_city(folder: Path) -> City:
    return open_folder(folder).city


def from_bundle(data: bytes) -> City:
    """The city a hub served (it checked the folder; a broken bundle still raises CityError)."""
    try:
        documents = unbundle(data)
    except (msgspec.DecodeError, KeyError, TypeError) as error:
        raise CityError([Problem("bundle", "", "json", f"is not a city bundle: {error}")]) from None
    city, problems = build(documents)
    if any(p.error for p in problems):
        raise CityError(problems)
    return city


@cache
def demo() -> CityFolder:
    """The demo city, read once."""
    return open_folder(demo_folder())


def demo_folder() -> Path:
    """The demo city shipped with the application."""
    folder = resources.files("resources") / "cities" / "demo"
    if not isinstance(folder, Path):
        raise RuntimeError(f"the demo city must be installed as files, not inside an archive ({folder})")
    return folder


def build(documents: Documents) -> tuple[City, list[Problem]]:
    """The city the documents describe, from every feature and entry that can be used."""
    builder = _Builder({**default_tables(), **documents})
    return builder.city(content_hash(documents)), builder.problems


# ---------------------------------------------------------------------------
# Geometry: what a GeoJSON geometry must be to be used


def _positions(ring: Any, what: str) -> list[tuple[float, float]]:
    if not isinstance(ring, (list, tuple)):
        raise Unusable("coordinates", f"{what} is not a list of positions")
    out = []
    for position in ring:
        if (
            not isinstance(position, (list, tuple))
            or len(position) < 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])
        ):
            raise Unusable("coordinates", f"{what} has a position that is not [longitude, latitude]")
        lon, lat = float(position[0]), float(position[1])
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise Unusable("coordinates", f"{what} has a position that is not a finite number")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            hint = (
                " (projected metres? declare degrees: WGS-84, CGCS2000, GCJ-02 or BD-09)"
                if abs(lon) > 180
                else ""
            )
            raise Unusable(
                "coordinates-range", f"{what} has ({lon}, {lat}), not a longitude and latitude{hint}"
            )
        out.append((lon, lat))
    return out


def _rings(polygon: Any, what: str) -> list[list[tuple[float, float]]]:
    if not isinstance(polygon, (list, tuple)) or not polygon:
        raise Unusable("coordinates", f"{what} has no rings")
    rings = []
    for n, raw in enumerate(polygon):
        ring = _positions(raw, f"{what} ring {n}")
        if len(ring) < 4:
            raise Unusable(
                "ring-too-short", f"{what} ring {n} has {len(ring)} positions; a ring needs 4 or more"
            )
        if ring[0] != ring[-1]:
            raise Unusable(
                "ring-open", f"{what} ring {n} is open: it ends at {ring[-1]}, not at its start {ring[0]}"
            )
        rings.append(ring)
    return rings


def _geometry(feature: Any, kinds: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise Unusable("feature", "is not a GeoJSON Feature")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise Unusable("no-geometry", "has no geometry")
    if geometry.get("type") not in kinds:
        raise Unusable("geometry-type", f"is a {geometry.get('type')}, expected {' or '.join(kinds)}")
    return geometry


def area_shape(feature: Any) -> BaseGeometry:
    """The Polygon or MultiPolygon of an area feature; raises :class:`Unusable`."""
    geometry = _geometry(feature, ("Polygon", "MultiPolygon"))
    coordinates = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        parts = [_rings(coordinates, "polygon")]
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise Unusable("coordinates", "multipolygon has no polygons")
        parts = [_rings(p, f"polygon {n}") for n, p in enumerate(coordinates)]
    shape = (
        shapely.MultiPolygon([(p[0], p[1:]) for p in parts])
        if len(parts) > 1
        else shapely.Polygon(parts[0][0], parts[0][1:])
    )
    if not shape.is_valid:
        reason = shapely.is_valid_reason(shape)
        rule = "self-intersection" if "Self-intersection" in reason else "geometry-invalid"
        raise Unusable(rule, f"is not a valid polygon: {reason}")
    return shape


def line_shape(feature: Any) -> BaseGeometry:
    geometry = _geometry(feature, ("LineString", "MultiLineString"))
    coordinates = geometry.get("coordinates")
    lines = [coordinates] if geometry["type"] == "LineString" else coordinates
    if not isinstance(lines, list) or not lines:
        raise Unusable("coordinates", "has no lines")
    parts = []
    for n, line in enumerate(lines):
        points = _positions(line, f"line {n}")
        if len(points) < 2:
            raise Unusable(
                "line-too-short", f"line {n} has {len(points)} position(s); a line needs 2 or more"
            )
        parts.append(points)
    return shapely.LineString(parts[0]) if len(parts) == 1 else shapely.MultiLineString(parts)


def point_of(feature: Any) -> tuple[float, float]:
    geometry = _geometry(feature, ("Point",))
    ((lon, lat),) = _positions([geometry.get("coordinates")], "point")
    return lon, lat


def features(document: Any) -> list[Any]:
    """The features of a FeatureCollection; raises :class:`Unusable` for anything else."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise Unusable("feature-collection", "is not a GeoJSON FeatureCollection")
    found = document.get("features")
    if not isinstance(found, list):
        raise Unusable("feature-collection", "has no list of features")
    return found


def properties(feature: Any) -> dict[str, Any]:
    props = feature.get("properties") if isinstance(feature, dict) else None
    return props if isinstance(props, dict) else {}


def text(value: Any) -> str:
    """A property as text: numbers become their digits (codes often arrive as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def describe(index: int, props: dict[str, Any]) -> str:
    """How a problem names a feature: its number, and its code and name when it has them."""
    label = " ".join(t for t in (text(props.get("code") or props.get("id")), text(props.get("name"))) if t)
    return f"feature {index}" + (f" ({label})" if label else "")


# ---------------------------------------------------------------------------
# Building the city


class _Builder:
    def __init__(self, documents: Documents) -> None:
        self.documents = documents
        self.problems: list[Problem] = []

    def problem(self, file: str, where: str, rule: str, message: str, error: bool = True) -> None:
        self.problems.append(Problem(file, where, rule, message, error))

    def city(self, content_hash: str) -> City:
        info = self._table("city") or {}
        limits = info.get("time_limits", {})
        duplicates = info.get("duplicates", {})
        history = info.get("history", {})
        levels = int(limits.get("dispatch_levels", 1))
        areas = self._areas()
        classes = self._sensor_classes()
        return City(
            name=text(info.get("name")) or "?",
            name_en=text(info.get("name_en")),
            code=text(info.get("code")),
            plate_prefix=text(info.get("plate_prefix")),
            yellow_share=float(limits.get("yellow_share", 0.2)),
            stage_limits={**STAGE_LIMITS, **_limits(limits.get("stages", {}))},
            raise_after_s=float(limits.get("raise_urged_minutes", 30)) * 60,
            dispatch_levels=levels,
            duplicate_m=float(duplicates.get("metres", 50)),
            duplicate_s=float(duplicates.get("hours", 2)) * 3600,
            alarm_attach_m=float(duplicates.get("alarm_metres", 200)),
            alarm_ack_s=float(info.get("alarms", {}).get("ack_minutes", 2)) * 60,
            history_raw_s=float(history.get("raw_hours", 48)) * 3600,
            history_interval_s=float(history.get("interval_minutes", 5)) * 60,
            history_keep_s=float(history.get("keep_days", 400)) * 86_400,
            areas=areas,
            roads=tuple(self._roads()),
            sensors=tuple(self._sites("sensors", "class")),
            cameras=tuple(self._sites("cameras", "")),
            components=tuple(self._sites("components", "class")),
            departments=self._departments(),
            categories=self._categories(),
            responsibility=tuple(self._responsibility()),
            calendar=self._calendar(),
            sensor_classes=classes,
            fleet=self._fleet(),
            fences=tuple(self._fences()),
            workflow=self._workflow(levels),
            kpis=self._kpis(),
            content_hash=content_hash,
        )

    # -- layers --------------------------------------------------------------

    def _features(self, layer: str) -> Iterator[tuple[int, Any, dict[str, Any], str]]:
        """(index, feature, properties, name in problems) of each feature of a layer present."""
        name = layer_file(layer)
        if name not in self.documents:
            return
        try:
            found = features(self.documents[name])
        except Unusable as error:
            self.problem(name, "", error.rule, error.message)
            return
        for index, feature in enumerate(found):
            props = properties(feature)
            yield index, feature, props, describe(index, props)

    def _areas(self) -> dict[str, tuple[Area, ...]]:
        areas: dict[str, list[Area]] = {level: [] for level in LEVELS}
        for layer, level in AREA_LAYERS.items():
            file, seen = layer_file(layer), set[str]()
            coarser = [lv for lv in LEVELS[: LEVELS.index(level)] if areas[lv]]
            known = {lv: {a.code for a in areas[lv]} for lv in coarser}
            for _, feature, props, where in self._features(layer):
                code = text(props.get("code"))
                try:
                    shape = area_shape(feature)
                    _check_code(code, CODE_DIGITS[level], "code")
                except Unusable as error:
                    self.problem(file, where, error.rule, error.message)
                    continue
                if code in seen:
                    self.problem(file, where, "code-duplicate", f"code {code} is used by another {level} too")
                    continue
                seen.add(code)
                name = text(props.get("name"))
                if not name and level == "district":
                    self.problem(file, where, "name-missing", "a district needs a name (it labels the map)")
                parent = _parent(code, coarser, known)
                if coarser and parent is None:
                    above = " or ".join(_layer_of(lv) for lv in reversed(coarser))
                    self.problem(file, where, "parent-unknown", f"code {code} names no area of {above}")
                    continue
                areas[level].append(Area(level, code, name, parent or "", shape, text(props.get("name_en"))))
        if not areas["district"] and layer_file("districts") in self.documents:
            self.problem(
                layer_file("districts"), "", "no-districts", "has no usable district; a city needs one"
            )
        return {level: tuple(found) for level, found in areas.items()}

    def _roads(self) -> Iterator[Road]:
        for _, feature, props, where in self._features("roads"):
            try:
                yield Road(text(props.get("name")), line_shape(feature))
            except Unusable as error:
                self.problem(layer_file("roads"), where, error.rule, error.message)

    def _sites(self, layer: str, kind_field: str) -> Iterator[Site]:
        file, seen = layer_file(layer), set[str]()
        for _, feature, props, where in self._features(layer):
            site_id = text(props.get("id"))
            try:
                lon, lat = point_of(feature)
                if not site_id or len(site_id) > 32:
                    raise Unusable("id-missing", "needs an id of at most 32 characters")
                if layer == "components" and props.get("code") is not None:
                    _check_code(text(props.get("code")), COMPONENT_DIGITS, "component code")
            except Unusable as error:
                self.problem(file, where, error.rule, error.message)
                continue
            if site_id in seen:
                self.problem(file, where, "id-duplicate", f"id {site_id} is used by another point too")
                continue
            seen.add(site_id)
            kind = text(props.get(kind_field)) if kind_field else "camera"
            overrides = self._overrides(file, where, props) if layer == "sensors" else ()
            suppressed_by = text(props.get("suppressed_by")) if layer == "sensors" else ""
            yield Site(
                site_id,
                kind,
                text(props.get("name")),
                lon,
                lat,
                text(props.get("department")),
                overrides,
                suppressed_by,
            )

    def _fences(self) -> Iterator[Fence]:
        file, seen = layer_file("fences"), set[str]()
        for _, feature, props, where in self._features("fences"):
            fence_id, rule = text(props.get("id")), text(props.get("rule"))
            try:
                if not fence_id or len(fence_id) > 32:
                    raise Unusable("id-missing", "needs an id of at most 32 characters")
                if rule not in FENCE_RULES:
                    raise Unusable("fence-rule", f"rule {rule!r} is not one of {', '.join(FENCE_RULES)}")
                shape = line_shape(feature) if rule == "route" else area_shape(feature)
                fence = Fence(
                    fence_id,
                    text(props.get("name")) or fence_id,
                    rule,
                    shape,
                    name_en=text(props.get("name_en")),
                    kinds=frozenset(_texts(props.get("kinds"), "kinds")),
                    vehicles=frozenset(_texts(props.get("vehicles"), "vehicles")),
                    hours=tuple(_window(w) for w in _list(props.get("hours"), "hours")),
                    width_m=_number(props, "width_m", 50.0, 1.0, 5_000.0),
                    priority=_priority(props),
                    on_delay_s=_number(props, "on_delay_s", 30.0, 0.0, 3_600.0),
                    category=text(props.get("category")),
                )
            except Unusable as error:
                self.problem(file, where, error.rule, error.message)
                continue
            if fence_id in seen:
                self.problem(file, where, "id-duplicate", f"id {fence_id} is used by another fence too")
                continue
            seen.add(fence_id)
            yield fence

    def _overrides(self, file: str, where: str, props: dict[str, Any]) -> tuple[tuple[str, float], ...]:
        """The limits a sensor site sets for itself over its class (numbers; others are problems)."""
        found = []
        for name in SITE_OVERRIDES:
            value = props.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                self.problem(file, where, "sensor-class", f"{name} must be a number, not {value!r}")
                continue
            found.append((name, float(value)))
        return tuple(found)

    # -- tables --------------------------------------------------------------

    def _table(self, table: str) -> Any:
        """The table's document if it fits its schema; problems name each entry that does not."""
        name = table_file(table)
        document = self.documents.get(name)
        if document is None:
            return None
        bad: set[int] = set()
        for error in _validator(table).iter_errors(document):
            path = list(error.absolute_path)
            where = _entry_name(document, table, path)
            if len(path) >= 2 and path[0] == ENTRIES.get(table):
                bad.add(int(path[1]))
            elif table in ("city", "calendar", "workflow", "kpis") or not path:
                self.problem(name, where, f"schema-{error.validator}", error.message)
                return None
            self.problem(name, where, f"schema-{error.validator}", error.message)
        if bad:  # keep the good entries: one broken row does not hide the others
            key = ENTRIES[table]
            document = {**document, key: [e for n, e in enumerate(document[key]) if n not in bad]}
        return document

    def _entries(self, table: str) -> list[dict[str, Any]]:
        document = self._table(table)
        return [] if document is None else list(document[ENTRIES[table]])

    def _departments(self) -> dict[str, Department]:
        found: dict[str, Department] = {}
        for entry in self._entries("departments"):
            department = Department(
                entry["code"],
                entry["name"],
                entry.get("name_en", ""),
                entry.get("kind", "department"),
                entry.get("area", ""),
            )
            if department.code in found:
                self.problem(
                    table_file("departments"),
                    f"department {department.code}",
                    "code-duplicate",
                    "is listed twice",
                )
            found[department.code] = department
        return found

    def _categories(self) -> dict[str, Category]:
        found: dict[str, Category] = {}
        for e in self._entries("catalog"):
            category = Category(
                e["code"],
                e["name"],
                e.get("name_en", ""),
                e["family"],
                float(e["limit"]),
                e["unit"],
                e["clock"],
                e["department"],
                int(e.get("urgency", 3)),
                _limits(e.get("stages", {})),
            )
            if category.code in found:
                self.problem(
                    table_file("catalog"), f"category {category.code}", "code-duplicate", "is listed twice"
                )
            found[category.code] = category
        return found

    def _responsibility(self) -> Iterator[Responsibility]:
        for e in self._entries("responsibility"):
            yield Responsibility(e["category"], e["area"], e["department"])

    def _sensor_classes(self) -> dict[str, SensorClass]:
        found: dict[str, SensorClass] = {}
        for e in self._entries("sensor_classes"):
            low, high = e["range"]
            found[e["code"]] = SensorClass(
                code=e["code"],
                name=e["name"],
                name_en=e.get("name_en", ""),
                unit=e["unit"],
                low=float(low),
                high=float(high),
                warning=float(e["warning"]),
                alarm=float(e["alarm"]),
                priority=int(e["priority"]),
                normal=float(e.get("normal", low)),
                grades=tuple(float(g) for g in e.get("grades", ())),
                category=e.get("category", ""),
                auto_case=bool(e.get("auto_case", False)),
                **{name: e[name] for name in TUNABLE if name in e},
            )
        return found

    def _fleet(self) -> dict[str, KindRules]:
        entries = self._entries("fleet")
        for kind, n in Counter(e["kind"] for e in entries).items():
            if n > 1:
                self.problem(
                    table_file("fleet"),
                    f"kind {kind}",
                    "kind-duplicate",
                    f"is listed {n} times; the last counts",
                )
        return {
            e["kind"]: KindRules(
                e["kind"],
                speed_kmh=float(e.get("speed_kmh", 0.0)),
                stop_s=float(e.get("stop_minutes", 0.0)) * 60,
                silent_s=float(e.get("silent_minutes", 0.0)) * 60,
                speed_priority=int(e.get("speed_priority", 3)),
                stop_priority=int(e.get("stop_priority", 3)),
                silent_priority=int(e.get("silent_priority", 3)),
                speed_on_delay_s=float(e.get("speed_on_delay_s", 10.0)),
                serves=frozenset(e.get("serves", ())),
            )
            for e in entries
        }

    def _workflow(self, levels: int) -> Workflow:
        name = table_file("workflow")
        document = self._table("workflow")
        if document is None:  # unusable: the problems say why; the default keeps the build going
            return default_workflow(levels)
        workflow, problems = parse_workflow(document, levels)
        for problem in problems:
            self.problem(name, problem.where, "workflow", problem.message)
        return workflow

    def _kpis(self) -> Kpis:
        name = table_file("kpis")
        document = self._table("kpis")  # a broken rate or grade band: the defaults keep the build going
        kpis, found = parse_kpis(default_tables()[name] if document is None else document)
        for where, rule, message in found:
            self.problem(name, where, rule, message)
        return kpis

    def _calendar(self) -> Calendar:
        from feeds.city.clock import YEARS, zone  # the clocks decide which zones and years they know

        name = table_file("calendar")
        document = self._table("calendar") or default_tables()[name]
        try:
            zone(document["timezone"])
        except ValueError as error:
            self.problem(name, "timezone", "calendar-timezone", str(error))
        weekend = frozenset(document["weekend"])
        if len(weekend) == 7:
            self.problem(name, "weekend", "calendar-weekend", "leaves no working day in the week")
        periods: list[tuple[int, int]] = []
        for n, (start, end) in enumerate(document["working_periods"]):
            try:
                period = (_minutes(start), _minutes(end))
            except Unusable as error:
                self.problem(name, f"working period {n}", error.rule, error.message)
                continue
            if periods and period[0] < periods[-1][0]:  # overlaps and empty periods: check.py
                self.problem(
                    name,
                    f"working period {n}",
                    "calendar-period",
                    f"starts at {start}, before the period above it: list periods in the order of the day",
                )
            periods.append(period)
        known = (date(YEARS.start, 1, 1), date(YEARS.stop - 1, 12, 31))
        outside = f"the time-limit clocks know {YEARS.start}-{YEARS.stop - 1}; days outside are ignored"
        holidays: set[date] = set()
        for n, holiday in enumerate(document.get("holidays", [])):
            where = f"holiday {n} ({holiday['name']})"
            try:
                first, last = _day(holiday["from"]), _day(holiday["to"])
            except Unusable as error:
                self.problem(name, where, error.rule, error.message)
                continue
            if last < first:
                self.problem(name, where, "calendar-date", f"ends on {last} before it starts on {first}")
            if first < known[0] or last > known[1]:
                self.problem(name, where, "calendar-date", f"{first} to {last}: {outside}", error=False)
            first, last = max(first, known[0]), min(last, known[1])
            holidays.update(date.fromordinal(d) for d in range(first.toordinal(), last.toordinal() + 1))
        workdays: set[date] = set()
        for raw in document.get("workdays", []):
            try:
                day = _day(raw)
            except Unusable as error:
                self.problem(name, f"workday {raw}", error.rule, error.message)
                continue
            if not known[0] <= day <= known[1]:
                self.problem(name, f"workday {raw}", "calendar-date", outside, error=False)
                continue
            if day.isoweekday() not in weekend and day not in holidays:  # on a holiday: check.py
                self.problem(
                    name,
                    f"workday {raw}",
                    "calendar-workday",
                    f"falls on weekday {day.isoweekday()}, not on the weekend {sorted(weekend)}: "
                    "a swapped working day (调休) is a weekend day worked",
                    error=False,
                )
            workdays.add(day)
        return Calendar(
            document["timezone"],
            tuple(periods),
            weekend,
            frozenset(holidays),
            frozenset(workdays),
        )


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Unusable("fence-property", f"{what} must be a list, not {value!r}")
    return value


def _texts(value: Any, what: str) -> list[str]:
    return [text(v) for v in _list(value, what)]


def _window(raw: Any) -> tuple[int, int]:
    """One of a fence's hours: ["07:00", "09:00"], or ["22:00", "06:00+1"] across midnight."""
    if not (isinstance(raw, list) and len(raw) == 2):
        raise Unusable("fence-hours", f"a window is [start, end], not {raw!r}")
    try:
        return parse_window(*raw)
    except ValueError as error:
        raise Unusable("fence-hours", str(error)) from None


def _number(props: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = props.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise Unusable("fence-property", f"{name} must be a number from {low:g} to {high:g}, not {value!r}")
    return float(value)


def _priority(props: dict[str, Any]) -> int:
    value = props.get("priority", 2)
    if value not in (1, 2, 3, 4) or isinstance(value, bool):
        raise Unusable("fence-property", f"priority must be 1, 2, 3 or 4, not {value!r}")
    return int(value)


def _limits(entries: dict[str, Any]) -> dict[str, Limit]:
    return {stage: Limit(float(e["limit"]), e["unit"], e["clock"]) for stage, e in entries.items()}


@cache
def _validator(table: str) -> jsonschema.Draft202012Validator:
    """The table's schema, able to follow references into the other schemas (the catalog uses
    the city's definition of a time limit)."""
    folder = resources.files("feeds.city") / "schemas"
    schemas = [json.loads((folder / f"{t}.schema.json").read_text("utf-8")) for t in TABLES]
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )
    return jsonschema.Draft202012Validator(schemas[TABLES.index(table)], registry=registry)


def _layer_of(level: str) -> str:
    return next(layer for layer, lv in AREA_LAYERS.items() if lv == level)


def _check_code(code: str, digits: int, what: str) -> None:
    if not code:
        raise Unusable("code-missing", f"has no {what}")
    if len(code) != digits or not code.isdigit():
        raise Unusable("code-malformed", f"{what} {code!r} is not {digits} digits")


def _parent(code: str, coarser: list[str], known: dict[str, set[str]]) -> str | None:
    """The code of the nearest coarser area whose code starts this one (a code carries its parents)."""
    for level in reversed(coarser):
        prefix = code[: CODE_DIGITS[level]]
        if prefix in known[level]:
            return prefix
    return None


def _entry_name(document: Any, table: str, path: list[Any]) -> str:
    key = ENTRIES.get(table)
    if key is not None and len(path) >= 2 and path[0] == key and isinstance(path[1], int):
        entry = document[key][path[1]]
        label = (
            text(entry.get("code") or entry.get("category") or entry.get("kind"))
            if isinstance(entry, dict)
            else ""
        )
        singular = {
            "departments": "department",
            "categories": "category",
            "rules": "rule",
            "classes": "class",
            "kinds": "kind",
            "schemes": "scheme",
        }[key]
        return f"{singular} {path[1]}" + (f" ({label})" if label else "")
    return "/".join(map(str, path))


def _minutes(clock: Any) -> int:
    try:
        hours, minutes = (int(part) for part in str(clock).split(":"))
    except ValueError:
        raise Unusable("calendar-time", f"{clock!r} is not a time HH:MM") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 24 * 60:
        raise Unusable("calendar-time", f"{clock} is not a time of day")
    return hours * 60 + minutes


def _day(raw: Any) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise Unusable("calendar-date", f"{raw!r} is not a date YYYY-MM-DD") from None


# ---------------------------------------------------------------------------
# Writing


def geojson(feature_list: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": feature_list}


def feature(shape: BaseGeometry, props: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON feature (plain JSON values) with coordinates rounded to about a centimetre."""
    rounded = shapely.set_precision(shape, 10.0**-COORDINATE_DIGITS, mode="pointwise")
    return {"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(rounded))}


def write_folder(folder: Path, documents: Documents, replace: bool = False) -> None:
    """Write all files at once: into a temporary folder beside it, then renamed into place.

    A reader never sees half a folder, and a failed write leaves nothing behind."""
    folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()) and not replace:
        raise FileExistsError(f"{folder} exists and is not empty")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a city folder is read by every seat
        for name, document in documents.items():
            tables = name.endswith(".json")  # people edit tables: indented; layers: compact
            data = json.dumps(
                document,
                ensure_ascii=False,
                indent=2 if tables else None,
                separators=None if tables else (",", ":"),
            )
            (staging / name).write_text(data + "\n", encoding="utf-8")
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}-old-{os.getpid()}")
            folder.rename(old)
        staging.rename(folder)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
