"""Run by tests/test_map.py in a process of its own (the screen scale is fixed at start-up):
draw one alarmed sensor, print how wide its dot is in device pixels, as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtWidgets import QApplication

from console.palette import SENSOR_COLORS
from console.state import HallState
from feeds import wire as p
from feeds.city import demo
from widgets.map import QtCityMap


def main() -> None:
    app = QApplication([])
    city = demo().city
    site = city.sensors[0]
    state = HallState(city)
    state.apply(
        p.Snapshot(
            "sensors",
            "s",
            1,
            [p.Sensor(site.id, site.kind, site.name, site.lon, site.lat, "cm", state="alarm")],
        )
    )
    city_map = QtCityMap(state)
    city_map.resize(900, 700)
    city_map.show()
    app.processEvents()
    city_map.refresh(state.take_changes(), 0.0)
    image = city_map.grab().toImage()
    ratio = image.devicePixelRatio()
    x, y = city.project(np.array([site.lon]), np.array([site.lat]))
    view = city_map.plot.getViewBox()
    from PySide6.QtCore import QPointF

    at = city_map.plot.mapFromScene(view.mapViewToScene(QPointF(float(x[0]), float(y[0]))))
    at = city_map.plot.viewport().mapTo(city_map, at)
    row = round(at.y() * ratio)
    alarm = int(SENSOR_COLORS["alarm"][1:], 16)
    red = [(alarm >> 16) & 255, (alarm >> 8) & 255, alarm & 255]
    hits = [
        column
        for column in range(round((at.x() - 30) * ratio), round((at.x() + 30) * ratio))
        if all(abs(a - b) < 60 for a, b in zip(image.pixelColor(column, row).getRgb()[:3], red, strict=True))
    ]
    width = max(hits) - min(hits) + 1 if hits else 0
    print(
        json.dumps(
            {"ratio": ratio, "atlas_ratio": city_map.sensors._atlas.devicePixelRatio(), "width_px": width}
        )
    )
    city_map.close()


if __name__ == "__main__":
    main()
