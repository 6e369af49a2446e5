"""``hall city import`` and ``hall city check`` of a 20,000-grid city (aim: both under 30 s).

A city's GIS department hands over its layers and expects a usable folder the same
afternoon, and the hub checks the folder each time it starts, so both commands must stay
quick at a real city's size.  The import runs as the command does: ``import_city`` on the
raw layers (field mapping, country-prefixed and numeric codes, build and check), then
``write_folder``; the check is ``open_folder`` of what was written.  The same import from
GCJ-02 shows what converting every vertex costs.

``measure_city_import()`` is importable without side effects; ``python -m
benchmarks.city_import`` prints its result.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.bigcity import CITY_NAME, FULL, CitySize, raw_layer_specs, write_raw_layers
from feeds.city.folder import open_folder, write_folder
from feeds.city.importer import LayerSpec, import_city


def _import(specs: list[LayerSpec], out: Path, source_crs: str) -> float:
    """Seconds of one ``hall city import``; raises when it would write nothing."""
    started = time.perf_counter()
    result = import_city(specs, name=CITY_NAME, source_crs=source_crs)
    if result.documents is None:
        errors = [str(p) for p in result.problems if p.error]
        raise RuntimeError(
            f"the import from {source_crs} failed: {len(errors)} problem(s), e.g. {errors[:3]}"
        )
    write_folder(out, result.documents)
    return time.perf_counter() - started


def measure_city_import(size: CitySize = FULL, gcj02: bool = True) -> dict[str, float]:
    """Seconds of the import, of the check and of both; with ``gcj02`` also of the import from GCJ-02."""
    with tempfile.TemporaryDirectory(prefix="hall-bench-import-") as tmp:
        specs = raw_layer_specs(write_raw_layers(Path(tmp) / "raw", size))
        import_s = _import(specs, Path(tmp) / "city", "wgs84")
        started = time.perf_counter()
        folder = open_folder(Path(tmp) / "city")  # raises CityError when the folder is unusable
        check_s = time.perf_counter() - started
        grids = len(folder.city.grids)
        figures = {
            "city_import_s": import_s,
            "city_check_s": check_s,
            "city_import_and_check_s": import_s + check_s,
            "city_check_warnings": float(len(folder.problems)),
            "city_import_grids": float(grids),
        }
        if gcj02:
            gcj_s = _import(specs, Path(tmp) / "city-gcj02", "gcj02")
            figures["city_import_gcj02_s"] = gcj_s
            figures["city_import_gcj02_extra_s"] = gcj_s - import_s
    return figures


if __name__ == "__main__":
    for name, value in measure_city_import().items():
        print(f"{name:36} {value:>14,.2f}")
