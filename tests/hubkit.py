"""Helpers for tests that talk to a real hub over loopback."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from argon2 import PasswordHasher
from websockets.asyncio.client import ClientConnection, connect

from feeds import wire as p
from feeds.city import Area, CityFolder, demo
from feeds.hub.accounts import Accounts
from feeds.hub.server import Hub
from feeds.hub.store import Store
from feeds.sim.placement import fleet
from tests.processes import TEST_PASSWORD

_ids = itertools.count(1)
POLL_S = 0.01  # how often `until` looks again


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for a condition (never a fixed sleep): poll it until true or time out."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(POLL_S)


#: Every test account's password; hashed cheaply (argon2id all the same) to keep tests quick.
PASSWORD = TEST_PASSWORD
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
#: Test accounts: (login, name, roles, department).  张三, 李四 and 王五 sit at a small hall's desk
#: where one person takes every desk role (as on a night shift); the others hold one role each.
ROSTER = [
    *(
        (login, name, ("intake", "lead", "dispatcher"), "")
        for login, name in (("zhangsan", "张三"), ("lisi", "李四"), ("wangwu", "王五"))
    ),
    ("intake", "陈静", ("intake",), ""),
    ("lead", "王强", ("lead",), ""),
    ("dispatcher", "李娜", ("dispatcher",), ""),
    ("drainage", "赵磊", ("handler",), "drainage"),
    ("sanitation", "孙丽", ("handler",), "sanitation"),
    ("inspector", "周杰", ("inspector",), ""),
    ("inspector2", "吴敏", ("inspector",), ""),
    ("wall", "大屏", ("wall",), ""),
    ("admin", "管理员", ("admin",), ""),
    *((login, login, ("producer",), "") for login in ("sim", "simulator", "12319", "gw", "app", "producer")),
]


def seeded_accounts(store: Store, clock: Callable[[], float] = time.time) -> Accounts:
    """The store's accounts with every test account in it."""
    accounts = Accounts(store.engine, clock, hasher=CHEAP_HASHER)
    for login, name, roles, department in ROSTER:
        if accounts.get(login) is None:
            accounts.add(login, name, roles, PASSWORD, department=department)
    return accounts


class Clock:
    """A hub clock the test moves by hand."""

    def __init__(self, now: float = 1_795_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def running_hub(
    db_url: str, store_type: type[Store] = Store, city: CityFolder | None = None, **hub_options: Any
) -> AsyncIterator[tuple[Hub, str]]:
    """A hub on loopback serving ``city`` (the demo city by default), with the test accounts."""
    store = store_type(db_url)
    hub_options.setdefault("accounts", seeded_accounts(store, hub_options.get("clock", time.time)))
    hub = Hub(store, city or demo(), **hub_options)
    server = await hub.serve("127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    try:
        yield hub, f"ws://{host}:{port}"
    finally:
        server.close()
        await server.wait_closed()
        await hub.close()


@asynccontextmanager
async def client(
    url: str, kind: str = "console", user: str = "zhangsan", **hello: Any
) -> AsyncIterator[ClientConnection]:
    """A raw WebSocket client signed in as ``user`` of the roster and welcomed."""
    if "token" not in hello:
        hello.setdefault("password", PASSWORD)
    async with connect(url, max_size=p.MAX_FRAME_BYTES) as ws:
        await ws.send(p.encode(p.Hello(p.PROTOCOL_VERSION, kind, user, **hello)), text=True)  # type: ignore[arg-type]
        welcome = await receive(ws, lambda m: isinstance(m, (p.Welcome, p.Error)))
        assert isinstance(welcome, p.Welcome), welcome
        yield ws


async def send(ws: ClientConnection, message: Any) -> None:
    await ws.send(p.encode(message), text=True)


async def receive(ws: ClientConnection, wanted: Callable[[Any], bool], timeout: float = 10.0) -> Any:
    """The next message ``wanted`` accepts, skipping others."""
    async with asyncio.timeout(timeout):
        while True:
            message = p.decode_server(await ws.recv())
            if wanted(message):
                return message


def answer_to(request_id: str) -> Callable[[Any], bool]:
    return lambda m: isinstance(m, (p.Result, p.Error, p.Ack, p.Pong, p.Status)) and m.id == request_id


async def request(ws: ClientConnection, message: Any) -> Any:
    await send(ws, message)
    return await receive(ws, answer_to(message.id))


def inside(area: Area) -> tuple[float, float]:
    """A point well inside an area (its representative point)."""
    point = area.shape.representative_point()
    return point.x, point.y


def new_id(prefix: str = "cmd") -> str:
    return f"{prefix}-{next(_ids)}"


def act(case: p.Case, action: str, **fields: Any) -> p.Act:
    """A workflow step on ``case`` at its present version."""
    return p.Act(new_id(), case.id, case.version, action, **fields)


async def steps(ws: ClientConnection, case: p.Case, *actions: tuple[str, dict[str, Any]]) -> p.Case:
    """Take workflow steps one after the other; each must be accepted.  The case after them."""
    for action, fields in actions:
        answer = await request(ws, act(case, action, **fields))
        assert isinstance(answer, p.Result), answer
        case = answer.case
    return case


#: From a verified inspector report (待立案) to the department: file, then dispatch.
TO_SANITATION = (("file", {}), ("dispatch", {"department": "sanitation"}))


async def declare_and_report(ws: ClientConnection, reports: int = 3, at: float = 1_795_000_000.0) -> p.Ack:
    """As a producer: declare one sensor and one vehicle and report some cases (at the time the
    test hub's clock stands at)."""
    city = demo().city
    site = next(s for s in city.sensors if s.kind == "water_level")
    unit = fleet(city)[0]
    lon, lat = inside(city.grids[len(city.grids) // 2])
    items: list[Any] = [
        p.SensorInfo(site.id, site.kind, site.name, site.lon, site.lat, "cm"),
        p.VehicleInfo(unit.id, unit.kind, unit.plate),
    ]
    items += [
        p.Report(f"R-test-{n}", "06010", lon, lat, "inspector", at + n, description=f"暴露垃圾{n}")
        for n in range(reports)
    ]
    ack = await request(ws, p.Batch(new_id("b"), items))
    assert isinstance(ack, p.Ack) and ack.rejected == 0, ack
    return ack


class Mirror:
    """Stands in for the console's state: accepts a delta only if it follows what it has."""

    def __init__(self) -> None:
        self.positions: dict[str, p.Position] = {}

    def apply(self, frame: p.Snapshot | p.Delta) -> bool:
        seen = self.positions.get(frame.topic)
        if isinstance(frame, p.Delta) and (seen is None or frame.from_seq != seen.seq + 1):
            return False
        self.positions[frame.topic] = p.Position(frame.stream, frame.seq)
        return True
