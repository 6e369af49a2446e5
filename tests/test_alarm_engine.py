"""The alarm engine on its own: ISA-18.2 points raised, held and cleared by the city's numbers
(limits, deadband, delays, rate, silence, chattering), and the operator's actions on them."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from benchmarks.alarms import measure_alarms
from feeds.city import demo
from feeds.city.model import SensorClass
from feeds.city.workflow import Person
from feeds.hub.rules.alarms import AlarmEngine, standing
from feeds.records import Alarm, Sensor
from feeds.wire.errors import ErrorCode, ProtocolError

CLASSES = demo().city.sensor_classes
NOW = 1_795_000_000.0
DISPATCHER = Person("dispatcher", "李娜", frozenset({"dispatcher"}))
LEAD = Person("lead", "王强", frozenset({"lead"}))
WALL = Person("wall", "大屏", frozenset({"wall"}))


def spec(kind: str, **fields: Any) -> SensorClass:
    return dataclasses.replace(CLASSES[kind], **fields)


class Hall:
    """An engine over a live dict, as the hub's core keeps it; readings go through ``read``."""

    def __init__(self) -> None:
        self.alarms: dict[str, Alarm] = {}
        self.sensors: dict[str, Sensor] = {}
        numbers = itertools.count(1)
        self.engine = AlarmEngine(self.alarms, self._store, lambda: f"AL{next(numbers):07d}")

    def _store(self, alarm: Alarm) -> Alarm:
        self.alarms[alarm.id] = alarm
        return alarm

    def read(self, rules: SensorClass, value: float, at: float, sensor_id: str = "S1") -> None:
        sensor = self.sensors.get(sensor_id) or Sensor(sensor_id, rules.code, "测点", 118.8, 32.0, rules.unit)
        self.engine.reading(rules, sensor, value, at)
        self.sensors[sensor_id] = replace(sensor, value=value, ts=at)

    def only(self, condition: str = "high") -> Alarm:
        found = [a for a in self.alarms.values() if a.condition == condition]
        assert len(found) == 1, found
        return found[0]

    def only_of(self, sensor_id: str) -> Alarm:
        (found,) = [a for a in self.alarms.values() if a.sensor_id == sensor_id]
        return found

    def actions(self) -> list[str]:
        return [event.action for event in self.engine.take_events()]


def test_a_reading_past_the_alarm_limit_raises_one_critical_alarm_that_follows_the_value() -> None:
    hall, water = Hall(), spec("water_level", on_delay_s=0, rate_per_min=None)
    hall.read(water, 31.0, NOW)
    hall.read(water, 38.5, NOW + 5)
    hall.read(water, 33.0, NOW + 10)
    alarm = hall.only()
    assert (alarm.state, alarm.priority, alarm.threshold) == ("active", 1, 25.0)
    assert (alarm.value, alarm.peak) == (33.0, 38.5)  # the current value beside the worst
    assert hall.actions() == ["raise"] and len(hall.alarms) == 1


def test_a_warning_that_grows_into_an_alarm_is_the_same_alarm_at_a_higher_priority() -> None:
    hall, water = Hall(), spec("water_level", on_delay_s=0, rate_per_min=None)
    hall.read(water, 12.0, NOW)
    assert (hall.only().priority, hall.only().threshold) == (2, 10.0)
    hall.read(water, 26.0, NOW + 60)
    hall.read(water, 20.0, NOW + 120)
    assert (hall.only().priority, hall.only().threshold, hall.only().value) == (1, 25.0, 20.0)
    assert hall.actions() == ["raise", "escalate"]  # on the record; the priority stays at its height


def test_the_deadband_holds_an_alarm_until_the_value_is_well_back() -> None:
    hall, water = Hall(), spec("water_level", on_delay_s=0, off_delay_s=0, rate_per_min=None)
    hall.read(water, 11.0, NOW)
    hall.read(water, 9.5, NOW + 10)  # under the 10 cm warning, within its 10% deadband
    assert hall.only().state == "active"
    hall.read(water, 8.9, NOW + 20)
    assert (hall.only().state, hall.only().cleared_at) == ("cleared", NOW + 20)


