"""``hall city import``: a city folder from the GeoJSON files a GIS department already has.

Each layer comes from one file (``districts=区县.geojson:name=XZQMC,code=XZQDM``);
coordinates in WGS-84, CGCS2000, GCJ-02 or BD-09 are converted to WGS-84;
division codes written with the country prefix 156 are recognised; areas
without codes are numbered inside their parent, rows north to south and
west to east within a row.  Every feature that cannot be used is named with
the rule it breaks, and the folder is written only when the whole of it is
usable: built, checked, then moved into place at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from feeds.city import crs
from feeds.city.check import check
from feeds.city.folder import (
    AREA_LAYERS,
    FORMAT,
    TABLES,
    Documents,
    Problem,
    Unusable,
    area_shape,
    build,
    default_tables,
    describe,
    feature,
    features,
    geojson,
    layer_file,
    line_shape,
    point_of,
    properties,
    table_file,
    text,
)
from feeds.city.model import CODE_DIGITS, LEVELS

#: Where to look for a field when the command line does not name it (case is ignored).
FIELD_GUESSES = {
    "code": ("code", "adcode", "xzqdm", "dm", "bm", "wgbm", "gridcode", "jddm", "sqdm"),
    "name": ("name", "名称", "mc", "xzqmc", "jdmc", "sqmc", "wgmc", "roadname", "dlmc"),
    "name_en": ("name_en", "ename", "name_english"),
    "id": ("id", "bsm", "sbbm", "code"),
    "class": ("class", "kind", "type", "lb", "bjlb"),
    "department": ("department", "owner", "qsdw", "zgbm"),
}
#: The fields each layer keeps.
LAYER_FIELDS = {
    **dict.fromkeys(AREA_LAYERS, ("code", "name", "name_en")),
    "roads": ("name",),
    "sensors": ("id", "class", "name"),
    "cameras": ("id", "name"),
    "components": ("id", "class", "name", "department", "code"),
}
COUNTRY_PREFIX = "156"  # China's numeric country code, as some GIS exports write division codes
ROW_BAND_DEG = 0.0005  # about 55 m: areas whose centres lie this close count as one row when numbering


@dataclass(frozen=True)
class LayerSpec:
    layer: str
    path: Path
    fields: dict[str, str] = field(default_factory=dict)  # our property → the file's field

    @classmethod
    def parse(cls, spec: str) -> LayerSpec:
        """``LAYER=FILE[:name=FIELD,code=FIELD]``; raises ValueError with the words to show."""
        layer, sep, rest = spec.partition("=")
        if not sep or layer not in LAYER_FIELDS:
            raise ValueError(
                f"{spec!r}: expected LAYER=FILE with LAYER one of {', '.join(LAYER_FIELDS)} "
                "(fences are written into the folder by hand: docs/city.md)"
            )
        path, fields = rest, {}
        head, colon, tail = rest.rpartition(":")
        if colon and tail and all("=" in pair for pair in tail.split(",")):
            path = head
            for pair in tail.split(","):
                key, _, value = pair.partition("=")
                if key not in LAYER_FIELDS[layer]:
                    raise ValueError(f"{spec!r}: {layer} takes {', '.join(LAYER_FIELDS[layer])}, not {key!r}")
                fields[key] = value
        if not path:
            raise ValueError(f"{spec!r}: no file named")
        return cls(layer, Path(path), fields)


@dataclass
class ImportResult:
    documents: Documents | None  # None: nothing may be written
    problems: list[Problem]
    notes: list[str]


def import_city(
    specs: list[LayerSpec],
    *,
    name: str,
    source_crs: str = "wgs84",
    code: str = "",
    name_en: str = "",
    tables: Path | None = None,
    skip_bad: bool = False,
) -> ImportResult:
    """Read, convert, number and check; the documents of a usable folder, or why there is none."""
    if source_crs not in crs.CRS:
        raise ValueError(f"unknown coordinate system {source_crs!r}; choose one of {', '.join(crs.CRS)}")
    convert = _converter(source_crs)
    problems: list[Problem] = []
    notes: list[str] = []
    layers: dict[str, list[dict[str, Any]]] = {}
    for spec in specs:
        layers[spec.layer] = _read_layer(spec, convert, problems)
    if "districts" not in layers:
        problems.append(
            Problem(layer_file("districts"), "", "missing-file", "a city needs a districts layer")
        )
    notes += _number_missing_codes(layers)
    documents: Documents = {layer_file(layer): geojson(found) for layer, found in layers.items()}
    documents.update(_tables(tables, layers, problems))
    districts = [text(f["properties"].get("code")) for f in layers.get("districts", [])]
    documents[table_file("city")] = {
        "format": FORMAT,
        "name": name,
        **({"name_en": name_en} if name_en else {}),
        "code": code or _city_code(districts),
        "source": {
            "crs": source_crs,
            "imported": date.today().isoformat(),
            "files": {spec.layer: spec.path.name for spec in specs},
        },
    }
    skipped = [p for p in problems if p.error]
    if skipped and not skip_bad:
        return ImportResult(None, problems, notes)
    if skipped:
        notes.append(f"{len(skipped)} feature(s) left out (--skip-bad)")
        problems = [Problem(p.file, p.where, p.rule, p.message, error=False) for p in problems]
    city, more = build(documents)
    problems += more
    if not any(p.error for p in more):
        problems += check(city)
    usable = not any(p.error for p in problems)
    return ImportResult(documents if usable else None, problems, notes)


#: Before a GCJ-02 or BD-09 shift is undone, edges get a vertex at least this often (degrees, ~100 m):
#: the shift bends straight lines, and a district edge with two vertices must still meet the
#: street edges with many that run along it.
DENSIFY_DEG = 0.001


def _converter(source_crs: str) -> Callable[[np.ndarray], np.ndarray]:
    """Geometries of a whole layer to WGS-84, every vertex in one vectorised call."""

    def to_wgs84(coords: np.ndarray) -> np.ndarray:
        lon, lat = crs.to_wgs84(coords[:, 0], coords[:, 1], source_crs)
        return np.column_stack((lon, lat))

    def convert(shapes: np.ndarray) -> np.ndarray:
        if source_crs in ("wgs84", "cgcs2000") or not len(shapes):
            return shapes
        converted: np.ndarray = shapely.transform(shapely.segmentize(shapes, DENSIFY_DEG), to_wgs84)
        return converted

    return convert


def _read_layer(
    spec: LayerSpec, convert: Callable[[np.ndarray], np.ndarray], problems: list[Problem]
) -> list[dict[str, Any]]:
    file = str(spec.path)
    try:
        document = json.loads(spec.path.read_bytes())
        found = features(document)
    except OSError as error:
        problems.append(Problem(file, "", "file", f"cannot be read: {error.strerror or error}"))
        return []
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        problems.append(Problem(file, "", "json", f"is not JSON: {error}"))
        return []
    except RecursionError:
        problems.append(Problem(file, "", "json", "is nested too deeply to read"))
        return []
    except Unusable as error:
        problems.append(Problem(file, "", error.rule, error.message))
        return []
    read = _reader(spec.layer)
    shapes, kept = [], []
    for index, raw in enumerate(found):
        props = _properties(raw, spec)
        try:
            shapes.append(read(raw))
        except Unusable as error:
            problems.append(Problem(file, describe(index, props), error.rule, error.message))
            continue
        if spec.layer in AREA_LAYERS:
            props["code"] = _without_country_prefix(
                props.get("code", ""), CODE_DIGITS[AREA_LAYERS[spec.layer]]
            )
        kept.append({k: v for k, v in props.items() if v != ""})
    converted = convert(np.array(shapes, dtype=object))
    return [feature(shape, props) for shape, props in zip(converted, kept, strict=True)]


def _reader(layer: str) -> Callable[[Any], BaseGeometry]:
    if layer in AREA_LAYERS:
        return area_shape
    if layer == "roads":
        return line_shape
    return lambda raw: shapely.Point(point_of(raw))


def _properties(raw: Any, spec: LayerSpec) -> dict[str, Any]:
    """Our properties of a feature, from the fields named on the command line or guessed."""
    props = properties(raw)
    lowered = {k.lower(): k for k in props}
    found: dict[str, Any] = {}
    for ours in LAYER_FIELDS[spec.layer]:
        if ours in spec.fields:
            found[ours] = text(props.get(spec.fields[ours]))
            continue
        guess = next((lowered[g] for g in FIELD_GUESSES[ours] if g in lowered), None)
        found[ours] = text(props.get(guess)) if guess else ""
    if not found.get("code") and "code" in found and isinstance(raw, dict) and raw.get("id") is not None:
        found["code"] = text(raw["id"])  # GeoJSON's own feature id often carries the code
    return found


def _without_country_prefix(code: str, digits: int) -> str:
    """156370116 → 370116: a division code with the country in front."""
    if len(code) == digits + len(COUNTRY_PREFIX) and code.startswith(COUNTRY_PREFIX) and code.isdigit():
        return code[len(COUNTRY_PREFIX) :]
    return code


def _number_missing_codes(layers: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Give areas without a code one inside the parent they lie in: the parent's code and a
    3-digit sequence, rows north to south, west to east within a row (as grid codes run)."""
    notes = []
    for level in LEVELS[1:]:
        layer = next(name for name, lv in AREA_LAYERS.items() if lv == level)
        missing = [f for f in layers.get(layer, []) if not f["properties"].get("code")]
        parents = _nearest_parent_layer(layers, level)
        if not missing or parents is None:
            continue
        shapes = np.array([shapely.geometry.shape(f["geometry"]) for f in parents])
        tree = shapely.STRtree(shapes)
        centres = shapely.point_on_surface(np.array([shapely.geometry.shape(f["geometry"]) for f in missing]))
        hits = tree.query(centres, predicate="within")
        owner = np.full(len(missing), -1)
        owner[hits[0]] = hits[1]
        taken = {text(f["properties"].get("code")) for f in layers[layer]}
        numbered = 0
        for p in np.unique(owner[owner >= 0]).tolist():
            parent_code = text(parents[p]["properties"].get("code"))
            members = np.flatnonzero(owner == p)
            order = np.lexsort(
                (shapely.get_x(centres[members]), -np.round(shapely.get_y(centres[members]) / ROW_BAND_DEG))
            )
            width = CODE_DIGITS[level] - len(parent_code)
            sequence = 0
            for m in members[order].tolist():
                sequence += 1
                while f"{parent_code}{sequence:0{width}d}" in taken:
                    sequence += 1
                missing[m]["properties"]["code"] = f"{parent_code}{sequence:0{width}d}"
                numbered += 1
        if numbered:
            notes.append(f"{layer}: numbered {numbered} area(s) without a code inside their parents")
    return notes


