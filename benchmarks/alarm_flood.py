"""An alarm flood at a desk console: 5,000 alarms arriving within 10 seconds.

Each alarm comes with its sensor's or vehicle's change (as the hub restates a raised alarm's
source), applied to the console's state the way its feed client applies a delta, 50 deltas a
second; the console's own frame clock takes them and refreshes the case queue, the map (a halo
for every alarm, the alarmed vehicles' trails), the alarm panel (a flood: grouped by district and
class), the fleet board, the header, the sounds and the critical alert.  Aims: frame work under
16 ms, and the interval of a 50 ms timer beside the frame clock under 75 ms at the 95th
percentile.  ``measure_alarm_flood()`` is importable; ``python -m benchmarks.alarm_flood`` prints.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import sys
import time
from typing import Any

import numpy as np

from feeds import wire as p
from feeds.city import City, demo

ALARMS = 5_000
SECONDS = 10.0
DELTAS_PER_S = 50
VEHICLE_EVERY = 10  # one alarm in ten is a vehicle's
VEHICLE_CONDITIONS = ("route", "speed", "stopped", "no_driving")
NOWHERE = "ws://127.0.0.1:9"  # no hub answers here: the feed is played by the benchmark


def _sources(city: City, alarms: int) -> tuple[list[p.Sensor], list[p.Vehicle]]:
    """A sensor for each sensor alarm (the city's sites, then more beside them) and a vehicle for
    each vehicle alarm, all in the city."""
    rng = np.random.default_rng(3)
    sites, classes, districts = city.sensors, city.sensor_classes, [d.code for d in city.districts]
    sensors = []
    for n in range(alarms - alarms // VEHICLE_EVERY):
        site = sites[n % len(sites)]
        lon, lat = site.lon + rng.normal(0, 0.002), site.lat + rng.normal(0, 0.002)
        sensors.append(
            p.Sensor(f"S-{n:05d}", site.kind, f"{site.name}{n}", lon, lat, classes[site.kind].unit,
                     value=classes[site.kind].normal, ts=time.time(), district=districts[n % len(districts)])
        )  # fmt: skip
    west, south, east, north = city.bounds
    vehicles = [
        p.Vehicle(f"V-{n:04d}", "muck", f"苏A·{n:05d}", float(rng.uniform(west, east)),
                  float(rng.uniform(south, north)), status="moving", ts=time.time(),
                  district=districts[n % len(districts)])
        for n in range(alarms // VEHICLE_EVERY)
    ]  # fmt: skip
    return sensors, vehicles


class _Feed:
    """Deltas in the order a hub sends them: contiguous sequence numbers per topic."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.seq = {topic: 0 for topic in p.TOPICS}

    def snapshot(self, topic: str, items: list[Any]) -> None:
        self.seq[topic] = len(items)
        assert self.state.apply(p.Snapshot(topic, "flood", len(items), items))

    def delta(self, topic: str, items: list[Any]) -> None:
        first = self.seq[topic] + 1
        self.seq[topic] += len(items)
        assert self.state.apply(p.Delta(topic, "flood", first, self.seq[topic], items))


def _raise(
    city: City, n: int, sensors: list[p.Sensor], vehicles: list[p.Vehicle], now: float
) -> tuple[str, Any, p.Alarm]:
    """Alarm ``n`` and the change of what it watches: a vehicle's fix, or a sensor's reading in alarm."""
    if n % VEHICLE_EVERY == VEHICLE_EVERY - 1:
        vehicle = vehicles[n // VEHICLE_EVERY]
        moved = p.Vehicle(**{**_fields(vehicle), "lon": vehicle.lon + 0.0005, "ts": now})  # type: ignore[operator]
        condition = VEHICLE_CONDITIONS[n % len(VEHICLE_CONDITIONS)]
        return "vehicles", moved, p.Alarm(f"AV-{n}", "muck", 2, 180.0, 50.0, now, vehicle_id=vehicle.id,
                                          condition=condition)  # fmt: skip
    sensor = sensors[n - n // VEHICLE_EVERY]
    spec = city.sensor_classes[sensor.kind]
    value = spec.alarm * 1.2 + 1.0
    alarmed = p.Sensor(**{**_fields(sensor), "value": value, "ts": now, "state": "alarm"})
    return "sensors", alarmed, p.Alarm(f"AS-{n}", sensor.kind, spec.priority, value, spec.alarm, now,
                                       sensor_id=sensor.id)  # fmt: skip


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__struct_fields__}


def measure_alarm_flood(alarms: int = ALARMS, seconds: float = SECONDS) -> dict[str, float]:
    import qasync
    from PySide6.QtWidgets import QApplication

    from console import i18n
    from console.app import load_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    i18n.install(app)  # type: ignore[arg-type]
    load_theme(app)  # type: ignore[arg-type]
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(_flood(alarms, seconds))


async def _flood(alarms: int, seconds: float) -> dict[str, float]:
    from PySide6.QtCore import QTimer

    from console.app import Console
    from layouts import load

    city = demo().city
    console = Console(load("desk"), NOWHERE, "bench", "console")
    console.set_city(city)
    sensors, vehicles = _sources(city, alarms)
    feed = _Feed(console.state)
    for topic, items in (("cases", []), ("alarms", []), ("sensors", sensors), ("vehicles", vehicles)):
        feed.snapshot(topic, items)
    ticks: list[float] = []
    probe = QTimer()  # a 20 Hz timer beside the frame clock: its real intervals show a blocked loop
    probe.setInterval(50)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    console.start()
    for window in console.windows:
        window.resize(1920, 1080)
    await asyncio.sleep(1.0)  # the city drawn, the windows shown
    console.frame_ms.clear()
    probe.start()
    loop = asyncio.get_running_loop()
    started = due = loop.time()
    per_delta = round(alarms / seconds / DELTAS_PER_S)
    for first in range(0, alarms, per_delta):
        due += 1 / DELTAS_PER_S
        await asyncio.sleep(max(0.0, due - loop.time()))
        now = time.time()
        raised = [
            _raise(city, n, sensors, vehicles, now) for n in range(first, min(first + per_delta, alarms))
        ]
        for topic in ("sensors", "vehicles"):
            if changed := [record for kind, record, _alarm in raised if kind == topic]:
                feed.delta(topic, changed)
        feed.delta("alarms", [alarm for _topic, _record, alarm in raised])
    elapsed = loop.time() - started
    await asyncio.sleep(0.2)  # the last frame takes the last alarms
    probe.stop()
    shown = {
        "alarms": len(console.alarm_columns),
        "halos": max((len(m.halos.x) for m in console.maps), default=0),
        "flood": all(panel.flooded() for panel in console.alarm_panels),
    }
    await console.stop()
    assert shown["alarms"] == alarms and shown["flood"], shown
    frames = sorted(console.frame_ms)
    intervals = sorted((b - a) * 1000 for a, b in itertools.pairwise(ticks))
    return {
        "alarm_flood_alarms": float(alarms),
        "alarm_flood_seconds": elapsed,
        "alarm_flood_halos": float(shown["halos"]),
        "alarm_flood_frames_per_s": len(frames) / (elapsed + 0.2),
        "alarm_flood_frame_work_ms_median": statistics.median(frames),
        "alarm_flood_frame_work_ms_p95": frames[int(0.95 * (len(frames) - 1))],
        "alarm_flood_frame_work_ms_max": frames[-1],
        "alarm_flood_frame_interval_ms_p95": intervals[int(0.95 * (len(intervals) - 1))],
    }


if __name__ == "__main__":
    print(measure_alarm_flood())
