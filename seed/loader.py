"""``load_seed``: every seed programme, through the same handlers a user's commands go to.

Idempotent: each step checks the folded state first, so a second run issues no command and
appends nothing (``SeedReport.events == 0``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec

import tracker.events  # noqa: F401  (registers every event type)
from seed import (
    asset_management,
    btls_transition,
    documentum,
    lancaster_shared_services,
    liquidlogic,
    partnership_2015,
    service_improvement_plans,
)
from seed.seeder import ProgrammeSeedReport
from tracker.clock import Clock
from tracker.events.store import EventStore
from tracker.handlers import Handlers

Loader = Callable[[Handlers], Awaitable[ProgrammeSeedReport]]

LOADERS: tuple[Loader, ...] = (
    lancaster_shared_services.load,
    service_improvement_plans.load,
    liquidlogic.load,
    documentum.load,
    asset_management.load,
    partnership_2015.load_liquidlogic,
    partnership_2015.load_asset_management,
    btls_transition.load,
)
"""In the order of the papers' dates: 002 (January 2012), 000 (July 2012: its plans, and the
Liquidlogic and Documentum programmes it first names), 004 (March 2014: three programmes), 001
(2015: additions to two of them) and 003 (2021). A programme loaded in several steps is
reported once, with what it holds after the last and the commands and events of all."""


class SeedReport(msgspec.Struct, frozen=True, kw_only=True):
    programmes: tuple[ProgrammeSeedReport, ...]

    @property
    def events(self) -> int:
        """Events appended by this run: 0 when the seed was already loaded."""
        return sum(p.events for p in self.programmes)

    @property
    def commands(self) -> int:
        """Commands issued by this run: 0 when the seed was already loaded."""
        return sum(p.commands for p in self.programmes)


async def _events_after(store: EventStore, position: int) -> int:
    count = 0
    while page := await store.read_all(after=position, limit=500):
        count += len(page)
        position = page[-1].position
    return count


async def load_seed(store: EventStore, clock: Clock) -> SeedReport:
    handlers = Handlers(store, clock)
    programmes: dict[str, ProgrammeSeedReport] = {}
    for load in LOADERS:
        before = await store.head_position()
        report = await load(handlers)
        events = await _events_after(store, before)
        earlier = programmes.get(report.key)
        programmes[report.key] = msgspec.structs.replace(
            report,
            commands=report.commands + (earlier.commands if earlier else 0),
            events=events + (earlier.events if earlier else 0),
        )
    return SeedReport(programmes=tuple(programmes.values()))
