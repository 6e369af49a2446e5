"""The big benchmark city is what its figures claim (counts, codes, a usable folder, exact
tiling), and the city benchmarks run and report.  No timing here: speed goals are checked
by ``make bench`` printing figures, not by timed tests."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import shapely

from benchmarks.bigcity import (
    FULL,
    RAW_FIELDS,
    SMALL,
    big_city_documents,
    chinese_number,
    raw_layer_specs,
    write_big_city,
    write_raw_layers,
)
from benchmarks.city_import import measure_city_import
from benchmarks.geocoding import measure_geocoding, random_points
from feeds.city import City, open_folder
from feeds.city.folder import Documents, layer_file
from feeds.city.importer import import_city

LAYERS = {"districts": 6, "streets": 9, "communities": 12, "grids": 15}


@pytest.fixture(scope="module")
def full() -> Documents:
    return big_city_documents(FULL)


@pytest.fixture(scope="module")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> City:
    folder = open_folder(write_big_city(tmp_path_factory.mktemp("small") / "city", SMALL))
    assert folder.problems == []
    return folder.city


def _codes(documents: Documents, layer: str) -> list[str]:
    return [f["properties"]["code"] for f in documents[layer_file(layer)]["features"]]


def test_the_full_city_has_the_counts_it_claims(full: Documents) -> None:
    counts = {layer: len(full[layer_file(layer)]["features"]) for layer in (*LAYERS, "roads")}
    assert counts == {"districts": 12, "streets": 200, "communities": 2000, "grids": 20_000, "roads": 50_000}
    assert (FULL.districts, FULL.streets, FULL.communities, FULL.grids, FULL.road_segments) == (
        12,
        200,
        2000,
        20_000,
        50_000,
    )


def test_codes_carry_their_parents_and_grids_are_numbered_per_community(full: Documents) -> None:
    codes = {layer: _codes(full, layer) for layer in LAYERS}
    for layer, digits in LAYERS.items():
        assert all(len(c) == digits and c.isdigit() for c in codes[layer]), layer
        assert len(set(codes[layer])) == len(codes[layer]), layer
        assert codes[layer] == sorted(codes[layer]), layer
    for child, parent in (("streets", "districts"), ("communities", "streets"), ("grids", "communities")):
        assert {c[: LAYERS[parent]] for c in codes[child]} == set(codes[parent])
    per_community = Counter(c[:12] for c in codes["grids"])
    assert set(per_community.values()) == {10}
    assert {c[12:] for c in codes["grids"]} == {f"{n:03d}" for n in range(1, 11)}
    assert {c[:4] for c in codes["districts"]} == {"4101"}


def test_the_full_city_lies_around_zhengzhou_with_named_roads(full: Documents) -> None:
    roads = full[layer_file("roads")]["features"]
    assert all(r["properties"]["name"] and len(r["geometry"]["coordinates"]) == 7 for r in roads)
    assert len({r["properties"]["name"] for r in roads}) == 375
    rings = np.array([f["geometry"]["coordinates"][0] for f in full[layer_file("grids")]["features"]])
    assert rings.shape == (20_000, 17, 2)
    assert 113.4 < rings[..., 0].min() < rings[..., 0].max() < 113.9
    assert 34.6 < rings[..., 1].min() < rings[..., 1].max() < 34.9


def test_the_small_city_is_a_usable_folder_whose_areas_tile_exactly(small_city: City) -> None:
    counts = [len(small_city.areas[level]) for level in ("district", "street", "community", "grid")]
    assert counts == [SMALL.districts, SMALL.streets, SMALL.communities, SMALL.grids] == [2, 6, 12, 48]
    assert len(small_city.roads) == SMALL.road_segments == 48
    for level in ("street", "community", "grid"):
        for area in small_city.areas[level]:
            parent = small_city.area(area.parent)
            assert parent is not None and area.code.startswith(parent.code)
            assert parent.shape.covers(area.shape)
    for parent in (*small_city.districts, *small_city.streets, *small_city.communities):
        children = shapely.union_all([c.shape for c in small_city.children(parent)])
        assert shapely.symmetric_difference(children, parent.shape).area == 0.0  # shared vertices, no slivers
    grids = small_city.grids
    assert all(g.shape.is_valid and len(g.shape.exterior.coords) == 17 for g in grids)


def test_random_points_geocode_to_the_grid_that_contains_them(small_city: City) -> None:
    lon, lat = random_points(small_city, 200, seed=3)
    found = small_city.geocoder.locate_many(lon, lat)
    for x, y, index in zip(lon.tolist(), lat.tolist(), found.tolist(), strict=True):
        containing = [g.code for g in small_city.grids if g.shape.contains(shapely.Point(x, y))]
        assert (small_city.geocoder.places[index].grid if index >= 0 else "") == "".join(containing)
    assert (found >= 0).mean() > 0.9


def test_the_full_city_folder_opens_without_a_single_problem(tmp_path: Path) -> None:
    """``hall city check`` of the folder the benchmarks use: not even a warning."""
    folder = open_folder(write_big_city(tmp_path / "big"))
    assert folder.problems == []
    assert len(folder.city.grids) == 20_000 and len(folder.city.roads) == 50_000


def test_the_raw_layers_import_through_their_gis_field_names(tmp_path: Path) -> None:
    paths = write_raw_layers(tmp_path, SMALL)
    assert set(paths) == set(RAW_FIELDS)
    result = import_city(raw_layer_specs(paths), name="基准市")
    assert result.documents is not None, result.problems
    assert [p for p in result.problems if p.error] == []
    ours = big_city_documents(SMALL)
    for layer in ("districts", "grids"):  # 156-prefixed district codes, grid codes as numbers
        assert _codes(result.documents, layer) == _codes(ours, layer)


def test_the_geocoding_benchmark_reports_its_figures() -> None:
    figures = measure_geocoding(points=2000, repeats=1, one_by_one=100, naive=5, size=SMALL)
    assert figures["geocode_points"] == 2000 and figures["geocode_grids"] == SMALL.grids
    for name in ("geocode_points_per_s", "geocode_one_by_one_points_per_s", "geocode_naive_points_per_s"):
        assert figures[name] > 0
    assert 0.9 < figures["geocode_located_share"] <= 1


def test_the_import_benchmark_reports_its_figures() -> None:
    figures = measure_city_import(SMALL)
    assert figures["city_import_grids"] == SMALL.grids
    assert figures["city_check_warnings"] == 0
    assert figures["city_import_and_check_s"] == figures["city_import_s"] + figures["city_check_s"]
    assert figures["city_import_gcj02_s"] > 0


def test_chinese_numbers_as_road_names_write_them() -> None:
    assert [chinese_number(n) for n in (1, 10, 11, 20, 100, 105, 110, 250)] == [
        "一",
        "十",
        "十一",
        "二十",
        "一百",
        "一百零五",
        "一百一十",
        "二百五十",
    ]
