"""Events of a deliverable stream (``deliverable:<uuid>``).

Sign-off happens in rounds: each submission (or resubmission) opens a round, and endorsements
and approvals count only within their round. ``actor`` did it; ``on_behalf_of`` is set when the
actor was a deputy, and names whose endorsement or approval it counts as.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar
from uuid import UUID

from tracker.events.base import Event, event_type
from tracker.events.values import PersonRef


@event_type
class DeliverablePlanned(Event, frozen=True, kw_only=True):
    """``due_assumed``: the due date is a placeholder the source does not give (the BTLS
    paper's undated "Post Transition" rows); left out of the stored data when False."""

    omitted_when_default: ClassVar[frozenset[str]] = frozenset({"due_assumed"})

    deliverable_id: UUID
    programme_key: str
    title: str
    due_on: date
    approvers: tuple[PersonRef, ...]
    endorsers: tuple[PersonRef, ...] = ()
    outcome_number: int | None = None
    workstream: str | None = None
    due_assumed: bool = False


@event_type
class DeliverableReplanned(Event, frozen=True, kw_only=True):
    deliverable_id: UUID
    programme_key: str
    due_on: date
    previous_due_on: date
    reason: str


@event_type
class DeliverableSignatoriesChanged(Event, frozen=True, kw_only=True):
    deliverable_id: UUID
    programme_key: str
    approvers: tuple[PersonRef, ...]
    endorsers: tuple[PersonRef, ...]
    reason: str


@event_type
class DeliverableSubmitted(Event, frozen=True, kw_only=True):
    deliverable_id: UUID
    programme_key: str
    round: int
    note: str = ""


@event_type
class DeliverableResubmitted(Event, frozen=True, kw_only=True):
    deliverable_id: UUID
    programme_key: str
    round: int
    note: str = ""


@event_type
class DeliverableEndorsed(Event, frozen=True, kw_only=True):
    personal_fields: ClassVar[Mapping[str, str]] = {
        "actor": "actor",
        "on_behalf_of": "on_behalf_of",
    }
    deliverable_id: UUID
    programme_key: str
    round: int
    actor: str
    on_behalf_of: str | None = None


@event_type
class DeliverableApproved(Event, frozen=True, kw_only=True):
    personal_fields: ClassVar[Mapping[str, str]] = {
        "actor": "actor",
        "on_behalf_of": "on_behalf_of",
    }
    deliverable_id: UUID
    programme_key: str
    round: int
    actor: str
    on_behalf_of: str | None = None


@event_type
class DeliverableSignedOff(Event, frozen=True, kw_only=True):
    """Every approver of the round has approved, after every endorser endorsed."""

    personal_fields: ClassVar[Mapping[str, str]] = {"approvers": "approvers"}

    deliverable_id: UUID
    programme_key: str
    round: int
    approvers: tuple[str, ...]


@event_type
class DeliverableReturned(Event, frozen=True, kw_only=True):
    """Sent back with a comment: the round's endorsements and approvals no longer count."""

    personal_fields: ClassVar[Mapping[str, str]] = {
        "actor": "actor",
        "on_behalf_of": "on_behalf_of",
    }

    deliverable_id: UUID
    programme_key: str
    round: int
    comment: str
    actor: str
    on_behalf_of: str | None = None


@event_type
class DeliverableDeferred(Event, frozen=True, kw_only=True):
    """Carried elsewhere, e.g. destination "Post Transition" (handed to business as usual)."""

    deliverable_id: UUID
    programme_key: str
    reason: str
    destination: str


@event_type
class DeliverableReinstated(Event, frozen=True, kw_only=True):
    deliverable_id: UUID
    programme_key: str
    reason: str


@event_type
class DeliverableReopened(Event, frozen=True, kw_only=True):
    """Sign-off withdrawn: the deliverable is planned again and needs a new submission."""

    deliverable_id: UUID
    programme_key: str
    reason: str
