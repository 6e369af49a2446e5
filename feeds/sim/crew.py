"""The simulator's crew over the wire: the hall's people, played at a pace.

Every crew account of the roles played (:func:`feeds.sim.people.crew_accounts`) signs in, the
desk and the departments as consoles, the inspector as a producer (its patrol app): first one desk
account, whose console follows the cases topic, then each other when it first has a move to make.
Every case version the follower sees gets its next move from an :class:`~feeds.sim.people.Agenda`;
when the move falls due it goes to the hub as an ``Act`` over the acting account's own connection.
A move the hub refuses with ``conflict`` is dropped: someone moved the case first, and its new
version brings a new move.  Connections come back with the clients' backoff
(:mod:`feeds.wire.backoff`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from feeds.city import City
from feeds.city.workflow import Person
from feeds.records import Case
from feeds.sim.people import CREW_ROLES, Agenda, Move, People
from feeds.sim.uplink import HubRefused
from feeds.wire.client import CommandError, HubClient
from feeds.wire.errors import ErrorCode
from feeds.wire.messages import ClientKind, Delta, Position, Snapshot

log = logging.getLogger(__name__)

#: Commands in flight at once, over all the crew's connections (a client holds at most 64).
MAX_IN_FLIGHT = 32


@dataclass
class CrewStats:
    moves: int = 0  # steps the hub took
    conflicts: int = 0  # dropped: the case had moved on
    refused: int = 0  # refused for another reason (logged)


class CaseBook:
    """The cases topic as the follower's frames tell it: a snapshot (in parts), then deltas."""

    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.position: Position | None = None
        self.changed: list[Case] = []  # applied since last taken
        self._parts: list[Snapshot] = []

    def apply(self, frame: Snapshot | Delta) -> bool:
        """Apply a frame; False on a gap (the session then asks for a fresh snapshot)."""
        if isinstance(frame, Delta):
            seen = self.position
            if seen is None or frame.stream != seen.stream or frame.from_seq != seen.seq + 1:
                return False
            self._take(frame)
        else:
            last = self._parts[-1] if self._parts else None
            if frame.part == 0:
                self._parts = []
            elif last is None or (last.part, last.stream) != (frame.part - 1, frame.stream):
                self._parts = []
                return False  # a part went missing
            self._parts.append(frame)
            if not frame.final:
                return True
            self.cases = {}
            for part in self._parts:
                self._take(part)
            self._parts = []
        self.position = Position(frame.stream, frame.seq)
        return True

    def _take(self, frame: Snapshot | Delta) -> None:
        for item in frame.items:
            if isinstance(item, Case):
                self.cases[item.id] = item
                self.changed.append(item)

    def take_changed(self) -> list[Case]:
        changed, self.changed = self.changed, []
        return changed


