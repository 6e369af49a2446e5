"""The alarm engine: conditions from readings and the clock, alarms through the ISA-18.2 states,
and the operator's actions on them.

An alarm is a *point*, one per sensor and condition — ``high`` (H and HH limits), ``low`` (L,
LL), ``rate`` (a rise faster than the class allows) and ``comm`` (the sensor went silent) — that is
raised, acknowledged, returns to normal and is raised again: the same record, updated (its raise
count grows), never a second one.  Every number comes from the sensor's class in the city folder
(or the site's own limits over it):

- a condition counts once it has held ``on_delay_s`` and ends once it has been gone
  ``off_delay_s``; it ends only ``deadband`` of its limit back on the normal side;
- an alarm raised ``chatter_count`` times within ``chatter_window_s`` is *chattering*: it is
  held active until its condition has been gone for the whole window, so it stops coming and going;
- the alarm shows the current value beside the worst since it was raised (``peak``);
- a sensor silent ``stale_s`` shows unknown, ``offline_s`` offline with a ``comm`` alarm.

Readings that arrive late or out of order never reach here (the core keeps only the newest), so
they cannot raise or clear anything out of order.  The engine does no I/O: the core hands it the
live alarms and a way to change one, and stores and publishes what it changed.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from msgspec.structs import replace

from feeds.city.model import SensorClass
from feeds.city.workflow import SYSTEM, Actor
from feeds.domain import ALARM_ROLES
from feeds.records import Alarm, Sensor
from feeds.wire.errors import ErrorCode, ProtocolError

CONDITIONS = ("high", "low", "rate", "comm")
LOWEST_PRIORITY = 4
#: A rate is measured over at least this long (single readings are noisy) …
RATE_MIN_SPAN_S = 30.0
#: … and at most this long back.
RATE_SPAN_S = 120.0
COMM_PRIORITY = 3  # a silent sensor: medium (the reading it would have sent may matter more)

ACTIONS = tuple(ALARM_ROLES)


@dataclass(frozen=True)
class AlarmEvent:
    """One line of an alarm's history."""

    alarm: Alarm  # the alarm as the event left it (its seq orders the history)
    action: str  # raise, escalate, clear, chatter, shelve_ended, to_lead, or an operator's action
    actor: str = SYSTEM
    role: str = SYSTEM
    reason: str = ""
    command_id: str | None = None


Level = tuple[int, float]  # (priority, the limit crossed)


