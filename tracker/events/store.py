"""The event store contract, shared by the SQLite and PostgreSQL stores.

- ``append`` is all-or-nothing, checks the expected version, and is idempotent by event id and by
  idempotency key: a retry returns the stored result and writes nothing.
- ``append_streams`` does the same for several streams at once: every stream's events are
  stored, or none are.
- Versions are 1..n per stream with no gaps; positions increase in commit order, so a reader
  that remembers "I have read up to position p" never skips an event committed later.
- Every event is hash-chained to the previous event of its stream.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Protocol

import msgspec

from tracker.errors import PreconditionFailed
from tracker.events.base import NewEvent, StoredEvent


class StreamState(enum.Enum):
    ANY = "any"
    """Append whatever the stream's version (never use this on a workflow path)."""
    NO_STREAM = "no_stream"
    """The stream must not exist yet (the same as expecting version 0)."""
    EXISTS = "exists"
    """The stream must have at least one event."""


ExpectedVersion = int | StreamState
"""An exact version (0 meaning "no stream yet") or one of the ``StreamState`` values."""


class AppendResult(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: str
    first_version: int
    last_version: int
    first_position: int
    last_position: int
    events: list[StoredEvent]
    duplicate: bool = False
    """True when the events were already stored: nothing was written."""


class StreamAppend(msgspec.Struct, frozen=True, kw_only=True):
    """One stream's part of an ``append_streams`` call."""

    stream_id: str
    events: Sequence[NewEvent]
    expected_version: ExpectedVersion


class Precondition(msgspec.Struct, frozen=True, kw_only=True):
    """What must still hold for an append to go ahead: ``sql`` (no parameters; one row of one
    integer, NULL read as 0) reads ``expected``, else the append stores nothing and raises
    ``PreconditionFailed``. SQLite reads it inside the append's own transaction, under the
    write lock, so no other writer can change it before the append commits; PostgreSQL reads
    it on the append's connection just before its one-statement append. Used by
    ``tracker.people.store`` so that nothing is sealed with a key erased meanwhile."""

    sql: str
    expected: int

    def check(self, found: int | None) -> None:
        value = int(found or 0)
        if value != self.expected:
            raise PreconditionFailed(self.expected, value)


class RawEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A stored event exactly as held, for export, import and verification.

    Field order is the export line's key order: changing it changes every export.
    """

    position: int
    event_id: str
    stream_id: str
    version: int
    type: str
    schema_version: int
    occurred_at: str
    recorded_at: str
    data: msgspec.Raw
    metadata: msgspec.Raw
    hash: str
    idempotency_key: str | None = None
    """Set on the first event of an append made with an idempotency key."""


class EventStore(Protocol):
    """What every store does. ``known_at`` limits reads to events recorded by then."""

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: ExpectedVersion,
        *,
        idempotency_key: str | None = None,
        precondition: Precondition | None = None,
    ) -> AppendResult: ...

    async def append_streams(
        self,
        appends: Sequence[StreamAppend],
        *,
        idempotency_key: str | None = None,
        precondition: Precondition | None = None,
    ) -> list[AppendResult]:
        """Several streams in one transaction, each with its expected version; results in the
        order given. The idempotency key is stored on the first event of the first stream."""
        ...

    async def appended_with_key(self, idempotency_key: str) -> list[StoredEvent]:
        """The events of the append made with this idempotency key (empty: none was)."""
        ...

    async def stream_version(self, stream_id: str) -> int: ...

    async def read_stream(
        self,
        stream_id: str,
        *,
        to_version: int | None = None,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> list[StoredEvent]: ...

    async def read_streams(
        self,
        stream_ids: Sequence[str],
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        after: Sequence[int] | None = None,
    ) -> list[StoredEvent]:
        """Every event of these streams, in position order (one query, one snapshot).
        ``after``: for each stream (same order), the version already held: only later
        versions are read (the tail after a snapshot)."""
        ...

    async def read_all(
        self, after: int = 0, limit: int = 500, *, known_at: datetime | None = None
    ) -> list[StoredEvent]: ...

    async def read_raw(self, after: int = 0, limit: int = 500) -> list[RawEvent]: ...

    async def head_position(self) -> int:
        """The highest position a reader may safely treat as complete."""
        ...

    async def import_raw(self, events: Iterable[RawEvent], *, batch_size: int = 2000) -> int:
        """Insert exported events as they are, in one transaction (all or nothing)."""
        ...

    def follow(
        self, after: int = 0, *, page_size: int = 500, idle_timeout: float | None = None
    ) -> AsyncIterator[StoredEvent]: ...

    async def wait_for_new_events(self, timeout: float) -> None:
        """Return when new events may be available, or after ``timeout`` seconds."""
        ...

    async def close(self) -> None: ...
