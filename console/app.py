"""The console: one process driving every window of a seat or of the wall.

Data path: the feed client (asyncio, on the Qt loop through qasync) applies
each frame to the Qt-free mirror; one frame clock (20 Hz) takes what changed
and hands it to every model and map, so the cost of drawing does not grow
with the message rate.  Commands go out as coroutines and their outcome is
shown on the case detail panel.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTabWidget, QVBoxLayout, QWidget

from console import names
from console.annunciator import Annunciator
from console.columns import AlarmColumns, CaseColumns, VehicleColumns, hall_summary, newest_critical
from console.models import AlarmTableModel, CaseTableModel, VehicleTableModel
from console.palette import style_sheet
from console.screens import physical_screens, place, plan
from console.state import Changes, HallState, signed_in
from feeds.city import City, CityError, from_bundle
from feeds.city.cache import CityCache
from feeds.city.workflow import Person
from feeds.wire import TOPICS, Act, Alarm, AlarmAct, Case, ErrorCode, GetHistory, GetTimeline, Welcome
from feeds.wire.client import CommandError, HubClient, LinkState
from layouts import Layout, ScreenSpec
from widgets.alarm_panel import QtAlarmPanel
from widgets.case_detail import QtCaseDetail
from widgets.case_queue import QtCaseQueue
from widgets.critical_alert import QtCriticalAlert
from widgets.feed_status import QtFeedStatus
from widgets.hall_header import QtHallHeader
from widgets.map import QtCityMap
from widgets.sounds import QtAlarmSounds
from widgets.trend import QtTrend
from widgets.vehicle_board import QtVehicleBoard

log = logging.getLogger("hall.console")

FRAME_MS = 50  # 20 Hz: smooth to the eye, cheap for the machine
NEAREST_CREWS = 3  # offered for a selected case
FEED_STATUS_EVERY_S = 1.0  # how old each topic's data is, and what lies outside the city


class HallWindow(QMainWindow):
    """One screen of the layout: header band, panels, feed status bar."""

    def __init__(self, spec: ScreenSpec, content: QWidget) -> None:
        super().__init__()
        self.spec = spec
        self.setObjectName(f"hall-{spec.id}")
        self.header = QtHallHeader("")
        self.show_city(None)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(content, 1)
        self.setCentralWidget(body)
        self.feed_status = QtFeedStatus(TOPICS)
        self.setStatusBar(self.feed_status)

    def show_city(self, city: City | None) -> None:
        """The hall's name, with its city's when known: 南京市 城市管理监督指挥中心 · 城市地图."""
        hall = self.tr("Urban Management Supervision Hall")
        if city is not None:
            hall = f"{names.named(city.name, city.name_en)} {hall}"
        self.setWindowTitle(f"{hall} — {self._title(self.spec.title)}")
        self.header.title.setText(f"{hall} · {self._title(self.spec.title)}")

    def _title(self, title: str) -> str:
        names = {
            "Dispatch desk": self.tr("Dispatch desk"),
            "City map": self.tr("City map"),
            "Alarms": self.tr("Alarms"),
            "Case queue": self.tr("Case queue"),
            "Fleet": self.tr("Fleet"),
        }
        return names.get(title, title)


class Console(QObject):
    """Every window of a seat or of the wall, fed by one client; the city comes from the hub."""

    def __init__(
        self,
        layout: Layout,
        hub_url: str,
        user: str,
        kind: str,
        city_cache: CityCache | None = None,
        password: str = "",
        token: str = "",
    ) -> None:
        super().__init__()
        self.layout = layout
        self.hub_url = hub_url
        self.kind = kind
        self.state = HallState()
        # One set of columns per topic, updated once a frame, for every table and map of the seat.
        self.case_columns = CaseColumns(self.state)
        self.alarm_columns = AlarmColumns(self.state)
        self.vehicle_columns = VehicleColumns(self.state)
        self.client = HubClient(
            hub_url,
            kind=kind,  # type: ignore[arg-type]
            user=user,
            password=password,
            token=token,
            on_frame=self.state.apply,
            positions=lambda: self.state.positions,
            on_link=self._on_link,
            on_city=self._on_city_bundle,
            city_cache=city_cache or CityCache(),
        )
        self._city_builder = ThreadPoolExecutor(1, thread_name_prefix="hall-city")
        self.refreshers: list[Callable[[Changes, float], None]] = []
        self.maps: list[QtCityMap] = []
        self.queues: list[QtCaseQueue] = []
        self.details: list[QtCaseDetail] = []
        self.alarm_panels: list[QtAlarmPanel] = []
        self.trend: QtTrend | None = None  # a window of its own, opened from an alarm
        self.annunciator = Annunciator()  # what the hall hears …
        self.sounds = QtAlarmSounds(self)  # … played
        self.selected: str | None = None
        self.together: list[str] = []  # cases selected with the shown one: a step goes to all of them
        self.actor: Person | None = None  # who sits here, once the hub has welcomed us
        #: Asks the person at the seat to sign in again when the hub refuses (None: unattended).
        self.ask_sign_in: Callable[[str, str, str], tuple[str, str] | None] | None = None
        self.frame_ms: deque[float] = deque(maxlen=600)  # recent frame costs, for the benchmark
        self.windows = [HallWindow(spec, self._build(spec.content)) for spec in layout.screens]
        # The newest critical alarm nobody acknowledged, on top of everything (it goes with the first window).
        wall_screens = any(spec.fullscreen for spec in layout.screens)
        self.alert = QtCriticalAlert(self.state, wall_screens, self.kind == "wall", parent=self.windows[0])
        self.alert.ack_requested.connect(
            lambda alarm, version: self._on_alarm_act_requested(alarm, version, "ack", {})
        )
        self.placement_note: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_feed_status = 0.0
        self._last_clock = 0.0
        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._on_frame)

    # -- building ---------------------------------------------------------------

    def _build(self, node: dict[str, object]) -> QWidget:
        if "panel" in node:
            return self._panel(str(node["panel"]))
        if "tabs" in node:
            tabs = QTabWidget()
            for name in node["tabs"]:  # type: ignore[attr-defined]
                tabs.addTab(self._panel(name), self._panel_title(name))
            return tabs
        orientation = Qt.Orientation.Horizontal if node["split"] == "horizontal" else Qt.Orientation.Vertical
        splitter = QSplitter(orientation)
        stretches = [int(item.get("stretch", 1)) for item in node["items"]]  # type: ignore[attr-defined]
        for n, item in enumerate(node["items"]):  # type: ignore[attr-defined]
            splitter.addWidget(self._build(item))
            splitter.setStretchFactor(n, stretches[n])
        splitter.setSizes([1000 * s for s in stretches])  # the layout's proportions, not size hints
        return splitter

    def _panel_title(self, name: str) -> str:
        return {
            "alarms": self.tr("Alarms"),
            "vehicles": self.tr("Fleet"),
            "queue": self.tr("Case queue"),
            "map": self.tr("City map"),
            "detail": self.tr("Case"),
        }[name]

    def _panel(self, name: str) -> QWidget:
        if name == "map":
            city_map = QtCityMap(self.state, self.case_columns, self.alarm_columns)
            city_map.case_selected.connect(self.select_case)
            self.maps.append(city_map)
            self.refreshers.append(city_map.refresh)
            return city_map
        if name == "queue":
            cases = CaseTableModel(self.state, store=self.case_columns)
            queue = QtCaseQueue(cases)
            queue.case_selected.connect(self.select_case)
            queue.cases_selected.connect(self._on_cases_selected)
            queue.set_actor(self.actor)
            self.queues.append(queue)
            self.refreshers.append(cases.refresh)
            return queue
        if name == "detail":
            detail = QtCaseDetail()
            detail.set_read_only(self.kind == "wall")
            detail.set_actor(self.actor)
            detail.act_requested.connect(self._on_act_requested)
            self.details.append(detail)
            return detail
        if name == "alarms":
            alarms = AlarmTableModel(self.state, store=self.alarm_columns)
            self.refreshers.append(alarms.refresh)
            panel = QtAlarmPanel(alarms)
            panel.set_read_only(self.kind == "wall")
            panel.set_actor(self.actor)
            panel.alarm_act_requested.connect(self._on_alarm_act_requested)
            panel.trend_requested.connect(self.show_trend)
            panel.mute_requested.connect(self._mute)
            panel.alarm_selected.connect(self.locate_alarm)
            self.alarm_panels.append(panel)
            return panel
        vehicles = VehicleTableModel(self.state, store=self.vehicle_columns)
        self.refreshers.append(vehicles.refresh)
        return QtVehicleBoard(vehicles)

    # -- running ----------------------------------------------------------------

    def start(self) -> None:
        placements, self.placement_note = plan(self.layout, physical_screens())
        if self.placement_note:
            log.warning("%s", self.placement_note)
        for window, placement in zip(self.windows, placements, strict=True):
            place(window, placement)
            if placement.shared:
                window.feed_status.show_note(self.tr("No screen of its own: opened as an ordinary window"))
        self._spawn(self.client.run())
        self._frame.start()

    async def stop(self) -> None:
        self._frame.stop()
        await self.client.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._city_builder.shutdown(wait=True)
        for window in self.windows:
            window.close()
        if self.trend is not None:
            self.trend.close()

    def _spawn(self, work: object) -> None:
        task = asyncio.ensure_future(work)  # type: ignore[call-overload]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_frame(self) -> None:
        started = time.perf_counter()
        now = time.time()
        changes = self.state.take_changes()
        for refresh in self.refreshers:
            refresh(changes, now)
        if self.selected and (self.selected in changes.cases or "cases" in changes.reset):
            self._show_selected(fetch_timeline=True)
        elif self.selected and int(now) != int(self._last_clock):
            self._show_clock()
        self._last_clock = now
        stores = (self.case_columns, self.alarm_columns, self.vehicle_columns)
        if any([store.update(changes, now).applied for store in stores]):  # every store, every frame
            summary = hall_summary(*stores)
            for window in self.windows:
                window.header.show_summary(summary, now)
        self._annunciate(changes, now)
        if now - self._last_feed_status >= FEED_STATUS_EVERY_S:
            self._last_feed_status = now
            self._show_feed_status()
        self.frame_ms.append((time.perf_counter() - started) * 1000)

    def _annunciate(self, changes: Changes, now: float) -> None:
        """Sound the new alarms, again the critical one nobody acknowledged; keep the newest such
        in front of everything."""
        alarms = self.state.alarms
        reset = "alarms" in changes.reset
        changed = list(alarms.values()) if reset else [alarms[i] for i in changes.alarms if i in alarms]
        self.sounds.play(self.annunciator.hear(changed, alarms.values(), now))
        if changed or reset:
            slot = newest_critical(self.alarm_columns)
            self.alert.show_alarm(None if slot is None else self.alarm_columns.record(slot))

    def _mute(self, seconds: float) -> None:
        if seconds:
            until = self.annunciator.mute(time.time(), seconds)
        else:
            self.annunciator.unmute()
            until = 0.0
        for panel in self.alarm_panels:
            panel.show_mute(until)

    def _show_feed_status(self) -> None:
        monotonic = time.monotonic()
        ages = {
            topic: (monotonic - at if (at := self.client.last_current_at.get(topic)) is not None else None)
            for topic in TOPICS
        }
        outside = self.state.outside()
        for window in self.windows:
            window.feed_status.show_ages(ages)
            window.feed_status.show_outside(outside)

    # -- the city -----------------------------------------------------------------

    def _on_city_bundle(self, data: bytes) -> None:
        self._spawn(self._load_city(data))

    async def _load_city(self, data: bytes) -> None:
        """Build the city off the UI thread: a city of 20,000 grids takes a moment."""
        loop = asyncio.get_running_loop()
        try:
            city = await loop.run_in_executor(self._city_builder, from_bundle, data)
        except CityError as error:
            log.error("the hub's city cannot be used: %s", error)
            for window in self.windows:
                window.feed_status.show_note(self.tr("The hub's city cannot be drawn; see the log"))
            return
        self.set_city(city)

    def set_city(self, city: City) -> None:
        """Name, place and draw everything in this city from the next frame on."""
        names.use_city(city)
        self.state.set_city(city)
        for detail in self.details:
            detail.set_city(city)
        for queue in self.queues:
            queue.set_city(city)
            queue.set_actor(self.actor)
        for window in self.windows:
            window.show_city(city)
        if self.trend is not None:
            self.trend.set_city()

    def _on_link(self, state: LinkState) -> None:
        for window in self.windows:
            window.feed_status.show_link(state, self.hub_url)
        welcome = self.client.welcome
        if state is LinkState.CONNECTED and welcome is not None:
            self._signed_in(welcome)
        refusal = self.client.refusal
        if state is LinkState.REFUSED and refusal is not None:
            text = self.tr("The hub refused this seat: %1").replace("%1", refusal.message)
            for window in self.windows:
                window.feed_status.show_note(text)
            if self.ask_sign_in is not None and refusal.code != ErrorCode.UNSUPPORTED_VERSION:
                QTimer.singleShot(0, lambda: self._sign_in_again(text))

    def _sign_in_again(self, problem: str) -> None:
        """A wrong password or an expired session: ask again and reconnect (outside the loop's
        callback, as the dialog runs an event loop of its own)."""
        assert self.ask_sign_in is not None
        signed = self.ask_sign_in(self.hub_url, self.client.session.user, problem)
        if signed is None:
            return
        session = self.client.session
        session.user, session.password, session.token = signed[0], signed[1], ""
        self.client.refusal = None
        self._spawn(self.client.run())

    def _signed_in(self, welcome: Welcome) -> None:
        """Who sits here: each window says so, and offers their work and their steps."""
        self.actor = signed_in(welcome)
        roles = "、".join(names.role_name(role) for role in welcome.roles)
        for window in self.windows:
            window.header.show_user(f"{welcome.name or welcome.user} · {roles}")
        for queue in self.queues:
            queue.set_actor(self.actor)
        for detail in self.details:
            detail.set_actor(self.actor)
        for panel in self.alarm_panels:
            panel.set_actor(self.actor)

    # -- selecting and acting -------------------------------------------------------

    def locate_alarm(self, alarm_id: str) -> None:
        """An alarm chosen: its case if it became one (the map rings it, the detail shows it),
        else its sensor or vehicle rung on the map."""
        alarm = self.state.alarms.get(alarm_id)
        subject = self.state.subject(alarm) if alarm else None
        if alarm is not None and alarm.case_id in self.state.cases:
            self.select_case(alarm.case_id)
        elif subject is not None and subject.lon is not None and subject.lat is not None:
            for city_map in self.maps:
                city_map.locate(subject.lon, subject.lat)

    def select_case(self, case_id: str) -> None:
        if case_id not in self.state.cases:
            return
        self.selected = case_id
        for city_map in self.maps:
            city_map.select_case(case_id)
        for queue in self.queues:
            queue.select_case(case_id)
        self._show_selected(fetch_timeline=True)

    def _show_selected(self, fetch_timeline: bool) -> None:
        case = self.state.cases.get(self.selected or "")
        for detail in self.details:
            detail.show_case(case)
        self._show_clock()
        if case is not None:
            self._show_who_can_go(case)
            repeats = self.case_columns.repeats(case)
            for detail in self.details:
                detail.show_repeats(repeats)
        if case is not None and fetch_timeline and self.details:
            self._spawn(self._load_timeline(case.id))

    def _show_who_can_go(self, case: Case) -> None:
        """The case's own inspector where one is out on it, else the three nearest on duty; and
        the nearest crews free to send of a kind suited to it."""
        everyone = self.state.nearest_vehicles("inspector", case.lon, case.lat, len(self.state.vehicles))
        if case.status in names.workflow().task_states:  # out on this case: that one
            nearest = [(v, metres) for v, metres in everyone if v.id == case.inspector]
        else:  # the three nearest not out on another task (their devices say which)
            nearest = [(v, metres) for v, metres in everyone if not v.task][:3]
        crews = self.state.nearest_crews(case, NEAREST_CREWS, time.time())
        for detail in self.details:
            detail.show_inspectors([(v.plate or v.id, metres) for v, metres in nearest])
            detail.show_crews(
                [(f"{v.plate} {names.vehicle_kind_name(v.kind)}", metres) for v, metres in crews]
            )

    def _show_clock(self) -> None:
        slot = self.case_columns.slots.get(self.selected or "")
        if slot is None or slot >= len(self.case_columns.left):
            return
        for detail in self.details:
            detail.show_clock(float(self.case_columns.left[slot]))

    async def _load_timeline(self, case_id: str) -> None:
        try:
            result = await self.client.request(GetTimeline(uuid.uuid4().hex, case_id))
        except CommandError as error:
            log.info("timeline of %s not loaded: %s", case_id, error.message)
            return
        if case_id == self.selected:
            for detail in self.details:
                detail.show_timeline(result.timeline or [])

    def _on_cases_selected(self, case_ids: list[str]) -> None:
        self.together = case_ids if len(case_ids) > 1 else []
        for detail in self.details:
            detail.show_together(len(self.together))

    def _on_act_requested(self, case_id: str, version: int, action: str, fields: dict[str, object]) -> None:
        """One step on the shown case, or on every selected case (as each stands now)."""
        cases = [self.state.cases[c] for c in self.together if c in self.state.cases]
        targets = [(c.id, c.version) for c in cases] or [(case_id, version)]
        commands = [Act(uuid.uuid4().hex, c, v, action, **fields) for c, v in targets]  # type: ignore[arg-type]
        self._spawn(self._send(commands))

    async def _send(self, commands: list[Act]) -> None:
        outcomes = await asyncio.gather(*(self._request(command) for command in commands))
        failed = [text for text in outcomes if text]
        first = commands[0]
        if len(commands) == 1 and failed:
            self._show_outcome(failed[0], ok=False)
            return
        step = names.action_name(first.action)
        if len(commands) == 1:
            case = self.state.cases.get(first.case_id)
            now = names.status_name(case.status) if case else ""
            done = (
                self.tr("%1: %2, now %3").replace("%1", step).replace("%2", first.case_id).replace("%3", now)
            )
        else:
            done = self.tr("%1: %2 of %3 cases").replace("%1", step)
            done = done.replace("%2", str(len(commands) - len(failed))).replace("%3", str(len(commands)))
            if failed:
                done += " · " + failed[0]
        if first.department:
            done += f" → {names.department_name(first.department)}"
        self._show_outcome(done, ok=not failed)

    async def _request(self, command: Act) -> str:
        """Send one step; "" when done, else why not (its change arrives before the answer)."""
        try:
            await self.client.request(command)
        except CommandError as error:
            return self._explain(error)
        return ""

    def show_trend(self, sensor_id: str) -> None:
        """The trend window, with this sensor on it (history from the hub, then live)."""
        if self.trend is None:
            self.trend = QtTrend(self.state, self.windows[0])  # goes with the console's first window
            self.trend.setWindowFlag(Qt.WindowType.Window)
            self.trend.resize(1200, 600)
            self.trend.history_requested.connect(
                lambda sensor, since, until: self._spawn(self._load_history(sensor, since, until))
            )
            self.refreshers.append(self.trend.refresh)
        self.trend.fill_picker()
        self.trend.add_sensor(sensor_id)
        self.trend.show()
        self.trend.raise_()

    async def _load_history(self, sensor_id: str, since: float, until: float) -> None:
        try:
            result = await self.client.request(GetHistory(uuid.uuid4().hex, sensor_id, since, until))
        except CommandError as error:
            log.info("history of %s not loaded: %s", sensor_id, error.message)
            return
        if self.trend is not None and result.history is not None:
            self.trend.show_history(result.history)

    def _on_alarm_act_requested(
        self, alarm_id: str, version: int, action: str, fields: dict[str, object]
    ) -> None:
        reason, until = str(fields.get("reason", "")), float(str(fields.get("until", 0.0)))
        command = AlarmAct(uuid.uuid4().hex, alarm_id, version, action, reason, until)
        self._spawn(self._act_on_alarm(command))

    async def _act_on_alarm(self, command: AlarmAct) -> None:
        """One action on an alarm; the panels say whether it was taken (its change arrives first)."""
        try:
            result = await self.client.request(command)
        except CommandError as error:
            text, ok = self._explain(error), False
        else:  # a case opened is named by its own number
            opened = result.alarm.case_id if result.alarm and command.action == "open_case" else ""
            done = _alarm_action_name(command.action)
            text, ok = self.tr("%1: %2").replace("%1", done).replace("%2", opened or command.alarm_id), True
        for panel in self.alarm_panels:
            panel.show_outcome(text, ok)

    def _explain(self, error: CommandError) -> str:
        if error.code == ErrorCode.CONFLICT and isinstance(error.current, Alarm):
            return self.tr("Not done: someone acted on this alarm first. Check it and try again.")
        if error.code == ErrorCode.CONFLICT:
            current = error.current
            now = names.status_name(current.status) if isinstance(current, Case) else "?"
            if isinstance(current, Case) and current.department:
                now += f" · {names.department_name(current.department)}"
            return self.tr(
                "Not done: someone changed this case first; it is now %1. Check it and try again."
            ).replace("%1", now)
        if error.code == ErrorCode.READ_ONLY:
            return self.tr("Not done: this seat is read-only.")
        return self.tr("Not done: %1 (%2)").replace("%1", error.message).replace("%2", error.code)

    def _show_outcome(self, text: str, ok: bool) -> None:
        for detail in self.details:
            detail.show_outcome(text, ok)


def _alarm_action_name(action: str) -> str:
    return {
        "ack": QCoreApplication.translate("Console", "Acknowledged"),
        "shelve": QCoreApplication.translate("Console", "Shelved"),
        "unshelve": QCoreApplication.translate("Console", "Unshelved"),
        "remove": QCoreApplication.translate("Console", "Out of service"),
        "restore": QCoreApplication.translate("Console", "Back in service"),
        "open_case": QCoreApplication.translate("Console", "Case opened"),
    }[action]


def load_theme(app: QApplication) -> None:
    template = (resources.files("resources") / "theme" / "hall.qss").read_text(encoding="utf-8")
    app.setStyleSheet(style_sheet(template))
