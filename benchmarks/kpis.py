"""The KPI engine over 100,000 cases: one case's update (aim under 5 ms) and every figure of the
wall recomputed — every rate for every object over today, this week and this month, and every
scheme's ranking (aim under 1 s).

The cases are random walks through the city's workflow table (:func:`walk`): every step one the
table allows from the state the case is in, the time limits running out now and then, so the
timelines hold returns, reworks, extensions, appeals and voids as well as the plain path.
``measure_kpis()`` is importable without side effects; ``python -m benchmarks.kpis`` prints its
result.  :class:`Story` also builds the hand-made month of ``tests/test_kpis.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np

from feeds.city.folder import build, default_tables
from feeds.city.model import City
from feeds.city.workflow import CONDITIONS, Workflow
from feeds.domain import SOURCES
from feeds.hub.rules.kpis import SYSTEM, KpiEngine, Period
from feeds.records import Case, TimelineEntry

ROUTES = {"dispatch": ("department", "street_office"), "transfer": ("agency",)}
MAX_STEPS = 24  # a walk that keeps urging and appealing stops here, still open


@dataclass
class Story:
    """One case's record and timeline, step by step; each step must be one the workflow table
    allows from the state the case is in (a timeout: a stage whose clock runs)."""

    workflow: Workflow
    id: str
    reported_at: float
    grid: str  # 15 digits: its district, street and community are its first 6, 9 and 12
    source: str = "inspector"
    reporter: str = ""
    state: str = ""
    department: str | None = None
    late: list[str] = field(default_factory=list)
    appeal: str = ""
    events: list[TimelineEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.state = "to_file" if self.source == "inspector" else "reported"
        self._add(self.reported_at, self.reporter or self.source, "report", self.state)

    @property
    def at(self) -> float:
        return self.events[-1].at

    def step(self, at: float, action: str, actor: str, department: str = "", reason: str = "") -> Story:
        transition = self.workflow.table.get((self.state, action))
        if transition is None:
            raise ValueError(f"{self.id}: {action} is not allowed in {self.state}")
        if action in ROUTES or action == "dispatch_district":
            self.department = department
        elif action == "return":
            self.department = None
        self.appeal = {"appeal": "pending", "forward_appeal": "forwarded"}.get(action, self.appeal)
        self.appeal = {"grant_appeal": "granted", "deny_appeal": "denied"}.get(action, self.appeal)
        self._add(at, actor, action, transition.to or self.state, reason)
        return self

    def timeout(self, at: float, stage: str) -> Story:
        state = self.workflow.state(self.state)
        if state.stage != stage or state.clock != "open" or stage in self.late:
            raise ValueError(f"{self.id}: no {stage} clock runs out in {self.state}")
        self.late.append(stage)
        self._add(at, SYSTEM, "urge", self.state, f"timeout:{stage}")
        return self

    def _add(self, at: float, actor: str, action: str, to: str, reason: str = "") -> None:
        if self.events and at < self.at:
            raise ValueError(f"{self.id}: {action} at {at} before the step above it")
        seq = len(self.events) + 1
        self.events.append(TimelineEntry(seq, at, actor, action, reason, self.department, "", self.state, to))
        self.state = to

    def case(self) -> Case:
        return Case(
            id=self.id,
            category="06010",
            grid=self.grid,
            district=self.grid[:6],
            street=self.grid[:9],
            community=self.grid[:12],
            lon=120.1,
            lat=30.2,
            source=self.source,
            description="",
            status=self.state,
            reported_at=self.reported_at,
            deadline=0.0,
            limit_s=0.0,
            version=len(self.events),
            department=self.department,
            reporter=self.reporter,
            late=",".join(self.late),
            appeal=self.appeal,
        )


class Chooser(Protocol):
    """Where a walk's choices come from: a seeded generator, or hypothesis."""

    def pick(self, options: Sequence[str]) -> str: ...

    def minutes(self) -> float: ...


@dataclass(frozen=True)
class Cast:
    """The people and places a walk picks from."""

    grids: Sequence[str]
    inspectors: Sequence[str]
    leads: Sequence[str]
    dispatchers: Sequence[str]
    departments: dict[str, Sequence[str]]  # kind → codes

    def actor(self, role: str, story: Story, chooser: Chooser) -> str:
        if role == "handler":
            return f"h-{story.department}"
        people = {"inspector": self.inspectors, "lead": self.leads, "dispatcher": self.dispatchers}
        return chooser.pick(people[role]) if role in people else role


