"""Deliverable sign-off decisions: submit, resubmit, endorse, approve, return. Pure.

- Submission needs at least one approver; each submission opens a new round.
- Endorsers and approvers act in the round only; approvals are refused while any endorser of
  the round has not endorsed (no override for deliverables).
- The approval that completes the round also records ``DeliverableSignedOff``.
- Only the deliverable's approvers and endorsers (or their deputies) may return it.
- Sign-off is not a plan change: it is accepted on a closed programme (the seed signs one
  deliverable off after the closure report that lists it).
"""

from __future__ import annotations

from tracker.commands import (
    ApproveDeliverable,
    EndorseDeliverable,
    ResubmitDeliverable,
    ReturnDeliverable,
    SubmitDeliverable,
)
from tracker.context import Context
from tracker.deliverables import DeliverableEvent, DeliverableState, require_deliverable
from tracker.errors import RuleBroken
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverableEndorsed,
    DeliverableResubmitted,
    DeliverableReturned,
    DeliverableSignedOff,
    DeliverableSubmitted,
)
from tracker.programmes import ProgrammeState, required_text
from tracker.signoff import NameOf, decide_approval, decide_endorsement, resolve_acting


def name_lookup(programme: ProgrammeState, state: DeliverableState) -> NameOf:
    """The roster's spelling first, then the deliverable's, then a deputy's, then the e-mail."""

    def name_of(email: str) -> str:
        member = programme.member(email)
        if member is not None:
            return member.name
        return state.name_in(email) or programme.name_of(email)

    return name_of


def _item(state: DeliverableState) -> str:
    return f"deliverable {state.title!r}"


def decide_submit(
    programme: ProgrammeState, state: DeliverableState, command: SubmitDeliverable, context: Context
) -> list[DeliverableEvent]:
    require_deliverable(state, command.deliverable_id)
    hint = {"returned": "resubmit it", "deferred": "reinstate it first"}.get(state.status, "")
    state.require_status("submitting", "planned", hint=hint)
    if not state.approvers:
        raise RuleBroken(
            "no_approver",
            f"{_item(state)} names no approver: name at least one before submitting",
        )
    return [
        DeliverableSubmitted(
            deliverable_id=command.deliverable_id,
            programme_key=state.programme_key,
            round=state.round.number + 1,
            note=command.note.strip(),
        )
    ]


def decide_resubmit(
    programme: ProgrammeState,
    state: DeliverableState,
    command: ResubmitDeliverable,
    context: Context,
) -> list[DeliverableEvent]:
    require_deliverable(state, command.deliverable_id)
    state.require_status("resubmitting", "returned")
    if not state.approvers:
        raise RuleBroken(
            "no_approver", f"{_item(state)} names no approver: name at least one first"
        )
    return [
        DeliverableResubmitted(
            deliverable_id=command.deliverable_id,
            programme_key=state.programme_key,
            round=state.round.number + 1,
            note=command.note.strip(),
        )
    ]


def decide_endorse(
    programme: ProgrammeState,
    state: DeliverableState,
    command: EndorseDeliverable,
    context: Context,
) -> list[DeliverableEvent]:
    require_deliverable(state, command.deliverable_id)
    actor = context.require_actor("endorsing")
    state.require_status("endorsing", "submitted", "signed_off")
    current = state.round
    acting = resolve_acting(
        actor=actor,
        on_behalf_of=command.on_behalf_of,
        role="endorser",
        named=current.endorsers,
        done=[s.signatory for s in current.endorsements],
        delegations=programme.delegations,
        days=context.days,
        item=_item(state),
        name_of=name_lookup(programme, state),
    )
    if state.status == "signed_off" and not current.has_endorsed(acting.signatory):
        state.require_status("endorsing", "submitted")
    if not decide_endorsement(current, acting):
        return []
    return [
        DeliverableEndorsed(
            deliverable_id=command.deliverable_id,
            programme_key=state.programme_key,
            round=current.number,
            actor=acting.actor,
            on_behalf_of=acting.on_behalf_of,
        )
    ]


def decide_approve(
    programme: ProgrammeState,
    state: DeliverableState,
    command: ApproveDeliverable,
    context: Context,
) -> list[DeliverableEvent]:
    require_deliverable(state, command.deliverable_id)
    actor = context.require_actor("approving")
    state.require_status("approving", "submitted", "signed_off")
    current = state.round
    name_of = name_lookup(programme, state)
    acting = resolve_acting(
        actor=actor,
        on_behalf_of=command.on_behalf_of,
        role="approver",
        named=current.approvers,
        done=[s.signatory for s in current.approvals],
        delegations=programme.delegations,
        days=context.days,
        item=_item(state),
        name_of=name_of,
    )
    if state.status == "signed_off" and not current.has_approved(acting.signatory):
        state.require_status("approving", "submitted")
    approval = decide_approval(current, acting, name_of=name_of)
    if not approval.record:
        return []
    events: list[DeliverableEvent] = [
        DeliverableApproved(
            deliverable_id=command.deliverable_id,
            programme_key=state.programme_key,
            round=current.number,
            actor=acting.actor,
            on_behalf_of=acting.on_behalf_of,
        )
    ]
    if approval.completes:
        events.append(
            DeliverableSignedOff(
                deliverable_id=command.deliverable_id,
                programme_key=state.programme_key,
                round=current.number,
                approvers=current.approvers,
            )
        )
    return events


def decide_return(
    programme: ProgrammeState,
    state: DeliverableState,
    command: ReturnDeliverable,
    context: Context,
) -> list[DeliverableEvent]:
    require_deliverable(state, command.deliverable_id)
    actor = context.require_actor("returning")
    state.require_status("returning", "submitted")
    comment = required_text(command.comment, "the comment on returning")
    current = state.round
    acting = resolve_acting(
        actor=actor,
        on_behalf_of=command.on_behalf_of,
        role="signatory",
        named=(*current.approvers, *current.endorsers),
        done=(),
        delegations=programme.delegations,
        days=context.days,
        item=_item(state),
        name_of=name_lookup(programme, state),
    )
    return [
        DeliverableReturned(
            deliverable_id=command.deliverable_id,
            programme_key=state.programme_key,
            round=current.number,
            comment=comment,
            actor=acting.actor,
            on_behalf_of=acting.on_behalf_of,
        )
    ]
