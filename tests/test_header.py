"""The header band: what is urgent is marked, the rest stays quiet."""

from __future__ import annotations

import pytest

from console.state import HallSummary
from widgets.hall_header import QtHallHeader


@pytest.mark.parametrize(
    ("summary", "overdue", "alarms"),
    [
        (HallSummary(), "", ""),
        (HallSummary(overdue=2), "critical", ""),
        (HallSummary(alarms_active=3), "", "warning"),
        (HallSummary(alarms_active=3, alarms_critical=1), "", "critical"),
    ],
)
def test_counters_are_marked_by_urgency(qtbot, summary: HallSummary, overdue: str, alarms: str) -> None:  # type: ignore[no-untyped-def]
    header = QtHallHeader("滨江市")
    qtbot.addWidget(header)
    header.show_summary(summary, 1_795_000_000.0)
    assert header.overdue.property("alert") == overdue
    assert header.alarms.property("alert") == alarms


def test_the_clock_shows_local_date_and_time(qtbot) -> None:  # type: ignore[no-untyped-def]
    header = QtHallHeader("滨江市")
    qtbot.addWidget(header)
    header.show_summary(HallSummary(), 1_795_000_000.0)
    assert header.clock.text().startswith("2026-")
