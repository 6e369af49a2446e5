"""Workflow commands against a hub process on SQLite with 20 consoles connected: how many durable
commands a second (each answered only after its commit), and the round trip at 200 a second.

The commands are 督办 (urge) on filed cases: a step that changes the case and the timeline like any
other, and may be repeated, so the run is not limited by cases running out of states."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from websockets.asyncio.client import ClientConnection, connect

from benchmarks.hub_ingest import CHEAP_HASHER, _start_hub
from feeds import wire as p
from feeds.city import demo
from feeds.hub.accounts import Accounts
from feeds.hub.store import Store

CONSOLES = 20
CASES = 2_000
IN_FLIGHT = 16  # commands each busy console keeps waiting for their answers
PACED_RATE = 200.0  # commands per second, for the round trip
PASSWORD = "bench-password"
_ids = itertools.count()


def _accounts(db_url: str) -> None:
    store = Store(db_url)
    try:
        accounts = Accounts(store.engine, hasher=CHEAP_HASHER)
        accounts.add("bench-gw", "网关", ["producer"], PASSWORD)
        for n in range(CONSOLES):
            accounts.add(f"desk{n:02d}", f"席位{n}", ["lead", "dispatcher"], PASSWORD)
    finally:
        store.close()


async def _open(url: str, kind: str, user: str, topics: list[str]) -> ClientConnection:
    ws = await connect(url, max_size=p.MAX_FRAME_BYTES)
    await ws.send(p.encode(p.Hello(p.PROTOCOL_VERSION, kind, user, PASSWORD, topics=topics)))  # type: ignore[arg-type]
    while not isinstance(p.decode_server(await ws.recv()), p.Welcome):
        pass
    return ws


async def _answer(ws: ClientConnection, request_id: str) -> Any:
    while True:
        message = p.decode_server(await ws.recv())
        if isinstance(message, (p.Result, p.Error, p.Ack)) and message.id == request_id:
            return message


async def _seed(url: str) -> list[p.Case]:
    """CASES inspectors' reports, filed: cases waiting for dispatch, which may be urged."""
    city = demo().city
    grids = city.grids
    producer = await _open(url, "producer", "bench-gw", [])
    now = time.time()
    reports = [
        p.Report(f"B{n}", "06010", *_inside(grids[n % len(grids)]), "inspector", now, f"垃圾{n}")
        for n in range(CASES)
    ]
    for start in range(0, CASES, 500):
        await producer.send(p.encode(p.Batch(f"b{start}", reports[start : start + 500])))
        await _answer(producer, f"b{start}")
    await producer.close()
    desk = await _open(url, "console", "desk00", ["cases"])
    cases: list[p.Case] = []
    while len(cases) < CASES:
        message = p.decode_server(await desk.recv())
        if isinstance(message, p.Snapshot):
            cases.extend(message.items)  # type: ignore[arg-type]
    filed = []
    for case in cases:
        request_id = f"f{next(_ids)}"
        await desk.send(p.encode(p.Act(request_id, case.id, case.version, "file")))
        filed.append((await _answer(desk, request_id)).case)
    await desk.close()
    return filed


def _inside(area: Any) -> tuple[float, float]:
    point = area.shape.representative_point()
    return point.x, point.y


async def _urge(ws: ClientConnection, case: p.Case, reason: str) -> tuple[p.Case, float]:
    request_id = f"u{next(_ids)}"
    started = time.perf_counter()
    await ws.send(p.encode(p.Act(request_id, case.id, case.version, "urge", reason=reason)))
    answer = await _answer(ws, request_id)
    assert isinstance(answer, p.Result), answer
    return answer.case, time.perf_counter() - started


async def _busy_console(ws: ClientConnection, cases: list[p.Case], until: float) -> tuple[int, list[p.Case]]:
    """Keep IN_FLIGHT urges waiting, each on its own case, until ``until``: how many were answered,
    and the cases as they are now."""
    answered = 0
    pending: dict[str, p.Case] = {}
    free = list(cases)
    while time.perf_counter() < until or pending:
        while time.perf_counter() < until and free and len(pending) < IN_FLIGHT:
            case = free.pop()
            request_id = f"u{next(_ids)}"
            pending[request_id] = case
            await ws.send(p.encode(p.Act(request_id, case.id, case.version, "urge", reason="催办")))
        message = p.decode_server(await ws.recv())
        if isinstance(message, (p.Result, p.Error)) and message.id in pending:
            pending.pop(message.id)
            assert isinstance(message, p.Result), message
            free.append(message.case)  # type: ignore[arg-type]
            answered += 1
    return answered, free


async def _measure(url: str, seconds: float) -> dict[str, float]:
    cases = await _seed(url)
    consoles = [await _open(url, "console", f"desk{n:02d}", ["cases"]) for n in range(CONSOLES)]
    share = CASES // CONSOLES
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    busy = await asyncio.gather(
        *(_busy_console(ws, cases[n * share : (n + 1) * share], until) for n, ws in enumerate(consoles))
    )
    throughput = sum(count for count, _ in busy) / (time.perf_counter() - started)
    # Round trip at a steady 200 a second from one seat while the others watch.
    rtts = []
    latest = {case.id: case for _, now in busy for case in now}
    pace = 1.0 / PACED_RATE
    due = time.perf_counter()
    for n in range(int(PACED_RATE * seconds)):
        case = latest[cases[n % len(cases)].id]
        due += pace
        case, rtt = await _urge(consoles[0], case, "定时督办")
        latest[case.id] = case
        rtts.append(rtt)
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
    for ws in consoles:
        await ws.close()
    ms = np.array(rtts) * 1000
    return {
        "commands_per_s": throughput,
        "command_rtt_p50_ms": float(np.percentile(ms, 50)),
        "command_rtt_p99_ms": float(np.percentile(ms, 99)),
    }


def measure_commands(seconds: float = 5.0) -> dict[str, float]:
    """Durable commands a second with 20 consoles connected, and the round trip at 200 a second."""
    with tempfile.TemporaryDirectory(prefix="hall-bench-") as folder:
        db_url = f"sqlite:///{Path(folder) / 'hall.db'}"
        _accounts(db_url)
        hub, url = _start_hub(db_url)
        try:
            return asyncio.run(_measure(url, seconds))
        finally:
            hub.terminate()
            hub.wait(timeout=30)


if __name__ == "__main__":
    for name, value in measure_commands().items():
        print(f"{name:24} {value:10,.1f}")
