"""The workflow table: every state × action × role against an expectation written out by hand
from the hall's rules (DOMAIN.md), and the table's own checks."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from feeds.city.workflow import SYSTEM, Person, default, parse
from feeds.records import Case
from feeds.wire.errors import ErrorCode, ProtocolError

ROLES = ("intake", "lead", "dispatcher", "handler", "inspector", "wall", "admin", "producer", SYSTEM)

# Who may do what, from which states, to which state ("=" keeps the state), written from the
# hall's rules rather than copied from workflow.json.  States: R reported, V verifying, F to_file,
# D to_dispatch, DD district_dispatch (two-level cities only), S dispatched, H handling,
# X extension_requested, G hang_requested, HU hung, C to_check, K checking, Z to_close,
# T transferred, and the final ones closed, rejected, voided, merged.
EXPECTED = """
intake      verify            R                         verifying
lead        verify            R                         verifying
intake      accept            R                         to_file
inspector   confirm           V                         to_file
inspector   not_found         V                         to_file
inspector   self_fix          R V                       to_close
lead        file              R F                       to_dispatch
lead        reject            R V F                     rejected
intake      merge             R F                       merged
lead        merge             R F                       merged
lead        void              V F D S H X G HU C K Z T  voided
dispatcher  dispatch          D                         dispatched
dispatcher  transfer          D                         transferred
handler     take              S                         handling
handler     return            S H                       to_dispatch
handler     feedback          H                         to_check
handler     request_extension H                         extension_requested
dispatcher  grant_extension   X                         handling
dispatcher  deny_extension    X                         handling
handler     request_hang      H                         hang_requested
lead        approve_hang      G                         hung
lead        deny_hang         G                         handling
lead        resume            HU                        handling
intake      check             C                         checking
lead        check             C                         checking
inspector   pass              K                         to_close
inspector   fail              K                         handling
lead        rework            Z                         handling
lead        close             Z T HU                    closed
dispatcher  urge              D S H X G HU C K Z T      =
lead        urge              D S H X G HU C K Z T      =
system      urge              D S H X G HU C K Z T      =
handler     appeal            S H X G HU C K Z closed   =
dispatcher  forward_appeal    D S H X G HU C K Z T closed  =
lead        grant_appeal      D S H X G HU C K Z T closed  =
dispatcher  deny_appeal       D S H X G HU C K Z T closed  =
lead        deny_appeal       D S H X G HU C K Z T closed  =
"""
SHORT = {
    "R": "reported",
    "V": "verifying",
    "F": "to_file",
    "D": "to_dispatch",
    "DD": "district_dispatch",
    "S": "dispatched",
    "H": "handling",
    "X": "extension_requested",
    "G": "hang_requested",
    "HU": "hung",
    "C": "to_check",
    "K": "checking",
    "Z": "to_close",
    "T": "transferred",
}


def expected() -> dict[tuple[str, str, str], str]:
    table = {}
    for line in EXPECTED.strip().splitlines():
        role, action, *states, to = line.split()
        for state in states:
            table[(SHORT.get(state, state), action, role)] = to
    return table


def person(login: str, roles: frozenset[str], department: str = "drainage", scope: str = "") -> Person:
    return Person(login, login, roles, department, scope)


def case_in(state: str, **fields: object) -> Case:
    case = Case(
        "AJ1", "06010", "320102001001001", "320102", "320102001", 118.8, 32.0, "hotline", "", state,
        1.0, 2.0, 3.0, 1, department="drainage", inspector="zhou",
    )  # fmt: skip
    return replace(case, **fields)


def outcome(state: str, action: str, role: str) -> str | None:
    """Where the table lets ``role`` take ``action`` from ``state``: the next state, "=" when it
    stays, None when refused.  The case meets the action's condition (late for an appeal, an
    appeal pending for its review), so only the table decides."""
    workflow = default()
    review = {"forward_appeal": "pending", "grant_appeal": "forwarded", "deny_appeal": "pending"}
    case = case_in(state, late="handle", appeal=review.get(action, ""))
    try:
        transition, _ = workflow.permit(case, action, person("zhou", frozenset({role})))
    except ProtocolError:
        return None
    return transition.to or "="


def test_every_state_action_and_role_is_as_the_hall_works() -> None:
    workflow = default()
    wanted = expected()
    found = {
        (state, action, role): to
        for state, action, role in itertools.product(workflow.states, workflow.actions, ROLES)
        if (to := outcome(state, action, role)) is not None
    }
    assert found == wanted


def test_two_level_cities_dispatch_to_the_district_first() -> None:
    workflow = default(levels=2)
    actor = person("li", frozenset({"dispatcher"}))
    transition, role = workflow.permit(case_in("to_dispatch"), "dispatch_district", actor)
    assert (transition.to, role) == ("district_dispatch", "dispatcher")
    transition, _ = workflow.permit(case_in("district_dispatch"), "dispatch", actor)
    assert transition.to == "dispatched"
    with pytest.raises(ProtocolError) as refused:
        default().permit(case_in("to_dispatch"), "dispatch_district", actor)
    assert refused.value.code == ErrorCode.NOT_ALLOWED_IN_STATE


@pytest.mark.parametrize(
    ("case", "action", "person", "code"),
    [
        (case_in("to_dispatch"), "dispatch", person("a", frozenset({"handler"})), ErrorCode.FORBIDDEN),
        (
            case_in("closed"),
            "dispatch",
            person("a", frozenset({"dispatcher"})),
            ErrorCode.NOT_ALLOWED_IN_STATE,
        ),
        (case_in("to_file"), "fly", person("a", frozenset({"lead"})), ErrorCode.INVALID),
        (case_in("handling"), "feedback", person("a", frozenset({"handler"}), "water"), ErrorCode.FORBIDDEN),
        (case_in("checking"), "pass", person("someone", frozenset({"inspector"})), ErrorCode.FORBIDDEN),
        (case_in("to_file"), "file", person("a", frozenset({"lead"}), scope="320104"), ErrorCode.FORBIDDEN),
        (case_in("handling"), "appeal", person("a", frozenset({"handler"})), ErrorCode.NOT_ALLOWED_IN_STATE),
        (
            case_in("handling"),
            "grant_appeal",
            person("a", frozenset({"lead"})),
            ErrorCode.NOT_ALLOWED_IN_STATE,
        ),
        (case_in("to_file"), "file", person("a", frozenset({"wall"})), ErrorCode.FORBIDDEN),
    ],
    ids=[
        "a handler does not dispatch",
        "nothing moves a closed case on",
        "an action the table does not know",
        "a handler acts for its own department only",
        "an inspector answers only its own task",
        "a lead acts within its area",
        "no appeal without a timeout",
        "no review without an appeal",
        "the wall never acts",
    ],
)
def test_refusals_name_what_is_wrong(case: Case, action: str, person: Person, code: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        default().permit(case, action, person)
    assert refused.value.code == code
    assert case.id in refused.value.message or action in refused.value.message


def test_a_lead_with_a_district_scope_acts_there() -> None:
    transition, role = default().permit(
        case_in("to_file"), "file", person("a", frozenset({"lead"}), scope="320102")
    )
    assert (transition.to, role) == ("to_dispatch", "lead")


def test_the_role_acted_in_is_the_tables_first_that_the_person_holds() -> None:
    everyone = person("a", frozenset({"lead", "dispatcher", "intake"}))
    assert default().permit(case_in("handling"), "urge", everyone)[1] == "dispatcher"
    assert default().permit(case_in("reported"), "verify", everyone)[1] == "intake"


def test_offered_steps_are_the_permitted_ones_in_table_order() -> None:
    lead = person("a", frozenset({"lead"}))
    offered = [a.code for a in default().offered(case_in("to_file"), lead)]
    assert offered == ["file", "reject", "void", "merge"]
    assert default().offered(case_in("closed"), lead) == []


def test_my_work_is_where_a_role_moves_cases_on() -> None:
    workflow = default()
    assert workflow.work_states(["dispatcher"]) == {"to_dispatch", "extension_requested"}
    assert workflow.work_states(["handler"]) == {"dispatched", "handling"}
    assert "to_close" in workflow.work_states(["lead"]) and "to_file" in workflow.work_states(["lead"])
    assert workflow.work_states(["wall"]) == frozenset()


def shipped() -> dict[str, object]:
    document: dict[str, object] = json.loads(
        (resources.files("feeds.city") / "defaults" / "workflow.json").read_text("utf-8")
    )
    return document


def _add_row(**row: object) -> Callable[[dict[str, Any]], None]:
    return lambda document: document["transitions"].append({"roles": ["lead"], **row})


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_add_row(**{"from": ["to_file"], "action": "fly"}), "no action 'fly'"),
        (lambda d: d["transitions"][0].update({"to": "nowhere"}), "no state 'nowhere'"),
        (_add_row(**{"from": ["closed"], "action": "file", "to": "to_dispatch"}), "closed is final"),
        (lambda d: d["transitions"].append(copy.deepcopy(d["transitions"][0])), "listed twice"),
    ],
    ids=["unknown action", "unknown state", "leaving a final state", "a row twice"],
)
def test_a_broken_table_is_told_entry_by_entry(change, problem: str) -> None:  # type: ignore[no-untyped-def]
    document = shipped()
    change(document)
    _, problems = parse(document)
    assert any(problem in str(p) for p in problems), problems
    assert all(str(p).startswith("transition ") for p in problems)


def test_the_shipped_table_has_no_problems() -> None:
    _, problems = parse(shipped())
    assert problems == []


ROLE_ZH = {
    "intake": "受理员",
    "lead": "值班长",
    "dispatcher": "派遣员",
    "handler": "处置人员",
    "inspector": "监督员",
}
ROLE_ZH[SYSTEM] = "系统"


def steps_table() -> list[str]:
    """The steps of the shipped table (two-level rows included) as docs/workflow.md lists them."""
    workflow = default(levels=2)
    rows: dict[tuple[str, tuple[str, ...], str | None], list[str]] = {}
    for (state, action), transition in workflow.table.items():
        rows.setdefault((action, transition.roles, transition.to), []).append(state)
    lines = []
    for (action, roles, to), states in rows.items():
        step = workflow.actions[action]
        lines.append(
            f"| `{action}` {step.name} | {'、'.join(ROLE_ZH[r] for r in roles)} "
            f"| {', '.join(workflow.states[s].name for s in states)} "
            f"| {workflow.states[to].name if to else '(stays)'} | {', '.join(step.requires) or '—'} |"
        )
    return lines


def test_the_documented_steps_are_the_shipped_table() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "workflow.md").read_text("utf-8")
    section = doc.split("<!-- steps:", 1)[1].split("<!-- end of steps -->", 1)[0]
    documented = [line for line in section.splitlines() if line.startswith("| `")]
    assert documented == steps_table(), "\n".join(["docs/workflow.md §3 should read:", *steps_table()])
