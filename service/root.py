"""What every subcommand is given: the settings, read once, and the one clock of the process;
the store and the engine are opened from them here and nowhere else in the command line."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.clock import Clock, SystemClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.events.store import EventStore
from tracker.settings import Settings


@dataclass(frozen=True)
class Root:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    def store(self) -> EventStore:
        return open_store(self.settings, clock=self.clock)

    def engine(self) -> AsyncEngine:
        return create_engine(self.settings)
