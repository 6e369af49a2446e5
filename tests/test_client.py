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
from tests.hubkit import PASSWORD, Clock, act, client, declare_and_report, request, seeded_accounts, until


@asynccontextmanager
async def hub_on(db_url: str, port: int = 0):  # type: ignore[no-untyped-def]
    """A hub on ``port`` with the test accounts; its clock stands still at the reports' time, so no
    case runs out of time (and gets urged by the hub) under a test."""
    store, clock = Store(db_url), Clock()
    hub = Hub(store, demo(), clock=clock, accounts=seeded_accounts(store, clock))
    server = await hub.serve("127.0.0.1", port)
    try:
        yield hub, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()
        await hub.close()


class Seat:
    """A console seat without the Qt: the mirror fed by the client."""

    def __init__(self, url: str, kind: str = "console", password: str = PASSWORD) -> None:
        self.state = HallState()
        self.frames: list[Any] = []
        self.links: list[LinkState] = []
        self.client = HubClient(
            url,
            kind=kind,  # type: ignore[arg-type]
            user="lisi",
            password=password,
            on_frame=self._frame,
            positions=lambda: self.state.positions,
            on_link=self.links.append,
        )
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
        result = await seat.client.request(act(case, "file"))
        await until(lambda: seat.state.cases[case.id].version == case.version + 1)
        with pytest.raises(CommandError) as refused:
            await seat.client.request(act(case, "reject", reason="stale"))
        conflict = refused.value
        with pytest.raises(CommandError) as refused:
            await seat.client.request(act(seat.state.cases[case.id], "take"))  # a department's step
        not_now = refused.value
        await seat.close()
    assert result.case is not None and result.case.status == "to_dispatch"
    assert conflict.code == p.ErrorCode.CONFLICT and conflict.current.version == case.version + 1  # type: ignore[attr-defined]
    assert not_now.code == p.ErrorCode.NOT_ALLOWED_IN_STATE and "to_dispatch" in not_now.message


async def test_after_a_hub_restart_the_seat_resumes_without_gaps(sqlite_url: str) -> None:
    async with hub_on(sqlite_url) as (_hub, port):
        url = f"ws://127.0.0.1:{port}"
        seat = await seat_with_cases(url, reports=3)
        first = seat.client.session.welcome
    await until(lambda: seat.client.link is not LinkState.CONNECTED)
    # while the seat is cut off, the hub takes more work (on another port: the seat cannot be back
    # before all of it is stored) …
    async with hub_on(sqlite_url) as (_hub, other_port):
        elsewhere = f"ws://127.0.0.1:{other_port}"
        async with client(elsewhere, "producer", "sim") as producer:
            await declare_and_report(producer, reports=5)  # 3 repeats (ignored) and 2 new
        async with client(elsewhere, user="wangwu") as other:
            case = sorted(seat.state.cases.values(), key=lambda c: c.id)[0]
            await request(other, act(case, "file"))
    seen_before = len(seat.frames)
    # … and the seat finds it when the hub is back where it was
    async with hub_on(sqlite_url, port) as (_hub, _port):
        await until(lambda: len(seat.state.cases) == 5 and seat.state.cases[case.id].status == "to_dispatch")
        catch_up = [f for f in seat.frames[seen_before:] if f.topic == "cases"]
        again = seat.client.session.welcome
        await seat.close()
    assert seat.client.reconnects >= 1
    assert all(isinstance(f, p.Delta) for f in catch_up)  # the missed changes, not a new snapshot
    assert sum(len(f.items) for f in catch_up) == 3  # 2 new cases + 1 filed
    # The seat came back on its session: the password was used once, the token since.
    assert first is not None and again is not None and first.token and again.token == first.token
    assert seat.client.session.password == ""


async def test_a_refused_protocol_version_stops_retrying(sqlite_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async with hub_on(sqlite_url) as (_hub, port):
        monkeypatch.setattr("feeds.wire.session.PROTOCOL_VERSION", 99)
        states: list[LinkState] = []
        hub_client = HubClient(
            f"ws://127.0.0.1:{port}",
            kind="console",
            user="lisi",
            password=PASSWORD,
            on_frame=lambda f: True,
            positions=dict,
            on_link=states.append,
        )
        await asyncio.wait_for(hub_client.run(), 10)
    assert states[-1] is LinkState.REFUSED
    assert hub_client.refusal is not None and hub_client.refusal.code == p.ErrorCode.UNSUPPORTED_VERSION


@pytest.mark.parametrize(
    ("user", "password", "code"),
    [
        ("lisi", "not-the-password", p.ErrorCode.BAD_CREDENTIALS),
        ("nobody", PASSWORD, p.ErrorCode.BAD_CREDENTIALS),
        ("sim", PASSWORD, p.ErrorCode.FORBIDDEN),  # a producer account opens no console
    ],
)
async def test_a_refused_sign_in_stops_retrying_and_says_why(
    sqlite_url: str, user: str, password: str, code: str
) -> None:
    async with hub_on(sqlite_url) as (hub, port):
        states: list[LinkState] = []
        hub_client = HubClient(
            f"ws://127.0.0.1:{port}",
            kind="console",
            user=user,
            password=password,
            on_frame=lambda f: True,
            positions=dict,
            on_link=states.append,
        )
        await asyncio.wait_for(hub_client.run(), 10)
    assert states == [LinkState.CONNECTING, LinkState.REFUSED]
    assert hub_client.refusal is not None and hub_client.refusal.code == code
    assert hub.errors[code] == 1  # asked once: the same password cannot do better the second time
