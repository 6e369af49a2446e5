"""Connection policy: who may send what, and the bounds of every queue the hub keeps.

Queues and their policies (docs/architecture.md has the table):
- a connection's incoming frames: websockets holds at most ``MAX_READ_QUEUE``
  frames, then stops reading the socket (TCP backpressure onto the sender);
- a producer's unacknowledged frames: at most ``MAX_UNACKED`` before the hub
  stops reading from it until a commit catches up;
- the open write batch: at most ``MAX_BATCH_RECORDS`` records before
  producers wait for the commit;
- a connection's outgoing deltas: at most ``MAX_QUEUED_FRAMES``; a slower
  reader loses its queued deltas and gets fresh snapshots instead, ahead of
  anything else (state is never silently wrong, it is resynchronised);
- a connection's unsent answers: never dropped, in one queue with the deltas
  so that an answer never overtakes its change; a client with more than
  ``MAX_QUEUED_ANSWERS`` unread is closed (1008): it sends without reading;
  heartbeats are kept one at a time.
"""

from __future__ import annotations

from feeds.domain import Role
from feeds.wire.errors import ErrorCode, ProtocolError
from feeds.wire.messages import (
    Act,
    AlarmAct,
    Batch,
    ClientMessage,
    Fix,
    GetHistory,
    GetTimeline,
    Hello,
    IngestItem,
    Report,
    Resync,
    VehicleInfo,
)

MAX_READ_QUEUE = 16
MAX_UNACKED = 32
MAX_BATCH_RECORDS = 200_000
MAX_QUEUED_FRAMES = 256
MAX_PENDING_COMMANDS = 64
MAX_QUEUED_ANSWERS = 1024
HEARTBEAT_S = 5.0
STATUS_EVERY_S = 60.0  # a status line in the hub's log
CLOCK_TICK_S = 1.0  # how often the hub looks for cases whose time ran out
ROLL_UP_EVERY_S = 300.0  # sensor readings past the raw window are folded at least this often
SESSION_CHECK_S = 10.0  # how often open connections' sessions are checked (disabled accounts leave)
CONCURRENT_SIGN_INS = 2  # password checks at once: each holds 64 MiB (argon2id)
#: How far ahead of the hub's clock a producer's timestamp may be (clocks drift; days ahead is a bug).
MAX_CLOCK_SKEW_S = 300.0
INGEST = (Batch, *IngestItem.__args__)  # type: ignore[attr-defined]


def refusal(kind: str | None, roles: frozenset[str], message: ClientMessage) -> ProtocolError | None:
    """Why a connection of ``kind`` (None before it signed in) whose user holds ``roles`` may not
    send ``message``; None if it may.  Which workflow steps a user may take is the workflow's to
    say (:meth:`feeds.city.workflow.Workflow.permit`)."""
    ref = getattr(message, "id", None)
    if isinstance(message, Hello):
        return None if kind is None else ProtocolError(ErrorCode.INVALID, "already signed in")
    if kind is None:
        return ProtocolError(ErrorCode.HELLO_REQUIRED, "sign in with hello first", ref)
    if isinstance(message, (Act, AlarmAct)) and kind == "wall":
        return ProtocolError(ErrorCode.READ_ONLY, "the video wall is read-only", ref)
    if isinstance(message, AlarmAct) and kind == "producer":
        return ProtocolError(ErrorCode.FORBIDDEN, "a producer does not handle alarms", ref)
    if isinstance(message, INGEST):
        if kind != "producer":
            return ProtocolError(ErrorCode.FORBIDDEN, f"a {kind} does not send {type(message).__name__}", ref)
        if Role.PRODUCER not in roles and Role.INSPECTOR not in roles:
            return ProtocolError(ErrorCode.FORBIDDEN, "ingest is for producer and inspector accounts", ref)
    if kind == "producer" and isinstance(message, (GetTimeline, GetHistory, Resync)):
        # A producer feeds the hub; it reads no case histories (a leaked gateway key shows nothing).
        return ProtocolError(ErrorCode.FORBIDDEN, f"a producer does not send {type(message).__name__}", ref)
    return None


def item_refusal(roles: frozenset[str], login: str, item: IngestItem) -> ProtocolError | None:
    """An inspector's app reports problems and where it is (its device's id is its login);
    sensors, readings and other devices are a gateway's."""
    own_device = (isinstance(item, VehicleInfo) and item.id == login and item.kind == "inspector") or (
        isinstance(item, Fix) and item.vehicle_id == login
    )
    if Role.PRODUCER in roles or isinstance(item, Report) or own_device:
        return None
    return ProtocolError(
        ErrorCode.FORBIDDEN,
        f"an inspector account sends reports and its own position, not {type(item).__name__}",
        reason="forbidden",
    )
