"""What an outside system speaking the documented protocol found, each a defect first shown
failing here: frames too big for the hub's own limit, deep nesting, values outside their
domain, errors without the frame's id, binary frames, singles that escape backpressure, and
answers that overtook the change they caused."""

from __future__ import annotations

import asyncio
import json
import threading
import tracemalloc
from typing import Any

import pytest
from websockets.asyncio.client import connect

from feeds import wire as p
from feeds.city import demo
from feeds.hub import policy
from feeds.hub.server import Connection
from feeds.hub.store import Store
from feeds.hub.topics import Frame
from feeds.sim.placement import fleet
from tests.hubkit import (
    PASSWORD,
    Clock,
    act,
    client,
    declare_and_report,
    inside,
    new_id,
    receive,
    request,
    running_hub,
    seeded_accounts,
    send,
    until,
)

AT = 1_795_000_000.0


def frames_received(raw: list[bytes | str]) -> list[p.ServerMessage]:
    return [p.decode_server(frame) for frame in raw]


def hello(**fields: Any) -> p.Hello:
    """A console's sign-in as one of the test accounts, for a connection opened by hand."""
    return p.Hello(p.PROTOCOL_VERSION, "console", "zhangsan", password=PASSWORD, **fields)


# -- 7: frames split by bytes ---------------------------------------------------------------


async def test_no_frame_the_hub_sends_exceeds_the_limit_even_for_long_chinese_reports(
    sqlite_url: str,
) -> None:
    """2,100 reports with 1,000-character Chinese descriptions made a 6.6 MB snapshot part."""
    lon, lat = inside(demo().city.grids[7])
    description = "路面破损积水严重影响通行" * 84  # 1,008 characters, three bytes each
    reports = [
        p.Report(f"R-long-{n}", "06010", lon, lat, "hotline", AT + n, description=description[:1000])
        for n in range(2100)
    ]
    async with running_hub(sqlite_url) as (_hub, url):
        async with client(url, "producer", "12319") as hotline:
            for first in range(0, 2100, 700):  # a producer keeps its own frames under the limit
                ack = await request(hotline, p.Batch(new_id("b"), reports[first : first + 700]))
                assert ack.accepted == 700
        async with connect(url, max_size=None) as ws:  # accept anything, to measure what comes
            await ws.send(p.encode(hello(topics=["cases"])), text=True)
            sizes, items = [], 0
            while True:
                frame = await asyncio.wait_for(ws.recv(), 20)
                sizes.append(len(frame.encode() if isinstance(frame, str) else frame))
                message = p.decode_server(frame)
                if isinstance(message, p.Snapshot):
                    items += len(message.items)
                    if message.final:
                        break
    assert items == 2100
    assert max(sizes) <= p.MAX_FRAME_BYTES


async def test_a_resumed_catch_up_is_split_by_bytes_too(sqlite_url: str) -> None:
    lon, lat = inside(demo().city.grids[9])
    text = "违章搭建占用消防通道" * 100
    async with running_hub(sqlite_url) as (_hub, url):
        async with client(url, "producer", "12319") as hotline:
            await request(hotline, p.Report("R-first", "06010", lon, lat, "hotline", AT))
        async with client(url, topics=["cases"]) as console:
            snapshot = await receive(console, lambda m: isinstance(m, p.Snapshot))
        async with client(url, "producer", "12319") as hotline:
            batch = [
                p.Report(f"R-{n}", "06001", lon, lat, "hotline", AT + n, description=text)
                for n in range(1500)
            ]
            for first in range(0, 1500, 500):  # a producer keeps its own frames under the limit
                await request(hotline, p.Batch(new_id("b"), batch[first : first + 500]))
        async with connect(url, max_size=None) as ws:
            resume = {"cases": p.Position(snapshot.stream, snapshot.seq)}
            await ws.send(p.encode(hello(topics=["cases"], resume=resume)), text=True)
            sizes, seen = [], 0
            while seen < 1500:
                frame = await asyncio.wait_for(ws.recv(), 20)
                message = p.decode_server(frame)
                if isinstance(message, (p.Delta, p.Snapshot)):
                    sizes.append(len(frame.encode() if isinstance(frame, str) else frame))
                    seen += len(message.items)
    assert max(sizes) <= p.MAX_FRAME_BYTES


