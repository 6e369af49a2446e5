"""The closed loop through a real hub: each person at their own connection, each step stored with
who, role, states and why; clocks that pause, move and remember lateness; refusals that change
nothing and are counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from feeds import wire as p
from feeds.city import CityFolder, demo, open_folder
from feeds.hub.store import Store
from tests.citykit import tiny_city, write
from tests.hubkit import Clock, act, client, inside, new_id, receive, request, running_hub, steps, until

NOW = 1_794_967_200.0  # Wednesday 2026-11-18 10:00 in Shanghai, a working day


async def hotline_report(url: str, at: float = NOW, category: str = "06010", south_m: float = 0.0) -> p.Case:
    """A citizen's call through the 12319 system: a case waiting for intake."""
    lon, lat = inside(demo().city.grids[100])
    lat -= south_m / 111_195.0
    report = p.Report(
        new_id("R"), category, lon, lat, "hotline", at, "市民来电：路边垃圾堆放", reporter="138****0001"
    )
    async with client(url, "producer", "12319") as hotline:
        ack = await request(hotline, report)
    assert isinstance(ack, p.Ack) and ack.accepted == 1, ack
    return await current(url, ack.cases[report.id])


async def current(url: str, case_id: str) -> p.Case:
    async with client(url, user="wall", kind="wall", topics=["cases"]) as wall:
        snapshot = await receive(wall, lambda m: isinstance(m, p.Snapshot) and m.topic == "cases")
    return next(c for c in snapshot.items if c.id == case_id)


async def step(ws: ClientConnection, case: p.Case, action: str, **fields: Any) -> p.Case:
    answer = await request(ws, act(case, action, **fields))
    assert isinstance(answer, p.Result), answer
    return answer.case


async def test_a_hotline_report_goes_round_the_whole_loop(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url):
        case = await hotline_report(url)
        assert (case.status, case.stage) == ("reported", "file")
        async with (
            client(url, user="intake") as intake,
            client(url, user="lead") as lead,
            client(url, user="dispatcher") as dispatcher,
            client(url, user="drainage") as drainage,
            client(url, user="sanitation") as sanitation,
            client(url, "producer", "inspector") as inspector,
        ):
            case = await step(intake, case, "verify", inspector="inspector")
            assert (case.status, case.stage, case.inspector) == ("verifying", "verify", "inspector")
            case = await step(inspector, case, "confirm", text="现场确认，约2立方米")
            case = await step(lead, case, "file")
            case = await step(dispatcher, case, "dispatch", department="drainage")
            case = await step(drainage, case, "return", reason="不属排水职责，应属环卫")
            assert (case.status, case.department, case.returns) == ("to_dispatch", None, 1)
            case = await step(dispatcher, case, "dispatch", department="sanitation")
            case = await step(sanitation, case, "take")
            case = await step(sanitation, case, "feedback", text="已清运")
            case = await step(intake, case, "check", inspector="inspector")
            case = await step(inspector, case, "fail", reason="仍有残留")
            assert (case.status, case.reworks, case.stage) == ("handling", 1, "handle")
            case = await step(sanitation, case, "feedback", text="残留已清理")
            case = await step(lead, case, "check", inspector="inspector")
            case = await step(inspector, case, "pass")
            case = await step(lead, case, "close")
    assert (case.status, case.closure, case.late, case.stage) == ("closed", "normal", "", "")
    store = Store(db_url)
    timeline = store.timeline(case.id)
    store.close()
    walked = [(e.action, e.actor, e.role, e.from_state, e.to_state) for e in timeline]
    assert walked == [
        ("report", "12319", "", "", "reported"),
        ("verify", "intake", "intake", "reported", "verifying"),
        ("confirm", "inspector", "inspector", "verifying", "to_file"),
        ("file", "lead", "lead", "to_file", "to_dispatch"),
        ("dispatch", "dispatcher", "dispatcher", "to_dispatch", "dispatched"),
        ("return", "drainage", "handler", "dispatched", "to_dispatch"),
        ("dispatch", "dispatcher", "dispatcher", "to_dispatch", "dispatched"),
        ("take", "sanitation", "handler", "dispatched", "handling"),
        ("feedback", "sanitation", "handler", "handling", "to_check"),
        ("check", "intake", "intake", "to_check", "checking"),
        ("fail", "inspector", "inspector", "checking", "handling"),
        ("feedback", "sanitation", "handler", "handling", "to_check"),
        ("check", "lead", "lead", "to_check", "checking"),
        ("pass", "inspector", "inspector", "checking", "to_close"),
        ("close", "lead", "lead", "to_close", "closed"),
    ]
    assert timeline[5].reason == "不属排水职责，应属环卫" and timeline[5].department is None
    assert timeline[2].text == "现场确认，约2立方米" and timeline[10].reason == "仍有残留"


