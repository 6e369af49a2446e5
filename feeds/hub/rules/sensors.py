"""Sensor rules: a reading's state and the threshold alarm it raises, updates or clears.

Every number comes from the city's sensor class (``sensor_classes.json``),
so a city changes its tables, not these rules.
"""

from __future__ import annotations

from msgspec.structs import replace

from feeds.city.model import SensorClass
from feeds.records import Alarm


def sensor_state(spec: SensorClass, value: float) -> str:
    if value >= spec.alarm:
        return "alarm"
    if value >= spec.warning:
        return "warning"
    return "normal"


def alarm_level(spec: SensorClass, value: float) -> tuple[int, float] | None:
    """(priority, threshold crossed) for a reading, or None when below warning."""
    if value < spec.warning:
        return None
    if value >= spec.alarm:
        return spec.priority, spec.alarm
    return min(spec.priority + 1, 4), spec.warning


def clears(spec: SensorClass, value: float) -> bool:
    """True when a reading is far enough below warning to end an active alarm.

    The deadband stops a reading that hovers at the threshold from raising and
    clearing the alarm over and over.
    """
    return value < spec.warning - spec.deadband * abs(spec.warning)


def update_alarm(spec: SensorClass, alarm: Alarm, value: float, at: float) -> Alarm | None:
    """The alarm after a new reading, or None if nothing worth telling changed.

    An alarm keeps its peak value and its highest priority; lower readings
    that do not clear it change nothing, so a busy sensor does not flood the
    alarm topic.
    """
    if clears(spec, value):
        return replace(alarm, state="cleared", cleared_at=at)
    level = alarm_level(spec, value)
    if level is None or value <= alarm.value:
        return None
    priority, threshold = level
    return replace(
        alarm, value=value, priority=min(priority, alarm.priority), threshold=max(threshold, alarm.threshold)
    )
