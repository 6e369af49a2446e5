"""The table models over HallState: structure (qtmodeltester), sorting, filtering,
and how few signals a frame of changes costs."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from pytestqt.qt_compat import qt_api

from benchmarks.queue_sort import measure_queue_sort
from console import names
from console.models import (
    AlarmColumn,
    AlarmTableModel,
    CaseColumn,
    CaseTableModel,
    VehicleColumn,
    VehicleTableModel,
    time_left_text,
)
from console.palette import HallColors
from console.state import Changes, HallState
from feeds import domain
from feeds.city import demo
from feeds.domain import LIGHTS, CaseStatus, Light, lights
from feeds.wire import Alarm, Case, Delta, Sensor, Snapshot, Vehicle

NOW = 1_760_000_000.0
Qt = qt_api.QtCore.Qt
Role = Qt.ItemDataRole
CITY = demo().city
CATEGORY_CODES = list(CITY.categories)
SOURCE_CODES = list(domain.SOURCES)


@pytest.fixture(autouse=True)
def _application(qapp):
    """Colours, fonts and lamps need a QApplication, as in the console; names come from the city."""
    names.use_city(CITY)


# -- building records and feeding them through HallState -----------------------


def make_case(n: int, left_s: float = 3600.0, **fields: object) -> Case:
    """Case number ``n``, due ``left_s`` seconds after NOW, in a real grid of the demo city."""
    grid = CITY.grids[n * 7 % len(CITY.grids)]
    place, centre = CITY.place_of(grid), grid.shape.centroid
    values: dict[str, object] = dict(
        id=f"C{n:06d}",
        category=CATEGORY_CODES[n % len(CATEGORY_CODES)],
        grid=grid.code,
        district=place.district,
        street=place.street,
        community=place.community,
        lon=centre.x,
        lat=centre.y,
        source=SOURCE_CODES[n % len(SOURCE_CODES)],
        description=f"report {n}",
        status=CaseStatus.FILED,
        reported_at=NOW - 600,
        deadline=NOW + left_s,
        limit_s=4 * 3600.0,
        version=1,
    )
    values.update(fields)
    return Case(**values)  # type: ignore[arg-type]


def varied_cases(count: int, seed: int = 7) -> list[Case]:
    """Cases with every status, department, escalation count and light in a shuffled mix."""
    rng = random.Random(seed)
    departments = [None, *CITY.departments]
    return [
        make_case(
            n,
            left_s=rng.uniform(-6 * 3600, 6 * 3600),
            status=CaseStatus.DISPATCHED if n % 3 == 0 else CaseStatus.FILED,
            department=departments[n % len(departments)],
            escalations=n % 4,
        )
        for n in rng.sample(range(count), count)
    ]


def snapshot(state: HallState, topic: str, items: list, stream: str = "s1") -> None:
    assert state.apply(Snapshot(topic=topic, stream=stream, seq=len(items), items=items))  # type: ignore[arg-type]


def delta(state: HallState, topic: str, items: list) -> None:
    seen = state.positions[topic]
    first = seen.seq + 1
    message = Delta(topic=topic, stream=seen.stream, from_seq=first, seq=first + len(items) - 1, items=items)
    assert state.apply(message)  # type: ignore[arg-type]


def case_state(cases: list[Case]) -> HallState:
    state = HallState()
    snapshot(state, "cases", cases)
    state.take_changes()
    return state


class SignalLog:
    """Counts a model's structure and data signals, keeping the dataChanged ranges."""

    def __init__(self, model: qt_api.QtCore.QAbstractItemModel) -> None:
        self.counts = {"inserted": 0, "layout": 0, "reset": 0}
        self.data_changed: list[tuple[int, int, int, int]] = []
        model.rowsInserted.connect(lambda *_: self._count("inserted"))
        model.layoutChanged.connect(lambda *_: self._count("layout"))
        model.modelReset.connect(lambda: self._count("reset"))
        model.dataChanged.connect(self._on_data_changed)

    def _count(self, name: str) -> None:
        self.counts[name] += 1

    def _on_data_changed(self, top_left, bottom_right, _roles) -> None:  # type: ignore[no-untyped-def]
        rows_and_columns = (top_left.row(), bottom_right.row(), top_left.column(), bottom_right.column())
        self.data_changed.append(rows_and_columns)


