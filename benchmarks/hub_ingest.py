"""The hub's ingest ceiling: producer items per second stored and acknowledged, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from argon2 import PasswordHasher

from feeds.hub.accounts import Accounts
from feeds.hub.store import Store
from feeds.sim import run_simulator

#: What the simulator offers; the hub's figure below it is its ceiling on this machine.
OFFERED_RATE = 200_000
PG_URL = os.environ.get("HALL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
#: The simulator's producer account in the benchmark's database (argon2id, hashed cheaply: the
#: figure is the hub's ingest, not its password hashing).
USER, PASSWORD = "simulator", "bench-simulator"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def _add_account(db_url: str) -> None:
    """The producer account the simulator signs in with, in a fresh database."""
    store = Store(db_url)
    try:
        Accounts(store.engine, hasher=CHEAP_HASHER).add(USER, "模拟器", ["producer"], PASSWORD)
    finally:
        store.close()


def _start_hub(db_url: str) -> tuple[subprocess.Popen[str], str]:
    hub = subprocess.Popen(
        [sys.executable, "-m", "console.cli", "hub", "--port", "0", "--db", db_url],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert hub.stdout is not None
    line = hub.stdout.readline().strip()
    if not line.startswith("hub listening on "):
        hub.kill()
        raise RuntimeError(f"the hub did not start on {db_url}")
    return hub, line.removeprefix("hub listening on ")


def measure_hub_ingest(db_url: str, rate: float = OFFERED_RATE, seconds: float = 6.0) -> float:
    """Items per second acknowledged when the simulator offers ``rate`` per second."""
    _add_account(db_url)
    hub, url = _start_hub(db_url)
    try:
        started = time.perf_counter()
        playing = run_simulator(
            url, "rainstorm", rate, seed=11, seconds=seconds, user=USER, password=PASSWORD
        )
        stats = asyncio.run(playing)
        return stats.acked / (time.perf_counter() - started)
    finally:
        hub.terminate()
        hub.wait(timeout=30)


def measure_hub(seconds: float = 6.0) -> dict[str, float]:
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        figures["hub_sqlite_items_per_s"] = measure_hub_ingest(
            f"sqlite:///{Path(folder) / 'hall.db'}", seconds=seconds
        )
    schema = f"hall_bench_{os.getpid()}"
    try:
        import sqlalchemy

        admin = sqlalchemy.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # no PostgreSQL here: report the SQLite figure only
        print(f"(PostgreSQL not reachable, skipped: {error.__class__.__name__})", file=sys.stderr)
        return figures
    try:
        figures["hub_postgres_items_per_s"] = measure_hub_ingest(
            f"{PG_URL}?options=-csearch_path%3D{schema}", seconds=seconds
        )
    finally:
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return figures


if __name__ == "__main__":
    print(measure_hub())
