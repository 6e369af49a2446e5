"""Where vehicles have been: the ring of samples behind the map's trails, and the picture of ages
the map draws them from (console.trails, no Qt)."""

from __future__ import annotations

import numpy as np
import pytest

from console.trails import SAMPLE_S, TRAIL_S, TrailPicture, Trails, age_shades, line_pixels

T0 = 1_760_000_000.0  # the start of a sample period
IDS = ["V1", "V2"]


def at(*points: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """x and y arrays of one point per vehicle row."""
    return np.array([p[0] for p in points], float), np.array([p[1] for p in points], float)


def trail_of(trails: Trails, row: int) -> list[tuple[float, float]]:
    """A row's samples, oldest first, those it has."""
    x, y = trails.ordered(np.array([row]))
    return [(float(a), float(b)) for a, b in zip(x[0], y[0], strict=True) if np.isfinite(a)]


def test_ten_minutes_of_a_sample_every_ten_seconds():
    assert Trails().size == TRAIL_S / SAMPLE_S == 60


def test_a_sample_is_taken_once_a_period_whatever_the_frames_in_between():
    trails = Trails(keep_s=40, every_s=10)
    assert trails.sample(IDS, *at((0, 0), (5, 5)), T0) == 1
    for frame in range(1, 10):  # frames within the period move nothing
        assert trails.sample(IDS, *at((frame, 0), (5, 5)), T0 + frame) == 0
    assert trails.sample(IDS, *at((10, 0), (5, 5)), T0 + 10) == 1
    assert trail_of(trails, 0)[-2:] == [(0, 0), (10, 0)]
    x, y = trails.newest()
    assert (x.tolist(), y.tolist()) == ([10, 5], [0, 5])


def test_a_trail_keeps_the_last_samples_and_forgets_older_ones():
    trails = Trails(keep_s=40, every_s=10)  # four samples
    for n in range(7):
        trails.sample(IDS, *at((n, 0), (0, n)), T0 + 10 * n)
    assert trail_of(trails, 0) == [(3, 0), (4, 0), (5, 0), (6, 0)]
    assert trail_of(trails, 1) == [(0, 3), (0, 4), (0, 5), (0, 6)]
    periods = [step[0] for step in trails.steps()]
    assert periods == [trails.period - 2, trails.period - 1, trails.period]  # a step between each two


def test_periods_no_frame_saw_take_the_position_after_them():
    trails = Trails(keep_s=50, every_s=10)
    trails.sample(IDS, *at((0, 0), (0, 0)), T0)
    assert trails.sample(IDS, *at((30, 0), (0, 0)), T0 + 30) == 3
    assert trail_of(trails, 0)[-4:] == [(0, 0), (30, 0), (30, 0), (30, 0)]


def test_a_new_vehicle_starts_its_trail_where_it_is():
    trails = Trails(keep_s=40, every_s=10)
    trails.sample(["V1"], *at((0, 0)), T0)
    trails.sample(IDS, *at((1, 0), (7, 7)), T0 + 5)  # V2 appears within the period
    assert trail_of(trails, 1) == [(7, 7)]
    trails.sample(IDS, *at((2, 0), (8, 8)), T0 + 10)
    assert trail_of(trails, 1) == [(7, 7), (8, 8)]


def test_a_vehicle_without_a_fix_has_no_trail_yet():
    trails = Trails(keep_s=40, every_s=10)
    trails.sample(IDS, *at((0, 0), (np.nan, np.nan)), T0)
    trails.sample(IDS, *at((1, 0), (np.nan, np.nan)), T0 + 10)
    assert trail_of(trails, 1) == []
    _period, x0, _y0, x1, _y1 = trails.step(trails.period)
    assert np.isnan(x0[1]) and np.isnan(x1[1])


def test_renumbered_rows_keep_each_vehicle_its_trail_and_forget_the_vehicles_gone():
    trails = Trails(keep_s=40, every_s=10)
    for n in range(3):
        trails.sample(IDS, *at((n, 0), (0, n)), T0 + 10 * n)
    trails.follow(["V2", "V3"])  # a snapshot: V2 first, V1 gone, V3 new
    assert trail_of(trails, 0) == [(0, 0), (0, 1), (0, 2)]
    assert trail_of(trails, 1) == []
    trails.sample(["V2", "V3"], *at((0, 3), (9, 9)), T0 + 30)
    assert trail_of(trails, 0) == [(0, 0), (0, 1), (0, 2), (0, 3)]
    assert trail_of(trails, 1) == [(9, 9)]


# -- the picture --------------------------------------------------------------------


def pixels(flat: np.ndarray, width: int) -> set[tuple[int, int]]:
    return {(int(i % width), int(i // width)) for i in flat}


def test_a_line_passes_a_pixel_per_step_along_its_longer_side():
    flat = line_pixels(*(np.array([v], float) for v in (1, 1, 6, 3)), 10, 10)
    drawn = pixels(flat, 10)
    assert {(1, 1), (6, 3)} <= drawn
    assert {x for x, _y in drawn} == set(range(1, 7))  # no gap along x
    assert all(1 <= y <= 3 for _x, y in drawn)


def test_lines_with_an_unknown_end_or_wholly_outside_leave_nothing():
    x0, y0, x1, y1 = (np.array(v, float) for v in ([np.nan, -9, 2], [0, -9, 20], [5, -1, 4], [5, -1, 30]))
    assert len(line_pixels(x0, y0, x1, y1, 10, 10)) == 0


def test_a_line_crossing_the_edge_is_drawn_up_to_it():
    drawn = pixels(line_pixels(*(np.array([v], float) for v in (-20, 5, 5, 5)), 10, 10), 10)
    assert drawn == {(x, 5) for x in range(6)}


def test_the_picture_keeps_the_newest_period_and_fades_by_age():
    picture = TrailPicture(8, 4)
    line = [np.array([v], float) for v in (0, 1, 7, 1)]
    picture.draw(100, *line)
    picture.draw(103, *[np.array([v], float) for v in (3, 0, 3, 3)])  # crosses the first at (3, 1)
    shades = age_shades("#808080", 5, 200, 40)
    colours = picture.colours(104, shades)
    alpha = colours >> 24
    assert alpha[1, 0] == shades[4] >> 24 and alpha[1, 3] == shades[1] >> 24  # 4 periods old, then 1
    assert alpha[0, 0] == 0  # nothing there
    assert (picture.colours(106, shades)[1, 0] >> 24) == 0  # older than the shades: gone
    assert (picture.colours(106, shades)[1, 3] >> 24) > 0


def test_shades_fade_from_the_newest_to_the_oldest_then_transparent():
    shades = age_shades("#ff8000", 4, 160, 40)
    alpha = (shades >> 24).tolist()
    assert alpha == [160, 120, 80, 40, 0]
    red = ((shades >> 16) & 255).tolist()
    assert red == alpha  # premultiplied: full red is as bright as it is opaque
    assert ((shades[0] >> 8) & 255) == pytest.approx(0x80 * 160 / 255, abs=1)
