"""The console's Qt-free mirror: what the header counts, straight from the records."""

from __future__ import annotations

from console.state import HallState
from feeds import wire as p
from feeds.city import demo

NOW = 1_795_000_000.0


def test_the_summary_counts_what_a_dispatcher_scans_first() -> None:
    state = HallState()
    cases = [
        p.Case("AJ1", "06010", "g", "d", "s", 1.0, 1.0, "inspector", "", "filed", NOW, NOW - 1, 60.0, 1),
        p.Case(
            "AJ2",
            "06010",
            "g",
            "d",
            "s",
            1.0,
            1.0,
            "inspector",
            "",
            "dispatched",
            NOW,
            NOW + 60,
            60.0,
            2,
            escalations=1,
        ),
    ]
    state.apply(p.Snapshot("cases", "s", 2, cases))  # type: ignore[arg-type]
    alarms = [
        p.Alarm("AL1", "WL-01", "water_level", 1, 30.0, 25.0, NOW),
        p.Alarm("AL2", "GAS-1", "gas", 2, 22.0, 20.0, NOW, state="cleared"),
    ]
    state.apply(p.Snapshot("alarms", "s", 2, alarms))  # type: ignore[arg-type]
    summary = state.summary(NOW)
    assert (summary.to_dispatch, summary.overdue, summary.escalated) == (1, 1, 1)
    assert (summary.alarms_active, summary.alarms_critical) == (1, 1)


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
    assert state.summary(NOW).outside == 0  # before the city arrives, nothing is known to be outside
    state.set_city(city)
    assert state.take_changes().city
    assert state.summary(NOW).outside == 2


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