def column_texts(model: CaseTableModel, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def shown_ids(model: CaseTableModel) -> list[str]:
    return [model.case_at(row).id for row in range(model.rowCount())]


# -- the case model -------------------------------------------------------------


def test_case_model_passes_the_model_tester_through_sorts_filters_and_frames(qtmodeltester):
    state = case_state(varied_cases(60))
    model = CaseTableModel(state, now=NOW)
    qtmodeltester.check(model)  # stays attached: every later signal is checked too

    for column in CaseColumn:
        model.sort(column, Qt.SortOrder.DescendingOrder)
    model.set_text_filter("report 1")
    delta(state, "cases", [make_case(500, left_s=-60, description="report 1 new"), make_case(501)])
    model.refresh(state.take_changes(), NOW + 1)
    model.set_text_filter("")
    model.set_light_filter(Light.RED)
    model.refresh(Changes(), NOW + 4000)
    snapshot(state, "cases", varied_cases(20, seed=3), stream="s2")
    model.refresh(state.take_changes(), NOW + 4001)
    assert model.rowCount() > 0


def sort_key(column: CaseColumn, case: Case) -> object:
    """What each column sorts by, written from the records, independent of the model."""
    return {
        CaseColumn.ID: case.id,
        CaseColumn.CATEGORY: case.category,
        CaseColumn.PLACE: case.grid,
        CaseColumn.SOURCE: SOURCE_CODES.index(case.source),
        CaseColumn.STATUS: list(CaseStatus).index(case.status),
        CaseColumn.ASSIGNEE: names.department_name(case.department),
        CaseColumn.ESCALATIONS: case.escalations,
        CaseColumn.TIME_LEFT: case.deadline,
    }[column]


@pytest.mark.parametrize("column", list(CaseColumn))
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_cases_sort_by_every_column_with_the_most_urgent_first_among_equals(column, order):
    model = CaseTableModel(case_state(varied_cases(80)), now=NOW)
    model.sort(column, order)

    rows = [model.case_at(row) for row in range(model.rowCount())]
    keys = [sort_key(column, case) for case in rows]
    assert keys == sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder)
    for earlier, later in itertools.pairwise(rows):
        if sort_key(column, earlier) == sort_key(column, later):
            assert earlier.deadline <= later.deadline


def test_default_order_puts_the_longest_overdue_case_on_top():
    cases = [make_case(1, left_s=600), make_case(2, left_s=-5000), make_case(3, left_s=-30), make_case(4)]
    model = CaseTableModel(case_state(cases), now=NOW)
    assert shown_ids(model) == ["C000002", "C000003", "C000001", "C000004"]
    assert [model.light_of(row) for row in range(4)] == [Light.RED, Light.RED, Light.YELLOW, Light.GREEN]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C000012", ["C000012"]),
        ("06010", None),  # category code
        ("暴露垃圾", None),  # category name, in the hall's language
        ("REPORT 13", ["C000013"]),  # description, case-insensitive
    ],
)
def test_text_filter_matches_id_category_and_description(text, expected):
    cases = [make_case(n) for n in range(40)]
    model = CaseTableModel(case_state(cases), now=NOW)
    model.set_text_filter(text)

    if expected is None:
        expected = sorted(c.id for c in cases if c.category == "06010")
    assert sorted(shown_ids(model)) == expected
    model.set_text_filter("")
    assert model.rowCount() == 40


