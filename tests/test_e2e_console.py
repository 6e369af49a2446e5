"""End to end: real hub and simulator processes, consoles offscreen, driven like a dispatcher would."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from console.app import Console
from feeds import wire as p
from feeds.city import demo
from feeds.city.cache import CityCache
from feeds.city.folder import write_folder
from feeds.city.importer import LayerSpec, import_city
from feeds.hub.store import Store
from feeds.wire.client import LinkState
from layouts import load
from tests.hubkit import PASSWORD, act, client, request, seeded_accounts
from tests.processes import HubProcess, hall, sqlite_file

pytestmark = pytest.mark.e2e


@pytest.fixture
def city(tmp_path: Path) -> Iterator[HubProcess]:
    """A hub with the simulator playing the city into it."""
    hub = HubProcess(with_people(sqlite_file(tmp_path))).start()
    sim = hall(
        "sim", "--hub", hub.url, "--user", "sim", "--rate", "200", "--seed", "5", stdout=subprocess.DEVNULL
    )
    try:
        yield hub
    finally:
        sim.terminate()
        sim.wait(timeout=10)
        if hub.process is not None:
            hub.stop()


@pytest.fixture(scope="session")
def session_loop(qapp):  # type: ignore[no-untyped-def]
    """asyncio on the Qt loop that pytest-qt spins: qtbot.waitUntil also runs the coroutines.

    One for the session: stopping a qasync loop calls QCoreApplication.exit(),
    which would end every later Qt event loop at once.
    """
    event_loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(event_loop)
    return event_loop


@pytest.fixture
def loop(session_loop, qtbot):  # type: ignore[no-untyped-def]
    asyncio.events._set_running_loop(session_loop)
    yield session_loop
    tasks = asyncio.all_tasks(session_loop)
    for task in tasks:
        task.cancel()
    qtbot.waitUntil(lambda: all(task.done() for task in tasks), timeout=10_000)
    asyncio.events._set_running_loop(None)


def finish(qtbot, coroutine, timeout_ms: int = 30_000):  # type: ignore[no-untyped-def]
    """Run a coroutine to its end while Qt keeps processing events."""
    task = asyncio.ensure_future(coroutine)
    qtbot.waitUntil(task.done, timeout=timeout_ms)
    return task.result()


def with_people(db_url: str) -> str:
    """The database with the test roster in it (the hub process finds its people there)."""
    store = Store(db_url)
    seeded_accounts(store)
    store.close()
    return db_url


async def file_as_another_lead(url: str, case: p.Case) -> None:
    async with client(url, user="wangwu") as other:
        answer = await request(other, act(case, "file"))
    assert isinstance(answer, p.Result), answer


def open_console(hub: HubProcess, user: str, layout: str = "desk") -> Console:
    console = Console(load(layout), hub.url, user, "console", password=PASSWORD)
    console.start()
    return console


def filed_cases(console: Console) -> list[p.Case]:
    """Inspectors' reports waiting for the lead (待立案), in time: the hub urges late ones on its own,
    which would change them under the test's hands."""
    due = time.time() + 120
    waiting = (c for c in console.state.cases.values() if c.status == "to_file" and c.deadline > due)
    return sorted(waiting, key=lambda c: c.id)


