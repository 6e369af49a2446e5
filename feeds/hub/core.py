"""The hub's state machine: no sockets, no threads, no database calls.

It takes producer items and commands, checks them, applies them to the live
state and records what changed in the current :class:`WriteBatch`.  The
server commits that batch and only then calls :meth:`HubCore.publish`, which
makes the changes visible to consoles as deltas.  Readers (snapshots,
resumes) see only published state, so no console ever sees a change that is
not yet stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from typing import Any

import msgspec
from msgspec.structs import replace

from feeds import domain
from feeds.city import City
from feeds.hub import rules
from feeds.hub.store import Loaded, WriteBatch
from feeds.protocol import (
    TOPICS,
    Alarm,
    Assign,
    Case,
    Delta,
    ErrorCode,
    Escalate,
    Fix,
    IngestItem,
    Position,
    ProtocolError,
    Reading,
    Report,
    Sensor,
    SensorInfo,
    Snapshot,
    Topic,
    Vehicle,
    VehicleInfo,
)

#: Items per snapshot or delta frame; keeps frames far below the size limit.
FRAME_ITEMS = 2000
#: How far ahead of the hub's clock a producer's timestamp may be (clocks drift; days ahead is a bug).
MAX_CLOCK_SKEW_S = 300.0


class TopicState:
    """One topic's records: ``live`` includes uncommitted changes, ``published`` does not."""

    def __init__(self, name: Topic, stream: str, records: list[Any]) -> None:
        self.name = name
        self.stream = stream
        self.live: dict[str, Any] = {r.id: r for r in records}
        self.published: dict[str, Any] = dict(self.live)
        self.seq = self.published_seq = max((r.seq for r in records), default=0)

    def frames(self, items: list[Any], from_seq: int) -> Iterator[Delta]:
        """Deltas covering ``from_seq`` … ``published_seq``, split by seq order."""
        items.sort(key=lambda r: r.seq)
        for start in range(0, len(items), FRAME_ITEMS):
            chunk = items[start : start + FRAME_ITEMS]
            last = self.published_seq if start + FRAME_ITEMS >= len(items) else chunk[-1].seq
            yield Delta(self.name, self.stream, from_seq, last, chunk)
            from_seq = last + 1

    def snapshot(self) -> list[Snapshot]:
        items = list(self.published.values())
        chunks = [items[i : i + FRAME_ITEMS] for i in range(0, len(items), FRAME_ITEMS)] or [[]]
        return [
            Snapshot(self.name, self.stream, self.published_seq, chunk, part=n, final=n == len(chunks) - 1)
            for n, chunk in enumerate(chunks)
        ]


