"""The simulator: the seeded play (no I/O), and its shell against real hubs on loopback."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from feeds import wire
from feeds.city import City, demo
from feeds.domain import SOURCES, VEHICLE_KINDS, VEHICLE_STATUSES
from feeds.hub.batch import WriteBatch
from feeds.hub.store import Store
from feeds.sim import MAX_UNACKED, CityPlay, HubRefused, SimStats, Uplink, run_simulator, uplink, world
from feeds.sim.placement import fleet
from feeds.wire import (
    Ack,
    Batch,
    Case,
    Error,
    ErrorCode,
    Fix,
    Reading,
    Report,
    SensorInfo,
    VehicleInfo,
    Welcome,
    codec,
)
from tests.hubkit import PASSWORD, client, receive, running_hub, seeded_accounts, until
from tests.processes import HubProcess, free_port, hall

START = 1_795_000_000.0


@pytest.fixture(scope="module")
def city() -> City:
    return demo().city


def play(city: City, scenario: str = "normal", seed: int = 1, rate: float = 200.0) -> CityPlay:
    return CityPlay(city, scenario, seed, rate, START)


def run(p: CityPlay, seconds: float, dt: float = 0.1) -> list[Any]:
    items: list[Any] = []
    for _ in range(round(seconds / dt)):
        items += p.step(dt)
    return items


def encoded(items: list[Any]) -> list[bytes]:
    return [wire.encode(item) for item in items]


# ---------------------------------------------------------------------------
# CityPlay


def test_same_seed_same_items(city: City) -> None:
    def script(p: CityPlay) -> list[bytes]:
        items: list[Any] = [*p.declarations(), *p.backlog()]
        for dt in (0.1, 0.1, 0.5, 2.5, 0.1, 7.0, 0.3):
            items += p.step(dt)
        return encoded(items)

    for scenario in world.SCENARIOS:
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
    assert set(vehicles) == {unit.id for unit in fleet(city)}
    assert all(d.unit == city.sensor_classes[d.kind].unit for d in sensors.values())
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
        normal = city.sensor_classes[kind].normal
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
    assert all(r.category in city.categories for r in reports)
    assert all(r.source in SOURCES for r in reports)
    assert all(r.description and r.reporter for r in reports)
    assert all(city.locate(r.lon, r.lat) is not None for r in reports)
    assert all(START - world.BACKLOG_SPAN_S <= r.ts < START for r in backlog)
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
    assert all(city.locate(f.lon, f.lat) is not None for f in fixes)
    assert {f.status for f in fixes} <= set(VEHICLE_STATUSES)
    assert all(f.speed == 0 for f in fixes if f.status == "idle")
    track: dict[str, list[Fix]] = {}
    for f in fixes:
        track.setdefault(f.vehicle_id, []).append(f)
    fastest_m_per_s = max(k.speed_kmh for k in VEHICLE_KINDS.values()) * world.CRUISE_SPREAD[1] / 3.6
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
# The shell against real hubs on loopback


def played(
    city: City, seed: int, seconds: float, rate: float, scenario: str = "normal", start: float = START
) -> list[Any]:
    """What run_simulator sends in ``seconds``: declarations, backlog, then one step per tick."""
    p = CityPlay(city, scenario, seed, rate, start)
    items: list[Any] = [*p.declarations(), *p.backlog()]
    for _ in range(round(seconds / uplink.TICK_S)):
        items += p.step(uplink.TICK_S)
    return items


def reports_in(items: list[Any]) -> list[Report]:
    return [item for item in items if isinstance(item, Report)]


def run_start(report_ids: Any) -> float:
    """The start time in a run's report ids (``R-<seed>-<start>-<n>``): ids, unlike content, name the run."""
    (start,) = {report_id.split("-")[2] for report_id in report_ids}
    return float(start)


def content(item: Case | Report) -> tuple[str, float, float, str, str]:
    return (item.category, item.lon, item.lat, item.source, item.description)


async def snapshot(url: str, topic: str) -> list[Any]:
    """A topic's whole published state, as a console joining now sees it."""

    def part_of_it(message: Any) -> bool:
        return isinstance(message, wire.Snapshot) and message.topic == topic

    async with client(url, topics=[topic]) as console:
        parts = [await receive(console, part_of_it)]
        while not parts[-1].final:
            parts.append(await receive(console, part_of_it))
    return [item for part in parts for item in part.items]


