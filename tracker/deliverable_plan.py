"""Deliverable plan decisions: plan, re-plan, change signatories, defer, reinstate, reopen.
Pure. All are plan changes, refused on a closed programme."""

from __future__ import annotations

from uuid import UUID

import msgspec

from tracker.commands import (
    ChangeDeliverableSignatories,
    DeferDeliverable,
    PlanDeliverable,
    ReinstateDeliverable,
    ReopenDeliverable,
    ReplanDeliverable,
)
from tracker.context import Context
from tracker.deliverables import DeliverableEvent, DeliverableState, require_deliverable
from tracker.errors import InvalidInput, NotFound, RuleBroken
from tracker.events.deliverables import (
    DeliverableDeferred,
    DeliverablePlanned,
    DeliverableReinstated,
    DeliverableReopened,
    DeliverableReplanned,
    DeliverableSignatoriesChanged,
)
from tracker.events.programmes import DeliverableListed
from tracker.events.values import PersonRef
from tracker.ids import person_id
from tracker.programmes import ProgrammeEvent, ProgrammeState, one_line, required_text


def signatories(
    approvers: tuple[PersonRef, ...], endorsers: tuple[PersonRef, ...]
) -> tuple[tuple[PersonRef, ...], tuple[PersonRef, ...]]:
    """Normalise e-mails; nobody twice; nobody both approver and endorser."""

    def clean(people: tuple[PersonRef, ...], role: str) -> tuple[PersonRef, ...]:
        seen: list[PersonRef] = []
        for person in people:
            ref = PersonRef(email=person_id(person.email), name=person.name.strip())
            if any(p.email == ref.email for p in seen):
                raise InvalidInput(f"{ref.name or ref.email} is named twice as {role}")
            seen.append(ref)
        return tuple(seen)

    clean_approvers = clean(approvers, "approver")
    clean_endorsers = clean(endorsers, "endorser")
    both = {p.email for p in clean_approvers} & {p.email for p in clean_endorsers}
    if both:
        raise InvalidInput(
            "a person may not both endorse and approve one deliverable: " + ", ".join(sorted(both))
        )
    return clean_approvers, clean_endorsers


class DeliverableCreation(msgspec.Struct, frozen=True, kw_only=True):
    """A new item: its index entry in the programme stream and its own first events."""

    programme_events: list[ProgrammeEvent]
    item_events: list[DeliverableEvent]


def decide_plan(
    programme: ProgrammeState,
    existing: DeliverableState,
    command: PlanDeliverable,
    context: Context,
    *,
    new_id: UUID,
) -> DeliverableCreation:
    """Zero approvers are accepted (the seed's deferred rows name none); submission needs one."""
    programme.require_registered(command.programme_key)
    programme.require_open("planning a deliverable")
    if existing.exists:
        raise RuleBroken("already_exists", f"deliverable {new_id} already exists")
    if command.outcome_number is not None and programme.outcome(command.outcome_number) is None:
        raise NotFound(
            f"outcome {command.outcome_number} is not defined in {programme.name!r}",
            code="outcome_not_found",
        )
    if command.workstream is not None and programme.workstream(command.workstream) is None:
        raise NotFound(
            f"workstream {command.workstream!r} is not in {programme.name!r}",
            code="workstream_not_found",
        )
    approvers, endorsers = signatories(command.approvers, command.endorsers)
    listed: list[ProgrammeEvent] = []
    # Already listed means an earlier attempt stopped between its two appends: finish it.
    if new_id not in programme.deliverables:
        listed.append(DeliverableListed(programme_key=programme.key, deliverable_id=new_id))
    planned = DeliverablePlanned(
        deliverable_id=new_id,
        programme_key=programme.key,
        title=one_line(command.title, "deliverable title"),
        due_on=command.due_on,
        approvers=approvers,
        endorsers=endorsers,
        outcome_number=command.outcome_number,
        workstream=command.workstream,
        due_assumed=command.due_assumed,
    )
    return DeliverableCreation(programme_events=listed, item_events=[planned])


def decide_replan(
    programme: ProgrammeState,
    state: DeliverableState,
    command: ReplanDeliverable,
    context: Context,
) -> list[DeliverableEvent]:
    require_deliverable(state, command.deliverable_id)
    programme.require_open("re-planning a deliverable")
    state.require_status(
        "re-planning",
        "planned",
        "submitted",
        "returned",
        hint="reopen it first" if state.status == "signed_off" else "reinstate it first",
    )
    reason = required_text(command.reason, "the reason for re-planning")
    if state.due_on is None or command.due_on == state.due_on:
        return []
    return [
        DeliverableReplanned(
            deliverable_id=command.deliverable_id,
            programme_key=state.programme_key,
            due_on=command.due_on,
            previous_due_on=state.due_on,
            reason=reason,
        )
    ]


def decide_change_signatories(
    programme: ProgrammeState,
    state: DeliverableState,
    command: ChangeDeliverableSignatories,
    context: Context,
) -> list[DeliverableEvent]:
    """Not while submitted: the people asked to sign must not change under them."""
    require_deliverable(state, command.deliverable_id)
    programme.require_open("changing a deliverable's approvers")
    state.require_status(
        "changing approvers or endorsers",
        "planned",
        "returned",
        hint="return it first" if state.status == "submitted" else "",
    )
    reason = required_text(command.reason, "the reason for the change")
    approvers, endorsers = signatories(command.approvers, command.endorsers)
    if (approvers, endorsers) == (state.approvers, state.endorsers):
        return []
    return [
        DeliverableSignatoriesChanged(
            deliverable_id=command.deliverable_id,
            programme_key=state.programme_key,
            approvers=approvers,
            endorsers=endorsers,
            reason=reason,
        )
    ]


def decide_defer(
    programme: ProgrammeState,
    state: DeliverableState,
    command: DeferDeliverable,
    context: Context,
) -> list[DeliverableEvent]:
    require_deliverable(state, command.deliverable_id)
    programme.require_open("deferring a deliverable")
    state.require_status(
        "deferring",
        "planned",
        "submitted",
        "returned",
        hint="reopen it first" if state.status == "signed_off" else "",
    )
    return [
        DeliverableDeferred(
            deliverable_id=command.deliverable_id,
            programme_key=state.programme_key,
            reason=required_text(command.reason, "the reason for deferring"),
            destination=required_text(command.destination, "the destination"),
        )
    ]


def decide_reinstate(
    programme: ProgrammeState,
    state: DeliverableState,
    command: ReinstateDeliverable,
    context: Context,
) -> list[DeliverableEvent]:
    require_deliverable(state, command.deliverable_id)
    programme.require_open("reinstating a deliverable")
    state.require_status("reinstating", "deferred")
    return [
        DeliverableReinstated(
            deliverable_id=command.deliverable_id,
            programme_key=state.programme_key,
            reason=required_text(command.reason, "the reason for reinstating"),
        )
    ]


def decide_reopen(
    programme: ProgrammeState,
    state: DeliverableState,
    command: ReopenDeliverable,
    context: Context,
) -> list[DeliverableEvent]:
    require_deliverable(state, command.deliverable_id)
    programme.require_open("reopening a deliverable")
    state.require_status("reopening", "signed_off")
    return [
        DeliverableReopened(
            deliverable_id=command.deliverable_id,
            programme_key=state.programme_key,
            reason=required_text(command.reason, "the reason for reopening"),
        )
    ]
