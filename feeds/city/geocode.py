"""Geocoding: which grid, community, street and district a point lies in.

One shapely STRtree per area level, finest first.  A point is looked up in
the finest level the city has; where that level leaves a gap (or is
missing) the next coarser level answers, so a point always falls in the
smallest area that exists.  Vectorised: a whole batch of points is one
query per level.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import STRtree

from feeds.city.crs import distance_m
from feeds.city.model import LEVELS, Area, City, Place


class Geocoder:
    def __init__(self, city: City) -> None:
        self.places: list[Place] = []  # every area's place, indexed by locate_many's answers
        self._levels: list[tuple[STRtree, int]] = []  # finest first: a tree and its first place
        for level in reversed(LEVELS):
            areas = city.areas[level]
            if areas:
                self._levels.append((STRtree([a.shape for a in areas]), len(self.places)))
                self.places.extend(city.place_of(area) for area in areas)
        self._districts = city.districts
        self._district_tree = STRtree([d.shape for d in city.districts])

    def locate_many(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Index into :attr:`places` of each point's smallest area, -1 outside the city."""
        points = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
        found = np.full(len(points), -1, np.int64)
        todo = np.arange(len(points))
        for tree, offset in self._levels:
            if not len(todo):
                break
            hits = tree.query(points[todo], predicate="intersects")
            # A point on a shared edge touches two areas: the first listed takes it, every time.
            first = np.unique(hits[0], return_index=True)[1]
            found[todo[hits[0][first]]] = offset + hits[1][first]
            todo = todo[found[todo] < 0]
        return found

    def locate(self, lon: float, lat: float) -> Place | None:
        index = int(self.locate_many(np.array([lon]), np.array([lat]))[0])
        return self.places[index] if index >= 0 else None

    def nearest_district(self, lon: float, lat: float) -> tuple[Area, float]:
        """The district nearest a point outside the city, and how far it is (m)."""
        point = shapely.Point(lon, lat)
        district = self._districts[int(self._district_tree.nearest(point))]
        near = shapely.shortest_line(point, district.shape).coords[-1]
        return district, float(distance_m(lon, lat, near[0], near[1]))
