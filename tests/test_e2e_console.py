"""End to end: real hub and simulator processes, consoles offscreen, driven like a dispatcher would."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from console.app import Console
from feeds import wire as p
from feeds.city.cache import CityCache
from feeds.city.folder import write_folder
from feeds.city.importer import LayerSpec, import_city
from feeds.wire.client import LinkState
from layouts import load
from tests.hubkit import client, new_id, request
from tests.processes import HubProcess, hall, sqlite_file

pytestmark = pytest.mark.e2e


@pytest.fixture
def city(tmp_path: Path) -> Iterator[HubProcess]:
    """A hub with the simulator playing the city into it."""
    hub = HubProcess(sqlite_file(tmp_path)).start()
    sim = hall("sim", "--hub", hub.url, "--rate", "200", "--seed", "5", stdout=subprocess.DEVNULL)
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


async def escalate_as_another_dispatcher(url: str, case: p.Case, reason: str) -> None:
    async with client(url, user="王五") as other:
        answer = await request(other, p.Escalate(new_id(), case.id, case.version, reason))
    assert isinstance(answer, p.Result), answer


def open_console(hub: HubProcess, user: str, layout: str = "desk") -> Console:
    console = Console(load(layout), hub.url, user, "console")
    console.start()
    return console


def filed_cases(console: Console) -> list[p.Case]:
    return sorted((c for c in console.state.cases.values() if c.status == "filed"), key=lambda c: c.id)


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


def test_assign_and_escalate_round_trip_reach_a_second_console_and_survive_a_restart(
    qtbot, loop, city
) -> None:  # type: ignore[no-untyped-def]
    desk = open_console(city, "李四")
    other = open_console(city, "王五")
    for window in desk.windows + other.windows:
        qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(filed_cases(desk)) >= 2, timeout=60_000)
    first, second = filed_cases(desk)[:2]
    detail = desk.details[0]

    click_case(qtbot, desk, first.id)
    qtbot.waitUntil(lambda: detail.title.text().startswith(first.id))
    combo = detail.department_combo
    widest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(n)) for n in range(combo.count()))
    assert combo.width() >= widest + 24, "a department's name is cut off in the chooser"
    detail.department_combo.setCurrentIndex(detail.department_combo.findData("enforcement"))
    type_chinese(detail.assign_reason, "占道经营，请执法局处置")
    qtbot.mouseClick(detail.assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.banner.isVisible() and detail.banner.property("ok") is True)
    qtbot.waitUntil(lambda: other.state.cases[first.id].department == "enforcement")

    click_case(qtbot, desk, second.id)
    qtbot.waitUntil(lambda: detail.title.text().startswith(second.id))
    assert not detail.escalate_button.isEnabled()  # no reason typed yet
    type_chinese(detail.escalate_reason, "群众多次投诉")
    qtbot.mouseClick(detail.escalate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: other.state.cases[second.id].escalations == 1)
    finish(qtbot, desk.stop())
    finish(qtbot, other.stop())

    reopened = open_console(city, "李四")
    qtbot.addWidget(reopened.windows[0])
    qtbot.waitUntil(lambda: second.id in reopened.state.cases, timeout=30_000)
    assert reopened.state.cases[first.id].department == "enforcement"
    assert reopened.state.cases[second.id].escalations == 1
    click_case(qtbot, reopened, first.id)
    timeline = reopened.details[0].timeline
    qtbot.waitUntil(lambda: timeline.count() == 2)
    assign_line = timeline.item(1).text()
    assert "李四" in assign_line and "城管执法局" in assign_line and "占道经营，请执法局处置" in assign_line
    finish(qtbot, reopened.stop())


def test_a_stale_action_shows_the_conflict_to_the_dispatcher(qtbot, loop, city) -> None:  # type: ignore[no-untyped-def]
    desk = open_console(city, "李四")
    qtbot.addWidget(desk.windows[0])
    qtbot.waitUntil(lambda: len(filed_cases(desk)) >= 1, timeout=60_000)
    case = filed_cases(desk)[0]
    click_case(qtbot, desk, case.id)
    detail = desk.details[0]
    qtbot.waitUntil(lambda: detail.title.text().startswith(case.id))
    desk._frame.stop()  # the dispatcher's screen lags: they act on what they see
    finish(qtbot, escalate_as_another_dispatcher(city.url, case, "抢先督办"))
    type_chinese(detail.escalate_reason, "再次督办")
    qtbot.mouseClick(detail.escalate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.banner.isVisible() and detail.banner.property("ok") is False)
    assert str(case.version + 1) in detail.banner.text()
    finish(qtbot, desk.stop())


def test_after_a_hub_restart_the_console_resumes_without_gaps(qtbot, loop, city) -> None:  # type: ignore[no-untyped-def]
    desk = open_console(city, "李四")
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
    finish(qtbot, escalate_as_another_dispatcher(city.url, case, "重启后督办"))
    qtbot.waitUntil(lambda: desk.state.cases[case.id].escalations == 1)
    qtbot.waitUntil(lambda: "Connected" in status.text())
    after = [f for f in frames[seen:] if f.topic == "cases"]  # type: ignore[attr-defined]
    finish(qtbot, desk.stop())
    assert after and all(isinstance(f, p.Delta) for f in after)  # resumed: no fresh snapshot


def test_a_wall_console_shows_the_city_but_offers_no_actions(qtbot, loop, city) -> None:  # type: ignore[no-untyped-def]
    wall = Console(load("wall"), city.url, "大屏", "wall")
    wall.start()
    for window in wall.windows:
        qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(wall.state.cases) >= 1 and len(wall.state.vehicles) > 0, timeout=60_000)
    qtbot.waitUntil(lambda: all(w.isVisible() for w in wall.windows))
    assert all(not detail.actions.isVisible() for detail in wall.details)
    assert all(
        w.isFullScreen() for w, spec in zip(wall.windows, wall.layout.screens, strict=True) if spec.fullscreen
    )
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
    hub = HubProcess(sqlite_file(tmp_path), city=nanjing).start()
    sim = hall(
        "sim",
        "--hub",
        hub.url,
        "--city",
        str(nanjing),
        "--rate",
        "300",
        "--seed",
        "3",
        stdout=subprocess.DEVNULL,
    )
    cache = CityCache(tmp_path / "cache")
    desk = Console(load("desk"), hub.url, "李四", "console", city_cache=cache)
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
