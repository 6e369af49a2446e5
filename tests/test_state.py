"""The console's Qt-free mirror, and what the header counts from its column stores."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from console.columns import AlarmColumns, CaseColumns, VehicleColumns, hall_summary
from console.state import Changes, HallState, signed_in
from feeds import wire as p
from feeds.city import demo
from feeds.city.model import metres_per_degree
from feeds.city.workflow import Person
from feeds.city.workflow import default as default_workflow

NOW = 1_795_000_000.0


def case(n: int, status: str, deadline: float, **fields: object) -> p.Case:
    """Case ``n`` in ``status``, running its state's stage clock (none once final)."""
    values: dict[str, object] = {
        "id": f"AJ{n}",
        "category": "06010",
        "grid": "g",
        "district": "d",
        "street": "s",
        "lon": 1.0,
        "lat": 1.0,
        "source": "inspector",
        "description": "",
        "status": status,
        "reported_at": NOW - 600,
        "deadline": deadline,
        "limit_s": 1800.0,
        "version": 1,
        "stage": default_workflow().states[status].stage,
        **fields,
    }
    return p.Case(**values)  # type: ignore[arg-type]


def test_the_summary_counts_what_a_dispatcher_scans_first() -> None:
    state = HallState()
    cases = [
        case(1, "to_dispatch", NOW - 1),  # waits for a dispatcher, and is overdue
        case(2, "to_dispatch", NOW + 60),
        case(3, "dispatched", NOW + 60),  # with a department already
        case(4, "handling", NOW + 60, escalations=1),  # urged, in time
        case(5, "handling", NOW - 3600, escalations=2, raised=True),  # left alone: on the lead's seat
        case(6, "hung", NOW - 7200, paused_left_s=0.0),  # its clock stands still: not overdue
    ]
    state.apply(p.Snapshot("cases", "s", len(cases), cases))  # type: ignore[arg-type]
    alarms = [
        p.Alarm("AL1", "water_level", 1, 30.0, 25.0, NOW, sensor_id="WL-01"),
        p.Alarm("AL2", "gas", 2, 22.0, 20.0, NOW, state="cleared", sensor_id="GAS-1"),
        p.Alarm(
            "AL3", "gas", 1, 40.0, 35.0, NOW, state="cleared", acked=True, to_lead=True, sensor_id="GAS-2"
        ),
        p.Alarm("AL4", "gas", 1, 41.0, 35.0, NOW, to_lead=True, sensor_id="GAS-3"),  # unacknowledged too long
    ]
    state.apply(p.Snapshot("alarms", "s", 4, alarms))  # type: ignore[arg-type]
    vehicles = [
        p.Vehicle("V1", "muck", "苏A·1", 118.78, 32.04, ts=NOW),
        p.Vehicle("V2", "muck", "苏A·2", 118.79, 32.04, ts=NOW, status="offline"),
        p.Vehicle("V3", "repair", "苏A·3"),  # never heard from
    ]
    state.apply(p.Snapshot("vehicles", "s", 3, vehicles))  # type: ignore[arg-type]
    stores = CaseColumns(state, NOW), AlarmColumns(state, NOW), VehicleColumns(state, NOW)
    summary = hall_summary(*stores)
    assert (summary.to_dispatch, summary.overdue, summary.escalated, summary.raised) == (2, 2, 2, 2)
    assert (summary.alarms_active, summary.alarms_critical) == (2, 2)
    assert (summary.vehicles_online, summary.vehicles) == (1, 3)
    assert stores[0].update(Changes(), NOW + 120).applied
    assert hall_summary(*stores).overdue == 5  # the clock alone turns cases overdue


def test_closed_cases_leave_the_header_counts() -> None:
    state = HallState()
    cases = [
        case(1, "closed", NOW - 9999, escalations=2, late="handle"),  # urged and late, then closed
        case(2, "voided", NOW - 60, escalations=1),
        case(3, "handling", NOW + 600),
    ]
    state.apply(p.Snapshot("cases", "s", len(cases), cases))  # type: ignore[arg-type]
    summary = hall_summary(CaseColumns(state, NOW), AlarmColumns(state, NOW), VehicleColumns(state, NOW))
    assert (summary.to_dispatch, summary.overdue, summary.escalated) == (0, 0, 0)


def test_the_clocks_follow_the_city_calendar() -> None:
    state = HallState()
    office = state.clocks["working_hours"]
    assert state.clocks is state.clocks  # built once, not every frame
    assert office.day_seconds() == 8 * 3600  # the default calendar's 08:00-12:00 and 14:00-18:00
    city = demo().city
    state.set_city(city)
    assert state.clocks is not office and state.clocks["working_hours"].day_seconds() == 8 * 3600
    holiday = datetime(
        2026, 10, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")
    ).timestamp()  # 国庆 in the demo city
    assert state.clocks["working_hours"].elapsed(holiday, holiday + 3600) == 0.0
    assert office.elapsed(holiday, holiday + 3600) == 3600.0  # the default calendar has no holidays


