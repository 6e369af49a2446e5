"""A simulated working day, fast-forwarded: the city reports, the crew plays every role of the hall,
the hub applies and urges, and the stored timeline shows the shares a real hall would publish."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest
from sqlalchemy import text

from feeds.city import City, demo
from feeds.hub.core import HubCore
from feeds.hub.store import Store
from feeds.sim.people import Agenda, People, crew_accounts
from feeds.sim.texts import REPORTS_PER_S
from feeds.sim.world import CityPlay
from feeds.wire import IngestItem, Report
from tests.hubkit import Clock

MIDNIGHT = 1_794_931_200.0  # Wednesday 2026-11-18 00:00 in Shanghai: a working day, no holiday near
HOUR_S = 3600.0
#: A large city's day: some 20,000 cases a month (docs: DOMAIN.md), so 600 or so on a working day.
REPORTS_A_DAY = 600
#: When the reports come, by hour of the day: inspectors patrol in working hours (08-12, 14-18),
#: the hotline and apps ring from morning into the evening, the night is quiet.
BY_HOUR = (1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 14, 8, 10, 15, 16, 15, 12, 8, 6, 5, 4, 2, 1)
SEED = 7


def day(city: City, db_url: str) -> None:
    """Play the day into a hub over ``db_url``, minute by minute; commit every hour."""
    clock = Clock(MIDNIGHT)
    store = Store(db_url)
    core = HubCore(store.load(), city, clock)
    crew = crew_accounts(city)
    core.inspectors = {m.login: m.scope for m in crew if "inspector" in m.roles}  # the server's: accounts
    agenda = Agenda(People(city, SEED, cases=core.topics["cases"].live))
    play = CityPlay(city, "normal", SEED, rate=0, start=MIDNIGHT)
    for minute in range(24 * 60):
        clock.now = now = MIDNIGHT + 60.0 * minute
        per_minute = REPORTS_A_DAY * BY_HOUR[minute // 60] / sum(BY_HOUR) / 60
        reports: list[IngestItem] = [
            msgspec.structs.replace(item, ts=now)
            for item in play.step(per_minute / REPORTS_PER_S["normal"])
            if isinstance(item, Report)
        ]
        core.ingest(reports, sender="simulator")
        for case_id, version, move in agenda.due(now):
            case = core.topics["cases"].live[case_id]
            if case.version != version:  # a report merged into it this minute: the hub's conflict,
                continue  # and its new version gets a move of its own below
            acting = agenda.people.members[move.login]
            core.act(move.command(f"{move.login}-{minute}-{case_id}", case), acting)
        core.tick()
        for case in core.batch.records.get("cases", {}).values():
            agenda.see(case, now)  # type: ignore[arg-type]
        if minute % 60 == 59:
            batch = core.take_batch()
            store.commit(batch)
            core.publish(batch)
    store.close()


@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Any]]:
    """The day played once for the module; reads its store in SQL."""
    url = f"sqlite:///{tmp_path_factory.mktemp('day') / 'hall.db'}"
    started = time.perf_counter()
    day(demo().city, url)
    print(f"a simulated day in {time.perf_counter() - started:.1f} s")
    store = Store(url)

    def sql(query: str, **values: Any) -> Any:
        with store.engine.connect() as conn:
            return conn.execute(text(query), values).all()

    yield sql
    store.close()


def test_a_day_runs_the_whole_loop_with_a_real_halls_shares(timeline: Callable[..., Any]) -> None:
    done: Counter[str] = Counter(dict(timeline("SELECT action, count(*) FROM case_events GROUP BY action")))
    print(dict(done))
    assert 500 <= done["report"] <= 700  # a large city's working day
    assert 0.6 <= done["verify"] / (done["verify"] + done["accept"]) <= 0.8  # public reports checked on site
    found = done["confirm"] + done["not_found"] + done["self_fix"]
    assert 0.75 <= done["confirm"] / found <= 0.95 and done["self_fix"] > 0
    assert 0.04 <= done["reject"] / (done["reject"] + done["file"]) <= 0.12  # 准确立案
    assert 0.03 <= done["return"] / done["dispatch"] <= 0.15  # wrong dispatches come back
    assert done["transfer"] > 0  # the agencies' categories: illegal parking, signals
    assert 0.05 <= done["fail"] / (done["fail"] + done["pass"]) <= 0.25  # 返工
    assert 0.02 <= done["request_extension"] / done["take"] <= 0.1 and done["grant_extension"] > 0
    assert 0 < done["request_hang"] <= 0.03 * done["take"] and done["approve_hang"] > 0
    assert done["close"] > done["report"] / 3
    assert 0 < done["merge"] < 0.1 * done["report"]  # repeat calls about one problem join its case
    assert 0 < done["appeal"] < done["close"] / 10 and done["forward_appeal"] > 0 and done["grant_appeal"] > 0


def test_most_of_the_days_work_is_closed_by_midnight_some_of_it_late(timeline: Callable[..., Any]) -> None:
    early = dict(
        timeline(
            "SELECT status, count(*) FROM cases WHERE reported_at < :t GROUP BY status",
            t=MIDNIGHT + 16 * HOUR_S,
        )
    )
    print(early)
    assert early["closed"] > 0.5 * sum(early.values())  # reported before 16:00, closed by midnight
    closures = dict(timeline("SELECT closure, count(*) FROM cases WHERE status = 'closed' GROUP BY closure"))
    print(closures)
    assert set(closures) == {"normal", "late", "special"}  # every closed case has its type; transfers special
    assert 0.05 <= closures["late"] / sum(closures.values()) <= 0.3  # 按期结案率 70-95%


def test_the_hub_urged_what_ran_late(timeline: Callable[..., Any]) -> None:
    urged = dict(timeline("SELECT reason, count(*) FROM case_events WHERE actor = 'system' GROUP BY reason"))
    print(urged)
    assert urged["timeout:handle"] > 0 and urged["urged_unanswered"] > 0
    answered = timeline(
        "SELECT count(*) FROM case_events u JOIN case_events a ON a.case_id = u.case_id AND a.seq > u.seq "
        "WHERE u.reason = 'timeout:handle' AND a.action = 'feedback'"
    )
    assert answered[0][0] > 0  # an urged department feeds back
