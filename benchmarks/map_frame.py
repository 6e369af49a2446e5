"""The city map under load: a big city (12 districts, 200 streets, 20,000 grids, 50,000 road
segments) with 10,000 vehicles that all move every frame.

Measures the first frame after the city arrives (building its outlines for the zoom and
painting them once) and then the steady frames (refresh + repaint).  Aims: under 1 s and
under 33 ms.  ``measure_map_frame()`` is importable; ``python -m benchmarks.map_frame`` prints.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from benchmarks.bigcity import FULL, CitySize, write_big_city
from console.state import HallState
from feeds import wire as p
from feeds.city import City, open_folder


def _sensor_snapshot(city: City) -> p.Snapshot:
    sensors = [
        p.Sensor(s.id, s.kind, s.name, s.lon, s.lat, city.sensor_classes[s.kind].unit, seq=1)
        for s in city.sensors
    ]
    return p.Snapshot("sensors", "bench", 1, sensors)  # type: ignore[arg-type]


def _snapshot(n: int, lon: np.ndarray, lat: np.ndarray) -> p.Snapshot:
    kinds = ("sanitation", "muck", "enforcement", "repair")
    vehicles = [
        p.Vehicle(f"V-{i:05d}", kinds[i % 4], "", float(lon[i]), float(lat[i]), status="moving", seq=1)
        for i in range(n)
    ]
    return p.Snapshot("vehicles", "bench", 1, vehicles)  # type: ignore[arg-type]


def measure_map_frame(n_vehicles: int = 10_000, frames: int = 40, size: CitySize = FULL) -> dict[str, float]:
    """First frame after the city arrives, then median and p95 of refresh + repaint of a
    1920×1080 map when every vehicle moved."""
    from PySide6.QtWidgets import QApplication

    from widgets.map import QtCityMap

    app = QApplication.instance() or QApplication([sys.argv[0]])
    city = open_folder(write_big_city(size=size)).city
    rng = np.random.default_rng(1)
    west, south, east, north = city.bounds
    lon, lat = rng.uniform(west, east, n_vehicles), rng.uniform(south, north, n_vehicles)
    state = HallState()
    state.apply(_sensor_snapshot(city))
    state.apply(_snapshot(n_vehicles, lon, lat))
    city_map = QtCityMap(state)
    city_map.resize(1920, 1080)
    city_map.show()
    app.processEvents()

    started = time.perf_counter()
    state.set_city(city)  # the city arrives
    city_map.refresh(state.take_changes(), time.time())
    city_map.plot.viewport().repaint()
    first_frame_ms = (time.perf_counter() - started) * 1000

    costs = []
    ids = list(state.vehicles)
    for _frame in range(frames):
        lon += rng.normal(0, 2e-5, n_vehicles)
        lat += rng.normal(0, 2e-5, n_vehicles)
        # every vehicle moved: the mirror's columns as HallState.apply leaves them
        state.vehicle_points.lon[:n_vehicles] = lon
        state.vehicle_points.lat[:n_vehicles] = lat
        changes = state.take_changes()
        changes.vehicles.update(ids)
        started = time.perf_counter()
        city_map.refresh(changes, time.time())
        city_map.plot.viewport().repaint()
        costs.append((time.perf_counter() - started) * 1000)
    city_map.close()
    costs.sort()
    return {
        "map_first_frame_ms": first_frame_ms,
        "map_frame_ms_median": statistics.median(costs),
        "map_frame_ms_p95": costs[int(0.95 * (len(costs) - 1))],
        "map_vehicles": float(n_vehicles),
        "map_grids": float(len(city.grids)),
        "map_road_segments": float(len(city.roads)),
    }


if __name__ == "__main__":
    print(measure_map_frame())
