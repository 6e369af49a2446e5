"""Alarms through a real hub, as an integrator sees them from the protocol: a gateway's readings
raise them, the clock raises what waited out its delay and what went silent, and the desk
acknowledges, shelves and takes them out of service — each on the record, every seat told."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from websockets.asyncio.client import ClientConnection

from feeds import wire as p
from feeds.city import demo
from feeds.hub.store import Store
from tests.hubkit import Clock, answer_to, client, new_id, receive, request, running_hub, until

NOW = 1_795_000_000.0
GAS = next(s for s in demo().city.sensors if s.kind == "gas")
TILT = next(s for s in demo().city.sensors if s.kind == "manhole_tilt")


async def declare(ws: ClientConnection, *sites: Any) -> None:
    infos = [
        p.SensorInfo(s.id, s.kind, s.name, s.lon, s.lat, demo().city.sensor_classes[s.kind].unit)
        for s in sites
    ]
    ack = await request(ws, p.Batch(new_id("b"), infos))
    assert isinstance(ack, p.Ack) and ack.accepted == len(sites), ack


async def read(ws: ClientConnection, site: Any, value: float, at: float) -> None:
    ack = await request(ws, p.Batch(new_id("b"), [p.Reading(site.id, value, at)]))
    assert isinstance(ack, p.Ack) and ack.accepted == 1, ack


async def alarms_now(url: str) -> list[p.Alarm]:
    async with client(url, user="wall", kind="wall", topics=["alarms"]) as wall:
        snapshot = await receive(wall, lambda m: isinstance(m, p.Snapshot) and m.topic == "alarms")
    return list(snapshot.items)


def alarm_act(alarm: p.Alarm, action: str, **fields: Any) -> p.AlarmAct:
    return p.AlarmAct(new_id(), alarm.id, alarm.version, action, **fields)  # type: ignore[arg-type]


async def gas_alarm(url: str, clock: Clock) -> p.Alarm:
    """A gas leak at a valve pit: past the 35 %LEL cut-off for longer than the class's delay."""
    async with client(url, "producer", "gw") as gateway:
        await declare(gateway, GAS)
        await read(gateway, GAS, 41.0, clock.now)
        clock.now += 10
        await read(gateway, GAS, 44.0, clock.now)
    (alarm,) = await alarms_now(url)
    return alarm


async def test_the_desk_acknowledges_shelves_and_every_seat_sees_it_with_the_record(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url):
        alarm = await gas_alarm(url, clock)
        assert (alarm.priority, alarm.state, alarm.acked, alarm.value) == (1, "active", False, 44.0)
        async with (
            client(url, user="dispatcher") as desk,
            client(url, user="lead", topics=["alarms"]) as lead,
        ):
            await receive(lead, lambda m: isinstance(m, p.Snapshot))
            acked = await request(desk, alarm_act(alarm, "ack"))
            seen = await receive(lead, lambda m: isinstance(m, p.Delta) and m.topic == "alarms")
            shelved = await request(
                lead, alarm_act(acked.alarm, "shelve", reason="燃气公司已到场处置", until=clock.now + 1200)
            )
    assert isinstance(acked, p.Result) and acked.alarm.acked and acked.alarm.acked_by == "dispatcher"
    assert seen.items[0].acked  # an acknowledgement on one seat clears it on every seat
    assert shelved.alarm.shelved_until == clock.now + 1200 and shelved.alarm.shelved_by == "lead"
    store = Store(db_url)
    with store.engine.connect() as conn:
        record = conn.execute(
            text("SELECT actor, role, action, reason FROM alarm_events WHERE alarm_id = :a ORDER BY seq"),
            {"a": alarm.id},
        ).all()
    store.close()
    assert [tuple(r) for r in record] == [
        ("system", "system", "raise", ""),
        ("system", "system", "open_case", alarm.case_id),  # gas at the cut-off: a case on its own
        ("dispatcher", "dispatcher", "ack", ""),
        ("lead", "lead", "shelve", "燃气公司已到场处置"),
    ]


