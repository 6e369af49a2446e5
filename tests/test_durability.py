"""Killing the hub with SIGKILL right after acknowledgements loses nothing acknowledged."""

from __future__ import annotations

import signal
from pathlib import Path

from feeds import wire as p
from feeds.hub.store import Store
from tests.hubkit import client, declare_and_report, new_id, receive, request, send
from tests.processes import HubProcess, sqlite_file

COMMANDS = 60


async def test_sigkill_after_acknowledgements_loses_no_acknowledged_command(tmp_path: Path) -> None:
    hub = HubProcess(sqlite_file(tmp_path)).start()
    try:
        async with client(hub.url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=3)
        async with client(hub.url, user="李四") as console:
            snapshot = await receive(console, lambda m: isinstance(m, p.Snapshot) and m.topic == "cases")
            cases = sorted(snapshot.items, key=lambda c: c.id)
            versions = {c.id: c.version for c in cases}
            acknowledged: list[p.Case] = []
            for n in range(COMMANDS):
                case = cases[n % len(cases)]
                answer = await request(console, p.Escalate(new_id(), case.id, versions[case.id], f"催办{n}"))
                assert isinstance(answer, p.Result), answer
                versions[case.id] = answer.case.version
                acknowledged.append(answer.case)
            # more commands in flight when the hub dies: they were never acknowledged
            for case in cases:
                await send(console, p.Escalate(new_id(), case.id, versions[case.id], "在途"))
            hub.stop(signal.SIGKILL)
    finally:
        if hub.process is not None:
            hub.stop(signal.SIGKILL)

    store = Store(hub.db_url)
    stored = {c.id: c for c in store.load().records["cases"]}
    reasons = [e.reason for c in cases for e in store.timeline(c.id) if e.action == "escalate"]
    store.close()
    for case in acknowledged:
        assert stored[case.id].version >= case.version
    assert {f"催办{n}" for n in range(COMMANDS)} <= set(reasons)

    restarted = HubProcess(hub.db_url, hub.port).start()  # and the hub comes back on that file
    try:
        async with client(restarted.url) as console:
            snapshot = await receive(console, lambda m: isinstance(m, p.Snapshot) and m.topic == "cases")
        assert {c.id: c.version for c in snapshot.items} == {c.id: stored[c.id].version for c in cases}
    finally:
        restarted.stop()
