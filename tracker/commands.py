"""Commands: imperative, frozen, keyword-only. Handlers turn them into events.

Every command may say who acts (``actor``, an e-mail), when it happened (``occurred_at``, for
paper records entered after the fact; default: now), and where it came from (``source``, kept
as event metadata, e.g. the seed document and row). Ids of new things may be given (the seed
uses deterministic ids); otherwise a random one is made.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec

from tracker.events.closure import ReportSection
from tracker.events.programmes import RaidKind
from tracker.events.values import DateValue, PersonRef

Scope = Literal["admin", "member", "reader"]
"""What a caller may do at most: everything, what their roster letters allow, or only read
(``tracker.permissions``); a token carries one (``tracker.auth.tokens``)."""


class Command(msgspec.Struct, frozen=True, kw_only=True):
    actor: str | None = None
    occurred_at: datetime | None = None
    source: dict[str, str] | None = None
    correlation_id: str | None = None
    idempotency_key: str | None = None
    """The caller's key for this command (the API scopes a client's Idempotency-Key to the
    caller): stored with the events, so a retry after a lost answer finds them instead of
    writing them again."""
    backdating_reason: str | None = None
    """Why ``occurred_at`` is more working days back than the rule allows without a reason
    (``tracker.backdating``); stored with the events."""
    acting_as: Scope = "admin"
    """The scope the actor acts with (``tracker.permissions``): the API sets its caller's token
    scope; the command line and the seed act as the database's operator (admin)."""
    expected_version: int | None = None
    """If-Match: the version of the stream the command acts on (the item's; the programme's for
    programme commands and creations) that the caller decided on. The handler refuses another
    (``StreamConflict``) after checking permission and before deciding, written or not."""


# The programme, its roster and deputies.


class RegisterProgramme(Command, frozen=True, kw_only=True):
    programme_key: str
    name: str
    starts_on: date
    planned_end_on: date
    purpose: str = ""
    scope: str = ""
    governance: str = ""


class DescribeProgramme(Command, frozen=True, kw_only=True):
    programme_key: str
    name: str
    purpose: str
    scope: str
    governance: str


class AddWorkstream(Command, frozen=True, kw_only=True):
    programme_key: str
    workstream: str
    title: str
    description: str = ""


class AssignRosterMember(Command, frozen=True, kw_only=True):
    programme_key: str
    email: str
    name: str
    role_title: str
    raci: str


class ChangeRosterMember(Command, frozen=True, kw_only=True):
    """Change a member's letter, role title or name; omitted fields stay as they are."""

    programme_key: str
    email: str
    raci: str | None = None
    role_title: str | None = None
    name: str | None = None


class RevokeRosterMember(Command, frozen=True, kw_only=True):
    programme_key: str
    email: str
    reason: str = ""


class AppointDeputy(Command, frozen=True, kw_only=True):
    programme_key: str
    deputy_email: str
    for_email: str
    starts_on: date
    ends_on: date
    deputy_name: str = ""
    delegation_id: UUID | None = None


class RevokeDeputy(Command, frozen=True, kw_only=True):
    programme_key: str
    delegation_id: UUID
    reason: str = ""


class DefineOutcome(Command, frozen=True, kw_only=True):
    programme_key: str
    number: int
    title: str


class RecordLearningPoint(Command, frozen=True, kw_only=True):
    programme_key: str
    description: str
    recommendation: str
    responsible: str
    number: int | None = None
    learning_point_id: UUID | None = None


class RecordCloseOutRecommendation(Command, frozen=True, kw_only=True):
    programme_key: str
    description: str
    responsible: str
    number: int | None = None
    recommendation_id: UUID | None = None


class RecordNextStep(Command, frozen=True, kw_only=True):
    programme_key: str
    description: str
    responsible: str
    number: int | None = None
    deliverable_id: UUID | None = None
    next_step_id: UUID | None = None


# Deliverables.


class PlanDeliverable(Command, frozen=True, kw_only=True):
    programme_key: str
    title: str
    due_on: date
    approvers: tuple[PersonRef, ...] = ()
    endorsers: tuple[PersonRef, ...] = ()
    outcome_number: int | None = None
    workstream: str | None = None
    deliverable_id: UUID | None = None
    due_assumed: bool = False
    """The due date is a placeholder the source does not give: not rated until re-planned."""


