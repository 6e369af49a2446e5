"""The table models over HallState: structure (qtmodeltester), the queue's order (urgency
class, then light, then time left on the case's own clock), its filters, the countdown texts,
and how few signals a frame of changes costs."""

from __future__ import annotations

import itertools
import random
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pytestqt.qt_compat import qt_api

from console import i18n, names
from console.models import (
    AlarmColumn,
    AlarmTableModel,
    CaseColumn,
    CaseTableModel,
    VehicleColumn,
    VehicleTableModel,
    countdown_text,
    duration_text,
)
from console.palette import LIGHT_COLORS, HallColors
from console.state import Changes, HallState
from feeds import domain
from feeds.city import demo
from feeds.city.clock import Clocks
from feeds.domain import LIGHTS, Light, lights
from feeds.wire import Alarm, Case, Delta, Sensor, Snapshot, Vehicle

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Thursday 2025-10-09 16:53:20 in the demo city: 1 h 6 min 40 s of working time left today.
NOW = 1_760_000_000.0
Qt = qt_api.QtCore.Qt
Role = Qt.ItemDataRole
CITY = demo().city
WORKFLOW = CITY.workflow
CLOCKS = Clocks(CITY.calendar)
CATEGORY_CODES = list(CITY.categories)
SOURCE_CODES = list(domain.SOURCES)
LIFE_AND_SAFETY = [code for code, category in CITY.categories.items() if category.urgency == 1]
ROUTINE = "06010"  # 暴露垃圾: urgency 3, the most common report
FLOODED = "10003"  # 道路积水: urgency 1


def at(local: str) -> float:
    """Epoch seconds of a local time in the demo city."""
    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).timestamp()


@pytest.fixture(autouse=True)
def _application(qapp):
    """Colours, fonts and lamps need a QApplication, as in the console; names come from the city."""
    names.use_city(CITY)


# -- building records and feeding them through HallState -----------------------


def make_case(n: int, left_s: float = 3600.0, status: str = "handling", **fields: object) -> Case:
    """Case number ``n`` in ``status``, due ``left_s`` seconds after NOW, in a real grid of the
    demo city; the stage is the state's (none once final), its clock urgent unless given, and a
    paused state keeps what was left."""
    grid = CITY.grids[n * 97 % len(CITY.grids)]  # spread over every district
    place, centre = CITY.place_of(grid), grid.shape.centroid
    state = WORKFLOW.states[status]
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
        status=status,
        reported_at=NOW - 600,
        deadline=NOW + left_s,
        limit_s=4 * 3600.0,
        version=1,
        stage=state.stage,
        stage_started=NOW - 600,
        paused_left_s=max(left_s, 0.0) if state.clock == "paused" else -1.0,
    )
    values.update(fields)
    return Case(**values)  # type: ignore[arg-type]


#: A hall's mix of states, open ones by far the most; two stand still (paused), one is over.
MIX = ("to_dispatch", "dispatched", "handling", "handling", "extension_requested", "to_check", "to_close")


def varied_cases(count: int, seed: int = 7, closed: bool = False) -> list[Case]:
    """Cases in a shuffled mix of states, clocks (each stage's clock of its category: urgent,
    working hours, working days), limits, departments, escalations and lights; every fifth one
    closed when ``closed``."""
    rng = random.Random(seed)
    departments = list(CITY.departments)
    cases = []
    for n in rng.sample(range(count), count):
        category = CITY.categories[CATEGORY_CODES[n % len(CATEGORY_CODES)]]
        status = "closed" if closed and n % 5 == 0 else MIX[n % len(MIX)]
        stage = WORKFLOW.states[status].stage or "handle"
        limit = category.stage_limit(stage, CITY.stage_limits)
        limit_s = CLOCKS.limit_seconds(limit.clock, limit.limit, limit.unit)
        dispatched = status not in ("to_dispatch",)
        cases.append(
            make_case(
                n,
                left_s=rng.uniform(-1.5, 1.0) * limit_s,
                status=status,
                clock=limit.clock,
                limit_s=limit_s,
                department=departments[n % len(departments)] if dispatched else None,
                escalations=n % 4,
                raised=n % 4 == 3 and n % 3 == 0,
            )
        )
    return cases


