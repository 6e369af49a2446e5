"""The case workflow as a table: (state, action, role) → next state.

The table is city data (``workflow.json``, defaults in ``feeds/city/defaults``):
states with the stage whose clock they run, actions with the fields each
requires, and transitions naming who may take them.  The hub enforces it on
every command and the console offers only what it allows, both through
:meth:`Workflow.permit`; what an action *does* besides moving the state (set
a department, pause a clock …) is the hub's case rules.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Protocol

from feeds.records import Case
from feeds.wire.errors import ErrorCode, ProtocolError

SYSTEM = "system"  # the hub's own role: automatic urging
TASKS = ("verify", "check")  # the steps that send an inspector on site: 核实 and 核查


class Actor(Protocol):
    """Who acts: a signed-in user (``feeds.hub.accounts.User``) as far as the workflow asks."""

    @property
    def login(self) -> str: ...
    @property
    def roles(self) -> frozenset[str]: ...
    @property
    def department(self) -> str: ...
    @property
    def scope(self) -> str: ...


@dataclass(frozen=True)
class Person:
    """An Actor as plain data: a seat's signed-in user (from the hub's welcome), a simulated
    member of the hall's staff, a person in a test."""

    login: str
    name: str
    roles: frozenset[str]
    department: str = ""
    scope: str = ""


@dataclass(frozen=True)
class State:
    code: str
    name: str
    name_en: str
    stage: str  # the time limit that runs: verify, file, dispatch, handle, check, close; "" when final
    clock: str  # open (the stage's clock counts), paused (it stands still) or final (the case is over)

    @property
    def final(self) -> bool:
        return self.clock == "final"


@dataclass(frozen=True)
class Action:
    code: str
    name: str
    name_en: str
    requires: tuple[str, ...] = ()  # fields of the act command it needs (the schema names them)
    shortcut: str = ""  # a key on the desk
    work: bool = True  # False: being able to take it does not make a state one's work (void)


@dataclass(frozen=True)
class Transition:
    action: str
    roles: tuple[str, ...]  # in the table's order: the first the actor holds is the role it acts in
    to: str | None  # None: the state stays (urge, appeal)
    when: str = ""  # a condition of CONDITIONS


def _appealable(case: Case) -> bool:
    return bool(case.late) and case.appeal in ("", "denied")


#: Conditions a transition may name: facts of the case beyond its state.
CONDITIONS: dict[str, Callable[[Case], bool]] = {
    "appealable": _appealable,  # a stage ran out of time and no appeal stands
    # Two levels of review: the dispatcher forwards (or denies) an appeal, the lead decides it.
    "appeal_pending": lambda case: case.appeal == "pending",
    "appeal_forwarded": lambda case: case.appeal == "forwarded",
    "appeal_open": lambda case: case.appeal in ("pending", "forwarded"),
}


def _in_area(actor: Actor, case: Case) -> bool:
    return not actor.scope or actor.scope in (case.district, case.street, case.community, case.grid)


#: Roles whose actions are bound to their own part of a case rather than to an area alone.
_OWN_WORK: dict[str, Callable[[Actor, Case], bool]] = {
    "handler": lambda actor, case: case.department == actor.department,
    # an inspector answers its own task, or an unassigned one in its area
    "inspector": lambda actor, case: (
        case.inspector == actor.login or (not case.inspector and _in_area(actor, case))
    ),
}


def in_scope(actor: Actor, role: str, case: Case) -> bool:
    """Whether ``actor`` acting as ``role`` may touch ``case``: a handler works on its
    department's cases, an inspector on its own tasks, everyone else within their area."""
    own = _OWN_WORK.get(role)
    return own(actor, case) if own is not None else _in_area(actor, case)


