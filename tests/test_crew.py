"""The simulator's crew over the wire: its accounts sign in, follow the cases and move them on, in
process against a hub on loopback and as ``hall sim --crew`` against a hub process."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection

from feeds import wire as p
from feeds.city import demo
from feeds.hub.store import Store
from feeds.sim import HubRefused
from feeds.sim.crew import CaseBook, Crew
from feeds.sim.people import crew_accounts
from tests.hubkit import PASSWORD, client, inside, new_id, request, running_hub, seeded_accounts, steps
from tests.processes import HubProcess, hall, sqlite_file

GAS = "01011"  # 燃气井盖: 2 hours on the urgent clock, every stage too, day and night: the gas company's
PACE = 3600.0  # an hour of the hall a second


def with_crew(db_url: str) -> str:
    """The database with the test roster and the simulator's crew in it (password PASSWORD)."""
    store = Store(db_url)
    accounts = seeded_accounts(store)
    missing = [astuple(member) for member in crew_accounts(demo().city) if accounts.get(member.login) is None]
    if missing:
        accounts.add_crew(missing, PASSWORD)
    store.close()
    return db_url


async def hotline_reports(url: str, count: int) -> list[str]:
    """Citizens' calls about gas manhole covers: the ids of the cases they became."""
    city = demo().city
    reports = [
        p.Report(new_id("R"), GAS, *inside(city.grids[40 + 7 * n]), "hotline", time.time(), "燃气井盖松动")
        for n in range(count)
    ]
    async with client(url, "producer", "12319") as hotline:
        ack = await request(hotline, p.Batch(new_id("b"), list(reports)))
    assert isinstance(ack, p.Ack) and ack.accepted == count, ack
    return [ack.cases[r.id] for r in reports]


async def watch(ws: ClientConnection, book: CaseBook, done: Callable[[dict[str, p.Case]], bool]) -> None:
    """Follow the cases topic on ``ws`` until ``done`` holds (at most a minute)."""
    async with asyncio.timeout(60):
        while not done(book.cases):
            message = p.decode_server(await ws.recv())
            if isinstance(message, (p.Snapshot, p.Delta)):
                assert book.apply(message)


def final(case: p.Case | None) -> bool:
    return case is not None and demo().city.workflow.state(case.status).final


async def test_the_crew_closes_the_loop_on_the_cases_it_sees(db_url: str) -> None:
    async with running_hub(with_crew(db_url)) as (hub, url):
        ids = await hotline_reports(url, 3)
        crew, stop = Crew(url, demo().city, PASSWORD, pace=PACE, seed=2), asyncio.Event()
        playing = asyncio.create_task(crew.run(stop))
        async with client(url, "wall", "wall", topics=["cases"]) as wall:
            await watch(wall, CaseBook(), lambda cases: all(final(cases.get(i)) for i in ids))
        stop.set()
        stats = await asyncio.wait_for(playing, 10)
        closed = next(i for i in ids if hub.core.topics["cases"].live[i].status == "closed")
    store = Store(db_url)
    walked = [(e.actor, e.role, e.action) for e in store.timeline(closed)]
    store.close()
    assert walked[0] == ("12319", "", "report") and walked[-1] == ("sim-lead", "lead", "close")
    assert {("sim-intake", "intake"), ("sim-dispatcher", "dispatcher"), ("sim-gas", "handler")} <= {
        (actor, role) for actor, role, _ in walked
    }
    checked = next(actor for actor, role, action in walked if action == "pass")  # on site, before the close
    assert checked.startswith("sim-inspector-") and stats.moves >= len(walked) - 1 and stats.refused == 0
    devices = [v for v in hub.core.topics["vehicles"].live.values() if v.kind == "inspector"]
    assert len(devices) == 10 and all(v.lon is not None and v.district for v in devices)  # on patrol