def snapshot(state: HallState, topic: str, items: list, stream: str = "s1") -> None:
    assert state.apply(Snapshot(topic=topic, stream=stream, seq=len(items), items=items))  # type: ignore[arg-type]


def delta(state: HallState, topic: str, items: list) -> None:
    seen = state.positions[topic]
    first = seen.seq + 1
    message = Delta(topic=topic, stream=seen.stream, from_seq=first, seq=first + len(items) - 1, items=items)
    assert state.apply(message)  # type: ignore[arg-type]


def case_state(cases: list[Case]) -> HallState:
    state = HallState(CITY)
    snapshot(state, "cases", cases)
    state.take_changes()
    return state


# -- what a case should show, worked out from its record ------------------------------


def seconds_left(case: Case, now: float = NOW) -> float:
    """Clock seconds left of the running stage: what a stopped clock kept, or the clock's count."""
    if case.paused:
        return case.paused_left_s
    return float(CLOCKS[case.clock].left(np.array([case.deadline]), np.floor(now))[0])


def light(case: Case, now: float = NOW) -> Light:
    """Off once the case is over; otherwise the domain rule on the seconds left."""
    if WORKFLOW.states[case.status].final:
        return Light.OFF
    code = lights(np.array([seconds_left(case, now)]), np.array([case.limit_s]), CITY.yellow_share)[0]
    return LIGHTS[code]


def urgency(case: Case) -> int:
    return CITY.categories[case.category].urgency


def natural_key(case: Case) -> tuple[bool, int, int, float]:
    """The queue's order: open before closed, then urgency class, then light (red first), then
    the least time left."""
    return light(case) is Light.OFF, urgency(case), LIGHTS.index(light(case)), seconds_left(case)


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


def shown_cases(model: CaseTableModel) -> list[Case]:
    return [model.case_at(row) for row in range(model.rowCount())]


# -- the case model: structure ----------------------------------------------------------


def test_case_model_passes_the_model_tester_through_sorts_filters_and_frames(qtmodeltester):
    state = case_state(varied_cases(60, closed=True))
    model = CaseTableModel(state, now=NOW)
    qtmodeltester.check(model)  # stays attached: every later signal is checked too

    for column in CaseColumn:
        model.sort(column, Qt.SortOrder.DescendingOrder)
    model.sort(-1)
    model.set_text_filter("report 1")
    delta(state, "cases", [make_case(500, left_s=-60, description="report 1 new"), make_case(501)])
    model.refresh(state.take_changes(), NOW + 1)
    model.set_text_filter("")
    model.set_status_filter(frozenset(WORKFLOW.open_states()))
    model.set_filter("district", float(CITY.districts[0].code))
    model.set_light_filter(Light.RED)
    model.refresh(Changes(), NOW + 4000)
    model.set_filter("district", None)
    snapshot(state, "cases", varied_cases(20, seed=3), stream="s2")
    model.refresh(state.take_changes(), NOW + 4001)
    assert model.rowCount() > 0


# -- the queue's order --------------------------------------------------------------------


def test_the_queue_puts_life_and_safety_first_then_red_then_the_least_time_left():
    cases = [
        make_case(1, left_s=-5000, category=ROUTINE),  # long overdue garbage
        make_case(2, left_s=3000, category=FLOODED),  # a flooded road, in time
        make_case(3, left_s=-30, category=ROUTINE),
        make_case(4, left_s=600, category=ROUTINE),  # due soon
        make_case(5, left_s=200, category=FLOODED),  # a flooded road, due soon
        make_case(6, category="06014"),  # 道路遗撒: urgency 2
    ]
    model = CaseTableModel(case_state(cases), now=NOW)

    assert shown_ids(model) == ["C000005", "C000002", "C000006", "C000001", "C000003", "C000004"]
    assert [model.light_of(row) for row in range(6)] == [
        *(Light.YELLOW, Light.GREEN, Light.GREEN),
        *(Light.RED, Light.RED, Light.YELLOW),
    ]
    assert {"01011", "10002", FLOODED} <= set(LIFE_AND_SAFETY)
    header = model.headerData(CaseColumn.TIME_LEFT, Qt.Orientation.Horizontal)
    assert header == "Time left"