def type_chinese(widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Chinese arrives through the input method, as a committed string (QTest keys are Latin-1 only)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def click_case(qtbot, console: Console, case_id: str) -> None:  # type: ignore[no-untyped-def]
    queue = console.queues[0]
    queue.filter_edit.clear()
    qtbot.keyClicks(queue.filter_edit, case_id)  # as a dispatcher would: type the case number
    table = queue.table
    qtbot.waitUntil(lambda: table.model().row_of(case_id) is not None)
    row = table.model().row_of(case_id)
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def press(qtbot, console: Console, action: str) -> None:  # type: ignore[no-untyped-def]
    """Press a step's button in the case detail once it is offered."""
    detail = console.details[0]
    qtbot.waitUntil(lambda: action in detail.offered() and detail.button(action).isEnabled())
    qtbot.mouseClick(detail.button(action), Qt.MouseButton.LeftButton)


def test_steps_reach_a_second_console_and_survive_a_restart(qtbot, loop, city) -> None:  # type: ignore[no-untyped-def]
    desk = open_console(city, "lisi")
    other = open_console(city, "wangwu")
    for window in desk.windows + other.windows:
        qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(filed_cases(desk)) >= 2, timeout=60_000)
    first, second = filed_cases(desk)[:2]
    detail = desk.details[0]

    click_case(qtbot, desk, first.id)
    qtbot.waitUntil(lambda: detail.title.text().startswith(first.id))
    press(qtbot, desk, "file")
    qtbot.waitUntil(lambda: desk.state.cases[first.id].status == "to_dispatch")
    combo = detail.department_combo
    qtbot.waitUntil(combo.isVisible)
    widest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(n)) for n in range(combo.count()))
    assert combo.width() >= widest + 24, "a department's name is cut off in the chooser"
    combo.setCurrentIndex(combo.findData("enforcement"))
    type_chinese(detail.reason_edit, "占道经营，请执法局处置")
    press(qtbot, desk, "dispatch")
    qtbot.waitUntil(lambda: detail.banner.isVisible() and detail.banner.property("ok") is True)
    qtbot.waitUntil(lambda: other.state.cases[first.id].department == "enforcement")

    click_case(qtbot, desk, second.id)
    qtbot.waitUntil(lambda: detail.title.text().startswith(second.id))
    press(qtbot, desk, "file")
    qtbot.waitUntil(lambda: "urge" in detail.offered())
    assert not detail.button("urge").isEnabled()  # no reason typed yet
    type_chinese(detail.reason_edit, "群众多次投诉")
    urged = desk.state.cases[second.id].escalations  # the hub may have urged it already: it was late
    press(qtbot, desk, "urge")
    qtbot.waitUntil(lambda: other.state.cases[second.id].escalations == urged + 1)
    finish(qtbot, desk.stop())
    finish(qtbot, other.stop())

    reopened = open_console(city, "lisi")
    qtbot.addWidget(reopened.windows[0])
    qtbot.waitUntil(lambda: second.id in reopened.state.cases, timeout=30_000)
    assert reopened.state.cases[first.id].department == "enforcement"
    assert reopened.state.cases[second.id].escalations == urged + 1
    reopened.queues[0].status_combo.setCurrentIndex(0)  # all cases
    click_case(qtbot, reopened, first.id)
    timeline = reopened.details[0].timeline
    qtbot.waitUntil(lambda: timeline.count() == 3)
    dispatch_line = timeline.item(2).text()
    assert "lisi (派遣员)" in dispatch_line and "城管执法局" in dispatch_line
    assert "占道经营，请执法局处置" in dispatch_line and "待派遣 → 待签收" in dispatch_line
    finish(qtbot, reopened.stop())


def test_a_stale_action_shows_the_conflict_to_the_dispatcher(qtbot, loop, city) -> None:  # type: ignore[no-untyped-def]
    desk = open_console(city, "lisi")
    qtbot.addWidget(desk.windows[0])
    desk.queues[0].status_combo.setCurrentIndex(0)  # all cases
    qtbot.waitUntil(lambda: len(filed_cases(desk)) >= 1, timeout=60_000)
    case = filed_cases(desk)[0]
    click_case(qtbot, desk, case.id)
    detail = desk.details[0]
    qtbot.waitUntil(lambda: detail.title.text().startswith(case.id))
    desk._frame.stop()  # the dispatcher's screen lags: they act on what they see
    finish(qtbot, file_as_another_lead(city.url, case))
    press(qtbot, desk, "file")
    qtbot.waitUntil(lambda: detail.banner.isVisible() and detail.banner.property("ok") is False)
    assert "待派遣" in detail.banner.text()  # what it is now
    finish(qtbot, desk.stop())


def test_after_a_hub_restart_the_console_resumes_without_gaps(qtbot, loop, city) -> None:  # type: ignore[no-untyped-def]
    desk = open_console(city, "lisi")
    qtbot.addWidget(desk.windows[0])
    frames: list[object] = []
    apply = desk.client.session.apply
    desk.client.session.apply = lambda frame: frames.append(frame) or apply(frame)  # type: ignore[func-returns-value]
    qtbot.waitUntil(lambda: len(filed_cases(desk)) >= 1, timeout=60_000)
    status = desk.windows[0].feed_status.link
    city.stop()
    qtbot.waitUntil(lambda: desk.client.link is not LinkState.CONNECTED)
    qtbot.waitUntil(lambda: "lost" in status.text() or "Connecting" in status.text())
    seen = len(frames)
    city.start()
    qtbot.waitUntil(lambda: desk.client.link is LinkState.CONNECTED, timeout=30_000)
    case = filed_cases(desk)[0]
    finish(qtbot, file_as_another_lead(city.url, case))
    qtbot.waitUntil(lambda: desk.state.cases[case.id].status == "to_dispatch")
    qtbot.waitUntil(lambda: "Connected" in status.text())
    after = [f for f in frames[seen:] if f.topic == "cases"]  # type: ignore[attr-defined]
    finish(qtbot, desk.stop())
    assert after and all(isinstance(f, p.Delta) for f in after)  # resumed: no fresh snapshot


