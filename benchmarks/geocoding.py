"""Geocoding against a city of 20,000 unit grids: points per second of the vectorised
``Geocoder.locate_many`` (aim: 100,000/s), beside the ways one would otherwise do it.

The hub places every case and sensor reading in its grid, and an import may place
thousands of points at once, so the batch rate is what counts; ``city.locate`` one point
at a time and a loop of ``polygon.contains`` without an index are timed in the same run
to show what the index and the batching buy.  All three must agree on every point they
both located, or the figures mean nothing.

``measure_geocoding()`` is importable without side effects; ``python -m benchmarks.geocoding``
prints its result.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import shapely

from benchmarks.bigcity import FULL, CitySize, big_city_documents
from feeds.city import City
from feeds.city.folder import build


def random_points(city: City, count: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Points spread evenly over the city's bounding box (a few fall outside its ragged edge)."""
    rng = np.random.default_rng(seed)
    west, south, east, north = city.bounds
    return rng.uniform(west, east, count), rng.uniform(south, north, count)


def _naive_grid(city: City, lon: float, lat: float) -> str:
    """The grid containing a point, asking every grid in turn: no index, no batching."""
    point = shapely.Point(lon, lat)
    for grid in city.grids:
        if grid.shape.contains(point):
            return grid.code
    return ""


def measure_geocoding(
    points: int = 100_000,
    repeats: int = 5,
    one_by_one: int = 2_000,
    naive: int = 20,
    size: CitySize = FULL,
) -> dict[str, float]:
    """Build the city, then time locate_many on ``points`` random points (median of ``repeats``),
    ``city.locate`` on the first ``one_by_one`` of them and the naive loop on the first ``naive``."""
    documents = big_city_documents(size)
    started = time.perf_counter()
    city, problems = build(documents)
    built = time.perf_counter()
    geocoder = city.geocoder  # the STRtrees and the place of every area
    indexed = time.perf_counter()
    if any(p.error for p in problems):
        raise RuntimeError(f"the benchmark city does not build: {problems[:3]}")

    lon, lat = random_points(city, points)
    geocoder.locate_many(lon[:1000], lat[:1000])  # warm up
    timings, found = [], np.empty(0, np.int64)
    for _ in range(repeats):
        t0 = time.perf_counter()
        found = geocoder.locate_many(lon, lat)
        timings.append(time.perf_counter() - t0)
    batch_s = statistics.median(timings)

    t0 = time.perf_counter()
    singles = [
        city.locate(float(x), float(y)) for x, y in zip(lon[:one_by_one], lat[:one_by_one], strict=True)
    ]
    single_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    naive_grids = [
        _naive_grid(city, float(x), float(y)) for x, y in zip(lon[:naive], lat[:naive], strict=True)
    ]
    naive_s = time.perf_counter() - t0

    batch_grids = [geocoder.places[i].grid if i >= 0 else "" for i in found.tolist()]
    if [p.grid if p else "" for p in singles] != batch_grids[:one_by_one] or naive_grids != batch_grids[
        :naive
    ]:
        raise RuntimeError("locate_many, city.locate and the naive loop disagree")

    batch_rate = points / batch_s
    single_rate = one_by_one / single_s
    naive_rate = naive / naive_s
    return {
        "city_build_s": built - started,
        "geocoder_build_s": indexed - built,
        "geocode_points_per_s": batch_rate,
        "geocode_batch_ms": batch_s * 1000,
        "geocode_located_share": float(np.mean(found >= 0)),
        "geocode_one_by_one_points_per_s": single_rate,
        "geocode_one_by_one_s_all_points": points / single_rate,  # scaled from the subsample
        "geocode_naive_points_per_s": naive_rate,
        "geocode_naive_s_all_points": points / naive_rate,
        "geocode_batch_to_one_by_one_ratio": batch_rate / single_rate,
        "geocode_batch_to_naive_ratio": batch_rate / naive_rate,
        "geocode_points": float(points),
        "geocode_grids": float(len(city.grids)),
    }


if __name__ == "__main__":
    for name, value in measure_geocoding().items():
        print(f"{name:36} {value:>14,.2f}")
