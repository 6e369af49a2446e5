"""Coordinate systems: published reference vectors, round trips, the China box, shapes and names."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.city.crs import CRS, distance_m, from_wgs84, to_wgs84

# Reference vectors from googollee/eviltransform, go/transform_test.go (the same table is in
# python/test.py): (wgs lat, wgs lng, gcj lat, gcj lng), latitude first as there. Its own
# tests require WGS->GCJ to 5-6 decimals and the exact GCJ->WGS inverse to within 0.5 m.
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]

# Reference vectors from hujiulong/gcoord, test/unit/crs/{WGS84,GCJ02,BD09}.spec.ts, all for
# the point (lon 123, lat 45) in the system named first: (from, to, expected lon, expected lat).
GCOORD = [
    ("wgs84", "gcj02", 123.00607541, 45.00197815),
    ("wgs84", "bd09", 123.0124491, 45.0083293),
    ("gcj02", "wgs84", 122.99395597, 44.99804071),
    ("gcj02", "bd09", 123.00636499, 45.00636899),
    ("bd09", "wgs84", 122.98762210, 44.99171540),
]
# (eviltransform's python/test.py also lists two BD-09 -> WGS-84 pairs near 29.2N 120.0E; they
# are 10 m and 41 m away from what the formula - its own code included - gives, presumably
# read off Baidu's online service, so they are not used here.)

FORWARD_TOL = 1e-6  # degrees, ~10 cm
# gcoord's inverses stop once the forward residual is under 1e-6 degrees and its BD-09 one
# starts from the ~0.2 m closed form, so its own answers are good to a couple of 1e-6 only.
INVERSE_TOL = 2e-6

MAINLAND = {"lon": (73.5, 135.0), "lat": (18.0, 53.5)}  # well inside the GCJ-02 box
SHIFTED = ("gcj02", "bd09")


def convert(lon: float, lat: float, source: str, target: str) -> tuple[float, float]:
    x, y = to_wgs84(lon, lat, source)
    x, y = from_wgs84(x, y, target)
    return float(x), float(y)


# --- published reference vectors ---------------------------------------------------------


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM)
def test_gcj02_forward_matches_eviltransform(
    wgs_lat: float, wgs_lon: float, gcj_lat: float, gcj_lon: float
) -> None:
    lon, lat = from_wgs84(wgs_lon, wgs_lat, "gcj02")
    assert abs(lon - gcj_lon) < FORWARD_TOL
    assert abs(lat - gcj_lat) < FORWARD_TOL


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM)
def test_gcj02_inverse_matches_eviltransform(
    wgs_lat: float, wgs_lon: float, gcj_lat: float, gcj_lon: float
) -> None:
    lon, lat = to_wgs84(gcj_lon, gcj_lat, "gcj02")
    assert distance_m(lon, lat, wgs_lon, wgs_lat) < 0.5


def test_reference_vectors_convert_together_as_arrays() -> None:
    wgs_lat, wgs_lon, gcj_lat, gcj_lon = (np.array(column) for column in zip(*EVILTRANSFORM, strict=True))
    lon, lat = from_wgs84(wgs_lon, wgs_lat, "gcj02")
    assert lon.shape == lat.shape == (3,)
    np.testing.assert_allclose(lon, gcj_lon, rtol=0, atol=FORWARD_TOL)
    np.testing.assert_allclose(lat, gcj_lat, rtol=0, atol=FORWARD_TOL)


@pytest.mark.parametrize(("source", "target", "lon", "lat"), GCOORD, ids=lambda v: str(v))
def test_matches_gcoord(source: str, target: str, lon: float, lat: float) -> None:
    got_lon, got_lat = convert(123.0, 45.0, source, target)
    tol = FORWARD_TOL if source == "wgs84" or (source, target) == ("gcj02", "bd09") else INVERSE_TOL
    assert abs(got_lon - lon) < tol
    assert abs(got_lat - lat) < tol


# --- round trips --------------------------------------------------------------------------

mainland_lon = st.floats(*MAINLAND["lon"], allow_nan=False)
mainland_lat = st.floats(*MAINLAND["lat"], allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(lon=mainland_lon, lat=mainland_lat, crs=st.sampled_from(SHIFTED))
def test_round_trip_from_wgs84(lon: float, lat: float, crs: str) -> None:
    back = to_wgs84(*from_wgs84(lon, lat, crs), crs)
    # The iteration stops within 1e-7 degrees (~1 cm); the acceptance bar is 0.5 m.
    assert distance_m(*back, lon, lat) < 0.05


@settings(max_examples=300, deadline=None)
@given(lon=mainland_lon, lat=mainland_lat, crs=st.sampled_from(SHIFTED))
def test_round_trip_to_wgs84(lon: float, lat: float, crs: str) -> None:
    again = from_wgs84(*to_wgs84(lon, lat, crs), crs)
    assert distance_m(*again, lon, lat) < 0.05


def test_round_trip_over_100000_points() -> None:
    rng = np.random.default_rng(20240601)
    lon = rng.uniform(*MAINLAND["lon"], 100_000)
    lat = rng.uniform(*MAINLAND["lat"], 100_000)
    for crs in SHIFTED:
        x, y = from_wgs84(lon, lat, crs)
        back_lon, back_lat = to_wgs84(x, y, crs)
        assert back_lon.shape == back_lat.shape == (100_000,)
        assert back_lon.dtype == back_lat.dtype == np.float64
        assert float(distance_m(back_lon, back_lat, lon, lat).max()) < 0.5


# --- the size of the offset and where it applies -------------------------------------------

CITIES = {  # WGS-84 lon, lat of city centres
    "Beijing": (116.40, 39.90),
    "Shanghai": (121.47, 31.23),
    "Guangzhou": (113.26, 23.13),
    "Chengdu": (104.07, 30.67),
    "Harbin": (126.63, 45.75),
    "Kunming": (102.83, 24.88),
    "Urumqi": (87.62, 43.83),
    "Lhasa": (91.11, 29.65),
    "Haikou": (110.35, 20.02),
}


@pytest.mark.parametrize("city", CITIES)
def test_gcj02_offset_in_cities_is_a_few_hundred_metres(city: str) -> None:
    lon, lat = CITIES[city]
    assert 100 < distance_m(*from_wgs84(lon, lat, "gcj02"), lon, lat) < 700
    # BD-09 moves a further few hundred metres on top.
    assert 700 < distance_m(*from_wgs84(lon, lat, "bd09"), lon, lat) < 1500


def test_gcj02_offset_over_the_mainland_stays_under_a_kilometre() -> None:
    lon, lat = np.meshgrid(np.arange(*MAINLAND["lon"], 0.25), np.arange(*MAINLAND["lat"], 0.25))
    offset = distance_m(*from_wgs84(lon, lat, "gcj02"), lon, lat)
    assert offset.shape == lon.shape
    # Smallest in Qinghai (~40 m), largest in the south and north-east (~700 m).
    assert float(offset.min()) > 10 and float(offset.max()) < 750


OUTSIDE = [(139.69, 35.69), (-0.13, 51.51), (-74.0, 40.71), (151.21, -33.87), (37.62, 55.76), (0.0, 0.0)]


@pytest.mark.parametrize(("lon", "lat"), OUTSIDE)
@pytest.mark.parametrize("crs", SHIFTED)
def test_outside_china_nothing_is_shifted(lon: float, lat: float, crs: str) -> None:
    assert convert(lon, lat, "wgs84", crs) == (lon, lat)
    assert convert(lon, lat, crs, "wgs84") == (lon, lat)


@given(
    lon=st.one_of(st.floats(-180, 72.0, allow_nan=False), st.floats(137.9, 180, allow_nan=False)),
    lat=st.floats(-90, 90, allow_nan=False),
    crs=st.sampled_from(SHIFTED),
)
def test_outside_the_box_is_identity(lon: float, lat: float, crs: str) -> None:
    assert convert(lon, lat, "wgs84", crs) == (lon, lat)
    assert convert(lon, lat, crs, "wgs84") == (lon, lat)


def test_a_mixed_array_shifts_only_the_points_inside() -> None:
    lon = np.array([116.40, 139.69, 121.47, -0.13])
    lat = np.array([39.90, 35.69, 31.23, 51.51])
    x, y = from_wgs84(lon, lat, "gcj02")
    assert np.array_equal(x[[1, 3]], lon[[1, 3]]) and np.array_equal(y[[1, 3]], lat[[1, 3]])
    assert np.all(distance_m(x[[0, 2]], y[[0, 2]], lon[[0, 2]], lat[[0, 2]]) > 100)


# --- names, identity, shapes ---------------------------------------------------------------


@pytest.mark.parametrize("crs", ["wgs84", "cgcs2000"])
def test_wgs84_and_cgcs2000_are_identity(crs: str) -> None:
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(-180, 180, 1000), rng.uniform(-90, 90, 1000)
    for convert_fn in (from_wgs84, to_wgs84):
        x, y = convert_fn(lon, lat, crs)
        assert np.array_equal(x, lon) and np.array_equal(y, lat)


def test_the_names() -> None:
    assert CRS == ("wgs84", "cgcs2000", "gcj02", "bd09")
    assert convert(116.4, 39.9, " GCJ02 ", "wgs84") == convert(116.4, 39.9, "gcj02", "wgs84")


@pytest.mark.parametrize("name", ["epsg:4326", "wgs-84", "mars", ""])
def test_an_unknown_name_is_refused_with_the_choices(name: str) -> None:
    with pytest.raises(ValueError, match=r"wgs84, cgcs2000, gcj02, bd09"):
        from_wgs84(116.4, 39.9, name)
    with pytest.raises(ValueError, match=r"wgs84, cgcs2000, gcj02, bd09"):
        to_wgs84(116.4, 39.9, name)


@pytest.mark.parametrize("crs", CRS)
def test_scalars_lists_and_arrays(crs: str) -> None:
    lon, lat = from_wgs84(116.4, 39.9, crs)
    assert isinstance(lon, np.ndarray) and lon.shape == () and lon.dtype == np.float64
    assert isinstance(lat, np.ndarray) and lat.shape == () and lat.dtype == np.float64

    grid_lon, grid_lat = np.meshgrid(np.linspace(116.0, 117.0, 4), np.linspace(39.5, 40.5, 3))
    for convert_fn in (from_wgs84, to_wgs84):
        x, y = convert_fn(grid_lon, grid_lat, crs)
        assert x.shape == y.shape == (3, 4) and x.dtype == y.dtype == np.float64
        # Each element is what the scalar call gives.
        sx, sy = convert_fn(grid_lon[2, 1], grid_lat[2, 1], crs)
        assert math.isclose(x[2, 1], sx, abs_tol=1e-9) and math.isclose(y[2, 1], sy, abs_tol=1e-9)

    x, y = to_wgs84([116, 117], 40, crs)  # integers, a list and a scalar broadcast together
    assert x.shape == y.shape == (2,) and x.dtype == np.float64


@pytest.mark.parametrize("crs", CRS)
def test_results_do_not_alias_the_input(crs: str) -> None:
    lon, lat = np.array([116.4, 121.5]), np.array([39.9, 31.2])
    x, y = from_wgs84(lon, lat, crs)
    x[:] = 0.0
    y[:] = 0.0
    assert lon.tolist() == [116.4, 121.5] and lat.tolist() == [39.9, 31.2]


@pytest.mark.parametrize("crs", SHIFTED)
def test_a_nan_point_stays_nan_and_does_not_stall_the_rest(crs: str) -> None:
    lon, lat = to_wgs84([116.4, np.nan, 121.5], [39.9, 30.0, 31.2], crs)
    assert np.isnan(lon[1])
    good = from_wgs84(lon[[0, 2]], lat[[0, 2]], crs)
    assert np.all(distance_m(*good, [116.4, 121.5], [39.9, 31.2]) < 0.05)


# --- distance_m ----------------------------------------------------------------------------


def test_distance_one_degree_and_zero() -> None:
    one_degree = 6_371_008.8 * math.pi / 180
    assert math.isclose(distance_m(0, 0, 0, 1), one_degree, rel_tol=1e-12)
    assert math.isclose(distance_m(0, 0, 1, 0), one_degree, rel_tol=1e-12)
    assert distance_m(116.4, 39.9, 116.4, 39.9) == 0.0
    # Antipodes: half the circumference, no NaN from rounding.
    assert math.isclose(distance_m(0, 0, 180, 0), 6_371_008.8 * math.pi, rel_tol=1e-12)


def test_distance_is_vectorised_and_symmetric() -> None:
    rng = np.random.default_rng(3)
    a = rng.uniform(100, 130, (2, 50))
    b = rng.uniform(20, 50, (2, 50))
    d = distance_m(a[0], b[0], a[1], b[1])
    assert d.shape == (50,) and d.dtype == np.float64
    np.testing.assert_allclose(d, distance_m(a[1], b[1], a[0], b[0]), rtol=1e-12)
    # Broadcast: one point against many.
    assert distance_m(116.4, 39.9, a[0], b[0]).shape == (50,)
