"""The hall's people as the simulator plays them: who takes a case's next step, and when.

:class:`People` looks at a case as the hub publishes it and says what the
person whose turn it is does next: intake verifies or accepts, the inspector
confirms or finds nothing, the lead files or rejects, the dispatcher follows
the responsibility table (mostly), departments take, feed back, return, ask
for more time or to hang the case, checks fail now and then, the lead closes;
repeat calls the hub finds duplicates of are merged, and a department appeals
some of its timeouts, which the dispatcher and then the lead review.
Every step is one the city's workflow table permits the acting crew account,
with the fields it requires.

No I/O and no clock of its own: a decision depends only on the seed, the case
(its id and version draw the dice), the time given and, for a merge, whether
the case it duplicates is still open, so a restarted crew
makes the same choices.  :class:`Agenda` keeps each case's next move, soonest
first; the crew (:mod:`feeds.sim.crew`) and the simulated day in the tests
both run it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from feeds.city import City
from feeds.city.clock import DAY_S, Clocks
from feeds.city.model import Department, Place
from feeds.city.workflow import Person
from feeds.records import Case
from feeds.sim.texts import WORDS
from feeds.wire.errors import ProtocolError
from feeds.wire.messages import Act

#: The roles the simulator can play, in the order a case meets them.
CREW_ROLES = ("intake", "lead", "dispatcher", "handler", "inspector")
#: The crew's logins: sim-intake …, sim-inspector-<district>-<n>, sim-<department code> per department.
CREW_PREFIX = "sim-"
DESK_NAMES = {
    "intake": "模拟受理员",
    "lead": "模拟值班长",
    "dispatcher": "模拟派遣员",
}
DESK = frozenset(DESK_NAMES)
INSPECTOR = frozenset(("inspector",))
#: Field inspectors the crew has in each district, patrolling it (their devices walk: feeds.sim.patrol).
INSPECTORS_PER_DISTRICT = 2
#: Department kinds a case is dispatched to, whose handlers the crew plays (agencies get 转办).
HANDLED_BY = ("department", "street_office")

# -- how the people behave ---------------------------------------------------------------------
# Estimates after common practice in Chinese digital city-management halls, not measurements of one
# city: public reports are mostly verified on site before filing, and most hold; 准确派遣率 is
# around 95%, and a department that got a case by mistake sends it back (回退); 延期率 and 挂账 stay
# at a few percent; 返工率 5-15%; published evaluations close 94-97% of cases, 76-85% on time
# (DOMAIN.md), so some handling runs over its limit; the desk works within minutes, day and night.
# Shares are of the cases reaching that step.
VERIFY = 0.70  # intake sends a public report to an inspector to verify (核实); accepts the rest
CONFIRM = 0.85  # the inspector finds it as reported …
SELF_FIX = 0.05  # … or fixes it on the spot (自行处置); else finds nothing
REJECT = 0.06  # the lead does not file (不予立案): not the hall's business, a duplicate …
REJECT_NOT_FOUND = 0.85  # … nor most of what the inspector did not find
RIGHT_DEPARTMENT = 0.95  # the dispatcher follows the responsibility table (after a return, always)
RETURN_WRONG = 0.85  # a department that got a case by mistake returns it …
RETURN_RIGHT = 0.01  # … the right one hardly ever
EXTENSION = 0.05  # a department asks for more time (延期), once a case …
HANG = 0.015  # … or to hang it (挂账): funds or a project are needed
GRANT_EXTENSION = 0.8  # the dispatcher's answer
APPROVE_HANG = 0.7  # the lead's answer
CHECK_FAILS = 0.12  # the inspector's check (核查) fails: back to the department (返工)
MERGE = 0.9  # intake (or the lead) merges a report the hub offers as a duplicate of an open case
APPEAL = 0.25  # a department appeals a timeout (超时申诉) once its late case is closed …
FORWARD_APPEAL = 0.7  # … the dispatcher forwards most to the lead …
GRANT_APPEAL = 0.6  # … who grants most of those: weather, a third party, a late dispatch
APPEAL_REVIEW = ("forward_appeal", "grant_appeal", "deny_appeal")
APPEAL_LEVEL = {"pending": "dispatcher", "forwarded": "lead"}  # who reviews an appeal at each level

# When: minutes at the desk (the hall is staffed day and night); minutes or shares of the running
# stage's limit on the case's own clock in the field (departments and inspectors keep office hours
# where the case's clock does).
DESK_MINUTES = (1.0, 10.0)
DESK_SLOW = 0.03  # now and then the desk is busy …
DESK_SLOW_MINUTES = (20.0, 45.0)  # … and a 30-minute stage runs late
TAKE_MINUTES = (2.0, 30.0)  # a department signs for a case (签收) or returns it
URGED_MINUTES = (10.0, 60.0)  # an urged (督办) department feeds back
FEEDBACK_SHARE = (0.4, 1.1)  # of the handling limit: most in time, some late
REWORK_SHARE = (0.1, 0.5)  # reworking after a failed check is quicker
ASK_SHARE = (0.3, 0.8)  # an extension or a hang is asked for partway through
EXTENSION_EXTRA = (0.5, 1.5)  # the more time asked for, as a share of the limit
INSPECTOR_SHARE = (0.15, 1.05)  # of a verify or check limit (30-120 minutes)
HUNG_DAYS = (5.0, 20.0)  # a hung case waits for funds or a project, then the lead resumes it
MIN_WAIT_S = 60.0


@dataclass(frozen=True)
class Move:
    """A step a crew member takes on a case at ``at`` (hub time): ``fields`` of :class:`Act`."""

    role: str
    login: str
    action: str
    fields: dict[str, Any] = field(default_factory=dict)
    at: float = 0.0

    def command(self, command_id: str, case: Case) -> Act:
        """The command taking this step on ``case``, at the version the move was decided for."""
        return Act(command_id, case.id, case.version, self.action, **self.fields)


def crew_accounts(city: City) -> list[Person]:
    """The accounts the crew signs in with: the desk roles, inspectors for every district (each
    patrols its own), and a handler for every department a case can be dispatched to."""
    desk = [Person(f"{CREW_PREFIX}{role}", name, frozenset((role,))) for role, name in DESK_NAMES.items()]
    inspectors = [
        Person(f"{CREW_PREFIX}inspector-{d.code}-{n}", f"模拟监督员（{d.name}{n}）", INSPECTOR, scope=d.code)
        for d in city.districts
        for n in range(1, INSPECTORS_PER_DISTRICT + 1)
    ]
    handlers = [
        Person(f"{CREW_PREFIX}{d.code}", f"{d.name}（模拟）", frozenset(("handler",)), d.code)
        for d in city.departments.values()
        if d.kind in HANDLED_BY
    ]
    return desk + inspectors + handlers


_Choice = tuple[str, dict[str, Any], float] | None  # action, fields, when


class People:
    """The crew's decisions for ``city``; ``roles`` are those the simulator plays (the rest wait
    for people at the desks)."""

    def __init__(
        self,
        city: City,
        seed: int,
        roles: Iterable[str] = CREW_ROLES,
        cases: Mapping[str, Case] | None = None,
    ) -> None:
        self.roles = frozenset(roles)
        unknown = self.roles - set(CREW_ROLES)
        if unknown:
            raise ValueError(f"the crew plays {', '.join(CREW_ROLES)}, not {', '.join(sorted(unknown))}")
        self.city, self.seed = city, seed
        self.cases: Mapping[str, Case] = {} if cases is None else cases  # the others, for merging into
        self.members = {m.login: m for m in crew_accounts(city) if self.roles & m.roles}
        self._desk = {m.login.removeprefix(CREW_PREFIX): m for m in self.members.values() if m.roles & DESK}
        self._handlers = {m.department: m for m in self.members.values() if m.department}
        #: The crew's field inspectors by login; verify and check tasks go to the nearest one on duty.
        self.inspectors = {m.login: m for m in self.members.values() if m.roles == INSPECTOR}
        self._clocks = Clocks(city.calendar)
        self._handling = sorted(
            (d for d in city.departments.values() if d.kind in HANDLED_BY), key=lambda d: d.code
        )

    def next_move(self, case: Case, now: float) -> Move | None:
        """What happens next to ``case`` seen at ``now``; None when it waits for someone the
        simulator does not play, or is over."""
        decide = _DECISIONS.get(case.status)
        if decide is None:
            return None
        rng = np.random.default_rng([self.seed, case.version, *case.id.encode("utf-8")])
        choice = decide(self, case, now, rng)
        if choice is None:
            return None
        action, fields, at = choice
        acting = self._acting(case, action)
        if acting is None:
            return None
        member, role = acting
        for name in self.city.workflow.actions[action].requires:
            if name in ("reason", "text") and name not in fields:
                fields[name] = _words(action, rng)
        return Move(role, member.login, action, fields, at)

    def _acting(self, case: Case, action: str) -> tuple[Person, str] | None:
        """The crew member who takes ``action`` on ``case`` and the role it acts in; None when it
        is not the crew's.  A step is the work of the first role the workflow table names for it
        (a check is intake's, though the lead may send one too), and an appeal's review that of the
        level it stands at: the crew leaves the steps of the roles it does not play to the people
        at the desks."""
        workflow = self.city.workflow
        transition = workflow.table.get((case.status, action))
        if transition is None or transition.roles[0] not in self.roles:
            return None
        role = transition.roles[0]
        if action in APPEAL_REVIEW:  # the level an appeal stands at decides it (either may deny it)
            role = APPEAL_LEVEL.get(case.appeal, role)
            if role not in self.roles:
                return None
        member = (
            self._handlers.get(case.department or "")
            if role == "handler"
            else self._inspector(case)
            if role == "inspector"
            else self._desk.get(role)
        )
        if member is None:
            return None
        try:
            return member, workflow.permit(case, action, member)[1]
        except ProtocolError:  # not in its area, another inspector's task, …
            return None

    def _inspector(self, case: Case) -> Person | None:
        """The crew's inspector out on the case, or (when the hub had nobody on duty to send) one
        who patrols the case's district."""
        named = self.inspectors.get(case.inspector)
        if named is not None or case.inspector:
            return named
        return next((m for m in self.inspectors.values() if m.scope in ("", case.district)), None)

    # -- who is right --------------------------------------------------------------------------

    def responsible(self, case: Case) -> Department | None:
        """The department the responsibility table names for the case; None if the city has no such."""
        place = Place(case.district, case.street, case.community, case.grid)
        return self.city.departments.get(self.city.responsible(case.category, place) or "")

    # -- when ------------------------------------------------------------------------------------

    @staticmethod
    def _desk_time(now: float, rng: np.random.Generator) -> float:
        minutes = DESK_SLOW_MINUTES if rng.random() < DESK_SLOW else DESK_MINUTES
        return now + 60.0 * rng.uniform(*minutes)

    def _minutes_on_clock(
        self, case: Case, now: float, minutes: tuple[float, float], rng: np.random.Generator
    ) -> float:
        return self._clocks[case.clock].add(now, 60.0 * rng.uniform(*minutes))

    def _share_of_limit(
        self, case: Case, now: float, shares: tuple[float, float], rng: np.random.Generator
    ) -> float:
        """When the running stage has used a share (drawn from ``shares``) of its limit."""
        clock = self._clocks[case.clock]
        left = float(clock.left(np.array([case.deadline]), now)[0])
        wait = left - case.limit_s * (1.0 - rng.uniform(*shares))
        return clock.add(now, max(wait, MIN_WAIT_S))

    # -- what, state by state ----------------------------------------------------------------------

    def _merge(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        """Merge a report into the open case the hub found it a duplicate of (None: no such)."""
        target = self.cases.get(case.duplicate_of)
        if target is None or self.city.workflow.state(target.status).final or rng.random() >= MERGE:
            return None
        return "merge", {"target": target.id}, self._desk_time(now, rng)

    def _reported(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        merged = self._merge(case, now, rng)
        if merged is not None:
            return merged
        if rng.random() < VERIFY:
            return "verify", {}, self._desk_time(now, rng)  # the hub sends the nearest inspector
        return "accept", {}, self._desk_time(now, rng)

    def _verifying(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        draw = rng.random()
        action = "confirm" if draw < CONFIRM else "self_fix" if draw < CONFIRM + SELF_FIX else "not_found"
        return action, {"text": _words(action, rng)}, self._share_of_limit(case, now, INSPECTOR_SHARE, rng)

    def _to_file(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        merged = self._merge(case, now, rng)  # an inspector's own report the hub found a duplicate of
        if merged is not None:
            return merged
        not_found = case.verified == "not_found"
        if rng.random() < (REJECT_NOT_FOUND if not_found else REJECT):
            reason = _words("reject_not_found" if not_found else "reject", rng)
            return "reject", {"reason": reason}, self._desk_time(now, rng)
        return "file", {}, self._desk_time(now, rng)

    def _to_dispatch(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        right = self.responsible(case)
        if right is None:
            return None
        if right.kind not in HANDLED_BY:  # an agency's business: 转办
            return "transfer", {"department": right.code}, self._desk_time(now, rng)
        department = right.code
        if case.returns == 0 and rng.random() >= RIGHT_DEPARTMENT:
            wrong = [d.code for d in self._handling if d.code != right.code and _serves(d, case)]
            department = wrong[rng.integers(len(wrong))] if wrong else right.code
        return "dispatch", {"department": department}, self._desk_time(now, rng)

    def _dispatched(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        right = self.responsible(case)
        mistaken = right is None or case.department != right.code
        action = "return" if rng.random() < (RETURN_WRONG if mistaken else RETURN_RIGHT) else "take"
        return action, {}, self._minutes_on_clock(case, now, TAKE_MINUTES, rng)

    def _handling_step(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        if case.urged_at:  # urged: the department answers with what it has
            return "feedback", {}, self._minutes_on_clock(case, now, URGED_MINUTES, rng)
        draw = rng.random()
        if draw < HANG:
            return "request_hang", {}, self._share_of_limit(case, now, ASK_SHARE, rng)
        if draw < HANG + EXTENSION and not case.extensions:
            at = self._share_of_limit(case, now, ASK_SHARE, rng)
            more = case.limit_s * rng.uniform(*EXTENSION_EXTRA)
            return "request_extension", {"deadline": self._clocks[case.clock].add(case.deadline, more)}, at
        shares = REWORK_SHARE if case.reworks else FEEDBACK_SHARE
        return "feedback", {}, self._share_of_limit(case, now, shares, rng)

    def _extension_requested(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        at = self._desk_time(now, rng)
        if rng.random() < GRANT_EXTENSION and case.requested_deadline > at:
            return "grant_extension", {}, at
        return "deny_extension", {}, at

    def _hang_requested(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        at = self._desk_time(now, rng)
        return ("approve_hang" if rng.random() < APPROVE_HANG else "deny_hang"), {}, at

    def _hung(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        return "resume", {}, now + DAY_S * rng.uniform(*HUNG_DAYS)

    def _to_check(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        return "check", {}, self._desk_time(now, rng)

    def _checking(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        action = "fail" if rng.random() < CHECK_FAILS else "pass"
        return action, {}, self._share_of_limit(case, now, INSPECTOR_SHARE, rng)

    def _close(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        return "close", {}, self._desk_time(now, rng)

    def _closed(self, case: Case, now: float, rng: np.random.Generator) -> _Choice:
        """A timeout on the record is appealed (once), forwarded by the dispatcher, decided by the lead."""
        if case.appeal == "pending":
            action = "forward_appeal" if rng.random() < FORWARD_APPEAL else "deny_appeal"
            return action, {}, self._desk_time(now, rng)
        if case.appeal == "forwarded":
            action = "grant_appeal" if rng.random() < GRANT_APPEAL else "deny_appeal"
            return action, {}, self._desk_time(now, rng)
        if case.late and not case.appeal and case.department and rng.random() < APPEAL:
            return "appeal", {}, self._minutes_on_clock(case, now, TAKE_MINUTES, rng)
        return None


_DECISIONS: dict[str, Callable[[People, Case, float, np.random.Generator], _Choice]] = {
    "reported": People._reported,
    "verifying": People._verifying,
    "to_file": People._to_file,
    "to_dispatch": People._to_dispatch,
    "district_dispatch": People._to_dispatch,
    "dispatched": People._dispatched,
    "handling": People._handling_step,
    "extension_requested": People._extension_requested,
    "hang_requested": People._hang_requested,
    "hung": People._hung,
    "to_check": People._to_check,
    "checking": People._checking,
    "to_close": People._close,
    "transferred": People._close,
    "closed": People._closed,
}


def _serves(department: Department, case: Case) -> bool:
    """Whether a case can go to ``department`` at all: a street office serves its own street."""
    return department.kind != "street_office" or not department.area or case.street in ("", department.area)


def _words(action: str, rng: np.random.Generator) -> str:
    options = WORDS[action]
    return options[rng.integers(len(options))]


class Agenda:
    """Each case's next move, soonest first: one per case, for the version it was decided on.

    ``pace`` compresses time: a move ``d`` hub seconds ahead falls due ``d / pace`` seconds
    after it was decided (the demo plays hours of handling in minutes)."""

    def __init__(self, people: People, pace: float = 1.0) -> None:
        if pace <= 0:
            raise ValueError("pace must be more than 0")
        self.people, self.pace = people, pace
        self._heap: list[tuple[float, str, int]] = []  # (due, case id, version)
        self._planned: dict[str, tuple[int, Move | None]] = {}  # case id → (version, its move)

    def see(self, case: Case, now: float) -> None:
        """A case as it is now; a version not seen before gets its next move planned."""
        planned = self._planned.get(case.id)
        if planned is not None and planned[0] >= case.version:
            return
        move = self.people.next_move(case, now)
        self._planned[case.id] = (case.version, move)
        if move is not None:
            heapq.heappush(self._heap, (now + max(move.at - now, 0.0) / self.pace, case.id, case.version))

    def next_due(self) -> float | None:
        """When the soonest planned move falls due; None when nothing is planned."""
        while self._heap and not self._current(self._heap[0]):
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def due(self, now: float) -> list[tuple[str, int, Move]]:
        """The moves due at ``now``, soonest first: (case id, the version they are for, move)."""
        found = []
        while self._heap and self._heap[0][0] <= now:
            entry = heapq.heappop(self._heap)
            if self._current(entry):
                move = self._planned[entry[1]][1]
                assert move is not None
                found.append((entry[1], entry[2], move))
        return found

    def _current(self, entry: tuple[float, str, int]) -> bool:
        return self._planned[entry[1]][0] == entry[2]
