"""The city model: districts, unit grids, roads, sensor sites and the fleet.

Coordinates are WGS-84 longitude/latitude; ``City.project`` gives local
metres for drawing and distances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class District:
    code: str  # 6-digit division code (GB/T 2260 style)
    zh: str
    en: str
    polygon: np.ndarray  # (N, 2) lon/lat, closed ring (first point repeated last)


@dataclass(frozen=True)
class Grid:
    code: str  # 15 digits: district(6) + street(3) + community(3) + sequence(3)
    district: str  # district code
    street: str  # street office name (Chinese)
    community: str  # community name (Chinese)
    polygon: np.ndarray  # (5, 2) lon/lat closed ring
    lon: float  # centre
    lat: float


@dataclass(frozen=True)
class Road:
    name: str  # Chinese road name
    points: np.ndarray  # (N, 2) lon/lat polyline


@dataclass(frozen=True)
class SensorSite:
    id: str
    kind: str  # key of feeds.domain.SENSOR_KINDS
    name: str  # Chinese, e.g. "人民路下穿隧道积水点"
    lon: float
    lat: float


@dataclass(frozen=True)
class FleetUnit:
    id: str
    kind: str  # key of feeds.domain.VEHICLE_KINDS
    plate: str  # e.g. "苏A·12345"


#: Mean earth radius (m); the equirectangular projection is exact enough over 10 km.
EARTH_RADIUS_M = 6_371_008.8


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree east and north at latitude ``lat``."""
    north = math.radians(1.0) * EARTH_RADIUS_M
    return north * math.cos(math.radians(lat)), north


@dataclass(frozen=True)
class _Lattice:
    """Where the unit grids sit: a regular lon/lat lattice, row 0 in the north."""

    west: float
    north: float
    dlon: float
    dlat: float
    index: np.ndarray  # (rows, cols) position in City.grids, -1 where no grid

    def cell(self, lon: float, lat: float) -> int:
        col = math.floor((lon - self.west) / self.dlon)
        row = math.floor((self.north - lat) / self.dlat)
        rows, cols = self.index.shape
        if not (0 <= row < rows and 0 <= col < cols):
            return -1
        return int(self.index[row, col])


@dataclass(frozen=True)
class City:
    name: str
    lon0: float  # projection origin (city centre)
    lat0: float
    districts: tuple[District, ...]
    grids: tuple[Grid, ...]
    roads: tuple[Road, ...]
    sensors: tuple[SensorSite, ...]
    fleet: tuple[FleetUnit, ...]

    def grid_at(self, lon: float, lat: float) -> Grid | None:
        """The unit grid containing the point, or None outside the city."""
        position = self._lattice.cell(lon, lat)
        return self.grids[position] if position >= 0 else None

    def project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Local metres east/north of (lon0, lat0); vectorised, for the map."""
        kx, ky = metres_per_degree(self.lat0)
        return (np.asarray(lon) - self.lon0) * kx, (np.asarray(lat) - self.lat0) * ky

    def unproject(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inverse of :meth:`project`: lon/lat of local metres east/north."""
        kx, ky = metres_per_degree(self.lat0)
        return self.lon0 + np.asarray(x) / kx, self.lat0 + np.asarray(y) / ky

    def extent(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the grid lattice, in degrees."""
        lattice = self._lattice
        rows, cols = lattice.index.shape
        return (
            lattice.west,
            lattice.north - rows * lattice.dlat,
            lattice.west + cols * lattice.dlon,
            lattice.north,
        )

    @cached_property
    def _lattice(self) -> _Lattice:
        """Recover the lattice from the grids once, so grid_at is an index lookup."""
        first = self.grids[0].polygon
        dlon = float(first[:, 0].max() - first[:, 0].min())
        dlat = float(first[:, 1].max() - first[:, 1].min())
        centres = np.array([(g.lon, g.lat) for g in self.grids])
        west = float(centres[:, 0].min()) - dlon / 2
        north = float(centres[:, 1].max()) + dlat / 2
        cols = np.floor((centres[:, 0] - west) / dlon).astype(int)
        rows = np.floor((north - centres[:, 1]) / dlat).astype(int)
        index = np.full((rows.max() + 1, cols.max() + 1), -1)
        index[rows, cols] = np.arange(len(self.grids))
        return _Lattice(west, north, dlon, dlat, index)
