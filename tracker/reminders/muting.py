"""Muting a person's reminders on one programme.

Mutes live in ``reminder_mutes:<programme key>``: ``RemindersMuted`` and ``RemindersUnmuted``,
folded in order. A muted person gets nothing about that programme (no kind at all) and keeps
getting reminders about the others; their deputy is not muted with them. Muting someone muted
(or unmuting someone who is not) writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from tracker.errors import NotFound
from tracker.events.base import Metadata, NewEvent, StoredEvent
from tracker.events.reminders import RemindersMuted, RemindersUnmuted
from tracker.events.store import EventStore
from tracker.ids import person_id, programme_key
from tracker.programmes import programme_stream
from tracker.reminders.selection import Mutes


def mutes_stream(key: str) -> str:
    return f"reminder_mutes:{key}"


def muted_people(events: Iterable[StoredEvent]) -> frozenset[str]:
    muted: set[str] = set()
    for stored in events:
        match stored.data:
            case RemindersMuted(person=person):
                muted.add(person)
            case RemindersUnmuted(person=person):
                muted.discard(person)
            case _:
                pass
    return frozenset(muted)


async def load_mutes(store: EventStore, keys: Sequence[str]) -> Mutes:
    """Who is muted on each of ``keys``, read in one query."""
    streams = {mutes_stream(key): key for key in keys}
    events: dict[str, list[StoredEvent]] = {key: [] for key in keys}
    for stored in await store.read_streams(list(streams)):
        events[streams[stored.stream_id]].append(stored)
    return {key: muted_people(found) for key, found in events.items()}


async def set_muted(
    store: EventStore,
    key: str,
    email: str,
    *,
    muted: bool,
    at: datetime,
    actor: str | None = None,
    reason: str = "",
) -> bool:
    """Mute or unmute ``email`` on programme ``key``; False when it already was so."""
    key, person = programme_key(key), person_id(email)
    if await store.stream_version(programme_stream(key)) == 0:
        raise NotFound(f"programme {key!r} not found", code="programme_not_found")
    stream = mutes_stream(key)
    events = await store.read_stream(stream)
    if (person in muted_people(events)) == muted:
        return False
    cls = RemindersMuted if muted else RemindersUnmuted
    version = events[-1].version if events else 0
    new = NewEvent(
        data=cls(programme_key=key, person=person, reason=reason.strip()),
        occurred_at=at,
        metadata=Metadata(actor=person_id(actor) if actor else None),
    )
    await store.append(stream, [new], version)
    return True


__all__ = ["load_mutes", "muted_people", "mutes_stream", "set_muted"]
