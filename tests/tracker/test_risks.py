"""RAID items: programme-unique refs, scores, the update log, owners, closing. Pure."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from tests.builders import GLYN, KEY, ROB, btls, ctx, day, kinds
from tracker.commands import ChangeRiskOwner, CloseRisk, LogRiskUpdate, RaiseRisk, RescoreRisk
from tracker.errors import InvalidInput, RuleBroken
from tracker.events.closure import ProgrammeClosed
from tracker.events.programmes import RaidKind, RaidRefReserved
from tracker.events.risks import RiskRaised
from tracker.programmes import ProgrammeState
from tracker.programmes import evolve as evolve_programme
from tracker.risks import (
    RiskState,
    decide_change_owner,
    decide_close,
    decide_log_update,
    decide_raise,
    decide_rescore,
    evolve,
)

CLOSED = ProgrammeClosed(programme_key=KEY, closed_on=day("2021-04-20"))


def raise_(kind: RaidKind = "risk", ref: str | None = None, **scores: int) -> RaiseRisk:
    if kind == "risk":
        scores = {"impact": 4, "likelihood": 3, **scores}
    if kind == "issue":
        scores = {"impact": 5, **scores}
    return RaiseRisk(
        programme_key=KEY,
        kind=kind,
        description="Supplier contract novation late",
        owner=GLYN.ref,
        ref=ref,
        **scores,  # type: ignore[arg-type]
    )


def raised(
    programme: ProgrammeState, command: RaiseRisk, item_id: UUID | None = None
) -> tuple[ProgrammeState, RiskState]:
    creation = decide_raise(programme, RiskState(), command, ctx(), new_id=item_id or uuid4())
    for event in creation.programme_events:
        programme = evolve_programme(programme, event)
    state = RiskState()
    for item_event in creation.item_events:
        state = evolve(state, item_event)
    return programme, state


def test_raising_reserves_the_ref_in_the_programme_stream() -> None:
    creation = decide_raise(btls(), RiskState(), raise_(ref="R1"), ctx(), new_id=uuid4())
    [reserved] = creation.programme_events
    assert isinstance(reserved, RaidRefReserved) and reserved.ref == "R1"
    assert kinds(creation.item_events) == ["RiskRaised"]


def test_a_ref_is_unique_within_a_programme_whatever_its_case() -> None:
    programme, _ = raised(btls(), raise_(ref="R1"))
    with pytest.raises(RuleBroken) as refused:
        decide_raise(programme, RiskState(), raise_(ref="r1"), ctx(), new_id=uuid4())
    assert refused.value.code == "duplicate_ref"
    assert "R1 is already used" in refused.value.message


def test_without_a_ref_the_next_free_one_of_the_kind_is_allocated() -> None:
    programme, first = raised(btls(), raise_())
    programme, second = raised(programme, raise_())
    programme, issue = raised(programme, raise_("issue"))
    programme, dependency = raised(programme, raise_("dependency"))
    assert [first.ref, second.ref, issue.ref, dependency.ref] == ["R1", "R2", "I1", "D1"]


def test_a_risk_needs_impact_and_likelihood_from_one_to_five() -> None:
    with pytest.raises(InvalidInput, match="1 to 5"):
        decide_raise(btls(), RiskState(), raise_(impact=6), ctx(), new_id=uuid4())
    no_likelihood = RaiseRisk(
        programme_key=KEY, kind="risk", description="x", owner=GLYN.ref, impact=3
    )
    with pytest.raises(InvalidInput, match="likelihood"):
        decide_raise(btls(), RiskState(), no_likelihood, ctx(), new_id=uuid4())


def test_an_issue_has_an_impact_and_no_likelihood() -> None:
    with pytest.raises(InvalidInput, match="risks only"):
        decide_raise(btls(), RiskState(), raise_("issue", likelihood=2), ctx(), new_id=uuid4())


def test_a_ref_must_be_short_letters_and_digits() -> None:
    with pytest.raises(InvalidInput):
        decide_raise(btls(), RiskState(), raise_(ref="Risk number one"), ctx(), new_id=uuid4())


def test_re_scoring_to_the_same_score_writes_nothing() -> None:
    _, state = raised(btls(), raise_(impact=4, likelihood=3))
    assert state.item_id is not None
    same = RescoreRisk(item_id=state.item_id, impact=4, likelihood=3)
    assert decide_rescore(btls(), state, same, ctx()) == []
    worse = RescoreRisk(item_id=state.item_id, impact=5, likelihood=4, reason="Deadline nearer")
    assert kinds(decide_rescore(btls(), state, worse, ctx())) == ["RiskRescored"]


def test_an_update_is_logged_with_the_day_it_happened() -> None:
    _, state = raised(btls(), raise_())
    assert state.item_id is not None
    command = LogRiskUpdate(item_id=state.item_id, text="Legal reviewing novation letters")
    [event] = decide_log_update(btls(), state, command, ctx("2021-03-15"))
    state = evolve(state, event)  # type: ignore[arg-type]
    assert [(u.logged_on, u.text) for u in state.updates] == [
        (date(2021, 3, 15), "Legal reviewing novation letters")
    ]


def test_changing_the_owner_to_the_same_person_writes_nothing() -> None:
    _, state = raised(btls(), raise_())
    assert state.item_id is not None
    assert (
        decide_change_owner(
            btls(), state, ChangeRiskOwner(item_id=state.item_id, owner=GLYN.ref), ctx()
        )
        == []
    )
    assert kinds(
        decide_change_owner(
            btls(), state, ChangeRiskOwner(item_id=state.item_id, owner=ROB.ref), ctx()
        )
    ) == ["RiskOwnerChanged"]


def test_closing_needs_a_note_and_a_closed_item_refuses_further_changes_naming_the_state() -> None:
    _, state = raised(btls(), raise_(ref="R7"))
    assert state.item_id is not None
    with pytest.raises(InvalidInput, match="closing note"):
        decide_close(btls(), state, CloseRisk(item_id=state.item_id, note=" "), ctx())
    [closed] = decide_close(btls(), state, CloseRisk(item_id=state.item_id, note="Novated"), ctx())
    state = evolve(state, closed)  # type: ignore[arg-type]
    with pytest.raises(RuleBroken) as refused:
        decide_log_update(btls(), state, LogRiskUpdate(item_id=state.item_id, text="x"), ctx())
    assert refused.value.code == "risk_closed"
    assert "risk R7 is closed" in refused.value.message


def test_raising_on_a_closed_programme_is_refused_but_open_items_can_still_be_closed() -> None:
    programme, state = raised(btls(), raise_())
    closed = evolve_programme(programme, CLOSED)
    with pytest.raises(RuleBroken, match="is closed"):
        decide_raise(closed, RiskState(), raise_(), ctx(), new_id=uuid4())
    assert state.item_id is not None
    assert kinds(
        decide_close(closed, state, CloseRisk(item_id=state.item_id, note="To BAU"), ctx())
    ) == ["RiskClosed"]


def test_a_retried_raise_after_the_ref_was_reserved_completes_with_the_same_ref() -> None:
    item_id = uuid4()
    creation = decide_raise(btls(), RiskState(), raise_(ref="R9"), ctx(), new_id=item_id)
    programme = btls()
    for event in creation.programme_events:
        programme = evolve_programme(programme, event)
    retry = decide_raise(programme, RiskState(), raise_(ref="R9"), ctx(), new_id=item_id)
    assert retry.programme_events == []
    [raised_event] = retry.item_events
    assert isinstance(raised_event, RiskRaised) and raised_event.ref == "R9"
