"""Programmes, the RACI roster, deputies, closing notes and the time rules. Pure: no database."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from tests.builders import (
    ANDREW,
    DELEGATION_ID,
    GLYN,
    KEY,
    MIKE,
    PAUL,
    ROB,
    START,
    at,
    btls,
    ctx,
    day,
    deputy,
    kinds,
    outcome,
    programme,
    registered,
)
from tracker.closing_notes import (
    decide_record_learning_point,
    decide_record_next_step,
    decide_record_recommendation,
)
from tracker.commands import (
    AddWorkstream,
    AppointDeputy,
    AssignRosterMember,
    ChangeRosterMember,
    DefineOutcome,
    DescribeProgramme,
    RecordCloseOutRecommendation,
    RecordLearningPoint,
    RecordNextStep,
    RegisterProgramme,
    RevokeDeputy,
    RevokeRosterMember,
)
from tracker.context import context_for, effective_time, local_date
from tracker.errors import InvalidInput, NotFound, RuleBroken
from tracker.events.closure import ProgrammeClosed
from tracker.events.codec import canonical_json
from tracker.events.prepare import stored_fields
from tracker.events.programmes import (
    ProgrammeRegistered,
    RosterMemberChanged,
    WorkstreamAdded,
)
from tracker.programme_setup import (
    decide_add_workstream,
    decide_define_outcome,
    decide_describe,
    decide_register,
)
from tracker.programmes import ProgrammeState, evolve
from tracker.raci import parse_raci
from tracker.roster import (
    decide_appoint_deputy,
    decide_assign_member,
    decide_change_member,
    decide_revoke_deputy,
    decide_revoke_member,
)

CLOSED = ProgrammeClosed(programme_key=KEY, closed_on=day("2021-04-20"))


def assign(person_email: str, raci: str, name: str = "Someone") -> AssignRosterMember:
    return AssignRosterMember(
        programme_key=KEY, email=person_email, name=name, role_title="Role", raci=raci
    )


# Registration and description.


def test_registering_records_the_start_and_the_day_of_registration() -> None:
    command = RegisterProgramme(
        programme_key=KEY,
        name="BTLS transition",
        starts_on=START,
        planned_end_on=day("2021-04-01"),
        purpose="Bring BTLS back in house",
    )
    [event] = decide_register(ProgrammeState(), command, ctx("2019-09-15"))
    assert isinstance(event, ProgrammeRegistered)
    assert (event.starts_on, event.registered_on) == (START, day("2019-09-15"))
    assert event.purpose == "Bring BTLS back in house"


def test_a_programme_key_is_registered_once() -> None:
    command = RegisterProgramme(
        programme_key=KEY, name="Again", starts_on=START, planned_end_on=START
    )
    with pytest.raises(RuleBroken) as refused:
        decide_register(btls(), command, ctx())
    assert refused.value.code == "already_exists"


def test_a_planned_end_before_the_start_is_refused() -> None:
    command = RegisterProgramme(
        programme_key=KEY, name="BTLS", starts_on=START, planned_end_on=day("2019-01-01")
    )
    with pytest.raises(InvalidInput, match="before the start"):
        decide_register(ProgrammeState(), command, ctx())


def test_a_programme_key_must_be_a_slug() -> None:
    command = RegisterProgramme(
        programme_key="BTLS Transition", name="BTLS", starts_on=START, planned_end_on=START
    )
    with pytest.raises(InvalidInput, match="slug"):
        decide_register(ProgrammeState(), command, ctx())


def test_describing_with_the_same_text_writes_nothing() -> None:
    state = btls()
    same = DescribeProgramme(
        programme_key=KEY, name=state.name, purpose="", scope="", governance=""
    )
    assert decide_describe(state, same, ctx()) == []
    changed = DescribeProgramme(
        programme_key=KEY, name=state.name, purpose="", scope="Whole BTLS service", governance=""
    )
    assert kinds(decide_describe(state, changed, ctx())) == ["ProgrammeDescribed"]


def test_commands_on_an_unregistered_programme_are_not_found() -> None:
    with pytest.raises(NotFound):
        decide_assign_member(ProgrammeState(), assign(ROB.email, "R"), ctx())


# The RACI roster.


@pytest.mark.parametrize("letter", ["R", "A", "C", "I"])
def test_raci_accepts_the_four_latin_capitals(letter: str) -> None:
    assert parse_raci(letter) == letter


def test_raci_rejects_a_greek_alpha_naming_its_code_point() -> None:
    with pytest.raises(InvalidInput, match="U\\+0391 GREEK CAPITAL LETTER ALPHA"):
        parse_raci("\u0391")


def test_raci_rejects_a_cyrillic_es_naming_its_code_point() -> None:
    with pytest.raises(InvalidInput, match="U\\+0421 CYRILLIC CAPITAL LETTER ES"):
        parse_raci("\u0421")


@pytest.mark.parametrize("text", ["a", "RA", " R", "", "Accountable"])
def test_raci_rejects_anything_but_one_latin_capital(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_raci(text)


def test_assigning_a_seed_lookalike_letter_is_refused() -> None:
    with pytest.raises(InvalidInput, match="U\\+0391"):
        decide_assign_member(programme(registered()), assign(MIKE.email, "\u0391"), ctx())


def test_a_second_accountable_is_refused_naming_the_current_one() -> None:
    with pytest.raises(RuleBroken) as refused:
        decide_assign_member(btls(), assign(PAUL.email, "A", PAUL.name), ctx())
    assert refused.value.code == "accountable_exists"
    assert "Mike Kirby is already the Accountable" in refused.value.message


def test_changing_someone_to_accountable_while_another_is_refused() -> None:
    with pytest.raises(RuleBroken) as refused:
        decide_change_member(
            btls(), ChangeRosterMember(programme_key=KEY, email=GLYN.email, raci="A"), ctx()
        )
    assert refused.value.code == "accountable_exists"


def test_the_accountable_is_handed_over_by_changing_the_old_one_first() -> None:
    state = btls()
    step_one = decide_change_member(
        state, ChangeRosterMember(programme_key=KEY, email=MIKE.email, raci="I"), ctx()
    )
    for event in step_one:
        state = evolve(state, event)
    assert state.accountable() is None
    step_two = decide_change_member(
        state, ChangeRosterMember(programme_key=KEY, email=GLYN.email, raci="A"), ctx()
    )
    [changed] = step_two
    assert isinstance(changed, RosterMemberChanged)
    assert (changed.raci, changed.previous_raci) == ("A", "R")


def test_a_person_is_on_the_roster_once_whatever_the_case_of_their_email() -> None:
    with pytest.raises(RuleBroken) as refused:
        decide_assign_member(btls(), assign(ROB.email.upper(), "C"), ctx())
    assert refused.value.code == "already_on_roster"
    assert "R, Legal Counsel" in refused.value.message


def test_changing_a_member_to_what_they_already_are_writes_nothing() -> None:
    command = ChangeRosterMember(programme_key=KEY, email=ROB.email, raci="R")
    assert decide_change_member(btls(), command, ctx()) == []


def test_changing_an_unknown_member_is_not_found() -> None:
    command = ChangeRosterMember(programme_key=KEY, email=PAUL.email, raci="R")
    with pytest.raises(NotFound):
        decide_change_member(btls(), command, ctx())


def test_revoking_a_member_takes_them_off_the_roster() -> None:
    state = btls()
    for event in decide_revoke_member(
        state, RevokeRosterMember(programme_key=KEY, email=ANDREW.email), ctx()
    ):
        state = evolve(state, event)
    assert state.member(ANDREW.email) is None


# Deputies.


def appoint(deputy_email: str, for_email: str, starts: str, ends: str) -> AppointDeputy:
    return AppointDeputy(
        programme_key=KEY,
        deputy_email=deputy_email,
        for_email=for_email,
        starts_on=day(starts),
        ends_on=day(ends),
    )


def test_a_deputy_is_appointed_for_a_date_range() -> None:
    [event] = decide_appoint_deputy(
        btls(),
        appoint(GLYN.email, MIKE.email, "2021-01-01", "2021-04-30"),
        ctx(),
        new_id=DELEGATION_ID,
    )
    state = evolve(btls(), event)
    [delegation] = state.delegations
    assert delegation.covers(day("2021-04-30")) and not delegation.covers(day("2021-05-01"))


def test_nobody_deputises_for_themselves() -> None:
    with pytest.raises(InvalidInput, match="themselves"):
        decide_appoint_deputy(
            btls(),
            appoint(GLYN.email, GLYN.email.upper(), "2021-01-01", "2021-02-01"),
            ctx(),
            new_id=uuid4(),
        )


def test_a_delegation_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput, match="covers no day"):
        decide_appoint_deputy(
            btls(),
            appoint(GLYN.email, MIKE.email, "2021-02-01", "2021-01-01"),
            ctx(),
            new_id=uuid4(),
        )


def test_revoking_a_deputy_ends_the_delegation_from_the_revocation_day() -> None:
    state = btls(deputy(GLYN, MIKE, "2021-01-01", "2021-12-31"))
    command = RevokeDeputy(programme_key=KEY, delegation_id=DELEGATION_ID, reason="Sponsor back")
    for event in decide_revoke_deputy(state, command, ctx("2021-03-10")):
        state = evolve(state, event)
    [delegation] = state.delegations
    assert delegation.covers(day("2021-03-09"))
    assert not delegation.covers(day("2021-03-10"))
    assert decide_revoke_deputy(state, command, ctx("2021-03-11")) == []


# Outcomes, workstreams and closing notes.


def test_outcome_numbers_are_unique() -> None:
    with pytest.raises(RuleBroken) as refused:
        decide_define_outcome(
            btls(outcome(1)), DefineOutcome(programme_key=KEY, number=1, title="Again"), ctx()
        )
    assert refused.value.code == "duplicate_outcome"


def test_workstream_keys_are_unique() -> None:
    state = btls()
    command = AddWorkstream(programme_key=KEY, workstream="cyp", title="Children and Young People")
    state = evolve(state, decide_add_workstream(state, command, ctx())[0])
    with pytest.raises(RuleBroken):
        decide_add_workstream(state, command, ctx())


def test_a_workstream_keeps_its_description_and_without_one_encodes_as_before() -> None:
    state = btls()
    described = AddWorkstream(
        programme_key=KEY,
        workstream="wp6",
        title="Work Package Six",
        description="  Development of a 'templated' methodology.\n- Configure the product.\n",
    )
    [event] = decide_add_workstream(state, described, ctx())
    assert isinstance(event, WorkstreamAdded)
    assert (
        event.description == "Development of a 'templated' methodology.\n- Configure the product."
    )
    assert evolve(state, event).workstream("wp6").description == event.description  # type: ignore[union-attr]
    [plain] = decide_add_workstream(
        state, AddWorkstream(programme_key=KEY, workstream="cyp", title="Children"), ctx()
    )
    before = (  # WorkstreamAdded's fields before ``description`` was added, encoded
        b'{"programme_key":"' + KEY.encode() + b'","title":"Children","workstream":"cyp"}'
    )
    assert canonical_json(stored_fields(plain)) == before


def test_learning_points_are_numbered_in_order_when_no_number_is_given() -> None:
    state = btls()
    numbers = []
    for text in ("Face to face kick-off", "Early access to calendars"):
        command = RecordLearningPoint(
            programme_key=KEY, description=text, recommendation="Do it", responsible="LCC"
        )
        [event] = decide_record_learning_point(state, command, ctx(), new_id=uuid4())
        state = evolve(state, event)
        numbers.append(event.number)  # type: ignore[union-attr]
    assert numbers == [1, 2]


def test_a_close_out_recommendation_number_is_used_once() -> None:
    state = btls()
    command = RecordCloseOutRecommendation(
        programme_key=KEY, description="Review after 3 months", responsible="Glyn Peach", number=1
    )
    state = evolve(state, decide_record_recommendation(state, command, ctx(), new_id=uuid4())[0])
    with pytest.raises(RuleBroken):
        decide_record_recommendation(state, command, ctx(), new_id=uuid4())


def test_a_next_step_may_carry_only_a_deliverable_of_the_programme() -> None:
    command = RecordNextStep(
        programme_key=KEY,
        description="Lessons learned session",
        responsible="Glyn Peach / Antony Draper",
        deliverable_id=uuid4(),
    )
    with pytest.raises(NotFound):
        decide_record_next_step(btls(), command, ctx(), new_id=uuid4())


# A closed programme refuses plan changes, naming its state.


@pytest.mark.parametrize(
    "decide",
    [
        lambda s: decide_assign_member(s, assign(PAUL.email, "I"), ctx()),
        lambda s: decide_change_member(
            s, ChangeRosterMember(programme_key=KEY, email=ROB.email, raci="C"), ctx()
        ),
        lambda s: decide_revoke_member(
            s, RevokeRosterMember(programme_key=KEY, email=ROB.email), ctx()
        ),
        lambda s: decide_appoint_deputy(
            s, appoint(GLYN.email, MIKE.email, "2021-01-01", "2021-02-01"), ctx(), new_id=uuid4()
        ),
        lambda s: decide_define_outcome(
            s, DefineOutcome(programme_key=KEY, number=11, title="More"), ctx()
        ),
        lambda s: decide_add_workstream(
            s, AddWorkstream(programme_key=KEY, workstream="x", title="X"), ctx()
        ),
        lambda s: decide_describe(
            s,
            DescribeProgramme(programme_key=KEY, name="New", purpose="", scope="", governance=""),
            ctx(),
        ),
        lambda s: decide_record_learning_point(
            s,
            RecordLearningPoint(
                programme_key=KEY, description="d", recommendation="r", responsible="x"
            ),
            ctx(),
            new_id=uuid4(),
        ),
    ],
    ids=["assign", "change", "revoke", "deputy", "outcome", "workstream", "describe", "learning"],
)
def test_plan_changes_on_a_closed_programme_are_refused_naming_the_state(decide) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleBroken) as refused:
        decide(btls(CLOSED))
    assert refused.value.code == "programme_closed"
    assert "is closed" in refused.value.message


# Time: occurred_at.


NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_without_occurred_at_a_command_happens_now() -> None:
    assert effective_time(None, NOW, earliest=START) == NOW


def test_occurred_at_records_a_paper_sign_off_after_the_fact() -> None:
    assert effective_time(at("2021-03-01"), NOW, earliest=START) == at("2021-03-01")


def test_occurred_at_in_the_future_is_refused() -> None:
    with pytest.raises(RuleBroken) as refused:
        effective_time(datetime(2026, 11, 26, 12, 1, tzinfo=UTC), NOW, earliest=START)
    assert refused.value.code == "occurred_in_future"


def test_occurred_at_before_the_programme_started_is_refused() -> None:
    with pytest.raises(RuleBroken) as refused:
        effective_time(at("2019-09-30"), NOW, earliest=START)
    assert refused.value.code == "occurred_before_start"
    assert "2019-10-01" in refused.value.message


def test_occurred_at_without_a_timezone_is_invalid() -> None:
    with pytest.raises(InvalidInput, match="timezone"):
        effective_time(datetime(2021, 3, 1, 12), NOW, earliest=START)


def test_set_up_may_be_dated_from_a_registration_before_the_start() -> None:
    early = ProgrammeRegistered(
        programme_key=KEY,
        name="BTLS",
        starts_on=START,
        planned_end_on=day("2021-04-01"),
        registered_on=day("2019-09-01"),
    )
    state = programme(early)
    assert state.earliest == day("2019-09-01")
    assert context_for(actor=None, occurred_at=at("2019-09-02"), now=NOW, earliest=state.earliest)


def test_dates_are_read_in_london() -> None:
    half_past_midnight_bst = datetime(2021, 5, 31, 23, 30, tzinfo=UTC)
    assert local_date(half_past_midnight_bst) == day("2021-06-01")