def test_text_filter_matches_grid_and_street():
    cases = [make_case(n) for n in range(40)]
    model = CaseTableModel(case_state(cases), now=NOW)
    target = cases[5]

    model.set_text_filter(target.grid)
    assert shown_ids(model) == [c.id for c in cases if c.grid == target.grid]
    model.set_text_filter(target.street)
    assert sorted(shown_ids(model)) == sorted(c.id for c in cases if c.street == target.street)


def test_status_and_light_filters_combine():
    cases = varied_cases(90)
    model = CaseTableModel(case_state(cases), now=NOW)
    model.set_status_filter(CaseStatus.DISPATCHED)
    model.set_light_filter(Light.RED)

    expected = {c.id for c in cases if c.status == CaseStatus.DISPATCHED and c.deadline <= NOW}
    assert expected and set(shown_ids(model)) == expected
    assert model.counts() == (len(expected), len(expected))
    model.set_status_filter(None)
    model.set_light_filter(None)
    assert model.counts() == (90, sum(c.deadline <= NOW for c in cases))


def test_new_cases_are_inserted_once_and_land_in_sort_and_filter_position(qtmodeltester):
    state = case_state([make_case(n, left_s=1000 * n) for n in range(1, 11)])
    model = CaseTableModel(state, now=NOW)
    qtmodeltester.check(model)
    model.set_status_filter(CaseStatus.FILED)
    log = SignalLog(model)

    delta(
        state,
        "cases",
        [
            make_case(20, left_s=-100),  # overdue: belongs on top
            make_case(21, left_s=5500),
            make_case(22, left_s=-50, status=CaseStatus.DISPATCHED),  # filtered out
        ],
    )
    model.refresh(state.take_changes(), NOW)

    assert log.counts["inserted"] == 1
    assert log.counts["layout"] <= 1
    assert model.rowCount() == 12
    top = ["C000020", "C000001", "C000002", "C000003", "C000004", "C000005", "C000021"]
    assert shown_ids(model)[:7] == top
    assert model.row_of("C000022") is None
    assert model.row_of("C000021") == 6


def test_a_frame_of_500_changed_cases_emits_one_merged_data_changed():
    cases = varied_cases(2000)
    state = case_state(cases)
    model = CaseTableModel(state, now=NOW)
    log = SignalLog(model)

    updated = [msg_with(c, description=c.description + " updated", version=2) for c in cases[:500]]
    delta(state, "cases", updated)
    model.refresh(state.take_changes(), NOW + 0.2)  # same second: the clock column is not due

    assert log.counts == {"inserted": 0, "layout": 0, "reset": 0}
    assert len(log.data_changed) == 1
    first, last, left, right = log.data_changed[0]
    rows = [model.row_of(c.id) for c in cases[:500]]
    assert (first, last, left, right) == (min(rows), max(rows), 0, len(CaseColumn) - 1)


def msg_with(case: Case, **fields: object) -> Case:
    values = {name: getattr(case, name) for name in case.__struct_fields__}
    values.update(fields)
    return Case(**values)  # type: ignore[arg-type]


def test_changed_sort_key_moves_the_row_and_keeps_persistent_indexes():
    cases = [make_case(n, left_s=600 * n) for n in range(1, 6)]
    state = case_state(cases)
    model = CaseTableModel(state, now=NOW)
    selected = qt_api.QtCore.QPersistentModelIndex(model.index(model.row_of("C000004"), 2))

    delta(state, "cases", [msg_with(cases[3], deadline=NOW - 10, version=2)])
    model.refresh(state.take_changes(), NOW)

    assert shown_ids(model)[0] == "C000004"
    assert (selected.row(), selected.column()) == (0, 2)


