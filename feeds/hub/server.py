"""The hub's asyncio shell: WebSocket connections, group commit and fan-out.

Flow of a change: a connection's reader checks a decoded message against the
connection policy and hands it to :class:`~feeds.hub.core.HubCore`, which
applies it to live state and adds it to the open write batch.  The commit
loop stores that batch in one transaction on the database thread, publishes
it, fans the deltas out and only then answers the commands and acknowledges
the producer frames whose data it held.  The bounds of every queue are in
:mod:`feeds.hub.policy`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from feeds.city import CityFolder
from feeds.domain import Role
from feeds.hub import policy
from feeds.hub.accounts import Accounts, Session, User
from feeds.hub.core import HubCore, IngestOutcome
from feeds.hub.store import Store
from feeds.hub.topics import FRAME_BYTES, Frame
from feeds.records import Alarm, Case
from feeds.wire.codec import (
    MAX_FRAME_BYTES,
    PROTOCOL_VERSION,
    PartialBatch,
    decode_client,
    encode,
)
from feeds.wire.errors import ErrorCode, ProtocolError
from feeds.wire.messages import (
    Ack,
    Act,
    Batch,
    CityPart,
    ClientMessage,
    Command,
    Error,
    GetCity,
    GetHistory,
    GetStatus,
    GetTimeline,
    Heartbeat,
    Hello,
    History,
    IngestItem,
    Ping,
    Pong,
    Report,
    Result,
    Resync,
    Status,
    Welcome,
)

log = logging.getLogger("hall.hub")


class Connection:
    """One client: who it is, what it follows, and what it is owed, in order.

    One queue holds everything due to the client, answers and data alike, so an
    answer never overtakes the change it is about: the deltas of a commit are
    queued before the answers that wait for that commit.  Answers are never
    dropped (a client that leaves too many unread is closed with 1008); when
    deltas pile up beyond MAX_QUEUED_FRAMES, they are dropped and the topics
    are sent again as snapshots, first in the queue — a snapshot holds every
    change answered so far."""

    def __init__(self, hub: Hub, ws: ServerConnection) -> None:
        self.hub = hub
        self.ws = ws
        self.kind: str | None = None  # None until signed in
        self.user: User | None = None
        self.token = ""  # of the session, checked now and then: a disabled account is shown out
        self.ending = ""  # why the hub closes this connection once what is queued has gone
        self.topics: set[str] = set()
        # Data frames, encoded answers and the one due heartbeat (encoded when sent), in order.
        self.queue: deque[Frame | bytes | Heartbeat] = deque()
        self.answers = 0  # answers in the queue
        self.frames = 0  # data frames in the queue
        self.resync: set[str] = set()  # topics to send again as snapshots, before anything else
        self.sent_seq: dict[str, int] = {}
        self.pending_commands = 0
        self.overwhelmed = False
        self.heartbeat_due = False  # one heartbeat at a time: a slow reader needs no backlog of them
        self.wake = asyncio.Event()

    @property
    def roles(self) -> frozenset[str]:
        return self.user.roles if self.user else frozenset()

    def answer(self, message: msgspec.Struct) -> None:
        if self.answers >= policy.MAX_QUEUED_ANSWERS:
            # It sends and never reads: stop before its unread answers fill the hub's memory.
            self.hub.errors["unread_answers"] += 1
            self.overwhelmed = True
            self.wake.set()
            return
        self.queue.append(message if isinstance(message, Heartbeat) else self._fitted(message))
        self.answers += 1
        self.wake.set()

    @staticmethod
    def _fitted(message: msgspec.Struct) -> bytes:
        """The encoded answer, under the frame limit: a very long history keeps its newest entries."""
        data = encode(message)
        if len(data) <= FRAME_BYTES or not isinstance(message, Result) or not message.timeline:
            return data
        timeline = list(message.timeline)
        while len(data) > FRAME_BYTES and len(timeline) > 1:
            timeline = timeline[len(timeline) // 4 or 1 :]
            data = encode(
                msgspec.structs.replace(
                    message, timeline=timeline, truncated=len(message.timeline) - len(timeline)
                )
            )
        return data

    def fail(self, error: ProtocolError) -> None:
        self.hub.errors[error.code] += 1
        current = error.current if error.code == ErrorCode.CONFLICT else None
        self.answer(Error(error.code, error.message, id=error.ref, current=current))

    def end(self, reason: str) -> None:
        """Close once everything queued so far has been sent (the refusal that says why, too)."""
        self.ending = reason
        self.wake.set()

    def heartbeat(self, message: Heartbeat) -> None:
        if not self.heartbeat_due:
            self.heartbeat_due = True
            self.answer(message)

    def push(self, frame: Frame) -> None:
        if frame.topic not in self.topics or frame.topic in self.resync:
            return
        if self.frames >= policy.MAX_QUEUED_FRAMES:
            # Too slow to follow: drop the backlog, resend the state instead.
            self.hub.errors["slow_consumer"] += 1
            self.queue = deque(item for item in self.queue if not isinstance(item, Frame))
            self.frames = 0
            self.resync |= self.topics
        else:
            self.queue.append(frame)
            self.frames += 1
        self.wake.set()

    async def write_loop(self) -> None:
        with contextlib.suppress(ConnectionClosed):  # the reader sees the close and cleans up
            await self._write()

    async def _write(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            if self.overwhelmed:
                await self.ws.close(1008, "too many unread answers")
                return
            while self.resync or self.queue:
                if self.resync:
                    await self._send_snapshot(self.resync.pop())
                    continue
                item = self.queue.popleft()
                if isinstance(item, Frame):
                    self.frames -= 1
                    if item.snapshot or item.seq > self.sent_seq.get(item.topic, -1):  # else in a snapshot
                        await self.ws.send(item.data, text=True)
                        self.sent_seq[item.topic] = item.seq
                    continue
                self.answers -= 1
                if isinstance(item, Heartbeat):
                    self.heartbeat_due = False
                    item = encode(item)
                await self.ws.send(item, text=True)
            if self.ending:
                self.hub.connections.discard(self)
                await self.ws.close(1008, self.ending)
                return

    async def _send_snapshot(self, topic: str) -> None:
        frames = self.hub.core.snapshot(topic)
        self.sent_seq[topic] = frames[-1].seq
        for frame in frames:
            await self.ws.send(frame.data, text=True)


#: Bytes of the city bundle per ``city_part`` frame: escaped as a JSON string it at most doubles,
#: which keeps every part far below MAX_FRAME_BYTES.
CITY_PART_BYTES = 1024 * 1024


def _result(command_id: str, changed: Case | Alarm) -> Result:
    """The answer to a command: the case or the alarm it changed."""
    return (
        Result(command_id, case=changed) if isinstance(changed, Case) else Result(command_id, alarm=changed)
    )


def city_parts(request_id: str, folder: CityFolder) -> list[CityPart]:
    """The bundle in parts cut at character boundaries, each at most CITY_PART_BYTES."""
    data, pieces, start = folder.bundle, [], 0
    while start < len(data):
        end = min(start + CITY_PART_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # not inside a UTF-8 character
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start = end
    content = folder.city.content_hash
    return [CityPart(request_id, content, n, len(pieces), piece) for n, piece in enumerate(pieces)]


class Hub:
    def __init__(
        self,
        store: Store,
        city: CityFolder,
        name: str = "hub",
        clock: Callable[[], float] = time.time,
        accounts: Accounts | None = None,
    ) -> None:
        self.store = store
        self.accounts = accounts or Accounts(store.engine, clock)
        self.folder = city
        self.city = city.city
        self.name = name
        self.clock = clock
        self.core = HubCore(store.load(), self.city, clock)
        self._know_inspectors()
        self.connections: set[Connection] = set()
        self.errors: Counter[str] = Counter()  # error frames sent, by code
        self.refused: Counter[str] = Counter()  # producer items refused, by reason
        self.commits = 0
        self.started = clock()
        self._db = ThreadPoolExecutor(1, thread_name_prefix="hall-db")
        self._dirty = asyncio.Event()
        self._open_batch: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._committer = asyncio.create_task(self._commit_loop(), name="hall-commit")
        self._heartbeat = asyncio.create_task(self._heartbeat_loop(), name="hall-heartbeat")
        self._reporter = asyncio.create_task(self._status_loop(), name="hall-status")
        self._clocks = asyncio.create_task(self._clock_loop(), name="hall-clocks")
        self._sessions = asyncio.create_task(self._session_loop(), name="hall-sessions")
        self._folding = asyncio.create_task(self._history_loop(), name="hall-history")
        self._hashing = asyncio.Semaphore(policy.CONCURRENT_SIGN_INS)

    # -- lifecycle -----------------------------------------------------------

    async def serve(self, host: str = "127.0.0.1", port: int = 8765) -> Server:
        return await serve(
            self._handle,
            host,
            port,
            max_size=MAX_FRAME_BYTES,
            max_queue=policy.MAX_READ_QUEUE,
            ping_interval=20,
            ping_timeout=20,
        )

    async def close(self) -> None:
        await self.durable()
        self._heartbeat.cancel()
        self._reporter.cancel()
        self._clocks.cancel()
        self._sessions.cancel()
        self._folding.cancel()
        self._committer.cancel()
        self._db.shutdown(wait=True)
        self.store.close()

    # -- committing ----------------------------------------------------------

    async def durable(self) -> bool:
        """Wait until everything applied so far is committed; False if that failed."""
        self._dirty.set()
        return await asyncio.shield(self._open_batch)

    async def _commit_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            batch = self.core.take_batch()
            done, self._open_batch = self._open_batch, loop.create_future()
            ok = True
            if len(batch) or batch.meta:
                try:
                    await loop.run_in_executor(self._db, self.store.commit, batch)
                    self.commits += 1
                except Exception:
                    log.exception("commit failed; reloading state from the database")
                    ok = False
            if ok:
                self._fan_out(self.core.publish(batch))
            else:
                self.errors[ErrorCode.STORAGE] += 1
                loaded = await loop.run_in_executor(self._db, self.store.load)
                self.core = HubCore(loaded, self.city, self.clock)
                self._know_inspectors()
                # What arrived meanwhile was applied to the state just thrown away: refuse it too.
                later, self._open_batch = self._open_batch, loop.create_future()
                later.set_result(False)
            done.set_result(ok)

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(policy.HEARTBEAT_S)
            seqs = self.core.seqs()
            for connection in self.connections:
                if connection.topics:
                    connection.heartbeat(Heartbeat(self.clock(), {t: seqs[t] for t in connection.topics}))

    async def _clock_loop(self) -> None:
        """Cases whose time ran out are urged by the hub, and urges left alone go to the lead."""
        while True:
            await asyncio.sleep(policy.CLOCK_TICK_S)
            if self.core.tick():
                self._changed()

    async def _history_loop(self) -> None:
        """Sensor readings past the city's raw window are folded into intervals, and intervals past
        its retention dropped, once an interval (at most every ROLL_UP_EVERY_S)."""
        city = self.city
        while True:
            folded = await asyncio.get_running_loop().run_in_executor(
                self._db,
                self.store.roll_up,
                self.clock(),
                city.history_raw_s,
                city.history_interval_s,
                city.history_keep_s,
            )
            if folded:
                log.info(
                    "folded %d sensor readings into %.0f-minute intervals",
                    folded,
                    city.history_interval_s / 60,
                )
            await asyncio.sleep(min(city.history_interval_s, policy.ROLL_UP_EVERY_S))

    async def _session_loop(self) -> None:
        """Connections whose session ended — signed out, expired, the account disabled or its
        password changed (by `hall user` in another process too) — are told and closed."""
        while True:
            await asyncio.sleep(policy.SESSION_CHECK_S)
            tokens = {c.token for c in self.connections if c.token}
            if not tokens:
                continue
            ended = await asyncio.to_thread(self.accounts.ended, tokens)
            for connection in [c for c in self.connections if c.token in ended]:
                connection.fail(ProtocolError(ErrorCode.BAD_TOKEN, "the session ended: sign in again"))
                connection.end("session ended")

    def status(self, request_id: str = "") -> Status:
        kinds = Counter(c.kind for c in self.connections if c.kind)
        return Status(
            id=request_id,
            hub=self.name,
            server_time=self.clock(),
            uptime_s=self.clock() - self.started,
            connections=dict(kinds),
            errors=dict(self.errors),
            refused=dict(self.refused),
            commits=self.commits,
            seqs=self.core.seqs(),
            write_batch=len(self.core.batch),
        )

    async def _status_loop(self) -> None:
        """A line a minute in the log: how many are connected, and what went wrong, by kind."""
        while True:
            await asyncio.sleep(policy.STATUS_EVERY_S)
            status = self.status()
            log.info("status: %s; commits %d", "; ".join(status.counts()), status.commits)

    def _fan_out(self, frames: list[Frame]) -> None:
        for frame in frames:
            for connection in self.connections:
                connection.push(frame)

    def _changed(self) -> None:
        self._dirty.set()

    # -- connections ---------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        connection = Connection(self, ws)
        writer = asyncio.create_task(connection.write_loop())
        try:
            while True:
                # Bytes, text or binary frame alike: the JSON decoder checks the UTF-8, so text that
                # is not gets a typed error instead of WebSocket's closing 1007.
                raw = await ws.recv(decode=False)
                try:
                    message = decode_client(raw)
                except PartialBatch as partial:
                    await self._ingest(connection, partial.batch.id, partial.batch.items, partial.refused)
                    continue
                except ProtocolError as error:
                    if connection.kind == "producer" and error.code == ErrorCode.INVALID:
                        self.refused[error.reason] += 1  # a lone item refused counts like one in a batch
                    connection.fail(error)
                    continue
                await self._dispatch(connection, message)
        except ConnectionClosed as closed:
            if closed.sent is not None and closed.sent.code == CloseCode.MESSAGE_TOO_BIG:
                self.errors["oversize"] += 1
        finally:
            self.connections.discard(connection)
            writer.cancel()

    async def _dispatch(self, connection: Connection, message: ClientMessage) -> None:
        if connection.ending:  # its session ended: nothing more is taken from it
            return
        refusal = policy.refusal(connection.kind, connection.roles, message)
        if refusal is not None:
            connection.fail(refusal)
        elif isinstance(message, Hello):
            await self._hello(connection, message)
        elif isinstance(message, Command):
            self._command(connection, message)
        elif isinstance(message, GetTimeline):
            if not self._too_busy(connection, message.id):
                self._spawn(connection, self._timeline(connection, message))
        elif isinstance(message, GetHistory):
            if not self._too_busy(connection, message.id):
                self._spawn(connection, self._history(connection, message))
        elif isinstance(message, Resync):
            if message.topic in connection.topics:
                connection.resync.add(message.topic)
                connection.wake.set()
            else:
                connection.fail(ProtocolError(ErrorCode.INVALID, f"not following {message.topic!r}"))
        elif isinstance(message, Ping):
            connection.answer(Pong(message.id, self.clock()))
        elif isinstance(message, GetCity):
            for part in city_parts(message.id, self.folder):
                connection.answer(part)
        elif isinstance(message, GetStatus):
            connection.answer(self.status(message.id))
        elif isinstance(message, Batch):
            await self._ingest(connection, message.id, message.items)
        else:
            # A single report is acknowledged under its own id; readings and fixes are not.
            await self._ingest(connection, message.id if isinstance(message, Report) else None, [message])

    async def _hello(self, connection: Connection, hello: Hello) -> None:
        if hello.protocol != PROTOCOL_VERSION:
            self.errors[ErrorCode.UNSUPPORTED_VERSION] += 1
            refusal = Error(
                ErrorCode.UNSUPPORTED_VERSION,
                f"this hub speaks protocol {PROTOCOL_VERSION}, not {hello.protocol}",
            )
            connection.answer(refusal)  # and the connection stays, waiting for a hello it can serve
            return
        try:
            session = await self._sign_in(hello)
        except ProtocolError as error:
            connection.fail(error)  # the connection stays: the user may try again
            return
        user = session.user
        connection.kind, connection.user, connection.token = hello.kind, user, session.token
        connection.topics = set() if hello.kind == "producer" else set(hello.topics)
        connection.answer(
            Welcome(
                PROTOCOL_VERSION,
                self.name,
                uuid.uuid4().hex[:12],
                self.city.name,
                self.clock(),
                hello.kind,
                user.login,
                self.city.content_hash,
                name=user.name,
                roles=sorted(user.roles),
                department=user.department,
                scope=user.scope,
                token=session.token,
                expires=session.expires,
            )
        )
        for topic in sorted(connection.topics):
            for frame in self.core.catch_up(topic, hello.resume.get(topic)):
                connection.push(frame)
        self.connections.add(connection)

    def _know_inspectors(self) -> None:
        """The field inspectors and their areas, for sending verify and check tasks."""
        self.core.inspectors = {
            user.login: user.scope
            for user in self.accounts.list()
            if Role.INSPECTOR in user.roles and not user.disabled
        }

    async def _sign_in(self, hello: Hello) -> Session:
        """The session of a hello's token or password (hashing is slow: off the event loop), if
        the account may open this kind of connection."""
        if hello.token:
            session = await asyncio.to_thread(self.accounts.resume, hello.token)
        elif hello.user and hello.password:
            async with self._hashing:  # each check holds 64 MiB: a flood of hellos waits its turn
                session = await asyncio.to_thread(self.accounts.sign_in, hello.user, hello.password)
        else:
            raise ProtocolError(ErrorCode.BAD_CREDENTIALS, "sign in with user and password, or a token")
        if Role.INSPECTOR in session.user.roles:  # added since the hub started, or its area changed
            self.core.inspectors[session.user.login] = session.user.scope
        ingests = {Role.PRODUCER, Role.INSPECTOR} & session.user.roles
        if hello.kind == "producer" and not ingests:
            raise ProtocolError(ErrorCode.FORBIDDEN, f"{session.user.login} is not a producer account")
        if hello.kind != "producer" and not session.user.roles - {Role.PRODUCER}:
            raise ProtocolError(ErrorCode.FORBIDDEN, f"a producer account does not open a {hello.kind}")
        return session

    def _too_busy(self, connection: Connection, request_id: str) -> bool:
        if connection.pending_commands < policy.MAX_PENDING_COMMANDS:
            return False
        connection.fail(ProtocolError(ErrorCode.TOO_MANY_PENDING, "too many requests in flight", request_id))
        return True

    def _spawn(self, connection: Connection, work: Any) -> None:
        connection.pending_commands += 1
        task = asyncio.create_task(work)
        task.add_done_callback(lambda _: self._finished(connection))

    @staticmethod
    def _finished(connection: Connection) -> None:
        connection.pending_commands -= 1

    def _command(self, connection: Connection, command: Command) -> None:
        if self._too_busy(connection, command.id):
            return
        if self.core.knows_command(command.id):
            self._spawn(connection, self._answer_retry(connection, command))
            return
        try:
            assert connection.user is not None  # the policy lets only signed-in connections act
            if isinstance(command, Act):
                changed: Case | Alarm = self.core.act(command, connection.user)
            else:
                changed = self.core.act_alarm(command, connection.user)
        except ProtocolError as error:
            connection.fail(error)
            return
        self._changed()
        self._spawn(connection, self._answer_after_commit(connection, command.id, changed))

    async def _answer_after_commit(
        self, connection: Connection, command_id: str, changed: Case | Alarm
    ) -> None:
        if await self.durable():
            connection.answer(_result(command_id, changed))
        else:
            connection.fail(ProtocolError(ErrorCode.STORAGE, "the database refused the change", command_id))

    async def _answer_retry(self, connection: Connection, command: Command) -> None:
        """A command seen before: answer it again, do not apply it twice."""
        await self.durable()
        changed = self.core.command_result(command.id)
        if changed is None:  # its commit failed and was rolled back
            connection.fail(
                ProtocolError(ErrorCode.STORAGE, "the earlier attempt was not stored", command.id)
            )
            return
        connection.answer(_result(command.id, changed))

    async def _timeline(self, connection: Connection, request: GetTimeline) -> None:
        if not self.core.has_case(request.case_id):
            connection.fail(ProtocolError(ErrorCode.UNKNOWN_CASE, f"no case {request.case_id!r}", request.id))
            return
        await self.durable()
        entries = await asyncio.get_running_loop().run_in_executor(
            self._db, self.store.timeline, request.case_id
        )
        connection.answer(
            Result(request.id, case=self.core.published_case(request.case_id), timeline=entries)
        )

    async def _history(self, connection: Connection, request: GetHistory) -> None:
        """A sensor's readings and alarm periods over a range, read off the event loop."""
        if request.sensor_id not in self.core.topics["sensors"].live:
            connection.fail(
                ProtocolError(ErrorCode.UNKNOWN_SENSOR, f"no sensor {request.sensor_id!r}", request.id)
            )
            return
        if request.until <= request.since:
            connection.fail(ProtocolError(ErrorCode.INVALID, "until must come after since", request.id))
            return
        await self.durable()
        loop = asyncio.get_running_loop()
        columns = await loop.run_in_executor(
            self._db, self.store.history, request.sensor_id, request.since, request.until, request.points
        )
        periods = await loop.run_in_executor(
            self._db, self.store.alarm_periods, request.sensor_id, request.since, request.until
        )
        at, mean, low, high = (column.tolist() for column in columns)
        connection.answer(
            Result(request.id, history=History(request.sensor_id, at, mean, low, high, periods))
        )

    async def _ingest(
        self,
        connection: Connection,
        frame_id: str | None,
        items: list[IngestItem],
        unreadable: list[ProtocolError] = (),  # type: ignore[assignment]
    ) -> None:
        """Apply a producer frame's items; ``unreadable`` are items its batch held that did not decode."""
        roles = connection.roles
        login = connection.user.login if connection.user else ""
        outcome = self.core.ingest(items, lambda item: policy.item_refusal(roles, login, item), login)
        for error in unreadable:
            outcome.refuse(error)
        self.refused.update(outcome.refused)
        self._tell_first_refusal(connection, frame_id, outcome)
        self._changed()
        committed = self._open_batch
        if frame_id is not None:  # single readings and fixes are not acknowledged one by one
            connection.pending_commands += 1
            ack = Ack(frame_id, outcome.accepted, outcome.rejected, outcome.cases, outcome.notes)
            committed.add_done_callback(lambda f: self._ack(connection, ack, f))
        if (
            connection.pending_commands >= policy.MAX_UNACKED
            or len(self.core.batch) >= policy.MAX_BATCH_RECORDS
        ):
            await asyncio.shield(committed)  # backpressure: stop reading until the commit catches up

    @staticmethod
    def _tell_first_refusal(connection: Connection, frame_id: str | None, outcome: IngestOutcome) -> None:
        error = outcome.first_error
        if error is None:
            return
        error.ref = frame_id
        if outcome.rejected > 1:
            error.message += f" (and {outcome.rejected - 1} more refused in this frame)"
        connection.fail(error)

    def _ack(self, connection: Connection, ack: Ack, done: asyncio.Future[bool]) -> None:
        connection.pending_commands -= 1
        if done.result():
            connection.answer(ack)
        else:
            connection.fail(
                ProtocolError(ErrorCode.STORAGE, "the database refused this frame; send it again", ack.id)
            )
