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

from feeds.wire.errors import ErrorCode, ProtocolError
from feeds.wire.messages import (
    Assign,
    ClientMessage,
    Escalate,
    GetCity,
    GetStatus,
    GetTimeline,
    Hello,
    Ping,
    Resync,
)

MAX_READ_QUEUE = 16
MAX_UNACKED = 32
MAX_BATCH_RECORDS = 200_000
MAX_QUEUED_FRAMES = 256
MAX_PENDING_COMMANDS = 64
MAX_QUEUED_ANSWERS = 1024
HEARTBEAT_S = 5.0
STATUS_EVERY_S = 60.0  # a status line in the hub's log
#: How far ahead of the hub's clock a producer's timestamp may be (clocks drift; days ahead is a bug).
MAX_CLOCK_SKEW_S = 300.0


def refusal(kind: str | None, message: ClientMessage) -> ProtocolError | None:
    """Why a connection of ``kind`` (None before its hello) may not send ``message``; None if it may."""
    ref = getattr(message, "id", None)
    if isinstance(message, Hello):
        return None if kind is None else ProtocolError(ErrorCode.INVALID, "hello was already received")
    if kind is None:
        return ProtocolError(ErrorCode.HELLO_REQUIRED, "send hello first", ref)
    if isinstance(message, (Assign, Escalate)):
        if kind == "wall":
            return ProtocolError(ErrorCode.READ_ONLY, "the video wall is read-only", ref)
        if kind != "console":
            return ProtocolError(ErrorCode.FORBIDDEN, "only consoles send commands", ref)
        return None
    if isinstance(message, (GetTimeline, GetCity, GetStatus, Resync, Ping)) or kind == "producer":
        return None
    return ProtocolError(ErrorCode.FORBIDDEN, f"a {kind} does not send {type(message).__name__}", ref)
