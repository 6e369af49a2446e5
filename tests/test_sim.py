"""The simulator: the seeded play (no I/O) and its shell against fake hub connections."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
import pytest
from websockets.exceptions import ConnectionClosedError

from feeds import protocol, sim
from feeds.city import City, demo_city
from feeds.domain import CATEGORIES, SENSOR_KINDS, SOURCES, VEHICLE_KINDS, VEHICLE_STATUSES
from feeds.protocol import (
    Ack,
    Batch,
    Error,
    ErrorCode,
    Fix,
    Hello,
    Reading,
    Report,
    SensorInfo,
    VehicleInfo,
    Welcome,
)
from feeds.sim import MAX_UNACKED, CityPlay, HubRefused, Uplink, next_backoff

START = 1_795_000_000.0


@pytest.fixture(scope="module")
def city() -> City:
    return demo_city()


def play(city: City, scenario: str = "normal", seed: int = 1, rate: float = 200.0) -> CityPlay:
    return CityPlay(city, scenario, seed, rate, START)


def run(p: CityPlay, seconds: float, dt: float = 0.1) -> list[Any]:
    items: list[Any] = []
    for _ in range(round(seconds / dt)):
        items += p.step(dt)
    return items


def encoded(items: list[Any]) -> list[bytes]:
    return [protocol.encode(item) for item in items]


# ---------------------------------------------------------------------------
# CityPlay


def test_same_seed_same_items(city: City) -> None:
    def script(p: CityPlay) -> list[bytes]:
        items = p.declarations() + p.backlog()
        for dt in (0.1, 0.1, 0.5, 2.5, 0.1, 7.0, 0.3):
            items += p.step(dt)
        return encoded(items)

    for scenario in sim.SCENARIOS:
        first = script(play(city, scenario, seed=7, rate=2000))
        assert first == script(play(city, scenario, seed=7, rate=2000))


def test_different_seed_different_items(city: City) -> None:
    a, b = play(city, seed=1), play(city, seed=2)
    assert encoded(a.backlog()) != encoded(b.backlog())
    assert encoded(run(a, 5)) != encoded(run(b, 5))


def test_backlog_does_not_shift_the_live_play(city: City) -> None:
    with_backlog = play(city)
    with_backlog.backlog()
    assert encoded(run(with_backlog, 3)) == encoded(run(play(city), 3))


@pytest.mark.parametrize("rate", [20.0, 200.0, 20_000.0])
def test_messages_per_second_follow_the_rate(city: City, rate: float) -> None:
    seconds = 10.0
    items = run(play(city, rate=rate), seconds)
    flow = sum(isinstance(item, (Reading, Fix)) for item in items) / seconds
    assert flow == pytest.approx(rate, rel=0.2)
    assert any(isinstance(item, Fix) for item in items) and any(isinstance(item, Reading) for item in items)


def test_declarations_cover_every_site_and_unit(city: City) -> None:
    p = play(city, rate=5000)
    declared = p.declarations()
    sensors = {d.id: d for d in declared if isinstance(d, SensorInfo)}
    vehicles = {d.id: d for d in declared if isinstance(d, VehicleInfo)}
    assert len(sensors) + len(vehicles) == len(declared)
    assert set(sensors) == {site.id for site in city.sensors}
    assert set(vehicles) == {unit.id for unit in city.fleet}
    assert all(d.unit == SENSOR_KINDS[d.kind].unit for d in sensors.values())
    items = run(p, 5)
    assert {r.sensor_id for r in items if isinstance(r, Reading)} <= set(sensors)
    assert {f.vehicle_id for f in items if isinstance(f, Fix)} <= set(vehicles)


def water_by_sensor(items: list[Any], city: City) -> dict[str, float]:
    water = {site.id for site in city.sensors if site.kind == "water_level"}
    deepest: dict[str, float] = {}
    for item in items:
        if isinstance(item, Reading) and item.sensor_id in water:
            deepest[item.sensor_id] = max(deepest.get(item.sensor_id, 0.0), item.value)
    return deepest


def test_rainstorm_floods_some_points_within_a_minute(city: City) -> None:
    deepest = water_by_sensor(run(play(city, "rainstorm"), 60), city)
    assert len(deepest) == 13  # every point reported
    assert sum(depth > 25 for depth in deepest.values()) >= 3
    assert sum(depth > 10 for depth in deepest.values()) >= 4


def test_normal_weather_stays_dry(city: City) -> None:
    deepest = water_by_sensor(run(play(city, "normal"), 60), city)
    assert len(deepest) == 13
    assert max(deepest.values()) < 10


def test_normal_readings_sit_near_each_kinds_normal_value(city: City) -> None:
    kind_of = {site.id: site.kind for site in city.sensors}
    values: dict[str, list[float]] = {}
    for item in run(play(city, rate=5000), 10):
        if isinstance(item, Reading):
            values.setdefault(kind_of[item.sensor_id], []).append(item.value)
    for kind, seen in values.items():
        normal = SENSOR_KINDS[kind].normal
        assert float(np.median(seen)) == pytest.approx(normal, abs=max(1.0, 0.1 * normal)), kind


def test_reports_are_unique_valid_and_inside_the_city(city: City) -> None:
    p = play(city, "rainstorm")
    backlog = p.backlog()
    live = [item for item in run(p, 300, dt=1.0) if isinstance(item, Report)]
    reports = backlog + live
    assert 25 <= len(backlog) <= 35 and len(live) > 100
    ids = [r.id for r in reports]
    assert len(set(ids)) == len(ids)
    assert all(r.id.startswith(f"R-1-{int(p.start)}-") for r in reports)
    assert all(r.category in CATEGORIES for r in reports)
    assert all(r.source in SOURCES for r in reports)
    assert all(r.description and r.reporter for r in reports)
    assert all(city.grid_at(r.lon, r.lat) is not None for r in reports)
    assert all(START - 3 * 3600 <= r.ts < START for r in backlog)
    assert all(START <= r.ts <= START + 300 for r in live)
    sources = Counter(r.source for r in reports)
    assert sources.most_common(1)[0][0] == "inspector"


def test_rainstorm_brings_waterlogging_reports(city: City) -> None:
    def waterlogging(scenario: str) -> int:
        items = run(play(city, scenario), 300, dt=1.0)
        return sum(isinstance(r, Report) and r.category == "10003" for r in items)

    assert waterlogging("rainstorm") > 5 * max(1, waterlogging("normal"))


def test_normal_reports_lead_with_the_usual_problems(city: City) -> None:
    reports = [r for r in run(play(city), 600, dt=1.0) if isinstance(r, Report)]
    assert 150 <= len(reports) <= 450  # about one every two seconds
    top = {code for code, _ in Counter(r.category for r in reports).most_common(5)}
    assert len(top & {"06010", "09009", "09006", "07001"}) >= 3


def test_vehicles_drive_the_roads_inside_the_city(city: City) -> None:
    p = play(city, rate=2000)
    fixes = [item for item in run(p, 60) if isinstance(item, Fix)]
    assert all(city.grid_at(f.lon, f.lat) is not None for f in fixes)
    assert {f.status for f in fixes} <= set(VEHICLE_STATUSES)
    assert all(f.speed == 0 for f in fixes if f.status == "idle")
    track: dict[str, list[Fix]] = {}
    for f in fixes:
        track.setdefault(f.vehicle_id, []).append(f)
    fastest_m_per_s = max(k.speed_kmh for k in VEHICLE_KINDS.values()) * sim.CRUISE_SPREAD[1] / 3.6
    travelled = []
    for points in track.values():
        first, last = points[0], points[-1]
        x, y = city.project(np.array([first.lon, last.lon]), np.array([first.lat, last.lat]))
        travelled.append(float(np.hypot(x[1] - x[0], y[1] - y[0])))
        assert travelled[-1] <= fastest_m_per_s * (last.ts - first.ts) + 30  # 30 m: GPS noise
    assert sum(distance > 100 for distance in travelled) > len(travelled) // 4


def test_rejects_unknown_scenarios(city: City) -> None:
    with pytest.raises(ValueError, match="scenario"):
        CityPlay(city, "snowstorm", 1, 200, START)


# ---------------------------------------------------------------------------
# The shell, against a fake hub connection


class FakeHub:
    """One connection to a pretend hub: welcomes, then acknowledges batches as told."""

    def __init__(self, ack: bool = True, refuse: str | None = None) -> None:
        self.ack = ack
        self.refuse = refuse
        self.received: list[Any] = []
        self.held: list[Batch] = []  # batches not yet acknowledged
        self.most_held = 0
        self.script: dict[str, list[protocol.ServerMessage]] = {}  # answers for given batch ids
        self._inbox: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._closed = False

    async def send(self, message: bytes, *, text: bool | None = None) -> None:
        assert text, "frames are JSON text"
        if self._closed:
            raise ConnectionClosedError(None, None)
        decoded = protocol.decode_client(message)
        self.received.append(decoded)
        if isinstance(decoded, Hello):
            self.answer(self._greeting())
        elif isinstance(decoded, Batch):
            self._take(decoded)

    def _greeting(self) -> protocol.ServerMessage:
        if self.refuse:
            return Error(self.refuse, "not today")
        return Welcome(protocol.PROTOCOL_VERSION, "fake", "s1", "滨江市", START, "producer", "sim")

    def _take(self, batch: Batch) -> None:
        if batch.id in self.script:
            for answer in self.script.pop(batch.id):
                self.answer(answer)
        elif self.ack or isinstance(batch.items[0], SensorInfo):
            self.answer(Ack(batch.id, len(batch.items)))
        else:
            self.held.append(batch)
            self.most_held = max(self.most_held, len(self.held))

    def answer(self, message: protocol.ServerMessage | bytes) -> None:
        self._inbox.put_nowait(message if isinstance(message, bytes) else protocol.encode(message))

    def release(self) -> None:
        """Acknowledge everything held, and everything from now on."""
        self.ack = True
        for batch in self.held:
            self.answer(Ack(batch.id, len(batch.items)))
        self.held.clear()

    def drop(self) -> None:
        self._closed = True
        self._inbox.put_nowait(None)

    async def recv(self) -> bytes:
        frame = await self._inbox.get()
        if frame is None:
            raise ConnectionClosedError(None, None)
        return frame

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:  # like websockets: a dropped connection raises ConnectionClosedError
            yield await self.recv()

    def batches(self) -> list[Batch]:
        return [m for m in self.received if isinstance(m, Batch)]


def uplink(city: City, seconds: float) -> Uplink:
    return Uplink(play(city), seconds, "sim", pace=0.0)


async def settle() -> None:
    """Let every task run until all are blocked (pace 0: the shell never waits on the clock)."""
    for _ in range(500):
        await asyncio.sleep(0)


async def test_declares_then_backlog_then_ticks_all_acknowledged(city: City) -> None:
    link, hub = uplink(city, seconds=1.0), FakeHub()
    await link.serve(hub)
    hello, *rest = hub.received
    assert isinstance(hello, Hello) and hello.kind == "producer"
    assert hello.protocol == protocol.PROTOCOL_VERSION
    assert all(isinstance(m, Batch) for m in rest)
    declarations, backlog, *ticks = hub.batches()
    assert {i.id for i in declarations.items if isinstance(i, SensorInfo)} == {s.id for s in city.sensors}
    assert {i.id for i in declarations.items if isinstance(i, VehicleInfo)} == {u.id for u in city.fleet}
    assert all(isinstance(i, Report) for i in backlog.items) and len(backlog.items) == sim.BACKLOG_SIZE
    assert len(ticks) == 10
    assert [b.id for b in hub.batches()] == [f"b-{n}" for n in range(1, 13)]
    assert link.finished()
    total = sum(len(b.items) for b in hub.batches())
    assert link.stats.sent == link.stats.acked == total
    assert link.stats.errors == link.stats.reconnects == 0


async def test_no_more_than_the_window_is_unacknowledged(city: City) -> None:
    link, hub = uplink(city, seconds=6.0), FakeHub(ack=False)
    serving = asyncio.create_task(link.serve(hub))
    await settle()
    assert not serving.done()
    assert len(hub.held) == MAX_UNACKED  # the backlog and 31 ticks, then the play waits
    hub.release()
    await asyncio.wait_for(serving, timeout=10)
    assert hub.most_held == MAX_UNACKED
    assert len(hub.batches()) == 1 + 1 + 60 and link.finished()


async def test_reconnect_resends_what_was_not_acknowledged(city: City) -> None:
    link = uplink(city, seconds=5.0)
    first = FakeHub(ack=False)
    serving = asyncio.create_task(link.serve(first))
    await settle()
    unacked = list(first.held)
    first.drop()
    with pytest.raises(ConnectionClosedError):
        await asyncio.wait_for(serving, timeout=10)

    second = FakeHub()
    await asyncio.wait_for(link.serve(second), timeout=10)
    declarations, *resent = second.batches()[: 1 + len(unacked)]
    assert isinstance(declarations.items[0], SensorInfo) and declarations.id not in {b.id for b in unacked}
    assert [protocol.encode(b) for b in resent] == [protocol.encode(b) for b in unacked]
    backlogs = [b for b in first.batches() + second.batches() if b.id == unacked[0].id]
    assert len(backlogs) == 2  # the backlog went out once and was resent once, never made again
    ticks = [b.id for b in second.batches()[1:] if isinstance(b.items[0], (Reading, Fix))]
    assert len(ticks) == len(set(ticks)) == 50  # every tick arrived, none twice
    assert link.finished()


async def test_hub_refusal_is_a_clear_error(city: City) -> None:
    with pytest.raises(HubRefused, match="unsupported_version") as refused:
        await uplink(city, seconds=1.0).serve(FakeHub(refuse=ErrorCode.UNSUPPORTED_VERSION))
    assert refused.value.code == ErrorCode.UNSUPPORTED_VERSION


async def test_error_frames_are_counted_not_fatal(city: City) -> None:
    link, hub = uplink(city, seconds=1.0), FakeHub()
    hub.script["b-3"] = [Error(ErrorCode.UNKNOWN_CATEGORY, "no such category", "b-3"), Ack("b-3", 5, 1)]
    hub.script["b-4"] = [Error(ErrorCode.STORAGE, "send it again", "b-4")]  # then acked on the resend
    hub.answer(b"{not json")
    await asyncio.wait_for(link.serve(hub), timeout=10)
    assert link.stats.errors == 3
    assert link.stats.rejected == 1
    assert [b.id for b in hub.batches()].count("b-4") == 2
    assert link.finished()


async def test_run_simulator_reconnects_and_stops_after_its_seconds(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropping, last = FakeHub(ack=False), FakeHub()
    attempts: Iterator[Exception | FakeHub] = iter([OSError("connection refused"), dropping, last])
    opened: list[dict[str, Any]] = []

    @asynccontextmanager
    async def fake_connect(url: str, **options: Any) -> AsyncIterator[FakeHub]:
        opened.append({"url": url, **options})
        attempt = next(attempts)
        if isinstance(attempt, Exception):
            raise attempt
        if attempt is dropping:
            asyncio.get_running_loop().call_soon(dropping.drop)
        yield attempt

    monkeypatch.setattr(sim, "connect", fake_connect)
    monkeypatch.setattr(sim, "BACKOFF_INITIAL_S", 0.0)
    stats = await asyncio.wait_for(sim.run_simulator("ws://hub", seconds=0.2, seed=3), timeout=10)
    assert stats.reconnects == 2 and stats.errors == 0
    assert all(o == {"url": "ws://hub", "max_size": protocol.MAX_FRAME_BYTES} for o in opened)
    assert len(opened) == 3
    # The last connection got the declarations, the backlog and both ticks, all acknowledged.
    declarations, backlog, *ticks = last.batches()
    assert len(declarations.items) == len(city.sensors) + len(city.fleet)
    assert all(r.id.startswith("R-3-") for r in backlog.items)
    assert [r.id[-6:] for r in backlog.items] == [f"{n:06d}" for n in range(1, sim.BACKLOG_SIZE + 1)]
    assert len(ticks) == 2
    assert stats.acked == stats.sent  # the declarations twice, everything else once


def test_backoff_doubles_to_five_seconds_and_restarts_after_a_welcome() -> None:
    delays = [next_backoff(None)]
    for _ in range(7):
        delays.append(next_backoff(delays[-1]))
    assert delays == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]
