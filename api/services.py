"""What requests share: made once in the app's lifespan, kept in ``app.state.services``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth import TokenCache
from api.idempotency import Idempotency
from api.ratelimit import RateLimiter
from api.reads import Reads
from api.settings import ApiSettings
from api.stream_cache import StreamCache
from tracker.calendar import WorkingCalendar
from tracker.clock import Clock
from tracker.events.store import EventStore
from tracker.settings import Settings


@dataclass
class Services:
    settings: Settings
    api: ApiSettings
    store: EventStore
    engine: AsyncEngine
    clock: Clock
    calendar: WorkingCalendar
    tokens: TokenCache
    limiter: RateLimiter
    idempotency: Idempotency
    reads: Reads
    streams: StreamCache
