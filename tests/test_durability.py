"""Killing the hub with SIGKILL right after acknowledgements loses nothing acknowledged."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from feeds import wire as p
from feeds.hub.store import Store
from tests.hubkit import act, client, declare_and_report, receive, request, seeded_accounts, send
from tests.processes import HubProcess, sqlite_file

COMMANDS = 60


def with_accounts(db_url: str) -> str:
    """The database at ``db_url`` with the test accounts in it, as ``hall user add`` would leave it."""
    store = Store(db_url)
    seeded_accounts(store)
    store.close()
    return db_url


async def test_sigkill_after_acknowledgements_loses_no_acknowledged_command(tmp_path: Path) -> None:
    hub = HubProcess(with_accounts(sqlite_file(tmp_path))).start()
    try:
        async with client(hub.url, "producer", "sim") as producer:
            # reported now: no case runs out of time (and is urged by the hub itself) under the test
            await declare_and_report(producer, reports=3, at=time.time())
        async with client(hub.url, user="lisi") as console:
            snapshot = await receive(console, lambda m: isinstance(m, p.Snapshot) and m.topic == "cases")
            cases = sorted(snapshot.items, key=lambda c: c.id)
            acknowledged: list[p.Case] = []
            current: dict[str, p.Case] = {}
            for case in cases:  # 立案: then 督办 may follow, again and again
                answer = await request(console, act(case, "file"))
                assert isinstance(answer, p.Result), answer
                current[case.id] = answer.case
                acknowledged.append(answer.case)
            for n in range(COMMANDS):
                case = current[cases[n % len(cases)].id]
                answer = await request(console, act(case, "urge", reason=f"催办{n}"))
                assert isinstance(answer, p.Result), answer
                current[case.id] = answer.case
                acknowledged.append(answer.case)
            # more commands in flight when the hub dies: they were never acknowledged
            for case in current.values():
                await send(console, act(case, "urge", reason="在途"))
            hub.stop(signal.SIGKILL)
    finally:
        if hub.process is not None:
            hub.stop(signal.SIGKILL)

    store = Store(hub.db_url)
    stored = {c.id: c for c in store.load().records["cases"]}
    timelines = {c.id: store.timeline(c.id) for c in cases}
    store.close()
    for case in acknowledged:
        assert stored[case.id].version >= case.version
        assert stored[case.id].escalations >= case.escalations
    reasons = [e.reason for timeline in timelines.values() for e in timeline if e.action == "urge"]
    assert {f"催办{n}" for n in range(COMMANDS)} <= set(reasons)
    assert all(timeline[1].action == "file" for timeline in timelines.values())

    restarted = HubProcess(hub.db_url, hub.port).start()  # and the hub comes back on that file
    try:
        async with client(restarted.url) as console:
            snapshot = await receive(console, lambda m: isinstance(m, p.Snapshot) and m.topic == "cases")
        assert {c.id: c.version for c in snapshot.items} == {c.id: stored[c.id].version for c in cases}
    finally:
        restarted.stop()
