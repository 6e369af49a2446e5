"""`hall city check`: every way a city folder goes wrong is named by file, feature and rule,
and a hub refuses to start on a folder that is not usable, with the same words."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from citykit import SOUTH, STEP, WEST, grid_feature, ring, tiny_city, write

from feeds.city import CityError, open_folder
from feeds.city.folder import Documents, Problem

DEFAULT_CLASSES = Path(__file__).parents[1] / "feeds" / "city" / "defaults" / "sensor_classes.json"

Mutation = Callable[[Documents], Any]


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(CityError) as refused:
        open_folder(folder)
    return refused.value.problems


def test_a_sensor_site_sets_its_own_limits_over_its_class(tmp_path: Path) -> None:
    documents = tiny_city()
    site_limits(warning=15, alarm=40, on_delay_s=0)(documents)
    city = open_folder(write(tmp_path / "city", documents)).city
    own, standard = city.sensor_class("WL-01", "water_level"), city.sensor_classes["water_level"]
    assert (own.warning, own.alarm, own.on_delay_s) == (
        15,
        40,
        0,
    ) and own.rate_per_min == standard.rate_per_min
    assert (standard.warning, standard.alarm, standard.on_delay_s) == (10, 25, 10)
    assert city.sensor_class("WL-99", "water_level") is standard  # a sensor the registry does not list


def test_the_tiny_city_is_usable(tmp_path: Path) -> None:
    folder = open_folder(write(tmp_path / "city", tiny_city()))
    assert folder.problems == []
    city = folder.city
    assert [len(city.areas[level]) for level in ("district", "street", "community", "grid")] == [2, 2, 4, 16]


def set_geometry(code: str, geometry: Any) -> Mutation:
    return lambda docs: grid_feature(docs, code).__setitem__("geometry", geometry)


def polygon(coords: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [coords]}


def bow_tie(docs: Documents) -> None:
    w, s, e, n = WEST, SOUTH + 1.5 * STEP, WEST + STEP, SOUTH + 2 * STEP
    grid_feature(docs, "330101001001001")["geometry"] = polygon([[w, s], [e, n], [e, s], [w, n], [w, s]])


def open_ring(docs: Documents) -> None:
    docs["districts.geojson"]["features"][1]["geometry"]["coordinates"][0].pop()


def duplicate_code(docs: Documents) -> None:
    grid_feature(docs, "330101001001002")["properties"]["code"] = "330101001001001"


def calendar(field: str, value: Any) -> Mutation:
    return lambda docs: docs["calendar.json"].__setitem__(field, value)


def responsibility_row(row: dict[str, str]) -> Mutation:
    return lambda docs: docs["responsibility.json"]["rules"].append(row)


def drop_clock(docs: Documents) -> None:
    del docs["catalog.json"]["categories"][0]["clock"]


def holiday(day: str) -> Mutation:
    return lambda docs: docs["calendar.json"]["holidays"].append({"name": "错日", "from": day, "to": day})


def remove_grid(docs: Documents) -> None:
    docs["grids.geojson"]["features"] = [
        f for f in docs["grids.geojson"]["features"] if f["properties"]["code"] != "330102001002002"
    ]


def sensor_class(kind: str) -> Mutation:
    return lambda docs: docs["sensors.geojson"]["features"][0]["properties"].__setitem__("class", kind)


def sensor_classes(code: str, **fields: Any) -> Mutation:
    """The default sensor classes with ``fields`` of class ``code`` changed."""

    def mutate(docs: Documents) -> None:
        table = json.loads(DEFAULT_CLASSES.read_text(encoding="utf-8"))
        next(c for c in table["classes"] if c["code"] == code).update(fields)
        docs["sensor_classes.json"] = table

    return mutate


def site_limits(**fields: Any) -> Mutation:
    return lambda docs: docs["sensors.geojson"]["features"][0]["properties"].update(fields)


# (what goes wrong, the file named, the rule, words naming the feature or entry, words of the message)
CASES: list[tuple[str, Mutation, str, str, str, str]] = [
    (
        "no geometry",
        set_geometry("330101001001001", None),
        "grids.geojson",
        "no-geometry",
        "330101001001001",
        "",
    ),
    ("an open ring", open_ring, "districts.geojson", "ring-open", "330102", "open"),
    ("a bow tie", bow_tie, "grids.geojson", "self-intersection", "330101001001001", "Self-intersection"),
    (
        "a grid straddling two communities",
        set_geometry("330101001001002", polygon(ring(1.5, 1.5, 2.5, 2))),
        "grids.geojson",
        "outside-parent",
        "330101001001002",
        "outside its community 330101001001",
    ),
    (
        "grids overlapping",
        set_geometry("330101001001001", polygon(ring(0, 1.5, 1.5, 2))),
        "grids.geojson",
        "overlap",
        "330101001001001",
        "overlaps grid 330101001001002",
    ),
    ("a gap between grids", remove_grid, "grids.geojson", "grid-gap", "community 330102001002", "uncovered"),
    (
        "a duplicate grid code",
        duplicate_code,
        "grids.geojson",
        "code-duplicate",
        "330101001001001",
        "used by another",
    ),
    (
        "a malformed grid code",
        lambda docs: grid_feature(docs, "330101001001002")["properties"].__setitem__(
            "code", "33010100100100"
        ),
        "grids.geojson",
        "code-malformed",
        "33010100100100",
        "not 15 digits",
    ),
    (
        "a time of 25:00",
        calendar("working_periods", [["08:00", "12:00"], ["14:00", "25:00"]]),
        "calendar.json",
        "calendar-time",
        "working period 1",
        "25:00",
    ),
    (
        "overlapping working periods",
        calendar("working_periods", [["08:00", "12:00"], ["11:00", "18:00"]]),
        "calendar.json",
        "calendar-overlap",
        "11:00-18:00",
        "overlaps 08:00-12:00",
    ),
    ("an impossible date", holiday("2026-02-30"), "calendar.json", "calendar-date", "holiday", "2026-02-30"),
    (
        "an unknown department in the responsibility table",
        responsibility_row({"category": "06010", "area": "330101", "department": "bureau_of_nothing"}),
        "responsibility.json",
        "department-unknown",
        "06010 × 330101",
        "bureau_of_nothing",
    ),
    (
        "an unknown category in the responsibility table",
        responsibility_row({"category": "99999", "area": "*", "department": "sanitation"}),
        "responsibility.json",
        "category-unknown",
        "99999",
        "not in the catalog",
    ),
    (
        "an unknown area in the responsibility table",
        responsibility_row({"category": "06010", "area": "330199", "department": "sanitation"}),
        "responsibility.json",
        "area-unknown",
        "330199",
        "no layer",
    ),
    (
        "a category without a clock kind",
        drop_clock,
        "catalog.json",
        "schema-required",
        "category 0 (01001)",
        "clock",
    ),
    (
        "a sensor of an unknown class",
        sensor_class("tide"),
        "sensors.geojson",
        "class-unknown",
        "WL-01",
        "tide",
    ),
    (
        "low limits above the high ones",
        sensor_classes("heating_pressure", low_warning=1.7),
        "sensor_classes.json",
        "sensor-class",
        "class heating_pressure",
        "low_warning 1.7",
    ),
    (
        "grades that fall",
        sensor_classes("water_level", grades=[25, 10, 3]),
        "sensor_classes.json",
        "sensor-class",
        "class water_level",
        "grades [25.0, 10.0, 3.0] must rise",
    ),
    (
        "offline before unknown",
        sensor_classes("gas", stale_s=900, offline_s=300),
        "sensor_classes.json",
        "sensor-class",
        "class gas",
        "stale_s ≤ offline_s",
    ),
    (
        "alarms becoming cases of a category the catalog lacks",
        sensor_classes("gas", category="99999"),
        "sensor_classes.json",
        "category-unknown",
        "class gas",
        "99999",
    ),
    (
        "alarms becoming cases on their own, of no category",
        sensor_classes("noise", auto_case=True),
        "sensor_classes.json",
        "sensor-class",
        "class noise",
        "auto_case needs the category",
    ),
    (
        "a sensor site whose own alarm limit is below its warning",
        site_limits(alarm=5),
        "sensors.geojson",
        "sensor-class",
        "WL-01",
        "with its own limits: needs low < high and low ≤ warning ≤ alarm ≤ high",
    ),
    (
        "a sensor suppressed by one the registry lacks",
        site_limits(suppressed_by="WL-99"),
        "sensors.geojson",
        "sensor-class",
        "WL-01",
        "suppressed_by names 'WL-99', not another sensor of the registry",
    ),
    (
        "a sensor site's limit that is not a number",
        site_limits(on_delay_s="30s"),
        "sensors.geojson",
        "sensor-class",
        "WL-01",
        "on_delay_s must be a number, not '30s'",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "file", "rule", "where", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_problem_is_named_by_file_feature_and_rule(
    tmp_path: Path, mutate: Mutation, file: str, rule: str, where: str, words: str
) -> None:
    documents = tiny_city()
    mutate(documents)
    problems = problems_of(write(tmp_path / "city", documents))
    named = [p for p in problems if p.file == file and p.rule == rule and where in p.where]
    assert named, "\n".join(map(str, problems))
    assert words in named[0].message
    line = str(named[0])
    assert line.startswith(f"{file}: ") and line.endswith(f"[{rule}]")


def test_a_layer_that_is_not_json_or_not_a_feature_collection(tmp_path: Path) -> None:
    folder = write(tmp_path / "city", tiny_city())
    (folder / "grids.geojson").write_text("{ not json", encoding="utf-8")
    (folder / "roads.geojson").write_text('{"type": "Feature", "properties": {}}', encoding="utf-8")
    problems = problems_of(folder)
    assert any(p.file == "grids.geojson" and p.rule == "json" for p in problems)
    folder = write(tmp_path / "other", tiny_city())
    (folder / "roads.geojson").write_text('{"type": "Feature", "properties": {}}', encoding="utf-8")
    (problem,) = problems_of(folder)
    assert (problem.file, problem.rule) == ("roads.geojson", "feature-collection")


def test_a_city_needs_its_districts(tmp_path: Path) -> None:
    folder = write(tmp_path / "city", tiny_city())
    (folder / "districts.geojson").unlink()
    assert [(p.file, p.rule) for p in problems_of(folder)] == [("districts.geojson", "missing-file")]


def test_a_districts_layer_without_one_usable_district_is_refused_not_a_crash(tmp_path: Path) -> None:
    documents = tiny_city()
    documents["districts.geojson"]["features"] = []
    problems = problems_of(write(tmp_path / "city", documents))
    assert ("districts.geojson", "no-districts") in [(p.file, p.rule) for p in problems]


def test_a_sensor_outside_the_city_is_a_warning_and_the_folder_stays_usable(tmp_path: Path) -> None:
    documents = tiny_city()
    documents["sensors.geojson"]["features"][0]["geometry"]["coordinates"] = [121.5, 31.2]
    folder = open_folder(write(tmp_path / "city", documents))
    (warning,) = folder.problems
    assert (warning.file, warning.rule, warning.error) == ("sensors.geojson", "outside-city", False)


def test_missing_tables_take_the_shipped_defaults(tmp_path: Path) -> None:
    documents = {k: v for k, v in tiny_city().items() if not k.endswith(".json") or k == "city.json"}
    city = open_folder(write(tmp_path / "city", documents)).city
    assert "06010" in city.categories and "sanitation" in city.departments and city.calendar.periods


def hall(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console.cli", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_hall_city_check_says_what_is_wrong_and_exits_1_and_the_hub_refuses_with_the_same_words(
    tmp_path: Path,
) -> None:
    good = write(tmp_path / "good", tiny_city())
    run = hall("city", "check", str(good))
    assert (
        run.returncode == 0
        and "测试市 (330100): 2 districts, 2 streets, 4 communities, 16 grids" in run.stdout
    )
    assert "usable" in run.stdout

    documents = tiny_city()
    bow_tie(documents)
    bad = write(tmp_path / "bad", documents)
    run = hall("city", "check", str(bad))
    assert run.returncode == 1
    line = next(line for line in run.stderr.splitlines() if "[self-intersection]" in line)
    assert line.startswith("grids.geojson: feature 0 (330101001001001): ")
    hub = hall("hub", "--port", "0", "--city", str(bad))
    assert hub.returncode == 2 and line in hub.stderr and "did not start" in hub.stderr