# -- 8: deep nesting ------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1000, 100_000])
@pytest.mark.parametrize("hello_first", [False, True], ids=["before hello", "after hello"])
async def test_deep_nesting_gets_a_typed_error_and_the_connection_lives(
    sqlite_url: str, hello_first: bool, depth: int
) -> None:
    """1,000 levels used to end the connection with 1011.  How deep the decoder reads depends on
    the Python (about 1,000 levels on 3.11, 1,500 on 3.12); beyond that, a typed error."""
    frame = '{"type": "ping", "id": "deep", "x": ' + "[" * depth + "]" * depth + "}"
    async with running_hub(sqlite_url) as (_hub, url), connect(url) as ws:
        if hello_first:
            await ws.send(p.encode(hello()), text=True)
            await receive(ws, lambda m: isinstance(m, p.Welcome))
        await ws.send(frame, text=True)
        answer = await receive(ws, lambda m: isinstance(m, (p.Pong, p.Error)) and m.id == "deep")
        await ws.send(p.encode(p.Ping("still-there")), text=True)
        pong = await receive(ws, lambda m: isinstance(m, (p.Pong, p.Error)) and m.id == "still-there")
    refused = (
        isinstance(answer, p.Error) and answer.code == p.ErrorCode.BAD_JSON and "nested" in answer.message
    )
    read = isinstance(answer, p.Pong) or answer.code == p.ErrorCode.HELLO_REQUIRED
    assert refused if depth > 2000 else refused or read
    assert isinstance(pong, p.Pong) or pong.code == p.ErrorCode.HELLO_REQUIRED


# -- 9 and 10: values outside their domain, errors naming their frame -------------------------


def bad_items() -> list[tuple[str, p.IngestItem | dict[str, object]]]:
    return [
        ("longitude", {"type": "fix", "vehicle_id": "V-0001", "lon": 190.0, "lat": 32.0, "ts": AT}),
        ("latitude", {"type": "fix", "vehicle_id": "V-0001", "lon": 118.8, "lat": -91.0, "ts": AT}),
        (
            "heading",
            {"type": "fix", "vehicle_id": "V-0001", "lon": 118.8, "lat": 32.0, "ts": AT, "heading": 400},
        ),
        ("speed", {"type": "fix", "vehicle_id": "V-0001", "lon": 118.8, "lat": 32.0, "ts": AT, "speed": -5}),
        ("timestamp in 1970", {"type": "reading", "sensor_id": "WL-01", "value": 3.0, "ts": 0}),
        ("negative timestamp", {"type": "reading", "sensor_id": "WL-01", "value": 3.0, "ts": -86400}),
        ("negative depth", {"type": "reading", "sensor_id": "WL-01", "value": -4.0, "ts": AT}),
        ("a number out of range", {"type": "reading", "sensor_id": "WL-01", "value": 1e400, "ts": AT}),
    ]


@pytest.mark.parametrize(("what", "item"), bad_items(), ids=[what for what, _ in bad_items()])
async def test_a_value_outside_its_domain_is_refused_by_itself_and_the_error_names_the_batch(
    sqlite_url: str, what: str, item: dict[str, object]
) -> None:
    clock_now = AT
    async with (
        running_hub(sqlite_url, clock=lambda: clock_now) as (hub, url),
        client(url, "producer", "gw") as gateway,
    ):
        await declare_and_report(gateway, reports=0)
        good = {"type": "reading", "sensor_id": "WL-01", "value": 2.5, "ts": AT}
        frame = json.dumps({"type": "batch", "id": "b-bad", "items": [good, item]}).replace(
            "Infinity", "1e400"
        )
        await gateway.send(frame, text=True)
        error = await receive(gateway, lambda m: isinstance(m, p.Error))
        ack = await receive(gateway, lambda m: isinstance(m, p.Ack) and m.id == "b-bad")
    assert error.id == "b-bad", what
    assert (ack.accepted, ack.rejected) == (1, 1), what
    assert sum(hub.refused.values()) == 1 and all(reason for reason in hub.refused)


async def test_a_lone_item_outside_its_domain_is_counted_like_one_in_a_batch(sqlite_url: str) -> None:
    fix = {"type": "fix", "vehicle_id": "V-0001", "lon": 190.0, "lat": 32.0, "ts": AT}
    async with (
        running_hub(sqlite_url, clock=lambda: AT) as (hub, url),
        client(url, "producer", "gw") as gateway,
    ):
        await gateway.send(json.dumps(fix), text=True)
        error = await receive(gateway, lambda m: isinstance(m, p.Error))
    assert error.code == p.ErrorCode.INVALID and "$.lon" in error.message
    assert hub.refused == {"invalid_lon": 1}