def test_the_natural_order_holds_for_a_mix_of_states_clocks_and_limits():
    cases = varied_cases(300)
    model = CaseTableModel(case_state(cases), now=NOW)

    shown = shown_cases(model)
    assert len(shown) == 300
    keys = [natural_key(case) for case in shown]
    assert keys == sorted(keys)
    assert {case.clock for case in shown} == {"urgent", "working_hours", "working_days"}
    assert {light(case) for case in shown} == {Light.RED, Light.YELLOW, Light.GREEN}


def test_closed_cases_sink_below_the_open_ones():
    # CaseView.DEFAULT_KEYS promises it ("closed cases sink below the open ones"): a closed
    # flooded road is history, an overdue open report is work.
    closed = make_case(1, left_s=-600, status="closed", category=FLOODED)
    cases = [closed, make_case(2, left_s=-60, category=ROUTINE), make_case(3, category=ROUTINE)]
    model = CaseTableModel(case_state(cases), now=NOW)

    assert model.light_of(model.row_of(closed.id)) is Light.OFF
    assert shown_ids(model)[-1] == closed.id


def sort_key(column: CaseColumn, case: Case) -> object:
    """What each column sorts by, written from the records, independent of the model."""
    return {
        CaseColumn.ID: case.id,
        CaseColumn.CATEGORY: case.category,
        CaseColumn.PLACE: case.grid,
        CaseColumn.SOURCE: SOURCE_CODES.index(case.source),
        CaseColumn.STATUS: list(WORKFLOW.states).index(case.status),  # the loop's order
        CaseColumn.ASSIGNEE: names.department_name(case.department),
        CaseColumn.ESCALATIONS: case.escalations,
    }[column]


@pytest.mark.parametrize("column", [c for c in CaseColumn if c != CaseColumn.TIME_LEFT])
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_cases_sort_by_every_column_with_the_most_urgent_first_among_equals(column, order):
    model = CaseTableModel(case_state(varied_cases(80, closed=True)), now=NOW)
    model.sort(column, order)

    rows = shown_cases(model)
    keys = [sort_key(column, case) for case in rows]
    assert keys == sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder)
    for earlier, later in itertools.pairwise(rows):
        if sort_key(column, earlier) == sort_key(column, later):
            assert natural_key(earlier) <= natural_key(later)
    model.sort(-1)  # back to the natural order
    assert [natural_key(case) for case in shown_cases(model)][:3] == sorted(map(natural_key, rows))[:3]


def left_of_rows(model: CaseTableModel) -> list[tuple[str, str]]:
    return [(model.case_at(row).id, model.index(row, CaseColumn.TIME_LEFT).data()) for row in range(4)]


def test_sorting_by_the_time_left_column_follows_the_countdown_it_shows():
    # Clock seconds left, not the wall-clock deadline: a paused case keeps its hour whatever its
    # old deadline says, and two working hours from 16:53 end tomorrow morning.
    overdue = make_case(1, left_s=-600, category=ROUTINE)
    hung = make_case(2, status="hung", category=ROUTINE, deadline=NOW - 99_999, paused_left_s=3600.0)
    office = make_case(
        3, category=ROUTINE, clock="working_hours", deadline=CLOCKS["working_hours"].add(NOW, 7200)
    )
    urgent = make_case(4, left_s=3 * 3600, category=ROUTINE)
    model = CaseTableModel(case_state([urgent, office, hung, overdue]), now=NOW)

    model.sort(CaseColumn.TIME_LEFT, Qt.SortOrder.AscendingOrder)
    assert left_of_rows(model) == [
        ("C000001", "10 min over"),
        ("C000002", "paused · 1 h 0 min left"),
        ("C000003", "2 h 0 min left"),
        ("C000004", "3 h 0 min left"),
    ]
    model.sort(CaseColumn.TIME_LEFT, Qt.SortOrder.DescendingOrder)
    assert shown_ids(model) == ["C000004", "C000003", "C000002", "C000001"]


# -- filters ------------------------------------------------------------------------------


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


def test_text_filter_matches_the_address_by_name_and_the_grid_by_code():
    cases = [make_case(n) for n in range(40)]
    model = CaseTableModel(case_state(cases), now=NOW)
    target = cases[5]

    model.set_text_filter(target.grid)
    assert shown_ids(model) == [c.id for c in cases if c.grid == target.grid]
    for code in (target.district, target.street, target.community):
        model.set_text_filter(names.area_name(code))
        level = [c for c in cases if code in (c.district, c.street, c.community)]
        assert names.area_name(code) != code and sorted(shown_ids(model)) == sorted(c.id for c in level)


