"""Names of the hall's codes in the console's language, without Qt.

Vocabulary the same everywhere (report sources, statuses, priorities, fleet
kinds) comes from ``feeds.domain``; what a city names (categories,
departments, areas, sensor classes) comes from the city the hub serves.
Chinese by default; English where a name has an English form.
"""

from __future__ import annotations

from feeds import domain
from feeds.city import City
from feeds.city.workflow import SYSTEM, Workflow
from feeds.city.workflow import default as default_workflow

LANGUAGES = ("zh_CN", "en")

_language = "zh_CN"
_city: City | None = None
_memo: dict[tuple[str, str], str] = {}  # (what, code) → name: 100,000 cases name a few hundred codes


def use_language(lang: str) -> None:
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _language = lang
    _memo.clear()


def use_city(city: City | None) -> None:
    """Names of categories, departments, areas and sensor classes come from this city."""
    global _city
    _city = city
    _memo.clear()


def language() -> str:
    return _language


def chinese() -> bool:
    return _language == "zh_CN"


def _pick(zh: str, en: str) -> str:
    return zh if chinese() else en


def named(name: str, name_en: str) -> str:
    """A name in the UI language: the Chinese name, or the English one where there is one."""
    return name if chinese() or not name_en else name_en


def category_name(code: str) -> str:
    found = _memo.get(("category", code))
    if found is None:
        category = _city.categories.get(code) if _city else None
        found = _memo[("category", code)] = named(category.name, category.name_en) if category else code
    return found


def department_name(code: str | None) -> str:
    if code is None:
        return ""
    found = _memo.get(("department", code))
    if found is None:
        known = _city.departments.get(code) if _city else None
        found = _memo[("department", code)] = named(known.name, known.name_en) if known else code
    return found


def area_name(code: str) -> str:
    """The name of a district, street, community or grid; the code where the city has none."""
    found = _memo.get(("area", code))
    if found is None:
        area = _city.area(code) if _city and code else None
        found = _memo[("area", code)] = named(area.name, area.name_en) if area and area.name else code
    return found


def sensor_kind_name(code: str) -> str:
    spec = _city.sensor_classes.get(code) if _city else None
    return named(spec.name, spec.name_en) if spec else code


def alarm_kind_name(code: str) -> str:
    """What an alarm's kind names: a sensor class, a fence of the city, or a vehicle kind."""
    if _city is not None and code in _city.sensor_classes:
        return sensor_kind_name(code)
    fence = next((f for f in _city.fences if f.id == code), None) if _city else None
    return named(fence.name, fence.name_en) if fence else vehicle_kind_name(code)


def sensor_unit(code: str) -> str:
    spec = _city.sensor_classes.get(code) if _city else None
    return spec.unit if spec else ""


def source_name(code: str) -> str:
    names = domain.SOURCES.get(code)
    return _pick(*names) if names else code


def workflow() -> Workflow:
    """The city's workflow table; the shipped one until the city arrives."""
    return _city.workflow if _city else default_workflow()


def status_name(status: str) -> str:
    state = workflow().states.get(status)
    return named(state.name, state.name_en) if state else status


def action_name(action: str) -> str:
    known = workflow().actions.get(action)
    return named(known.name, known.name_en) if known else action


def role_name(role: str) -> str:
    names = ("系统", "System") if role == SYSTEM else domain.ROLE_NAMES.get(role)  # type: ignore[call-overload]
    return _pick(*names) if names else role


#: What an alarm says is wrong, beyond a reading too high (the plain case, named by nothing).
ALARM_CONDITIONS = {
    "low": ("过低", "too low"),
    "rate": ("上涨过快", "rising fast"),
    "comm": ("通信中断", "silent"),
    # a vehicle's (feeds.hub.rules.fleet)
    "no_entry": ("驶入禁入区", "entered a no-entry zone"),
    "no_driving": ("禁行时段行驶", "driving in forbidden hours"),
    "keep_in": ("驶出作业区域", "left its area"),
    "route": ("偏离核准路线", "off its route"),
    "speed": ("超速", "speeding"),
    "stopped": ("超时停车", "stopped too long"),
    "silent": ("定位中断", "no GPS fix"),
}


def alarm_condition_name(condition: str) -> str:
    names = ALARM_CONDITIONS.get(condition)
    return _pick(*names) if names else ""


def priority_name(priority: int) -> str:
    return _pick(
        domain.PRIORITY_ZH.get(priority, str(priority)), domain.PRIORITY_EN.get(priority, str(priority))
    )


def vehicle_kind_name(code: str) -> str:
    kind = domain.VEHICLE_KINDS.get(code)
    return _pick(kind.zh, kind.en) if kind else code


def vehicle_status_name(code: str) -> str:
    names = domain.VEHICLE_STATUSES.get(code)
    return _pick(*names) if names else code
