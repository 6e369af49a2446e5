"""The feed client with the console's mirror, against a real hub that restarts."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any

import pytest

from console.state import HallState
from feeds import wire as p
from feeds.city import demo
from feeds.hub.server import Hub
from feeds.hub.store import Store
from feeds.wire.client import CommandError, HubClient, LinkState
from tests.hubkit import client, declare_and_report, new_id, request, until


@asynccontextmanager
async def hub_on(db_url: str, port: int = 0):  # type: ignore[no-untyped-def]
    hub = Hub(Store(db_url), demo())
    server = await hub.serve("127.0.0.1", port)
    try:
        yield hub, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()
        await hub.close()


class Seat:
    """A console seat without the Qt: the mirror fed by the client."""

    def __init__(self, url: str, kind: str = "console") -> None:
        self.state = HallState()
        self.frames: list[Any] = []
        self.client = HubClient(
            url, kind=kind, user="李四", on_frame=self._frame, positions=lambda: self.state.positions
        )  # type: ignore[arg-type]
        self.task = asyncio.create_task(self.client.run())

    def _frame(self, frame: p.Snapshot | p.Delta) -> bool:
        self.frames.append(frame)
        return self.state.apply(frame)

    async def close(self) -> None:
        await self.client.close()
        await self.task


async def seat_with_cases(url: str, reports: int) -> Seat:
    """Report some cases as a producer, then open a seat and wait until it shows them."""
    async with client(url, "producer", "sim") as producer:
        await declare_and_report(producer, reports=reports)
    seat = Seat(url)
    await until(lambda: len(seat.state.cases) == reports)
    return seat


async def test_commands_round_trip_and_errors_are_typed(sqlite_url: str) -> None:
    async with hub_on(sqlite_url) as (_hub, port):
        url = f"ws://127.0.0.1:{port}"
        seat = await seat_with_cases(url, reports=2)
        case = sorted(seat.state.cases.values(), key=lambda c: c.id)[0]
        result = await seat.client.request(p.Assign(new_id(), case.id, case.version, "sanitation", "属地"))
        await until(lambda: seat.state.cases[case.id].version == case.version + 1)
        with pytest.raises(CommandError) as refused:
            await seat.client.request(p.Escalate(new_id(), case.id, case.version, "stale"))
        conflict = refused.value
        await seat.close()
    assert result.case is not None and result.case.department == "sanitation"
    assert conflict.code == p.ErrorCode.CONFLICT and conflict.current.version == case.version + 1  # type: ignore[attr-defined]


async def test_after_a_hub_restart_the_seat_resumes_without_gaps(sqlite_url: str) -> None:
    async with hub_on(sqlite_url) as (_hub, port):
        url = f"ws://127.0.0.1:{port}"
        seat = await seat_with_cases(url, reports=3)
    await until(lambda: seat.client.link is not LinkState.CONNECTED)
    # while the seat is cut off, the restarted hub takes more work
    async with hub_on(sqlite_url, port) as (_hub, _port):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=5)  # 3 repeats (ignored) and 2 new
        async with client(url, user="王五") as other:
            case = sorted(seat.state.cases.values(), key=lambda c: c.id)[0]
            await request(other, p.Escalate(new_id(), case.id, case.version, "催办"))
        seen_before = len(seat.frames)
        await until(lambda: len(seat.state.cases) == 5 and seat.state.cases[case.id].escalations == 1)
        catch_up = [f for f in seat.frames[seen_before:] if f.topic == "cases"]
        await seat.close()
    assert seat.client.reconnects >= 1
    assert all(isinstance(f, p.Delta) for f in catch_up)  # the missed changes, not a new snapshot
    assert sum(len(f.items) for f in catch_up) == 3  # 2 new cases + 1 escalation


async def test_a_refused_protocol_version_stops_retrying(sqlite_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async with hub_on(sqlite_url) as (_hub, port):
        monkeypatch.setattr("feeds.wire.session.PROTOCOL_VERSION", 99)
        states: list[LinkState] = []
        hub_client = HubClient(
            f"ws://127.0.0.1:{port}",
            kind="console",
            user="x",
            on_frame=lambda f: True,
            positions=dict,
            on_link=states.append,
        )
        await asyncio.wait_for(hub_client.run(), 10)
    assert states[-1] is LinkState.REFUSED