def test_status_filter_takes_any_set_of_workflow_states_and_combines_with_the_light():
    cases = varied_cases(120, closed=True)
    model = CaseTableModel(case_state(cases), now=NOW)
    model.set_status_filter(frozenset({"dispatched", "handling"}))
    model.set_light_filter(Light.RED)

    expected = {c.id for c in cases if c.status in ("dispatched", "handling") and light(c) is Light.RED}
    assert expected and set(shown_ids(model)) == expected
    assert model.counts() == (len(expected), len(expected))

    model.set_light_filter(None)
    model.set_status_filter(frozenset({"closed"}))
    assert set(shown_ids(model)) == {c.id for c in cases if c.status == "closed"} != set()
    assert model.counts()[1] == 0  # nothing closed is overdue
    model.set_status_filter(frozenset())
    assert model.rowCount() == 0
    model.set_status_filter(None)
    assert model.counts() == (120, sum(light(c) is Light.RED and not c.paused for c in cases))


def test_open_cases_leave_out_every_final_state():
    cases = [
        *(
            make_case(n, status=status)
            for n, status in enumerate(("reported", "to_file", "handling", "hung"))
        ),
        *(
            make_case(n, status=status)
            for n, status in enumerate(("closed", "rejected", "voided", "merged"), 10)
        ),
    ]
    model = CaseTableModel(case_state(cases), now=NOW)
    model.set_status_filter(frozenset(WORKFLOW.open_states()))
    assert sorted(shown_ids(model)) == ["C000000", "C000001", "C000002", "C000003"]


@pytest.mark.parametrize(
    ("key", "value", "wanted"),
    [
        ("district", lambda c: float(c.district), lambda c, v: float(c.district) == v),
        ("category", lambda c: float(c.category), lambda c, v: c.category == f"{int(v):05d}"),
        (
            "source",
            lambda c: float(SOURCE_CODES.index(c.source)),
            lambda c, v: SOURCE_CODES[int(v)] == c.source,
        ),
        ("urgency", lambda c: 1.0, lambda c, v: urgency(c) == v),
        ("raised", lambda c: 1.0, lambda c, v: c.raised),
    ],
)
def test_the_filter_bar_filters_by_district_category_source_urgency_and_raised(key, value, wanted):
    cases = varied_cases(150)
    model = CaseTableModel(case_state(cases), now=NOW)
    chosen = value(cases[0])
    model.set_filter(key, chosen)

    expected = {c.id for c in cases if wanted(c, chosen)}
    assert expected and set(shown_ids(model)) == expected
    keys = [natural_key(case) for case in shown_cases(model)]
    assert keys == sorted(keys)
    model.set_filter(key, None)
    assert model.rowCount() == 150


def test_filters_add_up():
    cases = varied_cases(200)
    model = CaseTableModel(case_state(cases), now=NOW)
    district = cases[0].district
    model.set_filter("district", float(district))
    model.set_filter("urgency", 3.0)
    model.set_status_filter(frozenset({"handling"}))

    expected = {c.id for c in cases if c.district == district and urgency(c) == 3 and c.status == "handling"}
    assert expected and set(shown_ids(model)) == expected


# -- frames -------------------------------------------------------------------------------


def test_new_cases_are_inserted_once_and_land_in_order_and_filter_position(qtmodeltester):
    state = case_state([make_case(n, left_s=1000 * n, category=ROUTINE) for n in range(1, 11)])
    model = CaseTableModel(state, now=NOW)
    qtmodeltester.check(model)
    model.set_status_filter(frozenset({"handling"}))
    log = SignalLog(model)

    delta(
        state,
        "cases",
        [
            make_case(20, left_s=-100, category=ROUTINE),  # overdue: above the routine ones
            make_case(21, left_s=5500, category=ROUTINE),
            make_case(22, left_s=-50, status="dispatched", category=ROUTINE),  # filtered out
            make_case(23, left_s=9000, category=FLOODED),  # life and safety: on top, in time or not
        ],
    )
    model.refresh(state.take_changes(), NOW)

    assert log.counts["inserted"] == 1
    assert log.counts["layout"] <= 1
    assert model.rowCount() == 13
    top = ["C000023", "C000020", "C000001", "C000002", "C000003", "C000004", "C000005", "C000021"]
    assert shown_ids(model)[:8] == top
    assert model.row_of("C000022") is None
    assert model.row_of("C000021") == 7


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