def test_a_wall_console_shows_the_city_but_offers_no_actions(qtbot, loop, city) -> None:  # type: ignore[no-untyped-def]
    wall = Console(load("wall"), city.url, "wall", "wall", password=PASSWORD)
    wall.start()
    for window in wall.windows:
        qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(wall.state.cases) >= 1 and len(wall.state.vehicles) > 0, timeout=60_000)
    qtbot.waitUntil(lambda: all(w.isVisible() for w in wall.windows))
    assert all(not detail.actions.isVisible() for detail in wall.details)
    fullscreen = [w for w, spec in zip(wall.windows, wall.layout.screens, strict=True) if spec.fullscreen]
    qtbot.waitUntil(lambda: all(w.isFullScreen() for w in fullscreen))  # the window manager's pace
    assert {w.screen().name() for w in wall.windows} == {spec.id for spec in wall.layout.screens}
    finish(qtbot, wall.stop())


@pytest.fixture
def nanjing(tmp_path: Path) -> Path:
    """南京市 imported from its real district boundaries (tests/data/public)."""
    from public_maps import nanjing_districts
    from test_city_import import save

    source = save(tmp_path / "nanjing.geojson", nanjing_districts())
    result = import_city(
        [LayerSpec.parse(f"districts={source}")], name="南京市", name_en="Nanjing", code="320100"
    )
    assert result.documents is not None
    write_folder(tmp_path / "南京市", result.documents)
    return tmp_path / "南京市"


def test_a_console_draws_a_city_it_never_saw_while_the_simulator_plays_it(qtbot, loop, tmp_path, nanjing):  # type: ignore[no-untyped-def]
    hub = HubProcess(with_people(sqlite_file(tmp_path)), city=nanjing).start()
    sim = hall(
        "sim",
        "--hub",
        hub.url,
        "--user",
        "sim",
        "--city",
        str(nanjing),
        "--rate",
        "300",
        "--seed",
        "3",
        stdout=subprocess.DEVNULL,
    )
    cache = CityCache(tmp_path / "cache")
    desk = Console(load("desk"), hub.url, "lisi", "console", city_cache=cache, password=PASSWORD)
    try:
        desk.start()
        qtbot.addWidget(desk.windows[0])
        qtbot.waitUntil(lambda: desk.state.city is not None and len(desk.state.cases) >= 5, timeout=60_000)
        city = desk.state.city
        assert city is not None and city.name == "南京市" and len(city.districts) == 11
        assert "南京市" in desk.windows[0].windowTitle()
        assert cache.get(city.content_hash) is not None  # cached by hash for the next start
        districts = {d.code for d in city.districts}
        assert {case.district for case in desk.state.cases.values()} <= districts
        qtbot.waitUntil(lambda: len(desk.state.vehicles) > 0 and len(desk.state.sensors) > 0, timeout=30_000)
        qtbot.waitUntil(lambda: desk.windows[0].isVisible())
        picture = desk.windows[0].grab()
        assert picture.save(str(tmp_path / "nanjing-desk.png"))
        city_map = desk.maps[0]
        names = {text for text, _box in city_map.labels.placed}  # type: ignore[union-attr]
        assert len(names & {d.name for d in city.districts}) >= 6, names  # its districts, by name
        assert all(city.locate(s.lon, s.lat) is not None for s in desk.state.sensors.values())
    finally:
        finish(qtbot, desk.stop())
        sim.terminate()
        sim.wait(timeout=10)
        hub.stop()


async def hotline_call(url: str) -> str:
    """A citizen calls 12319: the hotline system reports it; the case id it became."""
    from feeds.city import demo
    from tests.hubkit import inside, new_id

    lon, lat = inside(demo().city.grids[200])
    report = p.Report(new_id("R"), "06010", lon, lat, "hotline", time.time(), "市民来电：小区门口垃圾堆积")
    async with client(url, "producer", "12319") as hotline:
        ack = await request(hotline, report)
    assert isinstance(ack, p.Ack) and ack.accepted == 1, ack
    return ack.cases[report.id]


async def inspector_answers(url: str, case: p.Case, action: str, **fields: str) -> None:
    """The inspector's app answers a task over the producer interface."""
    async with client(url, "producer", "inspector") as app:
        answer = await request(app, act(case, action, **fields))
    assert isinstance(answer, p.Result), answer


