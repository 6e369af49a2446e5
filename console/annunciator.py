"""What the hall hears: a sound for each new alarm by its priority (never for an update of a
standing one), the critical sound again and again while a critical alarm stands unacknowledged,
and a mute that always ends.

Qt-free: the console asks it once a frame and plays what it says (widgets/sounds.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from console.alarm_load import set_aside
from feeds.records import Alarm

REPEAT_S = 10.0  # an unacknowledged critical alarm sounds again this often
MUTE_MAX_S = 600.0  # a mute lasts at most ten minutes: the hall never goes deaf for the night


@dataclass
class Annunciator:
    muted_until: float = 0.0
    _heard: dict[str, int] = field(default_factory=dict)  # alarm id → the raise count sounded
    _repeated_at: float = -1e18

    def mute(self, now: float, seconds: float) -> float:
        """Silence for ``seconds`` (at most MUTE_MAX_S); returns when the sound comes back."""
        self.muted_until = now + min(max(seconds, 0.0), MUTE_MAX_S)
        return self.muted_until

    def unmute(self) -> None:
        self.muted_until = 0.0

    def muted(self, now: float) -> bool:
        return now < self.muted_until

    def hear(self, changed: Iterable[Alarm], standing: Iterable[Alarm], now: float) -> list[int]:
        """The priorities to sound now: each alarm newly raised (or raised again) among
        ``changed``, most urgent first, once each; and critical again every REPEAT_S while one of
        ``standing`` is unacknowledged.  Alarms set aside are silent; a mute silences all."""
        new = []
        for alarm in changed:
            if self._heard.get(alarm.id) == alarm.raised:
                continue  # an update of an alarm already heard
            self._heard[alarm.id] = alarm.raised
            if alarm.state == "active" and not alarm.acked and not set_aside(alarm):
                new.append(alarm.priority)
        if new:
            self._repeated_at = now
        elif now - self._repeated_at >= REPEAT_S and any(
            a.priority == 1 and a.state == "active" and not a.acked and not set_aside(a) for a in standing
        ):
            self._repeated_at = now
            new.append(1)
        return [] if self.muted(now) else sorted(set(new))