def test_each_new_second_updates_the_time_column_once_and_restyles_rows_that_turn_red():
    cases = [make_case(n, left_s=100 * n) for n in range(1, 30)] + [make_case(0, left_s=0.5)]
    state = case_state(cases)
    model = CaseTableModel(state, now=NOW)
    log = SignalLog(model)

    model.refresh(state.take_changes(), NOW + 0.9)
    assert log.data_changed == []  # same second: nothing to redraw
    model.refresh(state.take_changes(), NOW + 1.0)

    last_row = model.rowCount() - 1
    assert (0, last_row, CaseColumn.TIME_LEFT, CaseColumn.TIME_LEFT) in log.data_changed
    turned_red = model.row_of("C000000")
    assert (turned_red, turned_red, 0, len(CaseColumn) - 1) in log.data_changed
    assert len(log.data_changed) == 2
    assert model.light_of(turned_red) is Light.RED


def test_light_filter_follows_the_clock():
    state = case_state([make_case(1, left_s=5), make_case(2, left_s=3600)])
    model = CaseTableModel(state, now=NOW)
    model.set_light_filter(Light.RED)
    assert model.rowCount() == 0

    model.refresh(state.take_changes(), NOW + 6)
    assert shown_ids(model) == ["C000001"]


def test_a_snapshot_resets_the_model():
    state = case_state(varied_cases(30))
    model = CaseTableModel(state, now=NOW)
    log = SignalLog(model)

    snapshot(state, "cases", [make_case(900), make_case(901, left_s=-5)], stream="s2")
    assert model.index(0, CaseColumn.ID).data() is None  # a paint before the frame finds no record
    model.refresh(state.take_changes(), NOW)

    assert log.counts == {"inserted": 0, "layout": 0, "reset": 1}
    assert log.data_changed == []
    assert shown_ids(model) == ["C000901", "C000900"]


@pytest.mark.parametrize(
    ("left_s", "text", "light"),
    [
        (3 * 3600 + 5 * 60, "3h05", Light.GREEN),
        (48 * 60 + 1, "48:01", Light.GREEN),
        (48 * 60, "48:00", Light.YELLOW),  # exactly YELLOW_SHARE of the 4 h limit left
        (59.2, "01:00", Light.YELLOW),
        (0, "-00:00", Light.RED),
        (-90, "-01:30", Light.RED),
        (-(26 * 3600 + 7 * 60), "-26h07", Light.RED),
    ],
)
def test_time_left_text_and_light(left_s, text, light):
    assert HallState().yellow_share == 0.2  # the expectations above assume it
    model = CaseTableModel(case_state([make_case(1, left_s=left_s)]), now=NOW)
    cell = model.index(0, CaseColumn.TIME_LEFT)

    assert cell.data() == text
    assert model.light_of(0) is light
    colors = {Light.GREEN: HallColors.GREEN, Light.YELLOW: HallColors.YELLOW, Light.RED: HallColors.RED}
    assert cell.data(Role.ForegroundRole).name() == colors[light]
    assert not cell.data(Role.DecorationRole).isNull()
    background = model.index(0, CaseColumn.ID).data(Role.BackgroundRole)
    assert (background is not None) == (light is Light.RED)


def test_column_lights_agree_with_the_domain_rule():
    rng = np.random.default_rng(1)
    limit = rng.choice([2 * 3600.0, 4 * 3600.0, 24 * 3600.0], 5000)
    deadline = NOW + rng.uniform(-1.2, 1.2, 5000) * limit
    deadline[:3] = [NOW, NOW + 0.2 * limit[1], NOW + 0.2 * limit[2] + 1e-6]
    codes = lights(deadline, limit, NOW, 0.2)
    expected = [domain.light(d, lim, NOW, 0.2) for d, lim in zip(deadline, limit, strict=True)]
    assert [LIGHTS[c] for c in codes] == expected


def test_time_left_text_for_long_and_short_times():
    assert time_left_text(1) == "00:01"
    assert time_left_text(3599) == "59:59"
    assert time_left_text(3600) == "1h00"


