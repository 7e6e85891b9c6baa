"""Reading the seeded store back the way the domain does: fold each stream with the domain's own
``evolve``, optionally "as of" an effective time."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from tracker.closure import ClosureState
from tracker.closure import evolve as evolve_closure
from tracker.context import LONDON, local_date
from tracker.deliverables import DELIVERABLE_EVENT_TYPES, DeliverableState, deliverable_stream
from tracker.deliverables import evolve as evolve_deliverable
from tracker.events.base import StoredEvent
from tracker.events.store import EventStore
from tracker.milestones import MILESTONE_EVENT_TYPES, MilestoneState, milestone_stream
from tracker.milestones import evolve as evolve_milestone
from tracker.programmes import PROGRAMME_EVENT_TYPES, ProgrammeState, programme_stream
from tracker.programmes import evolve as evolve_programme


def end_of(day: date) -> datetime:
    """The last minute of a day in England: "as of" that day."""
    return datetime(day.year, day.month, day.day, 23, 59, tzinfo=LONDON)


async def programme_events(
    store: EventStore, key: str, *, as_of: datetime | None = None
) -> list[StoredEvent]:
    return await store.read_stream(programme_stream(key), as_of=as_of)


async def programme(
    store: EventStore, key: str, *, as_of: datetime | None = None
) -> ProgrammeState:
    state = ProgrammeState()
    for stored in await programme_events(store, key, as_of=as_of):
        assert isinstance(stored.data, PROGRAMME_EVENT_TYPES)
        state = evolve_programme(state, stored.data)
    return state


async def closure(store: EventStore, key: str) -> ClosureState:
    state = ClosureState()
    for stored in await programme_events(store, key):
        assert isinstance(stored.data, PROGRAMME_EVENT_TYPES)
        state = evolve_closure(state, stored.data)
    return state


async def deliverable(
    store: EventStore, deliverable_id: UUID, *, as_of: datetime | None = None
) -> tuple[DeliverableState, list[StoredEvent]]:
    events = await store.read_stream(deliverable_stream(deliverable_id), as_of=as_of)
    state = DeliverableState()
    for stored in events:
        assert isinstance(stored.data, DELIVERABLE_EVENT_TYPES)
        state = evolve_deliverable(state, stored.data)
    return state, events


async def milestone(
    store: EventStore, milestone_id: UUID, *, as_of: datetime | None = None
) -> MilestoneState:
    state = MilestoneState()
    for stored in await store.read_stream(milestone_stream(milestone_id), as_of=as_of):
        assert isinstance(stored.data, MILESTONE_EVENT_TYPES)
        state = evolve_milestone(state, stored.data)
    return state


def day_of(stored: StoredEvent) -> date:
    """The effective day of an event, in England."""
    return local_date(stored.occurred_at)


async def every_event(store: EventStore) -> list[StoredEvent]:
    events: list[StoredEvent] = []
    while page := await store.read_all(after=events[-1].position if events else 0, limit=500):
        events.extend(page)
    return events