def test_a_step_that_restarts_the_clock_moves_the_row_and_keeps_persistent_indexes():
    cases = [make_case(n, left_s=600 * n, category=ROUTINE) for n in range(1, 6)]
    state = case_state(cases)
    model = CaseTableModel(state, now=NOW)
    assert model.light_of(model.row_of("C000004")) is Light.YELLOW
    selected = qt_api.QtCore.QPersistentModelIndex(model.index(model.row_of("C000004"), 2))

    # The department feeds back: to check, a fresh hour on the working-hours clock.
    check = {"status": "to_check", "stage": "check", "clock": "working_hours", "limit_s": 3600.0}
    fed_back = msg_with(cases[3], **check, deadline=CLOCKS["working_hours"].add(NOW, 3600), version=2)
    delta(state, "cases", [fed_back])
    model.refresh(state.take_changes(), NOW)

    assert shown_ids(model) == ["C000001", "C000002", "C000003", "C000005", "C000004"]
    assert (selected.row(), selected.column()) == (4, 2)
    assert model.index(4, CaseColumn.TIME_LEFT).data() == "1 h 0 min left"


def test_each_new_second_updates_the_time_column_once_and_restyles_rows_that_turn_red():
    cases = [make_case(n, left_s=100 * n, category=ROUTINE) for n in range(1, 30)]
    state = case_state([*cases, make_case(0, left_s=0.5, category=ROUTINE)])
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
    assert model.index(turned_red, CaseColumn.TIME_LEFT).data() == "1 min over"  # half a second, rounded up


def test_the_order_follows_clocks_that_run_at_different_speeds():
    # At 17:59 a working-hours case has 10 s less left than an urgent one; at 18:00 its clock
    # stops for the night while the urgent one runs on: two minutes later the urgent case has
    # less time left and belongs above it, though no light has changed.
    start = at("2025-10-09 17:59:00")
    office = make_case(
        1, category=ROUTINE, clock="working_hours", deadline=CLOCKS["working_hours"].add(start, 4990)
    )
    urgent = make_case(2, category=ROUTINE, deadline=start + 5000)
    state = case_state([urgent, office])
    model = CaseTableModel(state, now=start)
    assert shown_ids(model) == ["C000001", "C000002"]

    for second in range(1, 121):
        model.refresh(state.take_changes(), start + second)

    assert [model.light_of(row) for row in range(2)] == [Light.GREEN, Light.GREEN]
    texts = column_texts(model, CaseColumn.TIME_LEFT)
    assert shown_ids(model) == ["C000002", "C000001"], texts


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

    replaced = [make_case(900, category=ROUTINE), make_case(901, left_s=-5, category=ROUTINE)]
    snapshot(state, "cases", replaced, stream="s2")
    assert model.index(0, CaseColumn.ID).data() is None  # a paint before the frame finds no record
    model.refresh(state.take_changes(), NOW)

    assert log.counts == {"inserted": 0, "layout": 0, "reset": 1}
    assert log.data_changed == []
    assert shown_ids(model) == ["C000901", "C000900"]


# -- countdowns and lights -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left_s", "text", "lamp"),
    [
        (3 * 3600 + 5 * 60, "3 h 5 min left", Light.GREEN),
        (48 * 60 + 1, "49 min left", Light.GREEN),  # whole minutes, rounded up
        (48 * 60, "48 min left", Light.YELLOW),  # exactly the yellow share of the 4 h limit left
        (59.2, "1 min left", Light.YELLOW),
        (0, "0 min over", Light.RED),
        (-90, "2 min over", Light.RED),
        (-(26 * 3600 + 7 * 60), "1 d 2 h over", Light.RED),
    ],
)
def test_countdown_text_and_light(left_s, text, lamp):
    assert CITY.yellow_share == 0.2  # the expectations above assume it
    model = CaseTableModel(case_state([make_case(1, left_s=left_s)]), now=NOW)
    cell = model.index(0, CaseColumn.TIME_LEFT)

    assert cell.data() == text
    assert model.light_of(0) is lamp
    colors = {Light.GREEN: HallColors.GREEN, Light.YELLOW: HallColors.DUE_SOON, Light.RED: HallColors.OVERDUE}
    assert cell.data(Role.ForegroundRole).name() == colors[lamp]
    assert not cell.data(Role.DecorationRole).isNull()
    background = model.index(0, CaseColumn.ID).data(Role.BackgroundRole)
    assert (background is not None) == (lamp is Light.RED)


