"""The hub over real WebSockets on loopback, with a real SQLite file.  Its clock stands still at the
reports' time (hubkit.Clock): no case runs out of time, and is urged by the hub, under a test."""

from __future__ import annotations

import asyncio
import threading

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from feeds import wire as p
from feeds.city import demo
from feeds.hub import policy, topics
from feeds.hub.store import Store
from tests.hubkit import (
    PASSWORD,
    Clock,
    act,
    answer_to,
    client,
    declare_and_report,
    inside,
    new_id,
    receive,
    request,
    running_hub,
    send,
    until,
)


def snapshot_of(topic: str):  # type: ignore[no-untyped-def]
    return lambda m: isinstance(m, p.Snapshot) and m.topic == topic


async def first_case(url: str) -> p.Case:
    async with client(url) as ws:
        snapshot = await receive(ws, snapshot_of("cases"))
        return snapshot.items[0]


async def test_reported_cases_reach_a_console_with_grid_and_clock(db_url: str) -> None:
    clock = Clock()
    async with running_hub(db_url, clock=clock) as (_hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=3, at=clock.now)
        async with client(url) as console:
            snapshot = await receive(console, snapshot_of("cases"))
    cases = sorted(snapshot.items, key=lambda c: c.id)
    assert [c.description for c in cases] == ["暴露垃圾0", "暴露垃圾1", "暴露垃圾2"]
    assert all(len(c.grid) == 15 and c.grid.startswith(c.district) for c in cases)
    # An inspector's report is verified by its finding: it waits for the lead to file it (30 min).
    assert all(c.status == "to_file" and c.stage == "file" for c in cases)
    assert all(c.deadline == c.reported_at + 1800 for c in cases)


async def test_steps_are_stored_with_who_role_and_states(db_url: str) -> None:
    clock = Clock()
    async with running_hub(db_url, clock=clock) as (_hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=1)
        case = await first_case(url)
        async with client(url, user="lisi") as console:
            filed = await request(console, act(case, "file"))
            assigned = await request(
                console, act(filed.case, "dispatch", department="sanitation", reason="属地环卫")
            )
            clock.now += 60
            urged = await request(console, act(assigned.case, "urge", reason="群众反映强烈"))
    assert isinstance(assigned, p.Result) and assigned.case.department == "sanitation"
    assert assigned.case.status == "dispatched" and assigned.case.version == case.version + 2
    assert isinstance(urged, p.Result) and urged.case.escalations == 1
    # what is stored, read back by a fresh store as a restarted hub would
    store = Store(db_url)
    timeline = store.timeline(case.id)
    stored = {c.id: c for c in store.load().records["cases"]}[case.id]
    store.close()
    assert [(e.action, e.actor, e.role, e.from_state, e.to_state, e.reason) for e in timeline] == [
        ("report", "sim", "", "", "to_file", ""),  # the producer account that sent it
        ("file", "lisi", "lead", "to_file", "to_dispatch", ""),
        ("dispatch", "lisi", "dispatcher", "to_dispatch", "dispatched", "属地环卫"),
        ("urge", "lisi", "dispatcher", "dispatched", "dispatched", "群众反映强烈"),
    ]
    assert timeline[0].text == "暴露垃圾0"
    assert timeline[3].at - timeline[2].at == 60
    assert stored.version == case.version + 3 and stored.escalations == 1


