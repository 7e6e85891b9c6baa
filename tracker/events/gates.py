"""Events of a phase gate stream (``gate:<uuid>``): a stage of the programme that passes when
the deliverables and milestones it depends on are done and every named approver has approved
it (``tracker.gates``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar
from uuid import UUID

from tracker.events.base import Event, event_type
from tracker.events.values import PersonRef


@event_type
class GateDefined(Event, frozen=True, kw_only=True):
    gate_id: UUID
    programme_key: str
    title: str
    order: int
    """Where the gate stands among the programme's gates (1 first); two may share a place."""
    deliverables: tuple[UUID, ...]
    milestones: tuple[UUID, ...]
    approvers: tuple[PersonRef, ...]


@event_type
class GateApproved(Event, frozen=True, kw_only=True):
    """``actor`` approved; ``on_behalf_of`` names the approver when the actor was a deputy."""

    personal_fields: ClassVar[Mapping[str, str]] = {
        "actor": "actor",
        "on_behalf_of": "on_behalf_of",
    }

    gate_id: UUID
    programme_key: str
    actor: str
    on_behalf_of: str | None = None


@event_type
class GatePassed(Event, frozen=True, kw_only=True):
    """Recorded with the last approval: every criterion met, every approver approved."""

    gate_id: UUID
    programme_key: str