def test_cells_read_well():
    model = CaseTableModel(case_state([make_case(5, department="sanitation", escalations=2)]), now=NOW)
    texts = [model.index(0, column).data() for column in CaseColumn]
    case = model.case_at(0)
    assert texts[CaseColumn.CATEGORY] == f"{case.category} {CITY.categories[case.category].name}"
    assert texts[CaseColumn.PLACE].endswith(case.grid)
    assert texts[CaseColumn.ASSIGNEE] == "环卫局"
    assert texts[CaseColumn.ESCALATIONS] == "2"
    assert case.description in model.index(0, 0).data(Role.ToolTipRole)
    assert model.headerData(CaseColumn.TIME_LEFT, Qt.Orientation.Horizontal) == "Time left"


# -- alarms ---------------------------------------------------------------------


def make_alarm(n: int, priority: int = 2, **fields: object) -> Alarm:
    values: dict[str, object] = dict(
        id=f"A{n:04d}",
        sensor_id=f"S{n % 5}",
        kind="water_level",
        priority=priority,
        value=30.0 + n,
        threshold=25.0,
        raised_at=NOW - 1000 + n,
    )
    values.update(fields)
    return Alarm(**values)  # type: ignore[arg-type]


def alarm_state(alarms: list[Alarm]) -> HallState:
    state = HallState()
    sensors = [
        Sensor(id=f"S{n}", kind="water_level", name=f"人民路{n}号积水点", lon=0, lat=0, unit="cm")
        for n in range(5)
    ]
    snapshot(state, "sensors", sensors)
    snapshot(state, "alarms", alarms)
    state.take_changes()
    return state


def test_alarms_show_unacknowledged_active_first_then_priority_then_newest(qtmodeltester):
    alarms = [
        make_alarm(1, priority=1, acked=True),
        make_alarm(2, priority=3),
        make_alarm(3, priority=1, state="cleared", cleared_at=NOW),
        make_alarm(4, priority=1),
        make_alarm(5, priority=3),
        make_alarm(6, priority=2, acked=True),
    ]
    state = alarm_state(alarms)
    model = AlarmTableModel(state, now=NOW)
    qtmodeltester.check(model)

    order = [model.record_at(row).id for row in range(model.rowCount())]
    assert order == ["A0004", "A0005", "A0002", "A0001", "A0006", "A0003"]
    assert model.unacknowledged_count() == 3

    log = SignalLog(model)
    delta(state, "alarms", [make_alarm(4, priority=1, acked=True)])
    model.refresh(state.take_changes(), NOW)
    assert model.record_at(0).id == "A0005"
    assert model.unacknowledged_count() == 2
    assert log.counts["layout"] == 1 and len(log.data_changed) == 1

    for column in AlarmColumn:
        model.sort(column, Qt.SortOrder.DescendingOrder)
    model.sort(-1)
    assert model.record_at(0).id == "A0005"


def test_alarm_cells():
    model = AlarmTableModel(alarm_state([make_alarm(2, priority=1)]), now=NOW)
    texts = [model.index(0, column).data() for column in AlarmColumn]
    assert texts[AlarmColumn.SOURCE] == "人民路2号积水点 · 积水深度"
    assert texts[AlarmColumn.VALUE] == "32 cm"
    assert texts[AlarmColumn.THRESHOLD] == "25 cm"
    assert len(texts[AlarmColumn.RAISED]) == 8 and texts[AlarmColumn.RAISED].count(":") == 2
    assert texts[AlarmColumn.STATE] == "Active"
    assert model.index(0, 1).data(Role.BackgroundRole).name() == HallColors.RED_TINT


# -- vehicles -------------------------------------------------------------------


def make_vehicle(n: int, **fields: object) -> Vehicle:
    kinds = list(domain.VEHICLE_KINDS)
    values: dict[str, object] = dict(
        id=f"V{n:04d}",
        kind=kinds[n % len(kinds)],
        plate=f"苏A·{n:05d}",
        lon=118.78,
        lat=32.05,
        speed=float(n % 40),
        status=list(domain.VEHICLE_STATUSES)[n % 4],
        ts=NOW - n % 100,
    )
    values.update(fields)
    return Vehicle(**values)  # type: ignore[arg-type]