def test_countdowns_are_spans_in_words_never_a_time_of_day():
    assert duration_text(1) == "1 min"
    assert duration_text(-3599) == "1 h 0 min"
    assert duration_text(3601) == "1 h 1 min"
    assert duration_text(2 * 86400 + 3 * 3600) == "2 d 3 h"
    assert countdown_text(22 * 60) == "22 min left"
    assert countdown_text(-(65 * 60)) == "1 h 5 min over"
    assert countdown_text(3 * 3600, paused=True) == "paused · 3 h 0 min left"
    # A working-hours day is 8 hours: 24 of them are never "1 d", which would read as tomorrow.
    assert countdown_text(24 * 3600, "working_hours") == "24 h 0 min left"
    assert countdown_text(2 * 86400, "working_days") == "2 d 0 h left"
    assert countdown_text(2 * 86400, "urgent") == "2 d 0 h left"


@pytest.fixture
def in_chinese(qapp):  # type: ignore[no-untyped-def]
    """The hall's own language, with its translations, for one test."""
    saved_language = names.language()
    i18n.install(qapp, "zh_CN")
    yield
    for translator in i18n._translators:
        qapp.removeTranslator(translator)
    i18n._translators.clear()
    i18n._catalogues.clear()
    names.use_language(saved_language)


def test_in_the_halls_language_a_countdown_reads_as_chinese(in_chinese):
    assert countdown_text(22 * 60) == "剩 22 分"
    assert countdown_text(-(65 * 60)) == "超时 1 小时 5 分"
    assert countdown_text(3 * 3600, paused=True) == "暂停 · 剩 3 小时 0 分"
    assert countdown_text(2 * 86400 + 3 * 3600, "working_days") == "剩 2 天 3 小时"


def test_a_working_hours_clock_stands_still_after_hours_and_the_countdown_with_it():
    deadline = CLOCKS["working_hours"].add(NOW, 3 * 3600)  # 16:53:20 + 3 working hours
    assert deadline == at("2025-10-10 09:53:20")  # 1 h 6 min 40 s today, the rest tomorrow
    case = make_case(1, category=ROUTINE, clock="working_hours", deadline=deadline)
    state = case_state([case])
    model = CaseTableModel(state, now=NOW)
    cell = lambda: model.index(0, CaseColumn.TIME_LEFT).data()  # noqa: E731
    assert cell() == "3 h 0 min left"

    model.refresh(Changes(), at("2025-10-09 18:30:00"))
    assert cell() == "1 h 54 min left"  # 1 h 53 min 20 s
    model.refresh(Changes(), at("2025-10-10 07:59:00"))
    assert cell() == "1 h 54 min left"  # the night does not count
    model.refresh(Changes(), at("2025-10-10 09:53:20"))
    assert cell() == "0 min over" and model.light_of(0) is Light.RED


def test_a_paused_clock_keeps_what_was_left_whatever_the_old_deadline_says():
    hung = make_case(1, status="hung", deadline=NOW - 86_400, paused_left_s=1800.0)
    asked = make_case(2, status="extension_requested", deadline=NOW - 60, paused_left_s=0.0)
    state = case_state([hung, asked])
    model = CaseTableModel(state, now=NOW)
    rows = {model.case_at(row).id: row for row in range(2)}

    assert model.index(rows[hung.id], CaseColumn.TIME_LEFT).data() == "paused · 30 min left"
    assert model.light_of(rows[hung.id]) is Light.YELLOW  # 30 min of a 4 h limit
    model.refresh(Changes(), NOW + 3 * 3600)
    rows = {model.case_at(row).id: row for row in range(2)}
    assert model.index(rows[hung.id], CaseColumn.TIME_LEFT).data() == "paused · 30 min left"
    assert model.light_of(rows[hung.id]) is Light.YELLOW
    assert model.index(rows[asked.id], CaseColumn.TIME_LEFT).data() == "paused · 0 min left"


