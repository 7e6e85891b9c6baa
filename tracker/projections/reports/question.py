"""The question a report answers: for which day RAG is computed, and as of which effective and
recorded times (docs/projections.md, "Time travel").

* ``as_of`` (effective time) keeps events that had happened by then; a date means the end of
  that day, UTC (23:59:59.999999Z).
* ``known_at`` (recorded time) keeps events the store had recorded by then.
* "today" is the day given, else the ``as_of`` date, else the ``known_at`` date, else the
  clock's today: a report asked about the past is computed as it would have been then, so the
  same question always gets the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from tracker.calendar import WorkingCalendar
from tracker.clock import Clock
from tracker.errors import InvalidInput
from tracker.rag import RagThresholds


def _aware(at: datetime, what: str) -> datetime:
    if at.tzinfo is None:
        raise InvalidInput(f"{what} must be timezone-aware, got {at.isoformat()}")
    return at.astimezone(UTC)


def effective_until(as_of: date | datetime | None) -> datetime | None:
    """The effective instant a report is as of: a date means the end of that day, UTC."""
    if as_of is None:
        return None
    if isinstance(as_of, datetime):
        return _aware(as_of, "as_of")
    return datetime.combine(as_of, time.max, tzinfo=UTC)


def recorded_until(known_at: datetime | None) -> datetime | None:
    return None if known_at is None else _aware(known_at, "known_at")


def report_day(
    *,
    today: date | None = None,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    clock: Clock | None = None,
) -> date:
    """The "today" RAG is computed for (see the module docstring)."""
    if today is not None:
        return today
    effective = effective_until(as_of)
    if effective is not None:
        return effective.date()
    recorded = recorded_until(known_at)
    if recorded is not None:
        return recorded.date()
    if clock is None:
        raise InvalidInput("a report needs today, as_of, known_at or a clock to date its RAG")
    return clock.now().astimezone(UTC).date()


@dataclass(frozen=True, kw_only=True)
class Question:
    """What a report is asked: ``today`` for RAG, ``as_of`` and ``known_at`` (UTC instants, or
    None), with the calendar and thresholds RAG is computed with."""

    today: date
    as_of: datetime | None = None
    known_at: datetime | None = None
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    thresholds: RagThresholds = field(default_factory=RagThresholds)

    @property
    def live(self) -> bool:
        """A question about now (neither ``as_of`` nor ``known_at``)."""
        return self.as_of is None and self.known_at is None


def ask(
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    today: date | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    thresholds: RagThresholds | None = None,
) -> Question:
    """A question, with its instants normalised and its "today" resolved."""
    return Question(
        today=report_day(today=today, as_of=as_of, known_at=known_at, clock=clock),
        as_of=effective_until(as_of),
        known_at=recorded_until(known_at),
        calendar=calendar or WorkingCalendar(),
        thresholds=thresholds or RagThresholds(),
    )
