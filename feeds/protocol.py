"""Wire protocol v1: typed messages and a codec that does no I/O.

Every frame is one JSON text message whose ``type`` field names its kind.
Decoders take bytes or str and return a typed message or raise
:class:`ProtocolError` carrying a stable error code; nothing here touches a
socket, so tests feed bytes.  See ``docs/protocol.md`` for the prose and
``docs/asyncapi.yaml`` for the machine-readable form.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

PROTOCOL_VERSION = 1
#: Largest frame either side accepts; a larger one closes the socket with 1009.
MAX_FRAME_BYTES = 4 * 1024 * 1024
#: Items a producer may put in one ``batch`` frame.
MAX_BATCH_ITEMS = 20_000

Topic = Literal["cases", "alarms", "sensors", "vehicles"]
TOPICS: tuple[Topic, ...] = ("cases", "alarms", "sensors", "vehicles")
ClientKind = Literal["console", "wall", "producer"]


class ErrorCode:
    """Stable error codes; clients branch on these, never on the message text."""

    BAD_JSON = "bad_json"
    UNKNOWN_TYPE = "unknown_type"
    INVALID = "invalid"  # wrong field types, missing or out-of-range fields
    UNSUPPORTED_VERSION = "unsupported_version"
    HELLO_REQUIRED = "hello_required"
    READ_ONLY = "read_only"  # a wall connection sent a command
    FORBIDDEN = "forbidden"  # a message the client kind may not send
    UNKNOWN_CASE = "unknown_case"
    UNKNOWN_SENSOR = "unknown_sensor"
    UNKNOWN_VEHICLE = "unknown_vehicle"
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_DEPARTMENT = "unknown_department"
    CONFLICT = "conflict"  # stale expected_version; carries the current case
    INVALID_TRANSITION = "invalid_transition"
    TOO_MANY_PENDING = "too_many_pending"
    STORAGE = "storage_error"


class ProtocolError(Exception):
    """A message that cannot be accepted; ``code`` is one of :class:`ErrorCode`."""

    def __init__(self, code: str, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


class _Msg(msgspec.Struct, tag_field="type", forbid_unknown_fields=False, omit_defaults=True):
    """Base of every frame; the subclass's tag is its ``type``."""


# ---------------------------------------------------------------------------
# Entity records: what a topic's snapshot and deltas carry.  ``seq`` is the
# topic sequence number of the record's latest change.


class Case(_Msg, tag="case"):
    id: str
    category: str  # 5-digit class code, GB/T 47678.5 numbering
    grid: str  # 15-digit unit grid code
    district: str  # 6-digit division code of the district
    street: str  # street office name
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
    seq: int = 0


class Alarm(_Msg, tag="alarm"):
    id: str
    sensor_id: str
    kind: str  # sensor kind
    priority: int  # 1 = critical … 4 = low
    value: float
    threshold: float
    raised_at: float
    state: Literal["active", "cleared"] = "active"
    acked: bool = False
    cleared_at: float | None = None
    seq: int = 0


class Sensor(_Msg, tag="sensor"):
    id: str
    kind: str
    name: str
    lon: float
    lat: float
    unit: str
    value: float | None = None
    ts: float | None = None
    state: Literal["normal", "warning", "alarm", "offline"] = "normal"
    seq: int = 0


class Vehicle(_Msg, tag="vehicle"):
    id: str
    kind: str  # see feeds.domain.VEHICLE_KINDS
    plate: str
    lon: float | None = None
    lat: float | None = None
    speed: float = 0.0  # km/h
    heading: float = 0.0  # degrees from north
    status: str = "idle"  # see feeds.domain.VEHICLE_STATUSES
    ts: float | None = None
    seq: int = 0


Entity = Case | Alarm | Sensor | Vehicle


class TimelineEntry(msgspec.Struct, omit_defaults=True):
    seq: int
    at: float
    actor: str
    action: str  # report, assign, escalate, …
    reason: str = ""
    department: str | None = None


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


# Client → hub


class Position(msgspec.Struct):
    """Where a client stands in a topic: the stream it saw and the last seq."""

    stream: Annotated[str, msgspec.Meta(max_length=64)]
    seq: int


class Hello(_Msg, tag="hello"):
    protocol: int
    kind: ClientKind
    user: UserName
    token: Token = ""
    topics: list[Topic] = msgspec.field(default_factory=lambda: list(TOPICS))
    resume: dict[str, Position] = msgspec.field(default_factory=dict)


class Assign(_Msg, tag="assign"):
    """派遣: send a case to a department."""

    id: RequestId  # client-generated; a retry with the same id is answered, not redone
    case_id: RequestId
    expected_version: int
    department: Code
    reason: Text = ""