def test_a_manhole_tilt_counts_only_after_thirty_seconds() -> None:
    hall, tilt = Hall(), spec("manhole_tilt")
    assert tilt.on_delay_s == 30
    hall.read(tilt, 20.0, NOW)
    hall.read(tilt, 21.0, NOW + 10)
    hall.read(tilt, 0.5, NOW + 15)  # a truck ran over it
    hall.engine.tick(NOW + 60)
    assert hall.alarms == {}
    hall.read(tilt, 20.0, NOW + 100)  # knocked off: stays tilted
    hall.engine.tick(NOW + 129)
    assert hall.alarms == {}
    hall.engine.tick(NOW + 130)  # no reading needed: the clock raises it
    assert (hall.only().state, hall.only().raised_at) == ("active", NOW + 130)


def test_bridge_vibration_under_two_seconds_is_ignored() -> None:
    hall, strain = Hall(), spec("bridge_strain")
    hall.read(strain, 1200.0, NOW)
    hall.read(strain, 1100.0, NOW + 1.5)
    hall.read(strain, 300.0, NOW + 1.9)
    hall.engine.tick(NOW + 10)
    assert hall.alarms == {}
    hall.read(strain, 1200.0, NOW + 20)
    hall.read(strain, 1150.0, NOW + 22)
    assert hall.only().priority == 1


def test_an_alarm_clears_only_after_its_off_delay() -> None:
    hall, water = Hall(), spec("water_level", on_delay_s=0, off_delay_s=120, rate_per_min=None)
    hall.read(water, 30.0, NOW)
    hall.read(water, 2.0, NOW + 10)
    hall.read(water, 1.0, NOW + 60)
    assert hall.only().state == "active" and hall.only().value == 1.0  # its current value drops
    hall.read(water, 12.0, NOW + 100)  # back before the delay ran out: it never cleared
    hall.read(water, 1.0, NOW + 110)
    hall.engine.tick(NOW + 229)
    assert hall.only().state == "active"
    hall.engine.tick(NOW + 230)
    # unacknowledged for two minutes, it had gone to the lead meanwhile
    assert hall.only().state == "cleared" and hall.actions() == ["raise", "to_lead", "clear"]


def test_water_rising_fast_raises_a_rate_alarm_before_the_depth_limit() -> None:
    hall, water = Hall(), spec("water_level", on_delay_s=0, off_delay_s=0)
    assert water.rate_per_min == 5
    for n in range(8):  # 6 cm a minute, every 10 s: still under the 10 cm warning at the end
        hall.read(water, 0.1 * n * 10, NOW + 10 * n)
    rate = hall.only("rate")
    assert rate.state == "active" and rate.priority == 2 and 5.5 < rate.value < 6.5
    assert not [a for a in hall.alarms.values() if a.condition == "high"]
    slow = Hall()
    for n in range(30):  # 1 cm a minute
        slow.read(water, n / 6, NOW + 10 * n, "S2")
    assert [a.condition for a in slow.alarms.values()] == []


def test_a_silent_sensor_shows_unknown_then_offline_with_a_communication_alarm() -> None:
    hall, gas = Hall(), spec("gas")
    hall.read(gas, 1.0, NOW)
    sensor = hall.sensors["S1"]
    assert hall.engine.silence(gas, sensor, NOW + gas.stale_s - 1) == ""
    assert hall.engine.silence(gas, sensor, NOW + gas.stale_s) == "unknown"
    assert hall.alarms == {}
    assert hall.engine.silence(gas, sensor, NOW + gas.offline_s) == "offline"
    comm = hall.only("comm")
    assert (comm.state, comm.priority, comm.value) == ("active", 3, gas.offline_s)
    assert hall.engine.silence(gas, sensor, NOW + gas.offline_s + 60) == "offline" and len(hall.alarms) == 1
    hall.read(gas, 1.0, NOW + gas.offline_s + 90)  # it speaks again
    assert hall.only("comm").state == "cleared"


def test_a_chattering_alarm_is_held_until_it_has_been_quiet_for_the_window() -> None:
    hall, tilt = Hall(), spec("manhole_tilt", on_delay_s=0, off_delay_s=0)
    t = NOW
    for _ in range(tilt.chatter_count):  # raised and cleared every minute
        hall.read(tilt, 16.0, t)
        hall.read(tilt, 0.5, t + 30)
        t += 60
    alarm = hall.only()
    assert alarm.chattering and alarm.state == "active" and alarm.raised == tilt.chatter_count
    assert hall.actions().count("chatter") == 1
    hall.read(tilt, 16.0, t)
    hall.read(tilt, 0.5, t + 30)
    assert hall.only().state == "active" and hall.actions() == []  # no more coming and going
    hall.engine.tick(t + 30 + tilt.chatter_window_s)
    assert (hall.only().state, hall.only().chattering) == ("cleared", False)