def test_three_seats_and_an_inspector_close_the_loop(qtbot, loop, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hub = HubProcess(with_people(sqlite_file(tmp_path))).start()
    seats = {user: open_console(hub, user) for user in ("lead", "dispatcher", "sanitation")}
    lead, dispatcher, sanitation = seats.values()
    try:
        for console in seats.values():
            qtbot.addWidget(console.windows[0])
        case_id = finish(qtbot, hotline_call(hub.url))
        everyone_sees = lambda status: all(  # noqa: E731
            c.state.cases.get(case_id) is not None and c.state.cases[case_id].status == status
            for c in seats.values()
        )
        qtbot.waitUntil(lambda: everyone_sees("reported"), timeout=30_000)

        # The lead sends the nearest inspector to verify it (intake's step, which the lead may take too).
        click_case(qtbot, lead, case_id)
        press(qtbot, lead, "verify")
        qtbot.waitUntil(lambda: everyone_sees("verifying"))
        finish(qtbot, inspector_answers(hub.url, lead.state.cases[case_id], "confirm", text="属实"))
        qtbot.waitUntil(lambda: everyone_sees("to_file"))
        press(qtbot, lead, "file")
        qtbot.waitUntil(lambda: everyone_sees("to_dispatch"))

        # The dispatcher sends it to drainage by mistake; drainage returns it (from its own link),
        # and the dispatcher sends it where the responsibility table said.
        click_case(qtbot, dispatcher, case_id)
        detail = dispatcher.details[0]
        qtbot.waitUntil(lambda: detail.department_combo.isVisible())
        assert detail.department_combo.currentData() == "sanitation"  # the responsibility table's pick
        detail.department_combo.setCurrentIndex(detail.department_combo.findData("drainage"))
        press(qtbot, dispatcher, "dispatch")
        qtbot.waitUntil(lambda: everyone_sees("dispatched"))
        finish(qtbot, return_as_drainage(hub.url, dispatcher.state.cases[case_id]))
        qtbot.waitUntil(lambda: everyone_sees("to_dispatch"))
        detail.department_combo.setCurrentIndex(detail.department_combo.findData("sanitation"))
        press(qtbot, dispatcher, "dispatch")
        qtbot.waitUntil(lambda: everyone_sees("dispatched"))

        # Sanitation takes it, handles it, feeds back; the check fails; rework; the check passes.
        click_case(qtbot, sanitation, case_id)
        press(qtbot, sanitation, "take")
        qtbot.waitUntil(lambda: everyone_sees("handling"))
        light = lambda console: console.case_columns.light(console.case_columns.slots[case_id])  # noqa: E731
        assert str(light(sanitation)) in ("green", "yellow")
        type_chinese(sanitation.details[0].text_edit, "已清运")
        press(qtbot, sanitation, "feedback")
        qtbot.waitUntil(lambda: everyone_sees("to_check"))
        press(qtbot, lead, "check")
        qtbot.waitUntil(lambda: everyone_sees("checking"))
        finish(qtbot, inspector_answers(hub.url, lead.state.cases[case_id], "fail", reason="仍有残留"))
        qtbot.waitUntil(lambda: everyone_sees("handling"))
        type_chinese(sanitation.details[0].text_edit, "残留已清理")
        press(qtbot, sanitation, "feedback")
        qtbot.waitUntil(lambda: everyone_sees("to_check"))
        press(qtbot, lead, "check")
        qtbot.waitUntil(lambda: everyone_sees("checking"))
        finish(qtbot, inspector_answers(hub.url, lead.state.cases[case_id], "pass"))
        qtbot.waitUntil(lambda: everyone_sees("to_close"))
        press(qtbot, lead, "close")
        qtbot.waitUntil(lambda: everyone_sees("closed"))
        closed = lead.state.cases[case_id]
        assert (closed.closure, closed.returns, closed.reworks) == ("normal", 1, 1)
        qtbot.waitUntil(lambda: str(light(lead)) == "off")
        timeline = lead.details[0].timeline
        qtbot.waitUntil(lambda: timeline.count() == 15)  # the report and fourteen steps
        lines = [timeline.item(n).text() for n in range(timeline.count())]
        assert "drainage (处置人员)" in lines[5] and "回退" in lines[5] and "不属排水职责" in lines[5]
        assert "inspector (监督员)" in lines[10] and "仍有残留" in lines[10]
        assert "lead (值班长)" in lines[-1] and "已结案" in lines[-1]
    finally:
        for console in seats.values():
            finish(qtbot, console.stop())
        hub.stop()


async def return_as_drainage(url: str, case: p.Case) -> None:
    async with client(url, user="drainage") as drainage:
        answer = await request(drainage, act(case, "return", reason="不属排水职责"))
    assert isinstance(answer, p.Result), answer


def test_several_selected_cases_take_one_step_together(qtbot, loop, city) -> None:  # type: ignore[no-untyped-def]
    desk = open_console(city, "zhangsan")
    qtbot.addWidget(desk.windows[0])
    queue = desk.queues[0]
    qtbot.waitUntil(lambda: len(filed_cases(desk)) >= 3, timeout=60_000)
    chosen = [case.id for case in filed_cases(desk)[:3]]
    queue.status_combo.setCurrentIndex(queue.status_combo.findText("待立案"))
    table = queue.table
    for n, case_id in enumerate(chosen):
        qtbot.waitUntil(lambda case_id=case_id: table.model().row_of(case_id) is not None)
        rect = table.visualRect(table.model().index(table.model().row_of(case_id), 0))
        modifier = Qt.KeyboardModifier.ControlModifier if n else Qt.KeyboardModifier.NoModifier
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
    detail = desk.details[0]
    assert sorted(queue.selected_cases()) == sorted(chosen)
    qtbot.waitUntil(lambda: "file" in detail.offered() and "3" in detail.button("file").text())
    qtbot.mouseClick(detail.button("file"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(desk.state.cases[c].status == "to_dispatch" for c in chosen))
    qtbot.waitUntil(lambda: detail.banner.isVisible() and "3" in detail.banner.text())
    finish(qtbot, desk.stop())


async def bridge_strain_alarm(url: str) -> str:
    """A bridge's strain gauge past its alarm limit for longer than the 2 s its class ignores."""
    site = next(s for s in demo().city.sensors if s.kind == "bridge_strain")
    now = time.time()
    info = p.SensorInfo(site.id, site.kind, site.name, site.lon, site.lat, "με")
    readings = [
        p.Reading(site.id, value, now - 3 + n) for n, value in enumerate((1150.0, 1180.0, 1210.0, 1190.0))
    ]
    async with client(url, "producer", "gw") as gateway:
        ack = await request(gateway, p.Batch("strain-1", [info, *readings]))
    assert isinstance(ack, p.Ack) and ack.accepted == 5, ack
    return site.id


def test_an_alarm_acknowledged_at_one_desk_is_acknowledged_at_every_desk_and_has_a_trend(
    qtbot, loop, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    hub = HubProcess(with_people(sqlite_file(tmp_path))).start()
    try:
        desk, lead = open_console(hub, "dispatcher"), open_console(hub, "lead")
        for window in (*desk.windows, *lead.windows):
            qtbot.addWidget(window)
        sensor_id = finish(qtbot, bridge_strain_alarm(hub.url))
        panels = desk.alarm_panels[0], lead.alarm_panels[0]
        for panel in panels:
            qtbot.waitUntil(lambda panel=panel: panel.table.model().rowCount() == 1, timeout=20_000)
            assert panel.count_label.text() == "Unacknowledged 1"
        for console in (desk, lead):  # a new critical alarm: heard, and in front of everything
            qtbot.waitUntil(lambda console=console: console.alert.isVisible(), timeout=10_000)
            assert 1 in console.sounds.played and console.alert.source.text()
        mine = panels[0]
        mine.table.selectRow(0)
        qtbot.waitUntil(lambda: mine.buttons["ack"].isEnabled())
        qtbot.waitUntil(lambda: len(desk.maps[0].selection.x) == 1)  # the map rings the bridge's gauge
        qtbot.mouseClick(mine.buttons["ack"], Qt.MouseButton.LeftButton)
        for panel in panels:  # one acknowledgement clears the unacknowledged state on every seat
            qtbot.waitUntil(
                lambda panel=panel: panel.count_label.text() == "Unacknowledged 0", timeout=10_000
            )
        assert not desk.alert.isVisible() and not lead.alert.isVisible()
        qtbot.mouseClick(mine.trend_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: desk.trend is not None and len(desk.trend.series[sensor_id].at) == 4, timeout=10_000
        )
        assert list(desk.trend.series[sensor_id].mean) == [1150.0, 1180.0, 1210.0, 1190.0]
        qtbot.waitUntil(lambda: "bridge_strain" in desk.trend.limits, timeout=20_000)  # once the city is in
        assert "alarm 1000" in " ".join(
            line.label.toPlainText() for line in desk.trend.limits["bridge_strain"]
        )
        finish(qtbot, desk.stop())
        finish(qtbot, lead.stop())
    finally:
        hub.stop()
    store = Store(hub.db_url)
    alarm = next(iter(store.load().records["alarms"]))
    store.close()
    assert (alarm.acked, alarm.acked_by, alarm.priority) == (True, "dispatcher", 1)
