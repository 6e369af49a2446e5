"""Where the simulator puts things in a city it did not make.

A city folder brings areas and, maybe, roads and a sensor registry.  The
simulator drives its fleet along the city's roads, or along a lattice of
synthetic streets clipped to the districts when the city has none; it plays
the city's own sensor sites, or places sites of the city's sensor classes
along the streets and in the areas; and it makes up a fleet with the city's
plate prefix.  Deterministic for a city and seed.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import shapely

from feeds.city.model import City, Site
from feeds.domain import VEHICLE_KINDS

FLEET_COUNTS = {"sanitation": 90, "muck": 40, "enforcement": 40, "repair": 30, "plough": 12}
#: The kinds whose plates are drawn together, oldest first: a kind added later (at the end of
#: FLEET_COUNTS) draws its plates from a stream of its own, so every existing plate stays.
PLATE_GENERATIONS = (("sanitation", "muck", "enforcement", "repair"), ("plough",))
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
#: Sites placed in a city without a sensor registry, per sensor class the city has.
SITE_COUNTS = {"water_level": 13, "manhole_tilt": 150, "gas": 20, "dust": 10, "signal": 60}
#: Synthetic streets: about this many across the city each way, kept between these spacings (m).
STREETS_ACROSS, MIN_SPACING_M, MAX_SPACING_M = 30, 300.0, 2000.0


@dataclass(frozen=True)
class Unit:
    """A vehicle of the simulated fleet."""

    id: str
    kind: str  # key of feeds.domain.VEHICLE_KINDS
    plate: str


def fleet(city: City, seed: int = 2_718) -> list[Unit]:
    kinds = [kind for kind, count in FLEET_COUNTS.items() for _ in range(count)]
    assert set(kinds) <= set(VEHICLE_KINDS)
    assert [kind for generation in PLATE_GENERATIONS for kind in generation] == list(FLEET_COUNTS)
    prefix = f"{city.plate_prefix}·" if city.plate_prefix else ""
    plates: list[str] = []
    taken = np.zeros(0, np.int64)  # numbers already on a plate
    for n, generation in enumerate(PLATE_GENERATIONS):
        rng = np.random.default_rng([seed, n] if n else seed)
        count = sum(FLEET_COUNTS[kind] for kind in generation)
        numbers = rng.choice(np.setdiff1d(np.arange(10_000), taken), count, replace=False)
        letters = rng.choice(list(PLATE_LETTERS), count)
        plates += [f"{prefix}{letter}{number:04d}" for letter, number in zip(letters, numbers, strict=True)]
        taken = np.concatenate((taken, numbers))
    return [
        Unit(f"V-{n + 1:04d}", kind, plate) for n, (kind, plate) in enumerate(zip(kinds, plates, strict=True))
    ]


def streets(city: City) -> list[tuple[str, np.ndarray]]:
    """The city's roads as (name, lon/lat polyline); synthetic, unnamed streets when it has none."""
    if city.roads:
        return [
            (road.name, np.asarray(line.coords))
            for road in city.roads
            for line in getattr(road.shape, "geoms", [road.shape])
        ]
    return _lattice(city)


def _lattice(city: City) -> list[tuple[str, np.ndarray]]:
    """Streets every few hundred metres each way, clipped to the districts.

    Each line has a vertex at every crossing, so vehicles can turn there."""
    west, south, east, north = city.bounds
    x0, y0 = city.project(np.array([west, east]), np.array([south, north]))
    width, height = float(x0[1] - x0[0]), float(y0[1] - y0[0])
    spacing = min(max(math.sqrt(width * height) / STREETS_ACROSS, MIN_SPACING_M), MAX_SPACING_M)
    xs = np.arange(x0[0] + spacing / 2, x0[1], spacing)
    ys = np.arange(y0[0] + spacing / 2, y0[1], spacing)
    lon_x, _ = city.unproject(xs, np.zeros_like(xs))
    _, lat_y = city.unproject(np.zeros_like(ys), ys)
    outline = shapely.union_all([d.shape for d in city.districts])
    lines = [np.column_stack((np.full(len(lat_y), lon), lat_y)) for lon in lon_x]
    lines += [np.column_stack((lon_x, np.full(len(lon_x), lat))) for lat in lat_y]
    found = []
    for line in lines:
        if len(line) < 2:
            continue
        clipped = shapely.intersection(shapely.LineString(line), outline)
        for part in getattr(clipped, "geoms", [clipped]):
            if isinstance(part, shapely.LineString) and len(part.coords) >= 2:
                found.append(("", np.asarray(part.coords)))
    return found


def sensor_sites(city: City, lines: list[tuple[str, np.ndarray]], seed: int = 720) -> list[Site]:
    """The city's sensor registry, or sites placed along its streets and in its areas."""
    if city.sensors:
        return list(city.sensors)
    rng = np.random.default_rng(seed)
    sites: list[Site] = []
    numbers: Counter[str] = Counter()  # sites of a class in one place are told apart by number
    for kind, count in SITE_COUNTS.items():
        spec = city.sensor_classes.get(kind)
        if spec is None:
            continue
        for n in range(count):
            place, lon, lat = _spot(city, lines, rng, along=kind != "dust")
            if city.locate(lon, lat) is not None:
                numbers[place + kind] += 1
                name = f"{place}{numbers[place + kind]}号{spec.name}监测点"
                sites.append(Site(f"{kind.upper()[:3]}-{n + 1:03d}", kind, name, lon, lat))
    return sites


def _spot(
    city: City, lines: list[tuple[str, np.ndarray]], rng: np.random.Generator, along: bool
) -> tuple[str, float, float]:
    """A random point on a street (named after it) or in an area (named after the area)."""
    if along and lines:
        name, line = lines[rng.integers(len(lines))]
        k = int(rng.integers(len(line) - 1))
        lon, lat = line[k] + rng.random() * (line[k + 1] - line[k])
        if name:
            return name, float(lon), float(lat)
        return area_name(city, float(lon), float(lat)), float(lon), float(lat)
    lon, lat = random_point(city, rng)
    return area_name(city, lon, lat), lon, lat


def random_point(city: City, rng: np.random.Generator) -> tuple[float, float]:
    """A point in the city, areas weighted by size (the finest layer it has)."""
    areas = next(
        city.areas[level] for level in ("grid", "community", "street", "district") if city.areas[level]
    )
    sizes = shapely.area(np.array([a.shape for a in areas]))
    return point_in(areas[int(rng.choice(len(areas), p=sizes / sizes.sum()))].shape, rng)


def point_in(shape: shapely.Geometry, rng: np.random.Generator) -> tuple[float, float]:
    """A random point in ``shape`` (lon, lat)."""
    west, south, east, north = shape.bounds
    for _ in range(50):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if shapely.contains_xy(shape, lon, lat):
            return float(lon), float(lat)
    point = shape.representative_point()
    return float(point.x), float(point.y)


def area_name(city: City, lon: float, lat: float) -> str:
    """The street and community a point lies in, in words (the district where those are missing)."""
    place = city.locate(lon, lat)
    if place is None:
        return ""
    names = [area.name for code in (place.street, place.community) if code and (area := city.area(code))]
    district = city.area(place.district)
    return "".join(names) or (district.name if district else "")
