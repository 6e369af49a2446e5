"""The alarm load at an operator position, judged by ISA-18.2's figures, and the groups a flood
of alarms is shown as (so that the operator sees ten groups, not five hundred rows).

Qt-free: the alarm panel's models read these.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from feeds.records import Alarm, Sensor, Vehicle

WINDOW_S = 600.0  # ISA-18.2 counts alarms per ten minutes at an operator position:
MANAGEABLE = 1  # about one in ten minutes is manageable …
FLOOD = 10  # … more than ten in ten minutes is a flood


def set_aside(alarm: Alarm) -> bool:
    """Shelved, out of service or suppressed by design: not before the operator, not counted."""
    return alarm.out_of_service or bool(alarm.shelved_until) or alarm.suppressed


class AlarmLoad:
    """Alarms annunciated here in the last ten minutes: every raise of a point counts (a point
    raised again counts again), set-aside ones do not."""

    def __init__(self) -> None:
        self._raised: list[float] = []  # raise times, in order
        self._counted: dict[str, int] = {}  # alarm id → the raise count counted so far

    def see(self, alarms: Iterable[Alarm]) -> None:
        for alarm in alarms:
            if self._counted.get(alarm.id) == alarm.raised:
                continue
            self._counted[alarm.id] = alarm.raised
            if alarm.state == "active" and not set_aside(alarm):
                bisect.insort(self._raised, alarm.raised_at)

    def rate(self, now: float) -> int:
        """Alarms raised in the ten minutes before ``now`` (and any stamped a moment after it: the
        frame's clock ticks in whole seconds)."""
        del self._raised[: bisect.bisect_left(self._raised, now - WINDOW_S)]
        return len(self._raised)

    def flooded(self, now: float) -> bool:
        return self.rate(now) > FLOOD


@dataclass(frozen=True)
class AlarmGroup:
    """Standing alarms of one sensor class in one district."""

    district: str
    kind: str
    count: int
    unacked: int
    priority: int  # the most urgent among them
    newest: float


def groups(
    alarms: Iterable[Alarm], subject_of: Callable[[Alarm], Sensor | Vehicle | None]
) -> list[AlarmGroup]:
    """The standing alarms (active or unacknowledged, not set aside) by district and class, the
    most urgent groups first: the highest priority, then the most unacknowledged, then the most."""
    found: dict[tuple[str, str], list[Alarm]] = {}
    for alarm in alarms:
        standing = (alarm.state == "active" or not alarm.acked) and not set_aside(alarm)
        if standing:
            subject = subject_of(alarm)
            found.setdefault((subject.district if subject else "", alarm.kind), []).append(alarm)
    made = [
        AlarmGroup(
            district,
            kind,
            len(members),
            sum(not a.acked for a in members),
            min(a.priority for a in members),
            max(a.raised_at for a in members),
        )
        for (district, kind), members in found.items()
    ]
    return sorted(made, key=lambda g: (g.priority, -g.unacked, -g.count, -g.newest))