class Crew:
    """The crew of ``roles`` for the hub at ``hub_url``; ``pace`` hub seconds pass per real second."""

    def __init__(
        self,
        hub_url: str,
        city: City,
        password: str,
        roles: Iterable[str] = CREW_ROLES,
        pace: float = 60.0,
        seed: int = 1,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.people = People(city, seed, roles)
        self.agenda = Agenda(self.people, pace)
        self.book = CaseBook()
        self.stats = CrewStats()
        self.clock = clock
        self._url, self._password = hub_url, password
        members = list(self.people.members.values())
        desk = [m for m in members if "inspector" not in m.roles]
        first = desk[0] if desk else None
        self.acting = {  # login → its own connection; the first desk account's follows the cases
            m.login: self._client(m, "console" if m in desk else "producer", follows=m is first)
            for m in members
        }
        self.follower: HubClient | None = self.acting[first.login] if first else None
        if self.follower is None and members:  # the inspector plays alone: it follows on a console too
            self.follower = self._client(members[0], "console", follows=True)
        self._links: dict[HubClient, asyncio.Task[None]] = {}  # the connections opened so far
        self._wake = asyncio.Event()
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._sending: set[asyncio.Task[None]] = set()

    def _client(self, member: Person, kind: ClientKind, follows: bool) -> HubClient:
        return HubClient(
            self._url,
            kind=kind,
            user=member.login,
            password=self._password,
            topics=("cases",) if follows else (),
            on_frame=self._frame if follows else lambda _frame: True,
            positions=self._positions if follows else dict,
            on_link=lambda _state: self._wake.set(),
        )

    def _positions(self) -> dict[str, Position]:
        return {"cases": self.book.position} if self.book.position else {}

    def _frame(self, frame: Snapshot | Delta) -> bool:
        applied = self.book.apply(frame)
        now = self.clock()
        for case in self.book.take_changed():
            self.agenda.see(case, now)
        self._wake.set()
        return applied

    async def run(self, stop: asyncio.Event) -> CrewStats:
        """Play until ``stop`` is set; raises :class:`HubRefused` if the hub turns an account away."""
        follower = self.follower
        if follower is None:
            return self.stats
        self._open(follower)
        stopping = asyncio.create_task(self._wake_when(stop))
        try:
            # The follower signs in first (a hub without the crew's accounts says so once, not once per
            # account); the others when they first have a move to make.
            while follower.welcome is None and not stop.is_set():
                self._check()
                await self._sleep(None)
            inspector = self.people.inspector
            if inspector:  # on duty from the start: verify and check tasks name it
                self._open(self.acting[inspector])
            while not stop.is_set():
                self._check()
                self._send_due()
                await self._sleep(self.agenda.next_due())
        finally:
            stopping.cancel()
            for client, task in self._links.items():
                await client.close()
                task.cancel()
            await asyncio.gather(stopping, *self._links.values(), *self._sending, return_exceptions=True)
        return self.stats

    def _open(self, client: HubClient) -> None:
        if client not in self._links:
            self._links[client] = asyncio.create_task(client.run())

    async def _wake_when(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def _sleep(self, until: float | None) -> None:
        """Until ``until`` (clock time), or until something happens: a frame, a link's change, stop."""
        self._wake.clear()
        timeout = None if until is None else max(until - self.clock(), 0.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def _check(self) -> None:
        """Raise why a connection ended: only a refusal (or a bad address) ends one."""
        for client, task in self._links.items():
            if task.done():
                task.result()
                refusal = client.refusal
                code, why = (refusal.code, refusal.message) if refusal else ("closed", "connection closed")
                raise HubRefused(code, f"{client.session.user}: {why}")

    def _send_due(self) -> None:
        for case_id, version, move in self.agenda.due(self.clock()):
            case = self.book.cases.get(case_id)
            if case is not None and case.version == version:
                self._open(self.acting[move.login])
                task = asyncio.create_task(self._send(move, case))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)

    async def _send(self, move: Move, case: Case) -> None:
        command = move.command(f"{move.login}-{uuid.uuid4().hex[:12]}", case)
        async with self._in_flight:
            try:
                await self.acting[move.login].request(command)
            except CommandError as error:
                if error.code == ErrorCode.CONFLICT:
                    self.stats.conflicts += 1  # someone was quicker: the new version brings a new move
                else:  # left for the hub's urging to bring back, as a late case would be in a real hall
                    self.stats.refused += 1
                    log.warning(
                        "%s %s of %s refused: %s %s", move.login, move.action, case.id, error.code, error
                    )
                return
        self.stats.moves += 1


async def run_crew(
    hub_url: str,
    city: City,
    password: str,
    roles: Iterable[str] = CREW_ROLES,
    pace: float = 60.0,
    seed: int = 1,
    stop: asyncio.Event | None = None,
) -> CrewStats:
    """Play the hall's people of ``roles`` into the hub at ``hub_url`` until ``stop`` is set (None:
    until cancelled); every crew account signs in with ``password``."""
    return await Crew(hub_url, city, password, roles, pace, seed).run(stop or asyncio.Event())
