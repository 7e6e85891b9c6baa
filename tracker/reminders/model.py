"""What a reminder is: a kind, an item, a recipient and a working day; pure values.

The deduplication key ``reminder:{kind}:{item}:{person}:{working day}`` names one reminder.
It is the idempotency key of its ``ReminderSent`` event, so the store holds each at most once.
"""

from __future__ import annotations

from datetime import date

import msgspec

from tracker.errors import InvalidInput
from tracker.events.reminders import RagSnapshot, ReminderKind
from tracker.ids import person_id
from tracker.settings import WEEKDAYS, ReminderSettings

KINDS: tuple[ReminderKind, ...] = (
    "signoff_pending",
    "signoff_escalation",
    "milestone_overdue",
    "milestone_due",
    "risk_stale",
    "closure_approved",
    "weekly_digest",
)
"""Every kind, in the order an e-mail lists them."""

ONCE_ONLY: frozenset[ReminderKind] = frozenset({"closure_approved"})
"""Kinds sent once per item and person, ever (the others repeat each working day while due)."""


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """A person to write to: ``email`` lower-cased, or empty when the source named no address."""

    email: str
    name: str

    @property
    def addressable(self) -> bool:
        """An e-mail address the domain accepts (``tracker.ids.person_id``)."""
        try:
            person_id(self.email)
        except InvalidInput:
            return False
        return True

    @property
    def who(self) -> str:
        """The identity in keys and streams: the address, or ``name:<name>`` without one."""
        return self.email if self.email else f"name:{self.name}"

    @property
    def shown(self) -> str:
        return self.name or self.email


def recipient(email: str | None, name: str = "") -> Recipient:
    return Recipient(email=(email or "").strip().lower(), name=name.strip())


class Reminder(msgspec.Struct, frozen=True, kw_only=True):
    """One thing due to one person on one working day, with the sentence that says it."""

    kind: ReminderKind
    programme_key: str
    programme_name: str
    item: str
    """The item's id: ``deliverable:<uuid>``, ``milestone:<uuid>``, ``risk:<uuid>``,
    ``closure:<programme>:<revision>`` or ``programme:<key>`` (the weekly digest)."""
    title: str
    path: str
    """The item's page, relative to the base URL."""
    recipient: Recipient
    day: date
    summary: str
    details: tuple[str, ...] = ()
    snapshot: RagSnapshot | None = None
    """Weekly digests: the programme's RAG now."""

    @property
    def key(self) -> str:
        return reminder_key(self.kind, self.item, self.recipient.who, self.day)


def reminder_key(kind: str, item: str, who: str, day: date) -> str:
    return f"reminder:{kind}:{item}:{who}:{day.isoformat()}"


class ReminderPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """When each kind falls due (defaults from the issue; see docs/reminders.md)."""

    signoff_after: int = 3
    """Working days after submission before each missing signatory is reminded (more than)."""
    escalate_after: int = 8
    """Working days after submission before the A is told who is holding it up (more than)."""
    milestone_window: int = 10
    """A milestone due within this many working days and not achieved is reminded."""
    stale_after_days: int = 30
    """Calendar days without an update before an open RAID item is stale."""
    informed_window: int = 5
    """Working days after a closure approval during which I members are still told."""
    digest_weekday: int = 0
    """0 is Monday: the weekly digest goes on the first working day on or after it."""


def policy_from(settings: ReminderSettings) -> ReminderPolicy:
    return ReminderPolicy(
        signoff_after=settings.signoff_reminder_days,
        escalate_after=settings.signoff_escalation_days,
        milestone_window=settings.milestone_reminder_days,
        stale_after_days=settings.stale_raid_days,
        informed_window=settings.informed_window_days,
        digest_weekday=WEEKDAYS.index(settings.digest_weekday),
    )


def long_day(on: date) -> str:
    """ "Monday 15 March 2021"."""
    return f"{on:%A} {on.day} {on:%B %Y}"


def short_day(on: date) -> str:
    """ "15 March 2021"."""
    return f"{on.day} {on:%B %Y}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


__all__ = [
    "KINDS",
    "ONCE_ONLY",
    "Recipient",
    "Reminder",
    "ReminderPolicy",
    "long_day",
    "plural",
    "policy_from",
    "recipient",
    "reminder_key",
    "short_day",
]
