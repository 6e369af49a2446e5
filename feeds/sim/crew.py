"""The simulator's crew over the wire: the hall's people, played at a pace.

Every crew account of the roles played (:func:`feeds.sim.people.crew_accounts`) signs in, the
desk and the departments as consoles, the inspectors as producers (their patrol apps): first one
desk account, whose console follows the cases topic, then the inspectors, who go on duty and send
where they walk (:mod:`feeds.sim.patrol`), then each other account when it first has a move to make.
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
from feeds.sim.patrol import Patrol
from feeds.sim.people import CREW_ROLES, Agenda, Move, People
from feeds.sim.uplink import HubRefused
from feeds.wire.client import CommandError, HubClient
from feeds.wire.errors import ErrorCode
from feeds.wire.messages import Batch, ClientKind, Delta, IngestItem, Position, Snapshot

log = logging.getLogger(__name__)

#: Commands in flight at once, over all the crew's connections (a client holds at most 64).
MAX_IN_FLIGHT = 32
#: How often (real seconds) the inspectors' apps send where they are.
PATROL_EVERY_S = 2.0


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
            self.cases.clear()  # in place: the crew's people look cases up in it
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
        self.book = CaseBook()
        self.people = People(city, seed, roles, cases=self.book.cases)
        self.agenda = Agenda(self.people, pace)
        self.stats = CrewStats()
        self.clock = clock
        self._url, self._password = hub_url, password
        members = list(self.people.members.values())
        inspectors = list(self.people.inspectors.values())
        desk = [m for m in members if m not in inspectors]
        first = desk[0] if desk else None
        self.acting = {  # login → its own connection; the first desk account's follows the cases
            m.login: self._client(m, "console" if m in desk else "producer", follows=m is first)
            for m in members
        }
        self.follower: HubClient | None = self.acting[first.login] if first else None
        if self.follower is None and members:  # the inspectors play alone: one follows on a console too
            self.follower = self._client(members[0], "console", follows=True)
        self.patrol = Patrol(city, inspectors, seed)
        self._pace = pace
        self._out_on: dict[str, tuple[str, tuple[float, float]]] = {}  # case id → (inspector, place)
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
        task_states = self.people.city.workflow.task_states
        for case in self.book.take_changed():
            self.agenda.see(case, now)
            if case.status in task_states and case.inspector:
                self._out_on[case.id] = (case.inspector, (case.lon, case.lat))
            else:
                self._out_on.pop(case.id, None)
        self._wake.set()
        return applied

    async def run(self, stop: asyncio.Event) -> CrewStats:
        """Play until ``stop`` is set; raises :class:`HubRefused` if the hub turns an account away."""
        follower = self.follower
        if follower is None:
            return self.stats
        self._open(follower)
        stopping = asyncio.create_task(self._wake_when(stop))
        walking = asyncio.create_task(self._walk(stop))
        try:
            # The follower signs in first (a hub without the crew's accounts says so once, not once per
            # account); the others when they first have a move to make.
            while follower.welcome is None and not stop.is_set():
                self._check()
                await self._sleep(None)
            for member in self.patrol.inspectors:  # on duty from the start: tasks go to the nearest
                self._open(self.acting[member.login])
            while not stop.is_set():
                self._check()
                self._send_due()
                await self._sleep(self.agenda.next_due())
        finally:
            stopping.cancel()
            walking.cancel()
            for client, task in self._links.items():
                await client.close()
                task.cancel()
            tasks = (stopping, walking, *self._links.values(), *self._sending)
            await asyncio.gather(*tasks, return_exceptions=True)
        return self.stats

    async def _walk(self, stop: asyncio.Event) -> None:
        """The inspectors' apps: each declares its device once signed in, then sends where it is."""
        devices = {info.id: info for info in self.patrol.declarations()}
        declared: set[str] = set()
        last = self.clock()
        while devices and not stop.is_set():
            now = self.clock()
            tasks = {login: place for login, place in self._out_on.values()}
            self.patrol.walk((now - last) * self._pace, tasks)
            last = now
            for fix in self.patrol.fixes(now):
                items: list[IngestItem] = [fix]
                if fix.vehicle_id not in declared:
                    items.insert(0, devices[fix.vehicle_id])
                batch = Batch(f"{fix.vehicle_id}-{uuid.uuid4().hex[:12]}", items)
                if await self.acting[fix.vehicle_id].post(batch):
                    declared.add(fix.vehicle_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PATROL_EVERY_S)

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