async def test_a_hub_without_the_crews_accounts_turns_it_away_once(db_url: str) -> None:
    async with running_hub(db_url) as (hub, url):
        crew = Crew(url, demo().city, PASSWORD, pace=PACE)
        with pytest.raises(HubRefused, match="sim-intake"):
            await asyncio.wait_for(crew.run(asyncio.Event()), 10)
    assert hub.errors[p.ErrorCode.BAD_CREDENTIALS] == 1  # the follower's sign-in, not one per account


def test_the_case_book_takes_a_snapshot_in_parts_then_deltas_in_order() -> None:
    def case(n: int, version: int = 1) -> p.Case:
        return p.Case(f"AJ{n}", GAS, "", "", "", 0.0, 0.0, "hotline", "", "reported", 0.0, 0.0, 0.0, version)

    book = CaseBook()
    assert book.apply(p.Snapshot("cases", "s1", 2, [case(1)], part=0, final=False))
    assert book.cases == {} and book.position is None  # applied whole, at its last part
    assert book.apply(p.Snapshot("cases", "s1", 2, [case(2)], part=1))
    assert set(book.cases) == {"AJ1", "AJ2"} and book.position == p.Position("s1", 2)
    assert not book.apply(p.Delta("cases", "s1", 4, 4, [case(1, 3)]))  # a gap: ask again
    assert book.apply(p.Delta("cases", "s1", 3, 3, [case(1, 2)]))
    assert book.cases["AJ1"].version == 2 and len(book.take_changed()) == 3 and book.take_changed() == []
    assert not book.apply(p.Snapshot("cases", "s2", 9, [], part=1))  # a part without its first


@pytest.mark.e2e
def test_hall_sim_with_a_crew_leaves_dispatching_to_the_desk_and_moves_the_rest(tmp_path: Path) -> None:
    hub = HubProcess(with_crew(sqlite_file(tmp_path))).start()
    sim = hall(
        "sim", "--hub", hub.url, "--user", "sim", "--rate", "20", "--seed", "3",
        "--crew", "intake,lead,handler,inspector", "--pace", str(PACE),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        closed = asyncio.run(dispatch_at_the_desk(hub.url))
    finally:
        sim.terminate()
        _, err = sim.communicate(timeout=10)
        hub.stop()
    assert "refused" not in err, err
    store = Store(hub.db_url)
    walked = {(e.actor, e.action) for e in store.timeline(closed)}
    store.close()
    assert {
        ("dispatcher", "dispatch"),
        ("sim-gas", "take"),
        ("sim-gas", "feedback"),
        ("sim-lead", "close"),
    } <= walked


#: What the dispatcher at the desk does to a gas case waiting for them.
AT_THE_DESK = {
    "to_dispatch": ("dispatch", {"department": "gas"}),
    "extension_requested": ("grant_extension", {}),
}


async def dispatch_at_the_desk(url: str) -> str:
    """As the dispatcher at the desk: send each gas case the crew files to the gas company (and
    grant what it asks for), until the crew closes one (its id); nobody else dispatches meanwhile."""
    ids = await hotline_reports(url, 4)
    book, answered = CaseBook(), set[tuple[str, int]]()  # (case id, version) the desk acted on

    def waiting(cases: dict[str, p.Case]) -> list[p.Case]:
        mine = (cases[i] for i in ids if i in cases)
        return [c for c in mine if c.status in AT_THE_DESK and (c.id, c.version) not in answered]

    def closed(cases: dict[str, p.Case]) -> list[str]:
        return [i for i, _ in answered if cases[i].status == "closed"]

    async with (
        client(url, "wall", "wall", topics=["cases"]) as wall,
        client(url, user="dispatcher", topics=[]) as desk,
    ):
        while not closed(book.cases):
            await watch(wall, book, lambda cases: bool(waiting(cases) or closed(cases)))
            for case in waiting(book.cases):
                await steps(desk, case, AT_THE_DESK[case.status])
                answered.add((case.id, case.version))
    dispatched = {i for i, _ in answered}
    assert {i for i, c in book.cases.items() if c.department} <= dispatched  # the crew left them to the desk
    return closed(book.cases)[0]
