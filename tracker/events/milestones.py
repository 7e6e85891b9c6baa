"""Events of a milestone stream (``milestone:<uuid>``). The original baseline is never lost:
re-baselines are events of their own and carry the baseline they replace."""

from __future__ import annotations

from uuid import UUID

from tracker.events.base import Event, event_type
from tracker.events.values import DateValue


@event_type
class MilestoneBaselined(Event, frozen=True, kw_only=True):
    milestone_id: UUID
    programme_key: str
    title: str
    baseline: DateValue
    workstream: str | None = None


@event_type
class MilestoneReforecast(Event, frozen=True, kw_only=True):
    milestone_id: UUID
    programme_key: str
    forecast: DateValue
    previous_forecast: DateValue
    reason: str


@event_type
class MilestoneRebaselined(Event, frozen=True, kw_only=True):
    milestone_id: UUID
    programme_key: str
    baseline: DateValue
    previous_baseline: DateValue
    reason: str


@event_type
class MilestoneAchieved(Event, frozen=True, kw_only=True):
    milestone_id: UUID
    programme_key: str
    actual: DateValue
