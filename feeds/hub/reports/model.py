"""What an evaluation report says: the period, the city's figures, each peer group's ranking with
its movement since the previous period, and the method (every rate's definition, the schemes'
weights, the grade bands).  Pure: the cases come in, the report comes out; the files are
written by :mod:`feeds.hub.reports.xlsx` and :mod:`feeds.hub.reports.pdf`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import Engine, select

from feeds.city.kpis import EXTRA_COUNTS, RATE_OBJECTS, Part, Scheme
from feeds.city.model import City
from feeds.hub.rules.kpis import Figure, Figures, KpiEngine, Period, Score
from feeds.hub.store import case_events, cases
from feeds.records import Case, TimelineEntry

KINDS = {"monthly": "month", "weekly": "week"}
_FORMS = {"month": (re.compile(r"\d{4}-\d{2}"), "a month YYYY-MM, e.g. 2026-03")}
_FORMS["week"] = (re.compile(r"\d{4}-W\d{2}"), "an ISO week YYYY-Www, e.g. 2026-W09")

#: Who each kind of object is, in the report's words.
OBJECT_NAMES = {
    "city": "全市",
    "district": "城区",
    "street": "街道",
    "grid": "单元网格",
    "department": "部门",
    "inspector": "监督员",
    "dispatcher": "派遣员",
    "lead": "值班长",
}
#: How each rate is counted (the KPI engine's rules, feeds.hub.rules.kpis), for the method.
DEFINITIONS = {
    "handled": "已反馈处置结果的案件数 ÷ 应处置案件数。案件在首次反馈或处置时限届满时（以先到者为准）"
    "计入当期；作废案件不计。",
    "handled_on_time": "在处置时限内反馈的案件数 ÷ 应处置案件数（计入期同处置率）。",
    "closed": "已结案的案件数 ÷ 应结案案件数。案件在结案时、或任一环节时限届满时计入当期（立案或"
    "自行处置之前不计）；作废案件不计。",
    "closed_on_time": "各环节均未超时而结案的案件数 ÷ 应结案案件数（计入期同结案率）。",
    "dispatched_accurately": "未被回退的派遣数 ÷ 派遣（含转派）案件数；案件在首次派遣或转派时计入。",
    "dispatched_on_time": "在派遣时限内派遣的案件数 ÷ 派遣（含转派）案件数。",
    "filed_on_time": "在立案时限内立案的案件数 ÷ 立案案件数；案件在立案时计入。",
    "filed_accurately": "未作废的立案数 ÷ 立案案件数。",
    "valid_reports": "监督员上报后立案或自行处置的案件数 ÷ 已作出决定（立案、自行处置、不予立案、"
    "合并、作废）的上报数。",
    "verified_on_time": "在核实时限内回复（属实、不属实）的核实任务数 ÷ 已回复的核实任务数。",
    "checked_on_time": "在核查时限内回复（通过、不通过）的核查任务数 ÷ 已回复的核查任务数。",
    "reworked": "被返工（核查不通过、值班长要求返工）的案件数 ÷ 应结案案件数（计入期同结案率）。",
    "extended": "获准延期的案件数 ÷ 应处置案件数（计入期同处置率）。",
    "overdue_pending": "处置时限届满仍未反馈的案件数 ÷ 应处置案件数。",
    "mean_handling": "已反馈案件自派遣到达处置部门至反馈的平均时长（小时）。",
    "satisfied": "回访满意的案件数 ÷ 回访案件数（尚未记录回访：暂不适用）。",
}
NOTES = (
    "数据截至期末：期末之后发生的事件（结案、申诉获准、作废等）不改变本期结果，本期报表重新生成结果不变。",
    "申诉获准（批准申诉）的案件在各项比率中视为按期，其超时记录仍保留在案卷中。",
    "城区、街道按案件所在位置计；部门按使案件计入的环节（反馈、结案或超时）所在部门计；值班长按立案人，"
    "派遣员按首次派遣人，监督员按上报人及核实、核查任务的回复人计。",
    "综合得分为各分项得分（0-100）的加权平均；某分项不适用（无案件）时不计，其余分项按权重折算。",
    "计数分项：本对象的件数与组内最多者之比 × 100（越少越好者取 1 − 该比值）。",
)


class ReportError(ValueError):
    """A report that cannot be made as asked: the message says why (the command exits 2)."""


def parse_period(kind: str, text: str, tz: tzinfo, now: float) -> Period:
    """The month or ISO week ``text`` names, if it has started by ``now``."""
    unit = KINDS[kind]
    form, example = _FORMS[unit]
    if not form.fullmatch(text):
        raise ReportError(f"{text!r} is not {example}")
    year = int(text[:4])
    try:
        period = Period.parse(text, tz)
    except ValueError:
        if unit == "week":
            weeks = date(year, 12, 28).isocalendar().week
            raise ReportError(f"{text}: {year} has the weeks {year}-W01 to {year}-W{weeks:02d}") from None
        raise ReportError(f"{text}: a month is 01 to 12") from None
    if period.start > now:
        starts = datetime.fromtimestamp(period.start, tz)
        raise ReportError(f"{text} has not started yet (it starts {starts:%Y-%m-%d %H:%M})")
    return period


# ---------------------------------------------------------------------------
# Reading the record


#: What the KPI engine reads of a case's record (feeds.hub.rules.kpis.case_facts), and the
#: fields a Case cannot be made without.
CASE_COLUMNS = (
    *("id", "category", "grid", "district", "street", "lon", "lat", "source", "description", "status"),
    *("reported_at", "deadline", "limit_s", "version", "community", "reporter"),
)
EVENT_COLUMNS = ("seq", "at", "actor", "action", "reason", "department")  # TimelineEntry's first six


def read_cases(engine: Engine, since: float, until: float) -> list[tuple[Case, list[TimelineEntry]]]:
    """The cases that had an event from ``since`` to ``until``, each with its timeline before
    ``until``: what happened after it is not read at all."""
    touched = select(case_events.c.case_id).where(case_events.c.at >= since, case_events.c.at < until)
    events = select(case_events.c.case_id, *(case_events.c[name] for name in EVENT_COLUMNS))
    events = events.where(case_events.c.case_id.in_(touched), case_events.c.at < until)
    records = select(*(cases.c[name] for name in CASE_COLUMNS)).where(cases.c.id.in_(touched))
    timelines: dict[str, list[TimelineEntry]] = {}
    with engine.connect() as conn:  # the cases first: the events of each are stored with it or before
        found = conn.execute(records.order_by(cases.c.id)).all()
        for row in conn.execute(events.order_by(case_events.c.seq)).all():
            timelines.setdefault(row[0], []).append(TimelineEntry(*row[1:]))
    return [(Case(**dict(zip(CASE_COLUMNS, row, strict=True))), timelines[row[0]]) for row in found]


# ---------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Row:
    """One object of a peer group: its rank (None: no part of the scheme applies), its score and
    grade, its rank in the previous period, and its figures."""

    key: str
    name: str
    rank: int | None
    score: float | None
    grade: str
    previous: int | None
    figures: dict[str, Figure]  # rate code → numerator and denominator
    counts: dict[str, int]  # EXTRA_COUNTS: missed reports of an inspector
    parts: tuple[float | None, ...]  # each part's score, in the scheme's order

    @property
    def movement(self) -> int | None:
        """Places moved up since the previous period (negative: down); None when new."""
        return None if self.rank is None or self.previous is None else self.previous - self.rank

    def value(self, rate: str) -> float | None:
        return self.figures[rate].value

    def measure(self, part: Part) -> float | None:
        """What a scheme's part is scored from: a rate, or a count."""
        if not part.count:
            return self.value(part.measure)
        if part.measure in EXTRA_COUNTS:
            return self.counts.get(part.measure)
        return self.figures[part.measure].denominator