def test_who_sits_at_the_seat_comes_from_the_welcome() -> None:
    welcome = p.Welcome(
        p.PROTOCOL_VERSION,
        "hub",
        "session-1",
        "滨江市",
        NOW,
        "console",
        "sanitation",
        name="孙丽",
        roles=["handler"],
        department="sanitation",
        scope="320102",
    )
    actor = signed_in(welcome)
    assert actor == Person("sanitation", "孙丽", frozenset({"handler"}), "sanitation", "320102")
    assert default_workflow().work_states(actor.roles) >= {"dispatched", "handling"}


def test_things_outside_the_city_are_counted_once_the_city_is_known() -> None:
    city = demo().city
    state = HallState()
    vehicles = [
        p.Vehicle("V1", "muck", "苏A·1", 118.78, 32.04, ts=NOW, district="320104"),
        p.Vehicle("V2", "muck", "苏A·2", 119.50, 32.04, ts=NOW, district=""),  # out of town
        p.Vehicle("V3", "repair", "苏A·3"),  # no fix yet: not outside, just not placed
    ]
    state.apply(p.Snapshot("vehicles", "s", 3, vehicles))  # type: ignore[arg-type]
    sensors = [p.Sensor("S1", "gas", "阀井", 118.0, 31.0, "%LEL", district="")]
    state.apply(p.Snapshot("sensors", "s", 1, sensors))  # type: ignore[arg-type]
    assert state.outside() == 0  # before the city arrives, nothing is known to be outside
    state.set_city(city)
    assert state.take_changes().city
    assert state.outside() == 2


def test_a_snapshot_in_parts_is_shown_whole_when_its_last_part_arrives() -> None:
    state = HallState()
    vehicles = [p.Vehicle(f"V{n}", "muck", f"苏A·{n}") for n in range(6)]
    assert state.apply(p.Snapshot("vehicles", "s", 6, vehicles[:2], part=0, final=False))  # type: ignore[arg-type]
    assert state.apply(p.Snapshot("vehicles", "s", 6, vehicles[2:4], part=1, final=False))  # type: ignore[arg-type]
    assert not state.take_changes() and state.vehicles == {}  # nothing half-loaded reaches the views
    assert state.apply(p.Snapshot("vehicles", "s", 6, vehicles[4:], part=2, final=True))  # type: ignore[arg-type]
    changes = state.take_changes()
    assert changes.reset == {"vehicles"} and set(state.vehicles) == {v.id for v in vehicles}
    assert state.positions["vehicles"] == p.Position("s", 6)


def test_a_snapshot_missing_a_part_asks_again() -> None:
    state = HallState()
    vehicles = [p.Vehicle(f"V{n}", "muck", f"苏A·{n}") for n in range(3)]
    assert state.apply(p.Snapshot("vehicles", "s", 3, vehicles[:1], part=0, final=False))  # type: ignore[arg-type]
    assert not state.apply(p.Snapshot("vehicles", "s", 3, vehicles[2:], part=2, final=True))  # type: ignore[arg-type]
    assert not state.apply(p.Snapshot("vehicles", "s", 3, vehicles[1:2], part=1, final=False))  # type: ignore[arg-type]
    assert state.vehicles == {} and "vehicles" not in state.positions


def test_the_nearest_free_crews_of_a_suitable_kind_are_offered_for_a_case() -> None:
    """A flooded road (10003) wants a repair crew: the nearest free ones, not the sweepers near
    it, not a crew already at work, silent for minutes or offline."""
    city = demo().city
    state = HallState(city)
    lon, lat = city.lon0, city.lat0
    east = 1 / metres_per_degree(city.lat0)[0]  # a metre of longitude here

    def vehicle(n: int, kind: str, metres: float, status: str = "moving", age: float = 10.0) -> p.Vehicle:
        return p.Vehicle(f"V{n}", kind, f"苏A{n}", lon + metres * east, lat, status=status, ts=NOW - age)

    fleet = [
        vehicle(1, "sanitation", 50),  # nearest of all, but a sweeper
        vehicle(2, "repair", 900),
        vehicle(3, "repair", 300, status="idle"),
        vehicle(4, "repair", 100, status="working"),  # at another job
        vehicle(5, "repair", 120, status="offline"),
        vehicle(6, "repair", 150, age=600),  # silent ten minutes: where is it?
        vehicle(7, "repair", 2_000),
        vehicle(8, "repair", 5_000),
    ]
    state.apply(p.Snapshot("vehicles", "s", len(fleet), fleet))  # type: ignore[arg-type]
    flooded = case(1, "to_dispatch", NOW + 600, category="10003", lon=lon, lat=lat)
    offered = state.nearest_crews(flooded, 3, NOW)
    assert [v.id for v, _ in offered] == ["V3", "V2", "V7"]
    assert [round(m) for _, m in offered] == [300, 900, 2000]
    litter = case(2, "to_dispatch", NOW + 600, category="06010", lon=lon, lat=lat)
    assert [v.id for v, _ in state.nearest_crews(litter, 3, NOW)] == ["V1"]