class ReplanDeliverable(Command, frozen=True, kw_only=True):
    deliverable_id: UUID
    due_on: date
    reason: str


class ChangeDeliverableSignatories(Command, frozen=True, kw_only=True):
    deliverable_id: UUID
    approvers: tuple[PersonRef, ...]
    endorsers: tuple[PersonRef, ...] = ()
    reason: str


class SubmitDeliverable(Command, frozen=True, kw_only=True):
    deliverable_id: UUID
    note: str = ""


class ResubmitDeliverable(Command, frozen=True, kw_only=True):
    deliverable_id: UUID
    note: str = ""


class EndorseDeliverable(Command, frozen=True, kw_only=True):
    deliverable_id: UUID
    on_behalf_of: str | None = None


class ApproveDeliverable(Command, frozen=True, kw_only=True):
    """The sign-off command: the last approval signs the deliverable off."""

    deliverable_id: UUID
    on_behalf_of: str | None = None


class ReturnDeliverable(Command, frozen=True, kw_only=True):
    deliverable_id: UUID
    comment: str
    on_behalf_of: str | None = None


class DeferDeliverable(Command, frozen=True, kw_only=True):
    deliverable_id: UUID
    reason: str
    destination: str


class ReinstateDeliverable(Command, frozen=True, kw_only=True):
    deliverable_id: UUID
    reason: str


class ReopenDeliverable(Command, frozen=True, kw_only=True):
    deliverable_id: UUID
    reason: str


# Milestones.


class BaselineMilestone(Command, frozen=True, kw_only=True):
    programme_key: str
    title: str
    baseline: DateValue
    workstream: str | None = None
    milestone_id: UUID | None = None


class ReforecastMilestone(Command, frozen=True, kw_only=True):
    milestone_id: UUID
    forecast: DateValue
    reason: str


class RebaselineMilestone(Command, frozen=True, kw_only=True):
    milestone_id: UUID
    baseline: DateValue
    reason: str


class AchieveMilestone(Command, frozen=True, kw_only=True):
    milestone_id: UUID
    actual: DateValue


# RAID items (risks, issues, assumptions, dependencies).


class RaiseRisk(Command, frozen=True, kw_only=True):
    """Raise a RAID item of any kind. Without ``ref`` the next free one is allocated (R3...)."""

    programme_key: str
    kind: RaidKind
    description: str
    owner: PersonRef
    ref: str | None = None
    impact: int | None = None
    likelihood: int | None = None
    mitigation: str = ""
    item_id: UUID | None = None


class RescoreRisk(Command, frozen=True, kw_only=True):
    item_id: UUID
    impact: int | None
    likelihood: int | None
    reason: str = ""


class LogRiskUpdate(Command, frozen=True, kw_only=True):
    item_id: UUID
    text: str


class ChangeRiskOwner(Command, frozen=True, kw_only=True):
    item_id: UUID
    owner: PersonRef


class CloseRisk(Command, frozen=True, kw_only=True):
    item_id: UUID
    note: str


# Phase gates.


class DefineGate(Command, frozen=True, kw_only=True):
    """A stage gate: it passes when every deliverable named is signed off (or deferred with a
    reason), every milestone named achieved, and every approver has approved it."""

    programme_key: str
    title: str
    order: int
    deliverables: tuple[UUID, ...] = ()
    milestones: tuple[UUID, ...] = ()
    approvers: tuple[PersonRef, ...] = ()
    gate_id: UUID | None = None


class ApproveGate(Command, frozen=True, kw_only=True):
    """Refused while any criterion is unmet; the last approval passes the gate."""

    gate_id: UUID
    on_behalf_of: str | None = None


# The closure report.


class SubmitClosureReport(Command, frozen=True, kw_only=True):
    """``presenters`` and ``sections``: the paper's own, when the report is a paper (who
    presented it, and its section numbers and titles); the report falls back to its own."""

    programme_key: str
    summary: str = ""
    presenters: tuple[str, ...] = ()
    sections: tuple[ReportSection, ...] = ()


class EndorseClosureReport(Command, frozen=True, kw_only=True):
    programme_key: str
    on_behalf_of: str | None = None


class ApproveClosureReport(Command, frozen=True, kw_only=True):
    programme_key: str
    on_behalf_of: str | None = None
    override_reason: str | None = None
    """Approve although endorsements are missing; the report shows the reason."""
