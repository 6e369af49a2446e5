"""Where new ids and sequence numbers come from.

One small interface, so that several hubs can later draw them from the
database or the broker instead; :class:`LocalIds` continues the counters of
the stored state in this process.
"""

from __future__ import annotations

from typing import Protocol


class Ids(Protocol):
    def next_seq(self, topic: str) -> int:
        """The sequence number of the next change in ``topic``."""
        ...

    def next_case_id(self) -> str: ...

    def next_alarm_id(self) -> str: ...


class LocalIds:
    """Counters in this process, carried on from the highest stored values."""

    def __init__(self, seqs: dict[str, int], cases: int, alarms: int) -> None:
        self._seqs = dict(seqs)
        self._cases = cases
        self._alarms = alarms

    def next_seq(self, topic: str) -> int:
        self._seqs[topic] = self._seqs.get(topic, 0) + 1
        return self._seqs[topic]

    def next_case_id(self) -> str:
        self._cases += 1
        return f"AJ{self._cases:07d}"

    def next_alarm_id(self) -> str:
        self._alarms += 1
        return f"AL{self._alarms:07d}"
