"""What a recipient was already sent, from their reminder stream; pure.

Each recipient has one stream, ``reminders:<e-mail>`` (or ``reminders:<uuid>`` derived from the
identity when the address holds characters a stream id cannot). ``still_due`` drops a reminder

* whose key (kind, item, person, working day) is already recorded as sent;
* of a once-only kind (closure news) already sent for that item on any day;
* that is a weekly digest of a programme already sent in the same ISO week;

and ``with_previous`` rewrites a weekly digest against the previous digest's snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import msgspec

from tracker.events.base import StoredEvent
from tracker.events.reminders import RagSnapshot, ReminderSent
from tracker.ids import deterministic_uuid
from tracker.reminders.digest import describe, same_week
from tracker.reminders.model import ONCE_ONLY, Reminder

_SAFE = re.compile(r"^[A-Za-z0-9._@+\-:]{1,200}$")


def reminder_stream(who: str) -> str:
    """The recipient's reminder stream."""
    if _SAFE.match(who):
        return f"reminders:{who}"
    return f"reminders:{deterministic_uuid('reminders', who)}"


class LastDigest(msgspec.Struct, frozen=True, kw_only=True):
    day: date
    snapshot: RagSnapshot


class History(msgspec.Struct, kw_only=True):
    sent_keys: set[str] = msgspec.field(default_factory=set)
    once_sent: set[tuple[str, str]] = msgspec.field(default_factory=set)
    """(kind, item) of once-only kinds sent."""
    digests: dict[str, LastDigest] = {}
    """The latest weekly digest sent, by programme key."""
    version: int = 0


def history_of(events: Iterable[StoredEvent]) -> History:
    history = History()
    for stored in events:
        history.version = stored.version
        event = stored.data
        if not isinstance(event, ReminderSent):
            continue
        history.sent_keys.add(event.key)
        if event.kind in ONCE_ONLY:
            history.once_sent.add((event.kind, event.item))
        if event.kind == "weekly_digest" and event.snapshot is not None:
            last = history.digests.get(event.programme_key)
            if last is None or event.working_day >= last.day:
                history.digests[event.programme_key] = LastDigest(
                    day=event.working_day, snapshot=event.snapshot
                )
    return history


def digest_sent_that_week(history: History, programme_key: str, day: date) -> bool:
    """Whether this recipient already had the programme's weekly digest in ``day``'s week."""
    last = history.digests.get(programme_key)
    return last is not None and same_week(last.day, day)


def still_due(reminder: Reminder, history: History) -> bool:
    if reminder.key in history.sent_keys:
        return False
    if reminder.kind in ONCE_ONLY and (reminder.kind, reminder.item) in history.once_sent:
        return False
    if reminder.kind == "weekly_digest" and digest_sent_that_week(
        history, reminder.programme_key, reminder.day
    ):
        return False
    return True


def with_previous(reminder: Reminder, history: History) -> Reminder:
    """A weekly digest described against the previous digest; any other reminder unchanged."""
    if reminder.kind != "weekly_digest" or reminder.snapshot is None:
        return reminder
    last = history.digests.get(reminder.programme_key)
    if last is None:
        return reminder
    summary, details = describe(reminder.snapshot, last.snapshot, last.day)
    return msgspec.structs.replace(reminder, summary=summary, details=details)


__all__ = [
    "History",
    "LastDigest",
    "digest_sent_that_week",
    "history_of",
    "reminder_stream",
    "still_due",
    "with_previous",
]
