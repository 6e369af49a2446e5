"""The header band: what is urgent is marked, the rest stays quiet."""

from __future__ import annotations

import pytest

from console.state import HallSummary
from widgets.hall_header import QtHallHeader


@pytest.mark.parametrize(
    ("summary", "overdue", "alarms"),
    [
        (HallSummary(), "", ""),
        (HallSummary(overdue=2), "overdue", ""),  # a case's magenta: red is for alarms
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


def test_the_header_says_who_is_signed_in_at_this_seat(qtbot) -> None:  # type: ignore[no-untyped-def]
    header = QtHallHeader("滨江市")
    qtbot.addWidget(header)
    assert header.user.text() == ""  # nobody yet: the hub has not welcomed the seat
    header.show()
    qtbot.waitExposed(header)
    header.show_user("李娜 · 派遣员")
    assert header.user.text() == "李娜 · 派遣员" and header.user.isVisible()


def test_urged_cases_are_counted_and_those_left_to_the_shift_lead_marked(qtbot) -> None:  # type: ignore[no-untyped-def]
    header = QtHallHeader("滨江市")
    qtbot.addWidget(header)
    header.show_summary(HallSummary(escalated=3, raised=1), 1_795_000_000.0)
    assert (header.escalated.text(), header.raised.text()) == ("Urged 3", "To the lead 1")
    assert header.raised.property("alert") == "warning"
    header.show_summary(HallSummary(escalated=3), 1_795_000_000.0)
    assert header.raised.text() == "To the lead 0" and header.raised.property("alert") == ""
