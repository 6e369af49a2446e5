"""Fleet supervision: fences and time windows from the city folder, and the alarms the hub raises
from GPS fixes — off route, driving in forbidden hours, inside a no-entry zone, out of a beat,
overspeed, stopped too long, silent — through the same alarm engine as the sensors'."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.city import City
from feeds.city.fleet import DAY_MINUTES, in_hours, parse_window
from feeds.city.folder import Documents, build
from feeds.city.workflow import Person
from feeds.hub.core import HubCore
from feeds.hub.store import Store
from feeds.records import Alarm
from feeds.wire.messages import AlarmAct, Fix, VehicleInfo
from tests.citykit import SOUTH, STEP, WEST, collection, ring, tiny_city
from tests.hubkit import Clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
METRES_PER_STEP_NORTH = 1_112.0  # 0.01° of latitude
LEAD = Person("lead", "王强", frozenset({"lead"}))


def local(hour: int, minute: int = 0) -> float:
    """Epoch seconds of a local time of day (the tiny city keeps Asia/Shanghai time)."""
    return datetime(2026, 11, 30, hour, minute, tzinfo=SHANGHAI).timestamp()


def zone(fence_id: str, rule: str, box: tuple[float, float, float, float], **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"id": fence_id, "name": fence_id, "rule": rule, **props},
        "geometry": {"type": "Polygon", "coordinates": [ring(*box)]},
    }


def route(fence_id: str, **props: Any) -> dict[str, Any]:
    line = [[WEST + 0.1 * STEP, SOUTH + STEP], [WEST + 3.9 * STEP, SOUTH + STEP]]  # along 解放路
    return {
        "type": "Feature",
        "properties": {"id": fence_id, "name": fence_id, "rule": "route", **props},
        "geometry": {"type": "LineString", "coordinates": line},
    }


FENCES = [
    route("F-ROUTE", vehicles=["M1"], width_m=50),
    zone(
        "F-PEAK", "no_driving", (0, 0, 2, 2), kinds=["muck"], hours=[["07:00", "09:00"], ["17:00", "19:00"]]
    ),
    zone("F-NIGHT", "no_entry", (2, 0, 4, 2), kinds=["sanitation"], hours=[["22:00", "06:00+1"]]),
    zone("F-YARD", "yard", (3.5, 1.5, 4, 2), kinds=["muck"]),
    zone("F-BEAT", "keep_in", (0, 0, 1, 1), vehicles=["S2"]),
]


def fleet_city(fences: list[dict[str, Any]] = FENCES) -> tuple[City, list[Any]]:
    documents: Documents = {**tiny_city(), "fences.geojson": collection(copy.deepcopy(fences))}
    return build(documents)


class Fleet:
    """A hub core on a tiny city with fences, and vehicles driven by hand."""

    def __init__(self, tmp_path: Path, start: float) -> None:
        city, problems = fleet_city()
        assert not problems, problems
        self.clock = Clock(start)
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.core = HubCore(Store(f"sqlite:///{tmp_path / 'hub.db'}").load(), city, self.clock)
        kinds = {"M1": "muck", "M2": "muck", "S1": "sanitation", "S2": "sanitation"}
        outcome = self.core.ingest([VehicleInfo(v, kind, f"苏A{v}") for v, kind in kinds.items()])
        assert outcome.rejected == 0

    def drive(
        self, vehicle: str, x: float, y: float, seconds: float, speed: float, every: float = 5.0
    ) -> None:
        """Fixes every ``every`` seconds for ``seconds`` at lattice point (x, y), the clock along."""
        for n in range(int(seconds / every) + 1):
            if n:
                self.clock.now += every
            fix = Fix(vehicle, WEST + x * STEP, SOUTH + y * STEP, self.clock.now, speed)
            assert self.core.ingest([fix]).rejected == 0
            self.core.tick()

    def alarm(self, vehicle: str, condition: str) -> Alarm | None:
        return self.core.alarms.alarm_of(vehicle, condition)


# -- time windows ---------------------------------------------------------------------------


def test_windows_read_as_written_and_a_night_runs_into_the_next_day() -> None:
    assert parse_window("07:00", "09:00") == (420, 540)
    assert parse_window("22:00", "06:00+1") == (1320, 1800)
    night = (parse_window("22:00", "06:00+1"),)
    assert [in_hours(night, m) for m in (21 * 60 + 59, 22 * 60, 23 * 60 + 30, 0, 5 * 60 + 59, 6 * 60)] == [
        False,
        True,
        True,
        True,
        True,
        False,
    ]
    assert in_hours((), 720.0)  # no hours: always in force


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [
        ("09:00", "07:00", "ends before it starts"),
        ("08:00", "08:00", "ends before it starts"),
        ("22:00", "23:00+1", "longer than a day"),
        ("7:00", "09:00", "not a time of day"),
        ("07:00", "24:00", "not a time of day"),
        ("07:00+1", "09:00+1", "starts on its own day"),
    ],
)
def test_a_window_that_cannot_be_is_refused_with_its_reason(start: str, end: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_window(start, end)


@given(
    st.integers(0, DAY_MINUTES - 1),
    st.integers(1, DAY_MINUTES),
    st.floats(0, DAY_MINUTES, exclude_max=True),
)
def test_a_window_holds_exactly_the_minutes_from_its_start_to_its_end(
    start: int, length: int, minute: float
) -> None:
    end = start + length
    by_hand = start <= minute < end or start <= minute + DAY_MINUTES < end
    assert in_hours(((start, end),), minute) == by_hand


# -- fences in the city folder ----------------------------------------------------------------


def test_the_folder_gives_fences_their_rules_hours_and_vehicles() -> None:
    city, problems = fleet_city()
    assert not problems
    fences = {f.id: f for f in city.fences}
    assert fences["F-PEAK"].hours == ((420, 540), (1020, 1140))
    assert fences["F-PEAK"].applies_to("M2", "muck") and not fences["F-PEAK"].applies_to("S1", "sanitation")
    assert fences["F-ROUTE"].applies_to("M1", "muck") and not fences["F-ROUTE"].applies_to("M2", "muck")
    assert fences["F-ROUTE"].shape.geom_type == "LineString" and fences["F-ROUTE"].width_m == 50
    assert city.fleet["muck"].speed_kmh == 60 and city.fleet["muck"].stop_s == 1800


def _broken(feature: dict[str, Any], change: Any) -> list[str]:
    bad = copy.deepcopy(feature)
    change(bad)
    city, problems = fleet_city([*FENCES[1:], bad])
    assert bad["properties"]["id"] not in {f.id for f in city.fences}  # left out …
    assert {f.id for f in city.fences} == {f["properties"]["id"] for f in FENCES[1:]}  # … the rest kept
    return [f"{p.rule}: {p.message}" for p in problems if p.file == "fences.geojson"]


def test_a_fence_with_an_open_ring_is_left_out_and_named() -> None:
    def open_ring(f: dict[str, Any]) -> None:
        f["geometry"]["coordinates"][0].pop()

    (problem,) = _broken(zone("F-OPEN", "no_entry", (0, 0, 1, 1)), open_ring)
    assert problem.startswith("ring-open") or problem.startswith("ring-too-short")


def test_a_fence_whose_edges_cross_is_left_out_and_named() -> None:
    def bow_tie(f: dict[str, Any]) -> None:
        w, s, e, n = WEST, SOUTH, WEST + STEP, SOUTH + STEP
        f["geometry"]["coordinates"] = [[[w, s], [e, n], [e, s], [w, n], [w, s]]]

    (problem,) = _broken(zone("F-CROSS", "no_entry", (0, 0, 1, 1)), bow_tie)
    assert problem.startswith("self-intersection")


def test_a_fence_whose_window_ends_before_it_starts_is_left_out_and_named() -> None:
    def backwards(f: dict[str, Any]) -> None:
        f["properties"]["hours"] = [["09:00", "07:00"]]

    (problem,) = _broken(zone("F-BACK", "no_driving", (0, 0, 1, 1)), backwards)
    assert problem.startswith("fence-hours") and "ends before it starts" in problem and "07:00+1" in problem


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda f: f["properties"].update(rule="forbidden"), "fence-rule"),
        (lambda f: f["properties"].update(width_m=-5), "fence-property"),
        (lambda f: f["properties"].update(kinds="muck"), "fence-property"),
        (lambda f: f["properties"].pop("id"), "id-missing"),
    ],
)
def test_a_fence_that_cannot_be_used_says_why(change: Any, rule: str) -> None:
    bad = zone("F-BAD", "no_entry", (0, 0, 1, 1))
    change(bad)
    city, problems = fleet_city([bad])
    assert not city.fences
    assert [p.rule for p in problems] == [rule]


def test_a_route_must_be_a_line_and_a_zone_an_area() -> None:
    as_area = zone("F-R", "route", (0, 0, 1, 1))
    as_line = route("F-Z") | {"properties": {"id": "F-Z", "rule": "no_entry"}}
    city, problems = fleet_city([as_area, as_line])
    assert not city.fences
    assert [p.rule for p in problems] == ["geometry-type", "geometry-type"]


def test_the_check_names_an_unknown_vehicle_kind() -> None:
    from feeds.city.check import check

    city, _ = fleet_city([zone("F-K", "no_entry", (0, 0, 1, 1), kinds=["tank"])])
    assert [(p.rule, p.where) for p in check(city) if p.file == "fences.geojson"] == [
        ("vehicle-kind", "fence F-K F-K")
    ]


# -- alarms from fixes --------------------------------------------------------------------------


def test_a_muck_truck_off_its_route_raises_an_alarm_after_its_delay_and_it_clears_back_on(
    tmp_path: Path,
) -> None:
    fleet = Fleet(tmp_path, local(23))
    fleet.drive("M1", 0.5, 1.0, 60, speed=30)  # on 解放路
    fleet.drive("M2", 0.5, 1.1, 60, speed=30)  # another truck, no route of its own, 111 m off
    assert fleet.alarm("M1", "route") is None and fleet.alarm("M2", "route") is None
    fleet.drive("M1", 0.6, 1.1, 25, speed=30)  # 111 m north of it: not yet (a fix or two astray)
    assert fleet.alarm("M1", "route") is None
    fleet.drive("M1", 0.6, 1.1, 10, speed=30)
    alarm = fleet.alarm("M1", "route")
    assert alarm is not None and alarm.state == "active"
    assert (alarm.vehicle_id, alarm.sensor_id, alarm.kind, alarm.priority) == ("M1", "", "F-ROUTE", 2)
    assert alarm.value == pytest.approx(0.1 * METRES_PER_STEP_NORTH, abs=2) and alarm.threshold == 50
    fleet.drive("M1", 0.7, 1.0, 20, speed=30)  # back on the route past its off-delay
    cleared = fleet.alarm("M1", "route")
    assert cleared is not None and cleared.state == "cleared" and cleared.id == alarm.id


def test_a_muck_truck_driving_in_the_peak_zone_alarms_only_in_its_hours_and_only_when_moving(
    tmp_path: Path,
) -> None:
    morning = Fleet(tmp_path / "morning", local(8))
    morning.drive("M2", 1.0, 1.5, 40, speed=30)
    alarm = morning.alarm("M2", "no_driving")
    assert alarm is not None and alarm.kind == "F-PEAK" and alarm.value == 30
    parked = Fleet(tmp_path / "parked", local(8))
    parked.drive("M2", 1.0, 1.5, 40, speed=0)
    assert parked.alarm("M2", "no_driving") is None
    midday = Fleet(tmp_path / "midday", local(10))
    midday.drive("M2", 1.0, 1.5, 40, speed=30)
    midday.drive("S1", 1.0, 1.5, 40, speed=30)  # a sweeper: the zone is for muck trucks
    assert midday.alarm("M2", "no_driving") is None and midday.alarm("S1", "no_driving") is None


def test_the_peak_ending_clears_the_alarm_while_the_truck_drives_on(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, local(8, 59))
    fleet.drive("M2", 1.0, 1.5, 50, speed=30)
    assert fleet.alarm("M2", "no_driving") is not None
    fleet.drive("M2", 1.0, 1.5, 60, speed=30)  # 09:00 passed
    alarm = fleet.alarm("M2", "no_driving")
    assert alarm is not None and alarm.state == "cleared"


@pytest.mark.parametrize(("hour", "alarms"), [(23, True), (2, True), (6, False), (21, False)])
def test_a_no_entry_window_across_midnight(tmp_path: Path, hour: int, alarms: bool) -> None:
    fleet = Fleet(tmp_path, local(hour, 30 if hour == 23 else 0))
    fleet.drive("S1", 3.0, 0.5, 40, speed=10)
    alarm = fleet.alarm("S1", "no_entry")
    assert (alarm is not None and alarm.state == "active") == alarms
    if alarm is not None:
        assert alarm.kind == "F-NIGHT" and alarm.value == pytest.approx(0.5 * METRES_PER_STEP_NORTH, rel=0.05)


def test_a_sweeper_leaving_its_beat_alarms_with_how_far_out(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, local(10))
    fleet.drive("S2", 0.5, 0.5, 40, speed=8)
    assert fleet.alarm("S2", "keep_in") is None
    fleet.drive("S2", 0.5, 1.2, 40, speed=8)
    alarm = fleet.alarm("S2", "keep_in")
    assert alarm is not None and alarm.value == pytest.approx(0.2 * METRES_PER_STEP_NORTH, rel=0.05)


def test_overspeed_counts_only_after_a_moment(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, local(10))
    fleet.drive("M2", 2.5, 1.0, 5, speed=72)  # overtaking
    fleet.drive("M2", 2.5, 1.0, 20, speed=40)
    assert fleet.alarm("M2", "speed") is None
    fleet.drive("M2", 2.5, 1.0, 15, speed=72)
    alarm = fleet.alarm("M2", "speed")
    assert alarm is not None and (alarm.kind, alarm.value, alarm.threshold, alarm.priority) == (
        "muck",
        72,
        60,
        2,
    )


def test_a_truck_standing_too_long_outside_its_yard_alarms_and_inside_it_does_not(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, local(10))
    fleet.drive("M2", 2.5, 0.5, 29 * 60, speed=0, every=60)
    assert fleet.alarm("M2", "stopped") is None
    fleet.drive("M2", 2.5, 0.5, 120, speed=0, every=60)
    alarm = fleet.alarm("M2", "stopped")
    assert alarm is not None and alarm.value >= 1800
    fleet.drive("M1", 3.8, 1.8, 60 * 60, speed=0, every=60)  # in the yard an hour
    assert fleet.alarm("M1", "stopped") is None


def test_a_silent_device_alarms_on_the_clock_and_clears_when_it_speaks(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, local(10))
    fleet.drive("M2", 2.5, 1.0, 10, speed=30)
    fleet.clock.now += 9 * 60
    fleet.core.tick()
    assert fleet.alarm("M2", "silent") is None
    fleet.clock.now += 2 * 60
    fleet.core.tick()
    alarm = fleet.alarm("M2", "silent")
    assert alarm is not None and alarm.state == "active" and alarm.value >= 600
    fleet.drive("M2", 2.5, 1.0, 0, speed=30)
    cleared = fleet.alarm("M2", "silent")
    assert cleared is not None and cleared.state == "cleared"


def test_a_vehicle_alarm_is_shelved_like_any_other_and_stored(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, local(23))
    fleet.drive("M1", 0.6, 1.1, 40, speed=30)
    alarm = fleet.alarm("M1", "route")
    assert alarm is not None
    command = AlarmAct(
        "c-1", alarm.id, alarm.version, "shelve", reason="改道：长江大道施工", until=fleet.clock.now + 3600
    )
    shelved = fleet.core.act_alarm(command, LEAD)
    assert shelved.shelved_until == fleet.clock.now + 3600 and shelved.shelved_by == "lead"
    stored = fleet.core.take_batch().records["alarms"][alarm.id]
    assert stored.vehicle_id == "M1" and stored.condition == "route"  # type: ignore[attr-defined]


def test_the_fleet_benchmark_runs_small() -> None:
    from benchmarks.alarms import measure_fleet

    figures = measure_fleet(vehicles=1_000, rounds=2)
    assert figures["fleet_fixes_per_s"] > 0 and figures["fleet_plain_fixes_per_s"] > 0
    assert figures["fleet_alarms"] > 0  # random fixes break the demo's fences and limits


def test_a_device_that_signed_off_or_stands_in_its_yard_is_not_silent(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, local(22))
    fleet.drive("M1", 3.8, 1.8, 10, speed=0)  # parked in the yard for the night
    fleet.core.ingest(
        [Fix("M2", WEST + 2.5 * STEP, SOUTH + 0.5 * STEP, fleet.clock.now, 0.0, status="offline")]
    )
    fleet.clock.now += 8 * 3600
    fleet.core.tick()
    assert fleet.alarm("M1", "silent") is None and fleet.alarm("M2", "silent") is None


def test_a_fence_naming_a_category_makes_its_violation_a_case_with_how_far_off(tmp_path: Path) -> None:
    documents: Documents = {
        **tiny_city(),
        "fences.geojson": collection([route("F-ROUTE", vehicles=["M1"], category="08011")]),
    }
    city, problems = build(documents)
    assert not problems
    clock = Clock(local(23))
    tmp_path.mkdir(parents=True, exist_ok=True)
    core = HubCore(Store(f"sqlite:///{tmp_path / 'hub.db'}").load(), city, clock)
    core.ingest([VehicleInfo("M1", "muck", "苏A·D0091")])
    for _ in range(8):
        clock.now += 5
        core.ingest([Fix("M1", WEST + 0.6 * STEP, SOUTH + 1.1 * STEP, clock.now, 30.0)])
    alarm = core.alarms.alarm_of("M1", "route")
    assert alarm is not None
    linked = core.act_alarm(AlarmAct("c-1", alarm.id, alarm.version, "open_case"), LEAD)
    case = core.topics["cases"].live[linked.case_id]
    assert case.category == "08011" and case.alarm_id == alarm.id
    assert case.description.startswith("苏A·D0091：F-ROUTE") and " m（报警" in case.description


@pytest.mark.parametrize(
    ("fleet", "rule"),
    [
        ({"kinds": [{"kind": "muck", "speed_kmh": -5}]}, "schema-exclusiveMinimum"),
        ({"kinds": [{"kind": "muck"}, {"kind": "muck", "speed_kmh": 50}]}, "kind-duplicate"),
    ],
)
def test_a_broken_fleet_table_is_named_not_a_crash(fleet: dict[str, Any], rule: str) -> None:
    city, problems = build({**tiny_city(), "fleet.json": fleet})
    assert [p.rule for p in problems] == [rule]
    assert "muck" in city.fleet or rule.startswith("schema")


def test_the_check_names_a_fence_id_taken_by_a_vehicle_kind_and_a_crew_serving_no_category() -> None:
    from feeds.city.check import check

    fleet = {"kinds": [{"kind": "repair", "serves": ["10", "99999"]}]}
    documents = {
        **tiny_city(),
        "fleet.json": fleet,
        "fences.geojson": collection([zone("muck", "no_entry", (0, 0, 1, 1))]),
    }
    city, problems = build(documents)
    assert not problems
    found = {(p.rule, p.where) for p in check(city) if p.file in ("fences.geojson", "fleet.json")}
    assert found == {("id-reserved", "fence muck muck"), ("category-unknown", "kind repair")}


def test_a_fence_priority_must_be_one_of_the_four() -> None:
    city, problems = fleet_city([zone("F-P", "no_entry", (0, 0, 1, 1), priority=2.5)])
    assert not city.fences and [p.rule for p in problems] == ["fence-property"]


def test_the_importer_says_fences_are_written_by_hand() -> None:
    from feeds.city.importer import LayerSpec

    with pytest.raises(ValueError, match="fences are written into the folder by hand"):
        LayerSpec.parse("fences=zones.geojson")