def test_a_closed_case_has_its_light_off_and_no_countdown():
    closed = make_case(1, left_s=-7200, status="closed", closure="late")
    model = CaseTableModel(case_state([closed]), now=NOW)

    assert model.light_of(0) is Light.OFF
    cell = model.index(0, CaseColumn.TIME_LEFT)
    assert cell.data() == ""
    assert cell.data(Role.ForegroundRole).name() == LIGHT_COLORS[Light.OFF] == HallColors.MUTED
    assert model.index(0, CaseColumn.ID).data(Role.BackgroundRole) is None  # not marked overdue
    assert model.index(0, CaseColumn.STATUS).data() == "已结案"
    assert model.counts() == (1, 0)
    model.set_light_filter(Light.RED)
    assert model.rowCount() == 0


def test_the_store_lights_every_case_as_the_domain_rule_says():
    rng = random.Random(1)
    cases = varied_cases(3000, closed=True)
    for n in range(0, 3000, 97):  # cases right on the boundaries
        limit = cases[n].limit_s
        edge = rng.choice([0.0, CITY.yellow_share * limit, CITY.yellow_share * limit + 1])
        running = {"status": "handling", "stage": "handle", "clock": "urgent", "paused_left_s": -1.0}
        cases[n] = msg_with(cases[n], **running, deadline=NOW + edge)
    model = CaseTableModel(case_state(cases), now=NOW)

    shown = {model.case_at(row).id: model.light_of(row) for row in range(model.rowCount())}
    assert shown == {case.id: light(case) for case in cases}
    assert set(shown.values()) == set(LIGHTS)


def test_cells_read_well():
    case = make_case(5, department="sanitation", escalations=2)
    model = CaseTableModel(case_state([case]), now=NOW)
    texts = [model.index(0, column).data() for column in CaseColumn]

    assert texts[CaseColumn.CATEGORY] == f"{case.category} {CITY.categories[case.category].name}"
    street, community = names.area_name(case.street), names.area_name(case.community)
    assert texts[CaseColumn.PLACE] == f"{street} {community}" and street != case.street
    assert texts[CaseColumn.SOURCE] == names.source_name(case.source)
    assert texts[CaseColumn.STATUS] == "处置中"
    assert texts[CaseColumn.ASSIGNEE] == "环卫局"
    assert texts[CaseColumn.ESCALATIONS] == "2"
    assert texts[CaseColumn.TIME_LEFT] == "1 h 0 min left"
    tooltip = model.index(0, 0).data(Role.ToolTipRole)
    assert case.description in tooltip and case.grid in tooltip and names.area_name(case.district) in tooltip


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


def test_alarms_follow_isa_18_2_unacknowledged_first_then_returned_then_acknowledged(qtmodeltester):
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
    # active unacknowledged by priority, then returned to normal unacknowledged, then acknowledged
    assert order == ["A0004", "A0005", "A0002", "A0003", "A0001", "A0006"]
    assert model.unacknowledged_count() == 4

    log = SignalLog(model)
    delta(state, "alarms", [make_alarm(4, priority=1, acked=True)])
    model.refresh(state.take_changes(), NOW)
    assert model.record_at(0).id == "A0005"
    assert model.unacknowledged_count() == 3
    assert log.counts["layout"] == 1 and len(log.data_changed) == 1

    for column in AlarmColumn:
        model.sort(column, Qt.SortOrder.DescendingOrder)
    model.sort(-1)
    assert model.record_at(0).id == "A0005"


