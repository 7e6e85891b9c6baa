"""When a command takes effect and who is acting: the decisions' only view of time.

A command may carry ``occurred_at`` (entering a paper record after the fact); without it the
command happens at the clock's now. Dates are read in Europe/London, where the councils are: a
sign-off at 00:30 BST on 1 March is a 1 March sign-off although it is 23:30 UTC on 28 February.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import msgspec

from tracker.errors import InvalidInput, RuleBroken
from tracker.ids import PersonId, person_id

LONDON = ZoneInfo("Europe/London")


def local_date(at: datetime) -> date:
    """The calendar day an instant falls on in England and Wales."""
    return at.astimezone(LONDON).date()


class Context(msgspec.Struct, frozen=True, kw_only=True):
    """What a decision knows beyond state and command: the effective time and the actor."""

    at: datetime
    actor: PersonId | None = None
    recorded_at: datetime | None = None
    """When the action is recorded (the clock's now); None in tests that only need ``at``."""
    backdating_reason: str | None = None
    """Why the action is dated more working days back than the rule allows without one."""

    @property
    def on(self) -> date:
        return local_date(self.at)

    @property
    def recorded_on(self) -> date:
        return local_date(self.recorded_at or self.at)

    @property
    def days(self) -> tuple[date, ...]:
        """The days authority must hold on: the effective day and, when the action is dated
        back, the day it is recorded (docs/domain.md, "Back-dated entries")."""
        on, recorded_on = self.on, self.recorded_on
        return (on,) if on == recorded_on else (on, recorded_on)

    def require_actor(self, doing: str) -> PersonId:
        if self.actor is None:
            raise InvalidInput(f"{doing} needs an actor: say who is acting")
        return self.actor


def effective_time(
    occurred_at: datetime | None, now: datetime, *, earliest: date | None
) -> datetime:
    """When the command happened: never in the future, never before ``earliest``."""
    if occurred_at is None:
        at = now
    elif occurred_at.tzinfo is None:
        raise InvalidInput("occurred_at must carry a timezone (e.g. 2021-03-01T12:00:00+00:00)")
    else:
        at = occurred_at
    if at > now:
        raise RuleBroken(
            "occurred_in_future",
            f"occurred_at {at.isoformat()} is in the future (now is {now.isoformat()})",
        )
    if earliest is not None and local_date(at) < earliest:
        raise RuleBroken(
            "occurred_before_start",
            f"occurred_at {local_date(at).isoformat()} is before the programme started "
            f"({earliest.isoformat()})",
        )
    return at


def context_for(
    *, actor: str | None, occurred_at: datetime | None, now: datetime, earliest: date | None
) -> Context:
    return Context(
        at=effective_time(occurred_at, now, earliest=earliest),
        actor=None if actor is None else person_id(actor),
        recorded_at=now,
    )
