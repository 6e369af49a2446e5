"""The console benchmarks run and report their figures (speed goals are in the figures
`make bench` prints, not in timed tests)."""

from __future__ import annotations

from benchmarks.bigcity import SMALL
from benchmarks.cold_start import measure_cold_start
from benchmarks.ingest import measure_raw_ingest
from benchmarks.map_frame import measure_map_frame


def test_the_map_benchmark_reports_its_first_and_steady_frames(qapp) -> None:  # type: ignore[no-untyped-def]
    figures = measure_map_frame(n_vehicles=300, frames=3, size=SMALL)
    assert (
        figures["map_first_frame_ms"] > 0
        and figures["map_frame_ms_p95"] >= figures["map_frame_ms_median"] > 0
    )
    assert figures["map_grids"] == SMALL.grids and figures["map_vehicles"] == 300


def test_the_cold_start_benchmark_waits_for_every_case_on_every_window(qapp) -> None:  # type: ignore[no-untyped-def]
    figures = measure_cold_start(count=3000)
    assert figures["cold_start_cases"] == 3000
    assert 0 < figures["cold_start_shown_s"] < 60 and figures["cold_start_console_mb"] > 0


def test_the_stand_in_hub_of_the_ingest_benchmarks_speaks_the_current_protocol() -> None:
    figures = measure_raw_ingest(seconds=0.5)  # the client decodes every frame, or fails
    assert figures["raw_decode_updates_per_s"] > 0
