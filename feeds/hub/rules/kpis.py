"""KPIs (综合评价): the rates of the city's ``kpis.json`` per department, area and person over
any period, from the cases' records and timelines.  Pure: no I/O, no clock of its own.

**Facts, then figures.**  :meth:`KpiEngine.update` reads one case and its timeline into
facts — the time of the first event of each kind that matters (filed, first dispatched, fed
back, closed, each stage's timeout …; NaN: not yet) and whom it concerns — kept as one row of
numpy columns, so an update costs microseconds.  :meth:`KpiEngine.figures` counts every rate
for every object of a period at once from the columns: masks and grouped sums (np.bincount),
no loop over cases.

**As of a time.**  A period's figures are taken as of its end, or as of an earlier time (the
live day as of now): only events before it count, so a report of a closed month made again
later is the same, whatever happened since (an appeal granted, a case voided).

**Late** is the timeline's: a stage ran late at its timeout event (督办 by ``system``, reason
``timeout:<stage>``), and a step is on time when it was taken before its stage's timeout.  A
case with an appeal granted (批准申诉) before the as-of time counts as on time in every rate,
though its ``late`` stays on the record.

**The period a case counts in.**  Each rate counts a case once, in the period of the event
that puts it into the denominator (*due*); the numerator (*hit*) is decided by the as-of time.
Voided cases leave the handling and closing rates.

- Handling — due when first fed back or when its handling time ran out, whichever came first:
  处置率 ``handled`` hit: fed back; 按期处置率 ``handled_on_time``: fed back before its
  handling time ran out; 延期率 ``extended``: an extension granted; 超期待处置率
  ``overdue_pending``: handling time ran out, not fed back; 平均处置时长 ``mean_handling``:
  the cases fed back, their mean hours from the dispatch that reached the department to the
  feedback.
- Closing — due when closed, or earlier when any of its time limits ran out (it can no longer
  close on time), but not before it was filed or fixed on the spot: 结案率 ``closed`` hit:
  closed; 按期结案率 ``closed_on_time``: closed before any time limit ran out; 返工率
  ``reworked``: sent back to rework (a failed check, the lead's rework).
- 准确派遣率 ``dispatched_accurately`` — due when first dispatched or transferred; hit: not
  returned (回退).  按期派遣率 ``dispatched_on_time``: dispatched before its dispatch time ran out.
- 按时立案率 ``filed_on_time`` — due when filed (立案); hit: before its filing time ran out.
  准确立案率 ``filed_accurately``: not voided (作废).
- 有效上报率 ``valid_reports`` — an inspector's report, due when decided: filed, fixed on the
  spot, rejected, merged or voided; hit: filed or fixed on the spot.
- 按期核实率 ``verified_on_time``, 按期核查率 ``checked_on_time`` — due when the verify task
  (属实, 不属实) or the check (通过, 不通过) was first answered; hit: before its time ran out.
- 满意率 ``satisfied`` — no satisfaction is recorded yet: never in a denominator (not applicable).

**Whom a figure is charged to.**  The city and its district, street and grid: where the case
lies.  A department: the one on the event that made the case due (handling: its feedback or
timeout; closing: its close or timeout, none before a department had it).  A shift lead: who
filed it.  A dispatcher: who first dispatched it.  An inspector: who reported it (valid
reports), who answered its verify or check task.  Cases with no such object count under ""
so that each kind of object's figures add up to the city's.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

import numpy as np
import numpy.typing as npt

from feeds.city.clock import zone
from feeds.city.kpis import AREAS, EXTRA_COUNTS, OBJECTS, Part, Scheme
from feeds.city.model import CODE_DIGITS, City
from feeds.records import Case, TimelineEntry

Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

SYSTEM = "system"
STAGES = ("verify", "file", "dispatch", "handle", "check", "close")
#: Facts that are the time of the first timeline event of one of these actions.
FIRST: dict[str, tuple[str, ...]] = {
    "opened": ("file", "self_fix"),  # 立案, or fixed on the spot (自行处置)
    "decided": ("file", "self_fix", "reject", "merge", "void"),  # whether a report was valid
    "filed": ("file",),
    "voided": ("void",),
    "routed": ("dispatch", "transfer"),  # sent to whoever handles it
    "returned": ("return",),
    "handled": ("feedback",),
    "extended": ("grant_extension",),
    "verify_done": ("confirm", "not_found"),
    "check_done": ("pass", "fail"),
    "reworked": ("fail", "rework"),
    "closed": ("close",),
    "appeal_granted": ("grant_appeal",),
}
_ACTIONS = {action for actions in FIRST.values() for action in actions}
_FACTS_OF = {a: tuple(fact for fact, actions in FIRST.items() if a in actions) for a in _ACTIONS}
LATE = tuple(f"{stage}_late" for stage in STAGES)  # each stage's first timeout
#: Beside those: any stage's first timeout, when handling and closing became due, the dispatch
#: that reached the department that fed back, an inspector's report, a public report filed.
TIMES = (*FIRST, *LATE, "late", "handle_due", "handle_start", "close_due", "inspector_report", "public_filed")
#: Whom a case concerns: its place, the people who acted and the departments charged; and the
#: city, the same for every case.
CASE_KEYS: tuple[str, ...] = ("district", "street", "community", "grid", "reporter", "filer")
CASE_KEYS += ("dispatcher", "verifier", "checker", "dept_handle", "dept_close")
KEYS = ("city", *CASE_KEYS)
#: The person a fact's event names (its actor).
ACTORS = {"filer": "filed", "dispatcher": "routed", "verifier": "verify_done", "checker": "check_done"}
PUBLIC = ("hotline", "app")  # reports an inspector should have found first (漏报)
LEVEL_OF_DIGITS = {digits: level for level, digits in CODE_DIGITS.items()}
_TIMES_OF = operator.itemgetter(*TIMES)  # a case's facts as one row of the columns
_KEYS_OF = operator.itemgetter(*CASE_KEYS)


def case_facts(case: Case, timeline: Iterable[TimelineEntry]) -> tuple[dict[str, float], dict[str, str]]:
    """The times (NaN: not yet) and keys of one case, from its record and its timeline."""
    first: dict[str, TimelineEntry] = {}
    last_routed = math.nan  # the dispatch that reached the department that fed back
    for entry in sorted(timeline, key=lambda e: e.seq):
        names = _FACTS_OF.get(entry.action, ())
        if entry.action == "urge" and entry.actor == SYSTEM and entry.reason.startswith("timeout:"):
            names = (f"{entry.reason.removeprefix('timeout:')}_late", "late")
        for name in names:
            first.setdefault(name, entry)
        if entry.action in FIRST["routed"] and "handled" not in first:
            last_routed = entry.at
    times = {name: first[name].at if name in first else math.nan for name in TIMES}
    handle_due = _earliest(first, "handled", "handle_late")
    close_due = _earliest(first, "closed", "late") if "opened" in first else None
    if close_due is not None and close_due.seq < first["opened"].seq:
        close_due = first["opened"]  # late before it was filed: due to close from its filing
    times.update(
        handle_due=handle_due.at if handle_due else math.nan,
        handle_start=last_routed if "handled" in first else math.nan,
        close_due=close_due.at if close_due else math.nan,
        inspector_report=case.reported_at if case.source == "inspector" else math.nan,
        public_filed=times["opened"] if case.source in PUBLIC else math.nan,
    )
    keys = {
        "district": case.district,
        "street": case.street,
        "community": case.community,
        "grid": case.grid,
        "reporter": case.reporter if case.source == "inspector" else "",
        "dept_handle": (handle_due.department or "") if handle_due else "",
        "dept_close": (close_due.department or "") if close_due else "",
        **{key: first[fact].actor if fact in first else "" for key, fact in ACTORS.items()},
    }
    return times, keys


def _earliest(first: Mapping[str, TimelineEntry], *names: str) -> TimelineEntry | None:
    found = [first[name] for name in names if name in first]
    return min(found, key=lambda e: e.seq) if found else None


# ---------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class Period:
    """[start, end) in epoch seconds: a day, an ISO week or a month of the city's time zone,
    or any range."""

    start: float
    end: float
    label: str  # 2026-03-05, 2026-W10, 2026-03, or the range's
    kind: str = "range"  # day, week, month or range

    @classmethod
    def day(cls, day: date, tz: tzinfo) -> Period:
        return cls(_midnight(day, tz), _midnight(day + timedelta(days=1), tz), day.isoformat(), "day")

    @classmethod
    def week(cls, year: int, week: int, tz: tzinfo) -> Period:
        monday = date.fromisocalendar(year, week, 1)  # ValueError for a week the year lacks
        end = _midnight(monday + timedelta(days=7), tz)
        return cls(_midnight(monday, tz), end, f"{year}-W{week:02d}", "week")

    @classmethod
    def month(cls, year: int, month: int, tz: tzinfo) -> Period:
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(_midnight(first, tz), _midnight(following, tz), f"{year}-{month:02d}", "month")

    @classmethod
    def parse(cls, text: str, tz: tzinfo) -> Period:
        """A day YYYY-MM-DD, an ISO week YYYY-Www or a month YYYY-MM; ValueError says which."""
        try:
            if len(text) == 8 and text[4:6] == "-W":
                return cls.week(int(text[:4]), int(text[6:]), tz)
            if len(text) == 7 and text[4] == "-":
                return cls.month(int(text[:4]), int(text[5:]), tz)
            return cls.day(date.fromisoformat(text), tz)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a day YYYY-MM-DD, a week YYYY-Www or a month YYYY-MM"
            ) from None

    @classmethod
    def containing(cls, kind: str, at: float, tz: tzinfo) -> Period:
        """The day, week or month in which the instant ``at`` falls."""
        day = datetime.fromtimestamp(at, tz).date()
        if kind == "week":
            year, week, _ = day.isocalendar()
            return cls.week(year, week, tz)
        return cls.month(day.year, day.month, tz) if kind == "month" else cls.day(day, tz)

    def previous(self, tz: tzinfo) -> Period:
        """The day, week, month or range just before this one (for the movement since)."""
        if self.kind == "range":
            return Period(2 * self.start - self.end, self.start, f"before {self.label}")
        return Period.containing(self.kind, self.start - 1, tz)


def _midnight(day: date, tz: tzinfo) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()


# ---------------------------------------------------------------------------
# Rates


class _AsOf:
    """The columns' facts seen from one time: what had happened before it."""

    def __init__(self, times: Mapping[str, Floats], t: float) -> None:
        self.times, self.t = times, t

    def by(self, fact: str) -> Mask:
        return self.times[fact] < self.t  # NaN (never) compares False

    def on_time(self, done: str, late: str) -> Mask:
        """Done, before its stage ran late (or the lateness was appealed away)."""
        in_time = ~(self.times[late] < self.times[done]) | self.by("appeal_granted")
        return self.by(done) & in_time

    def live(self) -> Mask:
        return ~self.by("voided")

    def nobody(self) -> Mask:
        return np.zeros(len(self.times["closed"]), np.bool_)


