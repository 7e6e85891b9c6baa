"""Sign-off status: who has endorsed or approved each deliverable and the closure report, and who
is still missing; pure. A person's inbox across programmes is ``inbox.py``.

Rules (DOMAIN.md "Sign-off rules"):

* A deliverable's endorsers and approvers are those its plan names; the closure report's are
  every R and C of the roster (endorse) and the A (approve), fixed at submission.
* An endorsement or approval counts for the person it was given for (``on_behalf_of`` when a
  deputy acted, else the actor), within the current round. A return voids the round: its
  signatures stay listed until the resubmission clears them, but everyone is missing again.
* "Missing" lists who has not yet endorsed or approved, for items not signed off or deferred.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

import msgspec

from tracker.calendar import WorkingCalendar
from tracker.events.values import PersonRef
from tracker.projections.read_model.views import (
    ClosureView,
    Delegation,
    DeliverableView,
    ProgrammeView,
    Signature,
)
from tracker.projections.reports.sealing import seal, source_of
from tracker.rag import RagThresholds, deliverable_rag

CLOSURE_STATES: dict[str, str] = {
    "not_submitted": "planned",
    "submitted": "submitted",
    "approved": "signed_off",
}
"""The closure report's own states mapped onto the sign-off item states."""


class PersonLine(msgspec.Struct, kw_only=True):
    email: str
    name: str


class SignatureLine(msgspec.Struct, kw_only=True):
    """An endorsement or approval given. ``shown`` is "Glyn Peach on behalf of Mike Kirby" when
    a deputy acted, else the person's name."""

    person: str
    name: str
    actor: str
    actor_name: str
    on_behalf_of: str | None
    on_behalf_of_name: str | None
    on: date
    recorded_at: datetime
    shown: str


class SignOffItem(msgspec.Struct, kw_only=True):
    """One deliverable, or the closure report (``kind`` "closure_report", ``id`` "closure")."""

    id: str
    kind: str
    title: str
    state: str
    """planned, submitted, returned, signed_off or deferred."""
    round: int
    submitted_on: date | None
    signed_off_on: date | None
    endorsers: list[PersonLine]
    approvers: list[PersonLine]
    endorsements: list[SignatureLine]
    approvals: list[SignatureLine]
    endorsements_missing: list[PersonLine]
    approvals_missing: list[PersonLine]
    missing_names: list[str]
    outcome_number: int | None = None
    due_on: date | None = None
    due_assumed: bool = False
    """The due date is a placeholder the source does not give: shown "(assumed)", not rated."""
    returned_comment: str | None = None
    deferred_destination: str | None = None
    deferred_reason: str | None = None
    override_reason: str | None = None
    endorsements_missing_at_approval: list[str] = []
    rag: str | None = None
    rag_reasons: list[str] = []
    source: dict[str, str] = {}


class SignOffStatus(msgspec.Struct, kw_only=True):
    key: str
    name: str
    today: date
    deliverables: list[SignOffItem]
    closure: SignOffItem
    position: int
    as_of: datetime | None = None
    known_at: datetime | None = None
    content_hash: str = ""


class ProgrammePosition(msgspec.Struct, kw_only=True):
    key: str
    position: int


def _name(view: ProgrammeView, email: str) -> str:
    return view.people.get(email, email)


def signature_line(
    view: ProgrammeView, signature: Signature, spelled: Mapping[str, str] | None = None
) -> SignatureLine:
    """``spelled``: names by lower-cased e-mail as the item spells them (``item_spelling``);
    a signatory the item names is shown so, as the paper prints them row by row."""
    behalf = signature.on_behalf_of
    behalf_name = _name(view, behalf) if behalf else None
    name = (spelled or {}).get(signature.person.lower(), signature.name)
    shown = f"{signature.actor_name} on behalf of {behalf_name}" if behalf else name
    return SignatureLine(
        person=signature.person,
        name=name,
        actor=signature.actor,
        actor_name=signature.actor_name,
        on_behalf_of=behalf,
        on_behalf_of_name=behalf_name,
        on=signature.on,
        recorded_at=signature.recorded_at,
        shown=shown,
    )


def item_spelling(item: DeliverableView) -> dict[str, str]:
    """The names a deliverable's plan gives its endorsers and approvers, by lower-cased e-mail:
    one person may be spelt differently on different rows of a paper ("Rachel Tanner" on line
    469 of 003, "Rachael Tanner" on its roster), and each row keeps its own spelling."""
    return {p.email.lower(): p.name for p in (*item.endorsers, *item.approvers) if p.name}


def _people(view: ProgrammeView, refs: Iterable[PersonRef]) -> list[PersonLine]:
    return [PersonLine(email=ref.email, name=ref.name or _name(view, ref.email)) for ref in refs]