class HubCore:
    def __init__(self, loaded: Loaded, city: City, clock: Callable[[], float] = time.time) -> None:
        self.city = city
        self.clock = clock
        self.topics: dict[str, TopicState] = {
            name: TopicState(name, loaded.streams[name], loaded.records[name]) for name in TOPICS
        }
        self.report_ids = dict(loaded.report_ids)
        self.command_ids = dict(loaded.command_ids)
        self.active_alarms = {
            a.sensor_id: a.id for a in self.topics["alarms"].live.values() if a.state == "active"
        }
        self._case_count = len(self.topics["cases"].live)
        self._alarm_count = len(self.topics["alarms"].live)
        self.batch = WriteBatch()

    # -- reading -----------------------------------------------------------

    def case(self, case_id: str) -> Case:
        case = self.topics["cases"].live.get(case_id)
        if case is None:
            raise ProtocolError(ErrorCode.UNKNOWN_CASE, f"no case {case_id!r}")
        return case  # type: ignore[no-any-return]

    def catch_up(self, topic: str, position: Position | None) -> list[Snapshot] | list[Delta]:
        """What a client at ``position`` needs: the missed changes, or a snapshot."""
        state = self.topics[topic]
        if position is None or position.stream != state.stream or position.seq > state.published_seq:
            return state.snapshot()
        if position.seq == state.published_seq:
            return []
        missed = [r for r in state.published.values() if r.seq > position.seq]
        if len(missed) > max(FRAME_ITEMS, len(state.published) // 2):
            return state.snapshot()  # cheaper to start over than to replay most of the topic
        return list(state.frames(missed, position.seq + 1))

    # -- changing ------------------------------------------------------------

    def _change(self, topic: str, record: Any) -> Any:
        state = self.topics[topic]
        state.seq += 1
        record = replace(record, seq=state.seq)
        state.live[record.id] = record
        self.batch.records.setdefault(topic, {})[record.id] = record
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

    def ingest(self, item: IngestItem) -> None:
        """Apply one producer item; raises ProtocolError if it is refused."""
        if isinstance(item, (Reading, Fix, Report)) and item.ts > self.clock() + MAX_CLOCK_SKEW_S:
            # Kept, it would hide every true reading after it as "older than the latest".
            ahead = item.ts - self.clock()
            raise ProtocolError(
                ErrorCode.INVALID, f"timestamp {item.ts} is {ahead:.0f} s ahead of the hub's clock"
            )
        if isinstance(item, Reading):
            self._reading(item)
        elif isinstance(item, Fix):
            self._fix(item)
        elif isinstance(item, Report):
            self._report(item)
        elif isinstance(item, SensorInfo):
            self._declare("sensors", domain.SENSOR_KINDS, Sensor, item)
        else:
            self._declare("vehicles", domain.VEHICLE_KINDS, Vehicle, item)

    def _declare(
        self, topic: str, kinds: Collection[str], record: type[Any], info: SensorInfo | VehicleInfo
    ) -> None:
        """A producer declares (or redeclares) a sensor or vehicle; its live values are kept."""
        if info.kind not in kinds:
            raise ProtocolError(ErrorCode.INVALID, f"unknown {topic[:-1]} kind {info.kind!r}")
        old = self.topics[topic].live.get(info.id)
        fields = msgspec.structs.asdict(info)
        declared = replace(old, **fields) if old else record(**fields)
        if declared != old:
            self._change(topic, declared)

    def _reading(self, reading: Reading) -> None:
        sensor = self.topics["sensors"].live.get(reading.sensor_id)
        if sensor is None:
            raise ProtocolError(
                ErrorCode.UNKNOWN_SENSOR, f"no sensor {reading.sensor_id!r}; declare it first"
            )
        if sensor.ts is not None and reading.ts < sensor.ts:
            return  # late reading: the newer one stands
        state = rules.sensor_state(sensor.kind, reading.value)
        self._change("sensors", replace(sensor, value=reading.value, ts=reading.ts, state=state))
        self._alarm_rule(sensor, reading)

    def _alarm_rule(self, sensor: Sensor, reading: Reading) -> None:
        alarms = self.topics["alarms"]
        active_id = self.active_alarms.get(sensor.id)
        if active_id is not None:
            updated = rules.update_alarm(alarms.live[active_id], reading.value, reading.ts)
            if updated is not None:
                self._change("alarms", updated)
                if updated.state == "cleared":
                    del self.active_alarms[sensor.id]
            return
        level = rules.alarm_level(sensor.kind, reading.value)
        if level is None:
            return
        self._alarm_count += 1
        alarm = Alarm(
            id=f"AL{self._alarm_count:07d}",
            sensor_id=sensor.id,
            kind=sensor.kind,
            priority=level[0],
            value=reading.value,
            threshold=level[1],
            raised_at=reading.ts,
        )
        self.active_alarms[sensor.id] = self._change("alarms", alarm).id

    def _fix(self, fix: Fix) -> None:
        vehicle = self.topics["vehicles"].live.get(fix.vehicle_id)
        if vehicle is None:
            raise ProtocolError(ErrorCode.UNKNOWN_VEHICLE, f"no vehicle {fix.vehicle_id!r}; declare it first")
        if fix.status not in domain.VEHICLE_STATUSES:
            raise ProtocolError(ErrorCode.INVALID, f"unknown vehicle status {fix.status!r}")
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
            ),
        )

    def _report(self, report: Report) -> None:
        if report.id in self.report_ids:
            return  # a producer's retry: already a case
        if report.category not in domain.CATEGORIES:
            raise ProtocolError(ErrorCode.UNKNOWN_CATEGORY, f"no category {report.category!r}")
        if report.source not in domain.SOURCES:
            raise ProtocolError(ErrorCode.INVALID, f"unknown source {report.source!r}")
        grid = self.city.grid_at(report.lon, report.lat)
        if grid is None:
            raise ProtocolError(
                ErrorCode.INVALID, f"({report.lon}, {report.lat}) is outside the city's grids"
            )
        self._case_count += 1
        case = Case(
            id=f"AJ{self._case_count:07d}",
            category=report.category,
            grid=grid.code,
            district=grid.district,
            street=grid.street,
            lon=report.lon,
            lat=report.lat,
            source=report.source,
            description=report.description,
            status=domain.CaseStatus.FILED,
            reported_at=report.ts,
            deadline=report.ts + domain.DISPATCH_LIMIT_S,
            limit_s=domain.DISPATCH_LIMIT_S,
            version=1,
        )
        case = self._change("cases", case)
        self.report_ids[report.id] = case.id
        self.batch.report_ids[case.id] = report.id
        self._event(case, report.reporter or report.source, "report", report.description)

    def _checked(self, command: Assign | Escalate) -> Case:
        case = self.case(command.case_id)
        if command.expected_version != case.version:
            raise ProtocolError(
                ErrorCode.CONFLICT,
                f"case {case.id} is at version {case.version}, not {command.expected_version}",
                command.id,
            )
        return case

    def assign(self, command: Assign, user: str) -> Case:
        """派遣: send the case to a department; its handling clock starts now."""
        case = self._checked(command)
        if command.department not in domain.DEPARTMENTS:
            raise ProtocolError(ErrorCode.UNKNOWN_DEPARTMENT, f"no department {command.department!r}")
        if case.status not in (domain.CaseStatus.FILED, domain.CaseStatus.DISPATCHED):
            raise ProtocolError(ErrorCode.INVALID_TRANSITION, f"case {case.id} is {case.status}")
        now = self.clock()
        limit = rules.handling_limit_s(case.category)
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
        self.command_ids[command.id] = case.id
        return case  # type: ignore[no-any-return]

    def escalate(self, command: Escalate, user: str) -> Case:
        """督办: flag the case for supervision; the reason is required."""
        if not command.reason.strip():
            raise ProtocolError(ErrorCode.INVALID, "escalation needs a reason", command.id)
        case = self._checked(command)
        case = self._change(
            "cases", replace(case, escalations=case.escalations + 1, version=case.version + 1)
        )
        self._event(case, user, "escalate", command.reason, command.id)
        self.command_ids[command.id] = case.id
        return case  # type: ignore[no-any-return]

    # -- committing ----------------------------------------------------------

    def take_batch(self) -> WriteBatch:
        batch, self.batch = self.batch, WriteBatch()
        return batch

    def publish(self, batch: WriteBatch) -> list[Delta]:
        """Make a committed batch visible; returns the delta frames to fan out."""
        frames: list[Delta] = []
        for name, changed in batch.records.items():  # changed: id → record
            state = self.topics[name]
            if not changed:
                continue
            from_seq = state.published_seq + 1
            state.published.update(changed)
            state.published_seq = max(r.seq for r in changed.values())  # type: ignore[attr-defined]
            frames.extend(state.frames(list(changed.values()), from_seq))
        return frames