@dataclass(frozen=True)
class _Rate:
    due: str  # the fact whose time puts a case into a period's denominator
    hit: Callable[[_AsOf], Mask]  # the numerator's cases among the denominator's
    owners: Mapping[str, str]  # kind of object (beyond the areas) → the key column charged
    keep: Callable[[_AsOf], Mask] | None = None  # which cases due count at all (None: all)
    hours: bool = False  # the numerator sums handling hours (a mean), not cases

    def owner(self, objects: str) -> str | None:
        return objects if objects in AREAS else self.owners.get(objects)


_HANDLE = {"department": "dept_handle"}
_CLOSE = {"department": "dept_close", "lead": "filer"}
RATES: dict[str, _Rate] = {
    "handled": _Rate("handle_due", lambda a: a.by("handled"), _HANDLE, _AsOf.live),
    "handled_on_time": _Rate(
        "handle_due", lambda a: a.on_time("handled", "handle_late"), _HANDLE, _AsOf.live
    ),
    "closed": _Rate("close_due", lambda a: a.by("closed"), _CLOSE, _AsOf.live),
    "closed_on_time": _Rate("close_due", lambda a: a.on_time("closed", "late"), _CLOSE, _AsOf.live),
    "dispatched_accurately": _Rate("routed", lambda a: ~a.by("returned"), {"dispatcher": "dispatcher"}),
    "dispatched_on_time": _Rate(
        "routed", lambda a: a.on_time("routed", "dispatch_late"), {"dispatcher": "dispatcher"}
    ),
    "filed_on_time": _Rate("filed", lambda a: a.on_time("filed", "file_late"), {"lead": "filer"}),
    "filed_accurately": _Rate("filed", lambda a: ~a.by("voided"), {"lead": "filer"}),
    "valid_reports": _Rate(
        "decided", lambda a: a.by("opened"), {"inspector": "reporter"}, lambda a: a.by("inspector_report")
    ),
    "verified_on_time": _Rate(
        "verify_done", lambda a: a.on_time("verify_done", "verify_late"), {"inspector": "verifier"}
    ),
    "checked_on_time": _Rate(
        "check_done", lambda a: a.on_time("check_done", "check_late"), {"inspector": "checker"}
    ),
    "reworked": _Rate("close_due", lambda a: a.by("reworked"), _CLOSE, _AsOf.live),
    "extended": _Rate("handle_due", lambda a: a.by("extended"), _HANDLE, _AsOf.live),
    "overdue_pending": _Rate(
        "handle_due",
        lambda a: a.by("handle_late") & ~a.by("handled") & ~a.by("appeal_granted"),
        _HANDLE,
        _AsOf.live,
    ),
    "mean_handling": _Rate(
        "handle_due", lambda a: a.by("handled"), _HANDLE, lambda a: a.live() & a.by("handled"), hours=True
    ),
    "satisfied": _Rate("closed", _AsOf.nobody, _HANDLE, _AsOf.nobody),  # nobody is asked yet
}