def with_accounts(db_url: str) -> str:
    """The database at ``db_url`` with the test accounts in it, for a hub process to sign them in."""
    store = Store(db_url)
    seeded_accounts(store)
    store.close()
    return db_url


def stored_report_ids(db_url: str) -> dict[str, str]:
    store = Store(db_url)
    try:
        return store.load().report_ids
    finally:
        store.close()


async def test_a_short_run_reaches_the_hub_whole(sqlite_url: str, city: City) -> None:
    async with running_hub(sqlite_url) as (_hub, url):
        playing = run_simulator(url, "rainstorm", rate=500, seed=6, seconds=1.0, password=PASSWORD)
        stats = await asyncio.wait_for(playing, 20)
        sensors, vehicles, cases = [await snapshot(url, topic) for topic in ("sensors", "vehicles", "cases")]
    report_ids = stored_report_ids(sqlite_url)
    expected = played(city, 6, 1.0, 500, "rainstorm", start=run_start(report_ids))
    assert stats == SimStats(sent=len(expected), acked=len(expected))  # no rejections, errors, reconnects
    assert {s.id for s in sensors} == {site.id for site in city.sensors}
    assert {v.id for v in vehicles} == {unit.id for unit in fleet(city)}
    assert sum(s.ts is not None for s in sensors) > 100 and sum(v.ts is not None for v in vehicles) > 100
    reports = reports_in(expected)
    assert len(reports) > world.BACKLOG_SIZE  # the backlog and some live reports
    assert sorted(report_ids) == sorted(r.id for r in reports)
    assert Counter(map(content, cases)) == Counter(map(content, reports))


@pytest.mark.parametrize(
    ("how", "exit_code"), [(signal.SIGTERM, 0), (signal.SIGKILL, -signal.SIGKILL)], ids=["SIGTERM", "SIGKILL"]
)
async def test_the_simulator_rides_out_a_hub_restart(
    sqlite_url: str, city: City, how: signal.Signals, exit_code: int
) -> None:
    port = free_port()
    hub = await asyncio.to_thread(HubProcess(with_accounts(sqlite_url), port).start)
    stats = SimStats()
    playing = run_simulator(hub.url, rate=500, seed=11, seconds=3.0, stats=stats, password=PASSWORD)
    simulator = asyncio.create_task(playing)
    try:
        declared = len(city.sensors) + len(fleet(city))
        await until(lambda: stats.acked > declared + world.BACKLOG_SIZE + 200)  # the backlog and some ticks
        # In threads, so the simulator keeps running: it finds the port closed, then the new hub.
        assert await asyncio.to_thread(hub.stop, how) == exit_code
        assert not simulator.done()
        hub = await asyncio.to_thread(HubProcess(sqlite_url, port).start)
        assert await asyncio.wait_for(simulator, 30) is stats
        cases = await snapshot(hub.url, "cases")
    finally:
        simulator.cancel()
        if hub.process is not None:
            await asyncio.to_thread(hub.stop)
    assert stats.reconnects >= 1
    assert stats.acked == stats.sent and stats.errors == stats.rejected == 0
    report_ids = stored_report_ids(sqlite_url)
    reports = reports_in(played(city, 11, 3.0, 500, start=run_start(report_ids)))
    assert sorted(report_ids) == sorted(r.id for r in reports)
    assert Counter(map(content, cases)) == Counter(map(content, reports))  # none lost, none twice


async def test_the_same_seed_files_the_same_cases(tmp_path: Path) -> None:
    async def cases_played(name: str, seed: int) -> Counter[tuple[str, float, float, str, str]]:
        async with running_hub(f"sqlite:///{tmp_path / name}.db") as (_hub, url):
            stats = await run_simulator(url, "rainstorm", rate=100, seed=seed, seconds=1.0, password=PASSWORD)
            assert stats.acked == stats.sent
            return Counter(map(content, await snapshot(url, "cases")))

    first, again, other = await asyncio.wait_for(
        asyncio.gather(cases_played("first", 10), cases_played("again", 10), cases_played("other", 6)), 20
    )
    assert sum(first.values()) > world.BACKLOG_SIZE
    assert first == again
    assert first != other and not first & other


