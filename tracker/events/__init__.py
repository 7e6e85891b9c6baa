"""Event types and the store. Importing this package registers every event type."""

from tracker.events import (
    closure,
    colours,
    deliverables,
    gates,
    milestones,
    people,
    programmes,
    reminders,
    risks,
)
from tracker.events.base import Event, Metadata, NewEvent, StoredEvent, event_type, registry
from tracker.events.store import AppendResult, EventStore, ExpectedVersion, RawEvent, StreamState

__all__ = [
    "AppendResult",
    "Event",
    "EventStore",
    "ExpectedVersion",
    "Metadata",
    "NewEvent",
    "RawEvent",
    "StoredEvent",
    "StreamState",
    "closure",
    "colours",
    "deliverables",
    "event_type",
    "gates",
    "milestones",
    "people",
    "programmes",
    "registry",
    "reminders",
    "risks",
]
