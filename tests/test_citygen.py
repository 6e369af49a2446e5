"""The demo city folder: what the generator writes, and that the shipped folder is exactly that."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import shapely

from feeds.city import City, demo, demo_folder
from feeds.city.folder import FILES, build, read_folder, write_folder
from feeds.sim import citygen
from feeds.sim.placement import fleet


@pytest.fixture(scope="module")
def city() -> City:
    return demo().city


def test_the_shipped_demo_folder_is_what_the_generator_writes(tmp_path: Path) -> None:
    """Regenerated from the names in the shipped city.json, byte for byte: edit the generator,
    then run ``make demo-city``."""
    shipped = demo_folder()
    info = json.loads((shipped / "city.json").read_text(encoding="utf-8"))
    documents = citygen.generate(info["name"], info["code"], info["name_en"], info["plate_prefix"])
    write_folder(tmp_path / "demo", documents)
    for name in FILES:
        if (shipped / name).exists() or (tmp_path / "demo" / name).exists():
            assert (tmp_path / "demo" / name).read_bytes() == (shipped / name).read_bytes(), name


def test_sensor_counts(city: City) -> None:
    kinds = Counter(site.kind for site in city.sensors)
    assert kinds["water_level"] == 13
    assert kinds["signal"] == 210
    assert 120 <= kinds["manhole_tilt"] <= 180
    assert 15 <= kinds["gas"] <= 25
    assert 4 <= kinds["bridge_strain"] <= 8
    assert 8 <= kinds["dust"] <= 12
    assert kinds["heating_temperature"] == kinds["heating_pressure"] == 12  # heat exchange stations
    assert (kinds["manhole_water"], kinds["street_light"], kinds["noise"]) == (40, 60, 10)
    assert set(kinds) == set(city.sensor_classes)  # every class is played


def test_ids_and_plates_are_unique_and_well_formed(city: City) -> None:
    units = fleet(city)
    ids = [site.id for site in city.sensors] + [unit.id for unit in units]
    assert len(set(ids)) == len(ids)
    pattern = {
        "water_level": r"WL-\d{2}", "signal": r"SIG-\d{3}", "manhole_tilt": r"MH-\d{4}",
        "gas": r"GAS-\d{2}", "bridge_strain": r"BR-\d{2}", "dust": r"DUST-\d{2}",
        "bridge_displacement": r"BD-\d{2}", "tunnel_water": r"TW-\d{2}", "manhole_water": r"MW-\d{3}",
        "street_light": r"SL-\d{3}", "heating_temperature": r"HT-\d{2}", "heating_pressure": r"HP-\d{2}",
        "noise": r"NS-\d{2}",
    }  # fmt: skip
    for site in city.sensors:
        assert re.fullmatch(pattern[site.kind], site.id), site
        assert site.name
    assert 180 <= len(units) <= 220
    for unit in units:
        assert re.fullmatch(r"V-\d{4}", unit.id)
        assert re.fullmatch(rf"{city.plate_prefix}·[A-Z]\d{{4}}", unit.plate)
    assert len({unit.plate for unit in units}) == len(units)


def test_waterlogging_points_are_named_after_their_place(city: City) -> None:
    names = [site.name for site in city.sensors if site.kind == "water_level"]
    assert all(name.endswith("积水点") for name in names)
    assert len(set(names)) == len(names)


def test_the_hierarchy_districts_streets_communities_grids(city: City) -> None:
    assert 4 <= len(city.districts) <= 6
    assert all(d.name.endswith("区") and d.name_en for d in city.districts)
    assert all(d.code.startswith(city.code[:4]) for d in city.districts)
    for level in ("street", "community", "grid"):
        for area in city.areas[level]:
            parent = city.area(area.parent)
            assert parent is not None and area.code.startswith(parent.code), area.code
    streets_per_district = Counter(s.parent for s in city.streets)
    assert all(2 <= n <= 4 for n in streets_per_district.values())
    assert all(s.name.endswith("街道") for s in city.streets)
    assert all(c.name.endswith("社区") for c in city.communities)
    assert len(city.grids) == 4800


def test_grid_sequence_runs_west_to_east_then_north_to_south(city: City) -> None:
    for community in city.communities:
        grids = sorted(city.children(community), key=lambda g: g.code)
        assert [int(g.code[-3:]) for g in grids] == list(range(1, len(grids) + 1))
        reading = sorted(grids, key=lambda g: (-round(g.shape.centroid.y, 4), g.shape.centroid.x))
        assert [g.code for g in reading] == [g.code for g in grids]


def test_grids_are_cells_of_about_a_hectare_that_tile_the_city(city: City) -> None:
    for grid in city.grids[::97]:
        west, south, east, north = grid.shape.bounds
        x, y = city.project(np.array([west, east]), np.array([south, north]))
        assert np.ptp(x) == pytest.approx(100, abs=1) and np.ptp(y) == pytest.approx(100, abs=1)
    union = shapely.union_all([g.shape for g in city.grids])
    districts = shapely.union_all([d.shape for d in city.districts])
    assert union.symmetric_difference(districts).area < 1e-9 * districts.area


def test_every_site_and_road_is_inside_the_city(city: City) -> None:
    assert all(city.locate(s.lon, s.lat) is not None for s in city.sensors)
    for road in city.roads:
        assert all(city.locate(lon, lat) is not None for lon, lat in road.shape.coords)


def test_signals_stand_where_roads_cross(city: City) -> None:
    vertices = shapely.MultiPoint([point for road in city.roads for point in road.shape.coords])
    signals = [site for site in city.sensors if site.kind == "signal"]
    assert all(vertices.distance(shapely.Point(s.lon, s.lat)) < 1e-6 for s in signals)  # 1e-6°: 0.1 m
    assert all("与" in s.name and s.name.endswith("交叉口") for s in signals)


def test_roads(city: City) -> None:
    assert 20 <= len(city.roads) <= 40
    names = [road.name for road in city.roads]
    assert len(set(names)) == len(names)
    assert {"人民路", "中山路", "长江大道"} <= set(names)


def test_city_size_and_projection(city: City) -> None:
    west, south, east, north = city.bounds
    width, height = city.project(np.array([west, east]), np.array([south, north]))
    assert np.ptp(width) == pytest.approx(8000, rel=0.05)
    assert np.ptp(height) == pytest.approx(6000, rel=0.05)
    x, y = city.project(np.array([city.lon0, city.lon0 + 0.01]), np.array([city.lat0, city.lat0 + 0.01]))
    assert x[0] == 0 and y[0] == 0
    assert x[1] == pytest.approx(943, rel=0.01)  # 0.01° of longitude at 32° N
    assert y[1] == pytest.approx(1112, rel=0.01)
    lon, lat = city.unproject(x, y)
    assert lon == pytest.approx([city.lon0, city.lon0 + 0.01])
    assert lat == pytest.approx([city.lat0, city.lat0 + 0.01])


def test_every_street_has_its_street_office(city: City) -> None:
    offices = {d.area for d in city.departments.values() if d.kind == "street_office"}
    assert offices == {s.code for s in city.streets}


def test_reading_the_folder_twice_gives_the_same_city_and_hash() -> None:
    documents, problems = read_folder(demo_folder())
    first, again = build(documents)[0], build(documents)[0]
    assert problems == [] and first.content_hash == again.content_hash == demo().city.content_hash
    assert [g.code for g in first.grids] == [g.code for g in again.grids]
