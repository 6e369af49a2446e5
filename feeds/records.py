"""The records the hub keeps and every topic carries: cases, alarms, sensors, vehicles.

Plain typed structs (msgspec), the same on the wire, in the store and in the
console's mirror.  ``seq`` is the topic sequence number of the record's
latest change.
"""

from __future__ import annotations

from typing import Literal

import msgspec


class Record(msgspec.Struct, tag_field="type", forbid_unknown_fields=False, omit_defaults=True):
    """Base of every record; the subclass's tag is its ``type`` on the wire."""


class Case(Record, tag="case"):
    id: str
    category: str  # 5-digit class code of the city's catalog (GB/T 47678.5 numbering)
    grid: str  # 15-digit unit grid code; "" where the city has no grid there
    district: str  # 6-digit division code of the district
    street: str  # 9-digit street (街道/乡镇) code; "" where the city has no streets layer
    lon: float  # WGS-84
    lat: float
    source: str  # see feeds.domain.SOURCES
    description: str
    status: str  # see feeds.domain.CaseStatus
    reported_at: float  # epoch seconds, UTC
    deadline: float  # epoch seconds at which the running clock runs out
    limit_s: float  # length of the running clock, for the light thresholds
    version: int
    department: str | None = None
    escalations: int = 0
    community: str = ""  # 12-digit community (社区/村) code; "" where the city has none there
    seq: int = 0


class Alarm(Record, tag="alarm"):
    id: str
    sensor_id: str
    kind: str  # sensor class of the city
    priority: int  # 1 = critical … 4 = low
    value: float
    threshold: float
    raised_at: float
    state: Literal["active", "cleared"] = "active"
    acked: bool = False
    cleared_at: float | None = None
    seq: int = 0


class Sensor(Record, tag="sensor"):
    id: str
    kind: str
    name: str
    lon: float
    lat: float
    unit: str
    value: float | None = None
    ts: float | None = None
    state: Literal["normal", "warning", "alarm", "offline"] = "normal"
    district: str = ""  # where it stands; "" outside the city
    grid: str = ""
    seq: int = 0


class Vehicle(Record, tag="vehicle"):
    id: str
    kind: str  # see feeds.domain.VEHICLE_KINDS
    plate: str
    lon: float | None = None
    lat: float | None = None
    speed: float = 0.0  # km/h
    heading: float = 0.0  # degrees from north
    status: str = "idle"  # see feeds.domain.VEHICLE_STATUSES
    ts: float | None = None
    district: str = ""  # where the last fix lies; "" outside the city (or no fix yet)
    seq: int = 0


Entity = Case | Alarm | Sensor | Vehicle


class TimelineEntry(msgspec.Struct, omit_defaults=True):
    """One line of a case's append-only history."""

    seq: int
    at: float
    actor: str
    action: str  # report, assign, escalate, …
    reason: str = ""
    department: str | None = None
