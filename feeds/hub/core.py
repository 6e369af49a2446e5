"""The hub's state machine: no sockets, no threads, no database calls.

It takes producer items and commands, checks them, applies them to the live
state and records what changed in the current :class:`WriteBatch`; each call
returns what it did.  The server commits that batch and only then calls
:meth:`HubCore.publish`, which makes the changes visible to consoles as
deltas.  Readers (snapshots, resumes) see only published state, so no
console ever sees a change that is not yet stored.
"""

from __future__ import annotations

import contextlib
import heapq
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np
from msgspec.structs import replace

from feeds import domain
from feeds.city import City
from feeds.city.fleet import CONDITION_UNITS, MAX_SHELVE_S
from feeds.city.model import Place
from feeds.city.workflow import SYSTEM, TASKS, Actor
from feeds.hub.batch import WriteBatch
from feeds.hub.ids import Ids, LocalIds
from feeds.hub.policy import MAX_CLOCK_SKEW_S
from feeds.hub.rules.alarms import AlarmEngine, AlarmEvent, acting_role
from feeds.hub.rules.cases import CaseRules
from feeds.hub.rules.fleet import FleetWatch
from feeds.hub.store import Loaded
from feeds.hub.topics import Frame, TopicState
from feeds.records import Alarm, Case, Sensor, Vehicle
from feeds.wire.errors import ErrorCode, ProtocolError
from feeds.wire.messages import (
    TOPICS,
    Act,
    AlarmAct,
    Fix,
    IngestItem,
    Position,
    Reading,
    Report,
    SensorInfo,
    VehicleInfo,
)

#: Notes an acknowledgement carries at most; the rest are counted, not listed.
MAX_NOTES = 10
#: How often the clock looks for sensors gone silent (their timeouts are minutes).
SILENCE_CHECK_S = 5.0


@dataclass
class IngestOutcome:
    """What became of a producer frame's items."""

    accepted: int = 0
    rejected: int = 0
    cases: dict[str, str] = field(default_factory=dict)  # report id → the case it became
    first_error: ProtocolError | None = None
    refused: Counter[str] = field(default_factory=Counter)  # items refused, by reason
    notes: list[str] = field(default_factory=list)  # accepted, but worth the producer's look

    def refuse(self, error: ProtocolError) -> None:
        self.rejected += 1
        self.refused[error.reason] += 1
        self.first_error = self.first_error or error

    def note(self, text: str) -> None:
        if len(self.notes) < MAX_NOTES:
            self.notes.append(text)


