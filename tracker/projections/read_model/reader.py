"""Consistent reads: a programme as it stands now, or as it stood at an effective time and as
known at a recorded time.

**Now** (``glance``, then ``view``): one statement returns the programme's digest from the
rows, the projector's checkpoint, the committed head and the programme's events committed after
the checkpoint (``rows.read_current``). The rows are the fold of the log up to the checkpoint;
folding those events onto them gives the fold of everything committed when the statement ran,
which includes every write answered before the read was sent, whichever process wrote it.
Nothing waits for the projector. When the projector is more than ``window`` positions behind,
the tail is not read whole and the view is folded from the newest snapshot instead.

**Then** (``view_at``): the newest snapshot the question allows (one that holds nothing that
happened after ``as_of`` nor anything recorded after ``known_at``), then the events after it:
with the programme stream read up to ``known_at`` in the same statement (its listings name the
item streams that came later), then every item stream from the version the snapshot holds, with
both limits, in one query; folded in store position order onto the decoded snapshot. Without a
usable snapshot it is the same fold from the start, which is the reference every other path
must equal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.deliverables import deliverable_stream
from tracker.errors import NotFound
from tracker.events.base import StoredEvent
from tracker.events.postgres_store import PostgresEventStore
from tracker.events.programmes import (
    DeliverableListed,
    GateListed,
    MilestoneListed,
    RaidRefReserved,
)
from tracker.events.store import EventStore
from tracker.gates import gate_stream
from tracker.milestones import milestone_stream
from tracker.people.store import opened
from tracker.programmes import programme_stream
from tracker.projections.read_model import rows
from tracker.projections.read_model.digest import Digest, digest
from tracker.projections.read_model.fold import apply, belongs_to, fold
from tracker.projections.read_model.rows import LIVE, Tables
from tracker.projections.read_model.views import ProgrammeView
from tracker.risks import risk_stream

WINDOW: Final = 2000
"""Positions past the checkpoint a read folds itself; further behind, it starts from a
snapshot (the projector is catching up: a cold start or a rebuild)."""


class Glance(msgspec.Struct, kw_only=True):
    """One programme as the rows and the log beyond them show it, from one statement."""

    key: str
    stored: Digest | None
    """The digest in the rows (None: the projector has not folded the programme yet)."""
    position: int
    """The header's position in the rows (0: none)."""
    tail: list[StoredEvent]
    """The programme's events after the checkpoint."""
    checkpoint: int
    complete: bool
    """Whether ``tail`` holds every event committed after the checkpoint (else fold from a
    snapshot)."""

    @property
    def exists(self) -> bool:
        return self.stored is not None or bool(self.tail) or not self.complete

    @property
    def identity(self) -> tuple[int, ...]:
        """Equal for two glances exactly when they show the same events: the header's position
        and the positions of the events beyond it."""
        return (self.position, *(e.position for e in self.tail))

    @property
    def current(self) -> bool:
        """Whether the rows alone are the programme as it stands (nothing to fold)."""
        return self.complete and not self.tail


def _not_found(key: str, recorded: datetime | None = None) -> NotFound:
    when = f" as known at {recorded.isoformat()}" if recorded else ""
    return NotFound(f"programme {key!r} not found{when}", code="programme_not_found")


_LISTED = {
    DeliverableListed: ("deliverable_id", deliverable_stream),
    MilestoneListed: ("milestone_id", milestone_stream),
    RaidRefReserved: ("item_id", risk_stream),
    GateListed: ("gate_id", gate_stream),
}


