"""The consoles' feed client: the asyncio shell around :class:`ClientSession`.

It knows nothing of Qt.  Snapshots and deltas go to ``on_frame`` (the
console's mirror), which answers False when it sees a gap; the session then
asks the hub for a fresh snapshot of that topic.  Commands wait in a bounded
table until the hub answers; after a reconnect they are sent again with the
same id, which the hub recognises, so a command is never applied twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import uuid
from collections.abc import Callable
from enum import StrEnum

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidURI

from feeds.city.cache import CityCache
from feeds.wire.backoff import Backoff, retryable
from feeds.wire.codec import MAX_FRAME_BYTES, encode
from feeds.wire.errors import ErrorCode
from feeds.wire.messages import (
    TOPICS,
    Act,
    AlarmAct,
    Batch,
    ClientKind,
    Delta,
    GetCity,
    GetHistory,
    GetTimeline,
    Position,
    Result,
    Snapshot,
    Topic,
    Welcome,
)
from feeds.wire.session import CityArrived, ClientSession, Event, Refused, Welcomed

log = logging.getLogger("hall.client")

MAX_PENDING = 64


class LinkState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    REFUSED = "refused"  # the hub will not serve us as we are (sign-in, protocol): retrying is pointless


class HubRefused(Exception):
    """The hub will not serve this client (the sign-in failed, another protocol version);
    ``code`` says which, so the console can ask for the password again."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class CommandError(Exception):
    """The hub refused a command; ``code`` is a stable :class:`ErrorCode`."""

    def __init__(self, code: str, message: str, current: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.current = current


Request = Act | AlarmAct | GetTimeline | GetHistory


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
        password: str = "",
        token: str = "",
        topics: tuple[Topic, ...] = TOPICS,
        on_city: Callable[[bytes], None] | None = None,
        city_cache: CityCache | None = None,
    ) -> None:
        self.url = url
        self.session = ClientSession(
            kind=kind,
            user=user,
            password=password,
            token=token,
            topics=topics,
            apply=on_frame,
            positions=positions,
        )
        self.refusal: HubRefused | None = None  # why the hub refused us, once it has
        self.on_link = on_link or (lambda _state: None)
        self.on_city = on_city
        self.city_cache = city_cache
        self.city_hash = ""  # of the city last handed to on_city
        self.link = LinkState.DISCONNECTED
        self.reconnects = 0
        self._answers: dict[str, asyncio.Future[Result]] = {}
        self._ws: ClientConnection | None = None
        self._closed = False

    # -- the city ---------------------------------------------------------------

    def _want_city(self, content_hash: str) -> None:
        """The hub serves this city: use it from the cache, or ask the hub for it."""
        if self.on_city is None or not content_hash or content_hash == self.city_hash:
            return
        cached = self.city_cache.get(content_hash) if self.city_cache else None
        if cached is not None:
            self._deliver_city(content_hash, cached)
        else:
            self.session.queue(encode(GetCity(f"city-{uuid.uuid4().hex[:12]}")))

    def _city_arrived(self, event: CityArrived) -> None:
        if hashlib.sha256(event.data).hexdigest() != event.hash:
            log.error("the city from the hub does not match its hash %s; not used", event.hash[:12])
            return
        if self.city_cache is not None:
            self.city_cache.put(event.hash, event.data)
        self._deliver_city(event.hash, event.data)

    def _deliver_city(self, content_hash: str, data: bytes) -> None:
        self.city_hash = content_hash
        assert self.on_city is not None
        self.on_city(data)

    @property
    def welcome(self) -> Welcome | None:
        return self.session.welcome

    @property
    def last_current_at(self) -> dict[str, float]:
        """Topic → ``time.monotonic()`` when its data was last known current."""
        return self.session.last_current_at

    # -- requests -------------------------------------------------------------

    async def request(self, message: Request, timeout: float = 15.0) -> Result:
        """Send a command or query and wait for its answer; raises CommandError."""
        if len(self._answers) >= MAX_PENDING:
            raise CommandError(ErrorCode.TOO_MANY_PENDING, "too many commands waiting for the hub")
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._answers[message.id] = future
        try:
            frame = self.session.request(message.id, encode(message))
            if frame is not None and self._ws is not None:
                await self._send(self._ws, frame)
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            raise CommandError("timeout", f"no answer from the hub within {timeout:.0f} s") from None
        finally:
            self._answers.pop(message.id, None)
            self.session.forget(message.id)

    async def post(self, batch: Batch) -> bool:
        """Send a producer's frame without waiting for its acknowledgement — for items the next
        frame supersedes, as a device's positions; False (nothing sent) while not signed in."""
        if self._ws is None or self.session.welcome is None:
            return False
        await self._send(self._ws, encode(batch))
        return True

    @staticmethod
    async def _send(ws: ClientConnection, frame: bytes) -> None:
        with contextlib.suppress(ConnectionClosed):  # sent again after the reconnect
            await ws.send(frame, text=True)

    # -- connection loop ------------------------------------------------------

    async def run(self) -> None:
        """Stay connected until :meth:`close`; reconnect with backoff."""
        backoff = Backoff()
        while not self._closed:
            self._set_link(LinkState.CONNECTING)
            try:
                async with connect(
                    self.url, max_size=MAX_FRAME_BYTES, ping_interval=10, ping_timeout=10, open_timeout=5
                ) as ws:
                    self._ws = ws
                    await self._session(ws)
                    backoff.reset()
            except HubRefused as error:
                log.error("hub refused the connection: %s", error)
                self.refusal = error
                self._set_link(LinkState.REFUSED)
                return
            except InvalidURI as error:
                raise ValueError(f"not a hub address: {self.url}") from error
            except Exception as error:
                if not retryable(error):
                    raise
                log.info("link to %s lost: %s", self.url, error)
            finally:
                self._ws = None
            if self._closed:
                break
            self._set_link(LinkState.DISCONNECTED)
            self.reconnects += 1
            await asyncio.sleep(backoff.delay())
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
        await ws.send(self.session.connected(), text=True)
        async for raw in ws:
            for event in self.session.receive(raw):
                self._on_event(event)
            for frame in self.session.take_outgoing():
                await self._send(ws, frame)
            await asyncio.sleep(0)  # let the UI's frame clock in between frames, even in a flood

    def _on_event(self, event: Event) -> None:
        if isinstance(event, Refused):
            raise HubRefused(event.reason, event.code)
        if isinstance(event, Welcomed):
            self._set_link(LinkState.CONNECTED)
            self._want_city(event.welcome.city_hash)
            return
        if isinstance(event, CityArrived):
            self._city_arrived(event)
            return
        future = self._answers.get(event.id)
        if future is None or future.done():
            return
        if event.error is not None:
            error = event.error
            future.set_exception(CommandError(error.code, error.message, error.current))
        else:
            future.set_result(event.result)  # type: ignore[arg-type]