def vehicle_state(vehicles: list[Vehicle]) -> HallState:
    state = HallState()
    snapshot(state, "vehicles", vehicles)
    state.take_changes()
    return state


def test_a_frame_of_moving_vehicles_costs_one_data_changed(qtmodeltester):
    vehicles = [make_vehicle(n) for n in range(300)]
    state = vehicle_state(vehicles)
    model = VehicleTableModel(state, now=NOW)
    qtmodeltester.check(model)
    log = SignalLog(model)

    moved = [make_vehicle(n, lon=118.79, ts=NOW + 0.5, speed=12.0) for n in range(300)]
    delta(state, "vehicles", moved)
    model.refresh(state.take_changes(), NOW + 0.5)

    assert log.counts == {"inserted": 0, "layout": 0, "reset": 0}
    assert log.data_changed == [(0, 299, 0, len(VehicleColumn) - 1)]
    for column in VehicleColumn:
        model.sort(column, Qt.SortOrder.AscendingOrder)


def test_vehicle_cells_counts_and_stale_fixes():
    vehicles = [make_vehicle(1, ts=NOW - 5), make_vehicle(2, ts=None), make_vehicle(5, ts=NOW - 3 * 60)]
    model = VehicleTableModel(vehicle_state(vehicles), now=NOW)
    rows = {model.record_at(row).id: row for row in range(3)}

    assert model.index(rows["V0001"], VehicleColumn.FIX_AGE).data() == "5 s"
    assert model.index(rows["V0002"], VehicleColumn.FIX_AGE).data() == "—"
    assert model.index(rows["V0005"], VehicleColumn.FIX_AGE).data() == "3 min"
    assert model.index(rows["V0001"], VehicleColumn.SPEED).data() == "1 km/h"
    assert model.index(rows["V0001"], 0).data(Role.ForegroundRole) is None
    assert model.index(rows["V0005"], 0).data(Role.ForegroundRole).name() == HallColors.MUTED

    counts = model.status_counts()
    assert counts["muck"]["working"] == 2 and counts["muck"]["offline"] == 0
    assert counts["enforcement"]["idle"] == 1
    assert sum(sum(by_status.values()) for by_status in counts.values()) == 3


def test_vehicle_goes_stale_on_the_clock():
    model = VehicleTableModel(vehicle_state([make_vehicle(1, ts=NOW)]), now=NOW)
    assert model.index(0, 0).data(Role.ForegroundRole) is None
    model.refresh(Changes(), NOW + 100)
    assert model.index(0, 0).data(Role.ForegroundRole).name() == HallColors.MUTED
    assert model.index(0, VehicleColumn.FIX_AGE).data() == "1 min"


# -- the benchmark runs ------------------------------------------------------------


def test_queue_sort_benchmark_reports_a_median():
    result = measure_queue_sort(rows=2000, repeats=3)
    assert result["queue_rows"] == 2000
    assert 0 < result["queue_sort_ms_median"] < 100


def test_the_fleet_board_gathers_changes_and_applies_them_once_a_second(qtbot):
    vehicles = [make_vehicle(n) for n in range(20)]
    state = vehicle_state(vehicles)
    model = VehicleTableModel(state, now=NOW)
    model.refresh(Changes(), NOW)
    delta(state, "vehicles", [make_vehicle(3, speed=77.0)])
    with qtbot.assertNotEmitted(model.dataChanged):
        model.refresh(state.take_changes(), NOW + 0.5)  # within the second: gathered, not shown
    delta(state, "vehicles", [make_vehicle(4, speed=66.0)])
    model.refresh(state.take_changes(), NOW + 0.7)
    with qtbot.waitSignal(model.dataChanged):
        model.refresh(Changes(), NOW + 1.1)  # due: both changes land together
    assert "77" in model.data(model.index(model.row_of("V0003"), VehicleColumn.SPEED))
    assert "66" in model.data(model.index(model.row_of("V0004"), VehicleColumn.SPEED))