async def test_refusals_name_what_is_wrong_and_change_nothing(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (hub, url):
        alarm = await gas_alarm(url, clock)
        async with client(url, user="dispatcher") as desk:
            unknown = await request(desk, p.AlarmAct(new_id(), "AL9999999", 1, "ack"))
            no_reason = await request(desk, alarm_act(alarm, "shelve", until=clock.now + 600))
            too_long = await request(desk, alarm_act(alarm, "shelve", reason="检修", until=clock.now + 7200))
            not_theirs = await request(desk, alarm_act(alarm, "remove", reason="检修"))
            done = await request(desk, alarm_act(alarm, "ack"))
            stale = await request(desk, alarm_act(alarm, "ack"))  # the version before the ack
            silence = {"type": "alarm_act", "id": "x1", "alarm_id": alarm.id, "expected_version": 2}
            await desk.send(json.dumps({**silence, "action": "silence"}))  # not an alarm action
            bad = await receive(desk, answer_to("x1"))
        async with client(url, user="wall", kind="wall") as wall:
            read_only = await request(wall, alarm_act(done.alarm, "unshelve"))
        async with client(url, "producer", "gw") as gateway:
            producer = await request(gateway, alarm_act(done.alarm, "unshelve"))
        (after,) = await alarms_now(url)
    assert unknown.code == p.ErrorCode.UNKNOWN_ALARM and "AL9999999" in unknown.message
    assert no_reason.code == p.ErrorCode.REASON_REQUIRED
    assert too_long.code == p.ErrorCode.INVALID and "0.5 h" in too_long.message
    assert not_theirs.code == p.ErrorCode.FORBIDDEN and "lead" in not_theirs.message
    assert stale.code == p.ErrorCode.CONFLICT and stale.current.acked  # what it is now
    assert bad.code == p.ErrorCode.INVALID
    assert read_only.code == p.ErrorCode.READ_ONLY and producer.code == p.ErrorCode.FORBIDDEN
    assert (after.acked, after.shelved_until, after.out_of_service) == (True, 0.0, False)
    assert hub.errors[p.ErrorCode.CONFLICT] == 1


async def test_a_retried_command_is_answered_not_redone(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url):
        alarm = await gas_alarm(url, clock)
        command = alarm_act(alarm, "ack")
        async with client(url, user="dispatcher") as desk:
            first = await request(desk, command)
    async with running_hub(db_url, clock=clock) as (_hub, url), client(url, user="dispatcher") as desk:
        again = await request(desk, command)  # after a restart too
    assert isinstance(again, p.Result) and again.alarm == first.alarm


async def test_the_clock_raises_a_tilt_that_stays_and_a_sensor_that_falls_silent(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (hub, url):
        async with client(url, "producer", "gw") as gateway:
            await declare(gateway, TILT)
            await read(gateway, TILT, 22.0, clock.now)  # knocked off, and no reading for a while
        sensors = hub.core.topics["sensors"].published
        waiting = sensors[TILT.id].state  # past the limit, not yet an alarm: the map must not say one
        clock.now += 31
        await until(lambda: any(a.sensor_id == TILT.id for a in hub.core.topics["alarms"].published.values()))
        await until(lambda: sensors[TILT.id].state == "alarm")  # the clock raised it: the map follows
        clock.now += demo().city.sensor_classes["manhole_tilt"].offline_s
        await until(lambda: hub.core.topics["sensors"].published[TILT.id].state == "offline")
        alarms = {a.condition: a for a in await alarms_now(url)}
    assert waiting == "warning"
    assert alarms["high"].raised_at == NOW + 31 and alarms["high"].priority == 2
    assert alarms["comm"].state == "active" and alarms["comm"].priority == 3


async def test_a_sensors_history_comes_back_with_the_time_its_alarm_stood(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url):
        async with client(url, "producer", "gw") as gateway:
            await declare(gateway, TILT)
            for n, value in enumerate([0.5, 0.5, 20.0, 21.0, 22.0, 21.0] + [0.5] * 14):
                clock.now = NOW + 10 * n
                await read(gateway, TILT, value, clock.now)
        async with client(url, user="wall", kind="wall") as wall:
            answer = await request(wall, p.GetHistory(new_id(), TILT.id, NOW - 60, NOW + 300))
            thin = await request(wall, p.GetHistory(new_id(), TILT.id, NOW - 60, NOW + 300, points=10))
            unknown = await request(wall, p.GetHistory(new_id(), "MH-9999", NOW - 60, NOW + 300))
            backwards = await request(wall, p.GetHistory(new_id(), TILT.id, NOW + 300, NOW))
        async with client(url, "producer", "gw") as gateway:
            producer = await request(gateway, p.GetHistory(new_id(), TILT.id, NOW - 60, NOW + 300))
    history = answer.history
    assert history.sensor_id == TILT.id and len(history.at) == 20 and history.mean[4] == 22.0
    assert history.at == sorted(history.at) and history.low == history.mean == history.high  # raw
    # tilted from 20 s on, counted after 30 s; level again from 60 s on, cleared a minute later
    assert history.alarms == [[NOW + 50, NOW + 120]]
    assert len(thin.history.at) <= 10 and max(thin.history.high) == 22.0 and min(thin.history.low) == 0.5
    assert unknown.code == p.ErrorCode.UNKNOWN_SENSOR and backwards.code == p.ErrorCode.INVALID
    assert producer.code == p.ErrorCode.FORBIDDEN


async def test_a_gas_alarm_opens_its_case_and_the_calls_about_it_join_that_case(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (hub, url):
        alarm = await gas_alarm(url, clock)
        north = 1 / 111_195.0
        calls = [
            p.Report(new_id("R"), "01011", GAS.lon, GAS.lat + 80 * north, "hotline", clock.now, "闻到燃气味"),
            p.Report(
                new_id("R"), "01011", GAS.lon, GAS.lat - 900 * north, "hotline", clock.now, "燃气井盖松动"
            ),
            p.Report(new_id("R"), "06010", GAS.lon, GAS.lat + 20 * north, "hotline", clock.now, "暴露垃圾"),
        ]
        async with client(url, "producer", "12319") as hotline:
            ack = await request(hotline, p.Batch(new_id("b"), list(calls)))
        cases = hub.core.topics["cases"].live
        assert isinstance(ack, p.Ack), ack
        near, far, other = (cases[ack.cases[c.id]] for c in calls)
    case = cases[alarm.case_id]
    assert (case.alarm_id, case.source, case.category, case.status) == (
        alarm.id,
        "sensor",
        "01011",
        "reported",
    )
    assert GAS.name in case.description and "44" in case.description
    assert near.duplicate_of == case.id  # offered to join the alarm's case
    assert far.duplicate_of == "" and other.duplicate_of == ""


async def test_the_desk_opens_a_case_from_an_alarm_once_and_only_for_a_class_with_a_category(
    db_url: str,
) -> None:
    clock = Clock(NOW)
    bridge = next(s for s in demo().city.sensors if s.kind == "bridge_strain")
    async with running_hub(db_url, clock=clock) as (hub, url):
        async with client(url, "producer", "gw") as gateway:
            await declare(gateway, TILT, bridge)
            await read(gateway, TILT, 22.0, clock.now)
            await read(gateway, bridge, 1200.0, clock.now)
            clock.now += 31
            await read(gateway, TILT, 23.0, clock.now)
            await read(gateway, bridge, 1210.0, clock.now)
        alarms = {a.sensor_id: a for a in await alarms_now(url)}
        tilt = alarms[TILT.id]
        assert tilt.case_id == ""  # manhole tilts wait for a person
        async with client(url, user="dispatcher") as desk:
            opened = await request(desk, alarm_act(tilt, "open_case"))
            twice = await request(desk, alarm_act(opened.alarm, "open_case"))
            no_category = await request(desk, alarm_act(alarms[bridge.id], "open_case"))
        case = hub.core.topics["cases"].live[opened.alarm.case_id]
    assert (case.alarm_id, case.status, case.verified, case.category) == (
        tilt.id,
        "to_file",
        "confirmed",
        "01003",
    )
    assert twice.code == p.ErrorCode.NOT_ALLOWED_IN_STATE and case.id in twice.message
    assert no_category.code == p.ErrorCode.INVALID and "category" in no_category.message


async def test_a_shelved_alarm_comes_back_before_the_desk_when_its_shelf_ends(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (hub, url):
        alarm = await gas_alarm(url, clock)
        async with client(url, user="lead", topics=["alarms"]) as lead:
            await receive(lead, lambda m: isinstance(m, p.Snapshot))
            shelved = await request(
                lead, alarm_act(alarm, "shelve", reason="燃气公司已到场处置", until=clock.now + 600)
            )
            assert shelved.alarm.shelved_until == clock.now + 600
            clock.now += 601
            back = await receive(
                lead, lambda m: isinstance(m, p.Delta) and any(not a.shelved_until for a in m.items)
            )
    (returned,) = back.items
    assert returned.id == alarm.id and returned.state == "active" and not returned.shelved_by
    assert hub.core.topics["alarms"].published[alarm.id].shelved_until == 0.0


async def test_a_critical_alarm_nobody_acknowledges_goes_to_the_shift_lead(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url):
        alarm = await gas_alarm(url, clock)
        assert alarm.priority == 1 and not alarm.to_lead
        async with client(url, user="lead", topics=["alarms"]) as lead:
            await receive(lead, lambda m: isinstance(m, p.Snapshot))
            clock.now += demo().city.alarm_ack_s + 1
            raised = await receive(lead, lambda m: isinstance(m, p.Delta) and any(a.to_lead for a in m.items))
    assert raised.items[0].id == alarm.id and not raised.items[0].acked


async def test_a_gateways_muck_truck_off_its_route_is_an_alarm_every_seat_sees(db_url: str) -> None:
    """As an integrator's vehicle gateway speaks it: declare the truck, send its fixes; the
    route and its width come from the city's fences."""
    route = next(f for f in demo().city.fences if f.rule == "route")
    (truck,) = route.vehicles
    on = route.shape.interpolate(0.3, normalized=True)
    clock = Clock(NOW)
    async with (
        running_hub(db_url, clock=clock) as (_hub, url),
        client(url, user="dispatcher", topics=["alarms"]) as desk,
    ):
        await receive(desk, lambda m: isinstance(m, p.Snapshot))
        async with client(url, "producer", "gw") as gateway:
            await request(gateway, p.Batch(new_id("b"), [p.VehicleInfo(truck, "muck", "苏A·D0091")]))
            for n in range(8):  # 300 m north of its route, driving on
                clock.now += 10
                fix = p.Fix(truck, on.x + n * 0.0005, on.y + 0.0027, clock.now, speed=35.0)
                ack = await request(gateway, p.Batch(new_id("b"), [fix]))
                assert ack.accepted == 1
        seen = await receive(desk, lambda m: isinstance(m, p.Delta) and m.items[0].vehicle_id == truck)
    (alarm,) = seen.items
    assert (alarm.condition, alarm.kind, alarm.sensor_id, alarm.priority) == ("route", route.id, "", 2)
    assert 250 < alarm.value < 350 and alarm.threshold == 50
