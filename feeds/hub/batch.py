"""The write batch: everything the hub changed since its last commit, stored in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec


@dataclass
class WriteBatch:
    records: dict[str, dict[str, msgspec.Struct]] = field(default_factory=dict)  # topic → id → latest
    report_ids: dict[str, str] = field(default_factory=dict)  # case id → producer report id
    events: list[dict[str, Any]] = field(default_factory=list)  # case timeline entries, in order
    alarm_events: list[dict[str, Any]] = field(default_factory=list)  # the alarms' history, in order
    readings: list[dict[str, Any]] = field(default_factory=list)  # every reading, late ones too
    meta: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(len(r) for r in self.records.values()) + len(self.events) + len(self.alarm_events)

    def put(self, topic: str, record: Any) -> None:
        """Keep the latest state of a record: it is written once per commit, however often it changed."""
        self.records.setdefault(topic, {})[record.id] = record
