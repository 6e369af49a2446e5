"""A console's side of the protocol, without I/O: what to send, what a frame means.

The asyncio client (:mod:`feeds.wire.client`) owns the socket and the
futures; this session owns the protocol state: the hello with resume
positions, which topics wait for a fresh snapshot, requests to send again
after a reconnect, and when each feed was last known current.  Tests drive
it with bytes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from feeds.wire.codec import PROTOCOL_VERSION, decode_server, encode
from feeds.wire.errors import ErrorCode, ProtocolError
from feeds.wire.messages import (
    CityPart,
    ClientKind,
    Delta,
    Error,
    Heartbeat,
    Hello,
    Position,
    Result,
    Resync,
    Snapshot,
    Topic,
    Welcome,
)

log = logging.getLogger("hall.client")

#: Errors not tied to a request that the session remembers, newest last.
RECENT_ERRORS = 50
#: Parts a city may come in (each at most a few MB): a hub announcing more is not believed.
MAX_CITY_PARTS = 256


@dataclass(frozen=True)
class Answered:
    """The hub answered request ``id``: a result, or an error."""

    id: str
    result: Result | None = None
    error: Error | None = None


@dataclass(frozen=True)
class Welcomed:
    welcome: Welcome


@dataclass(frozen=True)
class Refused:
    """The hub will not serve this client as it is: another protocol version, or the sign-in
    failed (``code`` says which); reconnecting with the same hello cannot help."""

    reason: str
    code: str = ErrorCode.UNSUPPORTED_VERSION


#: Answers to a hello that end the attempt: the user has to sign in again (or upgrade).
SIGN_IN_REFUSALS = (
    ErrorCode.UNSUPPORTED_VERSION,
    ErrorCode.BAD_CREDENTIALS,
    ErrorCode.LOCKED,
    ErrorCode.BAD_TOKEN,
    ErrorCode.DISABLED,
    ErrorCode.FORBIDDEN,
)


@dataclass(frozen=True)
class CityArrived:
    """The last part of a ``get_city`` answer came: the whole bundle, as the hub sent it."""

    id: str
    hash: str
    data: bytes


Event = Answered | Welcomed | Refused | CityArrived


class ClientSession:
    def __init__(
        self,
        *,
        kind: ClientKind,
        user: str,
        topics: tuple[Topic, ...],
        apply: Callable[[Snapshot | Delta], bool],
        positions: Callable[[], dict[str, Position]],
        password: str = "",
        token: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.kind: ClientKind = kind
        self.user = user
        self.password = password  # only until signed in: reconnects resume with the token
        self.token = token
        self.topics = topics
        self.apply = apply
        self.positions = positions
        self.clock = clock
        self.welcome: Welcome | None = None
        self.last_current_at: dict[str, float] = {}  # topic → clock() when it was last known current
        self.errors: list[Error] = []
        self.pending: dict[str, bytes] = {}  # request id → frame, until answered
        self._resyncing: set[str] = set()
        self._outgoing: list[bytes] = []
        self._city_parts: dict[str, list[str]] = {}  # request id → the parts so far, in order

    # -- what to send ------------------------------------------------------

    def connected(self) -> bytes:
        """A new connection: the hello to open it with."""
        self.welcome = None
        self._resyncing.clear()
        self._outgoing.clear()
        self._city_parts.clear()
        hello = Hello(
            PROTOCOL_VERSION,
            self.kind,
            self.user,
            password="" if self.token else self.password,
            token=self.token,
            topics=list(self.topics),
            resume={t: p for t, p in self.positions().items() if t in self.topics},
        )
        return encode(hello)

    def request(self, request_id: str, frame: bytes) -> bytes | None:
        """Remember a request until answered; the frame to send now, or None until welcomed."""
        self.pending[request_id] = frame
        return frame if self.welcome is not None else None

    def forget(self, request_id: str) -> None:
        self.pending.pop(request_id, None)

    def queue(self, frame: bytes) -> None:
        """Send ``frame`` with the next outgoing frames (it is not resent after a reconnect)."""
        self._outgoing.append(frame)

    def take_outgoing(self) -> list[bytes]:
        """Frames the session wants sent (resync requests, requests to send again)."""
        frames, self._outgoing = self._outgoing, []
        return frames

    # -- what arrived ------------------------------------------------------

    def receive(self, data: bytes | str) -> list[Event]:
        try:
            message = decode_server(data)
        except ProtocolError as error:
            # A newer hub may add message types within this version: skip what we do not know.
            log.warning("skipped a frame from the hub: %s", error.message)
            return []
        if isinstance(message, (Snapshot, Delta)):
            self._frame(message)
        elif isinstance(message, Result):
            return [Answered(message.id, result=message)]
        elif isinstance(message, Error):
            return self._error(message)
        elif isinstance(message, Heartbeat):
            self._heartbeat(message)
        elif isinstance(message, Welcome):
            self.welcome = message
            self.token, self.password = message.token or self.token, ""
            self._outgoing.extend(self.pending.values())
            return [Welcomed(message)]
        elif isinstance(message, CityPart):
            return self._city_part(message)
        return []

    def _city_part(self, part: CityPart) -> list[Event]:
        parts = self._city_parts.setdefault(part.id, [])
        if part.part != len(parts) or not 0 < part.parts <= MAX_CITY_PARTS:
            log.warning("city part %s of %s out of order; the city is asked for again", part.part, part.parts)
            del self._city_parts[part.id]
            return [Answered(part.id, error=Error(ErrorCode.INVALID, "the city arrived out of order"))]
        parts.append(part.data)
        if len(parts) < part.parts:
            return []
        del self._city_parts[part.id]
        return [CityArrived(part.id, part.hash, "".join(parts).encode("utf-8"))]

    def _frame(self, frame: Snapshot | Delta) -> None:
        self.last_current_at[frame.topic] = self.clock()
        if isinstance(frame, Snapshot):
            self._resyncing.discard(frame.topic)
        if not self.apply(frame) and frame.topic not in self._resyncing:
            self._resyncing.add(frame.topic)  # a gap: one resync, not one per frame until it comes
            self._outgoing.append(encode(Resync(frame.topic)))

    def _heartbeat(self, heartbeat: Heartbeat) -> None:
        now = self.clock()
        positions = self.positions()
        for topic, seq in heartbeat.seqs.items():
            if topic in positions and positions[topic].seq == seq:
                self.last_current_at[topic] = now  # nothing new, and we have all of it

    def _error(self, error: Error) -> list[Event]:
        if self.welcome is None and error.id is None and error.code in SIGN_IN_REFUSALS:
            return [Refused(error.message, error.code)]
        if error.id is not None and error.id in self.pending:
            return [Answered(error.id, error=error)]
        log.warning("hub error %s: %s", error.code, error.message)
        self.errors = [*self.errors[-(RECENT_ERRORS - 1) :], error]
        return []