def _nearest_parent_layer(layers: dict[str, list[dict[str, Any]]], level: str) -> list[dict[str, Any]] | None:
    for parent_level in reversed(LEVELS[: LEVELS.index(level)]):
        layer = next(name for name, lv in AREA_LAYERS.items() if lv == parent_level)
        if layers.get(layer) and all(f["properties"].get("code") for f in layers[layer]):
            return layers[layer]
    return None


def _city_code(districts: list[str]) -> str:
    """The city's code from its districts' (320102 … → 320100) when they agree on it."""
    prefixes = {code[:4] for code in districts if len(code) == 6}
    return f"{prefixes.pop()}00" if len(prefixes) == 1 else ""


def _tables(
    folder: Path | None, layers: dict[str, list[dict[str, Any]]], problems: list[Problem]
) -> Documents:
    """The tables: a city's own from ``folder``, else the shipped defaults; plus a street office
    for every street that has none."""
    tables = default_tables()
    if folder is not None:
        for table in TABLES:
            path = folder / table_file(table)
            if table != "city" and path.exists():
                try:
                    tables[table_file(table)] = json.loads(path.read_bytes())
                except (json.JSONDecodeError, UnicodeDecodeError) as error:
                    problems.append(Problem(str(path), "", "json", f"is not JSON: {error}"))
    departments = tables[table_file("departments")].get("departments")
    if isinstance(departments, list):
        offices = {
            d.get("area") for d in departments if isinstance(d, dict) and d.get("kind") == "street_office"
        }
        for street in layers.get("streets", []):
            street_code, street_name = street["properties"].get("code"), street["properties"].get("name", "")
            if street_code and street_code not in offices:
                departments.append(
                    {
                        "code": f"so-{street_code}",
                        "name": f"{street_name}办事处",
                        "kind": "street_office",
                        "area": street_code,
                    }
                )
    return tables