def test_a_heating_supply_pressure_that_falls_raises_a_low_alarm_and_keeps_the_lowest() -> None:
    hall, pressure = Hall(), spec("heating_pressure", on_delay_s=0, off_delay_s=0)
    hall.read(pressure, 1.0, NOW)
    hall.read(pressure, 0.55, NOW + 10)
    assert (hall.only("low").priority, hall.only("low").threshold) == (2, 0.6)
    hall.read(pressure, 0.3, NOW + 20)
    hall.read(pressure, 0.5, NOW + 30)
    low = hall.only("low")
    assert (low.priority, low.threshold, low.value, low.peak) == (1, 0.4, 0.5, 0.3)
    hall.read(pressure, 0.63, NOW + 40)  # within the deadband above the 0.6 MPa limit
    assert hall.only("low").state == "active"
    hall.read(pressure, 0.9, NOW + 50)
    assert hall.only("low").state == "cleared"


def test_raised_again_it_is_the_same_alarm_unacknowledged_with_its_count() -> None:
    hall, water = Hall(), spec("water_level", on_delay_s=0, off_delay_s=0, rate_per_min=None)
    hall.read(water, 30.0, NOW)
    first = hall.engine.act(hall.only(), "ack", DISPATCHER, NOW + 5)
    hall.read(water, 0.0, NOW + 10)
    hall.read(water, 30.0, NOW + 20)
    again = hall.only()
    assert again.id == first.id and (again.raised, again.acked, again.acked_by) == (2, False, "")
    assert again.version > first.version


def test_acknowledging_is_for_the_desk_and_happens_once() -> None:
    hall, water = Hall(), spec("water_level", on_delay_s=0, rate_per_min=None)
    hall.read(water, 30.0, NOW)
    with pytest.raises(ProtocolError) as refused:
        hall.engine.act(hall.only(), "ack", WALL, NOW)
    assert refused.value.code == ErrorCode.FORBIDDEN
    acked = hall.engine.act(hall.only(), "ack", DISPATCHER, NOW + 3)
    assert (acked.acked, acked.acked_by, acked.acked_at) == (True, "dispatcher", NOW + 3)
    with pytest.raises(ProtocolError) as again:
        hall.engine.act(acked, "ack", LEAD, NOW + 4)
    assert (
        again.value.code == ErrorCode.NOT_ALLOWED_IN_STATE and "already acknowledged" in again.value.message
    )
    events = hall.engine.take_events()
    assert [(e.action, e.actor, e.role) for e in events] == [
        ("raise", "system", "system"),
        ("ack", "dispatcher", "dispatcher"),
    ]


def test_a_shelf_needs_a_reason_and_an_end_within_the_class_limit_and_ends_on_its_own() -> None:
    hall, gas = Hall(), spec("gas", on_delay_s=0)
    hall.read(gas, 40.0, NOW)
    alarm = hall.only()
    with pytest.raises(ProtocolError) as no_reason:
        hall.engine.act(alarm, "shelve", LEAD, NOW, until=NOW + 600)
    assert no_reason.value.code == ErrorCode.REASON_REQUIRED
    with pytest.raises(ProtocolError) as too_long:
        hall.engine.act(alarm, "shelve", LEAD, NOW, "检修", until=NOW + 7200, max_shelve_s=gas.max_shelve_s)
    assert too_long.value.code == ErrorCode.INVALID and "0.5 h" in too_long.value.message
    shelved = hall.engine.act(alarm, "shelve", LEAD, NOW, "燃气公司已到场", NOW + 600, gas.max_shelve_s)
    assert (shelved.shelved_until, shelved.shelved_by, shelved.note) == (NOW + 600, "lead", "燃气公司已到场")
    assert not standing(shelved, NOW + 1)
    hall.engine.tick(NOW + 599)
    assert hall.only().shelved_until == NOW + 600
    hall.engine.tick(NOW + 600)
    assert hall.only().shelved_until == 0 and standing(hall.only(), NOW + 600)
    assert hall.actions()[-1] == "shelve_ended"


