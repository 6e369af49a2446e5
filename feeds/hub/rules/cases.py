"""Case rules: what each workflow action does to a case, and the clocks of its stages.

The workflow table (:mod:`feeds.city.workflow`) decides who may take which
action in which state; these rules say what the action changes besides the
state (a department, a deadline, a count) and keep the stage clocks: a stage
starts its clock when the case enters it, a paused state stops the clock and
keeps what was left, and a stage that ran out of time is written into
``late`` for good — a return and re-dispatch start a fresh clock for the new
department but never wipe that record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from feeds.city.clock import Clocks
from feeds.city.model import City
from feeds.city.workflow import State
from feeds.records import Case
from feeds.wire.errors import ErrorCode, ProtocolError
from feeds.wire.messages import Act

#: Department kinds each routing action sends to.
ROUTES = {
    "dispatch": ("department", "street_office"),
    "dispatch_district": ("command",),
    "transfer": ("agency",),
}
#: Closure types a lead may choose; normal and late are the hub's to tell.
CHOSEN_CLOSURES = ("wrong", "special")


class CaseRules:
    def __init__(self, city: City) -> None:
        self.city = city
        self.clocks = Clocks(city.calendar)

    # -- clocks ---------------------------------------------------------------

    def stage_clock(self, case: Case, stage: str, now: float) -> dict[str, Any]:
        """The fields of a fresh clock for ``stage`` starting at ``now``."""
        if not stage:
            return {"stage": "", "paused_left_s": -1.0}
        limit = self.city.categories[case.category].stage_limit(stage, self.city.stage_limits)
        seconds = self.clocks.limit_seconds(limit.clock, limit.limit, limit.unit)
        return {
            "stage": stage,
            "clock": limit.clock,
            "stage_started": now,
            "deadline": self.clocks[limit.clock].add(now, seconds),
            "limit_s": seconds,
            "paused_left_s": -1.0,
        }

    def left(self, case: Case, now: float) -> float:
        """Clock seconds left in the running stage (negative when overdue)."""
        if case.paused:
            return case.paused_left_s
        return float(self.clocks[case.clock].left(np.array([case.deadline]), now)[0])

    def resumed(self, case: Case, now: float) -> dict[str, Any]:
        return {
            "deadline": self.clocks[case.clock].add(now, max(case.paused_left_s, 0.0)),
            "paused_left_s": -1.0,
        }

    def moved(self, case: Case, old: State, new: State, now: float) -> dict[str, Any]:
        """The clock fields after a move from ``old`` to ``new``: pause, resume, or a new stage."""
        if new.final:
            return {"stage": "", "paused_left_s": -1.0}
        if new.stage == old.stage and new.clock == "paused" and old.clock != "paused":
            return {"paused_left_s": max(self.left(case, now), 0.0)}
        if new.stage == old.stage and old.clock == "paused" and new.clock != "paused":
            return self.resumed(case, now)
        if new.stage == old.stage:
            return {}
        return self.stage_clock(case, new.stage, now)

    @staticmethod
    def urged(case: Case, now: float) -> dict[str, Any]:
        """督办, by a person or by the hub when time ran out: counted, and waiting for an answer."""
        return {"escalations": case.escalations + 1, "urged_at": now, "raised": False}

    @staticmethod
    def with_late(case: Case, now: float) -> str:
        """``late`` with the running stage added if its time has run out."""
        if case.stage and not case.paused and now >= case.deadline and not case.late_in(case.stage):
            return ",".join(filter(None, [*case.late.split(","), case.stage]))
        return case.late

    # -- what actions do --------------------------------------------------------

    def effects(self, case: Case, act: Act, now: float) -> dict[str, Any]:
        """The fields ``act`` changes beyond state and clock; raises ProtocolError if its fields
        do not fit (an unknown department, a deadline in the past …)."""
        effect = EFFECTS.get(act.action)
        return effect(self, case, act, now) if effect else {}

    def _route(self, case: Case, act: Act, now: float) -> dict[str, Any]:
        department = self.city.departments.get(act.department)
        if department is None:
            raise ProtocolError(ErrorCode.UNKNOWN_DEPARTMENT, f"no department {act.department!r}")
        kinds = ROUTES[act.action]
        place = {"street_office": case.street, "command": case.district}.get(department.kind, "")
        if place and department.area and department.area != place:
            raise ProtocolError(
                ErrorCode.INVALID,
                f"{department.name} ({department.code}) serves {department.area}, not {case.id}'s {place}",
            )
        if department.kind not in kinds:
            raise ProtocolError(
                ErrorCode.INVALID,
                f"{department.name} ({department.code}) is a {department.kind}; "
                f"{act.action} sends to a {' or '.join(kinds)}",
            )
        return {"department": department.code}

    def _request_extension(self, case: Case, act: Act, now: float) -> dict[str, Any]:
        if act.deadline <= case.deadline:
            raise ProtocolError(
                ErrorCode.INVALID, "the new deadline must be later than the present one", reason="deadline"
            )
        return {"requested_deadline": act.deadline}

    def _grant_extension(self, case: Case, act: Act, now: float) -> dict[str, Any]:
        deadline = act.deadline or case.requested_deadline
        if deadline <= now:
            raise ProtocolError(ErrorCode.INVALID, "the new deadline has already passed", reason="deadline")
        return {"deadline": deadline, "requested_deadline": 0.0, "extensions": case.extensions + 1}

    def _close(self, case: Case, act: Act, now: float) -> dict[str, Any]:
        if act.closure and act.closure not in CHOSEN_CLOSURES:
            raise ProtocolError(
                ErrorCode.INVALID,
                f"a lead closes as {' or '.join(CHOSEN_CLOSURES)}; normal and late are counted",
            )
        if act.closure and not act.reason.strip():
            raise ProtocolError(ErrorCode.REASON_REQUIRED, f"closing as {act.closure} needs a reason")
        if act.closure:
            return {"closure": act.closure}
        if case.status in ("transferred", "hung"):
            return {"closure": "special"}
        return {"closure": "late" if self.with_late(case, now) else "normal"}


def _fields(**values: Any) -> Callable[[CaseRules, Case, Act, float], dict[str, Any]]:
    """An effect that sets fixed values."""
    return lambda _rules, _case, _act, _now: dict(values)


def _count(name: str, **values: Any) -> Callable[[CaseRules, Case, Act, float], dict[str, Any]]:
    """An effect that counts one more of ``name`` (and sets fixed values)."""
    return lambda _rules, case, _act, _now: {name: getattr(case, name) + 1, **values}


EFFECTS: dict[str, Callable[[CaseRules, Case, Act, float], dict[str, Any]]] = {
    "verify": lambda _r, _c, act, _n: {"inspector": act.inspector},
    "check": lambda _r, _c, act, _n: {"inspector": act.inspector},
    "confirm": _fields(verified="confirmed"),
    "not_found": _fields(verified="not_found"),
    "dispatch": CaseRules._route,
    "dispatch_district": CaseRules._route,
    "transfer": CaseRules._route,
    "return": _count("returns", department=None),
    "fail": _count("reworks"),
    "rework": _count("reworks"),
    "request_extension": CaseRules._request_extension,
    "grant_extension": CaseRules._grant_extension,
    "deny_extension": _fields(requested_deadline=0.0),
    "close": CaseRules._close,
    "urge": lambda rules, case, _a, now: rules.urged(case, now),
    "appeal": _fields(appeal="pending"),
    "forward_appeal": _fields(appeal="forwarded"),
    "grant_appeal": _fields(appeal="granted"),
    "deny_appeal": _fields(appeal="denied"),
    "merge": lambda _r, _c, act, _n: {"merged_into": act.target},
}