class HubCore:
    def __init__(
        self, loaded: Loaded, city: City, clock: Callable[[], float] = time.time, ids: Ids | None = None
    ) -> None:
        self.city = city
        self.clock = clock
        self.topics: dict[str, TopicState] = {
            name: TopicState(name, loaded.streams[name], loaded.records[name]) for name in TOPICS
        }
        self.ids: Ids = ids or LocalIds(
            {name: topic.published_seq for name, topic in self.topics.items()},
            cases=len(loaded.records["cases"]),
            alarms=len(loaded.records["alarms"]),
        )
        self._report_ids = dict(loaded.report_ids)
        # Recent reports by category, oldest first, for spotting duplicates: (reported_at, case id).
        self._recent: dict[str, deque[tuple[float, str]]] = defaultdict(deque)
        for case in sorted(self.topics["cases"].live.values(), key=lambda c: c.reported_at):
            self._recent[case.category].append((case.reported_at, case.id))
        self._command_ids = dict(loaded.command_ids)  # command id → the case or alarm it changed
        self.batch = WriteBatch()
        self.alarms = AlarmEngine(
            self.topics["alarms"].live,
            lambda alarm: self._change("alarms", alarm),
            self.ids.next_alarm_id,
            city.alarm_ack_s,
            city.suppressors,
        )
        self.fleet = FleetWatch(city, self.alarms)
        self._silence_checked = 0.0
        self.rules = CaseRules(city)
        #: Field inspectors (监督员) by login, with the area each patrols ("" the whole city); the
        #: server keeps it from the accounts.  Their devices are vehicles of kind "inspector".
        self.inspectors: dict[str, str] = {}
        self._out_on: dict[str, str] = {  # case id → the inspector out on it
            case.id: case.inspector
            for case in self.topics["cases"].live.values()
            if case.status in city.workflow.task_states and case.inspector
        }
        self._due: list[tuple[float, str, int]] = []  # (when, case id, version): see tick
        for case in self.topics["cases"].live.values():
            self._clock_watch(case)

    # -- reading (published state only) --------------------------------------

    def catch_up(self, topic: str, position: Position | None) -> list[Frame]:
        """What a client at ``position`` needs: the missed changes, or a snapshot."""
        state = self.topics[topic]
        if position is None or position.stream != state.stream:
            return state.snapshot()
        return state.catch_up(position.seq)

    def snapshot(self, topic: str) -> list[Frame]:
        return self.topics[topic].snapshot()

    def seqs(self) -> dict[str, int]:
        return {name: topic.published_seq for name, topic in self.topics.items()}

    def published_case(self, case_id: str) -> Case | None:
        case: Case | None = self.topics["cases"].published.get(case_id)
        return case

    def has_case(self, case_id: str) -> bool:
        return case_id in self.topics["cases"].live

    def knows_command(self, command_id: str) -> bool:
        return command_id in self._command_ids

    def command_result(self, command_id: str) -> Case | Alarm | None:
        """The case or alarm a command changed, as published; None if its commit was rolled back."""
        changed = self._command_ids.get(command_id)
        if changed is None:
            return None
        alarm: Alarm | None = self.topics["alarms"].published.get(changed)
        return self.published_case(changed) or alarm

    # -- changing ------------------------------------------------------------

    def _change(self, topic: str, record: Any) -> Any:
        record = replace(record, seq=self.ids.next_seq(topic))
        self.topics[topic].live[record.id] = record
        self.batch.put(topic, record)
        return record

    def _event(
        self,
        case: Case,
        actor: str,
        action: str,
        reason: str = "",
        command_id: str | None = None,
        *,
        role: str = "",
        from_state: str = "",
        text: str = "",
    ) -> None:
        self.batch.events.append(
            {
                "seq": case.seq,
                "case_id": case.id,
                "at": self.clock(),
                "actor": actor,
                "action": action,
                "reason": reason,
                "department": case.department,
                "command_id": command_id,
                "role": role,
                "from_state": from_state,
                "to_state": case.status,
                "text": text,
            }
        )

    def ingest(
        self,
        items: list[IngestItem],
        refusal: Callable[[IngestItem], ProtocolError | None] = lambda _: None,
        sender: str = "",
    ) -> IngestOutcome:
        """Apply a producer frame's items; each is accepted or refused on its own (``refusal``
        says what the producer's account may not send; ``sender`` is that account, on the record
        of every case its reports open)."""
        outcome = IngestOutcome()
        districts = self._fix_districts(items)
        moved: list[tuple[Vehicle, Fix]] = []  # fixes taken, in order, for the fleet rules
        for n, item in enumerate(items):
            try:
                error = refusal(item)
                if error is not None:
                    raise error
                self._check_time(item)
                if isinstance(item, Fix):
                    vehicle = self._fix(item, districts.get(n, ""))
                    if vehicle is not None:
                        moved.append((vehicle, item))
                else:
                    self._ingest(item, outcome, sender)
            except ProtocolError as error:
                outcome.refuse(error)
                continue
            outcome.accepted += 1
            if isinstance(item, Report):
                outcome.cases[item.id] = self._report_ids[item.id]
        if moved:
            self.fleet.fixes(moved)
            self._alarm_events()
        return outcome

    def _fix_districts(self, items: list[IngestItem]) -> dict[int, str]:
        """The district of every GPS fix of a frame, in one vectorised lookup."""
        fixes = [(n, item) for n, item in enumerate(items) if isinstance(item, Fix)]
        if not fixes:
            return {}
        found = self.city.geocoder.locate_many(
            np.array([f.lon for _, f in fixes]), np.array([f.lat for _, f in fixes])
        )
        places = self.city.geocoder.places
        return {n: places[i].district for (n, _), i in zip(fixes, found.tolist(), strict=True) if i >= 0}

    def _check_time(self, item: IngestItem) -> None:
        if not isinstance(item, (Reading, Fix, Report)):
            return
        now = self.clock()
        if item.ts > now + MAX_CLOCK_SKEW_S:
            # Kept, it would hide every true reading after it as "older than the latest".
            raise ProtocolError(
                ErrorCode.INVALID,
                f"timestamp {item.ts} is {item.ts - now:.0f} s ahead of the hub's clock",
                reason="timestamp_ahead",
            )
        if item.ts < now - self.city.history_keep_s:  # a clock reset to 2000, a replay of old files
            raise ProtocolError(
                ErrorCode.INVALID,
                f"timestamp {item.ts} is {(now - item.ts) / 86_400:,.0f} days behind the hub's clock; "
                f"it keeps {self.city.history_keep_s / 86_400:,.0f} days",
                reason="timestamp_old",
            )

    def _ingest(
        self, item: SensorInfo | VehicleInfo | Reading | Report, outcome: IngestOutcome, sender: str
    ) -> None:
        if isinstance(item, Reading):
            self._reading(item)
        elif isinstance(item, Report):
            self._report(item, sender)
        elif isinstance(item, SensorInfo):
            if item.kind not in self.city.sensor_classes:
                raise ProtocolError(
                    ErrorCode.INVALID, f"unknown sensor class {item.kind!r}", reason="unknown_kind"
                )
            place = self.city.locate(item.lon, item.lat)
            if place is None:
                outcome.note(
                    f"sensor {item.id} at ({item.lon}, {item.lat}) lies outside the city; kept as outside"
                )
            self._declare(
                "sensors",
                Sensor,
                item,
                district=place.district if place else "",
                grid=place.grid if place else "",
            )
        else:
            if item.kind not in domain.VEHICLE_KINDS:
                raise ProtocolError(
                    ErrorCode.INVALID, f"unknown vehicle kind {item.kind!r}", reason="unknown_kind"
                )
            out_on = next((case for case, who in self._out_on.items() if who == item.id), "")
            self._declare("vehicles", Vehicle, item, task=out_on)  # an inspector's app, after a restart

    def _declare(self, topic: str, record: type[Any], info: SensorInfo | VehicleInfo, **place: str) -> None:
        """A producer declares (or redeclares) a sensor or vehicle; its live values are kept."""
        old = self.topics[topic].live.get(info.id)
        fields = {**msgspec.structs.asdict(info), **place}
        declared = replace(old, **fields) if old else record(**fields)
        if declared != old:
            self._change(topic, declared)

    def _reading(self, reading: Reading) -> None:
        sensor = self.topics["sensors"].live.get(reading.sensor_id)
        if sensor is None:
            raise ProtocolError(
                ErrorCode.UNKNOWN_SENSOR, f"no sensor {reading.sensor_id!r}; declare it first"
            )
        spec = self.city.sensor_class(sensor.id, sensor.kind)
        if not spec.low <= reading.value <= spec.high:
            raise ProtocolError(
                ErrorCode.INVALID,
                f"reading {reading.value} of {sensor.id} is outside the physical range "
                f"[{spec.low:g}, {spec.high:g}] {spec.unit} of {spec.code}",
                reason="reading_out_of_range",
            )
        self.batch.readings.append({"sensor_id": sensor.id, "ts": reading.ts, "value": reading.value})
        if sensor.ts is not None and reading.ts < sensor.ts:
            return  # late or out of order: kept in the history; the newer value stands, no alarm moves back
        self.alarms.reading(spec, sensor, reading.value, reading.ts)
        state = self.alarms.sensor_state(spec, sensor.id, reading.value)
        self._change("sensors", replace(sensor, value=reading.value, ts=reading.ts, state=state))
        self._alarm_events()

    def _case_from_alarm(self, alarm: Alarm, login: str, role: str, command_id: str | None = None) -> Alarm:
        """The alarm becomes a case of its class's category at the sensor, linked both ways: one
        a person confirmed at the desk waits to be filed, one opened on its own for intake."""
        linked = self.topics["cases"].live.get(alarm.case_id)
        if linked is not None and not self.city.workflow.state(linked.status).final:
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED_IN_STATE, f"alarm {alarm.id} is case {linked.id} already"
            )
        subject = self._alarm_subject(alarm)
        if subject is None:
            raise ProtocolError(
                ErrorCode.INVALID,
                f"the rule of alarm {alarm.id} ({alarm.kind}) names no case category",
                reason="no_category",
            )
        who, lon, lat, category, what, unit = subject
        place = self.city.locate(lon, lat)
        if place is None:
            raise ProtocolError(ErrorCode.OUTSIDE_CITY, self._outside(lon, lat))
        value = f"{alarm.peak if alarm.peak is not None else alarm.value:g} {unit}".strip()
        report = Report(
            f"{alarm.id}-v{alarm.version}",  # a retried command finds the case it opened
            category,
            lon,
            lat,
            "sensor",
            self.clock(),
            f"{who}：{what}{value}（报警 {alarm.id}）",
            reporter=who,
        )
        case = self._open_case(report, place, login, verified=login != SYSTEM, alarm_id=alarm.id)
        linked_alarm: Alarm = self._change(
            "alarms", replace(alarm, case_id=case.id, version=alarm.version + 1)
        )
        self.alarms.events.append(AlarmEvent(linked_alarm, "open_case", login, role, case.id, command_id))
        return linked_alarm

    def _alarm_subject(self, alarm: Alarm) -> tuple[str, float, float, str, str, str] | None:
        """What an alarm becomes a case about — (who, lon, lat, category, what, unit) — if its
        rule names a category: a sensor's class, a vehicle's fence."""
        if alarm.vehicle_id:
            vehicle: Vehicle | None = self.topics["vehicles"].live.get(alarm.vehicle_id)
            fence = self.fleet.fence(alarm.kind)
            if (
                vehicle is None
                or vehicle.lon is None
                or vehicle.lat is None
                or not fence
                or not fence.category
            ):
                return None
            return (
                vehicle.plate,
                vehicle.lon,
                vehicle.lat,
                fence.category,
                fence.name,
                CONDITION_UNITS[alarm.condition],
            )
        sensor: Sensor | None = self.topics["sensors"].live.get(alarm.sensor_id)
        spec = self.city.sensor_classes.get(alarm.kind)
        if sensor is None or spec is None or not spec.category:
            return None
        return sensor.name, sensor.lon, sensor.lat, spec.category, spec.name, sensor.unit

    def _auto_cases(self, events: list[AlarmEvent]) -> None:
        """Alarms of classes that open cases on their own do so at the class's own priority."""
        for event in events:
            alarm = self.topics["alarms"].live[event.alarm.id]
            spec = self.city.sensor_classes.get(alarm.kind)
            if (
                event.action in ("raise", "escalate")
                and spec is not None
                and spec.auto_case
                and alarm.priority <= spec.priority
                and alarm.sensor_id in self.topics["sensors"].live
            ):
                with contextlib.suppress(ProtocolError):  # already a case; a sensor outside the city
                    self._case_from_alarm(alarm, SYSTEM, SYSTEM)

    def _alarm_events(self, restate: bool = False) -> None:
        """Put what the alarm engine did on the alarms' record, in the open batch; alarms of classes
        that open cases on their own open them; with ``restate`` (the clock raised or cleared them,
        no reading did) their sensors' states follow."""
        events = self.alarms.take_events()
        self._auto_cases(events)
        for event in events + self.alarms.take_events():
            alarm = event.alarm
            if restate and event.action in ("raise", "escalate", "clear") and alarm.condition != "comm":
                self._restate(alarm.sensor_id)
            self.batch.alarm_events.append(
                {
                    "seq": alarm.seq,
                    "alarm_id": alarm.id,
                    "at": self.clock(),
                    "actor": event.actor,
                    "role": event.role,
                    "action": event.action,
                    "value": alarm.value,
                    "reason": event.reason,
                    "command_id": event.command_id,
                }
            )

    def _fix(self, fix: Fix, district: str) -> Vehicle | None:
        """The vehicle moved by the fix; None for a fix older than its latest (kept nowhere)."""
        vehicle = self.topics["vehicles"].live.get(fix.vehicle_id)
        if vehicle is None:
            raise ProtocolError(ErrorCode.UNKNOWN_VEHICLE, f"no vehicle {fix.vehicle_id!r}; declare it first")
        if fix.status not in domain.VEHICLE_STATUSES:
            raise ProtocolError(
                ErrorCode.INVALID, f"unknown vehicle status {fix.status!r}", reason="unknown_status"
            )
        if vehicle.ts is not None and fix.ts < vehicle.ts:
            return None
        moved: Vehicle = self._change(
            "vehicles",
            replace(
                vehicle,
                lon=fix.lon,
                lat=fix.lat,
                speed=fix.speed,
                heading=fix.heading,
                status=fix.status,
                ts=fix.ts,
                district=district,
            ),
        )
        return moved

    def _report(self, report: Report, sender: str) -> None:
        if report.id in self._report_ids:
            return  # a producer's retry: already a case
        if report.category not in self.city.categories:
            raise ProtocolError(ErrorCode.UNKNOWN_CATEGORY, f"no category {report.category!r} in the catalog")
        if report.source not in domain.SOURCES:
            raise ProtocolError(
                ErrorCode.INVALID, f"unknown source {report.source!r}", reason="unknown_source"
            )
        place = self.city.locate(report.lon, report.lat)
        if place is None:
            raise ProtocolError(ErrorCode.OUTSIDE_CITY, self._outside(report.lon, report.lat))
        # An inspector's own report is verified by its finding; every other source waits for intake.
        self._open_case(report, place, sender, verified=report.source == "inspector")

    def _open_case(
        self, report: Report, place: Place, sender: str, verified: bool, alarm_id: str = ""
    ) -> Case:
        """A new case from a report: verified ones (an inspector's finding, an alarm a person at
        the desk confirmed) wait to be filed, the others for intake."""
        status = "to_file" if verified else "reported"
        case = Case(
            id=self.ids.next_case_id(),
            category=report.category,
            grid=place.grid,
            district=place.district,
            street=place.street,
            community=place.community,
            lon=report.lon,
            lat=report.lat,
            source=report.source,
            description=report.description,
            status=status,
            reported_at=report.ts,
            deadline=report.ts,
            limit_s=0.0,
            version=1,
            reporter=report.reporter,
            verified="confirmed" if verified else "",
            duplicate_of="" if alarm_id else self._probable_duplicate(report),
            alarm_id=alarm_id,
        )
        stage = self.city.workflow.state(status).stage
        case = replace(case, **self.rules.stage_clock(case, stage, report.ts))
        opened: Case = self._change("cases", case)
        self._report_ids[report.id] = opened.id
        self._recent[opened.category].append((opened.reported_at, opened.id))
        self.batch.report_ids[opened.id] = report.id
        self._event(opened, sender or report.reporter or report.source, "report", text=report.description)
        self._clock_watch(opened)
        return opened

    def _probable_duplicate(self, report: Report) -> str:
        """The case of a standing alarm of the report's category near it (the flooded underpass's
        own case), else the nearest open case of its category within the city's distance and
        time (50 m and 2 hours by default): the operator is offered to merge the two."""
        return self._alarm_case_near(report) or self._recent_case_near(report)

    def _alarm_case_near(self, report: Report) -> str:
        cases, sensors = self.topics["cases"].live, self.topics["sensors"].live
        found = [
            (cases[a.case_id], sensors[a.sensor_id])
            for a in self.topics["alarms"].live.values()
            if a.case_id and a.state == "active" and a.sensor_id in sensors and a.case_id in cases
            and cases[a.case_id].category == report.category
            and not self.city.workflow.state(cases[a.case_id].status).final
        ]  # fmt: skip
        if not found:
            return ""
        x, y = self.city.project(np.array([s.lon for _, s in found]), np.array([s.lat for _, s in found]))
        rx, ry = self.city.project(np.array([report.lon]), np.array([report.lat]))
        metres = np.hypot(x - rx[0], y - ry[0])
        nearest = int(np.argmin(metres))
        return found[nearest][0].id if metres[nearest] <= self.city.alarm_attach_m else ""

    def _recent_case_near(self, report: Report) -> str:
        recent = self._recent[report.category]
        while recent and recent[0][0] < report.ts - 2 * self.city.duplicate_s:  # long past any window
            recent.popleft()
        workflow = self.city.workflow
        cases = self.topics["cases"].live
        candidates = [
            cases[case_id]
            for at, case_id in recent
            if report.ts - self.city.duplicate_s <= at <= report.ts
            and not workflow.state(cases[case_id].status).final
        ]
        if not candidates:
            return ""
        x, y = self.city.project(np.array([c.lon for c in candidates]), np.array([c.lat for c in candidates]))
        rx, ry = self.city.project(np.array([report.lon]), np.array([report.lat]))
        metres = np.hypot(x - rx[0], y - ry[0])
        nearest = int(np.argmin(metres))
        return candidates[nearest].id if metres[nearest] <= self.city.duplicate_m else ""

    def _outside(self, lon: float, lat: float) -> str:
        """Plain words for a point outside the city: how far, and from which district."""
        district, metres = self.city.geocoder.nearest_district(lon, lat)
        return (
            f"({lon}, {lat}) lies outside {self.city.name}, {metres / 1000:,.1f} km from {district.name}; "
            "coordinates are WGS-84 longitude, latitude"
        )

    def act(self, act: Act, actor: Actor) -> Case:
        """Take a workflow step for ``actor``; raises ProtocolError (naming the command) if the
        table, the case's state, the actor's roles and area or the step's fields refuse it."""
        try:
            case: Case = self._current("cases", act.case_id, act.expected_version)
            workflow = self.city.workflow
            transition, role = workflow.permit(case, act.action, actor)
            self._required(workflow.actions[act.action].requires, act)
            if act.action in TASKS:
                act = replace(act, inspector=self._task_inspector(case, act.inspector))
            if self._overdue(case, self.clock()):  # ran out before the clock's tick saw it: its
                case = self._time_out(case, self.clock())  # timeout stays on the record first
            case = self._step(case, act, role, actor.login, transition.to)
        except ProtocolError as error:
            error.ref = act.id
            raise
        self._command_ids[act.id] = case.id
        return case

    def _required(self, fields: tuple[str, ...], act: Act) -> None:
        for name in fields:
            value = getattr(act, name)
            if value.strip() if isinstance(value, str) else value:
                continue
            action = self.city.workflow.actions[act.action]
            code = ErrorCode.REASON_REQUIRED if name in ("reason", "text") else ErrorCode.INVALID
            raise ProtocolError(code, f"{action.name} ({act.action}) requires {name}")
        if act.target:
            target = self.topics["cases"].live.get(act.target)
            if target is None:
                raise ProtocolError(ErrorCode.UNKNOWN_CASE, f"no case {act.target!r} to merge into")
            if target.id == act.case_id or self.city.workflow.state(target.status).final:
                raise ProtocolError(
                    ErrorCode.INVALID, f"case {target.id} is not an open case to merge into", reason="target"
                )

    def _task_inspector(self, case: Case, chosen: str) -> str:
        """Who verifies or checks on site: the one named, or the nearest inspector on duty who
        patrols the case's area ("" when none is: then any inspector of the area may answer)."""
        if chosen:
            if chosen not in self.inspectors:
                raise ProtocolError(ErrorCode.UNKNOWN_USER, f"no field inspector {chosen!r}")
            return chosen
        found = self.nearest_inspectors(case, 1)
        return found[0][0] if found else ""

    def nearest_inspectors(self, case: Case, count: int) -> list[tuple[str, float]]:
        """The inspectors available for the case — on duty, patrolling its area, not out on
        another task — nearest first: (login, metres)."""
        places = {"", case.district, case.street, case.community, case.grid}
        busy = set(self._out_on.values())
        devices = [
            v
            for v in self.topics["vehicles"].live.values()
            if v.kind == "inspector"
            and v.status != "offline"
            and v.lon is not None
            and self.inspectors.get(v.id, None) in places
            and v.id not in busy
        ]
        if not devices:
            return []
        x, y = self.city.project(np.array([v.lon for v in devices]), np.array([v.lat for v in devices]))
        cx, cy = self.city.project(np.array([case.lon]), np.array([case.lat]))
        metres = np.hypot(x - cx[0], y - cy[0])
        order = np.argsort(metres, kind="stable")[:count]
        return [(devices[i].id, float(metres[i])) for i in order.tolist()]

    def _step(self, case: Case, act: Act, role: str, login: str, to: str | None) -> Case:
        """Apply one allowed step: the clock moves with the state, the action's effects, the event."""
        now = self.clock()
        workflow = self.city.workflow
        old = workflow.state(case.status)
        new = workflow.state(to) if to else old
        late = self.rules.with_late(case, now)
        fields = {**self.rules.moved(case, old, new, now), **self.rules.effects(case, act, now)}
        if act.action != "urge":  # somebody acted: the urge is answered
            fields.update(urged_at=0.0, raised=False)
        case = self._change(
            "cases", replace(case, status=new.code, late=late, version=case.version + 1, **fields)
        )
        self._event(
            case, login, act.action, act.reason, act.id, role=role, from_state=old.code, text=act.text
        )
        self._clock_watch(case)
        self._note_task(case)
        if act.action == "merge":
            self._merged_into(case, login, role)
        return case

    def _note_task(self, case: Case) -> None:
        """Keep track of which inspector is out on which case, on the inspector's device too
        (its feed shows the task it is out on)."""
        before = self._out_on.pop(case.id, "")
        if case.status in self.city.workflow.task_states and case.inspector:
            self._out_on[case.id] = case.inspector
        after = self._out_on.get(case.id, "")
        if before != after:
            self._device_task(before, "")
            self._device_task(after, case.id)

    def _device_task(self, login: str, task: str) -> None:
        device: Vehicle | None = self.topics["vehicles"].live.get(login)
        if device is not None and device.task != task:
            self._change("vehicles", replace(device, task=task))

    def _merged_into(self, duplicate: Case, login: str, role: str) -> None:
        """The case a duplicate joined keeps it on its record, with who reported it."""
        target: Case = self.topics["cases"].live[duplicate.merged_into]
        target = self._change("cases", replace(target, merged=target.merged + 1, version=target.version + 1))
        reporter = f" ({duplicate.reporter})" if duplicate.reporter else ""
        text = f"{duplicate.id}{reporter}: {duplicate.description}"
        self._event(target, login, "merge_in", role=role, from_state=target.status, text=text)

    def _current(self, topic: str, record_id: str, expected_version: int) -> Any:
        """The live case or alarm a command names, at the version it saw; ProtocolError if there
        is no such record (unknown_case, unknown_alarm) or it moved on (conflict, with it now)."""
        noun = topic.removesuffix("s")
        record = self.topics[topic].live.get(record_id)
        if record is None:
            raise ProtocolError(f"unknown_{noun}", f"no {noun} {record_id!r}")
        if expected_version != record.version:
            raise ProtocolError(
                ErrorCode.CONFLICT,
                f"{noun} {record.id} is at version {record.version}, not {expected_version}",
                current=record,
            )
        return record

    # -- clocks --------------------------------------------------------------

    def _clock_watch(self, case: Case) -> None:
        """Remember when ``case`` next needs the hub's attention: its deadline, or its urge's end."""
        if case.stage and not case.paused and not case.late_in(case.stage):
            heapq.heappush(self._due, (case.deadline, case.id, case.version))
        if case.urged_at and not case.raised:
            heapq.heappush(self._due, (case.urged_at + self.city.raise_after_s, case.id, case.version))

    def tick(self) -> int:
        """What the clock does: alarms whose delays or shelves ran out, sensors gone silent (every
        ``SILENCE_CHECK_S``), and every case whose running stage ran out of time urged (督办 by the
        system), every urge left alone too long raised to the shift lead; returns how many records
        changed (0: nothing to commit)."""
        before = len(self.batch)
        now = self.clock()
        self.alarms.tick(now)
        if now - self._silence_checked >= SILENCE_CHECK_S:
            self._silence_checked = now
            self._silent_sensors(now)
            self.fleet.silence(list(self.topics["vehicles"].live.values()), now)
        self._alarm_events(restate=True)
        self._case_clocks(now)
        return len(self.batch) - before

    def _restate(self, sensor_id: str) -> None:
        sensor: Sensor | None = self.topics["sensors"].live.get(sensor_id)
        if sensor is None or sensor.value is None or sensor.state in ("unknown", "offline"):
            return
        state = self.alarms.sensor_state(
            self.city.sensor_class(sensor.id, sensor.kind), sensor.id, sensor.value
        )
        if state != sensor.state:
            self._change("sensors", replace(sensor, state=state))

    def _silent_sensors(self, now: float) -> None:
        """Sensors silent past their class's timeouts show unknown, then offline (with an alarm)."""
        for sensor in list(self.topics["sensors"].live.values()):
            if sensor.kind not in self.city.sensor_classes:
                continue
            silence = self.alarms.silence(self.city.sensor_class(sensor.id, sensor.kind), sensor, now)
            if silence and silence != sensor.state:
                self._change("sensors", replace(sensor, state=silence))

    def act_alarm(self, command: AlarmAct, actor: Actor) -> Alarm:
        """An operator's action on an alarm; raises ProtocolError (naming the command) if it is
        unknown, moved on since, or the action is not the actor's or not possible now."""
        try:
            alarm: Alarm = self._current("alarms", command.alarm_id, command.expected_version)
            if command.action == "open_case":
                role = acting_role(command.action, actor)
                alarm = self._case_from_alarm(alarm, actor.login, role, command.id)
            else:
                longest = self._longest_shelve(alarm)
                alarm = self.alarms.act(
                    alarm,
                    command.action,
                    actor,
                    self.clock(),
                    command.reason,
                    command.until,
                    longest,
                    command.id,
                )
        except ProtocolError as error:
            error.ref = command.id
            raise
        self._command_ids[command.id] = alarm.id
        self._alarm_events()
        return alarm

    def _longest_shelve(self, alarm: Alarm) -> float:
        """How long its rule lets an alarm be shelved (0: a class the city no longer has)."""
        if alarm.vehicle_id:
            return MAX_SHELVE_S
        known = alarm.kind in self.city.sensor_classes
        return self.city.sensor_class(alarm.sensor_id, alarm.kind).max_shelve_s if known else 0.0

    @staticmethod
    def _overdue(case: Case, now: float) -> bool:
        return bool(case.stage) and not case.paused and now >= case.deadline and not case.late_in(case.stage)

    def _time_out(self, case: Case, now: float) -> Case:
        """The running stage ran out of time: late on the record, urged by the system (督办)."""
        late = self.rules.with_late(case, now)
        case = self._change(
            "cases", replace(case, late=late, version=case.version + 1, **self.rules.urged(case, now))
        )
        self._event(case, SYSTEM, "urge", f"timeout:{case.stage}", role=SYSTEM, from_state=case.status)
        return case

    def _case_clocks(self, now: float) -> None:
        while self._due and self._due[0][0] <= now:
            _, case_id, version = heapq.heappop(self._due)
            case: Case | None = self.topics["cases"].live.get(case_id)
            if case is None or case.version != version:
                continue  # it moved on since: its newer version is watched instead
            if self._overdue(case, now):
                case = self._time_out(case, now)
            elif case.urged_at and not case.raised and now >= case.urged_at + self.city.raise_after_s:
                case = self._change("cases", replace(case, raised=True, version=case.version + 1))
                self._event(case, SYSTEM, "raise", "urged_unanswered", role=SYSTEM, from_state=case.status)
            else:
                continue
            self._clock_watch(case)

    # -- committing ----------------------------------------------------------

    def take_batch(self) -> WriteBatch:
        batch, self.batch = self.batch, WriteBatch()
        return batch

    def publish(self, batch: WriteBatch) -> list[Frame]:
        """Make a committed batch visible; returns the delta frames to fan out."""
        frames: list[Frame] = []
        for name, changed in batch.records.items():
            frames.extend(self.topics[name].publish(changed))
        return frames