@dataclass(frozen=True)
class Group:
    """A peer group (a scheme's objects) ranked."""

    scheme: Scheme
    rates: tuple[str, ...]  # the rates charged to its objects, in the city's order
    rows: tuple[Row, ...]  # best first; those without a score last

    @property
    def ranked(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.rank is not None)


@dataclass(frozen=True)
class Report:
    city: City
    kind: str  # monthly, weekly
    period: Period
    previous: Period
    as_of: float  # the figures count what had happened before this
    city_figures: dict[str, Figure]  # the city's every rate
    groups: tuple[Group, ...]
    zone: tzinfo  # the city's

    @property
    def closed(self) -> bool:
        """The period is over: the report is final."""
        return self.as_of >= self.period.end

    @property
    def stem(self) -> str:
        return f"{self.kind}-{self.period.label}"

    def local(self, t: float) -> datetime:
        return datetime.fromtimestamp(t, self.zone)

    @property
    def title(self) -> str:
        day = self.local(self.period.start).date()
        if self.kind == "weekly":
            year, week, _ = day.isocalendar()
            return f"{self.city.name}数字化城市管理周排名 {year}年第{week}周"
        return f"{self.city.name}数字化城市管理月评比 {day.year}年{day.month}月"

    @property
    def subtitle(self) -> str:
        last = self.local(self.period.end).date() - timedelta(days=1)
        text = f"统计期 {self.local(self.period.start):%Y-%m-%d} 至 {last:%Y-%m-%d}"
        text += f"，数据截至 {self.local(self.as_of):%Y-%m-%d %H:%M}，名次变化对比上期 {self.previous.label}"
        return text if self.closed else text + "（本期未结束，结果为临时数）"

    def rate_name(self, code: str) -> str:
        rate = self.city.kpis.rates.get(code)
        return rate.name if rate else code

    def part_name(self, part: Part) -> str:
        """A scheme's part in words: 结案率, 1 − 返工率, 结案率件数 …"""
        if part.measure in EXTRA_COUNTS:
            return "漏报数（越少越好）"
        name = self.rate_name(part.measure)
        if part.count:
            return f"{name}件数" + ("（越少越好）" if part.invert else "")
        return f"1 − {name}" if part.invert else name

    def column_name(self, part: Part) -> str:
        """The heading of the figure a part is scored from."""
        if part.measure in EXTRA_COUNTS:
            return "漏报数"
        return f"{self.rate_name(part.measure)}件数" if part.count else self.rate_name(part.measure)


