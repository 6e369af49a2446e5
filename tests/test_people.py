"""The simulator's people: every move one the workflow permits the crew member, with the words and
fields it needs; the same choices for the same seed; realistic answers to a wrong dispatch."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from feeds.city import demo
from feeds.city.model import Place
from feeds.hub.rules.cases import CaseRules
from feeds.records import Case
from feeds.sim.people import CREW_ROLES, HANDLED_BY, Agenda, People, crew_accounts

CITY = demo().city
WORKFLOW = CITY.workflow
RULES = CaseRules(CITY)
PEOPLE = People(CITY, seed=3)
NOW = 1_794_967_200.0  # Wednesday 2026-11-18 10:00 in Shanghai
HANDLED = sorted(d.code for d in CITY.departments.values() if d.kind in HANDLED_BY)
AGENCIES = sorted(d.code for d in CITY.departments.values() if d.kind == "agency")
BEFORE_DISPATCH = ("reported", "verifying", "to_file", "to_dispatch")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def case_at(status: str, category: str = "06010", grid: int = 100, **fields: object) -> Case:
    """A case in ``status`` whose running stage started an hour before NOW, clock fields and all."""
    place = CITY.place_of(CITY.grids[grid])
    case = Case(
        id=str(fields.pop("id", "AJ0000001")),
        category=category,
        grid=place.grid,
        district=place.district,
        street=place.street,
        community=place.community,
        lon=0.0,
        lat=0.0,
        source="hotline",
        description="暴露垃圾",
        status=status,
        reported_at=NOW - 7200,
        deadline=NOW,
        limit_s=0.0,
        version=int(fields.pop("version", 5)),  # type: ignore[call-overload]
    )
    clock = RULES.stage_clock(case, WORKFLOW.state(status).stage, NOW - 3600)
    return replace(case, **{**clock, **fields})


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A case in any state, with what a case in that state may carry."""
    status = draw(st.sampled_from(list(WORKFLOW.states)))
    state = WORKFLOW.state(status)
    if status == "transferred":
        department: str | None = draw(st.sampled_from(AGENCIES))
    elif status in BEFORE_DISPATCH or (state.final and draw(st.booleans())):
        department = None
    else:
        department = draw(st.sampled_from(HANDLED))
    case = case_at(
        status,
        category=draw(st.sampled_from(sorted(CITY.categories))),
        grid=draw(st.integers(0, len(CITY.grids) - 1)),
        id=f"AJ{draw(st.integers(0, 10**7)):07d}",
        version=draw(st.integers(1, 60)),
        department=department,
        inspector=draw(st.sampled_from(["", *PEOPLE.inspectors, "inspector"])),
        verified=draw(st.sampled_from(["", "confirmed", "not_found"])),
        returns=draw(st.integers(0, 2)),
        reworks=draw(st.integers(0, 2)),
        extensions=draw(st.integers(0, 1)),
        urged_at=draw(st.sampled_from([0.0, NOW - 600])),
        late=draw(st.sampled_from(["", "handle"])),
        appeal=draw(st.sampled_from(["", "pending", "forwarded", "granted", "denied"])),
    )
    started = NOW - draw(st.floats(0, 3 * 86_400))  # the stage ran from a moment ago to days
    case = replace(case, **RULES.stage_clock(case, state.stage, started)) if state.stage else case
    if state.clock == "paused":
        case = replace(case, paused_left_s=draw(st.floats(0, case.limit_s)))
    if status == "extension_requested":
        case = replace(case, requested_deadline=case.deadline + draw(st.floats(-86_400, 5 * 86_400)))
    return case


@settings(max_examples=400, deadline=None)
@given(cases())
def test_every_move_in_every_state_is_one_the_workflow_permits_with_what_it_requires(case: Case) -> None:
    move = PEOPLE.next_move(case, NOW)
    # an inspector the crew does not play is out on it
    someone_elses = case.status in ("verifying", "checking") and case.inspector == "inspector"
    if move is None:
        assert WORKFLOW.state(case.status).final or someone_elses, case
        return
    member = PEOPLE.members[move.login]
    _, role = WORKFLOW.permit(case, move.action, member)  # raises if not permitted
    assert role == move.role and move.at >= NOW
    act = move.command("sim-1", case)
    for name in WORKFLOW.actions[move.action].requires:
        assert getattr(act, name), (move, name)
    for words in (act.reason, act.text):
        assert not words or CHINESE.search(words)
    RULES.effects(case, act, move.at)  # the hub's rules take its fields (a department, a deadline …)
    if move.action in ("dispatch", "transfer"):
        kind = CITY.departments[act.department].kind
        assert kind in HANDLED_BY if move.action == "dispatch" else kind == "agency"