def test_shelved_and_out_of_service_alarms_are_set_aside_and_normal_ones_leave_the_panel():
    alarms = [
        make_alarm(1, priority=1),
        make_alarm(2, priority=1, shelved_until=NOW + 1800, shelved_by="lead"),
        make_alarm(3, priority=2, out_of_service=True),
        make_alarm(4, priority=1, state="cleared", acked=True, cleared_at=NOW),  # normal again
        make_alarm(5, priority=2, acked=True, chattering=True, peak=41.5),
        make_alarm(6, priority=1, suppressed=True),  # downstream of a standing alarm: expected
    ]
    model = AlarmTableModel(alarm_state(alarms), now=NOW)
    shown = {model.record_at(row).id: row for row in range(model.rowCount())}
    assert list(shown) == ["A0001", "A0005"] and (model.unacknowledged_count(), model.aside_count()) == (1, 3)
    texts = [model.index(shown["A0005"], column).data() for column in AlarmColumn]
    assert texts[AlarmColumn.STATE] == "Acknowledged · chattering"
    assert texts[AlarmColumn.VALUE] == "35 cm (peak 41.5)"  # the current value beside the worst
    model.show_aside(True)
    aside = {
        model.record_at(row).id: model.index(row, AlarmColumn.STATE).data() for row in range(model.rowCount())
    }
    shelf_end = time.strftime("%H:%M", time.localtime(NOW + 1800))
    assert aside == {
        "A0002": f"Shelved until {shelf_end}",
        "A0003": "Out of service",
        "A0006": "Suppressed by design",
    }


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
    vehicles = [
        make_vehicle(1, kind="muck", status="working", ts=NOW - 5),
        make_vehicle(2, kind="muck", status="working", ts=None),
        make_vehicle(5, kind="enforcement", status="idle", ts=NOW - 3 * 60),
        make_vehicle(7, kind="inspector", status="working", ts=NOW, task="C-000042"),
    ]
    model = VehicleTableModel(vehicle_state(vehicles), now=NOW)
    rows = {model.record_at(row).id: row for row in range(4)}

    assert model.index(rows["V0001"], VehicleColumn.FIX_AGE).data() == "5 s"
    assert model.index(rows["V0002"], VehicleColumn.FIX_AGE).data() == "—"
    assert model.index(rows["V0005"], VehicleColumn.FIX_AGE).data() == "3 min"
    assert model.index(rows["V0001"], VehicleColumn.SPEED).data() == "1 km/h"
    assert model.index(rows["V0007"], VehicleColumn.TASK).data() == "C-000042"  # out on a case
    assert model.index(rows["V0001"], VehicleColumn.TASK).data() == ""
    assert model.index(rows["V0001"], 0).data(Role.ForegroundRole) is None
    assert model.index(rows["V0005"], 0).data(Role.ForegroundRole).name() == HallColors.MUTED

    counts = model.status_counts()
    assert counts["muck"]["working"] == 2 and counts["muck"]["offline"] == 0
    assert counts["enforcement"]["idle"] == 1
    assert sum(sum(by_status.values()) for by_status in counts.values()) == 4


def test_vehicle_goes_stale_on_the_clock():
    model = VehicleTableModel(vehicle_state([make_vehicle(1, ts=NOW)]), now=NOW)
    assert model.index(0, 0).data(Role.ForegroundRole) is None
    model.refresh(Changes(), NOW + 100)
    assert model.index(0, 0).data(Role.ForegroundRole).name() == HallColors.MUTED
    assert model.index(0, VehicleColumn.FIX_AGE).data() == "1 min"


# -- the benchmark runs ------------------------------------------------------------


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


def test_changed_cases_placed_alone_land_where_a_full_sort_puts_them():
    cases = varied_cases(3000, closed=True)
    state = case_state(cases)
    model = CaseTableModel(state, now=NOW)
    rng = random.Random(4)
    statuses = ["to_dispatch", "handling", "hung", "closed", "dispatched"]
    for round_ in range(5):
        chosen = rng.sample(cases, 400)
        changed = [
            msg_with(
                c,
                status=rng.choice(statuses),
                deadline=c.deadline + rng.uniform(-7200, 7200),
                version=2 + round_,
            )
            for c in chosen
        ]
        delta(state, "cases", changed)
        model.refresh(state.take_changes(), NOW + 0.2)  # the same second: only the changed rows move
        full = model.view.sorted(model.view.visible(model.store.all_slots()))
        assert np.array_equal(model.view.order, full)


def test_an_alarm_says_what_is_wrong_and_in_which_unit():
    rising = make_alarm(1, condition="rate", value=6.0, threshold=5.0)
    silent = make_alarm(2, condition="comm", value=900.0, threshold=900.0)
    model = AlarmTableModel(alarm_state([rising, silent]), now=NOW)
    rows = {model.record_at(row).id: row for row in range(2)}
    assert model.index(rows["A0001"], AlarmColumn.SOURCE).data().endswith("积水深度 · 上涨过快")
    assert model.index(rows["A0001"], AlarmColumn.VALUE).data() == "6 cm/min"
    assert model.index(rows["A0002"], AlarmColumn.SOURCE).data().endswith("· 通信中断")
    assert model.index(rows["A0002"], AlarmColumn.THRESHOLD).data() == "900 s"
