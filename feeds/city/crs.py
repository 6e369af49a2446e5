"""The coordinate systems a Chinese city's GIS data arrives in, and conversions to and from WGS-84.

GPS receivers and government survey data (天地图, 测绘 deliveries) are in WGS-84 or CGCS2000.
Chinese web maps are deliberately offset: AMap (高德) and Tencent use GCJ-02 ("Mars
coordinates"), shifted from WGS-84 by a published formula with no exact inverse, typically
by 100-700 m (less in parts of the north-west); Baidu uses BD-09, a further shift of GCJ-02.
The city folder stores WGS-84, so an import declares the system its source is in and is
converted here on the way in.

Everything is vectorised with numpy: lon/lat in degrees, scalars or arrays (broadcast
together); results are float64 arrays of the broadcast shape (0-d for scalars).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Transform = Callable[[Array, Array], tuple[Array, Array]]

# The names a user types. wgs84 and cgcs2000 are treated as the same system: their
# ellipsoids and realisations agree to within a few centimetres, far below what
# city work (grids, sites, vehicles) can see.
CRS: Final = ("wgs84", "cgcs2000", "gcj02", "bd09")

# GCJ-02 is defined on the Krasovsky 1940 ellipsoid.
_A: Final = 6378245.0
_EE: Final = 0.00669342162296594323
_X_PI: Final = math.pi * 3000.0 / 180.0
_EARTH_RADIUS_M: Final = 6_371_008.8  # mean earth radius (IUGG)
_TOLERANCE_DEG: Final = 1e-7  # about 1 cm
_MAX_ITERATIONS: Final = 30


def _arrays(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return x.copy(), y.copy()


def _in_china(lon: Array, lat: Array) -> npt.NDArray[np.bool_]:
    # The usual rough bounding box: outside it GCJ-02 and BD-09 are left equal to WGS-84.
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _transform_lat(x: Array, y: Array) -> Array:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: Array, y: Array) -> Array:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _wgs_to_gcj(lon: Array, lat: Array) -> tuple[Array, Array]:
    """The GCJ-02 forward formula, without the bounding-box rule."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return lon + dlon, lat + dlat


def _gcj_to_bd(lon: Array, lat: Array) -> tuple[Array, Array]:
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_to_gcj_approx(lon: Array, lat: Array) -> tuple[Array, Array]:
    """The usual closed-form BD-09 -> GCJ-02, good to about a decimetre."""
    x, y = lon - 0.0065, lat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _wgs_to_bd(lon: Array, lat: Array) -> tuple[Array, Array]:
    return _gcj_to_bd(*_wgs_to_gcj(lon, lat))


def _gcj_start(lon: Array, lat: Array) -> tuple[Array, Array]:
    glon, glat = _wgs_to_gcj(lon, lat)
    return 2.0 * lon - glon, 2.0 * lat - glat  # target minus the shift measured at the target


def _bd_start(lon: Array, lat: Array) -> tuple[Array, Array]:
    # BD-09 -> GCJ-02 by the closed form, then GCJ-02 -> WGS-84 by one step; _invert then
    # refines against the whole WGS-84 -> GCJ-02 -> BD-09 chain.
    return _gcj_start(*_bd_to_gcj_approx(lon, lat))


def _invert(forward: Transform, start: Transform, lon: Array, lat: Array) -> tuple[Array, Array]:
    """Solve forward(w) = (lon, lat) by the fixed-point iteration w <- w - (forward(w) - target).

    forward is the identity plus a small, slowly varying shift (its derivative differs
    from 1 by about 1e-3), so each step gains about three digits: three or four steps
    reach the 1e-7 degree tolerance from the closed-form start.
    """
    wlon, wlat = start(lon, lat)
    for _ in range(_MAX_ITERATIONS):
        flon, flat = forward(wlon, wlat)
        elon, elat = flon - lon, flat - lat
        # NaN compares false, so a NaN point counts as settled and stays NaN.
        if not (np.any(np.abs(elon) > _TOLERANCE_DEG) or np.any(np.abs(elat) > _TOLERANCE_DEG)):
            break
        wlon, wlat = wlon - elon, wlat - elat
    return wlon, wlat


_FORWARD: Final[dict[str, Transform]] = {"gcj02": _wgs_to_gcj, "bd09": _wgs_to_bd}
_START: Final[dict[str, Transform]] = {"gcj02": _gcj_start, "bd09": _bd_start}


def _check(crs: str) -> str:
    name = crs.strip().lower()
    if name not in CRS:
        raise ValueError(f"unknown coordinate system {crs!r}; choose one of: {', '.join(CRS)}")
    return name


def from_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, crs: str) -> tuple[Array, Array]:
    """WGS-84 lon/lat (degrees) to the named system; points outside China's box are left as they are."""
    name = _check(crs)
    x, y = _arrays(lon, lat)
    if name not in _FORWARD:
        return x, y
    inside = _in_china(x, y)
    fx, fy = _FORWARD[name](x[inside], y[inside])
    x[inside], y[inside] = fx, fy
    return x, y


def to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, crs: str) -> tuple[Array, Array]:
    """Lon/lat (degrees) in the named system to WGS-84; points outside China's box are left as they are.

    The result maps forward onto the input to within 1e-7 degrees (about 1 cm). Within a
    kilometre of the box's edge, where the forward rule jumps, a round trip may not close.
    """
    name = _check(crs)
    x, y = _arrays(lon, lat)
    if name not in _FORWARD:
        return x, y
    inside = _in_china(x, y)
    wx, wy = _invert(_FORWARD[name], _START[name], x[inside], y[inside])
    x[inside], y[inside] = wx, wy
    return x, y


def distance_m(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike) -> Array:
    """Great-circle (haversine) distance in metres on a sphere of the mean earth radius."""
    lam1, phi1, lam2, phi2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((phi2 - phi1) / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2.0) ** 2
    return np.asarray(2.0 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)