@settings(max_examples=200, deadline=None)
@given(cases(), st.sets(st.sampled_from(CREW_ROLES)))
def test_the_crew_leaves_the_roles_it_does_not_play_to_the_people_at_the_desks(
    case: Case, roles: set[str]
) -> None:
    move = People(CITY, seed=3, roles=roles).next_move(case, NOW)
    full = PEOPLE.next_move(case, NOW)
    if move is not None:  # the same decision when it is the crew's to take (tasks go to any inspector)
        assert full is not None and move.role in roles
        assert (move.action, move.login, move.at) == (full.action, full.login, full.at)
    else:  # the step is a person's at a desk (or nobody's)
        assert full is None or full.role not in roles


def test_a_report_the_hub_found_a_duplicate_of_an_open_case_is_merged_into_it() -> None:
    target = case_at("handling", id="AJ0000001", department="sanitation")
    closed = case_at("closed", id="AJ0000002", department="sanitation")
    people = People(CITY, seed=3, cases={c.id: c for c in (target, closed)})
    repeats = [case_at("reported", id=f"AJ{n:07d}", duplicate_of="AJ0000001") for n in range(10, 60)]
    moves = [people.next_move(c, NOW) for c in repeats]
    merged = [m for m in moves if m is not None and m.action == "merge"]
    assert 0.8 * len(repeats) <= len(merged) < len(repeats)  # most, by intake
    assert {(m.login, m.fields["target"]) for m in merged} == {("sim-intake", "AJ0000001")}
    late_one = case_at("reported", id="AJ0000099", duplicate_of="AJ0000002")
    assert all(people.next_move(replace(late_one, version=v), NOW).action != "merge" for v in range(1, 30))


def test_a_late_case_is_appealed_once_and_the_appeal_goes_up_two_levels() -> None:
    late = [case_at("closed", id=f"AJ{n:07d}", department="sanitation", late="handle") for n in range(200)]
    appealed = [m for m in (PEOPLE.next_move(c, NOW) for c in late) if m is not None]
    assert 0.15 <= len(appealed) / len(late) <= 0.35 and {m.action for m in appealed} == {"appeal"}
    assert {m.login for m in appealed} == {"sim-sanitation"} and all(
        CHINESE.search(m.fields["reason"]) for m in appealed
    )
    pending = [PEOPLE.next_move(replace(c, appeal="pending"), NOW) for c in late]
    assert {(m.action, m.role) for m in pending if m} == {
        ("forward_appeal", "dispatcher"),
        ("deny_appeal", "dispatcher"),
    }
    forwarded = [PEOPLE.next_move(replace(c, appeal="forwarded"), NOW) for c in late]
    assert {(m.action, m.role) for m in forwarded if m} == {("grant_appeal", "lead"), ("deny_appeal", "lead")}
    decided = [replace(c, appeal=a) for c in late for a in ("granted", "denied")]
    on_time = [replace(c, late="") for c in late]
    assert all(PEOPLE.next_move(c, NOW) is None for c in decided + on_time)  # once, and only the late


def test_the_same_seed_makes_the_same_choices_and_another_seed_others() -> None:
    samples = [case_at("reported", id=f"AJ{n:07d}") for n in range(300)]
    samples += [case_at("handling", id=f"AJ{n:07d}", department="sanitation") for n in range(300)]
    again, other = People(CITY, seed=3), People(CITY, seed=4)
    assert [PEOPLE.next_move(c, NOW) for c in samples] == [again.next_move(c, NOW) for c in samples]
    changed = sum(PEOPLE.next_move(c, NOW) != other.next_move(c, NOW) for c in samples)
    assert changed > len(samples) / 2
    bumped = [replace(c, version=c.version + 1) for c in samples]  # a new version draws anew
    assert (
        sum(
            PEOPLE.next_move(c, NOW) != PEOPLE.next_move(b, NOW) for c, b in zip(samples, bumped, strict=True)
        )
        > 500
    )


