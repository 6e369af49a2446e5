"""Geocoding and routing on the city's own data: the smallest area that exists, and the
department the responsibility table names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from citykit import SOUTH, STEP, WEST, tiny_city, write
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.city import City, Place, demo, open_folder
from feeds.city.folder import Documents


def city_of(tmp_path: Path, documents: Documents) -> City:
    return open_folder(write(tmp_path / "city", documents)).city


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> City:
    return city_of(tmp_path_factory.mktemp("tiny"), tiny_city())


def at(x: float, y: float) -> tuple[float, float]:
    """A point in lattice steps from the tiny city's south-west corner."""
    return WEST + x * STEP, SOUTH + y * STEP


def test_a_point_is_placed_in_its_grid_community_street_and_district(tiny: City) -> None:
    assert tiny.locate(*at(0.5, 1.75)) == Place("330101", "330101001", "330101001001", "330101001001001")
    assert tiny.locate(*at(3.5, 0.25)) == Place("330102", "330102001", "330102001002", "330102001002004")


def test_outside_the_city_there_is_no_place(tiny: City) -> None:
    for x, y in ((-0.1, 1), (4.1, 1), (2, 2.1), (2, -0.1)):
        assert tiny.locate(*at(x, y)) is None
    district, metres = tiny.geocoder.nearest_district(*at(5, 1))
    assert district.code == "330102" and metres == pytest.approx(STEP * 96_000, rel=0.1)  # ~1 km east


def test_a_point_on_a_shared_edge_always_falls_in_the_same_grid(tiny: City) -> None:
    edge = at(1, 1.75)  # between grids 001 and 002 of 330101001001
    assert {tiny.locate(*edge) for _ in range(5)} == {tiny.locate(*edge)}
    assert tiny.locate(*edge).grid in ("330101001001001", "330101001001002")  # type: ignore[union-attr]


def test_where_grids_leave_a_gap_the_community_answers(tmp_path: Path) -> None:
    documents = tiny_city()
    documents["grids.geojson"]["features"] = [
        f for f in documents["grids.geojson"]["features"] if f["properties"]["code"] != "330101001001001"
    ]
    # The folder would not pass the check (a gap); the geocoder itself still answers sensibly.
    from feeds.city.folder import build

    city, _ = build(documents)
    assert city.locate(*at(0.5, 1.75)) == Place("330101", "330101001", "330101001001", "")


def test_without_finer_layers_a_point_falls_in_the_smallest_area_there_is(tmp_path: Path) -> None:
    documents = {k: v for k, v in tiny_city().items() if k not in ("grids.geojson", "communities.geojson")}
    city = city_of(tmp_path, documents)
    assert city.locate(*at(0.5, 1.75)) == Place("330101", "330101001", "", "")
    only_districts = {k: v for k, v in documents.items() if k != "streets.geojson"}
    assert city_of(tmp_path / "d", only_districts).locate(*at(3.5, 0.5)) == Place("330102", "", "", "")


@settings(max_examples=300, deadline=None)
@given(st.floats(0.001, 0.999), st.floats(0.001, 0.999))
def test_the_grid_found_holds_the_point(x: float, y: float) -> None:
    city = demo().city
    west, south, east, north = city.bounds
    lon, lat = west + x * (east - west), south + y * (north - south)
    place = city.locate(lon, lat)
    assert place is not None
    grid = city.area(place.grid)
    assert grid is not None and grid.shape.covers(shapely.Point(lon, lat))
    assert place == city.place_of(grid)


def test_a_batch_is_located_as_each_point_alone() -> None:
    city = demo().city
    rng = np.random.default_rng(3)
    west, south, east, north = city.bounds
    lon = rng.uniform(west - 0.01, east + 0.01, 2000)
    lat = rng.uniform(south - 0.01, north + 0.01, 2000)
    found = city.geocoder.locate_many(lon, lat)
    places = city.geocoder.places
    one_by_one = [city.locate(a, b) for a, b in zip(lon, lat, strict=True)]
    assert [places[i] if i >= 0 else None for i in found.tolist()] == one_by_one
    assert 0 < sum(p is None for p in one_by_one) < 2000  # some fell outside


# -- who handles what -------------------------------------------------------------------


def test_the_most_specific_row_of_the_responsibility_table_wins(tmp_path: Path) -> None:
    documents = tiny_city()
    documents["responsibility.json"]["rules"] = [
        {"category": "*", "area": "*", "department": "enforcement"},
        {"category": "06", "area": "*", "department": "sanitation"},
        {"category": "06010", "area": "330102", "department": "street_offices"},
        {"category": "06010", "area": "330102001002", "department": "parks"},
        {"category": "09011", "area": "*", "department": "@street_office"},
    ]
    city = city_of(tmp_path, documents)
    west_grid, east_grid = city.locate(*at(0.5, 1.75)), city.locate(*at(3.5, 0.25))
    assert west_grid is not None and east_grid is not None
    assert city.responsible("06010", west_grid) == "sanitation"  # the major class, city-wide
    assert city.responsible("06010", east_grid) == "parks"  # the finest area named
    assert city.responsible("06010", city.locate(*at(3.5, 1.75))) == "street_offices"  # type: ignore[arg-type]
    assert city.responsible("01001", west_grid) == "enforcement"  # only the catch-all applies
    assert city.responsible("09011", east_grid) == "so-330102001"  # the street office of its street


def test_without_a_row_the_catalog_default_applies_and_a_missing_street_office_is_skipped(
    tmp_path: Path,
) -> None:
    documents = tiny_city()
    documents["responsibility.json"]["rules"] = [
        {"category": "09011", "area": "*", "department": "@street_office"}
    ]
    documents["departments.json"]["departments"] = [
        d for d in documents["departments.json"]["departments"] if d.get("kind") != "street_office"
    ]
    city = city_of(tmp_path, documents)
    place = city.locate(*at(0.5, 0.5))
    assert place is not None
    assert city.responsible("09011", place) == city.categories["09011"].department == "street_offices"
    assert city.responsible("06010", place) == "sanitation"
    assert city.responsible("77777", place) is None
