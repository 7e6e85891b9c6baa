"""Events of the programme stream (``programme:<key>``): the programme, its roster, deputies,
workstreams, outcomes, closing notes, and the index of the items planned under it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from tracker.events.base import Event, event_type

RaciLetter = Literal["R", "A", "C", "I"]
RaidKind = Literal["risk", "issue", "assumption", "dependency"]


@event_type
class ProgrammeRegistered(Event, frozen=True, kw_only=True):
    programme_key: str
    name: str
    starts_on: date
    planned_end_on: date
    registered_on: date
    """The effective date of registration: set-up may be dated from here if before the start."""
    purpose: str = ""
    scope: str = ""
    governance: str = ""


@event_type
class ProgrammeDescribed(Event, frozen=True, kw_only=True):
    programme_key: str
    name: str
    purpose: str
    scope: str
    governance: str


@event_type
class WorkstreamAdded(Event, frozen=True, kw_only=True):
    """``description``: what the workstream does, in the source's words ("Work Package Two:
    Creation of an Electronic Social Care Record ..."); left out of the stored data when empty,
    so events stored before it existed keep their bytes."""

    omitted_when_default: ClassVar[frozenset[str]] = frozenset({"description"})

    programme_key: str
    workstream: str
    title: str
    description: str = ""


@event_type
class RosterMemberAssigned(Event, frozen=True, kw_only=True):
    personal_fields: ClassVar[Mapping[str, str]] = {"email": "email", "name": "email"}
    programme_key: str
    email: str
    name: str
    role_title: str
    raci: RaciLetter


@event_type
class RosterMemberChanged(Event, frozen=True, kw_only=True):
    personal_fields: ClassVar[Mapping[str, str]] = {"email": "email", "name": "email"}
    programme_key: str
    email: str
    name: str
    role_title: str
    raci: RaciLetter
    previous_raci: RaciLetter


@event_type
class RosterMemberRevoked(Event, frozen=True, kw_only=True):
    personal_fields: ClassVar[Mapping[str, str]] = {"email": "email"}
    programme_key: str
    email: str
    reason: str = ""


@event_type
class DeputyAppointed(Event, frozen=True, kw_only=True):
    """``deputy`` may act for ``principal`` on this programme from ``starts_on`` to ``ends_on``
    inclusive."""

    personal_fields: ClassVar[Mapping[str, str]] = {
        "deputy": "deputy",
        "principal": "principal",
        "deputy_name": "deputy",
    }

    programme_key: str
    delegation_id: UUID
    deputy: str
    principal: str
    starts_on: date
    ends_on: date
    deputy_name: str = ""


@event_type
class DeputyRevoked(Event, frozen=True, kw_only=True):
    """The delegation no longer covers ``revoked_on`` or any later day."""

    programme_key: str
    delegation_id: UUID
    revoked_on: date
    reason: str = ""


@event_type
class OutcomeDefined(Event, frozen=True, kw_only=True):
    programme_key: str
    number: int
    title: str


@event_type
class LearningPointRecorded(Event, frozen=True, kw_only=True):
    programme_key: str
    learning_point_id: UUID
    number: int
    description: str
    recommendation: str
    responsible: str


@event_type
class CloseOutRecommendationRecorded(Event, frozen=True, kw_only=True):
    programme_key: str
    recommendation_id: UUID
    number: int
    description: str
    responsible: str


@event_type
class NextStepRecorded(Event, frozen=True, kw_only=True):
    programme_key: str
    next_step_id: UUID
    number: int
    description: str
    responsible: str
    deliverable_id: UUID | None = None
    """Set when the step carries a deferred deliverable forward."""


@event_type
class DeliverableListed(Event, frozen=True, kw_only=True):
    """Index entry: a deliverable stream belongs to this programme."""

    programme_key: str
    deliverable_id: UUID


@event_type
class MilestoneListed(Event, frozen=True, kw_only=True):
    """Index entry: a milestone stream belongs to this programme."""

    programme_key: str
    milestone_id: UUID


@event_type
class RaidRefReserved(Event, frozen=True, kw_only=True):
    """Index entry: ``ref`` is taken within the programme by the RAID item ``item_id``."""

    programme_key: str
    ref: str
    item_id: UUID
    kind: RaidKind


@event_type
class GateListed(Event, frozen=True, kw_only=True):
    """Index entry: a phase gate stream belongs to this programme."""

    programme_key: str
    gate_id: UUID
