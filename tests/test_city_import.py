"""`hall city import`: a GIS department's GeoJSON becomes a city folder, or nothing is written.

Against hand-made layers with the field names GIS exports use, and against the
real district boundaries of 南京市 from a published package of public data
(tests/data/public), including a GCJ-02 copy converted back within 1 m.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from citykit import tiny_city
from public_maps import nanjing_districts

from feeds.city import crs, open_folder
from feeds.city.folder import write_folder
from feeds.city.importer import LayerSpec, import_city


def gis_export(
    documents: dict[str, Any], layer: str, rename: dict[str, str], drop: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A layer as a GIS tool exports it: its own field names, some fields missing."""
    out = json.loads(json.dumps(documents[f"{layer}.geojson"]))
    for feature in out["features"]:
        props = feature["properties"]
        for field in drop:
            props.pop(field, None)
        feature["properties"] = {rename.get(k, k): v for k, v in props.items()}
    return out


def save(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def gis(tmp_path: Path) -> dict[str, Path]:
    """The tiny city's layers as exported: codes in XZQDM with the country prefix, names in XZQMC,
    grids without codes at all."""
    documents = tiny_city()
    districts = gis_export(documents, "districts", {"code": "XZQDM", "name": "XZQMC"})
    for feature in districts["features"]:
        feature["properties"]["XZQDM"] = int(
            "156" + feature["properties"]["XZQDM"]
        )  # a number, as GIS has it
    return {
        "districts": save(tmp_path / "区县.geojson", districts),
        "streets": save(
            tmp_path / "街道.geojson", gis_export(documents, "streets", {"code": "JDDM", "name": "JDMC"})
        ),
        "communities": save(tmp_path / "社区.geojson", gis_export(documents, "communities", {})),
        "grids": save(tmp_path / "网格.geojson", gis_export(documents, "grids", {}, drop=("code",))),
    }


def specs(paths: dict[str, Path], **fields: str) -> list[LayerSpec]:
    return [LayerSpec.parse(f"{layer}={path}{fields.get(layer, '')}") for layer, path in paths.items()]


def test_layer_specs_name_their_fields_and_refuse_what_they_cannot_be() -> None:
    spec = LayerSpec.parse("districts=/data/区县.geojson:name=XZQMC,code=XZQDM")
    assert (spec.layer, spec.path, spec.fields) == (
        "districts",
        Path("/data/区县.geojson"),
        {"name": "XZQMC", "code": "XZQDM"},
    )
    assert LayerSpec.parse("roads=C:/gis/roads.geojson").path == Path("C:/gis/roads.geojson")
    for bad in ("parks=p.geojson", "districts", "districts=", "roads=r.geojson:code=DM"):
        with pytest.raises(ValueError):
            LayerSpec.parse(bad)


def test_an_export_becomes_the_city_it_came_from(tmp_path: Path, gis: dict[str, Path]) -> None:
    result = import_city(specs(gis, districts=":name=XZQMC,code=XZQDM"), name="测试市")
    assert result.documents is not None, "\n".join(map(str, result.problems))
    assert result.problems == []
    assert result.notes == ["grids: numbered 16 area(s) without a code inside their parents"]
    write_folder(tmp_path / "city", result.documents)
    city = open_folder(tmp_path / "city").city
    original = open_folder(write_tiny(tmp_path)).city
    assert city.code == "330100"  # from the districts' codes
    for level in ("district", "street", "community", "grid"):
        assert sorted(a.code for a in city.areas[level]) == sorted(a.code for a in original.areas[level])
    # Numbered as grid codes run: rows north to south, west to east within a row.
    assert [g.code for g in sorted(city.grids, key=lambda g: g.code)] == [
        g.code for g in sorted(original.grids, key=lambda g: g.code)
    ]
    for grid in city.grids:
        assert grid.shape.equals_exact(original.area(grid.code).shape, 1e-9)  # type: ignore[union-attr]
    assert {d.name for d in city.districts} == {"上城区", "下城区"}
    offices = {d.area for d in city.departments.values() if d.kind == "street_office"}
    assert offices == {"330101001", "330102001"}


def write_tiny(tmp_path: Path) -> Path:
    write_folder(tmp_path / "original", tiny_city())
    return tmp_path / "original"


def test_an_unusable_feature_writes_nothing_unless_told_to_leave_it_out(
    tmp_path: Path, gis: dict[str, Path]
) -> None:
    streets = json.loads(gis["streets"].read_text(encoding="utf-8"))
    streets["features"][1]["geometry"] = None
    save(gis["streets"], streets)
    result = import_city(specs(gis), name="测试市")
    assert result.documents is None
    (problem,) = [p for p in result.problems if p.error]
    assert problem.file == str(gis["streets"]) and problem.rule == "no-geometry"
    assert problem.where == "feature 1 (330102001 下城街道)"

    kept = import_city(specs(gis), name="测试市", skip_bad=True)
    assert kept.documents is not None and "1 feature(s) left out (--skip-bad)" in kept.notes
    assert [f["properties"]["code"] for f in kept.documents["streets.geojson"]["features"]] == ["330101001"]


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        ("{ not json", "json"),
        ('{"type": "Feature", "properties": {}}', "feature-collection"),
        ("[]", "feature-collection"),
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_named(
    tmp_path: Path, gis: dict[str, Path], content: str, rule: str
) -> None:
    gis["districts"].write_text(content, encoding="utf-8")
    result = import_city(specs(gis), name="测试市")
    assert result.documents is None
    assert any(p.file == str(gis["districts"]) and p.rule == rule for p in result.problems)


def test_a_missing_file_and_an_unknown_system_are_refused(tmp_path: Path, gis: dict[str, Path]) -> None:
    result = import_city([LayerSpec.parse(f"districts={tmp_path / 'nowhere.geojson'}")], name="x")
    assert result.documents is None and result.problems[0].rule == "file"
    with pytest.raises(ValueError, match="gcj02"):
        import_city(specs(gis), name="测试市", source_crs="mercator")


def hall(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_command_writes_a_usable_folder_or_nothing_at_all(tmp_path: Path, gis: dict[str, Path]) -> None:
    out = tmp_path / "杭州测试市"
    args = [f"{layer}={path}" for layer, path in gis.items()]
    run = hall("city", "import", str(out), *args, "--name", "测试市")
    assert run.returncode == 0, run.stderr
    assert open_folder(out).city.name == "测试市"
    assert hall("city", "import", str(out), *args, "--name", "测试市").returncode == 1  # it exists
    assert hall("city", "import", str(out), *args, "--name", "测试市", "--replace").returncode == 0

    save(gis["grids"], {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]})
    broken = tmp_path / "broken"
    run = hall("city", "import", str(broken), *args, "--name", "测试市")
    assert run.returncode == 1 and "nothing written" in run.stderr and "[no-geometry]" in run.stderr
    assert not broken.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [
        "杭州测试市"
    ]  # no half-written folder


# -- real public data: 南京市 ---------------------------------------------------------


@pytest.fixture(scope="module")
def nanjing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nanjing")
    return save(folder / "nanjing.geojson", nanjing_districts())


def test_the_real_districts_of_nanjing_import_and_geocode(tmp_path: Path, nanjing: Path) -> None:
    result = import_city([LayerSpec.parse(f"districts={nanjing}")], name="南京市", name_en="Nanjing")
    assert result.documents is not None, "\n".join(map(str, result.problems))
    write_folder(tmp_path / "nanjing", result.documents)
    city = open_folder(tmp_path / "nanjing").city
    assert city.code == "320100" and len(city.districts) == 11
    places = {  # well inside their districts (tests/test_public_maps.py measures the margins)
        (118.8622, 31.7420): "320115",  # 禄口国际机场, 江宁区
        (118.8480, 32.0645): "320102",  # 中山陵, 玄武区
        (118.8750, 31.3270): "320118",  # 淳溪, 高淳区
    }
    for (lon, lat), district in places.items():
        place = city.locate(lon, lat)
        assert place is not None and place.district == district, (lon, lat)
        assert place.grid == "" and place.street == ""  # the smallest area that exists: the district
    assert city.locate(116.40, 39.90) is None  # Beijing


def test_a_gcj02_source_lands_within_a_metre_of_its_wgs84_truth(tmp_path: Path, nanjing: Path) -> None:
    truth = json.loads(nanjing.read_text(encoding="utf-8"))
    shifted = json.loads(json.dumps(truth))

    def to_gcj02(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(crs.from_wgs84(coords[:, 0], coords[:, 1], "gcj02"))

    for feature in shifted["features"]:
        shape = shapely.transform(shapely.geometry.shape(feature["geometry"]), to_gcj02)
        feature["geometry"] = json.loads(shapely.to_geojson(shape))
    source = save(tmp_path / "nanjing-gcj02.geojson", shifted)

    result = import_city([LayerSpec.parse(f"districts={source}")], name="南京市", source_crs="gcj02")
    assert result.documents is not None, "\n".join(map(str, result.problems))
    imported = {f["properties"]["code"]: f for f in result.documents["districts.geojson"]["features"]}
    metres_per_degree = 111_195.0  # near enough for distances of a metre
    worst = 0.0
    for feature in truth["features"]:
        want = shapely.geometry.shape(feature["geometry"])
        got = shapely.geometry.shape(imported[feature["properties"]["code"]]["geometry"])
        worst = max(worst, shapely.hausdorff_distance(want.boundary, got.boundary) * metres_per_degree)
    assert worst < 1.0
    offset = crs.distance_m(*crs.from_wgs84(118.8, 32.05, "gcj02"), 118.8, 32.05)
    assert offset > 300  # the shift undone is hundreds of metres


def test_a_gcj02_export_of_nested_areas_still_nests_after_the_shift_is_undone(tmp_path: Path) -> None:
    """Digitised on a GCJ-02 base map, a district edge with two vertices and the community edges
    with three that run along it meet exactly; undoing the shift bends straight lines, so the
    importer must bend them alike, or the check would find slivers outside their parents."""
    documents = tiny_city()  # read as coordinates on a GCJ-02 map
    paths = {
        layer: save(tmp_path / f"{layer}-gcj02.geojson", documents[f"{layer}.geojson"])
        for layer in ("districts", "streets", "communities", "grids")
    }
    result = import_city(specs(paths), name="测试市", source_crs="gcj02")
    assert result.documents is not None, "\n".join(map(str, result.problems))
    assert [p for p in result.problems if p.error] == []