def build_report(
    city: City,
    kind: str,
    period: Period,
    as_of: float,
    cases: Iterable[tuple[Case, Iterable[TimelineEntry]]],
    people: Mapping[str, str] | None = None,
    patrols: Mapping[str, str] | None = None,
) -> Report:
    """The report of ``period`` as of ``as_of`` from the cases' records and timelines.

    ``people``: login → display name; ``patrols``: inspector's login → the area it patrols (for
    the missed reports of the inspector scheme)."""
    engine = KpiEngine(city, patrols)
    engine.load(cases)
    previous = period.previous(engine.zone)
    now, before = engine.figures(period, as_of), engine.figures(previous)
    names = dict(people or {})
    groups = []
    for scheme in city.kpis.schemes.values():
        figures = now[scheme.object]
        earlier = {score.key: rank for score, rank in _ranked(engine.ranking(before[scheme.object], scheme))}
        rows = tuple(
            _row(figures, score, rank, earlier.get(score.key), _name(city, scheme.object, score.key, names))
            for score, rank in _ranked(engine.ranking(figures, scheme))
        )
        rates = tuple(code for code in city.kpis.rates if scheme.object in RATE_OBJECTS.get(code, ()))
        groups.append(Group(scheme, rates, rows))
    city_figures = {code: now["city"].figure(city.code, code) for code in city.kpis.rates}
    return Report(city, kind, period, previous, now["city"].as_of, city_figures, tuple(groups), engine.zone)


def _ranked(scores: list[Score]) -> list[tuple[Score, int | None]]:
    """Each score with its rank (equal scores share one: 1, 2, 2, 4); None without a score."""
    ranked: list[tuple[Score, int | None]] = []
    for n, score in enumerate(scores):  # best first
        tied = n > 0 and score.total == scores[n - 1].total
        ranked.append((score, None if score.total is None else ranked[-1][1] if tied else n + 1))
    return ranked


def _row(figures: Figures, score: Score, rank: int | None, previous: int | None, name: str) -> Row:
    n = figures.keys.index(score.key)
    return Row(
        score.key,
        name,
        rank,
        score.total,
        score.grade,
        previous,
        {code: figures.figure(score.key, code) for code in figures.numerators},
        {code: int(counts[n]) for code, counts in figures.counts.items()},
        score.parts,
    )


def _name(city: City, objects: str, key: str, people: Mapping[str, str]) -> str:
    if objects == "department":
        department = city.departments.get(key)
        return department.name if department else key
    if objects in ("inspector", "dispatcher", "lead"):
        return people.get(key, key)
    area = city.area(key)
    return area.name if area and area.name else key
