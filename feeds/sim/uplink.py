"""The simulator's I/O shell: feed a :class:`CityPlay` to the hub.

Connect, declare, send batches under an ack window, reconnect with backoff
and resend what the hub has not acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol as TypingProtocol

from websockets.asyncio.client import connect

from feeds.city import City, demo
from feeds.sim.world import CityPlay
from feeds.wire import codec
from feeds.wire.backoff import Backoff, retryable
from feeds.wire.errors import ErrorCode, ProtocolError
from feeds.wire.messages import Ack, Batch, Error, Hello, IngestItem, ServerMessage, Welcome

log = logging.getLogger(__name__)

TICK_S = 0.1  # simulated seconds per tick, played at 10 Hz on the loop's clock
MAX_UNACKED = 32
WELCOME_TIMEOUT_S = 10.0
#: Hub answers to a batch that are worth sending it again (the hub was busy, not the batch bad).
RETRY_CODES = frozenset({ErrorCode.TOO_MANY_PENDING, ErrorCode.STORAGE})


@dataclass
class SimStats:
    sent: int = 0  # items put in new batch frames (resending a batch does not count them again)
    acked: int = 0  # items the hub acknowledged as accepted
    rejected: int = 0  # items the hub acknowledged as refused
    errors: int = 0  # error frames and undecodable frames from the hub
    reconnects: int = 0


class HubRefused(Exception):
    """The hub turned the simulator away (unsupported version, forbidden …); retrying won't help."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"hub refused the simulator: {code}: {message}")
        self.code = code


class Connection(TypingProtocol):
    """What :class:`Uplink` needs of a WebSocket connection."""

    async def send(self, message: bytes, *, text: bool | None = None) -> None: ...

    async def recv(self) -> str | bytes: ...

    def __aiter__(self) -> AsyncIterator[str | bytes]: ...


@dataclass
class _Sent:
    frame: bytes
    items: int
    declares: bool = False  # sensors and vehicles, which the data batches need first


