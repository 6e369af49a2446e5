"""Which sensors and vehicles have an alarm standing (console.alarmed, no Qt): what the map rings."""

from __future__ import annotations

from test_models import NOW, delta, snapshot

from console.alarmed import Alarmed
from console.columns import AlarmColumns
from console.state import HallState
from feeds.city import demo
from feeds.wire import Alarm, Sensor, Vehicle

CITY = demo().city


def sensor(n: int) -> Sensor:
    site = CITY.sensors[n]
    return Sensor(site.id, site.kind, site.name, site.lon, site.lat, "cm")


def truck(n: int) -> Vehicle:
    return Vehicle(f"V{n}", "muck", f"苏A·{n:05d}", CITY.sensors[n].lon, CITY.sensors[n].lat, status="moving")


def alarm(n: int, priority: int, value: float = 30.0, **fields: object) -> Alarm:
    return Alarm(f"A{n}", "water_level", priority, value, 25.0, NOW, **fields)  # type: ignore[arg-type]


class Seat:
    """A state, its alarm store and the rows with alarms standing, taken frame by frame."""

    def __init__(self) -> None:
        self.state = HallState(CITY)
        self.store = AlarmColumns(self.state)
        self.alarmed = Alarmed(self.state, self.store)

    def frame(self) -> tuple[dict[str, int], dict[str, int]]:
        """id → the priority of its most urgent standing alarm, of sensors and of vehicles."""
        changes = self.state.take_changes()
        self.alarmed.update(self.store.update(changes, NOW), bool(changes.reset & {"sensors", "vehicles"}))
        found = []
        for vehicles, table in ((False, self.state.sensor_points), (True, self.state.vehicle_points)):
            standing = self.alarmed.on(vehicles)
            found.append(
                {table.ids[r]: int(p) for r, p in zip(standing.rows, standing.priorities, strict=True)}
            )
        return found[0], found[1]


def test_each_source_shows_its_most_urgent_standing_alarm():
    seat = Seat()
    snapshot(seat.state, "sensors", [sensor(n) for n in range(4)])
    snapshot(seat.state, "vehicles", [truck(1)])
    s0, s1 = sensor(0).id, sensor(1).id
    snapshot(
        seat.state,
        "alarms",
        [
            alarm(1, 3, sensor_id=s0),
            alarm(2, 1, sensor_id=s0, condition="rate"),
            alarm(3, 2, sensor_id=s1),
            alarm(4, 2, vehicle_id="V1", condition="route"),
        ],
    )
    assert seat.frame() == ({s0: 1, s1: 2}, {"V1": 2})
    standing = seat.alarmed.on(vehicles=False)
    assert [seat.state.sensor_points.ids[r] for r in standing.rows] == [s0, s1]  # the most urgent first
    assert seat.store.record(int(standing.slots[0])).id == "A2"  # its own most urgent alarm


def test_alarms_cleared_or_set_aside_stand_on_nothing():
    seat = Seat()
    snapshot(seat.state, "sensors", [sensor(n) for n in range(5)])
    ids = [sensor(n).id for n in range(5)]
    snapshot(seat.state, "alarms", [alarm(n, 1, sensor_id=ids[n]) for n in range(5)])
    assert set(seat.frame()[0]) == set(ids)
    delta(
        seat.state,
        "alarms",
        [
            alarm(0, 1, sensor_id=ids[0], state="cleared", cleared_at=NOW + 1, version=2),
            alarm(1, 1, sensor_id=ids[1], shelved_until=NOW + 600, version=2),
            alarm(2, 1, sensor_id=ids[2], out_of_service=True, version=2),
            alarm(3, 1, sensor_id=ids[3], suppressed=True, version=2),
            alarm(4, 1, sensor_id=ids[4], acked=True, version=2),  # acknowledged, still active: stands
        ],
    )
    assert seat.frame()[0] == {ids[4]: 1}


def test_an_alarm_is_placed_once_what_it_watches_arrives_and_after_a_snapshot_renumbers():
    seat = Seat()
    snapshot(seat.state, "sensors", [sensor(0)])
    snapshot(seat.state, "vehicles", [])
    snapshot(seat.state, "alarms", [alarm(1, 2, vehicle_id="V7")])
    assert seat.frame() == ({}, {})  # the truck is not known here yet
    delta(seat.state, "vehicles", [truck(7)])
    assert seat.frame() == ({}, {"V7": 2})
    snapshot(seat.state, "vehicles", [truck(3), truck(7)], stream="s2")  # V7 is now the second row
    assert seat.frame() == ({}, {"V7": 2})
    assert seat.alarmed.on(vehicles=True).rows.tolist() == [1]