async def test_other_consoles_see_actions_as_deltas(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (_hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=1)
        case = await first_case(url)
        async with client(url, user="wangwu") as watcher, client(url, user="lisi") as actor:
            await receive(watcher, snapshot_of("cases"))
            await request(actor, act(case, "file"))
            delta = await receive(watcher, lambda m: isinstance(m, p.Delta) and m.topic == "cases")
    assert delta.items[0].id == case.id and delta.items[0].status == "to_dispatch"


async def test_stale_version_gets_a_conflict_with_the_current_case(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (_hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=1)
        case = await first_case(url)
        async with client(url) as console:
            await request(console, act(case, "file"))
            conflict = await request(console, act(case, "reject", reason="重复"))
    assert isinstance(conflict, p.Error) and conflict.code == p.ErrorCode.CONFLICT
    assert conflict.current is not None and conflict.current.version == case.version + 1
    assert conflict.current.status == "to_dispatch"


async def test_a_retried_command_is_answered_not_applied_twice(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (_hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=1)
        case = await first_case(url)
        command = act(case, "file")
        async with client(url) as console:
            first = await request(console, command)
        async with client(url) as console:  # the answer was lost; the seat reconnects and sends it again
            second = await request(console, command)
    assert first.case.version == second.case.version == case.version + 1
    assert second.case.status == "to_dispatch"


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (p.Act("c1", "AJ9999999", 1, "file"), p.ErrorCode.UNKNOWN_CASE),
        (p.Act("c2", "AJ0000001", 1, "reject", reason="   "), p.ErrorCode.REASON_REQUIRED),
        (p.Act("c3", "AJ0000001", 1, "dispatch", department="x"), p.ErrorCode.NOT_ALLOWED_IN_STATE),
        (p.Act("c5", "AJ0000001", 1, "teleport"), p.ErrorCode.INVALID),
        (p.GetTimeline("c4", "AJ9999999"), p.ErrorCode.UNKNOWN_CASE),
        (p.Reading("WL-01", 1.0, 1_795_000_000.0), p.ErrorCode.FORBIDDEN),
    ],
)
async def test_refused_requests_get_typed_errors_and_the_link_survives(db_url: str, message, code) -> None:  # type: ignore[no-untyped-def]
    async with running_hub(db_url, clock=Clock()) as (hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=1)
        async with client(url) as console:
            await send(console, message)
            error = await receive(console, lambda m: isinstance(m, p.Error))
            pong = await request(console, p.Ping("still-there"))
    assert error.code == code and error.message
    assert isinstance(pong, p.Pong)
    assert hub.errors[code] == 1


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ('{"type": "act", "id": ', p.ErrorCode.BAD_JSON),
        ('{"type": "self_destruct"}', p.ErrorCode.UNKNOWN_TYPE),
        (
            '{"type": "act", "id": "x", "case_id": 5, "expected_version": 1, "action": "file"}',
            p.ErrorCode.INVALID,
        ),
        ('{"type": "act", "id": "x"}', p.ErrorCode.INVALID),
    ],
)
async def test_malformed_frames_get_typed_errors(db_url: str, frame: str, code: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (hub, url), client(url) as console:
        await console.send(frame)
        error = await receive(console, lambda m: isinstance(m, p.Error))
        assert error.code == code
        assert isinstance(await request(console, p.Ping("ok")), p.Pong)
    assert hub.errors[code] == 1


async def test_the_wall_is_read_only(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (_hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=1)
        case = await first_case(url)
        async with client(url, "wall", "wall") as wall:
            refused = await request(wall, act(case, "file"))
        assert (await first_case(url)).version == case.version
    assert refused.code == p.ErrorCode.READ_ONLY


async def test_hello_comes_first_and_versions_must_match(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (_hub, url), connect(url) as ws:
        await send(ws, p.Ping("early"))
        early = await receive(ws, lambda m: isinstance(m, p.Error))
        await send(ws, p.Hello(99, "console", "zhangsan", password=PASSWORD))
        refused = await receive(ws, lambda m: isinstance(m, p.Error))
        await send(ws, p.Ping("between"))
        still = await receive(ws, lambda m: isinstance(m, p.Error))
        # the same connection, a version it speaks
        await send(ws, p.Hello(p.PROTOCOL_VERSION, "console", "zhangsan", password=PASSWORD))
        welcome = await receive(ws, lambda m: isinstance(m, p.Welcome))
    assert early.code == p.ErrorCode.HELLO_REQUIRED
    assert refused.code == p.ErrorCode.UNSUPPORTED_VERSION and str(p.PROTOCOL_VERSION) in refused.message
    assert still.code == p.ErrorCode.HELLO_REQUIRED  # refused, not welcomed
    assert welcome.protocol == p.PROTOCOL_VERSION


async def test_an_oversize_frame_closes_with_1009_and_is_counted(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (hub, url):
        async with client(url) as console:
            await console.send('{"type": "ping", "id": "' + "x" * p.MAX_FRAME_BYTES + '"}')
            with pytest.raises(ConnectionClosed) as closed:
                while True:  # the snapshots sent before the close arrive first
                    await console.recv()
        await until(lambda: hub.errors["oversize"] == 1)
        async with client(url) as console:  # the hub serves the next client as before
            assert isinstance(await request(console, p.Ping("after")), p.Pong)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_bad_items_in_a_batch_are_refused_and_the_rest_stored(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (_hub, url), client(url, "producer", "sim") as producer:
        await declare_and_report(producer, reports=0)
        batch = p.Batch(
            new_id("b"),
            [
                p.Reading("WL-01", 4.0, 1_795_000_010.0),
                p.Reading("NO-SUCH-SENSOR", 4.0, 1_795_000_010.0),
                p.Report("R-x", "99999", 118.78, 32.04, "inspector", 1_795_000_010.0),
                p.Report("R-y", "06010", 0.0, 0.0, "inspector", 1_795_000_010.0),
            ],
        )
        await send(producer, batch)
        error = await receive(producer, lambda m: isinstance(m, p.Error))
        ack = await receive(producer, answer_to(batch.id))
    assert (
        error.code == p.ErrorCode.UNKNOWN_SENSOR
        and "3 more" not in error.message
        and "2 more" in error.message
    )
    assert (ack.accepted, ack.rejected) == (1, 3)


async def test_readings_over_threshold_raise_and_clear_an_alarm(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (_hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=0)
            # The demo class counts water over its limits after 10 s and clears it 120 s after it went.
            for seconds, depth in [(0, 2.0), (5, 31.0), (16, 33.0), (20, 20.0), (25, 1.0), (160, 1.0)]:
                reading = p.Reading("WL-01", depth, 1_795_000_100.0 + seconds)
                await request(producer, p.Batch(new_id("b"), [reading]))
        async with client(url) as console:
            alarms = (await receive(console, snapshot_of("alarms"))).items
            sensors = (await receive(console, snapshot_of("sensors"))).items
    assert len(alarms) == 1
    alarm = alarms[0]
    assert (alarm.sensor_id, alarm.condition, alarm.priority, alarm.threshold) == ("WL-01", "high", 1, 25.0)
    assert (alarm.raised_at, alarm.peak, alarm.value) == (1_795_000_116.0, 33.0, 1.0)
    assert alarm.state == "cleared" and alarm.cleared_at == 1_795_000_260.0
    assert [s.state for s in sensors if s.id == "WL-01"] == ["normal"]


async def test_resume_sends_exactly_the_missed_changes(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (_hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=5)
        async with client(url) as console:
            snapshot = await receive(console, snapshot_of("cases"))
        cases = sorted(snapshot.items, key=lambda c: c.id)
        async with client(url) as console:
            await request(console, act(cases[1], "file"))
            await request(console, act(cases[3], "reject", reason="不属于城管范围"))
        resume = {"cases": p.Position(snapshot.stream, snapshot.seq)}
        async with client(url, resume=resume, topics=["cases"]) as console:
            catch_up = await receive(console, lambda m: isinstance(m, (p.Delta, p.Snapshot)))
        gone = {"cases": p.Position("another-hub", snapshot.seq)}
        async with client(url, resume=gone, topics=["cases"]) as console:
            fresh = await receive(console, lambda m: isinstance(m, (p.Delta, p.Snapshot)))
    assert isinstance(catch_up, p.Delta) and catch_up.from_seq == snapshot.seq + 1
    assert sorted(c.id for c in catch_up.items) == [cases[1].id, cases[3].id]
    assert catch_up.seq == snapshot.seq + 2
    assert isinstance(fresh, p.Snapshot) and len(fresh.items) == 5


class GatedStore(Store):
    """A store whose disk is as slow as the test wants: commits wait for the gate."""

    gate = threading.Event()

    def commit(self, batch):  # type: ignore[no-untyped-def]
        self.gate.wait(timeout=30)
        super().commit(batch)


async def test_a_producer_faster_than_the_store_is_held_back(db_url: str) -> None:
    GatedStore.gate.set()
    async with (
        running_hub(db_url, GatedStore, clock=Clock()) as (hub, url),
        client(url, "producer", "sim") as producer,
    ):
        await declare_and_report(producer, reports=0)
        GatedStore.gate.clear()
        frames = 4 * policy.MAX_UNACKED
        ids = [new_id("b") for _ in range(frames)]
        sending = asyncio.gather(
            *(
                send(producer, p.Batch(frame_id, [p.Reading("WL-01", 1.0, 1_794_999_000.0 + n)]))
                for n, frame_id in enumerate(ids)
            )
        )
        connection = next(c for c in hub.connections if c.kind == "producer")
        # the hub stops reading once MAX_UNACKED frames wait for the (stuck) commit
        await until(lambda: connection.pending_commands >= policy.MAX_UNACKED)
        held = connection.pending_commands
        GatedStore.gate.set()
        await sending
        acks = [await receive(producer, answer_to(frame_id)) for frame_id in ids]
    assert held == policy.MAX_UNACKED
    assert all(isinstance(a, p.Ack) and a.accepted == 1 for a in acks)


async def test_a_snapshot_larger_than_one_frame_arrives_whole(db_url: str) -> None:
    count = topics.FRAME_ITEMS + 500
    sensors = [p.SensorInfo(f"T-{n:05d}", "dust", f"测试点{n}", 118.78, 32.04, "µg/m³") for n in range(count)]
    async with running_hub(db_url, clock=Clock()) as (_hub, url):
        async with client(url, "producer", "sim") as producer:
            assert (await request(producer, p.Batch(new_id("b"), sensors))).accepted == count  # type: ignore[arg-type]
        async with client(url, topics=["sensors"]) as console:
            parts = [await receive(console, snapshot_of("sensors"))]
            while not parts[-1].final:
                parts.append(await receive(console, snapshot_of("sensors")))
    assert [part.part for part in parts] == list(range(len(parts))) and len(parts) == 2
    assert sorted(s.id for part in parts for s in part.items) == sorted(s.id for s in sensors)


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "reading", "sensor_id": "WL-01", "value": 1e400, "ts": 1}',
        '{"type": "act", "id": "c1", "case_id": "AJ1", "expected_version": 1, "action": "urge", "reason": "'
        + "长" * 1001
        + '"}',
        '{"type": "sensor_info", "id": "'
        + "S" * 33
        + '", "kind": "dust", "name": "x", "lon": 1, "lat": 2, "unit": "u"}',
        '{"type": "act", "id": "", "case_id": "AJ0000001", "expected_version": 1, "action": "file"}',
    ],
)
async def test_out_of_range_values_are_invalid_not_fatal(db_url: str, frame: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (hub, url), client(url) as console:
        await console.send(frame)
        error = await receive(console, lambda m: isinstance(m, p.Error))
        assert isinstance(await request(console, p.Ping("ok")), p.Pong)
    assert error.code == p.ErrorCode.INVALID
    assert hub.errors[p.ErrorCode.INVALID] == 1


class FailingStore(Store):
    """A store whose next commit fails, as a full disk or a lost database connection would."""

    fail_next = False

    def commit(self, batch):  # type: ignore[no-untyped-def]
        if FailingStore.fail_next:
            FailingStore.fail_next = False
            raise OSError("no space left on device")
        super().commit(batch)


async def test_a_failed_commit_is_refused_not_half_applied_and_the_retry_works(db_url: str) -> None:
    async with running_hub(db_url, FailingStore, clock=Clock()) as (hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=1)
        case = await first_case(url)
        command = act(case, "file")
        async with client(url) as console:
            FailingStore.fail_next = True
            refused = await request(console, command)
            assert (await first_case(url)).version == case.version  # nothing of it is visible
            retried = await request(console, command)  # the same id, sent again
    assert isinstance(refused, p.Error) and refused.code == p.ErrorCode.STORAGE
    assert isinstance(retried, p.Result) and retried.case.version == case.version + 1
    assert hub.errors[p.ErrorCode.STORAGE] >= 1


async def test_a_report_is_acknowledged_with_the_case_it_became_even_when_retried(db_url: str) -> None:
    lon, lat = inside(demo().city.grids[100])
    report = p.Report("R-12319-000042", "06010", lon, lat, "hotline", 1_795_000_000.0, "市民来电：暴露垃圾")
    async with running_hub(db_url, clock=Clock()) as (_hub, url), client(url, "producer", "12319") as hotline:
        first = await request(hotline, report)
        again = await request(hotline, p.Batch(new_id("b"), [report]))
    assert isinstance(first, p.Ack) and first.cases == {report.id: first.cases[report.id]}
    assert first.cases[report.id].startswith("AJ")
    assert again.cases == first.cases  # the retry names the same case, and made no second one


async def test_timestamps_far_in_the_future_or_past_the_kept_history_are_refused(db_url: str) -> None:
    clock = Clock()
    async with running_hub(db_url, clock=clock) as (hub, url), client(url, "producer", "sim") as producer:
        await declare_and_report(producer, reports=0)
        readings = [
            p.Reading("WL-01", 3.0, clock.now + 86_400),
            p.Reading("WL-01", 30.0, clock.now - 500 * 86_400),  # a gateway whose clock went back
            p.Reading("WL-01", 4.0, clock.now),
        ]
        batch = p.Batch(new_id("b"), readings)  # type: ignore[arg-type]
        await send(producer, batch)
        error = await receive(producer, lambda m: isinstance(m, p.Error))
        ack = await receive(producer, answer_to(batch.id))
    assert error.code == p.ErrorCode.INVALID and "ahead of the hub's clock" in error.message
    assert (ack.accepted, ack.rejected) == (1, 2)
    assert hub.refused == {"timestamp_ahead": 1, "timestamp_old": 1}  # counted, by reason
    assert (
        hub.core.topics["sensors"].published["WL-01"].value == 4.0 and not hub.core.topics["alarms"].published
    )


async def test_resync_of_a_topic_not_followed_is_refused(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock()) as (_hub, url), client(url, topics=["cases"]) as console:
        await send(console, p.Resync("vehicles"))
        error = await receive(console, lambda m: isinstance(m, p.Error))
    assert error.code == p.ErrorCode.INVALID and "vehicles" in error.message
