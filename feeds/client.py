"""The consoles' feed client: connect, resume, receive, send commands, reconnect.

It knows nothing of Qt.  Snapshots and deltas go to ``on_frame`` (the
console's mirror), which answers False when it sees a gap; the client then
asks the hub for a fresh snapshot of that topic.  Commands wait in a bounded
table until the hub answers; after a reconnect they are sent again with the
same id, which the hub recognises, so a command is never applied twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Coroutine
from enum import StrEnum

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from feeds.protocol import (
    MAX_FRAME_BYTES,
    PROTOCOL_VERSION,
    TOPICS,
    Assign,
    ClientKind,
    Delta,
    Error,
    ErrorCode,
    Escalate,
    GetTimeline,
    Heartbeat,
    Hello,
    Position,
    ProtocolError,
    Result,
    Resync,
    Snapshot,
    Topic,
    Welcome,
    decode_server,
    encode,
)

log = logging.getLogger("hall.client")

MAX_PENDING = 64
BACKOFF_START_S = 0.2
BACKOFF_CAP_S = 5.0


class LinkState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    REFUSED = "refused"  # the hub will not talk to us (wrong protocol version): retrying is pointless


class HubRefused(Exception):
    """The hub will not serve this client (e.g. protocol version); retrying cannot help."""


class CommandError(Exception):
    """The hub refused a command; ``code`` is a stable :class:`ErrorCode`."""

    def __init__(self, code: str, message: str, current: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.current = current


Request = Assign | Escalate | GetTimeline


class HubClient:
    def __init__(
        self,
        url: str,
        *,
        kind: ClientKind,
        user: str,
        on_frame: Callable[[Snapshot | Delta], bool],
        positions: Callable[[], dict[str, Position]],
        on_link: Callable[[LinkState], None] | None = None,
        token: str = "",
        topics: tuple[Topic, ...] = TOPICS,
    ) -> None:
        self.url = url
        self.kind: ClientKind = kind
        self.user = user
        self.token = token
        self.topics = topics
        self.on_frame = on_frame
        self.positions = positions
        self.on_link = on_link or (lambda _state: None)
        self.link = LinkState.DISCONNECTED
        self.welcome: Welcome | None = None
        self.last_frame_at: dict[str, float] = {}  # topic → time.monotonic() it was last known current
        self.reconnects = 0
        self.errors: list[Error] = []  # recent errors not tied to a request, newest last
        self._pending: dict[str, tuple[bytes, asyncio.Future[Result]]] = {}
        self._ws: ClientConnection | None = None
        self._resyncing: set[str] = set()
        self._closed = False
        self._tasks: set[asyncio.Task[None]] = set()

    # -- requests -------------------------------------------------------------

    async def request(self, message: Request, timeout: float = 15.0) -> Result:
        """Send a command or query and wait for its answer; raises CommandError."""
        if len(self._pending) >= MAX_PENDING:
            raise CommandError(ErrorCode.TOO_MANY_PENDING, "too many commands waiting for the hub")
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        frame = encode(message)
        self._pending[message.id] = (frame, future)
        try:
            if self._ws is not None and self.link is LinkState.CONNECTED:
                await self._send(frame)
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            raise CommandError("timeout", f"no answer from the hub within {timeout:.0f} s") from None
        finally:
            self._pending.pop(message.id, None)

    async def _send(self, frame: bytes) -> None:
        try:
            assert self._ws is not None
            await self._ws.send(frame, text=True)
        except ConnectionClosed:
            pass  # resent after the reconnect

    # -- connection loop ------------------------------------------------------

    async def run(self) -> None:
        """Stay connected until :meth:`close`; reconnect with backoff."""
        delay = BACKOFF_START_S
        while not self._closed:
            self._set_link(LinkState.CONNECTING)
            try:
                async with connect(
                    self.url, max_size=MAX_FRAME_BYTES, ping_interval=10, ping_timeout=10, open_timeout=5
                ) as ws:
                    self._ws = ws
                    await self._session(ws)
                    delay = BACKOFF_START_S
            except HubRefused as error:
                log.error("hub refused the connection: %s", error)
                self._set_link(LinkState.REFUSED)
                return
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError) as error:
                log.info("link to %s lost: %s", self.url, error)
            except InvalidURI as error:
                raise ValueError(f"not a hub address: {self.url}") from error
            finally:
                self._ws = None
            if self._closed:
                break
            self._set_link(LinkState.DISCONNECTED)
            self.reconnects += 1
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # jitter: seats do not reconnect in step
            delay = min(delay * 2, BACKOFF_CAP_S)
        self._set_link(LinkState.DISCONNECTED)

    async def close(self) -> None:
        self._closed = True
        if self._ws is not None:
            await self._ws.close()

    def _set_link(self, state: LinkState) -> None:
        if state is not self.link:
            self.link = state
            self.on_link(state)

    async def _session(self, ws: ClientConnection) -> None:
        hello = Hello(
            PROTOCOL_VERSION,
            self.kind,
            self.user,
            token=self.token,
            topics=list(self.topics),
            resume={t: p for t, p in self.positions().items() if t in self.topics},
        )
        await ws.send(encode(hello), text=True)
        self._resyncing.clear()
        async for raw in ws:
            try:
                message = decode_server(raw)
            except ProtocolError as error:
                # A newer hub may add message types within v1: skip what we do not know.
                log.warning("skipped a frame from the hub: %s", error.message)
                continue
            self._receive(message, ws)
            await asyncio.sleep(0)  # let the UI's frame clock in between frames, even in a flood

    def _receive(self, message: object, ws: ClientConnection) -> None:
        if isinstance(message, (Snapshot, Delta)):
            self.last_frame_at[message.topic] = time.monotonic()
            if isinstance(message, Snapshot):
                self._resyncing.discard(message.topic)
            if not self.on_frame(message) and message.topic not in self._resyncing:
                self._resyncing.add(message.topic)
                self._background(ws.send(encode(Resync(message.topic)), text=True))  # type: ignore[arg-type]
        elif isinstance(message, Result):
            self._resolve(message.id, result=message)
        elif isinstance(message, Error):
            self._on_error(message)
        elif isinstance(message, Heartbeat):
            now = time.monotonic()
            positions = self.positions()
            for topic, seq in message.seqs.items():
                if topic in positions and positions[topic].seq == seq:
                    self.last_frame_at[topic] = now  # nothing new, and we have all of it
        elif isinstance(message, Welcome):
            self.welcome = message
            self._set_link(LinkState.CONNECTED)
            for frame, _future in list(self._pending.values()):
                self._background(self._send(frame))

    def _background(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # a reference, so the task is not collected while it runs
        task.add_done_callback(self._tasks.discard)

    def _on_error(self, error: Error) -> None:
        if error.code == ErrorCode.UNSUPPORTED_VERSION:
            raise HubRefused(error.message)
        if error.id is not None and error.id in self._pending:
            self._resolve(error.id, error=CommandError(error.code, error.message, error.current))
            return
        log.warning("hub error %s: %s", error.code, error.message)
        self.errors = [*self.errors[-49:], error]

    def _resolve(
        self, request_id: str, *, result: Result | None = None, error: Exception | None = None
    ) -> None:
        entry = self._pending.get(request_id)
        if entry is None or entry[1].done():
            return
        if error is not None:
            entry[1].set_exception(error)
        else:
            entry[1].set_result(result)  # type: ignore[arg-type]