@dataclass(frozen=True, eq=False)  # one table per city, compared and hashed by identity
class Workflow:
    states: dict[str, State]
    actions: dict[str, Action]
    table: dict[tuple[str, str], Transition] = field(default_factory=dict)  # (state, action) → transition

    def permit(self, case: Case, action: str, actor: Actor) -> tuple[Transition, str]:
        """The transition ``actor`` may take, and the role it acts in; raises ProtocolError if
        the action is unknown (invalid), wrong for the state (not_allowed_in_state), or not the
        actor's (forbidden)."""
        if action not in self.actions:
            raise ProtocolError(ErrorCode.INVALID, f"no action {action!r} in the workflow")
        transition = self.table.get((case.status, action))
        state = self.states.get(case.status)
        state_name = state.name if state else case.status
        if transition is None or (transition.when and not CONDITIONS[transition.when](case)):
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED_IN_STATE,
                f"case {case.id} is {state_name} ({case.status}): {self.actions[action].name} "
                f"({action}) is not allowed now",
            )
        roles = [r for r in transition.roles if r in actor.roles]
        if not roles:
            raise ProtocolError(
                ErrorCode.FORBIDDEN,
                f"{self.actions[action].name} ({action}) is for {', '.join(sorted(transition.roles))}",
            )
        role = next((r for r in roles if in_scope(actor, r, case)), None)
        if role is None:
            raise ProtocolError(ErrorCode.FORBIDDEN, f"case {case.id} is not yours to {action}")
        return transition, role

    def offered(self, case: Case, actor: Actor) -> list[Action]:
        """The actions ``actor`` may take on ``case`` now, in the table's order."""
        found = []
        for action in self.actions.values():
            try:
                self.permit(case, action.code, actor)
            except ProtocolError:
                continue
            found.append(action)
        return found

    def work_states(self, roles: Iterable[str]) -> frozenset[str]:
        """The states in which a user with ``roles`` moves cases on: their "my work" list (a
        dispatcher's 待派遣, a lead's 待立案 and 待结案, a department's 待处置).  Steps open
        in every state (void, urge) do not make a state one's work."""
        held = set(roles)
        return frozenset(
            state
            for (state, action), transition in self.table.items()
            if transition.to and self.actions[action].work and held & set(transition.roles)
        )

    @functools.cached_property
    def task_states(self) -> frozenset[str]:
        """The states an inspector is out in (核实中, 核查中): where the task steps lead."""
        return frozenset(t.to for (_, action), t in self.table.items() if action in TASKS and t.to)

    def state(self, code: str) -> State:
        return self.states[code]

    def open_states(self) -> list[str]:
        return [code for code, state in self.states.items() if not state.final]


class WorkflowProblem(ValueError):
    """A workflow table that cannot be used; the message names the entry."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def parse(document: Mapping[str, Any], levels: int = 1) -> tuple[Workflow, list[WorkflowProblem]]:
    """The workflow of a ``workflow.json`` document (schema-checked before) for a city that
    dispatches in ``levels`` levels; problems name every entry that does not fit together."""
    problems: list[WorkflowProblem] = []
    states = {
        s["code"]: State(s["code"], s["name"], s.get("name_en", ""), s["stage"], s["clock"])
        for s in document["states"]
        if s.get("levels", 1) <= levels
    }
    absent = {s["code"] for s in document["states"]} - set(states)  # states of another number of levels
    actions = {
        a["code"]: Action(
            a["code"],
            a["name"],
            a.get("name_en", ""),
            tuple(a["requires"]),
            a.get("shortcut", ""),
            a.get("work", True),
        )
        for a in document["actions"]
    }
    table: dict[tuple[str, str], Transition] = {}
    for n, row in enumerate(document["transitions"]):
        where = f"transition {n} ({row['action']})"
        if row.get("levels", 1) > levels:
            continue
        row = {**row, "from": [state for state in row["from"] if state not in absent]}
        for problem in _row_problems(row, states, actions):
            problems.append(WorkflowProblem(where, problem))
        transition = Transition(row["action"], tuple(row["roles"]), row.get("to"), row.get("when", ""))
        for state in row["from"]:
            if (state, row["action"]) in table:
                problems.append(WorkflowProblem(where, f"{row['action']} from {state} is listed twice"))
            table[(state, row["action"])] = transition
    return Workflow(states, actions, table), problems


def _row_problems(
    row: Mapping[str, Any], states: Mapping[str, State], actions: Mapping[str, Action]
) -> Iterable[str]:
    if row["action"] not in actions:
        yield f"no action {row['action']!r} among the actions"
    for state in [*row["from"], *([row["to"]] if row.get("to") else [])]:
        if state not in states:
            yield f"no state {state!r} among the states"
    for state in row["from"]:
        if state in states and states[state].final and row.get("to"):
            yield f"{state} is final: nothing leaves it"
    if row.get("when") and row["when"] not in CONDITIONS:
        yield f"unknown condition {row['when']!r} (known: {', '.join(CONDITIONS)})"


@functools.cache
def default(levels: int = 1) -> Workflow:
    """The workflow shipped in ``feeds/city/defaults``, for a city without its own table."""
    document = json.loads((resources.files("feeds.city") / "defaults" / "workflow.json").read_text("utf-8"))
    workflow, problems = parse(document, levels)
    if problems:
        raise problems[0]
    return workflow
