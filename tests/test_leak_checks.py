"""The leak checks of conftest.py fail a test that leaves a widget open or a timer running.

Each check runs on a small inner test file in a pytest of its own (pytester), with its own Qt.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

LEAKY_TESTS = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

KEEP = []  # what a module-level cache or a forgotten reference would hold on to


def test_a_pure_test_gets_no_qapplication():
    assert QApplication.instance() is None


def test_leaves_a_widget_open(qtbot):
    label = QLabel("left open")
    label.setObjectName("forgotten")
    label.show()
    KEEP.append(label)


def test_leaves_a_timer_running(qtbot):
    timer = QTimer()
    timer.start(60_000)
    KEEP.append(timer)


def test_leaves_a_single_shot_pending(qtbot):
    QTimer.singleShot(60_000, lambda: None)


def test_fails_with_a_widget_in_its_frames(qtbot):
    label = QLabel("kept by the traceback")
    label.show()
    assert label.text() == "something else"  # its failure alone is reported, not the label too


def test_cleans_up_after_itself(qtbot):
    label = QLabel("closed by qtbot")
    qtbot.addWidget(label)
    label.show()
    timer = QTimer()
    timer.start(60_000)
    timer.stop()
    fired = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired))
"""


def line_of(code: str) -> int:
    """The line of the inner test file that holds `code` (pytester writes it without the first newline)."""
    return next(n for n, line in enumerate(LEAKY_TESTS.lstrip("\n").splitlines(), 1) if code in line)


def test_leaked_widgets_and_timers_fail_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nqt_api = pyside6\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_leaky=LEAKY_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, failed=1, errors=3)
    timers_left = "E * QTimers left running (stop them before the test ends), started at: *test_leaky.py"
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_a_widget_open*",
            "E * top-level widgets left open (hand them to qtbot.addWidget): QLabel('forgotten')",
            "*ERROR at teardown of test_leaves_a_timer_running*",
            f"{timers_left}:{line_of('timer.start(60_000)')}",
            "*ERROR at teardown of test_leaves_a_single_shot_pending*",
            f"{timers_left}:{line_of('singleShot(60_000')}",
        ]
    )