@dataclass(frozen=True)
class Figure:
    numerator: float  # cases (hours for mean_handling)
    denominator: int  # cases

    @property
    def value(self) -> float | None:
        """The rate (mean hours for mean_handling); None when no case is in the denominator."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True, eq=False)
class Figures:
    """Every rate of one kind of object over one period, as of a time: per key (a department's
    code, an area's, a login; "" for cases with none) the numerator and denominator."""

    period: Period
    as_of: float
    objects: str
    keys: tuple[str, ...]
    numerators: dict[str, Floats]  # rate → per key; only the rates this kind of object is charged
    denominators: dict[str, Ints]
    counts: dict[str, Ints] = field(default_factory=dict)  # missed, for inspectors with a patrol area

    def figure(self, key: str, rate: str) -> Figure:
        """One figure (KeyError: a rate not charged to this kind of object); an object without
        cases in the period has 0 of 0."""
        numerators, denominators = self.numerators[rate], self.denominators[rate]
        if key not in self.keys:
            return Figure(0.0, 0)
        n = self.keys.index(key)
        return Figure(float(numerators[n]), int(denominators[n]))

    def values(self, rate: str) -> Floats:
        """The rate of every key; NaN where no case is in the denominator."""
        den = self.denominators[rate]
        return np.where(den > 0, self.numerators[rate] / np.maximum(den, 1), np.nan)


@dataclass(frozen=True)
class Score:
    key: str
    total: float | None  # 0-100; None when no part of the scheme applies
    grade: str
    parts: tuple[float | None, ...]  # each part's score, in the scheme's order


# ---------------------------------------------------------------------------
# The engine


class KpiEngine:
    """The facts of every case, and the figures, rankings and drill-downs computed from them.

    ``patrols``: field inspector's login → the area code it patrols ("" the whole city), for
    the missed reports (漏报) of the inspector scheme; the hub keeps it from the accounts."""

    def __init__(self, city: City, patrols: Mapping[str, str] | None = None, capacity: int = 1024) -> None:
        self.city = city
        self.zone = zone(city.calendar.timezone)
        self.patrols = dict(patrols or {})
        self.ids: list[str] = []
        self._row: dict[str, int] = {}
        self._names: list[str] = [""]  # every key as a code into this list; "" is 0
        self._codes: dict[str, int] = {"": 0}
        self._code(city.code)
        self._times = {name: np.full(capacity, np.nan) for name in TIMES}
        self._keys = {name: np.zeros(capacity, np.int32) for name in KEYS}

    def __len__(self) -> int:
        return len(self.ids)

    def update(self, case: Case, timeline: Iterable[TimelineEntry]) -> None:
        """Take in a case (new or changed) with its whole timeline so far."""
        self.load([(case, timeline)])

    def load(self, cases: Iterable[tuple[Case, Iterable[TimelineEntry]]]) -> None:
        """Take in cases, as :meth:`update` does; many at once (the hub's start) are written
        column by column."""
        facts = {case.id: case_facts(case, timeline) for case, timeline in cases}  # an id's last counts
        for case_id in facts:
            if case_id not in self._row:
                self._row[case_id] = len(self.ids)
                self.ids.append(case_id)
        self._grow(len(self.ids))
        rows = np.array([self._row[case_id] for case_id in facts], dtype=np.intp)
        times = np.array([_TIMES_OF(t) for t, _ in facts.values()]).reshape(len(rows), len(TIMES))
        keys = np.array([[self._code(k) for k in _KEYS_OF(c)] for _, c in facts.values()], np.int32)
        keys = keys.reshape(len(rows), len(CASE_KEYS))
        for n, name in enumerate(TIMES):
            self._times[name][rows] = times[:, n]
        for n, name in enumerate(CASE_KEYS):
            self._keys[name][rows] = keys[:, n]
        self._keys["city"][rows] = self._codes[self.city.code]

    def _code(self, text: str) -> int:
        code = self._codes.get(text)
        if code is None:
            code = self._codes[text] = len(self._names)
            self._names.append(text)
        return code

    def _grow(self, size: int) -> None:
        capacity = len(self._times["opened"])
        if size <= capacity:
            return
        capacity = max(size, 2 * capacity)
        for name, times in self._times.items():
            self._times[name] = np.concatenate([times, np.full(capacity - len(times), np.nan)])
        for name, keys in self._keys.items():
            self._keys[name] = np.concatenate([keys, np.zeros(capacity - len(keys), np.int32)])

    # -- figures ---------------------------------------------------------------

    def period(self, text: str) -> Period:
        return Period.parse(text, self.zone)

    def _as_of(self, period: Period, as_of: float | None) -> tuple[_AsOf, float]:
        t = period.end if as_of is None else min(period.end, as_of)
        n = len(self.ids)
        return _AsOf({name: times[:n] for name, times in self._times.items()}, t), t

    def _cases(self, code: str, at: _AsOf, period: Period) -> tuple[Ints, Ints, Floats | None]:
        """The rows in a rate's denominator and in its numerator; the hours of the numerator's."""
        rate = RATES[code]
        due = at.times[rate.due]
        counted = (due >= period.start) & (due < at.t)
        if rate.keep is not None:
            counted &= rate.keep(at)
        hits = counted & rate.hit(at)
        hours = None
        if rate.hours:
            spent = (at.times["handled"] - at.times["handle_start"]) / 3600
            hours = np.nan_to_num(spent[hits])
        return np.flatnonzero(counted), np.flatnonzero(hits), hours

    def figures(self, period: Period, as_of: float | None = None) -> dict[str, Figures]:
        """Every rate for every kind of object (:data:`feeds.city.kpis.OBJECTS`) over ``period``,
        as of its end or of ``as_of`` if earlier."""
        at, t = self._as_of(period, as_of)
        counted = {code: self._cases(code, at, period) for code in RATES}
        for login in self.patrols:
            self._code(login)
        size = len(self._names)
        found = {}
        for objects in OBJECTS:
            numerators, denominators = {}, {}
            for code, rate in RATES.items():
                column = rate.owner(objects)
                if column is None:
                    continue
                keys = self._keys[column][: len(self.ids)]
                rows, hits, hours = counted[code]
                denominators[code] = np.bincount(keys[rows], minlength=size)
                numerators[code] = np.bincount(keys[hits], hours, minlength=size).astype(np.float64)
            present = np.add.reduce(list(denominators.values())) > 0
            counts = {}
            if objects == "city":
                present[self._codes[self.city.code]] = True  # the city's tiles show even when empty
            if objects == "inspector" and self.patrols:
                counts["missed"] = self._missed(at, period, size)
                present[[self._codes[login] for login in self.patrols]] = True
            chosen = np.flatnonzero(present)
            found[objects] = Figures(
                period,
                t,
                objects,
                tuple(self._names[k] for k in chosen.tolist()),
                {code: values[chosen] for code, values in numerators.items()},
                {code: values[chosen] for code, values in denominators.items()},
                {code: values[chosen] for code, values in counts.items()},
            )
        return found

    def _missed(self, at: _AsOf, period: Period, size: int) -> Ints:
        """Per login: public reports (12319, apps) filed in the period in the area it patrols."""
        filed = at.times["public_filed"]
        rows = np.flatnonzero((filed >= period.start) & (filed < at.t))
        missed = np.zeros(size, np.int64)
        for login, area in self.patrols.items():
            level = LEVEL_OF_DIGITS.get(len(area), "city")
            inside = self._keys[level][rows] == self._codes.get(area or self.city.code, -1)
            missed[self._codes[login]] = np.count_nonzero(inside)
        return missed

    def behind(
        self, period: Period, objects: str, key: str, rate: str, as_of: float | None = None
    ) -> tuple[list[str], list[str]]:
        """The drill-down: the ids of the cases in a figure's denominator, and in its numerator."""
        column = RATES[rate].owner(objects)
        if column is None:
            raise ValueError(f"{rate} is not charged to a {objects}")
        at, _ = self._as_of(period, as_of)
        rows, hits, _ = self._cases(rate, at, period)
        keys = self._keys[column]
        code = self._codes.get(self.city.code if objects == "city" else key, -1)
        return (
            [self.ids[r] for r in rows[keys[rows] == code].tolist()],
            [self.ids[r] for r in hits[keys[hits] == code].tolist()],
        )

    # -- scores ----------------------------------------------------------------

    def ranking(self, figures: Figures, scheme: Scheme) -> list[Score]:
        """The scheme's composite scores of its peer group, best first, with grades.

        A part that does not apply to an object (a rate without cases, a count nobody in the
        peer group has) is left out and the other weights count in its place."""
        peers = [n for n, key in enumerate(figures.keys) if key and self._peer(key, scheme)]
        parts = np.array([_part_scores(figures, part, peers) for part in scheme.parts]).reshape(
            len(scheme.parts), len(peers)
        )
        weights = np.array([part.weight for part in scheme.parts])[:, None] * ~np.isnan(parts)
        with np.errstate(invalid="ignore"):
            totals = np.nansum(parts * weights, axis=0) / weights.sum(axis=0)
        scores = [
            Score(
                figures.keys[n],
                None if math.isnan(total) else round(total, 6),
                "" if math.isnan(total) else self.city.kpis.grade(round(total, 6)),  # graded as shown
                tuple(None if math.isnan(s) else float(s) for s in column),
            )
            for n, total, column in zip(peers, totals.tolist(), parts.T.tolist(), strict=True)
        ]
        return sorted(scores, key=lambda s: (s.total is None, -(s.total or 0.0), s.key))

    def _peer(self, key: str, scheme: Scheme) -> bool:
        if scheme.object != "department" or not scheme.kinds:
            return True
        department = self.city.departments.get(key)
        return department is not None and department.kind in scheme.kinds


def _part_scores(figures: Figures, part: Part, peers: list[int]) -> Floats:
    """One part's score (0-100, NaN where it does not apply) of each peer."""
    if not part.count:
        values = figures.values(part.measure)[peers]
        return 100 * (1 - values) if part.invert else 100 * values
    if part.measure in EXTRA_COUNTS:
        if part.measure not in figures.counts:
            return np.full(len(peers), np.nan)
        counts = figures.counts[part.measure][peers].astype(np.float64)
    else:
        counts = figures.denominators[part.measure][peers].astype(np.float64)
    most = float(counts.max(initial=0.0))
    if most == 0:  # nobody has any: fewer is best for all, more means nothing
        return np.full(len(peers), 100.0 if part.invert else np.nan)
    share = np.minimum(counts / most, 1.0)
    return 100 * (1 - share) if part.invert else 100 * share