def test_out_of_service_is_the_leads_with_a_reason_and_leaves_the_counts() -> None:
    hall, light = Hall(), spec("street_light", on_delay_s=0)
    hall.read(light, 1.0, NOW)
    with pytest.raises(ProtocolError) as refused:
        hall.engine.act(hall.only(), "remove", DISPATCHER, NOW, "检修")
    assert refused.value.code == ErrorCode.FORBIDDEN
    removed = hall.engine.act(hall.only(), "remove", LEAD, NOW, "路灯所检修线路")
    assert removed.out_of_service and not standing(removed, NOW)
    with pytest.raises(ProtocolError):
        hall.engine.act(removed, "remove", LEAD, NOW, "again")
    restored = hall.engine.act(removed, "restore", LEAD, NOW + 3600)
    assert not restored.out_of_service and standing(restored, NOW + 3600)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0, 60), min_size=1, max_size=60),
    st.lists(st.floats(0.5, 40), min_size=60, max_size=60),
    st.sampled_from([0.0, 10.0]),
)
def test_one_alarm_per_sensor_and_condition_and_its_raises_and_clears_alternate(
    values: list[float], gaps: list[float], off_delay: float
) -> None:
    hall, water = Hall(), spec("water_level", off_delay_s=off_delay)
    at = NOW
    for value, gap in zip(values, gaps, strict=False):
        hall.read(water, value, at)
        at += gap
        hall.engine.tick(at)
    points = [(a.sensor_id, a.condition) for a in hall.alarms.values()]
    assert len(points) == len(set(points))
    by_alarm: dict[str, list[str]] = {}
    for event in hall.engine.take_events():
        if event.action in ("raise", "clear"):
            by_alarm.setdefault(event.alarm.id, []).append(event.action)
    for actions in by_alarm.values():
        assert actions[::2] == ["raise"] * len(actions[::2]) and all(a == "clear" for a in actions[1::2])
        assert hall.alarms[next(iter(by_alarm))].raised >= 1


def test_the_engine_benchmark_raises_in_the_hub_what_the_engine_raises_alone() -> None:
    figures = measure_alarms(rounds=40)
    assert figures["alarm_engine_alarms"] > 0 and figures["alarm_readings"] == 40 * len(demo().city.sensors)
    assert figures["alarm_engine_readings_per_s"] > 0 and figures["hub_core_readings_per_s"] > 0


def test_a_critical_alarm_nobody_acknowledges_goes_to_the_shift_lead() -> None:
    hall, gas = Hall(), spec("gas", on_delay_s=0)
    hall.engine.ack_within_s = 120
    hall.read(gas, 40.0, NOW)
    hall.read(gas, 25.0, NOW + 5, "S2")  # a warning (priority 2): the desk's alone
    hall.engine.tick(NOW + 119)
    assert not hall.only_of("S1").to_lead
    hall.engine.tick(NOW + 120)
    assert hall.only_of("S1").to_lead and not hall.only_of("S2").to_lead
    assert "to_lead" in hall.actions()
    acked_in_time = Hall()
    acked_in_time.engine.ack_within_s = 120
    acked_in_time.read(gas, 40.0, NOW)
    acked_in_time.engine.act(acked_in_time.only(), "ack", DISPATCHER, NOW + 60)
    acked_in_time.engine.tick(NOW + 600)
    assert not acked_in_time.only().to_lead


def test_alarms_downstream_of_a_standing_alarm_are_suppressed_by_design_until_it_clears() -> None:
    hall, water = Hall(), spec("water_level", on_delay_s=0, off_delay_s=0, rate_per_min=None)
    hall.engine = AlarmEngine(
        hall.alarms, hall._store, lambda: f"AL{len(hall.alarms) + 1}", 120.0, {"S2": "S1"}
    )
    hall.read(water, 30.0, NOW, "S1")  # the pump station's sump floods …
    hall.read(water, 30.0, NOW + 5, "S2")  # … so the street below it is expected to
    assert hall.only_of("S2").suppressed and not hall.only_of("S1").suppressed
    hall.engine.tick(NOW + 600)
    assert not hall.only_of("S2").to_lead and hall.only_of("S1").to_lead  # suppressed: nobody's to answer
    hall.read(water, 1.0, NOW + 700, "S1")  # the sump is pumped out; the street still floods
    hall.read(water, 31.0, NOW + 710, "S2")
    assert not hall.only_of("S2").suppressed  # now it is news
