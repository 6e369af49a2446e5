"""Wire protocol v4: the typed messages clients and the hub exchange.

Every frame is one JSON text message whose ``type`` field names its kind.
See ``docs/protocol.md`` for the prose and ``docs/asyncapi.yaml`` for the
machine-readable form; :mod:`feeds.wire.codec` turns bytes into these types.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from feeds.records import Alarm, Case, Entity, TimelineEntry

Topic = Literal["cases", "alarms", "sensors", "vehicles"]
TOPICS: tuple[Topic, ...] = ("cases", "alarms", "sensors", "vehicles")
ClientKind = Literal["console", "wall", "producer"]


class _Msg(msgspec.Struct, tag_field="type", forbid_unknown_fields=False, omit_defaults=True):
    """Base of every frame; the subclass's tag is its ``type``."""


# ---------------------------------------------------------------------------
# Length limits on what clients send: every stored string fits its column, and
# a snapshot frame of FRAME_ITEMS records stays far below MAX_FRAME_BYTES.
RequestId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
DeviceId = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
UserName = Annotated[str, msgspec.Meta(max_length=64)]
Token = Annotated[str, msgspec.Meta(max_length=4096)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Name = Annotated[str, msgspec.Meta(max_length=128)]
Text = Annotated[str, msgspec.Meta(max_length=1000)]

# Values in their domain: a coordinate on the globe, a heading on the compass, a speed that is
# one, a time between 2000 and 2100 (1970, negative or far-future stamps are device faults).
Longitude = Annotated[float, msgspec.Meta(ge=-180.0, le=180.0)]
Latitude = Annotated[float, msgspec.Meta(ge=-90.0, le=90.0)]
Heading = Annotated[float, msgspec.Meta(ge=0.0, le=360.0)]
Speed = Annotated[float, msgspec.Meta(ge=0.0, le=400.0)]  # km/h
Timestamp = Annotated[float, msgspec.Meta(ge=946_684_800.0, le=4_102_444_800.0)]  # epoch s, 2000…2100


# Client → hub


class Position(msgspec.Struct):
    """Where a client stands in a topic: the stream it saw and the last seq."""

    stream: Annotated[str, msgspec.Meta(max_length=64)]
    seq: int


class Hello(_Msg, tag="hello"):
    """Opens a session: sign in with ``user`` and ``password``, or resume one with ``token``."""

    protocol: int
    kind: ClientKind
    user: UserName = ""
    password: Annotated[str, msgspec.Meta(max_length=256)] = ""
    token: Token = ""
    topics: list[Topic] = msgspec.field(default_factory=lambda: list(TOPICS))
    resume: dict[str, Position] = msgspec.field(default_factory=dict)


class Act(_Msg, tag="act"):
    """One step of the case workflow: ``action`` is a code of the city's workflow table, and
    the fields it requires there are filled (a reason, a department, a deadline …)."""

    id: RequestId  # client-generated; a retry with the same id is answered, not redone
    case_id: RequestId
    expected_version: int
    action: Code
    reason: Text = ""
    text: Text = ""  # feedback, findings, an attachment's description
    department: Annotated[str, msgspec.Meta(max_length=32)] = ""
    deadline: Annotated[float, msgspec.Meta(ge=0.0, le=4_102_444_800.0)] = 0.0  # epoch s, for extensions
    inspector: UserName = ""  # for verify and check tasks
    target: Annotated[str, msgspec.Meta(max_length=64)] = ""  # the case a duplicate merges into
    closure: Literal["", "wrong", "special"] = ""  # a lead's choice when closing


class AlarmAct(_Msg, tag="alarm_act"):
    """An operator's action on an alarm (ISA-18.2): ``ack`` acknowledge, ``shelve`` until a time
    with a reason, ``unshelve``, ``remove`` from service with a reason, ``restore`` to service;
    ``open_case``: the alarm becomes a case of its class's category, linked both ways."""

    id: RequestId  # client-generated; a retry with the same id is answered, not redone
    alarm_id: RequestId
    expected_version: int
    action: Literal["ack", "shelve", "unshelve", "remove", "restore", "open_case"]
    reason: Text = ""
    until: Annotated[float, msgspec.Meta(ge=0.0, le=4_102_444_800.0)] = 0.0  # epoch s: a shelf's end


class GetTimeline(_Msg, tag="get_timeline"):
    id: RequestId
    case_id: RequestId


class GetHistory(_Msg, tag="get_history"):
    """A sensor's readings from ``since`` to ``until``, oldest first, at most ``points`` of them
    (raw where the hub keeps them raw, else min, max and mean per interval), with the times its
    alarms stood."""

    id: RequestId
    sensor_id: DeviceId
    since: Timestamp
    until: Timestamp
    points: Annotated[int, msgspec.Meta(ge=10, le=5000)] = 1000


class Resync(_Msg, tag="resync"):
    """Ask for a fresh snapshot of a topic (the client saw a gap)."""

    topic: Topic


class Ping(_Msg, tag="ping"):
    id: Annotated[str, msgspec.Meta(max_length=64)] = ""


class GetCity(_Msg, tag="get_city"):
    """Ask for the city the hub serves (the welcome names its hash; fetch it when the cache lacks it)."""

    id: RequestId


class GetStatus(_Msg, tag="get_status"):
    """Ask for the hub's counters: connections, errors by code, items refused by reason."""

    id: RequestId


# Producer ingest: single messages or a batch of them.


class SensorInfo(_Msg, tag="sensor_info"):
    """Declares (or updates) a sensor before its readings arrive."""

    id: DeviceId
    kind: Code
    name: Name
    lon: Longitude
    lat: Latitude
    unit: Annotated[str, msgspec.Meta(max_length=16)]


class VehicleInfo(_Msg, tag="vehicle_info"):
    id: DeviceId
    kind: Code
    plate: DeviceId


class Reading(_Msg, tag="reading"):
    sensor_id: DeviceId
    value: float  # within the sensor class's physical range (checked by the hub, per class)
    ts: Timestamp


class Fix(_Msg, tag="fix"):
    """One GPS fix of a vehicle (WGS-84)."""

    vehicle_id: DeviceId
    lon: Longitude
    lat: Latitude
    ts: Timestamp
    speed: Speed = 0.0
    heading: Heading = 0.0
    status: Code = "moving"


class Report(_Msg, tag="report"):
    """A problem reported by an inspector, the 12319 hotline, an app or a sensor."""

    id: RequestId  # the producer's own id: a repeated report is recognised, not doubled
    category: Code
    lon: Longitude
    lat: Latitude
    source: Code
    ts: Timestamp
    description: Text = ""
    reporter: UserName = ""


IngestItem = SensorInfo | VehicleInfo | Reading | Fix | Report


class Batch(_Msg, tag="batch"):
    id: RequestId
    items: list[IngestItem]


Command = Act | AlarmAct
ClientMessage = (
    Hello
    | Act
    | AlarmAct
    | GetTimeline
    | GetHistory
    | GetCity
    | GetStatus
    | Resync
    | Ping
    | Batch
    | SensorInfo
    | VehicleInfo
    | Reading
    | Fix
    | Report
)

# ---------------------------------------------------------------------------
# Hub → client


class Welcome(_Msg, tag="welcome"):
    protocol: int
    hub: str
    session: str
    city: str
    server_time: float
    kind: ClientKind
    user: str
    city_hash: str = ""  # content hash of the city the hub serves: a console caches the city by it
    name: str = ""  # the signed-in user's display name
    roles: list[str] = msgspec.field(default_factory=list)
    department: str = ""  # a handler's department
    scope: str = ""  # the area code the user acts in; "" for the whole city
    token: str = ""  # resumes this session in a later hello, until ``expires``
    expires: float = 0.0


class Snapshot(_Msg, tag="snapshot"):
    """A topic's whole state at ``seq``, spread over frames ``part`` 0, 1, … up to ``final``."""

    topic: Topic
    stream: str
    seq: int
    items: list[Entity]
    part: int = 0
    final: bool = True


class Delta(_Msg, tag="delta"):
    """Changes ``from_seq`` … ``seq`` of a topic, compacted to each entity's latest state."""

    topic: Topic
    stream: str
    from_seq: int
    seq: int
    items: list[Entity]


class History(msgspec.Struct, omit_defaults=True):
    """A sensor's readings over a range, as columns: each point's time (epoch s), mean, lowest and
    highest reading (all three the reading itself where it is raw)."""

    sensor_id: str
    at: list[float]
    mean: list[float]
    low: list[float]
    high: list[float]
    alarms: list[list[float]] = msgspec.field(default_factory=list)  # [from, to] while an alarm of it stood


class Result(_Msg, tag="result"):
    id: str
    case: Case | None = None
    alarm: Alarm | None = None  # the answer to an alarm_act
    history: History | None = None  # the answer to a get_history
    timeline: list[TimelineEntry] | None = None
    truncated: int = 0  # older timeline entries left out to keep the frame under the limit


class Ack(_Msg, tag="ack"):
    """A producer frame is stored: everything in it is durable."""

    id: str
    accepted: int
    rejected: int = 0
    cases: dict[str, str] = msgspec.field(default_factory=dict)  # report id → case id, for accepted reports
    notes: list[str] = msgspec.field(
        default_factory=list
    )  # accepted, but worth a look (e.g. outside the city)


class Error(_Msg, tag="error"):
    code: str
    message: str
    id: str | None = None  # the command or batch this answers, when known
    current: Case | Alarm | None = None  # with ``conflict``: the case (or alarm) as it is now


class Pong(_Msg, tag="pong"):
    id: str = ""
    server_time: float = 0.0


class Heartbeat(_Msg, tag="heartbeat"):
    """Sent every few seconds: the hub is alive and each topic stands at ``seqs``.

    A client whose position equals a topic's seq knows its data is current
    even when nothing has changed for a while.
    """

    server_time: float
    seqs: dict[str, int]


class CityPart(_Msg, tag="city_part"):
    """One part of the city bundle answering ``get_city``: join the ``data`` of parts 0 … parts−1."""

    id: str
    hash: str
    part: int
    parts: int
    data: str


class Status(_Msg, tag="status"):
    """The hub's counters since it started, for an operator (``hall status``)."""

    id: str
    hub: str
    server_time: float
    uptime_s: float
    connections: dict[str, int]  # by client kind
    errors: dict[str, int]  # error frames sent, by code
    refused: dict[str, int]  # producer items refused, by reason
    commits: int
    seqs: dict[str, int]  # each topic's sequence number
    write_batch: int  # records waiting for the next commit

    def counts(self) -> list[str]:
        """The counters as an operator reads them: ``hall status`` prints these, the hub logs them."""
        return [
            f"{title}: " + (", ".join(f"{key} {n}" for key, n in sorted(counted.items())) or "none")
            for title, counted in (
                ("connections", self.connections),
                ("errors", self.errors),
                ("refused", self.refused),
            )
        ]


ServerMessage = Welcome | Snapshot | Delta | Result | Ack | Error | Pong | Heartbeat | CityPart | Status
