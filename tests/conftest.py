"""Shared test set-up: Qt runs headless on five virtual screens (the wall layout's)."""

from __future__ import annotations

import os

from console.launch import screens_config
from layouts import load

# Set before any QApplication exists: every Qt test sees wall-1 … wall-4 and desk.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screens_config(load('wall'))}"

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

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
