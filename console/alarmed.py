"""What has an alarm standing, by row of the state's sensor and vehicle tables: what the map rings,
colours and labels.  Numpy over the alarm column store (:class:`console.columns.AlarmColumns`),
which the alarm panel keeps anyway: a frame looks up only the alarms new in it, so a flood of
5,000 standing alarms costs a millisecond, not a pass of Python over every alarm.  Qt-free.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from console.columns import ACKED, UNACKED, AlarmColumns, Update
from console.state import HallState


class Standing(NamedTuple):
    """The sensors or vehicles with an alarm standing, the most urgent first: each one's table row,
    and the slot (in the alarm store) and priority of its most urgent alarm."""

    rows: np.ndarray
    slots: np.ndarray
    priorities: np.ndarray


class Alarmed:
    """Which table row each alarm watches, kept up to date frame by frame; :meth:`on` says which
    rows have an alarm standing (active, neither shelved, out of service nor suppressed)."""

    def __init__(self, state: HallState, alarms: AlarmColumns) -> None:
        self.state, self.alarms = state, alarms
        self._row = np.zeros(0, np.int64)  # per alarm slot: the row of what it watches (-1: not here)
        self._vehicle = np.zeros(0, bool)  # per alarm slot: a vehicle's alarm (else a sensor's)
        self._sizes = (0, 0)  # the tables' sizes when the rows were looked up

    def update(self, update: Update, renumbered: bool) -> None:
        """Follow one frame of the alarm store; ``renumbered``: a snapshot numbered a table anew."""
        sizes = (len(self.state.sensor_points), len(self.state.vehicle_points))
        if update.reset or renumbered:
            self._find(self.alarms.all_slots())
        else:
            self._find(update.added)
            if sizes != self._sizes:  # what an alarm watches may have arrived after it
                self._find(np.flatnonzero(self._row < 0))
        self._sizes = sizes

    def _find(self, slots: np.ndarray) -> None:
        grown = len(self.alarms) - len(self._row)
        if grown > 0:
            self._row = np.concatenate([self._row, np.full(grown, -1, np.int64)])
            self._vehicle = np.concatenate([self._vehicle, np.zeros(grown, bool)])
        sensors, vehicles = self.state.sensor_points.index, self.state.vehicle_points.index
        for slot in slots.tolist():
            alarm = self.alarms.record(slot)
            if alarm is not None:
                self._vehicle[slot] = bool(alarm.vehicle_id)
                self._row[slot] = (vehicles if alarm.vehicle_id else sensors).get(alarm.source, -1)

    def on(self, vehicles: bool) -> Standing:
        """The sensors (or vehicles) with an alarm standing: by priority, then the highest value."""
        numbers, n = self.alarms.numbers, len(self._row)
        attention, priority = numbers["attention"][:n], numbers["priority"][:n]
        standing = (attention == UNACKED) | (attention == ACKED)
        slots = np.flatnonzero(standing & (self._row >= 0) & (self._vehicle == vehicles))
        slots = slots[np.lexsort((-numbers["value"][slots], priority[slots]))]
        rows = self._row[slots]
        _rows, first = np.unique(rows, return_index=True)  # each row's most urgent alarm
        first.sort()
        return Standing(rows[first], slots[first], priority[slots[first]].astype(np.int64))
