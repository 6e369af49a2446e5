"""The hub's state machine: no sockets, no threads, no database calls.

It takes producer items and commands, checks them, applies them to the live
state and records what changed in the current :class:`WriteBatch`; each call
returns what it did.  The server commits that batch and only then calls
:meth:`HubCore.publish`, which makes the changes visible to consoles as
deltas.  Readers (snapshots, resumes) see only published state, so no
console ever sees a change that is not yet stored.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np
from msgspec.structs import replace

from feeds import domain
from feeds.city import City
from feeds.city.model import SensorClass
from feeds.hub.batch import WriteBatch
from feeds.hub.ids import Ids, LocalIds
from feeds.hub.policy import MAX_CLOCK_SKEW_S
from feeds.hub.rules import cases as case_rules
from feeds.hub.rules import sensors as sensor_rules
from feeds.hub.store import Loaded
from feeds.hub.topics import Frame, TopicState
from feeds.records import Alarm, Case, Sensor, Vehicle
from feeds.wire.errors import ErrorCode, ProtocolError
from feeds.wire.messages import (
    TOPICS,
    Assign,
    Command,
    Escalate,
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
        self._command_ids = dict(loaded.command_ids)
        self._active_alarms = {
            a.sensor_id: a.id for a in self.topics["alarms"].live.values() if a.state == "active"
        }
        self.batch = WriteBatch()

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

    def command_result(self, command_id: str) -> Case | None:
        """The case a command changed, as published; None if its commit was rolled back."""
        case_id = self._command_ids.get(command_id)
        return None if case_id is None else self.published_case(case_id)

    # -- changing ------------------------------------------------------------

    def _change(self, topic: str, record: Any) -> Any:
        record = replace(record, seq=self.ids.next_seq(topic))
        self.topics[topic].live[record.id] = record
        self.batch.put(topic, record)
        return record

    def _event(
        self, case: Case, actor: str, action: str, reason: str = "", command_id: str | None = None
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
            }
        )

    def ingest(self, items: list[IngestItem]) -> IngestOutcome:
        """Apply a producer frame's items; each is accepted or refused on its own."""
        outcome = IngestOutcome()
        districts = self._fix_districts(items)
        for n, item in enumerate(items):
            try:
                self._check_time(item)
                if isinstance(item, Fix):
                    self._fix(item, districts.get(n, ""))
                else:
                    self._ingest(item, outcome)
            except ProtocolError as error:
                outcome.refuse(error)
                continue
            outcome.accepted += 1
            if isinstance(item, Report):
                outcome.cases[item.id] = self._report_ids[item.id]
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
        if isinstance(item, (Reading, Fix, Report)) and item.ts > self.clock() + MAX_CLOCK_SKEW_S:
            # Kept, it would hide every true reading after it as "older than the latest".
            ahead = item.ts - self.clock()
            raise ProtocolError(
                ErrorCode.INVALID,
                f"timestamp {item.ts} is {ahead:.0f} s ahead of the hub's clock",
                reason="timestamp_ahead",
            )

    def _ingest(self, item: SensorInfo | VehicleInfo | Reading | Report, outcome: IngestOutcome) -> None:
        if isinstance(item, Reading):
            self._reading(item)
        elif isinstance(item, Report):
            self._report(item)
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
            self._declare("vehicles", Vehicle, item)

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
        spec = self.city.sensor_classes[sensor.kind]
        if not spec.low <= reading.value <= spec.high:
            raise ProtocolError(
                ErrorCode.INVALID,
                f"reading {reading.value} of {sensor.id} is outside the physical range "
                f"[{spec.low:g}, {spec.high:g}] {spec.unit} of {spec.code}",
                reason="reading_out_of_range",
            )
        if sensor.ts is not None and reading.ts < sensor.ts:
            return  # late reading: the newer one stands
        state = sensor_rules.sensor_state(spec, reading.value)
        self._change("sensors", replace(sensor, value=reading.value, ts=reading.ts, state=state))
        self._alarm_rule(spec, sensor, reading)

    def _alarm_rule(self, spec: SensorClass, sensor: Sensor, reading: Reading) -> None:
        alarms = self.topics["alarms"]
        active_id = self._active_alarms.get(sensor.id)
        if active_id is not None:
            updated = sensor_rules.update_alarm(spec, alarms.live[active_id], reading.value, reading.ts)
            if updated is not None:
                self._change("alarms", updated)
                if updated.state == "cleared":
                    del self._active_alarms[sensor.id]
            return
        level = sensor_rules.alarm_level(spec, reading.value)
        if level is None:
            return
        alarm = Alarm(
            id=self.ids.next_alarm_id(),
            sensor_id=sensor.id,
            kind=sensor.kind,
            priority=level[0],
            value=reading.value,
            threshold=level[1],
            raised_at=reading.ts,
        )
        self._active_alarms[sensor.id] = self._change("alarms", alarm).id

    def _fix(self, fix: Fix, district: str) -> None:
        vehicle = self.topics["vehicles"].live.get(fix.vehicle_id)
        if vehicle is None:
            raise ProtocolError(ErrorCode.UNKNOWN_VEHICLE, f"no vehicle {fix.vehicle_id!r}; declare it first")
        if fix.status not in domain.VEHICLE_STATUSES:
            raise ProtocolError(
                ErrorCode.INVALID, f"unknown vehicle status {fix.status!r}", reason="unknown_status"
            )
        if vehicle.ts is not None and fix.ts < vehicle.ts:
            return
        self._change(
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

    def _report(self, report: Report) -> None:
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
        limit = case_rules.dispatch_limit_s(self.city)
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
            status=domain.CaseStatus.FILED,
            reported_at=report.ts,
            deadline=report.ts + limit,
            limit_s=limit,
            version=1,
        )
        case = self._change("cases", case)
        self._report_ids[report.id] = case.id
        self.batch.report_ids[case.id] = report.id
        self._event(case, report.reporter or report.source, "report", report.description)

    def _outside(self, lon: float, lat: float) -> str:
        """Plain words for a point outside the city: how far, and from which district."""
        district, metres = self.city.geocoder.nearest_district(lon, lat)
        return (
            f"({lon}, {lat}) lies outside {self.city.name}, {metres / 1000:,.1f} km from {district.name}; "
            "coordinates are WGS-84 longitude, latitude"
        )

    def command(self, command: Command, user: str) -> Case:
        """Apply a dispatcher's command; raises ProtocolError (naming the command) if refused."""
        try:
            if isinstance(command, Escalate) and not command.reason.strip():
                raise ProtocolError(ErrorCode.INVALID, "escalation needs a reason")
            case = self._checked(command)
            if isinstance(command, Assign):
                case = self._assign(case, command, user)
            else:
                case = self._escalate(case, command, user)
        except ProtocolError as error:
            error.ref = command.id
            raise
        self._command_ids[command.id] = case.id
        return case

    def _checked(self, command: Command) -> Case:
        case: Case | None = self.topics["cases"].live.get(command.case_id)
        if case is None:
            raise ProtocolError(ErrorCode.UNKNOWN_CASE, f"no case {command.case_id!r}")
        if command.expected_version != case.version:
            raise ProtocolError(
                ErrorCode.CONFLICT,
                f"case {case.id} is at version {case.version}, not {command.expected_version}",
                current=case,
            )
        return case

    def _assign(self, case: Case, command: Assign, user: str) -> Case:
        """派遣: send the case to a department; its handling clock starts now."""
        if command.department not in self.city.departments:
            raise ProtocolError(ErrorCode.UNKNOWN_DEPARTMENT, f"no department {command.department!r}")
        if case.status not in (domain.CaseStatus.FILED, domain.CaseStatus.DISPATCHED):
            raise ProtocolError(ErrorCode.INVALID_TRANSITION, f"case {case.id} is {case.status}")
        now = self.clock()
        limit = case_rules.handling_limit_s(self.city, case.category)
        case = self._change(
            "cases",
            replace(
                case,
                status=domain.CaseStatus.DISPATCHED,
                department=command.department,
                deadline=now + limit,
                limit_s=limit,
                version=case.version + 1,
            ),
        )
        self._event(case, user, "assign", command.reason, command.id)
        return case

    def _escalate(self, case: Case, command: Escalate, user: str) -> Case:
        """督办: flag the case for supervision (its reason was checked before)."""
        case = self._change(
            "cases", replace(case, escalations=case.escalations + 1, version=case.version + 1)
        )
        self._event(case, user, "escalate", command.reason, command.id)
        return case

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
