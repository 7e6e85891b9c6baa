"""What requests share: made once in the app's lifespan, kept in ``app.state.services``.

The PDF cache and the stream slots need only the settings, so they are made here from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth import TokenCache
from api.document_cache import DocumentCache
from api.idempotency import Idempotency
from api.ratelimit import RateLimiter
from api.reads import Reads
from api.stream_cache import StreamCache
from api.stream_slots import StreamSlots
from api.write_turns import WriteTurns
from tracker.calendar import WorkingCalendar
from tracker.clock import Clock
from tracker.events.store import EventStore
from tracker.settings import ApiSettings, Settings


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
    pdfs: DocumentCache = field(init=False)
    """Closure report PDFs by content (``api.document_cache``)."""
    stream_slots: StreamSlots = field(init=False)
    """Open event streams per token (``api.stream_slots``)."""
    write_turns: WriteTurns = field(default_factory=WriteTurns)
    """Writes to one stream take turns in this process (``api.write_turns``)."""

    def __post_init__(self) -> None:
        self.pdfs = DocumentCache("pdf", self.api.pdf_cache_bytes)
        self.stream_slots = StreamSlots(
            self.api.streams_per_token, retry_after_seconds=self.api.sse_heartbeat_seconds
        )
