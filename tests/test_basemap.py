"""The city prepared for drawing, without Qt: levels of detail, labels, clusters."""

from __future__ import annotations

import numpy as np
import pytest

from console.basemap import ROAD_NAMES_BELOW_M_PER_PX, BaseMap, cluster
from feeds.city import demo


@pytest.fixture(scope="module")
def basemap() -> BaseMap:
    return BaseMap(demo().city)


def test_outlines_are_simplified_to_about_half_a_pixel(basemap: BaseMap) -> None:
    assert basemap.tolerance(0.5) == 0.0  # close up: every vertex
    assert basemap.tolerance(20.0) == 8.0
    assert basemap.tolerance(10_000.0) == 512.0
    fine, coarse = basemap.outlines("street", 0.0), basemap.outlines("street", 128.0)
    assert len(coarse) < len(fine)
    assert np.isnan(fine[-1]).all()  # rings end with a break, so they never join up


def test_grids_show_only_once_they_are_big_enough_to_see(basemap: BaseMap) -> None:
    city_wide = 8000 / 1200  # the whole demo city across a 1200 px map: a 100 m grid is 15 px wide
    assert basemap.levels_shown(city_wide) == ["district", "street", "community", "grid"]
    assert basemap.levels_shown(20.0) == ["district", "street", "community"]  # 5 px grids: a grey mesh
    assert basemap.levels_shown(60.0) == ["district"]  # a small window on the city


def test_labels_grow_with_the_zoom_from_districts_to_road_names(basemap: BaseMap) -> None:
    def levels(metres_per_px: float) -> set[str]:
        return {label.level for label in basemap.labels_shown(metres_per_px)}

    assert levels(60.0) == {"district"}
    assert "street" in levels(12.0) and "road" not in levels(12.0)
    assert "road" in levels(ROAD_NAMES_BELOW_M_PER_PX)
    shown = basemap.labels_shown(2.0)
    assert [label.rank for label in shown] == sorted((label.rank for label in shown), reverse=True)
    roads = [label.text for label in shown if label.level == "road"]
    assert len(roads) == len(set(roads)) and "人民路" in roads  # each named road once
    (district,) = [label for label in shown if label.text == "玄湖区"]
    city = demo().city
    lon, lat = city.unproject(np.array([district.x]), np.array([district.y]))
    assert city.locate(float(lon[0]), float(lat[0])).district == city.districts[0].code  # type: ignore[union-attr]


def test_clusters_count_every_pin_once_in_the_colour_of_the_most_urgent() -> None:
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 1000, 5000), rng.uniform(0, 1000, 5000)
    light = rng.integers(1, 3, 5000)  # yellow and green …
    light[123] = 0  # … and one overdue
    clusters = cluster(x, y, light, cell_m=250.0)
    assert int(clusters.count.sum()) == 5000
    assert len(clusters.x) == 16  # a 4 × 4 grid of cells
    (red,) = np.flatnonzero(clusters.worst == 0)
    assert abs(clusters.x[red] - x[123]) < 250 and abs(clusters.y[red] - y[123]) < 250
    cell = (np.floor(x / 250) == 0) & (np.floor(y / 250) == 0)
    first = np.flatnonzero((clusters.x < 250) & (clusters.y < 250))[0]
    assert clusters.x[first] == pytest.approx(x[cell].mean()) and clusters.count[first] == cell.sum()


def test_no_pins_no_clusters_and_unplaced_pins_are_left_out() -> None:
    assert len(cluster(np.zeros(0), np.zeros(0), np.zeros(0, np.int64), 100.0).x) == 0
    placed = cluster(np.array([1.0, np.nan]), np.array([1.0, 5.0]), np.array([2, 0]), 100.0)
    assert placed.count.tolist() == [1] and placed.worst.tolist() == [2]
