"""Domain vocabulary of the hall, the same in every city: roles, report sources, the
time-limit light, alarm priorities, fleet kinds and statuses.  The case states are
the city's workflow table (:mod:`feeds.city.workflow`).

What differs from city to city (categories, departments, limits, sensor
classes and thresholds) lives in the city folder (:mod:`feeds.city`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Role(StrEnum):
    """Who a signed-in person (or producer) is in the hall; a user holds one or more."""

    INTAKE = "intake"  # 受理员: takes reports, creates cases, sends verify/check tasks
    LEAD = "lead"  # 值班长: files, rejects, voids, closes; approves hangs
    DISPATCHER = "dispatcher"  # 派遣员: dispatches, handles returns and extension requests, urges
    HANDLER = "handler"  # 处置人员: a department's handler, bound to one department
    INSPECTOR = "inspector"  # 监督员: verifies and checks on site, reports, fixes on the spot
    WALL = "wall"  # 大屏: reads everything, acts on nothing
    ADMIN = "admin"  # 管理员: administers users
    PRODUCER = "producer"  # a gateway, the 12319 system or the simulator: ingest only


ROLE_NAMES: dict[Role, tuple[str, str]] = {
    Role.INTAKE: ("受理员", "Intake operator"),
    Role.LEAD: ("值班长", "Shift lead"),
    Role.DISPATCHER: ("派遣员", "Dispatcher"),
    Role.HANDLER: ("处置人员", "Department handler"),
    Role.INSPECTOR: ("监督员", "Field inspector"),
    Role.WALL: ("大屏", "Video wall"),
    Role.ADMIN: ("管理员", "Administrator"),
    Role.PRODUCER: ("数据接入", "Data producer"),
}


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
    OFF = "off"  # no clock runs: the case is over


#: Lights in urgency order; whole columns of lights are kept as int8 codes into this tuple.
LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN, Light.OFF)
OFF = LIGHTS.index(Light.OFF)


def lights(left: np.ndarray, limit_s: np.ndarray, yellow_share: float) -> np.ndarray:
    """The light of each case from the clock seconds ``left`` of its running stage, as codes
    into :data:`LIGHTS`: red once overdue, yellow when at most ``yellow_share`` of the limit is
    left (a city's choice), green before."""
    return np.where(left <= 0, 0, np.where(left <= yellow_share * limit_s, 1, 2)).astype(np.int8)


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
        VehicleKind("plough", "除雪车", "Snow plough", 20.0),
        # A field inspector's app is a device too: its id is the inspector's login (监督员 on foot).
        VehicleKind("inspector", "监督员", "Inspector", 4.5),
    )
}

VEHICLE_STATUSES: dict[str, tuple[str, str]] = {
    "moving": ("行驶", "Moving"),
    "working": ("作业", "Working"),
    "idle": ("停驶", "Idle"),
    "offline": ("离线", "Offline"),
}


#: Who may take which action on an alarm (ISA-18.2; the acting role is the first of these the
#: user holds): the desk acknowledges it and opens a case from it, the desk and the lead shelve
#: it, the lead (or an administrator) takes it out of service for maintenance and back.
ALARM_ROLES: dict[str, tuple[str, ...]] = {
    "ack": ("dispatcher", "lead", "intake"),
    "open_case": ("intake", "dispatcher", "lead"),  # the alarm becomes a case (转为案件), linked both ways
    "shelve": ("dispatcher", "lead"),
    "unshelve": ("dispatcher", "lead"),
    "remove": ("lead", "admin"),
    "restore": ("lead", "admin"),
}
