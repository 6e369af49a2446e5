"""Where the crew's field inspectors walk: to the case they are out on, else about their district.

Each inspector's app sends its own position, as a real one would over the producer interface
(docs/protocol.md): a :class:`~feeds.wire.messages.VehicleInfo` of kind ``inspector`` named by
its login, then fixes.  :class:`Patrol` does no I/O and reads no clock: it moves the inspectors
by the hub seconds it is given; the crew (:mod:`feeds.sim.crew`) sends what it says.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import shapely

from feeds.city import City
from feeds.city.workflow import Person
from feeds.domain import VEHICLE_KINDS
from feeds.sim.placement import point_in, random_point
from feeds.wire.messages import Fix, VehicleInfo

WALK_M_S = VEHICLE_KINDS["inspector"].speed_kmh / 3.6
ON_SITE_M = 15.0  # close enough to see the problem


class Patrol:
    """The crew's ``inspectors`` on foot: each starts somewhere in its area and walks."""

    def __init__(self, city: City, inspectors: list[Person], seed: int) -> None:
        self.city, self.inspectors = city, inspectors
        self._rng = np.random.default_rng([seed, 17])
        self._shapes = [self._area_shape(m.scope) for m in inspectors]
        self._xy = self._points(range(len(inspectors)))
        self._wander = self._points(range(len(inspectors)))  # where each walks when it has no task
        self._heading = np.zeros(len(inspectors))
        self._moving = np.zeros(len(inspectors), dtype=bool)
        self._on_task = np.zeros(len(inspectors), dtype=bool)

    def _area_shape(self, scope: str) -> shapely.Geometry | None:
        area = self.city.area(scope) if scope else None
        return area.shape if area is not None else None

    def _points(self, which: range | list[int]) -> np.ndarray:
        """A fresh random point (metres) in the area of each inspector in ``which``."""
        points = [
            point_in(shape, self._rng) if shape is not None else random_point(self.city, self._rng)
            for shape in (self._shapes[i] for i in which)
        ]
        lon, lat = np.array(points).reshape(-1, 2).T
        x, y = self.city.project(lon, lat)
        return np.column_stack((x, y))

    def declarations(self) -> list[VehicleInfo]:
        return [VehicleInfo(m.login, "inspector", m.name) for m in self.inspectors]

    def walk(self, seconds: float, tasks: Mapping[str, tuple[float, float]]) -> None:
        """Walk for ``seconds``; ``tasks`` has the place (lon, lat) of the case each inspector out
        on one is sent to.  An inspector without a task strolls to a point of its area, then on."""
        goal = self._wander.copy()
        self._on_task[:] = False
        for i, member in enumerate(self.inspectors):
            if member.login in tasks:
                x, y = self.city.project(*(np.array([v]) for v in tasks[member.login]))
                goal[i], self._on_task[i] = (x[0], y[0]), True
        ahead = goal - self._xy
        distance = np.hypot(ahead[:, 0], ahead[:, 1])
        step = np.minimum(distance, WALK_M_S * seconds)
        self._moving = (distance > ON_SITE_M) | ~self._on_task  # patrolling, or on the way to a task
        share = np.divide(step, distance, out=np.zeros_like(step), where=distance > 0)
        self._xy += ahead * share[:, None]
        self._heading = np.where(
            self._moving, np.degrees(np.arctan2(ahead[:, 0], ahead[:, 1])) % 360, self._heading
        )
        arrived = np.nonzero(~self._on_task & (distance <= step))[0].tolist()
        if arrived:
            self._wander[arrived] = self._points(arrived)

    def fixes(self, ts: float) -> list[Fix]:
        """Where every inspector is at ``ts``: walking (on patrol or to a task), or at work on site."""
        lon, lat = self.city.unproject(self._xy[:, 0], self._xy[:, 1])
        return [
            Fix(
                m.login,
                round(float(lon[i]), 6),
                round(float(lat[i]), 6),
                ts,
                VEHICLE_KINDS["inspector"].speed_kmh if self._moving[i] else 0.0,
                round(float(self._heading[i])),
                "moving" if self._moving[i] else "working",
            )
            for i, m in enumerate(self.inspectors)
        ]
