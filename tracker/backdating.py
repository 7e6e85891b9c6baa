"""Back-dating: how far an action's effective date may sit before the day it is recorded, and
what it may not come before. Pure.

A programme manager often records a paper sign-off a day or two late, so ``occurred_at`` says
when it happened. That must not bend the record (docs/domain.md, "Back-dated entries"):

- an action on an item is not dated before the item was planned, baselined or raised; a
  sign-off (endorse, approve, return) not before the submission it answers; the closure
  report's sign-offs not before its submission;
- authority (a roster letter, a delegation) must hold on the effective date *and* on the day the
  action is recorded (``tracker.signoff.resolve_acting``, ``api.writes``);
- an action dated more than ``working_days`` working days before it is recorded needs a
  reason, stored with its events (``Metadata.backdating_reason``); the API takes it only from
  an admin token. Reports mark such entries ("recorded 7 months later") and list them among
  the data-quality findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

from tracker.calendar import WorkingCalendar
from tracker.errors import RuleBroken

DEFAULT_WORKING_DAYS: Final = 5
"""How many working days back an action may be dated without a reason."""

REASON_MAX: Final = 2_000


@dataclass(frozen=True, kw_only=True)
class BackdatingRule:
    working_days: int = DEFAULT_WORKING_DAYS
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def working_days_back(self, on: date, recorded_on: date) -> int:
        """Working days from the effective day up to the day of recording (0: same day)."""
        return max(0, self.calendar.working_days_between(on, recorded_on))

    def is_late(self, on: date, recorded_on: date) -> bool:
        return self.working_days_back(on, recorded_on) > self.working_days

    def require_reason(self, on: date, recorded_on: date, reason: str | None) -> str | None:
        """The reason to store, or None when the action is not dated far enough back to need
        one (a reason given then is not stored: it would mark an ordinary entry as late).
        Refuses a late action without a reason."""
        text = (reason or "").strip()
        if len(text) > REASON_MAX:
            raise RuleBroken(
                "backdating_reason_too_long",
                f"the back-dating reason is {len(text)} characters: at most {REASON_MAX}",
            )
        if not self.is_late(on, recorded_on):
            return None
        if not text:
            back = self.working_days_back(on, recorded_on)
            raise RuleBroken(
                "backdating_needs_reason",
                f"this action is dated {on.isoformat()}, {back} working days before it is "
                f"recorded ({recorded_on.isoformat()}): more than {self.working_days} needs a "
                "reason (backdating_reason), given by an admin",
            )
        return text


def require_not_before(on: date, earliest: date | None, code: str, what: str) -> None:
    """Refuse an effective day before ``earliest`` (``what`` says what happened then)."""
    if earliest is not None and on < earliest:
        raise RuleBroken(
            code, f"this action is dated {on.isoformat()}, before {what} ({earliest.isoformat()})"
        )


def lateness(on: date, recorded_on: date) -> str:
    """How long after the effective day an entry was recorded, in words people use:
    "recorded 9 days later", "recorded 7 months later", "recorded 5 years later"."""
    days = (recorded_on - on).days
    if days < 61:
        return f"recorded {days} day{'s' if days != 1 else ''} later"
    months = (recorded_on.year - on.year) * 12 + recorded_on.month - on.month
    if recorded_on.day < on.day:
        months -= 1
    if months < 24:
        return f"recorded {months} months later"
    return f"recorded {months // 12} years later"


__all__ = [
    "DEFAULT_WORKING_DAYS",
    "BackdatingRule",
    "lateness",
    "require_not_before",
]