def _missing(wanted: list[PersonLine], given: Iterable[Signature]) -> list[PersonLine]:
    done = {signature.person.lower() for signature in given}
    return [person for person in wanted if person.email.lower() not in done]


def deliverable_item(
    view: ProgrammeView,
    item: DeliverableView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
) -> SignOffItem:
    endorsers, approvers = _people(view, item.endorsers), _people(view, item.approvers)
    spelled = item_spelling(item)
    settled = item.state in ("signed_off", "deferred")
    # A return voids the round: its signatures stay listed but no longer count.
    counted = item.state != "returned"
    endorse_gap = [] if settled else _missing(endorsers, item.endorsements if counted else [])
    approve_gap = [] if settled else _missing(approvers, item.approvals if counted else [])
    rag = deliverable_rag(
        item.title,
        item.state,
        item.due_on,
        today,
        calendar,
        thresholds,
        due_assumed=item.due_assumed,
    )
    return SignOffItem(
        id=item.id,
        kind="deliverable",
        title=item.title,
        state=item.state,
        round=item.round,
        submitted_on=item.submitted_on,
        signed_off_on=item.signed_off_on,
        endorsers=endorsers,
        approvers=approvers,
        endorsements=[signature_line(view, s, spelled) for s in item.endorsements],
        approvals=[signature_line(view, s, spelled) for s in item.approvals],
        endorsements_missing=endorse_gap,
        approvals_missing=approve_gap,
        missing_names=[person.name for person in (*endorse_gap, *approve_gap)],
        outcome_number=item.outcome_number,
        due_on=item.due_on,
        due_assumed=item.due_assumed,
        returned_comment=item.returned_comment,
        deferred_destination=item.deferred_destination,
        deferred_reason=item.deferred_reason,
        rag=rag.rag.value,
        rag_reasons=list(rag.reasons),
        source=source_of(item.provenance),
    )


def closure_signatories(view: ProgrammeView) -> tuple[list[PersonRef], list[PersonRef]]:
    """(endorsers, approvers) of the closure report: as fixed at submission, or before it from
    the roster (every R and C endorses, the A approves)."""
    closure = view.closure
    if closure.state != "not_submitted":
        return list(closure.endorsers), [closure.approver] if closure.approver else []
    roster = list(view.roster.values())
    endorsers = [PersonRef(email=m.email, name=m.name) for m in roster if m.raci in ("R", "C")]
    approvers = [PersonRef(email=m.email, name=m.name) for m in roster if m.raci == "A"]
    return endorsers, approvers


def closure_item(view: ProgrammeView) -> SignOffItem:
    closure: ClosureView = view.closure
    endorser_refs, approver_refs = closure_signatories(view)
    endorsers, approvers = _people(view, endorser_refs), _people(view, approver_refs)
    approvals = [closure.approval] if closure.approval else []
    approved = closure.state == "approved"
    endorse_gap = _missing(endorsers, closure.endorsements)
    approve_gap = [] if approved else _missing(approvers, approvals)
    return SignOffItem(
        id="closure",
        kind="closure_report",
        title=f"Programme Closure Report: {view.name}",
        state=CLOSURE_STATES.get(closure.state, closure.state),
        round=closure.revision,
        submitted_on=closure.submitted_on,
        signed_off_on=closure.approval.on if closure.approval else None,
        endorsers=endorsers,
        approvers=approvers,
        endorsements=[signature_line(view, s) for s in closure.endorsements],
        approvals=[signature_line(view, s) for s in approvals],
        endorsements_missing=endorse_gap,
        approvals_missing=approve_gap,
        missing_names=[person.name for person in (*endorse_gap, *approve_gap)],
        override_reason=closure.override_reason,
        endorsements_missing_at_approval=[
            _name(view, email) for email in closure.endorsements_missing_at_approval
        ],
    )


def signoff_status(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> SignOffStatus:
    """Every deliverable in planning order, and the closure report."""
    return seal(
        SignOffStatus(
            key=view.key,
            name=view.name,
            today=today,
            deliverables=[
                deliverable_item(view, item, today, calendar, thresholds)
                for item in view.deliverables.values()
            ],
            closure=closure_item(view),
            position=view.position,
            as_of=as_of,
            known_at=known_at,
        )
    )


def covers(delegation: Delegation, on: date) -> bool:
    """A delegation covers ``on`` from its start to its end inclusive, unless revoked by then."""
    if delegation.revoked_on is not None and on >= delegation.revoked_on:
        return False
    return delegation.starts_on <= on <= delegation.ends_on


__all__ = [
    "CLOSURE_STATES",
    "PersonLine",
    "ProgrammePosition",
    "SignOffItem",
    "SignOffStatus",
    "SignatureLine",
    "closure_item",
    "closure_signatories",
    "covers",
    "deliverable_item",
    "item_spelling",
    "signature_line",
    "signoff_status",
]