def walk(workflow: Workflow, cast: Cast, case_id: str, start: float, chooser: Chooser) -> Story:
    """A random case: its source and place, then steps the table allows, or timeouts, until it is
    over (or :data:`MAX_STEPS`)."""
    source = chooser.pick(list(SOURCES))
    reporter = chooser.pick(cast.inspectors) if source == "inspector" else ""
    story = Story(workflow, case_id, start, chooser.pick(cast.grids), source, reporter)
    for _ in range(MAX_STEPS):
        state = workflow.state(story.state)
        if state.final:
            break
        options = [action for (code, action), t in workflow.table.items() if code == story.state]
        if state.clock == "open" and state.stage not in story.late:
            options.append("timeout")
        action = chooser.pick(options)
        at = story.at + 60 * chooser.minutes()
        if action == "timeout":
            story.timeout(at, state.stage)
            continue
        transition = workflow.table[(story.state, action)]
        if transition.when and not CONDITIONS[transition.when](story.case()):
            continue
        kinds = ROUTES.get(action, ())
        department = chooser.pick([c for k in kinds for c in cast.departments.get(k, ())]) if kinds else ""
        story.step(at, action, cast.actor(transition.roles[0], story, chooser), department, "why")
    return story


#: The steps of the plain path, which a seeded walk takes most of the time.
FORWARD = frozenset({"accept", "verify", "confirm", "file", "dispatch", "take", "feedback", "check"})
FORWARD |= {"pass", "close"}


class _Seeded:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def pick(self, options: Sequence[str]) -> str:
        forward = [option for option in options if option in FORWARD]
        if forward and self.rng.random() < 0.85:
            options = forward
        return options[int(self.rng.integers(len(options)))]

    def minutes(self) -> float:
        return float(self.rng.exponential(90.0))


def bench_city() -> City:
    city, problems = build(default_tables())
    if any(p.error for p in problems):
        raise RuntimeError(f"the shipped tables do not build: {problems[:3]}")
    return city


def random_cases(city: City, count: int, start: float, days: float, seed: int = 8) -> list[Story]:
    """``count`` random walks reported over ``days`` from ``start``."""
    kinds: dict[str, list[str]] = {}
    for department in city.departments.values():
        kinds.setdefault(department.kind, []).append(department.code)
    cast = Cast(
        grids=[f"330101{s:03d}{c:03d}{g:03d}" for s in (1, 2) for c in (1, 2) for g in range(1, 26)],
        inspectors=[f"inspector-{n}" for n in range(40)],
        leads=[f"lead-{n}" for n in range(6)],
        dispatchers=[f"dispatcher-{n}" for n in range(8)],
        departments=kinds,
    )
    chooser = _Seeded(seed)
    times = np.sort(start + chooser.rng.uniform(0, days * 86_400, count))
    return [walk(city.workflow, cast, f"K{n:06d}", float(t), chooser) for n, t in enumerate(times)]


def measure_kpis(cases: int = 100_000, updates: int = 2_000, repeats: int = 5) -> dict[str, float]:
    city = bench_city()
    engine = KpiEngine(city, patrols={f"inspector-{n}": "330101" for n in range(40)})
    month = Period.month(2026, 3, engine.zone)
    stories = random_cases(city, cases, month.start, 31)
    started = time.perf_counter()
    engine.load((story.case(), story.events) for story in stories)
    load_s = time.perf_counter() - started

    now = month.start + 20.5 * 86_400
    periods = [Period.containing(kind, now, engine.zone) for kind in ("day", "week", "month")]

    def recompute() -> None:
        for period in periods:
            figures = engine.figures(period, as_of=now)
            for scheme in city.kpis.schemes.values():
                engine.ranking(figures[scheme.object], scheme)

    recompute()  # warm up
    timings = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        recompute()
        timings.append((time.perf_counter() - t0) * 1000)

    # one case's update: a step more on its timeline, as the hub would hand it over
    rng = np.random.default_rng(5)
    update_ms = []
    for n in rng.integers(len(stories), size=updates).tolist():
        story = stories[n]
        events = [*story.events, TimelineEntry(len(story.events) + 1, story.at + 60, "lead-0", "urge")]
        case = story.case()
        t0 = time.perf_counter()
        engine.update(case, events)
        update_ms.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    engine.behind(periods[2], "department", "water", "handled_on_time", as_of=now)
    drill_ms = (time.perf_counter() - t0) * 1000
    return {
        "kpis_cases": float(len(engine)),
        "kpis_events": float(sum(len(s.events) for s in stories)),
        "kpis_load_s": load_s,
        "kpis_recompute_ms": statistics.median(timings),
        "kpis_update_ms_median": statistics.median(update_ms),
        "kpis_update_ms_p99": statistics.quantiles(update_ms, n=100)[-1],
        "kpis_drill_down_ms": drill_ms,
    }


if __name__ == "__main__":
    print(f"KPI engine, {datetime.now():%Y-%m-%d %H:%M}")
    for name, value in measure_kpis().items():
        print(f"{name:36} {value:>14,.2f}")