async def test_a_single_frame_with_a_number_out_of_range_is_answered_with_its_id(sqlite_url: str) -> None:
    frame = '{"type": "act", "id": "cmd-9", "case_id": "AJ1", "expected_version": 1e400, "action": "urge"}'
    async with running_hub(sqlite_url) as (_hub, url), client(url) as console:
        await console.send(frame, text=True)
        error = await receive(console, lambda m: isinstance(m, p.Error))
    assert error.id == "cmd-9" and error.code == p.ErrorCode.INVALID


async def test_the_top_level_id_is_named_even_when_an_item_carries_an_id_first(sqlite_url: str) -> None:
    lon, lat = inside(demo().city.grids[3])
    report = {
        "type": "report",
        "id": "R-1",
        "category": "06010",
        "lon": lon,
        "lat": lat,
        "source": "app",
        "ts": "x",
    }
    frame = json.dumps({"type": "batch", "items": [report], "id": "b-late-id"})
    async with running_hub(sqlite_url) as (_hub, url), client(url, "producer", "app") as app:
        await app.send(frame, text=True)
        error = await receive(app, lambda m: isinstance(m, p.Error))
    assert error.id == "b-late-id"


# -- 12: frames built to stall the hub or fill its memory (found by tests/wirefuzz.py) ------------


def refused(frame: bytes) -> tuple[p.ProtocolError, float]:
    """How the codec refuses ``frame``, and the peak memory (MB) it took to."""
    tracemalloc.start()
    try:
        with pytest.raises(p.ProtocolError) as caught:
            p.decode_client(frame)
        return caught.value, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_a_batch_of_a_million_empty_items_is_refused_whole_before_its_items_are_read() -> None:
    frame = b'{"type":"batch","id":"heavy","items":[' + b"{}," * 1_397_746 + b"{}]}"
    error, peak = refused(frame)
    assert not isinstance(error, p.PartialBatch)
    assert error.ref == "heavy" and f"at most {p.MAX_BATCH_ITEMS} items" in error.message
    assert peak < 200, f"{peak:.0f} MB to refuse a 4 MiB frame"  # 800 MB when each item was decoded


HEAVY = {
    "long id of escapes": b'{"type":"ping","id":"' + b"\\u0000" * 698_876 + b'"}',
    "unterminated": b'{"type":"ping","x":"' + b"\\u0000" * 698_876,
    "brackets": b"[" * (4 * 1024 * 1024 - 1),
}


@pytest.mark.parametrize("frame", HEAVY.values(), ids=HEAVY.keys())
def test_a_frame_that_only_just_fits_never_costs_a_hundred_times_its_size(frame: bytes) -> None:
    error, peak = refused(frame)
    assert error.ref is None
    assert peak < 40, f"{peak:.0f} MB"  # 400 MB when the id scanner backtracked


def test_an_id_is_found_at_the_end_of_a_long_frame_that_is_json() -> None:
    error, _peak = refused(b'{"type":"nonsense","pad":"' + b"x" * 3_000_000 + b'","id":"last"}')
    assert error.ref == "last" and error.code == p.ErrorCode.UNKNOWN_TYPE


# -- 11: binary frames and counters an operator can see ------------------------------------


async def test_binary_frames_and_text_that_is_not_utf8_get_answers_not_a_closed_connection(
    sqlite_url: str,
) -> None:
    """JSON in a binary frame is read like text (documented); bytes that are not UTF-8 get a
    typed error instead of WebSocket's 1007, and the connection lives on."""
    async with running_hub(sqlite_url) as (hub, url), client(url, "producer", "gw") as gateway:
        await gateway.send(p.encode(p.Ping("bin")), text=False)
        pong = await receive(gateway, lambda m: isinstance(m, (p.Pong, p.Error)))
        gateway.protocol.send_text(b'{"type": "ping", "id": "\xff\xfe"}')
        gateway.send_data()
        error = await receive(gateway, lambda m: isinstance(m, p.Error))
        after = await request(gateway, p.Ping("after"))
        await gateway.send('{"type": "ping", "id": "x\\ud83dA"}', text=True)
        lone = await receive(gateway, lambda m: isinstance(m, p.Error))
        alive = await request(gateway, p.Ping("alive"))
    assert isinstance(pong, p.Pong) and pong.id == "bin"
    assert error.code == p.ErrorCode.BAD_JSON and "UTF-8" in error.message
    assert isinstance(after, p.Pong)
    assert lone.code == p.ErrorCode.BAD_JSON and lone.id is None  # a lone surrogate is never echoed back
    assert isinstance(alive, p.Pong)
    assert hub.errors[p.ErrorCode.BAD_JSON] == 2


