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
    status: str  # a state of the city's workflow table (feeds.city.workflow)
    reported_at: float  # epoch seconds, UTC
    deadline: float  # epoch seconds at which the running stage's time runs out
    limit_s: float  # length of the running stage's limit, in seconds of its clock
    version: int
    department: str | None = None
    escalations: int = 0  # times urged (督办), by people or by the hub when the clock ran out
    community: str = ""  # 12-digit community (社区/村) code; "" where the city has none there
    stage: str = ""  # whose time limit runs: verify, file, dispatch, handle, check, close
    clock: str = "urgent"  # the running stage's clock kind (feeds.city.model.CLOCK_KINDS)
    stage_started: float = 0.0
    paused_left_s: float = -1.0  # clock seconds that were left when the clock stopped; -1 while it runs
    late: str = ""  # stages that ran out of time, comma-separated; never cleared (the record of lateness)
    reporter: str = ""  # who reported it: an inspector's login, a caller's reference
    inspector: str = ""  # the inspector of the current verify or check task
    verified: str = ""  # confirmed / not_found: the inspector's answer to the verify task
    returns: int = 0  # 回退: times a department sent it back
    reworks: int = 0  # 返工: times a check failed or the lead sent it back
    extensions: int = 0  # 延期 granted
    requested_deadline: float = 0.0  # of a pending extension request
    closure: str = ""  # normal / late / wrong / special, once closed
    appeal: str = ""  # pending / forwarded / granted / denied (申诉 of a timeout, reviewed in two levels)
    urged_at: float = 0.0  # the last urge nobody has acted on since; 0 when acted on
    raised: bool = False  # urged and left alone too long: on the shift lead's seat
    merged_into: str = ""  # the case this report was merged into as a duplicate
    duplicate_of: str = (
        ""  # an open case of its category close by, reported shortly before: probably the same
    )
    merged: int = 0  # reports merged into this case
    alarm_id: str = ""  # the sensor alarm it was opened from (linked both ways)
    seq: int = 0

    @property
    def paused(self) -> bool:
        return self.paused_left_s >= 0

    def late_in(self, stage: str) -> bool:
        return stage in self.late.split(",")


class Alarm(Record, tag="alarm"):
    """An alarm point: one per sensor and condition, raised and cleared again and again (ISA-18.2
    states from ``state`` and ``acked``: active unacknowledged, acknowledged, returned to normal
    unacknowledged, normal)."""

    id: str
    kind: str  # the sensor's class; for a vehicle, the fence it broke or its vehicle kind
    priority: int  # 1 = critical … 4 = low
    value: float  # the current value (rate: units a minute; silent: seconds; see docs/alarms.md)
    threshold: float
    raised_at: float
    sensor_id: str = ""  # the sensor it watches …
    vehicle_id: str = ""  # … or the vehicle
    state: Literal["active", "cleared"] = "active"
    acked: bool = False
    cleared_at: float | None = None
    #: a sensor's: high (H/HH), low (L/LL), rate (a fast rise), comm (silent); a vehicle's:
    #: no_entry, no_driving, keep_in, route (its fences), speed, stopped, silent
    condition: str = "high"
    peak: float | None = None  # the worst value since it was last raised
    version: int = 1  # operator actions name the version they saw
    acked_by: str = ""
    acked_at: float | None = None
    shelved_until: float = 0.0  # shelved by an operator until then (0: not shelved)
    shelved_by: str = ""
    out_of_service: bool = False  # taken out for maintenance: not annunciated, not counted
    suppressed: bool = False  # by design: the sensor named its suppressor has an alarm standing
    chattering: bool = False  # raised too often: held until quiet for the class's chatter window
    raised: int = 1  # times raised (the bad actors are those raised most)
    note: str = ""  # the reason given with the latest operator action
    case_id: str = ""  # the case opened from it (linked both ways)
    to_lead: bool = False  # critical and unacknowledged too long: gone to the shift lead
    seq: int = 0

    @property
    def source(self) -> str:
        """The id of what it watches, a sensor's or a vehicle's."""
        return self.vehicle_id or self.sensor_id


class Sensor(Record, tag="sensor"):
    id: str
    kind: str
    name: str
    lon: float
    lat: float
    unit: str
    value: float | None = None
    ts: float | None = None
    state: Literal["normal", "warning", "alarm", "unknown", "offline"] = "normal"  # unknown: silent a while
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
    task: str = ""  # the case an inspector is out on (verify or check); the hub keeps it
    seq: int = 0


Entity = Case | Alarm | Sensor | Vehicle


class TimelineEntry(msgspec.Struct, omit_defaults=True):
    """One line of a case's append-only history: who did what, in which role, from which
    state to which, and why."""

    seq: int
    at: float
    actor: str  # login of the user; "system" for the hub's own actions
    action: str  # a workflow action, or report / timeout
    reason: str = ""
    department: str | None = None
    role: str = ""
    from_state: str = ""
    to_state: str = ""
    text: str = ""  # feedback, the inspector's findings, an attachment's description
