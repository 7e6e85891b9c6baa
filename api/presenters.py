"""Response Structs made from programme views and stored events (no rules: shapes only)."""

from __future__ import annotations

import msgspec

from api.schemas import (
    DelegationOut,
    EventOut,
    OutcomeOut,
    ProgrammeDetail,
    ProgrammeSummary,
    RosterOut,
    WorkstreamOut,
)
from api.when import When
from tracker.events.base import StoredEvent
from tracker.projections.read_model.digest import Digest
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.question import effective_until, recorded_until


def programme_summary(d: Digest) -> ProgrammeSummary:
    return ProgrammeSummary(
        id=d.key,
        key=d.key,
        name=d.name,
        lifecycle=d.lifecycle,
        starts_on=d.starts_on,
        planned_end_on=d.planned_end_on,
        closed_on=d.closed_on,
        position=d.position,
    )


def programme_detail(view: ProgrammeView, when: When) -> ProgrammeDetail:
    return ProgrammeDetail(
        id=view.key,
        key=view.key,
        name=view.name,
        purpose=view.purpose,
        scope=view.scope,
        governance=view.governance,
        lifecycle=view.lifecycle,
        starts_on=view.starts_on,
        planned_end_on=view.planned_end_on,
        closed_on=view.closed_on,
        workstreams=[
            WorkstreamOut(
                id=key,
                key=key,
                title=title,
                description=view.workstream_descriptions.get(key, ""),
            )
            for key, title in view.workstreams.items()
        ],
        outcomes=[
            OutcomeOut(id=f"outcome:{number}", number=number, title=title)
            for number, title in sorted(view.outcomes.items())
        ],
        roster=[
            RosterOut(
                id=f"roster:{entry.email}",
                email=entry.email,
                name=entry.name,
                role_title=entry.role_title,
                raci=entry.raci,
            )
            for entry in view.roster.values()
        ],
        delegations=[
            DelegationOut(
                id=d.id,
                deputy=d.deputy,
                deputy_name=d.deputy_name,
                principal=d.principal,
                starts_on=d.starts_on,
                ends_on=d.ends_on,
                revoked_on=d.revoked_on,
            )
            for d in view.delegations.values()
        ],
        deliverables=len(view.deliverables),
        milestones=len(view.milestones),
        raid_items=len(view.raid),
        version=view.version,
        position=view.position,
        as_of=effective_until(when.as_of),
        known_at=recorded_until(when.known_at),
    )


def _builtins(value: object) -> dict[str, object]:
    found = msgspec.to_builtins(value)
    return found if isinstance(found, dict) else {"value": found}


def event_out(stored: StoredEvent) -> EventOut:
    return EventOut(
        position=stored.position,
        id=str(stored.event_id),
        stream_id=stored.stream_id,
        version=stored.version,
        type=stored.type,
        schema_version=stored.schema_version,
        occurred_at=stored.occurred_at,
        recorded_at=stored.recorded_at,
        data=_builtins(stored.data),
        metadata=_builtins(stored.metadata),
    )