class GatedStore(Store):
    """The real store behind a gate the test opens and closes: a disk as slow as the test wants."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.gate = threading.Event()
        self.gate.set()

    def commit(self, batch: WriteBatch) -> None:
        self.gate.wait(timeout=30)
        super().commit(batch)


async def test_a_hub_that_does_not_acknowledge_holds_the_play_back(sqlite_url: str, city: City) -> None:
    # pace 0: only the window holds it back
    link = Uplink(play(city), seconds=6.0, user="sim", pace=0.0, password=PASSWORD)
    async with running_hub(sqlite_url, GatedStore) as (hub, url):
        store = hub.store
        assert isinstance(store, GatedStore)
        store.gate.clear()
        try:
            async with connect(url, max_size=wire.MAX_FRAME_BYTES) as ws:
                serving = asyncio.create_task(link.serve(ws))
                await until(lambda: len(link.unacked) == MAX_UNACKED)
                producer = next(c for c in hub.connections if c.kind == "producer")
                await until(lambda: producer.pending_commands == MAX_UNACKED)  # the hub has read them all
                held = (len(link.unacked), link.ticks_left, link.stats.acked)
                store.gate.set()
                await asyncio.wait_for(serving, 20)
        finally:
            store.gate.set()
        cases = len(hub.core.topics["cases"].live)
    # The declarations, the backlog and 30 ticks are out; the other 30 ticks wait for acknowledgements.
    assert held == (MAX_UNACKED, 60 - (MAX_UNACKED - 2), 0)
    assert link.finished() and link.stats.acked == link.stats.sent
    assert cases == len(reports_in(played(city, 1, 6.0, 200)))


async def test_a_hub_of_another_protocol_version_turns_the_simulator_away(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A simulator of a newer release: its hello names a protocol this (real) hub does not speak.
    monkeypatch.setattr(codec, "PROTOCOL_VERSION", codec.PROTOCOL_VERSION + 1)
    async with running_hub(sqlite_url) as (hub, url):
        with pytest.raises(HubRefused, match="unsupported_version") as refused:
            await asyncio.wait_for(run_simulator(url, seconds=1.0, password=PASSWORD), 10)
    assert refused.value.code == ErrorCode.UNSUPPORTED_VERSION
    assert hub.errors[ErrorCode.UNSUPPORTED_VERSION] == 1  # refused once: no retrying


@pytest.mark.parametrize(
    ("user", "password", "code"),
    [
        ("simulator", "not-the-password", ErrorCode.BAD_CREDENTIALS),
        ("simulator", "", ErrorCode.BAD_CREDENTIALS),  # no password given (HALL_PASSWORD unset)
        ("zhangsan", PASSWORD, ErrorCode.FORBIDDEN),  # a person's account feeds no data
    ],
)
async def test_a_hub_that_will_not_sign_the_simulator_in_turns_it_away(
    sqlite_url: str, user: str, password: str, code: str
) -> None:
    async with running_hub(sqlite_url) as (hub, url):
        with pytest.raises(HubRefused, match=code) as refused:
            await asyncio.wait_for(run_simulator(url, seconds=1.0, user=user, password=password), 10)
        cases = len(hub.core.topics["cases"].live)
    assert refused.value.code == code
    assert hub.errors[code] == 1 and cases == 0  # refused once, and nothing was played


async def test_negative_seconds_are_refused_before_connecting() -> None:
    with pytest.raises(ValueError, match="seconds"):
        await run_simulator(f"ws://127.0.0.1:{free_port()}", seconds=-1.0)


# ---------------------------------------------------------------------------
# The shell against a scripted hub on a real loopback socket
#
# Kept for what the real hub never does on cue: refuse a valid item, send an
# undecodable frame, ask for a good batch again, or drop the connection at a
# chosen batch so that the exact resend order can be checked.

Answers = list[wire.ServerMessage | bytes] | None  # None: close the connection


class ScriptedHub:
    """Signs the simulator's account in (its password, or a token it issued), records its batches
    per connection and answers them as scripted.  ``forgets`` its sessions: a token is answered
    ``bad_token``, as by a hub whose sessions ended."""

    def __init__(
        self, answers: Callable[[int, Batch], Answers], greeting: tuple[bytes, ...], forgets: bool = False
    ) -> None:
        self.answers = answers
        self.greeting = greeting
        self.forgets = forgets
        self.received: list[list[Batch]] = []
        self.hellos: list[wire.Hello] = []
        self.tokens: set[str] = set()

    def refusal(self, hello: wire.Hello) -> Error | None:
        if hello.token:
            known = hello.token in self.tokens and not self.forgets
            return None if known else Error(ErrorCode.BAD_TOKEN, "not signed in: the session ended")
        if (hello.user, hello.password) != ("simulator", PASSWORD):
            return Error(ErrorCode.BAD_CREDENTIALS, "wrong login or password")
        return None

    async def sign_in(self, ws: ServerConnection) -> wire.Hello:
        """Hellos until one signs in (a refused one leaves the connection open, as the hub does)."""
        while True:
            hello = wire.decode_client(await ws.recv())
            assert isinstance(hello, wire.Hello) and hello.kind == "producer"
            self.hellos.append(hello)
            refusal = self.refusal(hello)
            if refusal is None:
                return hello
            await ws.send(wire.encode(refusal), text=True)

    async def handle(self, ws: ServerConnection) -> None:
        batches: list[Batch] = []
        self.received.append(batches)
        hello = await self.sign_in(ws)
        token = hello.token or f"token-{len(self.hellos)}"
        self.tokens.add(token)
        welcome = Welcome(
            wire.PROTOCOL_VERSION, "scripted", "s1", "滨江市", START, hello.kind, "simulator",
            name="模拟器", roles=["producer"], token=token, expires=START + 12 * 3600,
        )  # fmt: skip
        for frame in (wire.encode(welcome), *self.greeting):
            await ws.send(frame, text=True)
        async for raw in ws:
            batch = wire.decode_client(raw)
            assert isinstance(batch, Batch)
            batches.append(batch)
            answers = self.answers(len(self.received), batch)
            if answers is None:
                await ws.close()
                return
            for answer in answers:
                await ws.send(answer if isinstance(answer, bytes) else wire.encode(answer), text=True)


@asynccontextmanager
async def scripted_hub(
    answers: Callable[[int, Batch], Answers], greeting: tuple[bytes, ...] = (), forgets: bool = False
) -> AsyncIterator[tuple[ScriptedHub, str]]:
    hub = ScriptedHub(answers, greeting, forgets)
    async with serve(hub.handle, "127.0.0.1", 0, max_size=wire.MAX_FRAME_BYTES) as server:
        host, port = server.sockets[0].getsockname()[:2]
        yield hub, f"ws://{host}:{port}"


def number(batch: Batch) -> int:
    return int(batch.id.removeprefix("b-"))


def declares(batch: Batch) -> bool:
    return all(isinstance(item, (SensorInfo, VehicleInfo)) for item in batch.items)


async def test_error_frames_are_counted_and_a_storage_error_resends() -> None:
    seen: Counter[str] = Counter()

    def answers(_connection: int, batch: Batch) -> Answers:
        seen[batch.id] += 1
        if batch.id in ("b-1", "b-4") and seen[batch.id] == 1:  # the declarations and the second tick
            return [Error(ErrorCode.STORAGE, "send it again", batch.id)]
        if batch.id == "b-3":
            refused = Error(ErrorCode.UNKNOWN_CATEGORY, "no such category", batch.id)
            return [refused, Ack(batch.id, len(batch.items) - 1, 1)]
        return [Ack(batch.id, len(batch.items))]

    async with scripted_hub(answers, greeting=(b"{not json",)) as (hub, url):
        stats = await asyncio.wait_for(run_simulator(url, seconds=0.5, password=PASSWORD), 10)
    [batches] = hub.received
    assert declares(batches[0]) and batches[0].id == "b-1"
    assert seen == {"b-1": 2, "b-2": 1, "b-3": 1, "b-4": 2, "b-5": 1, "b-6": 1, "b-7": 1}
    assert stats == SimStats(sent=stats.sent, acked=stats.sent - 1, rejected=1, errors=4)


@pytest.mark.parametrize(
    ("dropped", "declarations_acked_on", "declared_on"),
    [
        (1, set(), 1),  # nothing acknowledged: the first declarations go out again
        (1, {1}, 2),  # declarations acknowledged: the next connection declares afresh
        (2, {1}, 2),  # the fresh declarations were lost too: they go out again, first
    ],
)
async def test_each_connection_declares_first_then_resends_in_order(
    dropped: int, declarations_acked_on: set[int], declared_on: int
) -> None:
    def answers(connection: int, batch: Batch) -> Answers:
        if connection > dropped:
            return [Ack(batch.id, len(batch.items))]
        if len(hub.received[connection - 1]) == 3:
            return None  # drop the connection at its third batch
        return (
            [Ack(batch.id, len(batch.items))]
            if connection in declarations_acked_on and declares(batch)
            else []
        )

    async with scripted_hub(answers) as (hub, url):
        stats = await asyncio.wait_for(run_simulator(url, seconds=0.5, password=PASSWORD), 10)
    # signed in once with the password; every reconnect resumes the session with its token
    assert [(h.user, h.password, h.token) for h in hub.hellos] == [
        ("simulator", PASSWORD, ""),
        *[("simulator", "", "token-1")] * dropped,
    ]
    *lost, last = hub.received
    assert len(lost) == dropped == stats.reconnects
    assert [b.id for b in lost[0]] == ["b-1", "b-2", "b-3"]
    declarations, *data = last
    assert declares(declarations)
    assert declarations.id == hub.received[declared_on - 1][0].id
    assert (declarations.id in {b.id for c in lost for b in c}) == (declared_on <= dropped)
    assert not any(declares(b) for b in data)
    assert [b.id for b in data[:2]] == ["b-2", "b-3"]  # the backlog and the first tick, resent in order
    assert sorted(data, key=number) == data and len(data) == 1 + 5  # the backlog and every tick, once
    assert stats.acked == stats.sent and stats.errors == stats.rejected == 0


async def test_a_session_the_hub_ended_is_signed_in_afresh_with_the_password() -> None:
    def answers(connection: int, batch: Batch) -> Answers:
        if connection == 1 and len(hub.received[0]) == 3:
            return None  # drop the first connection at its third batch
        return [Ack(batch.id, len(batch.items))]

    async with scripted_hub(answers, forgets=True) as (hub, url):
        stats = await asyncio.wait_for(run_simulator(url, seconds=0.5, password=PASSWORD), 10)
    assert [(h.password, h.token) for h in hub.hellos] == [(PASSWORD, ""), ("", "token-1"), (PASSWORD, "")]
    assert len(hub.received) == 2 and stats.reconnects == 1
    assert stats.acked == stats.sent and stats.errors == stats.rejected == 0


# ---------------------------------------------------------------------------
# ``hall sim`` as a process


def test_hall_sim_plays_into_a_hub_process_and_prints_its_stats(sqlite_url: str, city: City) -> None:
    hub = HubProcess(with_accounts(sqlite_url)).start()  # `hall sim` signs in with HALL_PASSWORD
    try:
        run = hall(
            "sim", "--hub", hub.url, "--seconds", "1", "--rate", "200", "--seed", "7",
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        out, err = run.communicate(timeout=30)
    finally:
        assert hub.stop() == 0
    assert run.returncode == 0, err
    stats = re.fullmatch(r"SimStats\(sent=(\d+), acked=(\d+), rejected=0, errors=0, reconnects=0\)\n", out)
    assert stats is not None, out
    assert int(stats[1]) == int(stats[2]) == len(played(city, 7, 1.0, 200))
    report_ids = stored_report_ids(sqlite_url)
    assert sorted(report_ids) == sorted(
        r.id for r in reports_in(played(city, 7, 1.0, 200, start=run_start(report_ids)))
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "snowstorm"], "argument --scenario: invalid choice: 'snowstorm'"),
        (["--rate", "fast"], "argument --rate: expected a number, not 'fast'"),
    ],
)
def test_hall_sim_refuses_bad_arguments_clearly(args: list[str], message: str) -> None:
    run = hall("sim", *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = run.communicate(timeout=30)
    assert run.returncode == 2 and out == ""
    assert message in err and err.startswith("usage: hall sim")
