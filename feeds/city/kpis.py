"""The city's evaluation (综合评价, ``kpis.json``): the rates it counts, the composite scheme of
each peer group with its weights, and the grade bands.

The rates a city may list are those the hub's KPI engine counts (:data:`RATE_OBJECTS`, with
the objects each rate can be charged to); the city names them and picks its schemes. A scheme
scores one kind of object (departments of some kinds, districts, inspectors …) from parts,
each weighted, the weights adding up to 100:

- ``{"rate": code}``: 100 × the rate (``"invert": true``: 100 × (1 − rate), for 返工率 …);
- ``{"count": code}``: the object's count of the rate's denominator (cases due, dispatched …)
  against the most in its peer group: 100 × own / most (``"invert": true``, fewer is better:
  100 × (1 − own / most)). ``missed`` (漏报, inspectors only) counts the public reports filed
  in the area an inspector patrols.

A grade band holds the scores from ``from`` up to but not including ``to``; the top band holds
100 too. Bands must cover 0-100 without overlaps or gaps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

AREAS = ("city", "district", "street", "grid")
#: Everything a figure can be charged to: the city, its areas, departments and people.
OBJECTS = (*AREAS, "department", "inspector", "dispatcher", "lead")
_HANDLING = frozenset({*AREAS, "department"})
_CLOSING = frozenset({*AREAS, "department", "lead"})
#: The rates the engine counts, each with the objects it can be charged to.
RATE_OBJECTS: dict[str, frozenset[str]] = {
    "handled": _HANDLING,  # 处置率
    "handled_on_time": _HANDLING,  # 按期处置率
    "closed": _CLOSING,  # 结案率
    "closed_on_time": _CLOSING,  # 按期结案率
    "dispatched_accurately": frozenset({*AREAS, "dispatcher"}),  # 准确派遣率
    "dispatched_on_time": frozenset({*AREAS, "dispatcher"}),  # 按期派遣率
    "filed_on_time": frozenset({*AREAS, "lead"}),  # 按时立案率
    "filed_accurately": frozenset({*AREAS, "lead"}),  # 准确立案率
    "valid_reports": frozenset({*AREAS, "inspector"}),  # 有效上报率
    "verified_on_time": frozenset({*AREAS, "inspector"}),  # 按期核实率
    "checked_on_time": frozenset({*AREAS, "inspector"}),  # 按期核查率
    "reworked": _CLOSING,  # 返工率
    "extended": _HANDLING,  # 延期率
    "overdue_pending": _HANDLING,  # 超期待处置率
    "mean_handling": _HANDLING,  # 平均处置时长 (hours, not a share)
    "satisfied": _HANDLING,  # 满意率
}
#: Rates that are not shares of their cases, so no scheme scores them as a rate.
NOT_SHARES = frozenset({"mean_handling"})
#: Counts that are not a rate's denominator: the public reports filed in an inspector's area.
EXTRA_COUNTS = {"missed": frozenset({"inspector"})}


@dataclass(frozen=True)
class Rate:
    code: str
    name: str
    name_en: str = ""


@dataclass(frozen=True)
class Part:
    measure: str  # a rate code, or for a count also a code of EXTRA_COUNTS
    weight: float
    count: bool = False  # the object's count against its peers, not a rate
    invert: bool = False  # fewer is better


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    object: str  # one of OBJECTS
    parts: tuple[Part, ...]
    name_en: str = ""
    kinds: frozenset[str] = frozenset()  # department schemes: the department kinds of the peer group


@dataclass(frozen=True)
class Grade:
    grade: str
    low: float  # from, included
    high: float  # to, excluded (but for 100)


DEFAULT_GRADES = (
    Grade("A", 90, 100),
    Grade("B", 75, 90),
    Grade("C", 60, 75),
    Grade("D", 40, 60),
    Grade("E", 0, 40),
)


@dataclass(frozen=True)
class Kpis:
    rates: dict[str, Rate] = field(default_factory=dict)
    schemes: dict[str, Scheme] = field(default_factory=dict)
    grades: tuple[Grade, ...] = DEFAULT_GRADES

    def grade(self, score: float) -> str:
        """The grade of a score (0-100); "" when no band holds it."""
        for band in self.grades:
            if band.low <= score < band.high or score == band.high == 100:
                return band.grade
        return ""


Found = tuple[str, str, str]  # (entry, rule, message) of a problem of kpis.json


def parse(document: dict[str, Any]) -> tuple[Kpis, list[Found]]:
    """The evaluation of a ``kpis.json`` that fits its schema; codes listed twice are problems
    (the last counts)."""
    found: list[Found] = []
    for key, label in (("rates", "rate"), ("schemes", "scheme")):
        for code, n in Counter(e["code"] for e in document[key]).items():
            if n > 1:
                found.append((f"{label} {code}", "code-duplicate", f"is listed {n} times; the last counts"))
    rates = {e["code"]: Rate(e["code"], e["name"], e.get("name_en", "")) for e in document["rates"]}
    schemes = {
        e["code"]: Scheme(
            e["code"],
            e["name"],
            e["object"],
            tuple(_part(p) for p in e["parts"]),
            e.get("name_en", ""),
            frozenset(e.get("kinds", ())),
        )
        for e in document["schemes"]
    }
    grades = tuple(
        sorted(
            (Grade(g["grade"], float(g["from"]), float(g["to"])) for g in document["grades"]),
            key=lambda g: -g.low,
        )
    )
    return Kpis(rates, schemes, grades), found


def _part(entry: dict[str, Any]) -> Part:
    count = "count" in entry
    return Part(
        entry["count"] if count else entry["rate"],
        float(entry["weight"]),
        count,
        bool(entry.get("invert", False)),
    )


def problems(kpis: Kpis) -> Iterator[Found]:
    """What makes the evaluation unusable: rates the engine does not count, schemes naming a rate
    not listed or one that cannot be charged to their objects, weights that do not add up to
    100, grade bands that overlap or leave a gap."""
    for code in kpis.rates:
        if code not in RATE_OBJECTS:
            yield f"rate {code}", "rate-unknown", f"is not a rate the hub counts ({', '.join(RATE_OBJECTS)})"
    for scheme in kpis.schemes.values():
        where = f"scheme {scheme.code}"
        for part in scheme.parts:
            yield from _part_problems(kpis, scheme, part, where)
        total = sum(part.weight for part in scheme.parts)
        if abs(total - 100) > 1e-6:
            yield where, "weights-sum", f"its weights add up to {total:g}, not 100"
    yield from _band_problems(kpis.grades)


def _part_problems(kpis: Kpis, scheme: Scheme, part: Part, where: str) -> Iterator[Found]:
    known = part.measure in kpis.rates or (part.count and part.measure in EXTRA_COUNTS)
    if not known:
        listed = ", ".join([*kpis.rates, *EXTRA_COUNTS] if part.count else kpis.rates)
        yield where, "rate-unknown", f"names {part.measure!r}, not a rate of the table ({listed})"
        return
    objects = (EXTRA_COUNTS | RATE_OBJECTS).get(part.measure, frozenset())
    if scheme.object not in objects:
        yield where, "rate-object", f"{part.measure} cannot be charged to a {scheme.object}"
    elif not part.count and part.measure in NOT_SHARES:
        yield where, "rate-not-share", f"{part.measure} is not a share of cases: score it as a count"


def _band_problems(grades: tuple[Grade, ...]) -> Iterator[Found]:
    bands = sorted(grades, key=lambda g: (g.low, g.high))
    for band in bands:
        if band.high <= band.low:
            yield f"grade {band.grade}", "grade-band", f"runs from {band.low:g} to {band.high:g}"
    reach = 0.0  # the scores covered so far, from 0
    for band in bands:
        if band.low > reach:
            yield (
                f"grade {band.grade}",
                "grade-gap",
                f"starts at {band.low:g}: {reach:g}-{band.low:g} has no grade",
            )
        elif band.low < reach:
            yield f"grade {band.grade}", "grade-overlap", f"starts at {band.low:g}, inside the band below it"
        reach = max(reach, band.high)
    if reach < 100:
        yield "grades", "grade-gap", f"{reach:g}-100 has no grade"