class AlarmRule(Protocol):
    """What the engine needs of the rule behind an alarm point: a sensor's class (the thresholds
    are its own business) or a vehicle's :class:`~feeds.city.fleet.PointRule`."""

    @property
    def source(self) -> str: ...  # "sensor" or "vehicle": what its alarms watch
    @property
    def code(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def on_delay_s(self) -> float: ...
    @property
    def off_delay_s(self) -> float: ...
    @property
    def chatter_count(self) -> int: ...
    @property
    def chatter_window_s(self) -> float: ...


@dataclass
class _Watch:
    """What the engine remembers of one alarm point between readings."""

    level: Level | None = None  # the condition as last seen (None: absent)
    value: float = 0.0  # the value it was last seen with
    present_since: float | None = None  # the condition came (waiting out the on-delay) …
    gone_since: float | None = None  # … or went (waiting out the off-delay) at
    raises: deque[float] = field(default_factory=deque)  # recent raise times, for chattering


class AlarmEngine:
    """The alarms of one hub.  ``alarms`` are the live records (the engine reads the current
    one from it), ``change`` stores a new version and returns it as stored, ``new_id`` names a new
    alarm point."""

    def __init__(
        self,
        alarms: dict[str, Alarm],
        change: Callable[[Alarm], Alarm],
        new_id: Callable[[], str],
        ack_within_s: float = 120.0,
        suppressors: Mapping[str, str] | None = None,
    ) -> None:
        self._alarms, self._store, self._new_id = alarms, change, new_id
        self._suppressors = suppressors or {}  # sensor → the sensor whose alarm suppresses its own
        self.ack_within_s = ack_within_s  # a critical alarm unacknowledged longer goes to the lead
        self._points: dict[tuple[str, str], str] = {}  # (sensor id, condition) → alarm id
        for alarm in sorted(alarms.values(), key=lambda a: a.raised_at):  # the newest point wins
            self._points[(alarm.source, alarm.condition)] = alarm.id
        self._watch: dict[tuple[str, str], _Watch] = {}
        self._recent: dict[str, deque[tuple[float, float]]] = {}  # sensor id → (ts, value), for rates
        self._due: list[tuple[float, str, str]] = []  # (when, source id, condition): delays, shelves
        self._rules: dict[tuple[str, str], AlarmRule] = {}  # point → the rule it was last seen by
        for alarm in alarms.values():  # shelves end on their own, across a restart too
            if alarm.shelved_until:
                heapq.heappush(self._due, (alarm.shelved_until, alarm.source, alarm.condition))
            self._watch_ack(alarm)
        self.events: list[AlarmEvent] = []  # since last taken

    def take_events(self) -> list[AlarmEvent]:
        events, self.events = self.events, []
        return events

    # -- readings ------------------------------------------------------------------

    def reading(self, spec: SensorClass, sensor: Sensor, value: float, at: float) -> None:
        """A new reading of ``sensor`` (as it was before it), in time order."""
        self.evaluate(spec, sensor.id, "high", self._high(spec, sensor.id, value), value, at)
        if spec.low_warning is not None or spec.low_alarm is not None:
            self.evaluate(spec, sensor.id, "low", self._low(spec, sensor.id, value), value, at)
        if spec.rate_per_min is not None:
            rate = self._rate(sensor.id, value, at)
            held = self._held(sensor.id, "rate")
            limit = spec.rate_per_min * (1 - spec.deadband) if held else spec.rate_per_min
            present = rate is not None and rate > limit
            level = (_lower(spec.priority), spec.rate_per_min) if present else None
            self.evaluate(spec, sensor.id, "rate", level, rate or 0.0, at)
        if self._active(sensor.id, "comm"):  # it speaks again
            self._clear(sensor.id, "comm", at)

    def _held(self, sensor_id: str, condition: str) -> bool:
        """Whether the condition stands now: then only the deadband back past its limit ends it."""
        return self._active(sensor_id, condition) or self._watch_of(sensor_id, condition).level is not None

    def _high(self, spec: SensorClass, sensor_id: str, value: float) -> Level | None:
        if value >= spec.alarm:
            return spec.priority, spec.alarm
        if value >= spec.warning:
            return _lower(spec.priority), spec.warning
        if self._held(sensor_id, "high") and value > spec.warning - spec.deadband * abs(spec.warning):
            return _lower(spec.priority), spec.warning  # within the deadband: it stands
        return None

    def _low(self, spec: SensorClass, sensor_id: str, value: float) -> Level | None:
        if spec.low_alarm is not None and value <= spec.low_alarm:
            return spec.priority, spec.low_alarm
        if spec.low_warning is not None and value <= spec.low_warning:
            return _lower(spec.priority), spec.low_warning
        limit = spec.low_warning if spec.low_warning is not None else spec.low_alarm
        assert limit is not None
        if self._held(sensor_id, "low") and value < limit + spec.deadband * abs(limit):
            return _lower(spec.priority), limit  # within the deadband: it stands
        return None

    def _rate(self, sensor_id: str, value: float, at: float) -> float | None:
        """Units a minute over the last half minute to two minutes; None until there is such a span."""
        recent = self._recent.setdefault(sensor_id, deque())
        recent.append((at, value))
        while recent and recent[0][0] < at - RATE_SPAN_S:
            recent.popleft()
        first_at, first_value = recent[0]
        if at - first_at < RATE_MIN_SPAN_S:
            return None
        return (value - first_value) / (at - first_at) * 60.0

    # -- the state of one point ------------------------------------------------------

    def _watch_of(self, source: str, condition: str) -> _Watch:
        return self._watch.setdefault((source, condition), _Watch())

    def alarm_of(self, source: str, condition: str) -> Alarm | None:
        alarm_id = self._points.get((source, condition))
        return None if alarm_id is None else self._alarms.get(alarm_id)

    def _active(self, source: str, condition: str) -> bool:
        alarm = self.alarm_of(source, condition)
        return alarm is not None and alarm.state == "active"

    def evaluate(
        self, spec: AlarmRule, source: str, condition: str, level: Level | None, value: float, at: float
    ) -> None:
        """The condition of a point is ``level`` (None: absent) at ``at``: raise, update or clear
        its alarm once the delays allow.  A sensor's conditions come from its readings here; a
        vehicle's from its fleet rules (feeds.hub.rules.fleet)."""
        self._rules[(source, condition)] = spec
        watch = self._watch_of(source, condition)
        watch.level, watch.value = level, value
        alarm = self.alarm_of(source, condition)
        active = alarm is not None and alarm.state == "active"
        if level is not None:
            watch.gone_since = None
            if active:
                assert alarm is not None
                self._update(alarm, level, value)
                return
            if watch.present_since is None:
                watch.present_since = at
            if at - watch.present_since >= spec.on_delay_s:
                self._raise(spec, source, condition, level, value, at)
            else:
                heapq.heappush(self._due, (watch.present_since + spec.on_delay_s, source, condition))
            return
        watch.present_since = None
        if not active:
            return
        assert alarm is not None
        if alarm.value != value:
            self._put(replace(alarm, value=value))
        if watch.gone_since is None:
            watch.gone_since = at
        hold = self._hold(spec, alarm)
        if at - watch.gone_since >= hold:
            self._clear(source, condition, at)
        else:
            heapq.heappush(self._due, (watch.gone_since + hold, source, condition))

    @staticmethod
    def _hold(spec: AlarmRule, alarm: Alarm) -> float:
        """How long a condition must be gone before its alarm clears: a chattering one, the window."""
        return max(spec.off_delay_s, spec.chatter_window_s) if alarm.chattering else spec.off_delay_s

    def _update(self, alarm: Alarm, level: Level, value: float) -> None:
        """A standing alarm: the current value; the worst value and level since it was raised."""
        peak = alarm.peak if alarm.peak is not None else value
        worse = value < peak if alarm.condition == "low" else value > peak
        priority = min(alarm.priority, level[0])
        threshold = level[1] if level[0] < alarm.priority else alarm.threshold
        updated = replace(
            alarm,
            value=value,
            peak=value if worse else alarm.peak,
            priority=priority,
            threshold=threshold,
            suppressed=self._suppressed(alarm.source),
        )
        if updated != alarm:
            stored = self._put(updated)
            if priority < alarm.priority:  # a warning grown into an alarm
                self.events.append(AlarmEvent(stored, "escalate"))
                self._watch_ack(stored)

    def _raise(
        self, spec: AlarmRule, source: str, condition: str, level: Level, value: float, at: float
    ) -> None:
        watch = self._watch_of(source, condition)
        watch.present_since = None
        watch.raises.append(at)
        while len(watch.raises) > spec.chatter_count or (
            watch.raises and watch.raises[0] < at - spec.chatter_window_s
        ):
            watch.raises.popleft()
        chattering = len(watch.raises) >= spec.chatter_count
        old = self.alarm_of(source, condition)
        priority, threshold = level
        suppressed = self._suppressed(source)
        if old is None:
            alarm = Alarm(
                id=self._new_id(), kind=spec.code, priority=priority, value=value, threshold=threshold,
                raised_at=at, condition=condition, peak=value, chattering=chattering, suppressed=suppressed,
                sensor_id=source if spec.source == "sensor" else "",
                vehicle_id=source if spec.source == "vehicle" else "",
            )  # fmt: skip
            self._points[(source, condition)] = alarm.id
        else:
            alarm = replace(
                old, kind=spec.code, priority=priority, value=value, threshold=threshold, raised_at=at,
                state="active", acked=False, acked_by="", acked_at=None, cleared_at=None, peak=value,
                raised=old.raised + 1, chattering=chattering, version=old.version + 1, to_lead=False,
                suppressed=suppressed,
            )  # fmt: skip
        stored = self._put(alarm, bump=False)
        self.events.append(AlarmEvent(stored, "raise"))
        self._watch_ack(stored)
        if chattering and not (old is not None and old.chattering):
            self.events.append(AlarmEvent(stored, "chatter"))

    def _clear(self, source: str, condition: str, at: float) -> None:
        alarm = self.alarm_of(source, condition)
        assert alarm is not None
        self._watch_of(source, condition).gone_since = None
        stored = self._put(replace(alarm, state="cleared", cleared_at=at, chattering=False))
        self.events.append(AlarmEvent(stored, "clear"))

    def _put(self, alarm: Alarm, bump: bool = True) -> Alarm:
        """Store a new version (``bump``: one more than the record it replaces)."""
        return self._store(replace(alarm, version=alarm.version + 1) if bump else alarm)

    def sensor_state(self, spec: SensorClass, sensor_id: str, value: float) -> str:
        """What the map shows of a sensor, in step with its alarms: "alarm" only while an alarm of
        the class's priority stands (a reading past the limit still waiting out its on-delay is a
        "warning", so the map never shows an alarm the panel does not list), "warning" while any
        of its conditions stands or the reading is past a limit."""
        standing = [
            a for c in ("high", "low", "rate") if (a := self.alarm_of(sensor_id, c)) and a.state == "active"
        ]
        if any(a.priority <= spec.priority for a in standing):
            return "alarm"
        high = value >= spec.warning
        low = spec.low_warning is not None and value <= spec.low_warning
        low_alarm = spec.low_alarm is not None and value <= spec.low_alarm
        return "warning" if standing or high or low or low_alarm else "normal"

    # -- the clock ---------------------------------------------------------------------

    def _suppressed(self, sensor_id: str) -> bool:
        """Whether the sensor's alarms are expected now: its suppressor has an alarm standing."""
        suppressor = self._suppressors.get(sensor_id, "")
        return bool(suppressor) and any(self._active(suppressor, c) for c in CONDITIONS)

    def _watch_ack(self, alarm: Alarm) -> None:
        """A critical alarm standing unacknowledged is looked at again when it is due at the lead's."""
        if self._unanswered(alarm):
            heapq.heappush(self._due, (alarm.raised_at + self.ack_within_s, alarm.source, alarm.condition))

    @staticmethod
    def _unanswered(alarm: Alarm) -> bool:
        return (
            alarm.priority == 1
            and alarm.state == "active"
            and not alarm.acked
            and not alarm.to_lead
            and not alarm.suppressed
        )

    def tick(self, now: float) -> None:
        """Raise what waited out its on-delay, clear what waited out its off-delay, end shelves,
        and send the shift lead the critical alarms nobody acknowledged in time."""
        while self._due and self._due[0][0] <= now:
            _, source, condition = heapq.heappop(self._due)
            watch = self._watch_of(source, condition)
            alarm = self.alarm_of(source, condition)
            spec = self._rules.get((source, condition))
            if alarm is not None and 0 < alarm.shelved_until <= now:
                self._unshelve(alarm, now)
                continue
            if alarm is not None and self._unanswered(alarm) and now >= alarm.raised_at + self.ack_within_s:
                stored = self._put(replace(alarm, to_lead=True))
                self.events.append(AlarmEvent(stored, "to_lead"))
                continue
            if spec is None:
                continue
            active = alarm is not None and alarm.state == "active"
            if not active and watch.level is not None and watch.present_since is not None:
                if now - watch.present_since >= spec.on_delay_s:
                    self._raise(spec, source, condition, watch.level, watch.value, now)
            elif active and watch.level is None and watch.gone_since is not None:
                assert alarm is not None
                if now - watch.gone_since >= self._hold(spec, alarm):
                    self._clear(source, condition, now)

    def _unshelve(self, alarm: Alarm, now: float) -> None:
        stored = self._put(replace(alarm, shelved_until=0.0, shelved_by=""))
        self.events.append(AlarmEvent(stored, "shelve_ended"))

    def silence(self, spec: SensorClass, sensor: Sensor, now: float) -> str:
        """The state a sensor's silence gives it at ``now`` ("" when it is not silent), raising
        the communication alarm once it is offline."""
        if sensor.ts is None:
            return ""
        silent = now - sensor.ts
        if silent < spec.stale_s:
            return ""
        if silent < spec.offline_s:
            return "unknown"
        if not self._active(sensor.id, "comm"):  # the offline timeout was its delay
            self._raise(spec, sensor.id, "comm", (COMM_PRIORITY, spec.offline_s), silent, now)
        return "offline"

    # -- the operator -------------------------------------------------------------------

    def act(
        self,
        alarm: Alarm,
        action: str,
        actor: Actor,
        now: float,
        reason: str = "",
        until: float = 0.0,
        max_shelve_s: float = 8 * 3600.0,
        command_id: str | None = None,
    ) -> Alarm:
        """An operator's action on ``alarm``; raises ProtocolError when the role, the alarm's
        state or the fields refuse it."""
        role = acting_role(action, actor)
        changed = self._change_for(alarm, action, reason.strip(), until, now, max_shelve_s, actor.login)
        stored = self._put(replace(changed, note=reason.strip() or changed.note))
        self.events.append(AlarmEvent(stored, action, actor.login, role, reason.strip(), command_id))
        if action == "shelve":
            heapq.heappush(self._due, (until, alarm.source, alarm.condition))
        return stored

    @staticmethod
    def _change_for(
        alarm: Alarm, action: str, reason: str, until: float, now: float, max_shelve_s: float, login: str
    ) -> Alarm:
        def refuse(why: str) -> ProtocolError:
            return ProtocolError(ErrorCode.NOT_ALLOWED_IN_STATE, f"alarm {alarm.id}: {why}")

        if action in ("shelve", "remove") and not reason:
            raise ProtocolError(ErrorCode.REASON_REQUIRED, f"{action} of an alarm needs a reason")
        if action == "ack":
            if alarm.acked:
                raise refuse("already acknowledged")
            return replace(alarm, acked=True, acked_by=login, acked_at=now)
        if action == "shelve":
            if not now < until <= now + max_shelve_s:
                raise ProtocolError(
                    ErrorCode.INVALID,
                    f"a shelf ends after now and within {max_shelve_s / 3600:g} h (the class's longest)",
                    reason="shelve_until",
                )
            return replace(alarm, shelved_until=until, shelved_by=login)
        if action == "unshelve":
            if not alarm.shelved_until:
                raise refuse("not shelved")
            return replace(alarm, shelved_until=0.0, shelved_by="")
        if action == "remove":
            if alarm.out_of_service:
                raise refuse("already out of service")
            return replace(alarm, out_of_service=True)
        if not alarm.out_of_service:
            raise refuse("in service")
        return replace(alarm, out_of_service=False)


def acting_role(action: str, actor: Actor) -> str:
    """The role ``actor`` takes ``action`` on an alarm in; ProtocolError when none of theirs may."""
    roles = ALARM_ROLES.get(action)
    if roles is None:
        raise ProtocolError(ErrorCode.INVALID, f"unknown alarm action {action!r}; expected one of {ACTIONS}")
    role = next((r for r in roles if r in actor.roles), None)
    if role is None:
        raise ProtocolError(ErrorCode.FORBIDDEN, f"{action} of an alarm is for {', '.join(roles)}")
    return role


def _lower(priority: int) -> int:
    return min(priority + 1, LOWEST_PRIORITY)


def standing(alarm: Alarm, now: float) -> bool:
    """Whether an alarm is before the operator: active or unacknowledged, neither shelved nor out
    of service (what the alarm counts and the flood figures count)."""
    return (
        (alarm.state == "active" or not alarm.acked)
        and not alarm.out_of_service
        and not (alarm.shelved_until > now)
    )
