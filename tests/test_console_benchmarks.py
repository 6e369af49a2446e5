"""The console benchmarks run and report their figures (speed goals are in the figures
`make bench` prints, not in timed tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.bigcity import SMALL
from benchmarks.ingest import measure_raw_ingest
from benchmarks.map_frame import measure_map_frame, measure_map_trails
from benchmarks.queue_sort import measure_queue_sort

ROOT = Path(__file__).resolve().parent.parent


def test_the_map_benchmark_reports_its_first_and_steady_frames(qapp) -> None:  # type: ignore[no-untyped-def]
    figures = measure_map_frame(n_vehicles=300, frames=3, size=SMALL)
    assert (
        figures["map_first_frame_ms"] > 0
        and figures["map_frame_ms_p95"] >= figures["map_frame_ms_median"] > 0
    )
    assert figures["map_grids"] == SMALL.grids and figures["map_vehicles"] == 300


def alone(module: str, call: str) -> dict[str, float]:
    """The figures of ``benchmarks.<module>.<call>``, run in a process of its own, as `make bench`
    runs it: a benchmark's qasync loop starts and closes the Qt application's loop, which would
    leave this process's later windows (the wall's full-screen ones) in a state of its own."""
    script = f"import json; from benchmarks.{module} import *; print(json.dumps({call}))"
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=110, check=False, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_cold_start_benchmark_waits_for_every_case_on_every_window() -> None:
    figures = alone("cold_start", "measure_cold_start(count=3000)")
    assert figures["cold_start_cases"] == 3000
    assert 0 < figures["cold_start_queue_rows"] < 3000  # the dispatcher's work: some states, not all
    assert 0 < figures["cold_start_shown_s"] < 60 and figures["cold_start_console_mb"] > 0


def test_the_trails_benchmark_draws_every_vehicles_ten_minutes_among_sensors_and_halos(qapp) -> None:  # type: ignore[no-untyped-def]
    figures = measure_map_trails(n_vehicles=300, n_sensors=1000, seconds=0.5, size=SMALL)
    assert figures["map_trails_frame_ms_p95"] >= figures["map_trails_frame_ms_median"] > 0
    assert figures["map_trails_frames_per_s"] > 0
    assert figures["map_trails_period_frame_ms"] > 0 and figures["map_trails_new_view_ms"] > 0
    assert figures["map_trails_samples"] == 300 * 60 and figures["map_trails_sensors"] == 1000
    assert figures["map_trails_halos"] == 10 + 1  # a sensor in a hundred, a vehicle in five hundred


def test_the_alarm_flood_benchmark_shows_every_alarm_on_the_panel_and_the_map() -> None:
    figures = alone("alarm_flood", "measure_alarm_flood(alarms=200, seconds=1.0)")  # checks the flood itself
    assert figures["alarm_flood_alarms"] == figures["alarm_flood_halos"] == 200
    assert figures["alarm_flood_frame_work_ms_p95"] >= figures["alarm_flood_frame_work_ms_median"] > 0
    assert figures["alarm_flood_frame_interval_ms_p95"] > 0


def test_the_event_to_pixels_benchmark_times_readings_through_a_hub_to_the_map() -> None:
    figures = alone("event_to_pixels", "measure_event_to_pixels(rate=500, seconds=1.0)")
    assert figures["event_to_pixels_ms_p99"] >= figures["event_to_pixels_ms_median"] > 0
    assert figures["event_to_pixels_readings_per_s"] > 0 and figures["event_to_pixels_shown_per_s"] > 0


def test_the_queue_benchmark_sorts_filters_and_refreshes_beside_the_proxy_model(qapp) -> None:  # type: ignore[no-untyped-def]
    # the benchmark itself checks that the proxy shows as many rows as the queue after every filter
    figures = measure_queue_sort(rows=5000, repeats=2, frames=3)
    assert figures["queue_rows"] == 5000 and figures["queue_frame_changed_cases"] == 1000
    for side in ("queue", "proxy"):
        for what in ("sort", "sort_natural", "filter", "filter_clear"):
            assert figures[f"{side}_{what}_ms_p95"] >= figures[f"{side}_{what}_ms_median"] > 0
        for kind in ("text", "status", "light"):
            assert figures[f"{side}_filter_{kind}_ms_median"] > 0
    for frame in ("1000_changed", "new_second", "1000_new_sec"):
        assert figures[f"queue_frame_{frame}_ms_p95"] >= figures[f"queue_frame_{frame}_ms_median"] > 0
    assert figures["queue_frame_1000_store_ms_median"] > 0
    assert figures["queue_frame_second_store_ms_median"] > 0
    assert figures["proxy_build_s"] > 0
    assert figures["queue_sort_speedup"] > 0 and figures["queue_filter_speedup"] > 0


def test_the_stand_in_hub_of_the_ingest_benchmarks_speaks_the_current_protocol() -> None:
    figures = measure_raw_ingest(seconds=0.5)  # the client decodes every frame, or fails
    assert figures["raw_decode_updates_per_s"] > 0
