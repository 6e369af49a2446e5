"""The alarm load at an operator position against ISA-18.2's figures, and a flood's groups."""

from __future__ import annotations

from msgspec.structs import replace

from console.alarm_load import FLOOD, WINDOW_S, AlarmLoad, groups
from feeds.records import Alarm, Sensor

NOW = 1_795_000_000.0


def alarm(n: int, at: float, kind: str = "water_level", priority: int = 1, **fields: object) -> Alarm:
    return Alarm(f"AL{n}", kind, priority, 30.0, 25.0, at, **fields, sensor_id=f"S{n % 7}")  # type: ignore[arg-type]


SENSORS = {
    f"S{n}": Sensor(f"S{n}", "water_level", "点", 0, 0, "cm", district=("320102", "320104")[n % 2])
    for n in range(7)
}


def test_every_raise_counts_once_for_ten_minutes_and_set_aside_ones_do_not() -> None:
    load = AlarmLoad()
    first = alarm(1, NOW - 100)
    load.see([first, alarm(2, NOW - 50), alarm(3, NOW - 700)])  # the last one long ago
    load.see([replace(first, value=40.0)])  # an update of a standing alarm: not a new one
    assert load.rate(NOW) == 2
    load.see([replace(first, raised=2, raised_at=NOW - 10)])  # raised again: counts again
    load.see([alarm(4, NOW - 5, shelved_until=NOW + 600), alarm(5, NOW - 5, out_of_service=True)])
    load.see([alarm(6, NOW - 5, state="cleared")])  # came and went between two frames: not before us
    assert load.rate(NOW) == 3
    load.see([alarm(7, NOW + 0.4)])  # stamped within the frame's second
    assert load.rate(NOW) == 4
    assert load.rate(NOW + WINDOW_S - 49) == 2 and load.rate(NOW + WINDOW_S + 1) == 0


def test_more_than_ten_in_ten_minutes_is_a_flood() -> None:
    load = AlarmLoad()
    load.see(alarm(n, NOW - n) for n in range(FLOOD))
    assert not load.flooded(NOW)
    load.see([alarm(99, NOW)])
    assert load.flooded(NOW)


def test_a_flood_is_grouped_by_district_and_class_the_most_urgent_first() -> None:
    alarms = [
        *(alarm(n, NOW - n, "manhole_tilt", priority=2) for n in range(12)),
        *(alarm(100 + n, NOW - n, "water_level", priority=1, acked=n % 2 == 0) for n in range(4)),
        alarm(200, NOW, "dust", priority=4),
        alarm(201, NOW, "gas", priority=1, shelved_until=NOW + 600),  # set aside: not in the groups
        alarm(202, NOW, "gas", priority=1, state="cleared", acked=True),  # normal again
    ]
    found = groups(alarms, lambda a: SENSORS.get(a.sensor_id))
    assert [(g.kind, g.district, g.count, g.unacked, g.priority) for g in found][:2] == [
        ("water_level", "320104", 2, 2, 1),  # critical first, the most unacknowledged first
        ("water_level", "320102", 2, 0, 1),
    ]
    assert {g.kind for g in found} == {"water_level", "manhole_tilt", "dust"} and found[-1].kind == "dust"
    assert sum(g.count for g in found) == 17
