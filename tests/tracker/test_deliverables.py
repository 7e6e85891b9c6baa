"""Deliverables: planning, the sign-off rounds, returns, deferrals and reopening. Pure."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import msgspec
import pytest

from tests.builders import (
    ANDREW,
    DELIVERABLE_ID,
    GABBY,
    GLYN,
    KEY,
    MIKE,
    PAUL,
    ROB,
    STRANGER,
    approved,
    btls,
    ctx,
    day,
    deliverable,
    deputy,
    endorsed,
    kinds,
    outcome,
    planned,
    submitted,
)
from tracker.commands import (
    ApproveDeliverable,
    ChangeDeliverableSignatories,
    DeferDeliverable,
    EndorseDeliverable,
    PlanDeliverable,
    ReinstateDeliverable,
    ReopenDeliverable,
    ReplanDeliverable,
    ResubmitDeliverable,
    ReturnDeliverable,
    SubmitDeliverable,
)
from tracker.deliverable_plan import (
    decide_change_signatories,
    decide_defer,
    decide_plan,
    decide_reinstate,
    decide_reopen,
    decide_replan,
)
from tracker.deliverable_signoff import (
    decide_approve,
    decide_endorse,
    decide_resubmit,
    decide_return,
    decide_submit,
)
from tracker.deliverables import DeliverableState, evolve, outcome_is_complete
from tracker.errors import InvalidInput, NotFound, RuleBroken
from tracker.events.closure import ProgrammeClosed
from tracker.events.codec import canonical_json
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverableDeferred,
    DeliverableEndorsed,
    DeliverablePlanned,
    DeliverableReplanned,
    DeliverableReturned,
    DeliverableSignedOff,
)
from tracker.events.prepare import stored_fields
from tracker.events.values import PersonRef

CLOSED = ProgrammeClosed(programme_key=KEY, closed_on=day("2021-04-20"))
APPROVE = ApproveDeliverable(deliverable_id=DELIVERABLE_ID)
ENDORSE = EndorseDeliverable(deliverable_id=DELIVERABLE_ID)
SUBMIT = SubmitDeliverable(deliverable_id=DELIVERABLE_ID)
DEFER = DeferDeliverable(
    deliverable_id=DELIVERABLE_ID, reason="Handed to BAU", destination="Post Transition"
)
REOPEN = ReopenDeliverable(deliverable_id=DELIVERABLE_ID, reason="DR test failed")
REINSTATE = ReinstateDeliverable(deliverable_id=DELIVERABLE_ID, reason="Back in scope")
REPLAN = ReplanDeliverable(deliverable_id=DELIVERABLE_ID, due_on=day("2021-02-01"), reason="Late")


def then(state: DeliverableState, events: list) -> DeliverableState:  # type: ignore[type-arg]
    for event in events:
        state = evolve(state, event)
    return state


def signed_off_by_glyn() -> DeliverableState:
    return deliverable(
        planned(),
        submitted(),
        approved(GLYN),
        DeliverableSignedOff(
            deliverable_id=DELIVERABLE_ID, programme_key=KEY, round=1, approvers=(GLYN.email,)
        ),
    )


def deferred() -> DeliverableState:
    return deliverable(
        planned(),
        DeliverableDeferred(
            deliverable_id=DELIVERABLE_ID,
            programme_key=KEY,
            reason="Handed to BAU",
            destination="Post Transition",
        ),
    )


# Planning.


def plan(**overrides: object) -> PlanDeliverable:
    fields: dict[str, object] = {
        "programme_key": KEY,
        "title": "Catalogue Matrix of Services provided to Beneficiaries",
        "due_on": day("2021-03-18"),
        "approvers": (GABBY.ref, PAUL.ref),
    }
    fields.update(overrides)
    return PlanDeliverable(**fields)  # type: ignore[arg-type]


def test_planning_lists_the_deliverable_in_its_programme_and_opens_its_stream() -> None:
    creation = decide_plan(btls(), DeliverableState(), plan(), ctx(), new_id=DELIVERABLE_ID)
    assert kinds(creation.programme_events) == ["DeliverableListed"]
    assert kinds(creation.item_events) == ["DeliverablePlanned"]


def test_an_assumed_due_date_is_recorded_on_the_plan() -> None:
    creation = decide_plan(
        btls(), DeliverableState(), plan(due_assumed=True), ctx(), new_id=DELIVERABLE_ID
    )
    [planned_event] = creation.item_events
    assert isinstance(planned_event, DeliverablePlanned) and planned_event.due_assumed


def test_a_plan_without_an_assumed_date_encodes_to_the_same_bytes_as_before() -> None:
    [planned_event] = decide_plan(
        btls(), DeliverableState(), plan(), ctx(), new_id=DELIVERABLE_ID
    ).item_events
    assert isinstance(planned_event, DeliverablePlanned) and not planned_event.due_assumed
    before = (  # DeliverablePlanned's fields before ``due_assumed`` was added, encoded
        b'{"approvers":[{"email":"gabby.nelson@lancashire.gov.uk","name":"Gabby Nelson"},'
        b'{"email":"paul.sutcliffe@lancashire.gov.uk","name":"Paul Sutcliffe"}],'
        b'"deliverable_id":"' + str(DELIVERABLE_ID).encode() + b'","due_on":"2021-03-18",'
        b'"endorsers":[],"outcome_number":null,"programme_key":"' + KEY.encode() + b'",'
        b'"title":"Catalogue Matrix of Services provided to Beneficiaries","workstream":null}'
    )
    assert canonical_json(stored_fields(planned_event)) == before
    assumed = msgspec.structs.replace(planned_event, due_assumed=True)
    assert b'"due_assumed":true' in canonical_json(stored_fields(assumed))
    decoded = msgspec.json.decode(before, type=DeliverablePlanned)
    assert decoded == planned_event and not decoded.due_assumed


def test_approver_emails_are_stored_lower_case() -> None:
    shouting = plan(approvers=(PersonRef(email="Paul.Sutcliffe@Lancashire.gov.uk", name="Paul"),))
    creation = decide_plan(btls(), DeliverableState(), shouting, ctx(), new_id=DELIVERABLE_ID)
    [planned_event] = creation.item_events
    assert planned_event.approvers[0].email == PAUL.email  # type: ignore[union-attr]


def test_a_person_may_not_both_endorse_and_approve_one_deliverable() -> None:
    with pytest.raises(InvalidInput, match="both endorse and approve"):
        decide_plan(btls(), DeliverableState(), plan(endorsers=(GABBY.ref,)), ctx(), new_id=uuid4())


def test_a_person_is_named_once_as_approver() -> None:
    with pytest.raises(InvalidInput, match="named twice"):
        decide_plan(
            btls(), DeliverableState(), plan(approvers=(PAUL.ref, PAUL.ref)), ctx(), new_id=uuid4()
        )


def test_planning_under_an_undefined_outcome_is_not_found() -> None:
    with pytest.raises(NotFound):
        decide_plan(btls(), DeliverableState(), plan(outcome_number=4), ctx(), new_id=uuid4())
    assert decide_plan(
        btls(outcome(4)), DeliverableState(), plan(outcome_number=4), ctx(), new_id=uuid4()
    )


def test_planning_on_an_existing_id_is_refused() -> None:
    with pytest.raises(RuleBroken) as refused:
        decide_plan(btls(), deliverable(planned()), plan(), ctx(), new_id=DELIVERABLE_ID)
    assert refused.value.code == "already_exists"


def test_planning_with_no_approver_is_accepted_but_submitting_is_refused() -> None:
    creation = decide_plan(
        btls(), DeliverableState(), plan(approvers=()), ctx(), new_id=DELIVERABLE_ID
    )
    state = then(DeliverableState(), creation.item_events)
    with pytest.raises(RuleBroken) as refused:
        decide_submit(btls(), state, SUBMIT, ctx())
    assert refused.value.code == "no_approver"


def test_re_planning_records_the_previous_due_date_and_the_reason() -> None:
    [event] = decide_replan(btls(), deliverable(planned(due_on="2021-01-07")), REPLAN, ctx())
    assert isinstance(event, DeliverableReplanned)
    assert (event.previous_due_on, event.due_on, event.reason) == (
        day("2021-01-07"),
        day("2021-02-01"),
        "Late",
    )


def test_re_planning_needs_a_reason() -> None:
    blank = ReplanDeliverable(deliverable_id=DELIVERABLE_ID, due_on=day("2021-02-01"), reason=" ")
    with pytest.raises(InvalidInput, match="reason"):
        decide_replan(btls(), deliverable(planned()), blank, ctx())


def test_re_planning_to_the_same_date_writes_nothing() -> None:
    assert decide_replan(btls(), deliverable(planned(due_on="2021-02-01")), REPLAN, ctx()) == []


def test_signatories_do_not_change_while_submitted() -> None:
    change = ChangeDeliverableSignatories(
        deliverable_id=DELIVERABLE_ID, approvers=(PAUL.ref,), reason="Glyn on leave"
    )
    with pytest.raises(RuleBroken, match="return it first"):
        decide_change_signatories(btls(), deliverable(planned(), submitted()), change, ctx())
    assert kinds(decide_change_signatories(btls(), deliverable(planned()), change, ctx())) == [
        "DeliverableSignatoriesChanged"
    ]


# Submitting, endorsing, approving.


def test_submission_opens_round_one() -> None:
    state = then(
        deliverable(planned()), decide_submit(btls(), deliverable(planned()), SUBMIT, ctx())
    )
    assert (state.status, state.round.number, state.round.approvers) == (
        "submitted",
        1,
        (GLYN.email,),
    )


def test_the_only_approvers_approval_signs_the_deliverable_off() -> None:
    events = decide_approve(btls(), deliverable(planned(), submitted()), APPROVE, ctx(actor=GLYN))
    assert kinds(events) == ["DeliverableApproved", "DeliverableSignedOff"]
    assert then(deliverable(planned(), submitted()), events).status == "signed_off"


def test_joint_approval_needs_both_named_approvers() -> None:
    state = deliverable(planned(approvers=(GABBY, PAUL)), submitted())
    first = decide_approve(btls(), state, APPROVE, ctx(actor=GABBY))
    assert kinds(first) == ["DeliverableApproved"]
    state = then(state, first)
    assert state.status == "submitted"
    assert kinds(decide_approve(btls(), state, APPROVE, ctx(actor=PAUL))) == [
        "DeliverableApproved",
        "DeliverableSignedOff",
    ]


def test_someone_not_named_cannot_approve() -> None:
    with pytest.raises(RuleBroken) as refused:
        decide_approve(btls(), deliverable(planned(), submitted()), APPROVE, ctx(actor=STRANGER))
    assert refused.value.code == "not_a_signatory"
    assert "the approver is Glyn Peach" in refused.value.message


def test_an_endorser_endorses_but_cannot_approve() -> None:
    state = deliverable(planned(approvers=(MIKE,), endorsers=(ROB,)), submitted())
    assert kinds(decide_endorse(btls(), state, ENDORSE, ctx(actor=ROB))) == ["DeliverableEndorsed"]
    with pytest.raises(RuleBroken, match="Rob Cathey may not act as approver"):
        decide_approve(btls(), state, APPROVE, ctx(actor=ROB))


def test_approval_is_refused_while_endorsements_are_missing_naming_who() -> None:
    state = deliverable(
        planned(approvers=(MIKE,), endorsers=(ROB, GLYN, ANDREW)), submitted(), endorsed(GLYN)
    )
    with pytest.raises(RuleBroken) as refused:
        decide_approve(btls(), state, APPROVE, ctx(actor=MIKE))
    assert refused.value.code == "endorsements_missing"
    assert refused.value.message == "awaiting endorsement from: Rob Cathey, Andrew Rogers"


def test_a_repeated_endorsement_writes_nothing() -> None:
    state = deliverable(planned(approvers=(MIKE,), endorsers=(ROB,)), submitted(), endorsed(ROB))
    assert decide_endorse(btls(), state, ENDORSE, ctx(actor=ROB)) == []


def test_a_repeated_approval_writes_nothing() -> None:
    state = deliverable(planned(approvers=(GABBY, PAUL)), submitted(), approved(GABBY))
    assert decide_approve(btls(), state, APPROVE, ctx(actor=GABBY)) == []


def test_approving_again_after_sign_off_writes_nothing() -> None:
    assert decide_approve(btls(), signed_off_by_glyn(), APPROVE, ctx(actor=GLYN)) == []


def test_a_deputy_approves_on_behalf_of_the_approver_inside_the_dates() -> None:
    programme = btls(deputy(GLYN, MIKE, "2021-01-01", "2021-04-30"))
    state = deliverable(planned(approvers=(MIKE,)), submitted())
    [approval, _signed_off] = decide_approve(programme, state, APPROVE, ctx("2021-03-01", GLYN))
    assert isinstance(approval, DeliverableApproved)
    assert (approval.actor, approval.on_behalf_of) == (GLYN.email, MIKE.email)


def test_a_deputy_outside_the_dates_may_not_approve() -> None:
    programme = btls(deputy(GLYN, MIKE, "2021-01-01", "2021-04-30"))
    state = deliverable(planned(approvers=(MIKE,)), submitted())
    with pytest.raises(RuleBroken, match="from 2021-01-01 to 2021-04-30"):
        decide_approve(programme, state, APPROVE, ctx("2021-05-01", GLYN))


def test_a_deputy_endorsement_records_actor_and_on_behalf_of() -> None:
    programme = btls(deputy(GLYN, ROB, "2021-01-01", "2021-04-30"))
    state = deliverable(planned(approvers=(MIKE,), endorsers=(ROB,)), submitted())
    [event] = decide_endorse(programme, state, ENDORSE, ctx("2021-02-01", GLYN))
    assert isinstance(event, DeliverableEndorsed)
    assert (event.actor, event.on_behalf_of) == (GLYN.email, ROB.email)


def test_endorsing_needs_an_actor() -> None:
    state = deliverable(planned(approvers=(MIKE,), endorsers=(ROB,)), submitted())
    with pytest.raises(InvalidInput, match="actor"):
        decide_endorse(btls(), state, ENDORSE, ctx())


def test_approving_a_planned_deliverable_is_refused_naming_the_state() -> None:
    with pytest.raises(RuleBroken) as refused:
        decide_approve(btls(), deliverable(planned()), APPROVE, ctx(actor=GLYN))
    assert refused.value.code == "deliverable_planned"


# Returning and resubmitting.


def test_returning_clears_the_rounds_endorsements_and_approvals() -> None:
    state = deliverable(
        planned(approvers=(GABBY, PAUL), endorsers=(ROB,)),
        submitted(),
        endorsed(ROB),
        approved(GABBY),
    )
    back = ReturnDeliverable(deliverable_id=DELIVERABLE_ID, comment="Add beneficiary list")
    events = decide_return(btls(), state, back, ctx(actor=PAUL))
    [returned] = events
    assert isinstance(returned, DeliverableReturned) and returned.actor == PAUL.email
    state = then(state, events)
    assert (state.status, state.round.endorsements, state.round.approvals) == ("returned", (), ())
    assert state.return_comment == "Add beneficiary list"


def test_resubmission_opens_a_new_round_that_needs_every_approval_again() -> None:
    state = deliverable(planned(approvers=(GABBY, PAUL)), submitted(), approved(GABBY))
    state = then(
        state,
        decide_return(
            btls(),
            state,
            ReturnDeliverable(deliverable_id=DELIVERABLE_ID, comment="Fix"),
            ctx(actor=PAUL),
        ),
    )
    state = then(
        state,
        decide_resubmit(btls(), state, ResubmitDeliverable(deliverable_id=DELIVERABLE_ID), ctx()),
    )
    assert state.round.number == 2
    assert kinds(decide_approve(btls(), state, APPROVE, ctx(actor=PAUL))) == ["DeliverableApproved"]


def test_only_an_approver_or_endorser_may_return() -> None:
    state = deliverable(planned(), submitted())
    back = ReturnDeliverable(deliverable_id=DELIVERABLE_ID, comment="No")
    with pytest.raises(RuleBroken):
        decide_return(btls(), state, back, ctx(actor=STRANGER))


def test_submitting_a_returned_deliverable_says_resubmit() -> None:
    state = deliverable(
        planned(),
        submitted(),
        DeliverableReturned(
            deliverable_id=DELIVERABLE_ID, programme_key=KEY, round=1, comment="x", actor=GLYN.email
        ),
    )
    with pytest.raises(RuleBroken, match="resubmit it"):
        decide_submit(btls(), state, SUBMIT, ctx())


# Deferring, reinstating, reopening: actions that do not apply are refused, naming the state.


def test_deferring_records_the_reason_and_destination() -> None:
    [event] = decide_defer(btls(), deliverable(planned()), DEFER, ctx())
    assert isinstance(event, DeliverableDeferred)
    assert event.destination == "Post Transition"


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (lambda s: decide_approve(btls(), s, APPROVE, ctx(actor=GLYN)), "deliverable_deferred"),
        (lambda s: decide_submit(btls(), s, SUBMIT, ctx()), "deliverable_deferred"),
        (lambda s: decide_replan(btls(), s, REPLAN, ctx()), "deliverable_deferred"),
        (lambda s: decide_defer(btls(), s, DEFER, ctx()), "deliverable_deferred"),
        (lambda s: decide_reopen(btls(), s, REOPEN, ctx()), "deliverable_deferred"),
    ],
    ids=["approve", "submit", "replan", "defer", "reopen"],
)
def test_a_deferred_deliverable_refuses_what_does_not_apply_naming_the_state(
    action: Callable[[DeliverableState], object], code: str
) -> None:
    with pytest.raises(RuleBroken) as refused:
        action(deferred())
    assert refused.value.code == code
    assert "is deferred" in refused.value.message


@pytest.mark.parametrize(
    "action",
    [
        lambda s: decide_submit(btls(), s, SUBMIT, ctx()),
        lambda s: decide_replan(btls(), s, REPLAN, ctx()),
        lambda s: decide_defer(btls(), s, DEFER, ctx()),
        lambda s: decide_reinstate(btls(), s, REINSTATE, ctx()),
        lambda s: decide_return(
            btls(),
            s,
            ReturnDeliverable(deliverable_id=DELIVERABLE_ID, comment="x"),
            ctx(actor=GLYN),
        ),
    ],
    ids=["submit", "replan", "defer", "reinstate", "return"],
)
def test_a_signed_off_deliverable_refuses_what_does_not_apply_naming_the_state(
    action: Callable[[DeliverableState], object],
) -> None:
    with pytest.raises(RuleBroken) as refused:
        action(signed_off_by_glyn())
    assert refused.value.code == "deliverable_signed_off"
    assert "is signed off" in refused.value.message


def test_reinstating_a_deferred_deliverable_plans_it_again() -> None:
    state = then(deferred(), decide_reinstate(btls(), deferred(), REINSTATE, ctx()))
    assert (state.status, state.destination) == ("planned", "")


def test_reopening_after_sign_off_needs_a_reason_and_a_new_submission() -> None:
    blank = ReopenDeliverable(deliverable_id=DELIVERABLE_ID, reason="")
    with pytest.raises(InvalidInput):
        decide_reopen(btls(), signed_off_by_glyn(), blank, ctx())
    state = then(signed_off_by_glyn(), decide_reopen(btls(), signed_off_by_glyn(), REOPEN, ctx()))
    assert (state.status, state.reopen_reason, state.round.approvals) == (
        "planned",
        "DR test failed",
        (),
    )
    with pytest.raises(RuleBroken, match="is planned"):
        decide_approve(btls(), state, APPROVE, ctx(actor=GLYN))
    state = then(state, decide_submit(btls(), state, SUBMIT, ctx()))
    assert state.round.number == 2


# A closed programme: plan changes refused, sign-off still recorded.


@pytest.mark.parametrize(
    "action",
    [
        lambda p: decide_plan(p, DeliverableState(), plan(), ctx(), new_id=uuid4()),
        lambda p: decide_replan(p, deliverable(planned()), REPLAN, ctx()),
        lambda p: decide_defer(p, deliverable(planned()), DEFER, ctx()),
        lambda p: decide_reinstate(p, deferred(), REINSTATE, ctx()),
        lambda p: decide_reopen(p, signed_off_by_glyn(), REOPEN, ctx()),
    ],
    ids=["plan", "replan", "defer", "reinstate", "reopen"],
)
def test_plan_changes_to_deliverables_of_a_closed_programme_are_refused(
    action: Callable[[object], object],
) -> None:
    with pytest.raises(RuleBroken) as refused:
        action(btls(CLOSED))
    assert refused.value.code == "programme_closed"


def test_a_late_sign_off_is_recorded_on_a_closed_programme() -> None:
    """The seed signs 'Incident Management' off on 27/11/2021, after the closure report."""
    events = decide_approve(
        btls(CLOSED),
        deliverable(planned(approvers=(PAUL,)), submitted()),
        APPROVE,
        ctx("2021-11-27", PAUL),
    )
    assert kinds(events) == ["DeliverableApproved", "DeliverableSignedOff"]


# Outcomes.


def test_an_outcome_is_complete_when_every_deliverable_is_signed_off_or_deferred() -> None:
    assert outcome_is_complete(["signed_off", "deferred", "signed_off"])
    assert not outcome_is_complete(["signed_off", "submitted"])
    assert not outcome_is_complete([])
