"""The demo city: counts, codes, a gap-free grid lattice, sites inside, determinism."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np
import pytest

from feeds.city import City, demo_city
from feeds.city.demo import contains
from feeds.domain import SENSOR_KINDS, VEHICLE_KINDS


@pytest.fixture(scope="module")
def city() -> City:
    return demo_city()


def test_sensor_and_fleet_counts(city: City) -> None:
    kinds = Counter(site.kind for site in city.sensors)
    assert kinds["water_level"] == 13
    assert kinds["signal"] == 210
    assert 120 <= kinds["manhole_tilt"] <= 180
    assert 15 <= kinds["gas"] <= 25
    assert 4 <= kinds["bridge_strain"] <= 8
    assert 8 <= kinds["dust"] <= 12
    assert set(kinds) == set(SENSOR_KINDS)
    fleet = Counter(unit.kind for unit in city.fleet)
    assert set(fleet) == set(VEHICLE_KINDS)
    assert 180 <= len(city.fleet) <= 220


def test_ids_and_plates_are_unique_and_well_formed(city: City) -> None:
    ids = [site.id for site in city.sensors] + [unit.id for unit in city.fleet]
    assert len(set(ids)) == len(ids)
    pattern = {
        "water_level": r"WL-\d{2}", "signal": r"SIG-\d{3}", "manhole_tilt": r"MH-\d{4}",
        "gas": r"GAS-\d{2}", "bridge_strain": r"BR-\d{2}", "dust": r"DUST-\d{2}",
    }  # fmt: skip
    for site in city.sensors:
        assert re.fullmatch(pattern[site.kind], site.id), site
        assert site.name
    for unit in city.fleet:
        assert re.fullmatch(r"V-\d{4}", unit.id)
        assert re.fullmatch(r"苏A·[A-Z]\d{4}", unit.plate)
    assert len({unit.plate for unit in city.fleet}) == len(city.fleet)


def test_waterlogging_points_are_named_after_their_place(city: City) -> None:
    names = [site.name for site in city.sensors if site.kind == "water_level"]
    assert all(name.endswith("积水点") for name in names)
    assert len(set(names)) == len(names)


def test_districts_streets_and_communities(city: City) -> None:
    assert 4 <= len(city.districts) <= 6
    codes = [d.code for d in city.districts]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    streets: defaultdict[str, set[str]] = defaultdict(set)
    communities: defaultdict[str, set[str]] = defaultdict(set)
    for grid in city.grids:
        streets[grid.district].add(grid.street)
        communities[grid.street].add(grid.community)
    assert set(streets) == set(codes)
    assert all(2 <= len(names) <= 4 for names in streets.values())
    assert all(name.endswith("街道") for name in communities)
    assert all(len(names) >= 2 for names in communities.values())
    for district in city.districts:
        assert district.zh.endswith("区") and district.en
        assert np.array_equal(district.polygon[0], district.polygon[-1])


def test_grid_codes(city: City) -> None:
    codes = [grid.code for grid in city.grids]
    assert len(set(codes)) == len(codes)
    segments: dict[str, tuple[str, str]] = {}
    for grid in city.grids:
        assert re.fullmatch(r"\d{15}", grid.code)
        assert grid.code.startswith(grid.district)
        assert grid.code[-3:] != "000"
        # One street and community code per name, across the whole city.
        names = (grid.street, grid.community)
        assert segments.setdefault(grid.code[:12], names) == names


def test_sequence_runs_west_to_east_then_north_to_south(city: City) -> None:
    by_community: defaultdict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for grid in city.grids:
        by_community[grid.code[:12]].append((grid.code, grid.lat, grid.lon))
    for cells in by_community.values():
        cells.sort()
        assert [int(code[-3:]) for code, _, _ in cells] == list(range(1, len(cells) + 1))
        reading_order = sorted(cells, key=lambda c: (-round(c[1], 7), c[2]))
        assert [c[0] for c in reading_order] == [c[0] for c in cells]


def test_grids_are_closed_cells_of_about_a_hectare(city: City) -> None:
    for grid in city.grids[::97]:
        assert grid.polygon.shape == (5, 2)
        assert np.array_equal(grid.polygon[0], grid.polygon[-1])
        x, y = city.project(grid.polygon[:, 0], grid.polygon[:, 1])
        assert np.ptp(x) == pytest.approx(100, abs=1) and np.ptp(y) == pytest.approx(100, abs=1)
        assert np.mean(grid.polygon[:4], axis=0) == pytest.approx((grid.lon, grid.lat))


def test_grids_tile_the_city_without_gaps_or_overlaps(city: City) -> None:
    for grid in city.grids:
        assert city.grid_at(grid.lon, grid.lat) is grid
    # Any point of the extent falls in exactly the grid whose polygon holds it.
    west, south, east, north = city.extent()
    rng = np.random.default_rng(0)
    for lon, lat in zip(rng.uniform(west, east, 3000), rng.uniform(south, north, 3000), strict=True):
        grid = city.grid_at(lon, lat)
        assert grid is not None
        lons, lats = grid.polygon[:, 0], grid.polygon[:, 1]
        assert lons.min() <= lon < lons.max() and lats.min() < lat <= lats.max()
    cell = np.ptp(city.grids[0].polygon[:, 0]) * np.ptp(city.grids[0].polygon[:, 1])
    assert len(city.grids) * cell == pytest.approx((east - west) * (north - south))


def test_outside_the_city_there_is_no_grid(city: City) -> None:
    west, south, east, north = city.extent()
    middle_lon, middle_lat = (west + east) / 2, (south + north) / 2
    for lon, lat in ((west - 1e-4, middle_lat), (east + 1e-4, middle_lat), (middle_lon, north + 1e-4),
                     (middle_lon, south - 1e-4), (0.0, 0.0)):  # fmt: skip
        assert city.grid_at(lon, lat) is None


def test_every_grid_lies_in_its_own_district(city: City) -> None:
    lon = np.array([grid.lon for grid in city.grids])
    lat = np.array([grid.lat for grid in city.grids])
    inside = np.array([contains(d.polygon, lon, lat) for d in city.districts])
    assert (inside.sum(axis=0) == 1).all()
    owners = np.array([d.code for d in city.districts])[inside.argmax(axis=0)]
    assert owners.tolist() == [grid.district for grid in city.grids]


def test_city_size_and_place(city: City) -> None:
    west, south, east, north = city.extent()
    width, height = city.project(np.array([west, east]), np.array([south, north]))
    assert np.ptp(width) == pytest.approx(8000, rel=0.05)
    assert np.ptp(height) == pytest.approx(6000, rel=0.05)
    assert west < city.lon0 < east and south < city.lat0 < north
    assert city.lon0 == pytest.approx(118.78, abs=0.05) and city.lat0 == pytest.approx(32.04, abs=0.05)


def test_every_site_is_inside_the_city(city: City) -> None:
    outside = [site.id for site in city.sensors if city.grid_at(site.lon, site.lat) is None]
    assert outside == []


def test_signals_stand_where_roads_cross(city: City) -> None:
    vertices = {tuple(point) for road in city.roads for point in np.round(road.points, 7).tolist()}
    signals = [site for site in city.sensors if site.kind == "signal"]
    assert all((round(s.lon, 7), round(s.lat, 7)) in vertices for s in signals)
    assert all("与" in s.name and s.name.endswith("交叉口") for s in signals)


def test_roads(city: City) -> None:
    assert 20 <= len(city.roads) <= 40
    names = [road.name for road in city.roads]
    assert len(set(names)) == len(names)
    assert {"人民路", "中山路", "长江大道"} <= set(names)
    for road in city.roads:
        assert road.points.ndim == 2 and road.points.shape[1] == 2 and len(road.points) >= 2
        assert all(city.grid_at(lon, lat) is not None for lon, lat in road.points)


def test_project_is_local_metres_and_vectorised(city: City) -> None:
    x, y = city.project(np.array([city.lon0, city.lon0 + 0.01]), np.array([city.lat0, city.lat0 + 0.01]))
    assert x[0] == 0 and y[0] == 0
    assert x[1] == pytest.approx(943, rel=0.01)  # 0.01° of longitude at 32° N
    assert y[1] == pytest.approx(1112, rel=0.01)
    lon, lat = city.unproject(x, y)
    assert lon == pytest.approx([city.lon0, city.lon0 + 0.01])
    assert lat == pytest.approx([city.lat0, city.lat0 + 0.01])


def test_the_city_is_the_same_every_time(city: City) -> None:
    again = demo_city.__wrapped__()  # a fresh build, not the cached one
    assert again is not city
    assert [g.code for g in again.grids] == [g.code for g in city.grids]
    assert all(np.array_equal(a.polygon, b.polygon) for a, b in zip(again.grids, city.grids, strict=True))
    assert again.sensors == city.sensors
    assert again.fleet == city.fleet
    assert [r.name for r in again.roads] == [r.name for r in city.roads]
    assert all(np.array_equal(a.points, b.points) for a, b in zip(again.roads, city.roads, strict=True))
    assert demo_city() is city