async def handling(url: str, clock: Clock) -> tuple[p.Case, Any]:
    """A filed hotline case dispatched to sanitation and taken (the caller opens sanitation)."""
    case = await hotline_report(url, clock.now)
    async with client(url, user="zhangsan") as desk:
        case = await steps(
            desk, case, ("accept", {}), ("file", {}), ("dispatch", {"department": "sanitation"})
        )
    return case, None


async def test_time_running_out_is_urged_by_the_hub_and_raised_to_the_lead(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (hub, url):
        case, _ = await handling(url, clock)
        # 06010 exposed garbage: 4 working hours.  Dispatched Wednesday 10:00: two hours to the lunch
        # break, two more from 14:00: due at 16:00.
        assert (case.clock, case.deadline) == ("working_hours", NOW + 6 * 3600)
        clock.now = case.deadline + 1
        await until(lambda: hub.core.topics["cases"].published[case.id].escalations == 1)
        urged = hub.core.topics["cases"].published[case.id]
        assert (urged.late, urged.raised, urged.urged_at) == ("handle", False, clock.now)
        clock.now += demo().city.raise_after_s
        await until(lambda: hub.core.topics["cases"].published[case.id].raised)
        async with client(url, user="sanitation") as sanitation:
            taken = await step(sanitation, hub.core.topics["cases"].published[case.id], "take")
    assert (taken.raised, taken.urged_at, taken.late) == (False, 0.0, "handle")  # answered, still late
    store = Store(db_url)
    timeline = store.timeline(case.id)
    store.close()
    system = [(e.action, e.actor, e.role, e.reason) for e in timeline if e.actor == "system"]
    assert system == [
        ("urge", "system", "system", "timeout:handle"),
        ("raise", "system", "system", "urged_unanswered"),
    ]


async def run_late(hub: Any, clock: Clock, case: p.Case) -> p.Case:
    """Let the case's handling time run out, and wait for the hub to record it: the case now."""
    clock.now = case.deadline + 60
    await until(lambda: hub.core.topics["cases"].published[case.id].late == "handle")
    late: p.Case = hub.core.topics["cases"].published[case.id]
    return late


async def test_a_return_and_redispatch_keep_the_record_of_lateness(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (hub, url):
        case = await run_late(hub, clock, (await handling(url, clock))[0])
        async with client(url, user="sanitation") as sanitation, client(url, user="dispatcher") as dispatcher:
            case = await step(sanitation, case, "return", reason="应属执法")
            case = await step(dispatcher, case, "dispatch", department="enforcement")
    assert case.late == "handle" and case.returns == 1
    assert case.deadline > clock.now  # the new department gets its own clock …
    # … and the case closes as late (超时结案) whatever happens next


async def test_hanging_stops_the_clock_and_resuming_gives_back_what_was_left(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url):
        case, _ = await handling(url, clock)
        async with client(url, user="sanitation") as sanitation, client(url, user="lead") as lead:
            case = await step(sanitation, case, "take")
            clock.now += 600
            asked = await step(sanitation, case, "request_hang", reason="需专项资金")
            left = asked.paused_left_s
            hung = await step(lead, asked, "approve_hang")
            clock.now += 30 * 86_400  # a month on the shelf
            resumed = await step(lead, hung, "resume")
    assert asked.paused and hung.paused and not resumed.paused
    assert left == pytest.approx(case.limit_s - 600)
    assert resumed.deadline > clock.now and resumed.late == ""


async def test_a_granted_extension_moves_the_deadline(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url):
        case, _ = await handling(url, clock)
        later = case.deadline + 2 * 86_400
        async with client(url, user="sanitation") as sanitation, client(url, user="dispatcher") as dispatcher:
            case = await step(sanitation, case, "take")
            asked = await step(sanitation, case, "request_extension", reason="设备待修", deadline=later)
            granted = await step(dispatcher, asked, "grant_extension")
    assert asked.status == "extension_requested" and asked.paused and asked.requested_deadline == later
    assert (granted.status, granted.deadline, granted.extensions, granted.paused) == (
        "handling",
        later,
        1,
        False,
    )


@pytest.mark.parametrize(
    ("user", "action", "fields", "code"),
    [
        ("dispatcher", "file", {}, p.ErrorCode.FORBIDDEN),  # 立案 is the lead's
        ("lead", "dispatch", {"department": "sanitation"}, p.ErrorCode.NOT_ALLOWED_IN_STATE),
        ("lead", "reject", {"reason": "  "}, p.ErrorCode.REASON_REQUIRED),
        ("lead", "void", {}, p.ErrorCode.REASON_REQUIRED),
        ("drainage", "take", {}, p.ErrorCode.NOT_ALLOWED_IN_STATE),
    ],
)
async def test_refused_steps_change_nothing_and_are_counted(db_url: str, user, action, fields, code) -> None:  # type: ignore[no-untyped-def]
    async with running_hub(db_url, clock=Clock(NOW)) as (hub, url):
        case = await hotline_report(url)
        async with client(url, user="intake") as intake:
            case = await step(intake, case, "accept")
        async with client(url, user=user) as seat:
            refused = await request(seat, act(case, action, **fields))
        assert (await current(url, case.id)) == case
    assert isinstance(refused, p.Error) and refused.code == code and refused.id is not None
    assert hub.errors[code] == 1


async def test_an_unknown_department_and_a_closed_case_are_refused(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock(NOW)) as (hub, url):
        case = await hotline_report(url)
        async with client(url, user="zhangsan") as desk:
            case = await steps(desk, case, ("accept", {}), ("file", {}))
            unknown = await request(desk, act(case, "dispatch", department="ministry_of_magic"))
            agency = await request(desk, act(case, "dispatch", department="police"))
            voided = await step(desk, case, "void", reason="重复上报")
            closed = await request(desk, act(voided, "urge", reason="催办"))
    assert unknown.code == p.ErrorCode.UNKNOWN_DEPARTMENT and "ministry_of_magic" in unknown.message
    assert agency.code == p.ErrorCode.INVALID and "agency" in agency.message  # police is for 转办
    assert closed.code == p.ErrorCode.NOT_ALLOWED_IN_STATE and "已作废" in closed.message
    assert hub.errors[p.ErrorCode.UNKNOWN_DEPARTMENT] == 1


async def test_two_seats_on_one_case_one_wins_the_other_sees_the_current_state(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock(NOW)) as (_hub, url):
        case = await hotline_report(url)
        async with client(url, user="zhangsan") as first, client(url, user="lisi") as second:
            case = await steps(first, case, ("accept", {}), ("file", {}))
            await first.send(p.encode(act(case, "dispatch", department="sanitation")))
            await second.send(p.encode(act(case, "dispatch", department="drainage")))
            answers = [
                await receive(ws, lambda m: isinstance(m, (p.Result, p.Error))) for ws in (first, second)
            ]
    won = [a for a in answers if isinstance(a, p.Result)]
    lost = [a for a in answers if isinstance(a, p.Error)]
    assert len(won) == 1 and len(lost) == 1 and lost[0].code == p.ErrorCode.CONFLICT
    assert lost[0].current == won[0].case and lost[0].current.status == "dispatched"


async def walk_to(url: str, login: str, lon: float, lat: float) -> None:
    """An inspector's app says where it is: its own device, named by its login."""
    async with client(url, "producer", login) as app:
        ack = await request(
            app,
            p.Batch(
                new_id("b"),
                [p.VehicleInfo(login, "inspector", login), p.Fix(login, lon, lat, NOW, status="working")],
            ),
        )
    assert isinstance(ack, p.Ack) and ack.accepted == 2, ack


async def test_verify_goes_to_the_nearest_inspector_on_duty(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock(NOW)) as (hub, url):
        case = await hotline_report(url)
        await walk_to(url, "inspector", case.lon + 0.02, case.lat)  # about 2 km east
        await walk_to(url, "inspector2", case.lon, case.lat + 0.003)  # about 330 m north
        nearest = hub.core.nearest_inspectors(case, 2)
        async with client(url, user="intake") as intake:
            sent = await step(intake, case, "verify")
            unknown = await request(intake, act(sent, "verify", inspector="nobody"))
        async with client(url, "producer", "inspector") as app:
            other_device = await request(app, p.Batch(new_id("b"), [p.Fix("inspector2", 118.0, 32.0, NOW)]))
    assert [login for login, _ in nearest] == ["inspector2", "inspector"]
    assert 300 < nearest[0][1] < 360 and 1_800 < nearest[1][1] < 2_000
    assert (sent.status, sent.inspector) == ("verifying", "inspector2")
    assert unknown.code == p.ErrorCode.NOT_ALLOWED_IN_STATE  # already out on site
    assert isinstance(other_device, p.Error) and other_device.code == p.ErrorCode.FORBIDDEN


async def test_an_inspector_out_on_a_task_is_not_sent_on_another(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url):
        first = await hotline_report(url)
        clock.now += 3 * 3600  # long enough not to be offered as a duplicate
        second = await hotline_report(url, clock.now, south_m=40)
        await walk_to(url, "inspector", first.lon, first.lat + 0.001)  # about 110 m from both
        await walk_to(url, "inspector2", first.lon + 0.01, first.lat)  # about 1 km away
        async with client(url, user="intake") as intake:
            sent = await step(intake, first, "verify")
            also = await step(intake, second, "verify")
    assert (sent.inspector, also.inspector) == ("inspector", "inspector2")  # the nearer one is busy


async def device(url: str, login: str) -> p.Vehicle:
    """An inspector's device as every seat sees it on the vehicles topic."""
    async with client(url, user="wall", kind="wall", topics=["vehicles"]) as wall:
        snapshot = await receive(wall, lambda m: isinstance(m, p.Snapshot) and m.topic == "vehicles")
    return next(v for v in snapshot.items if v.id == login)


async def test_an_inspectors_device_shows_the_task_it_is_out_on_until_it_answers(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock(NOW)) as (_hub, url):
        case = await hotline_report(url)
        await walk_to(url, "inspector", case.lon, case.lat + 0.001)
        async with client(url, user="intake") as intake:
            sent = await step(intake, case, "verify")
        out = await device(url, "inspector")
    async with running_hub(db_url, clock=Clock(NOW)) as (_hub, url):  # stored: a restart keeps it
        kept = await device(url, "inspector")
        async with client(url, "producer", "inspector") as app:
            await step(app, sent, "confirm", text="现场确认")
        back = await device(url, "inspector")
    assert (out.task, kept.task, back.task) == (case.id, case.id, "")
    assert (out.status, out.lat) == ("working", case.lat + 0.001)  # the task leaves the fix alone


async def test_an_unknown_inspector_is_refused(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock(NOW)) as (hub, url):
        case = await hotline_report(url)
        async with client(url, user="intake") as intake:
            unknown = await request(intake, act(case, "verify", inspector="nobody"))
    assert (
        isinstance(unknown, p.Error)
        and unknown.code == p.ErrorCode.UNKNOWN_USER
        and "nobody" in unknown.message
    )
    assert hub.errors[p.ErrorCode.UNKNOWN_USER] == 1


async def test_a_report_close_to_an_open_case_is_offered_as_its_duplicate_and_merges(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url):
        first = await hotline_report(url)
        clock.now += 1800
        same = await hotline_report(url, clock.now, south_m=30)
        far = await hotline_report(url, clock.now, south_m=200)
        other_kind = await hotline_report(url, clock.now, category="06012", south_m=10)
        clock.now += 3 * 3600
        later = await hotline_report(url, clock.now, south_m=10)
        async with client(url, user="intake") as intake:
            merged = await step(intake, same, "merge", target=first.id)
            into_itself = await request(intake, act(far, "merge", target=far.id))
        first = await current(url, first.id)
    assert same.duplicate_of == first.id
    assert (far.duplicate_of, other_kind.duplicate_of, later.duplicate_of) == ("", "", "")
    assert (merged.status, merged.merged_into) == ("merged", first.id) and first.merged == 1
    assert into_itself.code == p.ErrorCode.INVALID
    store = Store(db_url)
    joined = store.timeline(first.id)[-1]
    store.close()
    assert (joined.action, joined.actor) == ("merge_in", "intake")
    assert same.id in joined.text and "138****0001" in joined.text


def two_level_city(tmp_path: Path) -> CityFolder:
    """The tiny test city dispatching in two levels: the city to a district's command center,
    the district to its departments."""
    documents = tiny_city()
    documents["city.json"]["time_limits"] = {"dispatch_levels": 2}
    documents["departments.json"]["departments"] += [
        {"code": "cmd-330101", "name": "上城区指挥中心", "kind": "command", "area": "330101"},
        {"code": "cmd-330102", "name": "下城区指挥中心", "kind": "command", "area": "330102"},
    ]
    return open_folder(write(tmp_path / "two-level", documents))


async def test_a_two_level_city_dispatches_to_the_district_then_to_the_department(db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = two_level_city(tmp_path)
    west = folder.city.area("330101001001001")
    assert west is not None
    lon, lat = inside(west)
    clock = Clock(NOW)
    async with running_hub(db_url, city=folder, clock=clock) as (_hub, url):
        async with client(url, "producer", "12319") as hotline:
            ack = await request(
                hotline, p.Report(new_id("R"), "06010", lon, lat, "inspector", NOW, "暴露垃圾")
            )
        case = await current(url, ack.cases[next(iter(ack.cases))])
        async with client(url, user="zhangsan") as city_desk:
            case = await step(city_desk, case, "file")
            wrong = await request(city_desk, act(case, "dispatch_district", department="cmd-330102"))
            case = await step(city_desk, case, "dispatch_district", department="cmd-330101")
            assert (case.status, case.department) == ("district_dispatch", "cmd-330101")
            case = await step(city_desk, case, "dispatch", department="sanitation")
    assert wrong.code == p.ErrorCode.INVALID and "330101" in wrong.message
    assert (case.status, case.department) == ("dispatched", "sanitation")


async def test_an_appeal_of_a_timeout_is_reviewed_in_two_levels(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (hub, url):
        case = await run_late(hub, clock, (await handling(url, clock))[0])
        async with (
            client(url, user="sanitation") as sanitation,
            client(url, user="dispatcher") as dispatcher,
            client(url, user="lead") as lead,
        ):
            case = await step(sanitation, case, "appeal", reason="暴雨天气，无法作业")
            early = await request(lead, act(case, "grant_appeal"))
            case = await step(dispatcher, case, "forward_appeal")
            case = await step(lead, case, "grant_appeal")
    assert early.code == p.ErrorCode.NOT_ALLOWED_IN_STATE  # the lead decides what was forwarded
    assert (case.appeal, case.late, case.status) == ("granted", "handle", "dispatched")


def test_a_step_taken_in_the_second_its_time_ran_out_keeps_the_timeout_on_the_record(tmp_path: Path) -> None:
    """The clock looks once a second: a lead who files in the moment between the deadline and
    that look finds the case urged and late first, as the clock would have left it — so the
    evaluation, which reads the timeline, counts the filing late."""
    from feeds.city.workflow import Person
    from feeds.hub.core import HubCore

    clock = Clock(NOW)
    core = HubCore(Store(f"sqlite:///{tmp_path / 'hub.db'}").load(), demo().city, clock)
    lon, lat = inside(demo().city.grids[100])
    core.ingest(
        [p.Report("R-1", "06010", lon, lat, "hotline", NOW, "市民来电：路边垃圾堆放")], sender="12319"
    )
    core.act(p.Act("a-1", "AJ0000001", 1, "accept"), Person("intake", "陈静", frozenset({"intake"})))
    case = core.topics["cases"].live["AJ0000001"]
    clock.now = case.deadline + 0.5  # the tick has not run
    filed = core.act(p.Act("a-2", case.id, case.version, "file"), Person("lead", "王强", frozenset({"lead"})))
    events = [(e["actor"], e["action"], e["reason"]) for e in core.take_batch().events]
    assert events[-2:] == [("system", "urge", "timeout:file"), ("lead", "file", "")]
    assert filed.version == case.version + 2 and filed.late_in("file") and filed.escalations == 1
    assert filed.urged_at == 0.0  # the lead's step answered the urge at once
