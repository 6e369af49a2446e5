"""The views as the hall's people use them: read the queue, filter it, pick a case, take the
steps the workflow allows them on it."""

from __future__ import annotations

import time

import pytest
from msgspec.structs import replace
from pytestqt.qt_compat import qt_api
from test_models import (
    CITY,
    FLOODED,
    NOW,
    ROUTINE,
    WORKFLOW,
    alarm_state,
    case_state,
    delta,
    light,
    make_alarm,
    make_case,
    make_vehicle,
    natural_key,
    snapshot,
    varied_cases,
    vehicle_state,
)

from console import names
from console.columns import CaseColumns
from console.models import AlarmColumn, AlarmTableModel, CaseColumn, CaseTableModel, VehicleTableModel
from console.state import Changes, HallState
from feeds.city.workflow import Person
from feeds.domain import Light
from feeds.wire import History, Sensor, TimelineEntry, Vehicle
from widgets.alarm_panel import QtAlarmPanel
from widgets.case_detail import QtCaseDetail
from widgets.case_queue import QtCaseQueue
from widgets.trend import QtTrend
from widgets.vehicle_board import QtVehicleBoard

Qt = qt_api.QtCore.Qt
QEvent = qt_api.QtCore.QEvent
QKeyEvent = qt_api.QtGui.QKeyEvent
CTRL = Qt.KeyboardModifier.ControlModifier

DISPATCHER = Person("dispatcher", "李娜", frozenset({"dispatcher"}))
LEAD = Person("lead", "王强", frozenset({"lead"}))
SANITATION = Person("sanitation", "孙丽", frozenset({"handler"}), department="sanitation")
DRAINAGE = Person("drainage", "赵磊", frozenset({"handler"}), department="drainage")
INSPECTOR = Person("inspector", "周杰", frozenset({"inspector"}))


@pytest.fixture(autouse=True)
def names_of_the_demo_city():
    """The console names categories, departments and areas after the city the hub serves."""
    names.use_city(CITY)


@pytest.fixture
def cases():
    return varied_cases(50, closed=True)


@pytest.fixture
def state(cases):
    return case_state(cases)


