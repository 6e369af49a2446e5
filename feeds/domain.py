"""Domain vocabulary of the hall, the same in every city: case statuses, report
sources, the time-limit light, alarm priorities, fleet kinds and statuses.

What differs from city to city (categories, departments, limits, sensor
classes and thresholds) lives in the city folder (:mod:`feeds.city`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class CaseStatus(StrEnum):
    """Where a case stands.  This issue uses the first two; the full lifecycle
    (verify, handle, feed back, check, close, evaluate) extends this list."""

    FILED = "filed"  # 已立案, waiting for dispatch
    DISPATCHED = "dispatched"  # 已派遣, with a department


SOURCES: dict[str, tuple[str, str]] = {
    "inspector": ("监督员上报", "Inspector"),
    "hotline": ("12319热线", "12319 hotline"),
    "app": ("市民APP", "Citizen app"),
    "sensor": ("物联感知", "IoT sensor"),
    "video": ("视频识别", "AI video"),
}


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


#: Lights in urgency order; whole columns of lights are kept as int8 codes into this tuple.
LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN)


def lights(deadline: np.ndarray, limit_s: np.ndarray, now: float, yellow_share: float) -> np.ndarray:
    """The light of each case at ``now``, as codes into :data:`LIGHTS`: red once overdue,
    yellow when at most ``yellow_share`` of the limit is left (a city's choice), green before."""
    left = deadline - now
    return np.where(left <= 0, 0, np.where(left <= yellow_share * limit_s, 1, 2)).astype(np.int8)


def light(deadline: float, limit_s: float, now: float, yellow_share: float) -> Light:
    """:func:`lights` for one case."""
    return LIGHTS[int(lights(np.array([deadline]), np.array([limit_s]), now, yellow_share)[0])]


PRIORITY_ZH = {1: "紧急", 2: "高", 3: "中", 4: "低"}
PRIORITY_EN = {1: "Critical", 2: "High", 3: "Medium", 4: "Low"}


@dataclass(frozen=True)
class VehicleKind:
    code: str
    zh: str
    en: str
    speed_kmh: float  # typical working speed


VEHICLE_KINDS: dict[str, VehicleKind] = {
    k.code: k
    for k in (
        VehicleKind("sanitation", "环卫车", "Sanitation", 15.0),
        VehicleKind("muck", "渣土车", "Muck truck", 35.0),
        VehicleKind("enforcement", "执法车", "Enforcement", 30.0),
        VehicleKind("repair", "抢修车", "Repair crew", 40.0),
    )
}

VEHICLE_STATUSES: dict[str, tuple[str, str]] = {
    "moving": ("行驶", "Moving"),
    "working": ("作业", "Working"),
    "idle": ("停驶", "Idle"),
    "offline": ("离线", "Offline"),
}
