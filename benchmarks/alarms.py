"""The alarm engine's throughput (aim: at least 100,000 readings a second on one core), and the
hub core's whole path for a reading beside it (checks, the engine, the sensor's new state, the
history row, the write batch).  The fleet rules too: GPS fixes through the hub core with the
city's fences and limits, beside the same fixes in a city without them.

The readings are the demo city's sensors in a rainstorm-like mix: most quiet, a tenth past a
limit (so alarms are raised, held and updated), every class's rules (delays, deadbands, rates).
``measure_alarms()`` is importable without side effects; ``python -m benchmarks.alarms`` prints
its result.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from msgspec.structs import replace

from feeds.city import City, demo
from feeds.hub.core import HubCore
from feeds.hub.rules.alarms import AlarmEngine
from feeds.hub.store import Loaded
from feeds.records import Alarm, Sensor
from feeds.wire.messages import Fix, Reading, SensorInfo, VehicleInfo

START = 1_795_000_000.0
SECONDS_PER_ROUND = 1.0  # every sensor reads once a second
TOPICS = ("cases", "alarms", "sensors", "vehicles")


def _readings(rounds: int) -> tuple[list[Sensor], np.ndarray]:
    """The demo city's sensors and (rounds, sensors) values: quiet with noise, a tenth of them
    rising past their alarm limit halfway through."""
    city = demo().city
    sensors = [
        Sensor(s.id, s.kind, s.name, s.lon, s.lat, city.sensor_classes[s.kind].unit) for s in city.sensors
    ]
    specs = [city.sensor_classes[s.kind] for s in sensors]
    rng = np.random.default_rng(3)
    normal = np.array([spec.normal for spec in specs])
    span = np.array([spec.high - spec.low for spec in specs])
    values = normal + rng.normal(0, 0.005, (rounds, len(specs))) * span
    rising = rng.random(len(specs)) < 0.1
    peak = np.array([min(spec.alarm * 1.3, spec.high) for spec in specs])
    ramp = np.clip(np.linspace(-1, 1, rounds), 0, 1)[:, None]
    values = np.where(rising, values + ramp * (peak - normal), values)
    low = np.array([spec.low for spec in specs])
    high = np.array([spec.high for spec in specs])
    return sensors, np.clip(values, low, high)


def measure_alarms(rounds: int = 400) -> dict[str, float]:
    sensors, values = _readings(rounds)
    city = demo().city
    specs = [city.sensor_class(s.id, s.kind) for s in sensors]

    alarms: dict[str, Alarm] = {}
    numbers = iter(range(1, 10**9))
    engine = AlarmEngine(alarms, lambda a: alarms.__setitem__(a.id, a) or a, lambda: f"AL{next(numbers)}")
    live = {s.id: s for s in sensors}
    started = time.perf_counter()
    for n, row in enumerate(values.tolist()):
        at = START + n * SECONDS_PER_ROUND
        for sensor, spec, value in zip(sensors, specs, row, strict=True):
            engine.reading(spec, live[sensor.id], value, at)
            live[sensor.id] = replace(live[sensor.id], value=value, ts=at)
        engine.tick(at)
    engine_s = time.perf_counter() - started
    count = values.size

    loaded = Loaded({t: "bench" for t in TOPICS}, {t: [] for t in TOPICS}, {}, {}, {})
    clock = [START]
    core = HubCore(loaded, city, lambda: clock[0])
    core.ingest([SensorInfo(s.id, s.kind, s.name, s.lon, s.lat, s.unit) for s in sensors], sender="gw")
    core.take_batch()
    started = time.perf_counter()
    for n, row in enumerate(values.tolist()):
        clock[0] = at = START + n * SECONDS_PER_ROUND
        core.ingest([Reading(s.id, v, at) for s, v in zip(sensors, row, strict=True)], sender="gw")
        core.tick()
        if n % 10 == 9:
            core.take_batch()  # what a commit takes away
    core_s = time.perf_counter() - started
    if len(core.topics["alarms"].live) != len(alarms):  # the same readings, the same alarms
        raise RuntimeError(
            f"the hub raised {len(core.topics['alarms'].live)} alarms, the engine {len(alarms)}"
        )
    return {
        "alarm_engine_readings_per_s": count / engine_s,
        "alarm_engine_alarms": float(len(alarms)),
        "hub_core_readings_per_s": count / core_s,
        "alarm_readings": float(count),
    }


def _fix_frames(city: City, vehicles: int, rounds: int) -> tuple[list[VehicleInfo], list[list[Fix]]]:
    """Every vehicle fixing once a round, a frame of 500 fixes at a time: muck trucks among them
    (the kind most fences watch), a few off their way."""
    rng = np.random.default_rng(5)
    kinds = ("muck", "sanitation", "enforcement", "repair")
    infos = [VehicleInfo(f"V-{n + 1:04d}", kinds[n % 4], f"苏A{n:05d}") for n in range(vehicles)]
    west, south, east, north = city.bounds
    frames = []
    for n in range(rounds):
        lon = rng.uniform(west, east, vehicles).tolist()
        lat = rng.uniform(south, north, vehicles).tolist()
        speed = rng.uniform(0, 70, vehicles).tolist()
        fixes = [
            Fix(v.id, x, y, START + n * 10.0, s) for v, x, y, s in zip(infos, lon, lat, speed, strict=True)
        ]
        frames += [fixes[i : i + 500] for i in range(0, vehicles, 500)]
    return infos, frames


def measure_fleet(vehicles: int = 10_000, rounds: int = 6) -> dict[str, float]:
    """Fixes a second through the hub core with the demo city's fleet rules, and without any."""
    city = demo().city
    infos, frames = _fix_frames(city, vehicles, rounds)
    rates = {}
    for name, rules in (("with", city), ("without", dataclasses.replace(city, fences=(), fleet={}))):
        clock = [START]
        core = HubCore(
            Loaded({t: "b" for t in TOPICS}, {t: [] for t in TOPICS}, {}, {}, {}),
            rules,
            lambda clock=clock: clock[0],
        )
        core.ingest(infos, sender="gw")  # type: ignore[arg-type]
        started = time.perf_counter()
        for frame in frames:
            clock[0] = frame[0].ts
            core.ingest(frame, sender="gw")  # type: ignore[arg-type]
            core.take_batch()
        rates[name] = vehicles * rounds / (time.perf_counter() - started)
        if name == "with":
            alarms = len(core.topics["alarms"].live)
    return {
        "fleet_fixes_per_s": rates["with"],
        "fleet_plain_fixes_per_s": rates["without"],
        "fleet_rules_cost_ratio": rates["without"] / rates["with"],
        "fleet_alarms": float(alarms),
    }


if __name__ == "__main__":
    for name, value in {**measure_alarms(), **measure_fleet()}.items():
        print(f"{name:34} {value:>14,.0f}")