@pytest.fixture
def queue(qtbot, state):
    model = CaseTableModel(state, now=NOW)
    widget = QtCaseQueue(model)
    widget.set_city(CITY)
    qtbot.addWidget(widget)
    widget.resize(1400, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def click_row(qtbot, queue: QtCaseQueue, row: int) -> None:
    table = queue.table
    rect = table.visualRect(table.model().index(row, CaseColumn.CATEGORY))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def shown(queue: QtCaseQueue) -> list:
    model = queue.table.model()
    return [model.case_at(row) for row in range(model.rowCount())]


def choose(combo, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not offered"
    combo.setCurrentIndex(index)


# -- the queue ------------------------------------------------------------------------------


def test_queue_lists_every_case_most_urgent_first(queue, cases):
    assert len(shown(queue)) == 50
    keys = [natural_key(case) for case in shown(queue)]
    assert keys == sorted(keys)
    overdue = sum(
        light(case) is Light.RED and not case.paused for case in cases
    )  # a stopped clock is not late
    assert overdue and queue.counts_label.text() == f"Listed 50 · overdue among them {overdue}"
    header = queue.table.horizontalHeader()
    assert header.sortIndicatorSection() == -1  # no column: the queue's own order


def test_the_status_list_offers_all_my_work_open_and_every_state_by_name(queue):
    combo = queue.status_combo
    texts = [combo.itemText(n) for n in range(combo.count())]
    assert texts[:3] == ["All cases", "My work", "Open cases"]
    assert texts[3:] == [names.status_name(code) for code in WORKFLOW.states]
    assert {"待派遣", "处置中", "已结案"} <= set(texts)
    assert combo.currentText() == "All cases"  # nobody signed in yet


def test_typing_in_the_filter_narrows_the_queue(qtbot, queue):
    model = queue.table.model()
    qtbot.keyClicks(queue.filter_edit, "report 1")
    expected = sorted(f"C{n:06d}" for n in [1, *range(10, 20)])
    qtbot.waitUntil(lambda: model.rowCount() == len(expected))
    assert sorted(model.case_at(row).id for row in range(model.rowCount())) == expected
    assert queue.counts_label.text().startswith(f"Listed {len(expected)} ·")


def test_choosing_a_state_or_open_cases_filters_the_queue(queue, cases):
    choose(queue.status_combo, "处置中")
    handling = [c.id for c in cases if c.status == "handling"]
    assert handling and sorted(c.id for c in shown(queue)) == sorted(handling)

    choose(queue.status_combo, "Open cases")
    assert sorted(c.id for c in shown(queue)) == sorted(c.id for c in cases if c.status != "closed")
    choose(queue.status_combo, "已结案")
    assert {c.status for c in shown(queue)} == {"closed"}
    assert (
        queue.counts_label.text()
        == f"Listed {sum(c.status == 'closed' for c in cases)} · overdue among them 0"
    )
    choose(queue.status_combo, "All cases")
    assert len(shown(queue)) == 50


def test_a_signed_in_dispatcher_starts_on_their_work(queue, cases):
    queue.set_actor(DISPATCHER)
    assert queue.status_combo.currentText() == "My work"
    work = WORKFLOW.work_states(DISPATCHER.roles)
    assert work == {"to_dispatch", "extension_requested"}
    assert sorted(c.id for c in shown(queue)) == sorted(c.id for c in cases if c.status in work)


def test_a_shift_leads_work_holds_the_cases_raised_to_them_whatever_their_state(qtbot):
    cases = [
        make_case(1, status="to_close", department="sanitation"),  # the lead closes it
        make_case(2, status="handling", department="sanitation", escalations=1, raised=True),
        make_case(3, status="handling", department="sanitation", escalations=1),  # urged, not yet raised
        make_case(4, status="to_dispatch"),
    ]
    queue = QtCaseQueue(CaseTableModel(case_state(cases), now=NOW))
    qtbot.addWidget(queue)
    queue.set_actor(LEAD)
    assert queue.status_combo.currentText() == "My work"
    assert sorted(c.id for c in shown(queue)) == ["C000001", "C000002"]

    queue.set_actor(DISPATCHER)  # another person at the seat: their work, raised cases aside
    choose(queue.status_combo, "My work")
    assert sorted(c.id for c in shown(queue)) == ["C000004"]


def test_a_wall_seat_has_no_work_of_its_own_and_shows_every_case(queue):
    queue.set_actor(Person("wall", "大屏", frozenset({"wall"})))
    assert queue.status_combo.currentText() == "All cases"
    assert len(shown(queue)) == 50


def test_my_work_of_a_department_holds_its_own_cases_only(qtbot):
    mine = make_case(1, status="dispatched", department="sanitation")
    taken = make_case(2, status="handling", department="sanitation")
    theirs = make_case(3, status="handling", department="drainage")
    queue = QtCaseQueue(CaseTableModel(case_state([mine, taken, theirs]), now=NOW))
    qtbot.addWidget(queue)
    queue.set_actor(SANITATION)

    assert queue.status_combo.currentText() == "My work"
    assert sorted(c.id for c in shown(queue)) == [mine.id, taken.id]  # not drainage's case


def test_signing_in_again_keeps_the_list_the_user_chose(queue):
    # The console hands the seat's user to the queue on every welcome and when the city arrives,
    # so again after a lost link: the queue starts on "my work", but what was chosen since stays.
    queue.set_actor(DISPATCHER)
    choose(queue.status_combo, "Open cases")
    queue.set_actor(DISPATCHER)
    assert queue.status_combo.currentText() == "Open cases"


def test_district_category_source_and_light_combos_filter_the_queue(queue, cases):
    district = cases[0].district
    choose(queue.district_combo, names.area_name(district))
    assert {c.district for c in shown(queue)} == {district}
    assert len(shown(queue)) == sum(c.district == district for c in cases) < 50
    choose(queue.district_combo, "All districts")

    choose(queue.category_combo, f"{ROUTINE} 暴露垃圾")
    assert {c.category for c in shown(queue)} == {ROUTINE}
    choose(queue.category_combo, "All categories")

    choose(queue.source_combo, "12319热线")
    assert {c.source for c in shown(queue)} == {"hotline"}
    choose(queue.light_combo, "Overdue")
    expected = {c.id for c in cases if c.source == "hotline" and light(c) is Light.RED}
    assert expected and {c.id for c in shown(queue)} == expected
    choose(queue.source_combo, "All sources")
    choose(queue.light_combo, "All lights")
    assert len(shown(queue)) == 50


def test_clicking_a_row_and_arrow_keys_select_cases(qtbot, queue):
    model = queue.table.model()
    with qtbot.waitSignal(queue.case_selected) as clicked:
        click_row(qtbot, queue, 3)
    assert clicked.args == [model.case_at(3).id]

    with qtbot.waitSignal(queue.case_selected) as moved:
        qtbot.keyClick(queue.table, Qt.Key.Key_Down)
    assert moved.args == [model.case_at(4).id]


def test_a_resort_keeps_the_selected_case_without_reselecting_it(qtbot, queue):
    model = queue.table.model()
    with qtbot.waitSignal(queue.case_selected) as clicked:
        click_row(qtbot, queue, 0)
    with qtbot.assertNotEmitted(queue.case_selected):
        queue.table.sortByColumn(CaseColumn.ID, Qt.SortOrder.AscendingOrder)
    current = queue.table.currentIndex()
    assert model.case_at(current.row()).id == clicked.args[0]


def test_select_case_from_elsewhere_selects_its_row_without_echo(qtbot, queue):
    model = queue.table.model()
    with qtbot.assertNotEmitted(queue.case_selected):
        assert queue.select_case("C000042")
    assert model.case_at(queue.table.currentIndex().row()).id == "C000042"

    queue.filter_edit.setText("C000007")
    assert not queue.select_case("C000042")  # filtered out: nothing stays highlighted
    assert not queue.table.selectionModel().hasSelection()


def test_new_cases_show_up_in_the_queue(queue, state):
    model = queue.table.model()
    delta(state, "cases", [make_case(77, left_s=-99_999, category=FLOODED)])
    model.refresh(state.take_changes(), NOW)
    assert model.case_at(0).id == "C000077"  # life and safety, and the longest overdue
    assert queue.counts_label.text().startswith("Listed 51 ·")


# -- the case detail --------------------------------------------------------------------------


@pytest.fixture
def detail(qtbot):
    widget = QtCaseDetail()
    widget.set_city(CITY)
    widget.set_actor(DISPATCHER)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def test_detail_preselects_the_responsible_department(detail):
    case = make_case(1, status="to_dispatch", category="06010")
    detail.show_case(case)
    assert detail.department_combo.currentData() == CITY.categories["06010"].department == "sanitation"
    assert case.id in detail.title.text()
    assert detail.fields["suggested"].text() == "环卫局 (responsibility table: 暴露垃圾 here)"


def test_the_responsibility_table_routes_parking_to_the_traffic_police_and_bikes_to_the_street_office(
    detail,
):
    detail.show_case(make_case(2, status="to_dispatch", category="09009"))
    assert detail.department_combo.currentData() == "traffic_police"  # not the catalog's default
    case = make_case(3, status="to_dispatch", category="09011")
    detail.show_case(case)
    street_office = detail.department_combo.currentData()
    assert CITY.departments[street_office].kind == "street_office"
    assert CITY.departments[street_office].area == case.street


@pytest.mark.parametrize(
    ("actor", "status", "department", "steps"),
    [
        (DISPATCHER, "to_dispatch", None, ["dispatch", "transfer", "urge"]),
        (DISPATCHER, "handling", "sanitation", ["urge"]),
        (LEAD, "to_file", None, ["file", "reject", "void"]),
        (LEAD, "to_close", "sanitation", ["void", "rework", "close", "urge"]),
        (SANITATION, "dispatched", "sanitation", ["take", "return"]),
        (SANITATION, "handling", "sanitation", ["return", "feedback", "request_extension", "request_hang"]),
        (DRAINAGE, "handling", "sanitation", []),  # another department's case
        (INSPECTOR, "checking", "sanitation", ["pass", "fail"]),
        (DISPATCHER, "closed", "sanitation", []),
    ],
)
def test_the_detail_offers_the_steps_the_signed_in_user_may_take_now(
    detail, actor, status, department, steps
):
    detail.set_actor(actor)
    detail.show_case(make_case(1, status=status, department=department))
    assert detail.offered() == steps
    labels = [detail.button(step).text() for step in steps]
    assert all(label.startswith(names.action_name(step)) for label, step in zip(labels, steps, strict=True))
    assert detail.reason_edit.isVisible() == bool(steps)


def test_the_inputs_shown_are_those_the_offered_steps_need(detail):
    detail.show_case(make_case(1, status="to_dispatch"))  # dispatch needs a department
    assert detail.department_combo.isVisible()
    assert not detail.text_edit.isVisible() and not detail.deadline_edit.isVisible()

    detail.set_actor(SANITATION)
    detail.show_case(make_case(2, status="handling", department="sanitation"))
    assert detail.text_edit.isVisible()  # feeding back says what was done
    assert detail.deadline_edit.isVisible()  # an extension asks for a new deadline
    assert not detail.department_combo.isVisible()


def test_no_one_signed_in_no_steps(detail):
    detail.set_actor(None)
    detail.show_case(make_case(1, status="to_dispatch"))
    assert detail.offered() == []
    assert not detail.reason_edit.isVisible()


def show(qtbot, detail: QtCaseDetail, case) -> None:  # type: ignore[no-untyped-def]
    """Show ``case`` and wait for its step buttons: new ones appear (and take their shortcuts)
    once the event loop has run, as in the console."""
    detail.show_case(case)
    qtbot.waitUntil(lambda: all(detail.button(step).isVisible() for step in detail.offered()))


def test_ctrl_d_dispatches_to_the_chosen_department(qtbot, detail):
    show(qtbot, detail, make_case(1, status="to_dispatch", category="06010", version=7))
    assert detail.button("dispatch").text() == "派遣  Ctrl+D"
    detail.department_combo.setCurrentIndex(detail.department_combo.findData("enforcement"))
    detail.reason_edit.setFocus()
    detail.reason_edit.setText("占道")  # Chinese comes through the input method, not key clicks
    detail.reason_edit.setCursorPosition(0)

    with qtbot.waitSignal(detail.act_requested) as acted:
        qtbot.keyClick(detail.reason_edit, Qt.Key.Key_D, CTRL)
    assert acted.args == ["C000001", 7, "dispatch", {"reason": "占道", "department": "enforcement"}]
    assert detail.reason_edit.text() == "占道"  # the line edit did not take Ctrl+D as "delete forward"


def test_the_input_fields_leave_the_steps_shortcuts_to_the_buttons(detail):
    # Linux desktops bind Ctrl+D and Ctrl+E in line edits (delete forward, end of line) and the field
    # would take them; the offscreen platform binds neither, so ask the fields' filter directly.
    detail.show_case(make_case(1, status="to_dispatch"))  # dispatch Ctrl+D, transfer Ctrl+T, urge Ctrl+U
    for edit in (detail.reason_edit, detail.text_edit):
        for key, filtered in (
            (Qt.Key.Key_D, True),
            (Qt.Key.Key_T, True),
            (Qt.Key.Key_U, True),
            (Qt.Key.Key_C, False),  # copy: no step of a dispatcher's here
        ):
            override = QKeyEvent(QEvent.Type.ShortcutOverride, key, CTRL)
            override.accept()  # what the field does with a key it binds
            assert detail._shortcuts_first.eventFilter(edit, override) is filtered
            assert override.isAccepted() is not filtered


def test_urging_needs_a_reason(qtbot, detail):
    show(qtbot, detail, make_case(2, status="handling", department="sanitation", version=3))
    urge = detail.button("urge")
    assert not urge.isEnabled() and urge.toolTip() == "Needs a reason"
    with qtbot.assertNotEmitted(detail.act_requested):
        qtbot.keyClick(detail, Qt.Key.Key_U, CTRL)
        urge.click()

    detail.reason_edit.setFocus()
    qtbot.keyClicks(detail.reason_edit, "overdue")
    assert urge.isEnabled() and urge.toolTip() == ""
    with qtbot.waitSignal(detail.act_requested) as urged:
        qtbot.keyClick(detail.reason_edit, Qt.Key.Key_U, CTRL)
    assert urged.args == ["C000002", 3, "urge", {"reason": "overdue"}]


def test_a_department_feeds_back_what_was_done_and_asks_for_more_time(qtbot, detail):
    detail.set_actor(SANITATION)
    detail.show_case(make_case(3, status="handling", department="sanitation", version=4))
    assert not detail.button("feedback").isEnabled()
    assert detail.button("feedback").toolTip() == "Needs what was found or done"
    detail.text_edit.setText("已清运")
    with qtbot.waitSignal(detail.act_requested) as fed_back:
        detail.button("feedback").click()
    assert fed_back.args == ["C000003", 4, "feedback", {"reason": "", "text": "已清运"}]

    detail.reason_edit.setText("车辆检修")
    wanted = qt_api.QtCore.QDateTime.fromSecsSinceEpoch(int(NOW) + 2 * 86_400)
    detail.deadline_edit.setDateTime(wanted)
    with qtbot.waitSignal(detail.act_requested) as asked:
        detail.button("request_extension").click()
    assert asked.args[2:] == ["request_extension", {"reason": "车辆检修", "deadline": NOW + 2 * 86_400}]


def test_a_repeat_report_lists_the_open_cases_it_may_repeat_and_merges_into_the_one_chosen(qtbot, detail):
    first = make_case(1, status="reported", category="06010")
    north = 1 / 111_195.0  # a metre north, in degrees of latitude
    near = {"category": "06010", "lon": first.lon, "reported_at": NOW - 1800}
    others = [
        make_case(2, status="handling", lat=first.lat + 20 * north, **near),  # the hub's guess
        make_case(3, status="to_dispatch", lat=first.lat + 45 * north, **near),
        make_case(4, status="closed", lat=first.lat + 10 * north, **near),  # over: nothing to merge into
        make_case(5, status="handling", lat=first.lat + 80 * north, **near),  # too far
        make_case(6, status="handling", lat=first.lat + 5 * north, **{**near, "category": "06001"}),
        make_case(7, status="handling", lat=first.lat + 5 * north, **{**near, "reported_at": NOW - 9 * 3600}),
    ]
    columns = CaseColumns(case_state([first, *others]), NOW)
    repeats = columns.repeats(first)
    assert [(case_id, round(metres)) for case_id, metres in repeats] == [("C000002", 20), ("C000003", 45)]

    detail.set_actor(Person("intake", "陈静", frozenset({"intake"})))
    show(qtbot, detail, replace(first, duplicate_of="C000003"))
    assert "merge" not in detail.offered()  # until the console has looked for repeats
    detail.show_repeats(repeats)
    assert detail.fields["duplicate"].text() == "C000002 · 20 m  C000003 · 45 m"
    assert "merge" in detail.offered() and detail.target_combo.isVisible()
    assert detail.target_combo.currentData() == "C000003"  # the hub's guess first
    detail.target_combo.setCurrentIndex(detail.target_combo.findData("C000002"))
    with qtbot.waitSignal(detail.act_requested) as acted:
        detail.button("merge").click()
    assert acted.args[2:] == ["merge", {"reason": "", "target": "C000002"}]
    detail.show_case(make_case(9, status="reported"))  # another case: its own repeats, none yet
    assert detail.fields["duplicate"].text() == "—" and "merge" not in detail.offered()


def test_outcome_banner_is_visible(qtbot, detail):
    detail.show_case(make_case(3))
    assert not detail.banner.isVisible()
    detail.show_outcome("冲突：案件已被他人派遣", ok=False)
    qtbot.waitUntil(detail.banner.isVisible)
    assert detail.banner.text() == "冲突：案件已被他人派遣"
    assert detail.banner.property("ok") is False

    detail.show_case(make_case(4))  # another case: the old outcome no longer applies
    assert not detail.banner.isVisible()


def test_newer_version_of_the_same_case_keeps_what_was_typed(qtbot, detail):
    detail.show_case(make_case(5, version=1))
    detail.reason_edit.setText("群众多次投诉")
    detail.show_case(make_case(5, version=2, escalations=1))
    assert detail.reason_edit.text() == "群众多次投诉"
    with qtbot.waitSignal(detail.act_requested) as urged:
        detail.button("urge").click()
    assert urged.args[1:3] == [2, "urge"]


def test_a_step_taken_elsewhere_changes_the_steps_offered(detail):
    detail.show_case(make_case(6, status="to_dispatch", version=1))
    assert detail.offered() == ["dispatch", "transfer", "urge"]
    detail.show_case(make_case(6, status="dispatched", department="sanitation", version=2))
    assert detail.offered() == ["urge"]
    assert detail.fields["status"].text() == "待签收"


def test_read_only_detail_has_no_actions(qtbot, detail):
    detail.show_case(make_case(6, status="to_dispatch"))
    detail.set_read_only(True)
    assert not detail.actions.isVisible()
    assert detail.offered() == []
    with qtbot.assertNotEmitted(detail.act_requested):
        qtbot.keyClick(detail, Qt.Key.Key_D, CTRL)


def test_the_detail_shows_state_urging_and_the_running_clock(detail):
    case = make_case(7, status="handling", department="sanitation", escalations=2, raised=True)
    detail.show_case(case)
    assert detail.fields["status"].text() == "处置中  urged 2×  raised to the shift lead"
    assert detail.fields["assignee"].text() == "环卫局"

    detail.show_clock(22 * 60)
    assert detail.fields["clock"].text() == "handle: 22 min left"
    assert detail.fields["clock"].property("overdue") is False
    detail.show_clock(-65 * 60)
    assert detail.fields["clock"].text() == "handle: 1 h 5 min over"
    assert detail.fields["clock"].property("overdue") is True

    detail.show_case(make_case(7, status="hung", paused_left_s=3 * 3600.0, late="handle", version=2))
    detail.show_clock(3 * 3600)
    assert detail.fields["clock"].text() == "handle: paused · 3 h 0 min left · was late"
    assert detail.fields["clock"].property("overdue") is False

    detail.show_case(make_case(8, status="closed"))
    detail.show_clock(-600)
    assert detail.fields["clock"].text() == "已结案"  # no clock runs


def test_timeline_lists_the_history_with_roles_and_states(detail):
    detail.show_case(make_case(7))
    detail.show_timeline(
        [
            TimelineEntry(
                1,
                NOW - 900,
                "inspector",
                "report",
                role="inspector",
                to_state="to_file",
                text="人行道堆放垃圾",
            ),
            TimelineEntry(
                2, NOW - 600, "lead", "file", role="lead", from_state="to_file", to_state="to_dispatch"
            ),
            TimelineEntry(
                3,
                NOW - 300,
                "dispatcher",
                "dispatch",
                "占道",
                "sanitation",
                role="dispatcher",
                from_state="to_dispatch",
                to_state="dispatched",
            ),
        ]
    )
    lines = [detail.timeline.item(n).text() for n in range(detail.timeline.count())]
    assert len(lines) == 3
    assert "inspector (监督员)" in lines[0] and "Reported" in lines[0] and "待立案" in lines[0]
    assert "人行道堆放垃圾" in lines[0]
    assert "lead (值班长)" in lines[1] and "立案" in lines[1] and "待立案 → 待派遣" in lines[1]
    assert (
        "派遣" in lines[2] and "待派遣 → 待签收" in lines[2] and "环卫局" in lines[2] and "占道" in lines[2]
    )


def test_the_hubs_own_steps_read_as_words_not_codes(detail):
    detail.show_case(make_case(8))
    detail.show_timeline(
        [
            TimelineEntry(
                1,
                NOW - 60,
                "system",
                "urge",
                "timeout:handle",
                role="system",
                from_state="handling",
                to_state="handling",
            ),
            TimelineEntry(
                2,
                NOW,
                "system",
                "raise",
                "urged_unanswered",
                role="system",
                from_state="handling",
                to_state="handling",
            ),
        ]
    )
    urged, raised = (detail.timeline.item(n).text() for n in range(2))
    assert "督办" in urged and "系统" in urged
    for line in (urged, raised):
        for code in ("timeout:", "raise", "urged_unanswered"):
            assert code not in line, line


def test_alarm_panel_counts_unacknowledged_alarms(qtbot):
    state = alarm_state([make_alarm(1, priority=1), make_alarm(2, acked=True), make_alarm(3, priority=3)])
    model = AlarmTableModel(state, now=NOW)
    panel = QtAlarmPanel(model)
    qtbot.addWidget(panel)
    assert panel.count_label.text() == "Unacknowledged 2"
    assert model.record_at(0).id == "A0001"

    delta(state, "alarms", [make_alarm(1, priority=1, acked=True)])
    model.refresh(state.take_changes(), NOW)
    assert panel.count_label.text() == "Unacknowledged 1"


def alarm_panel(qtbot, alarms, actor) -> QtAlarmPanel:  # type: ignore[no-untyped-def]
    state = alarm_state(alarms)
    state.set_city(CITY)  # a class's longest shelf comes from the city
    panel = QtAlarmPanel(AlarmTableModel(state, now=NOW))
    panel.set_actor(actor)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.table.selectRow(0)
    return panel


def test_the_desk_acknowledges_and_shelves_the_selected_alarm_for_a_reason(qtbot):
    panel = alarm_panel(qtbot, [make_alarm(1, priority=1)], DISPATCHER)
    assert panel.offered() == ["open_case", "ack", "shelve"]  # out of service is the lead's
    with qtbot.waitSignal(panel.alarm_act_requested) as acked:
        panel.buttons["ack"].click()
    assert acked.args == ["A0001", 1, "ack", {"reason": ""}]
    assert not panel.buttons["shelve"].isEnabled()  # a shelf needs a reason
    water = CITY.sensor_classes["water_level"].max_shelve_s
    offered = [panel.shelve_combo.itemData(i) for i in range(panel.shelve_combo.count())]
    assert offered == [m for m in (15, 30, 60, 120, 240, 480) if m * 60 <= water] == [15, 30, 60]
    panel.reason_edit.setText("泵车已到场排水")
    panel.shelve_combo.setCurrentIndex(1)
    with qtbot.waitSignal(panel.alarm_act_requested) as shelved:
        panel.buttons["shelve"].click()
    alarm_id, version, action, fields = shelved.args
    assert (alarm_id, version, action, fields["reason"]) == ("A0001", 1, "shelve", "泵车已到场排水")
    assert 29 * 60 < fields["until"] - time.time() <= 30 * 60


def test_the_chosen_alarm_stays_chosen_when_the_rows_come_anew(qtbot):
    panel = alarm_panel(qtbot, [make_alarm(1, priority=2), make_alarm(2, priority=1)], DISPATCHER)
    panel.table.selectRow(1)
    chosen = panel.selected_alarm().id
    model = panel.table.model()
    model.refresh(Changes(reset={"alarms"}), NOW)  # a fresh snapshot, as after a reconnect
    assert panel.selected_alarm() is not None and panel.selected_alarm().id == chosen


def test_the_lead_takes_an_alarm_out_of_service_and_the_wall_takes_no_action(qtbot):
    lead = alarm_panel(qtbot, [make_alarm(1, priority=2, acked=True)], LEAD)
    assert lead.offered() == ["open_case", "shelve", "remove"]
    wall = alarm_panel(qtbot, [make_alarm(1, priority=2)], DISPATCHER)
    wall.set_read_only(True)
    assert wall.offered() == [] and not any(b.isVisible() for b in wall.buttons.values())


def test_the_alarms_set_aside_have_their_own_list(qtbot):
    shelved = make_alarm(2, shelved_until=NOW + 600, shelved_by="lead")
    panel = alarm_panel(qtbot, [make_alarm(1, priority=1), shelved], LEAD)
    assert panel.aside_box.text() == "Set aside (1)"
    assert panel.table.model().rowCount() == 1
    panel.aside_box.setChecked(True)
    panel.table.selectRow(0)
    assert panel.table.model().record_at(0).id == "A0002" and "unshelve" in panel.offered()


def test_vehicle_board_counts_per_kind_and_status(qtbot):
    kinds, statuses = (
        ("sanitation", "muck", "enforcement", "repair"),
        ("moving", "working", "idle", "offline"),
    )
    state = vehicle_state([make_vehicle(n, kind=kinds[n % 4], status=statuses[n % 4]) for n in range(20)])
    model = VehicleTableModel(state, now=NOW)
    board = QtVehicleBoard(model)
    qtbot.addWidget(board)
    assert board.count_labels["sanitation", "moving"].text() == "5"  # vehicles 0, 4, 8, 12, 16
    assert board.count_labels["muck", "moving"].text() == "0"

    delta(state, "vehicles", [make_vehicle(1, kind="muck", status="moving")])
    model.refresh(state.take_changes(), NOW)
    assert board.count_labels["muck", "moving"].text() == "1"
    assert board.table.model().rowCount() == 20


def trend_of(qtbot, *sensors):  # type: ignore[no-untyped-def]
    state = HallState(CITY)
    snapshot(state, "sensors", list(sensors))
    state.take_changes()
    trend = QtTrend(state)
    qtbot.addWidget(trend)
    return state, trend


def test_a_trend_asks_for_a_sensors_history_and_draws_it_with_its_limits_and_alarms(qtbot):
    tunnel = Sensor("WL-01", "water_level", "汉中路下穿隧道积水点", 118.8, 32.0, "cm", value=3.0, ts=NOW)
    state, trend = trend_of(qtbot, tunnel)
    assert trend.picker.findData("WL-01") >= 0
    with qtbot.waitSignal(trend.history_requested) as asked:
        trend.add_sensor("WL-01")
    sensor_id, since, until = asked.args
    assert sensor_id == "WL-01" and abs(until - since - 6 * 3600) < 1  # six hours by default
    labels = sorted(line.label.toPlainText() for line in trend.limits["water_level"])
    assert labels == ["积水深度 alarm 25 cm", "积水深度 warning 10 cm"]
    at = [NOW - 300.0, NOW - 200.0, NOW - 100.0]
    trend.show_history(
        History(
            "WL-01", at, [4.0, 30.0, 12.0], [3.0, 28.0, 12.0], [5.0, 33.0, 12.0], [[NOW - 250, NOW - 120]]
        )
    )
    series = trend.series["WL-01"]
    xs, ys = series.curve.getData()
    assert list(xs) == at and list(ys) == [4.0, 30.0, 12.0]
    assert list(series.high.getData()[1]) == [5.0, 33.0, 12.0]  # the band of each folded interval
    assert [region.getRegion() for region in series.alarms] == [(NOW - 250, NOW - 120)]
    delta(state, "sensors", [replace(tunnel, value=9.5, ts=NOW + 10)])
    trend.refresh(state.take_changes(), NOW + 10)
    assert list(series.curve.getData()[1]) == [4.0, 30.0, 12.0, 9.5]  # then live


def test_several_sensors_share_a_trend_each_in_its_own_pen(qtbot):
    pressure = Sensor("HP-01", "heating_pressure", "换热站供水压力", 118.8, 32.0, "MPa", value=1.0, ts=NOW)
    temperature = Sensor(
        "HT-01", "heating_temperature", "换热站供水温度", 118.8, 32.0, "°C", value=85.0, ts=NOW
    )
    _state, trend = trend_of(qtbot, pressure, temperature)
    trend.add_sensor("HP-01")
    trend.add_sensor("HT-01")
    trend.add_sensor("HP-01")  # already there
    pens = {s.curve.opts["pen"].color().name() for s in trend.series.values()}
    assert len(trend.series) == 2 and len(pens) == 2
    assert len(trend.limits["heating_pressure"]) == 4  # low limits too: a falling pressure is a leak
    with qtbot.waitSignal(trend.history_requested):
        trend.span_combo.setCurrentIndex(trend.span_combo.findData(24 * 7))  # a week: asked again


def test_in_a_flood_the_panel_shows_a_banner_and_the_alarms_by_area_and_class(qtbot):
    quiet = alarm_panel(
        qtbot, [make_alarm(n, priority=2, raised_at=NOW - 60 * n) for n in range(1, 4)], DISPATCHER
    )
    quiet.table.model().refresh(Changes(), NOW)
    assert not quiet.flood_banner.isVisible() and quiet.tables.currentWidget() is quiet.table
    assert quiet.load_label.text() == "3 in 10 min"
    flood = [make_alarm(n, priority=1 + n % 3, raised_at=NOW - 15 * n) for n in range(1, 40)]
    panel = alarm_panel(qtbot, flood, DISPATCHER)
    panel.table.model().refresh(Changes(), NOW)
    assert panel.flood_banner.isVisible() and "39 alarms in 10 minutes" in panel.flood_banner.text()
    assert panel.tables.currentWidget() is panel.group_table
    groups = panel.group_table.model()
    first = [groups.index(0, column).data() for column in range(groups.columnCount())]
    assert first[0] == names.priority_name(1) and first[2] == "积水深度"  # the critical ones first
    assert sum(int(groups.index(row, 3).data()) for row in range(groups.rowCount())) == 39
    panel.each_box.setChecked(True)  # the operator asks for them one by one
    assert panel.tables.currentWidget() is panel.table


def test_a_muck_truck_off_its_route_reads_as_the_truck_the_route_and_how_far_off(qtbot):
    truck = make_alarm(
        1, kind="F-ROUTE", sensor_id="", vehicle_id="V-0091", condition="route", value=180.0, threshold=50.0
    )
    panel = alarm_panel(qtbot, [truck], DISPATCHER)
    model = panel.table.model()
    snapshot(model._state, "vehicles", [Vehicle("V-0091", "muck", "苏A·D1234", 118.78, 32.04)])
    source = model.index(0, AlarmColumn.SOURCE).data()
    assert source == "苏A·D1234 · 渣土运输核准路线（长江大道） · 偏离核准路线"
    assert model.index(0, AlarmColumn.VALUE).data() == "180 m"
    assert not panel.trend_button.isEnabled()  # a vehicle has no readings to draw
    assert panel.offered() == ["ack", "shelve"]  # the route names no category to open a case of
