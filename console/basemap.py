"""The city prepared for drawing, without Qt: outlines in local metres per level of
detail, which layers and labels a zoom shows, and case pins gathered into clusters.

A city of 20,000 grids and 50,000 road segments cannot be stroked whole at
every zoom: outlines are simplified to about half a pixel, grids are drawn
only once they are big enough to see, and labels appear as their areas grow
(districts always, streets closer, road names close up).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from feeds.city import City
from feeds.city.model import LEVELS, metres_per_degree

#: Simplification tolerances (m); a zoom uses the coarsest one under half a pixel.
TOLERANCES_M = (0.0, 2.0, 8.0, 32.0, 128.0, 512.0)
#: An area level's outlines show once its typical area is this wide on screen (px).
OUTLINE_PX = {"district": 0.0, "street": 40.0, "community": 40.0, "grid": 8.0}
#: Labels show once their area is this wide on screen (px); road names below this scale (m/px).
LABEL_PX = {"district": 0.0, "street": 90.0, "community": 160.0}
ROAD_NAMES_BELOW_M_PER_PX = 6.0


@dataclass(frozen=True)
class Label:
    text: str
    x: float  # local metres
    y: float
    level: str  # district, street, community or road
    rank: float  # bigger areas (longer roads) win where labels collide


class BaseMap:
    def __init__(self, city: City) -> None:
        self.city = city
        west, south, east, north = city.bounds
        x, y = city.project(np.array([west, east]), np.array([south, north]))
        self.extent = (float(x[0]), float(y[0]), float(x[1]), float(y[1]))  # left, bottom, right, top
        kx, ky = metres_per_degree(city.lat0)
        self._degrees_per_m = 1.0 / ky
        self._size_m = {level: _typical_width_m(city, level, kx * ky) for level in LEVELS}

    # -- what a zoom shows ---------------------------------------------------

    def tolerance(self, metres_per_px: float) -> float:
        return max(t for t in TOLERANCES_M if t <= 0.5 * metres_per_px)

    def levels_shown(self, metres_per_px: float) -> list[str]:
        """Area levels whose outlines are worth drawing at this zoom, coarsest first."""
        return [
            level
            for level in LEVELS
            if self.city.areas[level] and self._size_m[level] / metres_per_px >= OUTLINE_PX[level]
        ]

    def labels_shown(self, metres_per_px: float) -> list[Label]:
        shown = [
            label
            for label in self.labels
            if (label.level == "road" and metres_per_px <= ROAD_NAMES_BELOW_M_PER_PX)
            or (label.level != "road" and self._size_m[label.level] / metres_per_px >= LABEL_PX[label.level])
        ]
        return sorted(shown, key=lambda label: -label.rank)

    # -- geometry ------------------------------------------------------------

    def outlines(self, level: str, tolerance_m: float) -> np.ndarray:
        """Every area's rings at a level, as (N, 2) metres with NaN rows between rings."""
        shapes = [area.shape for area in self.city.areas[level]]
        return self._polylines(shapely.boundary(self._simplified(shapes, tolerance_m)))

    def district_rings(self, tolerance_m: float) -> list[np.ndarray]:
        """Each district's rings on their own (each district has its own fill)."""
        shapes = self._simplified([d.shape for d in self.city.districts], tolerance_m)
        return [self._polylines(shapely.boundary(np.array([shape]))) for shape in shapes]

    def roads(self, tolerance_m: float) -> np.ndarray:
        return self._polylines(self._simplified([r.shape for r in self.city.roads], tolerance_m))

    def _simplified(self, shapes: Sequence[BaseGeometry], tolerance_m: float) -> np.ndarray:
        array = np.array(shapes, dtype=object)
        if tolerance_m <= 0 or not len(array):
            return array
        return shapely.simplify(array, tolerance_m * self._degrees_per_m, preserve_topology=True)

    def _polylines(self, geometries: np.ndarray) -> np.ndarray:
        """Lines and rings as one (N, 2) array in metres, NaN rows breaking them apart."""
        parts = shapely.get_parts(shapely.get_parts(geometries))
        if not len(parts):
            return np.zeros((0, 2))
        coords, index = shapely.get_coordinates(parts, return_index=True)
        breaks = np.flatnonzero(np.diff(index)) + 1
        x, y = self.city.project(coords[:, 0], coords[:, 1])
        xy = np.insert(np.column_stack((x, y)), breaks, np.nan, axis=0)
        return np.vstack((xy, [[np.nan, np.nan]]))

    # -- labels --------------------------------------------------------------

    @cached_property
    def labels(self) -> list[Label]:
        """Districts, streets and communities at a point inside them; each named road once."""
        found: list[Label] = []
        for level in ("district", "street", "community"):
            areas = self.city.areas[level]
            if not areas:
                continue
            points = shapely.point_on_surface(np.array([a.shape for a in areas]))
            x, y = self.city.project(shapely.get_x(points), shapely.get_y(points))
            sizes = shapely.area(np.array([a.shape for a in areas]))
            found += [
                Label(area.name, float(px), float(py), level, float(size))
                for area, px, py, size in zip(areas, x, y, sizes, strict=True)
                if area.name
            ]
        longest: dict[str, BaseGeometry] = {}
        for road in self.city.roads:
            for part in getattr(road.shape, "geoms", [road.shape]):
                if road.name and (road.name not in longest or part.length > longest[road.name].length):
                    longest[road.name] = part
        for name, line in longest.items():
            middle = line.interpolate(0.5, normalized=True)
            (x,), (y,) = self.city.project(np.array([middle.x]), np.array([middle.y]))
            found.append(Label(name, float(x), float(y), "road", float(line.length)))
        return found


def _typical_width_m(city: City, level: str, m2_per_degree2: float) -> float:
    """The side of a typical area of a level (the median), in metres; 0 without the level."""
    areas = city.areas[level]
    if not areas:
        return 0.0
    return math.sqrt(float(np.median(shapely.area(np.array([a.shape for a in areas])))) * m2_per_degree2)


@dataclass(frozen=True)
class Clusters:
    """Pins gathered into screen cells: where each cell's pins are, how many, and the worst light."""

    x: np.ndarray
    y: np.ndarray
    count: np.ndarray
    worst: np.ndarray  # the most urgent light code (0 red …) among the cell's pins


def cluster(x: np.ndarray, y: np.ndarray, light: np.ndarray, cell_m: float) -> Clusters:
    """Gather points into square cells of ``cell_m`` metres: each cell becomes one marker at its
    pins' mean position, counting them, in the colour of its most urgent pin."""
    keep = np.isfinite(x) & np.isfinite(y)
    x, y, light = x[keep], y[keep], light[keep]
    if not len(x):
        empty = np.zeros(0)
        return Clusters(empty, empty, empty.astype(np.int64), empty.astype(np.int64))
    col = np.floor(x / cell_m).astype(np.int64)
    row = np.floor(y / cell_m).astype(np.int64)
    col -= col.min()
    row -= row.min()
    # One integer per cell: sorting 100,000 of them is quick, unlike unique rows of a 2-D array.
    cells, which = np.unique(col * (int(row.max()) + 1) + row, return_inverse=True)
    count = np.bincount(which, minlength=len(cells))
    worst = np.full(len(cells), np.iinfo(np.int64).max)
    np.minimum.at(worst, which, light.astype(np.int64))
    return Clusters(
        np.bincount(which, weights=x, minlength=len(cells)) / count,
        np.bincount(which, weights=y, minlength=len(cells)) / count,
        count,
        worst,
    )
