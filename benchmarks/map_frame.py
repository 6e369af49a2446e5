"""The city map under load: a big city (12 districts, 200 streets, 20,000 grids, 50,000 road
segments) with 10,000 vehicles that all move every frame.

``measure_map_frame`` measures the first frame after the city arrives (building its outlines
for the zoom and painting them once) and then the steady frames (refresh + repaint).  Aims:
under 1 s and under 33 ms.

``measure_map_trails`` adds 50,000 sensors and ten minutes of trails behind every vehicle, with
one sensor in a hundred and a vehicle in five hundred in alarm (halos, and those vehicles' trails
in their alarm's colour), and plays 30 frames a second of the vehicles driving on: the frames a second the map
can draw (aim: at least 30), the frames in which a sample period begins (the trail picture
takes a step), and a new view (the picture drawn whole).

Both are importable; ``python -m benchmarks.map_frame`` prints.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.bigcity import FULL, CitySize, write_big_city
from console.state import HallState
from console.trails import SAMPLE_S, TRAIL_S
from feeds import wire as p
from feeds.city import City, open_folder

KINDS = ("sanitation", "muck", "enforcement", "repair")
SPEED_M_S = 8.0  # about 30 km/h
DEG_M = 111_000.0  # metres in a degree of latitude


def _sensor_snapshot(city: City, count: int, rng: np.random.Generator) -> p.Snapshot:
    """The city's own sensors, or ``count`` made up all over it, one in a hundred in alarm."""
    classes = city.sensor_classes
    if count == 0:
        places = [(s.id, s.kind, s.name, s.lon, s.lat) for s in city.sensors]
    else:
        west, south, east, north = city.bounds
        kinds = list(classes)
        lon, lat = rng.uniform(west, east, count), rng.uniform(south, north, count)
        places = [
            (f"S-{n:05d}", kinds[n % len(kinds)], f"S{n}", float(lon[n]), float(lat[n])) for n in range(count)
        ]
    sensors = [
        p.Sensor(
            i, kind, name, lon, lat, classes[kind].unit, state="alarm" if n % 100 == 1 else "normal", seq=1
        )
        for n, (i, kind, name, lon, lat) in enumerate(places)
    ]
    return p.Snapshot("sensors", "bench", 1, sensors)  # type: ignore[arg-type]


def _snapshot(n: int, lon: np.ndarray, lat: np.ndarray) -> p.Snapshot:
    vehicles = [
        p.Vehicle(f"V-{i:05d}", KINDS[i % 4], "", float(lon[i]), float(lat[i]), status="moving", seq=1)
        for i in range(n)
    ]
    return p.Snapshot("vehicles", "bench", 1, vehicles)  # type: ignore[arg-type]


def _alarm_snapshot(state: HallState, now: float) -> p.Snapshot:
    """An alarm standing on every alarmed sensor and on one vehicle in five hundred (off its route)."""
    sensors = [s for s in state.sensors.values() if s.state == "alarm"]
    vehicles = list(state.vehicles)[5::500]
    alarms = [
        p.Alarm(f"AS-{n}", s.kind, 1 + n % 4, 30.0, 25.0, now, sensor_id=s.id) for n, s in enumerate(sensors)
    ] + [
        p.Alarm(f"AV-{n}", "muck", 1 + n % 2, 180.0, 50.0, now, vehicle_id=v, condition="route")
        for n, v in enumerate(vehicles)
    ]
    return p.Snapshot("alarms", "bench", 1, alarms)  # type: ignore[arg-type]


@dataclass
class _Loaded:
    """A shown 1920×1080 map of the big city with its vehicles, and how they drive."""

    app: Any
    city: City
    state: HallState
    city_map: Any
    lon: np.ndarray
    lat: np.ndarray
    heading: np.ndarray
    rng: np.random.Generator

    def drive(self, seconds: float) -> None:
        """Every vehicle drives on for ``seconds``, as HallState.apply leaves the mirror's columns."""
        n = len(self.lon)
        self.heading += self.rng.normal(0, 0.05, n)
        step = SPEED_M_S * seconds / DEG_M
        self.lon += step * np.cos(self.heading) / np.cos(np.radians(self.lat))
        self.lat += step * np.sin(self.heading)
        self.state.vehicle_points.lon[:n] = self.lon
        self.state.vehicle_points.lat[:n] = self.lat

    def frame(self, now: float) -> float:
        """Refresh and repaint after every vehicle moved; the milliseconds it took."""
        changes = self.state.take_changes()
        changes.vehicles.update(self.state.vehicles)
        started = time.perf_counter()
        self.city_map.refresh(changes, now)
        self.city_map.plot.viewport().repaint()
        return (time.perf_counter() - started) * 1000