def test_dispatchers_follow_the_responsibility_table_and_mistaken_departments_send_cases_back() -> None:
    filed = [case_at("to_dispatch", id=f"AJ{n:07d}") for n in range(2000)]
    right = CITY.responsible(
        "06010", Place(filed[0].district, filed[0].street, filed[0].community, filed[0].grid)
    )
    sent = Counter(move.fields["department"] for c in filed if (move := PEOPLE.next_move(c, NOW)))
    assert 0.92 <= sent[right] / len(filed) <= 0.98 and len(sent) > 10  # wrong ones spread
    returned = [replace(c, returns=1) for c in filed[:200]]
    assert {PEOPLE.next_move(c, NOW).fields["department"] for c in returned} == {right}  # type: ignore[union-attr]
    wrong = next(code for code in HANDLED if code != right)
    mistaken = [case_at("dispatched", id=f"AJ{n:07d}", department=wrong) for n in range(1000)]
    answers = Counter(PEOPLE.next_move(c, NOW).action for c in mistaken)  # type: ignore[union-attr]
    assert 0.75 <= answers["return"] / len(mistaken) <= 0.95 and answers["take"] > 0
    rightly = [case_at("dispatched", id=f"AJ{n:07d}", department=right) for n in range(1000)]
    assert Counter(PEOPLE.next_move(c, NOW).action for c in rightly)["return"] < 30  # type: ignore[union-attr]


def test_an_agencys_category_is_transferred() -> None:
    parking = case_at("to_dispatch", category="09009")  # 机动车乱停放: the traffic police's
    move = PEOPLE.next_move(parking, NOW)
    assert move is not None and (move.action, move.fields["department"]) == ("transfer", "traffic_police")
    assert move.fields["reason"]


def test_departments_feed_back_in_and_past_the_limit_and_answer_an_urge_soon() -> None:
    handling = [
        case_at("handling", id=f"AJ{n:07d}", category="01011", department="gas") for n in range(1000)
    ]  # 2 h, urgent
    moves = [PEOPLE.next_move(c, NOW) for c in handling]
    feedback = [m.at for m in moves if m is not None and m.action == "feedback"]
    late = sum(at > handling[0].deadline for at in feedback)
    assert 0.05 < late / len(feedback) < 0.25  # 40-110% of the limit: some run over
    asked = Counter(m.action for m in moves if m is not None)
    assert 20 < asked["request_extension"] < 100 and 3 < asked["request_hang"] < 35
    urged = PEOPLE.next_move(replace(handling[0], urged_at=NOW - 60), NOW)
    assert urged is not None and urged.action == "feedback" and urged.at <= NOW + 3600


def test_working_hours_wait_for_the_morning_the_desk_does_not() -> None:
    evening = NOW + 10 * 3600  # Wednesday 20:00
    dispatched = case_at("dispatched", department="sanitation")  # 06010: 4 working hours
    take = PEOPLE.next_move(dispatched, evening)
    assert take is not None and take.action == "take"
    assert NOW + 22 * 3600 <= take.at <= NOW + 23 * 3600  # Thursday 08:00-09:00
    filed = PEOPLE.next_move(case_at("to_file"), evening)
    assert filed is not None and filed.at <= evening + 3600


def test_crew_accounts_are_the_desk_inspectors_per_district_and_a_handler_per_department() -> None:
    accounts = crew_accounts(CITY)
    logins = [m.login for m in accounts]
    assert len(set(logins)) == len(logins) and all(login.startswith("sim-") for login in logins)
    assert {"sim-intake", "sim-lead", "sim-dispatcher"} <= set(logins)
    patrolled = Counter(m.scope for m in accounts if m.roles == {"inspector"})
    assert patrolled == {d.code: 2 for d in CITY.districts}
    handlers = {m.department for m in accounts if m.roles == {"handler"}}
    assert handlers == set(HANDLED)
    assert set(People(CITY, 1, roles=("handler",)).members) == {f"sim-{code}" for code in HANDLED}


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="wall"):
        People(CITY, 1, roles=("wall",))


def test_the_agenda_keeps_the_latest_version_and_compresses_time() -> None:
    agenda = Agenda(PEOPLE, pace=60.0)
    case = case_at("to_file")
    agenda.see(case, NOW)
    planned = agenda.next_due()
    assert planned is not None and NOW < planned <= NOW + 45 * 60 / 60  # desk minutes in seconds
    agenda.see(case, NOW + 1)  # the same version again: nothing new
    assert agenda.next_due() == planned
    moved = replace(case, status="to_dispatch", version=case.version + 1)
    agenda.see(moved, NOW + 2)
    due = agenda.due(NOW + 3600)
    assert [(case_id, version, move.action) for case_id, version, move in due] == [
        (case.id, moved.version, "dispatch")
    ]
    assert agenda.next_due() is None and agenda.due(NOW + 7200) == []