async def test_an_operator_reads_the_hubs_counters(sqlite_url: str) -> None:
    async with running_hub(sqlite_url) as (_hub, url):
        async with client(url, "producer", "gw") as gateway:
            await gateway.send("not json", text=True)
            await receive(gateway, lambda m: isinstance(m, p.Error))
        async with client(url) as console:
            status = await request(console, p.GetStatus("s-1"))
    assert isinstance(status, p.Status) and status.id == "s-1"
    assert status.errors.get(p.ErrorCode.BAD_JSON) == 1
    assert status.connections.get("console") == 1
    assert set(status.seqs) == set(p.TOPICS)


# -- 12: single messages are held back like batches -----------------------------------------


class GatedStore(Store):
    gate = threading.Event()

    def commit(self, batch):  # type: ignore[no-untyped-def]
        self.gate.wait(timeout=30)
        super().commit(batch)


async def test_a_producer_of_single_messages_is_held_back_like_a_batching_one(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy, "MAX_BATCH_RECORDS", 300)
    GatedStore.gate.set()
    async with running_hub(sqlite_url, GatedStore) as (hub, url), client(url, "producer", "gw") as gateway:
        GatedStore.gate.clear()
        lon, lat = inside(demo().city.grids[0])
        declarations = [p.SensorInfo(f"S-{n}", "water_level", f"点{n}", lon, lat, "cm") for n in range(3000)]
        sending = asyncio.gather(*(send(gateway, d) for d in declarations))
        await until(lambda: len(hub.core.batch) >= 300)
        held = [len(hub.core.batch)]
        for _ in range(20):  # the hub has stopped reading: the batch stays put
            await asyncio.sleep(0)
            held.append(len(hub.core.batch))
        GatedStore.gate.set()
        await sending
        pong = await request(gateway, p.Ping("done"))
    assert max(held) <= 300 + policy.MAX_READ_QUEUE
    assert isinstance(pong, p.Pong)


# -- 13: the answer never overtakes the change -----------------------------------------------


class Seat:
    """The socket end of a seat that reads everything the hub's writer sends it, in order."""

    def __init__(self) -> None:
        self.sent: list[p.ServerMessage] = []

    async def send(self, data: bytes, text: bool = True) -> None:
        self.sent.append(p.decode_server(data))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        pass


async def test_an_answer_never_overtakes_the_change_it_caused(db_url: str) -> None:
    """Vehicle deltas queued ahead of a seat: the answer to its command used to jump that queue
    and arrive before the case's new state."""
    async with running_hub(db_url, clock=Clock()) as (hub, url):  # a clock that stands: no urge of its own
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=1)
        seat = Seat()
        connection = Connection(hub, seat)  # type: ignore[arg-type]
        connection.kind, connection.topics = "console", {"cases", "vehicles"}
        hub.connections.add(connection)
        for n in range(30):  # a busy fleet, not yet written out
            connection.push(
                Frame("vehicles", 10_000 + n, p.encode(p.Delta("vehicles", "s", n, n, [])), False)
            )
        case = hub.core.published_case("AJ0000001")
        assert case is not None
        command = act(case, "file")
        lead = hub.accounts.get("lisi")
        assert lead is not None
        changed = hub.core.act(command, lead)
        hub._changed()
        assert await hub.durable()  # committed and fanned out: the case delta is queued for the seat
        connection.answer(p.Result(command.id, case=changed))
        writer = asyncio.create_task(connection.write_loop())
        await until(lambda: any(isinstance(m, p.Result) for m in seat.sent))
        writer.cancel()
        hub.connections.discard(connection)
    kinds = [(type(m).__name__, getattr(m, "topic", "")) for m in seat.sent]
    answered = kinds.index(("Result", ""))
    assert ("Delta", "cases") in kinds[:answered]


async def test_fleet_units_used_here_exist() -> None:
    assert fleet(demo().city)[0].id == "V-0001"


def test_hall_status_prints_the_counters_of_a_running_hub(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from tests.processes import HubProcess, hall, sqlite_file

    store = Store(sqlite_file(tmp_path))
    seeded_accounts(store)  # `hall status` signs in as admin, with the password in HALL_PASSWORD
    store.close()
    hub = HubProcess(sqlite_file(tmp_path)).start()
    try:
        status = hall("status", "--hub", hub.url, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = status.communicate(timeout=60)
    finally:
        hub.stop()
    assert status.returncode == 0, err
    assert "connections: wall 1" in out and "errors: none" in out and "topics: cases 0" in out
