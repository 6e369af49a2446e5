"""Shared test set-up: Qt runs headless on five virtual screens (the wall layout's)."""

from __future__ import annotations

import os

from console.launch import screens_config
from layouts import load

# Set before any QApplication exists: every Qt test sees wall-1 … wall-4 and desk.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screens_config(load('wall'))}"

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("HALL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _missing_service(what: str, why: Exception) -> None:
    """Skip on a user's machine; fail on CI, where the service must be there."""
    message = f"{what} is not reachable ({why.__class__.__name__}: {why})"
    if os.environ.get("HALL_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " and HALL_REQUIRE_SERVICES=1")
    pytest.skip(message)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose tables land in a schema of this test's own, dropped afterwards."""
    schema = f"hall_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = sqlalchemy.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        _missing_service(f"PostgreSQL at {PG_URL}", error)
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hall.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on the embedded SQLite file and on the real PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture(autouse=True, scope="session")
def own_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Consoles cache the cities hubs serve: the tests' cache is their own, not the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True)
def names_from_a_city_stay_in_their_test() -> Iterator[None]:
    """A test that names things after a city (names.use_city) leaves the next test as it found it."""
    saved = getattr(sys.modules.get("console.names"), "_city", None)
    yield
    names = sys.modules.get("console.names")
    if names is not None:
        names.use_city(saved)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """A test must stop every thread it started (a hub's database thread, an executor …)."""
    import threading

    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
    for thread in leaked:
        thread.join(timeout=5)  # give a thread that is finishing its last task the time to end
    still = [t.name for t in leaked if t.is_alive()]
    assert not still, f"threads left running: {still}"


# -- Qt leaks: a widget left open or a timer left running spills into the tests that follow ------------

# Top-level widgets Qt makes and keeps for itself (by C++ class name): not a test's to close.
QT_OWN_WIDGETS = {"QTipLabel"}  # QToolTip's label: a hover in one test shows it, its own timer hides it


def _qt_app(request: pytest.FixtureRequest) -> Any:
    """The QApplication if this test has one; None for the pure tests, which must not make one."""
    if "qapp" in request.fixturenames:  # qtbot needs qapp too
        return request.getfixturevalue("qapp")
    widgets = sys.modules.get("PySide6.QtWidgets")
    return widgets.QApplication.instance() if widgets else None


def _flush_deletions(app: Any) -> None:
    """Carry out the deleteLater() calls pending, such as qtbot's for the widgets it closed."""
    from PySide6.QtCore import QEvent

    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _release_test_objects(request: pytest.FixtureRequest, app: Any) -> None:
    """Let go of what only the finished test still holds, before calling anything left a leak.

    pytest keeps the test's fixture values until its teardown is over, so a widget's Python-owned
    parts (pyqtgraph's parentless menus, a timer of a Python object) outlive the widget until then.
    """
    import gc

    request.node.funcargs.clear()  # pytest drops them right after teardown; no finalizer reads them
    gc.collect()
    _flush_deletions(app)


def _failed(since: object) -> bool:
    """Whether the test raised: pytest records its exception in sys.last_value, with its frames."""
    return getattr(sys, "last_value", None) is not since


def _started_at() -> str:
    """The innermost line of the project's own code (tests included) in the current call stack."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(str(ROOT)) and "/.venv/" not in name and name != __file__:
            return f"{Path(name).relative_to(ROOT)}:{frame.f_lineno}"
        frame = frame.f_back
    return "outside the project"


@pytest.fixture(autouse=True)
def no_leaked_widgets(request: pytest.FixtureRequest) -> Iterator[None]:
    """A Qt test closes every top-level widget it opens: `qtbot.addWidget(widget)` does it."""
    app = _qt_app(request)
    if app is None:
        yield
        return
    before, error_before = set(app.topLevelWidgets()), getattr(sys, "last_value", None)

    def new_widgets() -> list[Any]:
        return [
            widget
            for widget in app.topLevelWidgets()
            if widget not in before and widget.metaObject().className() not in QT_OWN_WIDGETS
        ]

    yield
    _flush_deletions(app)
    if new_widgets():
        _release_test_objects(request, app)
    leaked = new_widgets()
    names = [f"{widget.metaObject().className()}({widget.objectName()!r})" for widget in leaked]
    for widget in leaked:  # so that the next test starts clean
        widget.close()
        widget.deleteLater()
    _flush_deletions(app)
    # A failed test keeps its frames, and so its widgets, in sys.last_value: its failure says enough.
    assert _failed(error_before) or not names, (
        f"top-level widgets left open (hand them to qtbot.addWidget): {', '.join(names)}"
    )


@pytest.fixture(autouse=True)
def no_leaked_timers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Qt test stops every QTimer it started (a frame clock, a poll …) or lets its single shot fire."""
    app = _qt_app(request)
    if app is None:
        yield
        return
    import weakref

    import shiboken6
    from PySide6.QtCore import QObject, Qt, QTimer

    started: weakref.WeakKeyDictionary[QTimer, str] = weakref.WeakKeyDictionary()  # a dropped timer is gone
    single_shots: list[tuple[QTimer, str]] = []  # kept alive until they fire, as Qt would
    start, single_shot = QTimer.start, QTimer.singleShot
    error_before = getattr(sys, "last_value", None)

    def recording_start(timer: QTimer, *args: Any) -> None:
        started[timer] = _started_at()
        start(timer, *args)

    def recording_single_shot(msec: int, *args: Any) -> None:
        # Qt's own single shot has no timer to look at afterwards, so make it from a QTimer of ours:
        # (msec, [timer type,] [context,] callable); a receiver with a SLOT() name is left to Qt.
        timer_type, rest = (args[0], args[1:]) if isinstance(args[0], Qt.TimerType) else (None, args)
        *context, target = rest
        if not callable(target) or (context and not isinstance(context[0], QObject)):
            single_shot(msec, *args)
            return
        timer = QTimer(context[0] if context else None)  # a context that goes cancels the call, as in Qt
        timer.setSingleShot(True)
        if timer_type is not None:
            timer.setTimerType(timer_type)
        timer.timeout.connect(target)
        single_shots.append((timer, _started_at()))
        start(timer, msec)

    def running() -> list[tuple[QTimer, str]]:
        timers = [*started.items(), *single_shots]
        return [(timer, where) for timer, where in timers if shiboken6.isValid(timer) and timer.isActive()]

    monkeypatch.setattr(QTimer, "start", recording_start)
    monkeypatch.setattr(QTimer, "singleShot", staticmethod(recording_single_shot))
    yield
    _flush_deletions(app)  # a timer that belonged to a closed widget went with it
    if running():
        _release_test_objects(request, app)
    left = running()
    for timer, _ in left:  # so that it does not fire into the next test
        timer.stop()
    assert _failed(error_before) or not left, (
        "QTimers left running (stop them before the test ends), started at: "
        + ", ".join(where for _, where in left)
    )