class Escalate(_Msg, tag="escalate"):
    """督办: flag a case for supervision."""

    id: RequestId
    case_id: RequestId
    expected_version: int
    reason: Text


class GetTimeline(_Msg, tag="get_timeline"):
    id: RequestId
    case_id: RequestId


class Resync(_Msg, tag="resync"):
    """Ask for a fresh snapshot of a topic (the client saw a gap)."""

    topic: Topic


class Ping(_Msg, tag="ping"):
    id: Annotated[str, msgspec.Meta(max_length=64)] = ""


# Producer ingest: single messages or a batch of them.


class SensorInfo(_Msg, tag="sensor_info"):
    """Declares (or updates) a sensor before its readings arrive."""

    id: DeviceId
    kind: Code
    name: Name
    lon: float
    lat: float
    unit: Annotated[str, msgspec.Meta(max_length=16)]


class VehicleInfo(_Msg, tag="vehicle_info"):
    id: DeviceId
    kind: Code
    plate: DeviceId


class Reading(_Msg, tag="reading"):
    sensor_id: DeviceId
    value: float
    ts: float


class Fix(_Msg, tag="fix"):
    """One GPS fix of a vehicle (WGS-84)."""

    vehicle_id: DeviceId
    lon: float
    lat: float
    ts: float
    speed: float = 0.0
    heading: float = 0.0
    status: Code = "moving"


class Report(_Msg, tag="report"):
    """A problem reported by an inspector, the 12319 hotline, an app or a sensor."""

    id: RequestId  # the producer's own id: a repeated report is recognised, not doubled
    category: Code
    lon: float
    lat: float
    source: Code
    ts: float
    description: Text = ""
    reporter: UserName = ""


IngestItem = SensorInfo | VehicleInfo | Reading | Fix | Report


class Batch(_Msg, tag="batch"):
    id: RequestId
    items: list[IngestItem]


Command = Assign | Escalate
ClientMessage = (
    Hello
    | Assign
    | Escalate
    | GetTimeline
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


class Result(_Msg, tag="result"):
    id: str
    case: Case | None = None
    timeline: list[TimelineEntry] | None = None


class Ack(_Msg, tag="ack"):
    """A producer frame is stored: everything in it is durable."""

    id: str
    accepted: int
    rejected: int = 0
    cases: dict[str, str] = msgspec.field(default_factory=dict)  # report id → case id, for accepted reports


class Error(_Msg, tag="error"):
    code: str
    message: str
    id: str | None = None  # the command or batch this answers, when known
    current: Case | None = None  # with ``conflict``: the case as it is now


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


ServerMessage = Welcome | Snapshot | Delta | Result | Ack | Error | Pong | Heartbeat

_KNOWN_CLIENT_TYPES = frozenset(
    t.__struct_config__.tag
    for t in ClientMessage.__args__  # type: ignore[attr-defined]
)
_KNOWN_SERVER_TYPES = frozenset(
    t.__struct_config__.tag
    for t in ServerMessage.__args__  # type: ignore[attr-defined]
)

_encoder = msgspec.json.Encoder()
_client_decoder = msgspec.json.Decoder(ClientMessage)
_server_decoder = msgspec.json.Decoder(ServerMessage)


def encode(message: msgspec.Struct) -> bytes:
    return _encoder.encode(message)


def _classify(data: bytes | str, known: frozenset[str], exc: msgspec.ValidationError) -> ProtocolError:
    """Tell an unknown ``type`` from a known type with bad fields."""
    try:
        raw = msgspec.json.decode(data)
    except msgspec.MsgspecError:  # valid JSON that no decoder takes, e.g. a number out of range
        return ProtocolError(ErrorCode.INVALID, f"{exc}")
    ref = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    kind = raw.get("type") if isinstance(raw, dict) else None
    if not isinstance(kind, str) or kind not in known:
        return ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind!r}", ref)
    return ProtocolError(ErrorCode.INVALID, f"{kind}: {exc}", ref)


def _decode(decoder: msgspec.json.Decoder[Any], known: frozenset[str], data: bytes | str) -> Any:
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise _classify(data, known, exc) from None
    except msgspec.DecodeError as exc:
        raise ProtocolError(ErrorCode.BAD_JSON, f"malformed JSON: {exc}") from None


def decode_client(data: bytes | str) -> ClientMessage:
    """Decode a frame a client sent to the hub."""
    message: ClientMessage = _decode(_client_decoder, _KNOWN_CLIENT_TYPES, data)
    return message


def decode_server(data: bytes | str) -> ServerMessage:
    """Decode a frame the hub sent to a client."""
    message: ServerMessage = _decode(_server_decoder, _KNOWN_SERVER_TYPES, data)
    return message