class Uplink:
    """Feeds a :class:`CityPlay` to the hub over any number of connections.

    Batches stay in ``unacked`` from the moment they are made until the hub
    acknowledges them.  A tick is played only while fewer than
    ``MAX_UNACKED`` are out, so a slow hub slows the play down instead of
    growing a buffer.  Each connection first declares the sensors and
    vehicles (afresh, unless an earlier declaration is still un-acknowledged:
    that one goes out again), then resends what is still un-acknowledged, in
    order (report ids make that idempotent at the hub)."""

    def __init__(
        self,
        play: CityPlay,
        seconds: float | None,
        user: str,
        pace: float = TICK_S,
        stats: SimStats | None = None,
        password: str = "",
    ) -> None:
        if seconds is not None and seconds < 0:
            raise ValueError("seconds must not be negative")  # it would never count down to 0
        self.play, self.user, self.pace = play, user, pace
        self.password, self.token = password, ""  # the token of the first welcome resumes later ones
        self.ticks_left = None if seconds is None else round(seconds / TICK_S)
        self.stats = stats if stats is not None else SimStats()
        self.unacked: dict[str, _Sent] = {}  # in the order they were made
        self.welcomes = 0
        self._batches_made = 0
        self._backlog_made = False
        self._retry: list[str] = []  # batches the hub asked to have again
        self._heard = asyncio.Event()  # an answer arrived or the connection ended

    def finished(self) -> bool:
        return self.ticks_left == 0 and not self.unacked

    async def serve(self, ws: Connection) -> None:
        """Play over one connection until finished; raises when the connection is lost."""
        await self._handshake(ws)
        reader = asyncio.create_task(self._read(ws))
        try:
            # Declarations first: the hub refuses readings and fixes of unknown sensors and vehicles.
            resend = sorted(self.unacked.values(), key=lambda sent: not sent.declares)
            if not any(sent.declares for sent in resend):
                await self._send_new(ws, self.play.declarations(), declares=True)
            for sent in resend:
                await ws.send(sent.frame, text=True)
            if not self._backlog_made:
                self._backlog_made = True
                await self._send_new(ws, self.play.backlog())
            await self._tick(ws, reader)
            await self._wait(ws, reader, lambda: not self.unacked)
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    def _hello(self) -> bytes:
        password = "" if self.token else self.password
        hello = Hello(codec.PROTOCOL_VERSION, "producer", self.user, password=password, token=self.token)
        return codec.encode(hello)

    async def _handshake(self, ws: Connection) -> None:
        await ws.send(self._hello(), text=True)
        async with asyncio.timeout(WELCOME_TIMEOUT_S):
            while True:
                message = self._decode(await ws.recv())
                if isinstance(message, Welcome):
                    log.info("connected to hub %s (%s) as %s", message.hub, message.city, message.user)
                    if message.city_hash not in ("", self.play.city.content_hash):
                        log.warning(
                            "the hub serves %s, the simulator plays %s: reports may fall outside its city",
                            message.city,
                            self.play.city.name,
                        )
                    self.welcomes += 1
                    self.token = message.token
                    return
                if isinstance(message, Error) and message.code == ErrorCode.BAD_TOKEN and self.token:
                    self.token = ""  # the session ran out: sign in afresh
                    await ws.send(self._hello(), text=True)
                elif isinstance(message, Error):
                    raise HubRefused(message.code, message.message)

    async def _tick(self, ws: Connection, reader: asyncio.Task[None]) -> None:
        """Play TICK_S per tick at the pace of the loop's clock; a late tick is not made up."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while self.ticks_left != 0:
            await self._wait(ws, reader, lambda: len(self.unacked) < MAX_UNACKED)
            due = max(due + self.pace, loop.time())
            await asyncio.sleep(due - loop.time())
            items = self.play.step(TICK_S)
            if self.ticks_left is not None:
                self.ticks_left -= 1
            await self._send_new(ws, items)

    async def _wait(self, ws: Connection, reader: asyncio.Task[None], ready: Callable[[], bool]) -> None:
        """Resend what the hub asks for and wait for its answers until ``ready()``.

        Raises if the connection ends first."""
        while True:
            retry, self._retry = self._retry, []
            for batch_id in retry:
                if batch_id in self.unacked:
                    await ws.send(self.unacked[batch_id].frame, text=True)
            if ready():
                return
            if reader.done():
                reader.result()  # re-raises how the connection failed
                raise ConnectionError("the hub closed the connection")
            self._heard.clear()
            await self._heard.wait()

    async def _send_new(self, ws: Connection, items: Sequence[IngestItem], declares: bool = False) -> None:
        """Send items in new batches, kept for resending until acknowledged."""
        size = codec.MAX_BATCH_ITEMS
        batches: dict[str, _Sent] = {}
        for first in range(0, len(items), size):
            self._batches_made += 1
            batch = Batch(f"b-{self._batches_made}", list(items[first : first + size]))
            batches[batch.id] = _Sent(codec.encode(batch), len(batch.items), declares)
            self.stats.sent += len(batch.items)
        self.unacked.update(batches)  # before sending, so that a lost connection resends them
        for sent in batches.values():
            await ws.send(sent.frame, text=True)

    async def _read(self, ws: Connection) -> None:
        try:
            async for frame in ws:
                message = self._decode(frame)
                if isinstance(message, Ack):
                    self._on_ack(message)
                elif isinstance(message, Error):
                    self._on_error(message)
                self._heard.set()
        finally:
            self._heard.set()

    def _on_ack(self, ack: Ack) -> None:
        self.unacked.pop(ack.id, None)
        self.stats.acked += ack.accepted
        self.stats.rejected += ack.rejected

    def _on_error(self, error: Error) -> None:
        """Count and log; a refused batch leaves the window unless the hub wants it again."""
        self.stats.errors += 1
        log.warning("hub error %s on %s: %s", error.code, error.id, error.message)
        if error.id is None or error.id not in self.unacked:
            return
        if error.code in RETRY_CODES:
            self._retry.append(error.id)
        else:  # sending it again would fail the same way (an ack may still follow for its good items)
            del self.unacked[error.id]

    def _decode(self, frame: str | bytes) -> ServerMessage | None:
        try:
            return codec.decode_server(frame)
        except ProtocolError as exc:
            self.stats.errors += 1
            log.warning("undecodable frame from the hub (%s): %s", exc.code, exc.message)
            return None


async def run_simulator(
    hub_url: str,
    scenario: str = "normal",
    rate: float = 200,
    seed: int = 1,
    seconds: float | None = None,
    user: str = "simulator",
    stats: SimStats | None = None,
    city: City | None = None,
    password: str = "",
) -> SimStats:
    """Play ``city`` (the demo city by default) into the hub at ``hub_url`` for ``seconds``
    (None: until cancelled).

    Reconnects after connection trouble (:mod:`feeds.wire.backoff`); raises
    :class:`HubRefused` when the hub rejects the handshake.  Pass ``stats``
    to watch the counts while it runs; the same object is returned."""
    play = CityPlay(city or demo().city, scenario, seed, rate, start=time.time())
    uplink = Uplink(play, seconds, user, stats=stats, password=password)
    backoff = Backoff()
    while True:
        welcomes = uplink.welcomes
        try:
            async with connect(hub_url, max_size=codec.MAX_FRAME_BYTES) as ws:
                await uplink.serve(ws)
            return uplink.stats
        except Exception as exc:
            if not retryable(exc):
                raise
            if uplink.welcomes > welcomes:
                backoff.reset()
            delay = backoff.delay()
            log.warning("hub connection lost (%s); reconnecting in %.1f s", exc, delay)
        uplink.stats.reconnects += 1
        await asyncio.sleep(delay)