class Reader:
    """Reads programmes from the read model's ``tables`` and the ``store``."""

    def __init__(
        self,
        store: EventStore,
        engine: AsyncEngine,
        *,
        tables: Tables = LIVE,
        window: int = WINDOW,
    ) -> None:
        self.store = store
        self.engine = engine
        self.tables = tables
        self.window = window
        underneath = getattr(store, "inner", store)  # under the sealing store, if any
        self._query = underneath.query if isinstance(underneath, PostgresEventStore) else None

    # Now.

    async def glance(self, key: str) -> Glance:
        found = await rows.read_current(
            self.engine, self.tables, self.window, key, query=self._query
        )
        found.tail[:] = await opened(self.store, found.tail)
        position, stored = found.digests.get(key, (0, None))
        return Glance(
            key=key,
            stored=stored,
            position=position,
            tail=found.tail,
            checkpoint=found.checkpoint,
            complete=found.complete,
        )

    async def glance_all(self) -> list[Glance]:
        """Every programme, in key order (those registered after the checkpoint included)."""
        found = await rows.read_current(self.engine, self.tables, self.window, query=self._query)
        found.tail[:] = await opened(self.store, found.tail)
        tails: dict[str, list[StoredEvent]] = {}
        for event in found.tail:
            owner = belongs_to(event)
            if owner is not None:
                tails.setdefault(owner, []).append(event)
        keys = sorted(set(found.digests) | set(tails))
        if not found.complete:
            keys = sorted(set(keys) | set(await self._keys_from_store()))
        return [
            Glance(
                key=key,
                stored=found.digests.get(key, (0, None))[1],
                position=found.digests.get(key, (0, None))[0],
                tail=tails.get(key, []),
                checkpoint=found.checkpoint,
                complete=found.complete,
            )
            for key in keys
        ]

    async def _keys_from_store(self) -> list[str]:
        """Programme keys from the log itself (only when the projector is far behind)."""
        keys: dict[str, None] = {}
        after = 0
        while page := await self.store.read_raw(after, 5000):
            for raw in page:
                if raw.type == "ProgrammeRegistered":
                    keys[raw.stream_id.partition(":")[2]] = None
            after = page[-1].position
        return list(keys)

    async def view(self, glance: Glance) -> ProgrammeView:
        """The whole programme as it stands, consistent with ``glance``."""
        (found,) = await self.views([glance])
        return found

    async def views(self, glances: list[Glance]) -> list[ProgrammeView]:
        """Whole views for ``glances`` (read together), in the same order."""
        found: dict[str, ProgrammeView] = {}
        incomplete = [g for g in glances if not g.complete]
        for g in incomplete:
            found[g.key] = await self.view_at(g.key)
        wanted = [g for g in glances if g.complete]
        for start in range(0, len(wanted), 50):
            chunk = wanted[start : start + 50]
            stored = await rows.read_views(self.engine, self.tables, [g.key for g in chunk])
            for g in chunk:
                if stored.checkpoint < g.checkpoint:
                    # The checkpoint went back (a rebuild swapped in an older one): the
                    # glance's tail does not reach down to these rows. Fold from a snapshot.
                    found[g.key] = await self.view_at(g.key)
                    continue
                view = stored.views.get(g.key)
                if view is None:
                    if not g.tail:
                        raise _not_found(g.key)
                    view = ProgrammeView(key=g.key)
                for event in g.tail:
                    if event.position > stored.checkpoint:
                        apply(view, event)
                found[g.key] = view
        return [found[g.key] for g in glances]

    async def digest(self, glance: Glance) -> Digest:
        """The programme's digest as it stands: from the rows when nothing is beyond them."""
        if glance.current and glance.stored is not None:
            return glance.stored
        if not glance.exists:
            raise _not_found(glance.key)
        return digest(await self.view(glance))

    # Then.

    async def view_at(
        self, key: str, as_of: datetime | None = None, known_at: datetime | None = None
    ) -> ProgrammeView:
        """The programme as of ``as_of`` (effective) and as known at ``known_at`` (recorded):
        both timezone-aware instants, or None for no limit. NotFound when nothing of the
        programme was recorded by ``known_at``."""
        since = await rows.read_since_snapshot(
            self.engine, self.tables, key, as_of=as_of, known_at=known_at, query=self._query
        )
        base = since.view if since.view is not None else ProgrammeView(key=key)
        return await fold_tail(self.store, base, since.index, as_of=as_of, known_at=known_at)


async def fold_tail(
    store: EventStore,
    base: ProgrammeView,
    index: list[StoredEvent],
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> ProgrammeView:
    """Fold onto ``base`` (changed in place) every event of its programme after what it holds,
    within ``as_of`` and ``known_at``; ``index``: the programme stream's events after the
    version ``base`` holds, as known at ``known_at``. ``base`` may be empty: then this is the
    full fold."""
    key = base.key
    if not index and base.events == 0:
        raise _not_found(key, known_at)
    index = await opened(store, index)  # read from the events table directly
    streams: dict[str, int] = {name: 0 for name in base.unopened}
    for deliverable in base.deliverables.values():
        streams[deliverable_stream(UUID(deliverable.id))] = deliverable.version
    for milestone in base.milestones.values():
        streams[milestone_stream(UUID(milestone.id))] = milestone.version
    for raid in base.raid.values():
        streams[risk_stream(UUID(raid.id))] = raid.version
    for gate in base.gates.values():
        streams[gate_stream(UUID(gate.id))] = gate.version
    for stored in index:
        listed = _LISTED.get(type(stored.data))
        if listed is not None:
            field, name = listed
            streams.setdefault(name(getattr(stored.data, field)), 0)
    programme_events = [e for e in index if as_of is None or e.occurred_at <= as_of]
    item_events = await store.read_streams(
        list(streams), as_of=as_of, known_at=known_at, after=list(streams.values())
    )
    merged = sorted([*programme_events, *item_events], key=lambda e: e.position)
    for event in merged:
        apply(base, event)
    return base


async def fold_from_store(
    store: EventStore,
    key: str,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> ProgrammeView:
    """The reference answer: the programme folded from its first event (no read model)."""
    index = await store.read_streams([programme_stream(key)], known_at=known_at)
    return await fold_tail(store, fold(key, []), index, as_of=as_of, known_at=known_at)
