"""Domain vocabulary of the hall: categories, departments, sources, sensor and
fleet kinds, case statuses and the time-limit light.

Codes and Chinese names follow ``shared/DOMAIN.md`` (GB/T 47678.5 numbering).
Values that differ from city to city (limits, thresholds) live in the tables
below, not in the rules that read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


@dataclass(frozen=True)
class Category:
    code: str  # 2-digit major + 3-digit minor
    zh: str
    en: str
    department: str  # responsible department code
    limit_h: float  # handling limit in hours once dispatched


@dataclass(frozen=True)
class Department:
    code: str
    zh: str
    en: str


DEPARTMENTS: dict[str, Department] = {
    d.code: d
    for d in (
        Department("water", "供水集团", "Water supply"),
        Department("drainage", "排水公司", "Drainage"),
        Department("lighting", "路灯管理所", "Street lighting"),
        Department("sanitation", "环卫局", "Sanitation"),
        Department("parks", "园林绿化局", "Parks and greening"),
        Department("traffic", "交通运输局", "Traffic"),
        Department("enforcement", "城管执法局", "Enforcement"),
        Department("construction", "住建局", "Construction"),
        Department("street", "街道办事处", "Street office"),
        Department("gas", "燃气集团", "Gas"),
    )
}

CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category("01001", "供水井盖", "Water manhole cover", "water", 4),
        Category("01002", "污水井盖", "Sewage manhole cover", "drainage", 4),
        Category("01003", "雨水井盖", "Storm manhole cover", "drainage", 4),
        Category("01004", "雨水箅子", "Gully grate", "drainage", 4),
        Category("01011", "燃气井盖", "Gas manhole cover", "gas", 2),
        Category("01037", "路灯", "Street light", "lighting", 24),
        Category("01067", "防汛监测设施", "Flood monitor", "drainage", 8),
        Category("02014", "交通信号灯", "Traffic signal", "traffic", 4),
        Category("02017", "交通护栏", "Traffic railing", "traffic", 24),
        Category("03005", "垃圾箱", "Litter bin", "sanitation", 8),
        Category("04002", "行道树", "Street tree", "parks", 24),
        Category("06001", "私搭乱建", "Illegal structure", "enforcement", 4),
        Category("06010", "暴露垃圾", "Exposed garbage", "sanitation", 4),
        Category("06011", "积存垃圾渣土", "Piled waste", "sanitation", 24),
        Category("06012", "道路不洁", "Dirty road", "sanitation", 3),
        Category("06014", "道路遗撒", "Road spillage", "sanitation", 2),
        Category("06029", "露天烧烤", "Open-air barbecue", "enforcement", 2),
        Category("06042", "垃圾满溢", "Overflowing bin", "sanitation", 2),
        Category("07001", "非法小广告", "Illegal flyers", "enforcement", 8),
        Category("08002", "施工占道", "Construction road occupation", "construction", 4),
        Category("08004", "工地扬尘", "Construction site dust", "construction", 4),
        Category("08011", "渣土车未密闭", "Uncovered muck truck", "enforcement", 2),
        Category("09001", "无照经营游商", "Unlicensed vendor", "enforcement", 2),
        Category("09006", "占道经营", "Road-occupying stall", "enforcement", 2),
        Category("09009", "机动车乱停放", "Illegal parking", "traffic", 2),
        Category("09011", "共享单车乱象", "Shared-bike clutter", "street", 4),
        Category("10001", "道路积雪结冰", "Snow and ice", "sanitation", 4),
        Category("10002", "架空线缆脱落", "Fallen overhead cables", "street", 4),
        Category("10003", "道路积水", "Road waterlogging", "drainage", 4),
    )
}
# 10003 is a local extension (cities extend the national list); the rest are GB/T 47678.5.


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

#: How long a filed case may wait for dispatch (按期派遣), *local*.
DISPATCH_LIMIT_S = 30 * 60
#: The light turns yellow when this share of the limit is left, *local*.
YELLOW_SHARE = 0.2


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


#: Lights in urgency order; whole columns of lights are kept as int8 codes into this tuple.
LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN)


def lights(deadline: np.ndarray, limit_s: np.ndarray, now: float) -> np.ndarray:
    """The light of each case at ``now``, as codes into :data:`LIGHTS`: red once overdue,
    yellow when at most ``YELLOW_SHARE`` of the limit is left, green before."""
    left = deadline - now
    return np.where(left <= 0, 0, np.where(left <= YELLOW_SHARE * limit_s, 1, 2)).astype(np.int8)


def light(deadline: float, limit_s: float, now: float) -> Light:
    """:func:`lights` for one case."""
    return LIGHTS[int(lights(np.array([deadline]), np.array([limit_s]), now)[0])]


@dataclass(frozen=True)
class SensorKind:
    code: str
    zh: str
    en: str
    unit: str
    warning: float  # reading at or above: warning
    alarm: float  # reading at or above: alarm
    priority: int  # alarm priority, 1 = critical
    normal: float  # typical quiet value, for the simulator


SENSOR_KINDS: dict[str, SensorKind] = {
    k.code: k
    for k in (
        # water depth grades: <3 / 3-10 / 10-25 / >25 cm
        SensorKind("water_level", "积水深度", "Water depth", "cm", 10.0, 25.0, 1, 0.0),
        SensorKind("manhole_tilt", "井盖倾角", "Manhole tilt", "°", 10.0, 15.0, 2, 0.5),
        SensorKind("gas", "燃气浓度", "Gas", "%LEL", 20.0, 35.0, 1, 1.0),
        SensorKind("bridge_strain", "桥梁应变", "Bridge strain", "με", 800.0, 1000.0, 1, 300.0),
        SensorKind("signal", "信号机故障", "Signal fault", "", 1.0, 1.0, 3, 0.0),
        SensorKind("dust", "扬尘PM10", "Dust PM10", "µg/m³", 150.0, 250.0, 4, 60.0),
    )
}

#: Alarm clears when the reading falls this share below the alarm threshold.
ALARM_DEADBAND = 0.1

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
