"""Where each vehicle has been in the last minutes, and its trail as a picture: numpy, no Qt.

:class:`Trails` keeps a ring of samples per vehicle, taken on the clock for the
whole fleet at once: at the start of each sample period (``SAMPLE_S``) one
column of the ring takes every vehicle's position, so a frame does nothing
unless a period began, and then one column write.  The end of a trail, from
its newest sample to where the vehicle is now, is drawn live by the map.

:class:`TrailPicture` draws the sampled trails as a picture the size of the
view, holding for each pixel the newest period whose step crossed it.  A new
period adds only its own steps (one short line per vehicle); colouring the
picture by age fades older steps and leaves out those older than
``TRAIL_S`` — nothing is ever erased, and 10,000 trails cost one column of
lines a period instead of 600,000 lines a frame.  Only a new view (a zoom, a
pan) draws every step again.
"""

from __future__ import annotations

import math

import numpy as np

TRAIL_S = 600.0  # the map shows where each vehicle was in the last ten minutes …
SAMPLE_S = 10.0  # … from a sample every ten seconds
NEVER = np.iinfo(np.int32).min // 2  # the period of a pixel no trail crossed
MAX_STEP_PX = 4096  # longer lines (far zoomed in) are drawn dotted rather than without end


class Trails:
    """The last ``keep_s`` seconds of every vehicle's positions (projected metres), one sample
    per ``every_s`` seconds of the clock, by vehicle row: row n is ``ids[n]``."""

    def __init__(self, keep_s: float = TRAIL_S, every_s: float = SAMPLE_S) -> None:
        self.every_s = every_s
        self.size = round(keep_s / every_s)  # samples kept of each vehicle, the newest included
        self.ids: list[str] = []
        self.x = np.full((0, self.size), np.nan)
        self.y = np.full((0, self.size), np.nan)
        self.period: int | None = None  # the period of the newest sample (time // every_s)

    def __len__(self) -> int:
        return len(self.ids)

    def follow(self, ids: list[str]) -> None:
        """The rows were numbered anew (a snapshot): each vehicle keeps its samples under its new
        row, and the vehicles no longer there are forgotten."""
        old = {vehicle: row for row, vehicle in enumerate(self.ids)}
        rows = np.array([old.get(vehicle, -1) for vehicle in ids], np.int64)
        kept = rows >= 0
        x, y = np.full((len(ids), self.size), np.nan), np.full((len(ids), self.size), np.nan)
        x[kept], y[kept] = self.x[rows[kept]], self.y[rows[kept]]
        self.ids, self.x, self.y = list(ids), x, y

    def sample(self, ids: list[str], x: np.ndarray, y: np.ndarray, now: float) -> int:
        """Where the vehicle of each row is at ``now`` (NaN: no fix); how many sample periods
        began since the last call (0: the samples stand as they were)."""
        if len(ids) > len(self.ids):  # new vehicles start their trails where they are
            added = len(ids) - len(self.ids)
            self.ids.extend(ids[len(self.ids) :])
            self.x = np.concatenate([self.x, np.full((added, self.size), np.nan)])
            self.y = np.concatenate([self.y, np.full((added, self.size), np.nan)])
            if self.period is not None:
                newest = self.period % self.size
                self.x[-added:, newest], self.y[-added:, newest] = x[-added:], y[-added:]
        period = math.floor(now / self.every_s)
        if self.period is not None and period <= self.period:
            return 0
        # Periods no frame saw (the console was busy) take the position after them, as a line would.
        began = 1 if self.period is None else min(period - self.period, self.size)
        for each in range(period - began + 1, period + 1):
            self.x[:, each % self.size], self.y[:, each % self.size] = x, y
        self.period = period
        return began

    def ordered(self, rows: np.ndarray | slice = slice(None)) -> tuple[np.ndarray, np.ndarray]:
        """The samples of ``rows``, oldest first."""
        if self.period is None:
            return self.x[rows][:, :0], self.y[rows][:, :0]
        columns = (self.period + 1 + np.arange(self.size)) % self.size
        return self.x[rows][:, columns], self.y[rows][:, columns]

    def newest(self) -> tuple[np.ndarray, np.ndarray]:
        """Every row's newest sample (NaN before the first)."""
        if self.period is None:
            return np.full(len(self.ids), np.nan), np.full(len(self.ids), np.nan)
        column = self.period % self.size
        return self.x[:, column], self.y[:, column]

    def steps(self) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Each kept step, oldest first: (period, x0, y0, x1, y1), the line every vehicle drew from
        its sample of the period before to its sample of that period."""
        if self.period is None:
            return []
        return [self.step(period) for period in range(self.period - self.size + 2, self.period + 1)]

    def step(self, period: int) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        before, after = (period - 1) % self.size, period % self.size
        return period, self.x[:, before], self.y[:, before], self.x[:, after], self.y[:, after]


class TrailPicture:
    """Trails seen through one view of ``width`` × ``height`` pixels: for each pixel, the newest
    sample period whose step crossed it."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.periods = np.full(width * height, NEVER, np.int32)  # row by row

    def draw(self, period: int, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> None:
        """Lines (in pixels of the picture) of one period, over those of earlier ones."""
        self.periods[line_pixels(x0, y0, x1, y1, self.width, self.height)] = period

    def colours(self, period: int, shades: np.ndarray) -> np.ndarray:
        """The picture at ``period`` as 32-bit pixels, ``shades[age]`` for a step ``age`` periods
        old; steps older than the shades go (the last shade is for them: transparent)."""
        age = period - self.periods  # never negative: no step is newer than the trails
        np.minimum(age, len(shades) - 1, out=age)
        pixels: np.ndarray = shades.take(age).reshape(self.height, self.width)
        return pixels


def line_pixels(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, width: int, height: int
) -> np.ndarray:
    """Flat indices (row by row) of the pixels of a ``width`` × ``height`` picture each line from
    (x0, y0) to (x1, y1) passes, a pixel per step along its longer side; lines with an end
    unknown (NaN) or wholly on one side of the picture have none."""
    ok = np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1)
    ok &= (np.maximum(x0, x1) >= 0) & (np.minimum(x0, x1) < width)
    ok &= (np.maximum(y0, y1) >= 0) & (np.minimum(y0, y1) < height)
    x0, y0, x1, y1 = (np.asarray(v[ok], np.float32) for v in (x0, y0, x1, y1))
    dx, dy = x1 - x0, y1 - y0
    steps = (np.minimum(np.ceil(np.maximum(np.abs(dx), np.abs(dy))), MAX_STEP_PX) + 1).astype(np.int64)
    line = np.repeat(np.arange(len(x0)), steps)
    first = np.repeat(np.cumsum(steps) - steps, steps)
    along = (np.arange(len(line)) - first).astype(np.float32) / np.maximum(steps - 1, 1)[line]
    px = np.floor(x0[line] + along * dx[line] + 0.5).astype(np.int64)
    py = np.floor(y0[line] + along * dy[line] + 0.5).astype(np.int64)
    inside = (px >= 0) & (px < width) & (py >= 0) & (py < height)
    flat: np.ndarray = (py * width + px)[inside]
    return flat


def age_shades(color: str, size: int, newest_alpha: int, oldest_alpha: int) -> np.ndarray:
    """Premultiplied ARGB pixels of ``color`` ("#rrggbb") for steps 0 … ``size`` - 1 periods old,
    fading from ``newest_alpha`` to ``oldest_alpha``, then one transparent for older steps."""
    rgb = np.array([int(color[n : n + 2], 16) for n in (1, 3, 5)], np.float64)
    alpha = np.append(np.linspace(newest_alpha, oldest_alpha, size), 0.0)
    red, green, blue = (np.round(channel * alpha / 255).astype(np.uint32) for channel in rgb)
    shades: np.ndarray = (np.round(alpha).astype(np.uint32) << 24) | (red << 16) | (green << 8) | blue
    return shades
