"""Deliverables: state and fold. Plan decisions are in ``deliverable_plan``, sign-off decisions
in ``deliverable_signoff``. Pure.

States: planned -> submitted -> signed_off; submitted -> returned -> (resubmit) submitted;
planned/submitted/returned -> deferred -> (reinstate) planned; signed_off -> (reopen) planned.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, assert_never
from uuid import UUID

import msgspec

from tracker.errors import NotFound, RuleBroken
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverableDeferred,
    DeliverableEndorsed,
    DeliverablePlanned,
    DeliverableReinstated,
    DeliverableReopened,
    DeliverableReplanned,
    DeliverableResubmitted,
    DeliverableReturned,
    DeliverableSignatoriesChanged,
    DeliverableSignedOff,
    DeliverableSubmitted,
)
from tracker.events.values import PersonRef
from tracker.signoff import Acting, SignOffRound

DeliverableEvent = (
    DeliverablePlanned
    | DeliverableReplanned
    | DeliverableSignatoriesChanged
    | DeliverableSubmitted
    | DeliverableResubmitted
    | DeliverableEndorsed
    | DeliverableApproved
    | DeliverableSignedOff
    | DeliverableReturned
    | DeliverableDeferred
    | DeliverableReinstated
    | DeliverableReopened
)

DELIVERABLE_EVENT_TYPES = (
    DeliverablePlanned,
    DeliverableReplanned,
    DeliverableSignatoriesChanged,
    DeliverableSubmitted,
    DeliverableResubmitted,
    DeliverableEndorsed,
    DeliverableApproved,
    DeliverableSignedOff,
    DeliverableReturned,
    DeliverableDeferred,
    DeliverableReinstated,
    DeliverableReopened,
)

DeliverableStatus = Literal["planned", "submitted", "returned", "signed_off", "deferred"]

_STATE_WORDS: dict[DeliverableStatus, str] = {
    "planned": "planned (not submitted)",
    "submitted": "submitted for sign-off",
    "returned": "returned",
    "signed_off": "signed off",
    "deferred": "deferred",
}


def deliverable_stream(deliverable_id: UUID) -> str:
    return f"deliverable:{deliverable_id}"


class DeliverableState(msgspec.Struct, frozen=True, kw_only=True):
    deliverable_id: UUID | None = None
    programme_key: str = ""
    title: str = ""
    due_on: date | None = None
    outcome_number: int | None = None
    workstream: str | None = None
    approvers: tuple[PersonRef, ...] = ()
    endorsers: tuple[PersonRef, ...] = ()
    status: DeliverableStatus = "planned"
    round: SignOffRound = SignOffRound()
    return_comment: str = ""
    deferral_reason: str = ""
    destination: str = ""
    reopen_reason: str = ""

    @property
    def exists(self) -> bool:
        return self.deliverable_id is not None

    def name_in(self, email: str) -> str | None:
        return next(
            (p.name for p in (*self.approvers, *self.endorsers) if p.email == email and p.name),
            None,
        )

    def require_status(self, doing: str, *allowed: DeliverableStatus, hint: str = "") -> None:
        """Refuse, naming the state, an action that does not apply to it."""
        if self.status in allowed:
            return
        refusal = (
            f"deliverable {self.title!r} is {_STATE_WORDS[self.status]}: {doing} does not apply"
        )
        if hint:
            refusal += f" ({hint})"
        raise RuleBroken(f"deliverable_{self.status}", refusal)


def _new_round(state: DeliverableState, number: int) -> SignOffRound:
    return SignOffRound(
        number=number,
        endorsers=tuple(p.email for p in state.endorsers),
        approvers=tuple(p.email for p in state.approvers),
    )


def evolve(state: DeliverableState, event: DeliverableEvent) -> DeliverableState:
    replace = msgspec.structs.replace
    match event:
        case DeliverablePlanned():
            return DeliverableState(
                deliverable_id=event.deliverable_id,
                programme_key=event.programme_key,
                title=event.title,
                due_on=event.due_on,
                outcome_number=event.outcome_number,
                workstream=event.workstream,
                approvers=event.approvers,
                endorsers=event.endorsers,
            )
        case DeliverableReplanned():
            return replace(state, due_on=event.due_on)
        case DeliverableSignatoriesChanged():
            return replace(state, approvers=event.approvers, endorsers=event.endorsers)
        case DeliverableSubmitted() | DeliverableResubmitted():
            return replace(state, status="submitted", round=_new_round(state, event.round))
        case DeliverableEndorsed():
            acting = Acting(actor=event.actor, on_behalf_of=event.on_behalf_of)
            return replace(state, round=state.round.endorse(acting))
        case DeliverableApproved():
            acting = Acting(actor=event.actor, on_behalf_of=event.on_behalf_of)
            return replace(state, round=state.round.approve(acting))
        case DeliverableSignedOff():
            return replace(state, status="signed_off", reopen_reason="")
        case DeliverableReturned():
            return replace(
                state, status="returned", round=state.round.cleared(), return_comment=event.comment
            )
        case DeliverableDeferred():
            return replace(
                state,
                status="deferred",
                round=state.round.cleared(),
                deferral_reason=event.reason,
                destination=event.destination,
            )
        case DeliverableReinstated():
            return replace(state, status="planned", deferral_reason="", destination="")
        case DeliverableReopened():
            return replace(
                state, status="planned", round=state.round.cleared(), reopen_reason=event.reason
            )
        case _:
            assert_never(event)


def outcome_is_complete(statuses: list[DeliverableStatus]) -> bool:
    """An outcome is complete when it has deliverables and every one is signed off or
    deferred."""
    return bool(statuses) and all(s in ("signed_off", "deferred") for s in statuses)


def require_deliverable(state: DeliverableState, deliverable_id: UUID) -> None:
    if not state.exists:
        raise NotFound(f"deliverable {deliverable_id} does not exist", code="deliverable_not_found")
