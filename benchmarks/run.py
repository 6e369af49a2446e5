"""Run every benchmark, print one table, optionally write the figures as JSON.

    python benchmarks/run.py [--json FILE] [--quick]

Names in the JSON are stable; docs/performance.md records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.alarm_flood import measure_alarm_flood
from benchmarks.alarms import measure_alarms, measure_fleet
from benchmarks.bigcity import FULL
from benchmarks.city_import import measure_city_import
from benchmarks.clocks import measure_clocks
from benchmarks.cold_start import measure_cold_start
from benchmarks.commands import measure_commands
from benchmarks.event_to_pixels import measure_event_to_pixels
from benchmarks.geocoding import measure_geocoding
from benchmarks.hub_ingest import OFFERED_RATE, measure_hub
from benchmarks.ingest import measure_console_ingest, measure_raw_ingest
from benchmarks.kpis import measure_kpis
from benchmarks.map_frame import measure_map_frame, measure_map_trails
from benchmarks.queue_sort import measure_queue_sort
from benchmarks.reports import measure_reports
from benchmarks.trend import measure_trend

# (name, unit, aim, True when higher is better)
AIMS = {
    "raw_decode_updates_per_s": ("updates/s", None, True),
    "console_20k_updates_per_s": ("updates/s", 19_000, True),
    "console_20k_frame_work_ms_p95": ("ms", 50, False),
    "console_20k_frame_interval_ms_p95": ("ms", 75, False),
    "console_max_updates_per_s": ("updates/s", 20_000, True),
    "map_first_frame_ms": ("ms", 1000, False),
    "map_grids": ("grids", None, True),
    "map_road_segments": ("segments", None, True),
    "map_vehicles": ("vehicles", None, True),
    "cold_start_cases": ("cases", None, True),
    "cold_start_shown_s": ("s", 2, False),
    "cold_start_console_mb": ("MB", None, False),
    "cold_start_console_added_mb": ("MB", None, False),
    "map_frame_ms_median": ("ms", 33, False),
    "map_frame_ms_p95": ("ms", 33, False),
    "queue_rows": ("cases", None, True),
    "queue_sort_ms_median": ("ms", 50, False),
    "queue_sort_ms_p95": ("ms", 50, False),
    "queue_sort_natural_ms_median": ("ms", 50, False),
    "queue_sort_natural_ms_p95": ("ms", 50, False),
    "queue_filter_ms_median": ("ms", 50, False),
    "queue_filter_ms_p95": ("ms", 50, False),
    "queue_filter_text_ms_median": ("ms", 50, False),
    "queue_filter_status_ms_median": ("ms", 50, False),
    "queue_filter_light_ms_median": ("ms", 50, False),
    "queue_filter_clear_ms_median": ("ms", 50, False),
    "queue_filter_clear_ms_p95": ("ms", 50, False),
    "proxy_build_s": ("s", None, False),
    "proxy_sort_ms_median": ("ms", None, False),
    "proxy_sort_ms_p95": ("ms", None, False),
    "proxy_sort_natural_ms_median": ("ms", None, False),
    "proxy_sort_natural_ms_p95": ("ms", None, False),
    "proxy_filter_ms_median": ("ms", None, False),
    "proxy_filter_ms_p95": ("ms", None, False),
    "proxy_filter_text_ms_median": ("ms", None, False),
    "proxy_filter_status_ms_median": ("ms", None, False),
    "proxy_filter_light_ms_median": ("ms", None, False),
    "proxy_filter_clear_ms_median": ("ms", None, False),
    "proxy_filter_clear_ms_p95": ("ms", None, False),
    "queue_sort_speedup": ("×", None, True),
    "queue_filter_speedup": ("×", None, True),
    "queue_frame_1000_changed_ms_median": ("ms", 16, False),
    "queue_frame_1000_changed_ms_p95": ("ms", 16, False),
    "queue_frame_new_second_ms_median": ("ms", 50, False),
    "queue_frame_new_second_ms_p95": ("ms", 50, False),
    "queue_frame_1000_new_sec_ms_median": ("ms", 50, False),
    "queue_frame_1000_new_sec_ms_p95": ("ms", 50, False),
    "queue_frame_1000_store_ms_median": ("ms", None, False),
    "queue_frame_second_store_ms_median": ("ms", None, False),
    "queue_frame_changed_cases": ("cases", None, True),
    "hub_sqlite_items_per_s": ("items/s", None, True),
    "hub_postgres_items_per_s": ("items/s", None, True),
    "city_build_s": ("s", None, False),
    "geocoder_build_s": ("s", None, False),
    "geocode_points_per_s": ("points/s", 100_000, True),
    "geocode_batch_ms": ("ms", None, False),
    "geocode_one_by_one_points_per_s": ("points/s", None, True),
    "geocode_one_by_one_s_all_points": ("s", None, False),
    "geocode_naive_points_per_s": ("points/s", None, True),
    "geocode_naive_s_all_points": ("s", None, False),
    "city_import_s": ("s", None, False),
    "city_check_s": ("s", None, False),
    "city_import_and_check_s": ("s", 30, False),
    "city_import_gcj02_s": ("s", None, False),
    "city_import_gcj02_extra_s": ("s", None, False),
    "clock_lights_ms_median": ("ms", 100, False),
    "clock_lights_ms_p95": ("ms", 100, False),
    "clock_lights_loop_ms": ("ms", None, False),
    "clock_lights_speedup": ("×", None, True),
    "clocks_build_ms": ("ms", None, False),
    "alarm_engine_readings_per_s": ("readings/s", 100_000, True),
    "alarm_engine_alarms": ("alarms", None, True),
    "hub_core_readings_per_s": ("readings/s", None, True),
    "alarm_readings": ("readings", None, True),
    "fleet_fixes_per_s": ("fixes/s", 10_000, True),
    "fleet_plain_fixes_per_s": ("fixes/s", None, True),
    "fleet_rules_cost_ratio": ("×", None, False),
    "fleet_alarms": ("alarms", None, True),
    "trend_24h_open_ms": ("ms", 200, False),
    "trend_24h_query_ms": ("ms", None, False),
    "trend_24h_draw_ms": ("ms", None, False),
    "trend_24h_raw_draw_ms": ("ms", None, False),
    "trend_24h_points": ("points", None, True),
    "map_trails_frame_ms_median": ("ms", 33, False),
    "map_trails_frame_ms_p95": ("ms", None, False),
    "map_trails_frames_per_s": ("frames/s", 30, True),
    "map_trails_period_frame_ms": ("ms", None, False),
    "map_trails_new_view_ms": ("ms", None, False),
    "map_trails_vehicles": ("vehicles", None, True),
    "map_trails_sensors": ("sensors", None, True),
    "map_trails_samples": ("samples", None, True),
    "map_trails_halos": ("halos", None, True),
    "alarm_flood_alarms": ("alarms", None, True),
    "alarm_flood_seconds": ("s", None, False),
    "alarm_flood_halos": ("halos", None, True),
    "alarm_flood_frames_per_s": ("frames/s", None, True),
    "alarm_flood_frame_work_ms_median": ("ms", 16, False),
    "alarm_flood_frame_work_ms_p95": ("ms", 16, False),
    "alarm_flood_frame_work_ms_max": ("ms", None, False),
    "alarm_flood_frame_interval_ms_p95": ("ms", 75, False),
    "event_to_pixels_ms_median": ("ms", None, False),
    "event_to_pixels_ms_p99": ("ms", 150, False),
    "event_to_pixels_ms_max": ("ms", None, False),
    "event_to_pixels_readings_per_s": ("readings/s", None, True),
    "event_to_pixels_shown_per_s": ("readings/s", None, True),
    "event_to_pixels_frame_work_ms_median": ("ms", None, False),
    "commands_per_s": ("commands/s", 2_000, True),
    "command_rtt_p50_ms": ("ms", None, False),
    "command_rtt_p99_ms": ("ms", 50, False),
    "kpis_cases": ("cases", None, True),
    "kpis_events": ("events", None, True),
    "kpis_load_s": ("s", None, False),
    "kpis_recompute_ms": ("ms", 1000, False),
    "kpis_update_ms_median": ("ms", None, False),
    "kpis_update_ms_p99": ("ms", 5, False),
    "kpis_drill_down_ms": ("ms", None, False),
    "reports_cases": ("cases", None, True),
    "reports_objects_ranked": ("objects", None, True),
    "reports_monthly_s": ("s", 15, False),
    "reports_monthly_first_s": ("s", None, False),
    "reports_read_and_rank_s": ("s", None, False),
    "reports_xlsx_kb": ("KiB", None, False),
    "reports_pdf_kb": ("KiB", None, False),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--quick", action="store_true", help="shorter runs (less steady figures)")
    args = parser.parse_args()
    seconds = 2.0 if args.quick else 6.0

    figures: dict[str, float] = {}
    figures.update(measure_raw_ingest(seconds))
    figures.update(measure_console_ingest(seconds))
    figures.update(measure_map_frame())
    figures.update(measure_map_trails(seconds=3 * seconds))
    figures.update(measure_alarm_flood())
    figures.update(measure_event_to_pixels(seconds=2 * seconds))
    figures.update(measure_cold_start())
    figures.update(measure_queue_sort(repeats=3 if args.quick else 7))
    figures.update(measure_hub(seconds))
    figures.update(measure_geocoding(repeats=3 if args.quick else 5))
    figures.update(measure_city_import())
    figures.update(measure_clocks())
    figures.update(measure_alarms())
    figures.update(measure_fleet())
    figures.update(measure_trend())
    figures.update(measure_kpis())
    figures.update(measure_reports())
    figures.update(measure_commands(seconds))
    figures["console_max_to_raw_ratio"] = (
        figures["console_max_updates_per_s"] / figures["raw_decode_updates_per_s"]
    )

    print(f"Supervision Hall benchmarks — Python {platform.python_version()}, {os.cpu_count()} cores")
    print(f"(hub figures: the simulator offers {OFFERED_RATE:,} items/s, rainstorm)")
    print(
        f"(city figures: {FULL.grids:,} grids, {FULL.road_segments:,} road segments, benchmarks/bigcity.py)"
    )
    print(f"{'figure':34} {'value':>12}  {'unit':10} {'aim':>10}  verdict")
    for name, value in figures.items():
        unit, aim, higher = AIMS.get(name, ("", None, True))
        verdict = "" if aim is None else ("meets" if (value >= aim if higher else value <= aim) else "MISSES")
        aim_text = "" if aim is None else (f"≥{aim:,}" if higher else f"≤{aim:,}")
        print(f"{name:34} {value:>12,.2f}  {unit:10} {aim_text:>10}  {verdict}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