def _load(n_vehicles: int, size: CitySize, sensors: int = 0) -> _Loaded:
    from PySide6.QtWidgets import QApplication

    from widgets.map import QtCityMap

    app = QApplication.instance() or QApplication([sys.argv[0]])
    city = open_folder(write_big_city(size=size)).city
    rng = np.random.default_rng(1)
    west, south, east, north = city.bounds
    lon, lat = rng.uniform(west, east, n_vehicles), rng.uniform(south, north, n_vehicles)
    state = HallState()
    state.apply(_sensor_snapshot(city, sensors, rng))
    state.apply(_snapshot(n_vehicles, lon, lat))
    city_map = QtCityMap(state)
    city_map.resize(1920, 1080)
    city_map.show()
    app.processEvents()
    return _Loaded(app, city, state, city_map, lon, lat, rng.uniform(0, 2 * np.pi, n_vehicles), rng)


def _spread(prefix: str, costs: list[float]) -> dict[str, float]:
    costs = sorted(costs)
    return {
        f"{prefix}_ms_median": statistics.median(costs),
        f"{prefix}_ms_p95": costs[int(0.95 * (len(costs) - 1))],
    }


def measure_map_frame(n_vehicles: int = 10_000, frames: int = 40, size: CitySize = FULL) -> dict[str, float]:
    """First frame after the city arrives, then median and p95 of refresh + repaint of a
    1920×1080 map when every vehicle moved."""
    loaded = _load(n_vehicles, size)
    started = time.perf_counter()
    loaded.state.set_city(loaded.city)  # the city arrives
    loaded.city_map.refresh(loaded.state.take_changes(), time.time())
    loaded.city_map.plot.viewport().repaint()
    first_frame_ms = (time.perf_counter() - started) * 1000
    costs, now = [], time.time()
    for _frame in range(frames):  # the console's frame clock: 20 a second
        loaded.drive(0.05)
        now += 0.05
        costs.append(loaded.frame(now))
    loaded.city_map.close()
    return {
        "map_first_frame_ms": first_frame_ms,
        **_spread("map_frame", costs),
        "map_vehicles": float(n_vehicles),
        "map_grids": float(len(loaded.city.grids)),
        "map_road_segments": float(len(loaded.city.roads)),
    }


def measure_map_trails(
    n_vehicles: int = 10_000, n_sensors: int = 50_000, seconds: float = 20.0, size: CitySize = FULL
) -> dict[str, float]:
    """Frames of 1/30 s in which every vehicle moved, each with ten minutes of trail behind it:
    refresh + repaint, median and p95, and the frames a second that makes; the frames in
    which a sample period began (the worst); a new view, the whole city (the trail picture drawn
    whole)."""
    loaded = _load(n_vehicles, size, n_sensors)
    now = SAMPLE_S * (time.time() // SAMPLE_S)
    loaded.state.set_city(loaded.city)
    loaded.state.apply(_alarm_snapshot(loaded.state, now))
    loaded.frame(now)
    for _period in range(round(TRAIL_S / SAMPLE_S)):  # ten minutes of driving, a frame a period
        loaded.drive(SAMPLE_S)
        now += SAMPLE_S
        loaded.frame(now)
    now += SAMPLE_S - 0.25  # within the period: the next begins a quarter of a second into the run
    costs, period_began = [], []
    for _frame in range(round(30 * seconds)):
        loaded.drive(1 / 30)
        before, now = now, now + 1 / 30
        cost = loaded.frame(now)
        (period_began if now // SAMPLE_S != before // SAMPLE_S else costs).append(cost)
    view, new_view = loaded.city_map.plot.getViewBox(), []
    for factor in (0.5, 2.0):  # zoom in, and out again: the picture is drawn anew once the view rests
        view.scaleBy((factor, factor))
        loaded.frame(now)
        time.sleep(loaded.city_map.trail_layer.SETTLE_S)
        new_view.append(loaded.frame(now))
    loaded.city_map.close()
    every = costs + period_began
    return {
        **_spread("map_trails_frame", costs),
        "map_trails_frames_per_s": 1000 * len(every) / sum(every),
        "map_trails_period_frame_ms": max(period_began),
        "map_trails_new_view_ms": max(new_view),
        "map_trails_vehicles": float(n_vehicles),
        "map_trails_sensors": float(len(loaded.state.sensors)),
        "map_trails_samples": float(loaded.city_map.trails.size * n_vehicles),
        "map_trails_halos": float(len(loaded.city_map.halos.x)),
    }


if __name__ == "__main__":
    print(measure_map_frame())
    print(measure_map_trails())
