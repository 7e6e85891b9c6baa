"""/metrics: Prometheus text exposition (``prometheus_client``).

No token is needed (like /health and /ready): it holds counts, never programme data.

Two kinds of figure (docs/deployment.md, "Observability", lists every metric):

- this process's own: requests, latency, events appended, stream conflicts (counted in
  ``api.observability``) and the ``process_*`` and ``python_*`` figures of the library's
  default collectors. With several API processes Prometheus scrapes each and sums.
- the database's, read at each scrape, so every replica reports the same values: store head,
  projector checkpoint and lag, reminders sent and failed (counted from the events in the store,
  whichever process sent them), and ``tracker_database_up``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from litestar import Response, get
from litestar.datastructures import State
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.readiness import DATABASE_ERRORS, StoreSnapshot, store_snapshot
from api.services import Services
from tracker.events.reminders import ReminderSendFailed, ReminderSent

TEXT: Final = "text/plain; version=0.0.4; charset=utf-8"
REMINDER_TYPES: Final = (ReminderSent.__name__, ReminderSendFailed.__name__)


@dataclass
class ReminderCounts:
    """ReminderSent and ReminderSendFailed events in the store, counted incrementally: each
    scrape counts only the positions after the last one counted, up to the safe head (nothing
    can still commit below it), so after the first scrape a count is a short range scan of the
    primary key."""

    position: int = 0
    sent: int = 0
    failed: int = 0

    async def update(self, engine: AsyncEngine, safe_head: int) -> None:
        start = self.position
        if safe_head <= start:
            return
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT type, count(*) AS n FROM events "
                        "WHERE position > :a AND position <= :b AND type IN (:sent, :failed) "
                        "GROUP BY type"
                    ),
                    {
                        "a": start,
                        "b": safe_head,
                        "sent": REMINDER_TYPES[0],
                        "failed": REMINDER_TYPES[1],
                    },
                )
            ).all()
        if self.position != start:
            return  # a concurrent scrape counted this range already
        found = {r.type: int(r.n) for r in rows}
        self.sent += found.get(REMINDER_TYPES[0], 0)
        self.failed += found.get(REMINDER_TYPES[1], 0)
        self.position = safe_head


class _StoreFigures(Collector):
    """One scrape's database figures, as metric families."""

    def __init__(self, snapshot: StoreSnapshot | None, reminders: ReminderCounts) -> None:
        self.snapshot = snapshot
        self.reminders = reminders

    def collect(self) -> Iterator[Metric]:
        snap = self.snapshot
        yield GaugeMetricFamily(
            "tracker_database_up",
            "1 when the database answered this scrape's queries, else 0.",
            value=0 if snap is None else 1,
        )
        if snap is None:
            return
        yield GaugeMetricFamily(
            "tracker_head_position",
            "The store's safe head: every position at or below it is committed.",
            value=snap.safe_head,
        )
        yield GaugeMetricFamily(
            "tracker_committed_head_position",
            "max(position) of the events table: ahead of the safe head while an append "
            "transaction is open (PostgreSQL).",
            value=snap.committed_head,
        )
        if snap.oldest_append_seconds is not None:
            yield GaugeMetricFamily(
                "tracker_oldest_append_seconds",
                "Age of the oldest append transaction still open (PostgreSQL).",
                value=snap.oldest_append_seconds,
            )
        position = GaugeMetricFamily(
            "tracker_projection_position", "The projection's checkpoint.", labels=["projection"]
        )
        lag = GaugeMetricFamily(
            "tracker_projection_lag_positions",
            "Safe head minus the projection's checkpoint.",
            labels=["projection"],
        )
        lag_seconds = GaugeMetricFamily(
            "tracker_projection_lag_seconds",
            "Now minus the recorded_at of the first event after the checkpoint (0: caught up).",
            labels=["projection"],
        )
        applied = CounterMetricFamily(
            "tracker_projection_events",
            "Events the projection has applied since it was built.",
            labels=["projection"],
        )
        for p in snap.projections:
            position.add_metric([p.name], p.position)
            lag.add_metric([p.name], p.lag_positions)
            lag_seconds.add_metric([p.name], p.lag_seconds)
            applied.add_metric([p.name], p.events)
        yield from (position, lag, lag_seconds, applied)
        yield CounterMetricFamily(
            "tracker_reminders_sent",
            "ReminderSent events in the store (e-mails accepted by the mail server).",
            value=self.reminders.sent,
        )
        yield CounterMetricFamily(
            "tracker_reminders_failed",
            "ReminderSendFailed events in the store (sends that failed and were recorded).",
            value=self.reminders.failed,
        )


@get("/metrics", include_in_schema=False)
async def metrics(state: State) -> Response[bytes]:
    services: Services = state.services
    reminders: ReminderCounts = state.reminder_counts
    snapshot: StoreSnapshot | None
    try:
        snapshot = await store_snapshot(services)
        await reminders.update(services.engine, snapshot.safe_head)
    except DATABASE_ERRORS:
        snapshot = None
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_StoreFigures(snapshot, reminders))
    body = generate_latest(REGISTRY) + generate_latest(scrape)
    return Response(body, media_type=TEXT)
