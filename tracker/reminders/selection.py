"""What is due to whom on one working day; pure.

``due_reminders`` gathers every kind (``signoffs``, ``items``, ``digest``) for each programme,
drops those to people muted on that programme, and merges any two with the same key. It knows
nothing of what was sent before: ``history.still_due`` decides that from the recipient's
reminder stream. On a day that is not a working day nothing is due: weekends and England and
Wales bank holidays are skipped, and what was due then is found again on the next working day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from tracker.calendar import WorkingCalendar
from tracker.projections.read_model.views import ProgrammeView
from tracker.rag import RagThresholds
from tracker.reminders.digest import weekly_digests
from tracker.reminders.items import closure_news, milestone_reminders, stale_raid_reminders
from tracker.reminders.model import KINDS, Recipient, Reminder, ReminderPolicy
from tracker.reminders.signoffs import signoff_reminders

Mutes = Mapping[str, frozenset[str]]
"""Muted e-mails (lower-cased) by programme key."""


def programme_reminders(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    policy: ReminderPolicy,
) -> list[Reminder]:
    """Everything due on ``today`` from one programme, mutes not applied."""
    return [
        *signoff_reminders(view, today, calendar, thresholds, policy),
        *milestone_reminders(view, today, calendar, thresholds, policy),
        *stale_raid_reminders(view, today, thresholds, policy),
        *closure_news(view, today, calendar, policy),
        *weekly_digests(view, today, calendar, thresholds, policy),
    ]


def order(reminder: Reminder) -> tuple[int, str, str, str]:
    """The order an e-mail lists reminders in: by kind, then programme, then item title."""
    return (KINDS.index(reminder.kind), reminder.programme_key, reminder.title, reminder.item)


def due_reminders(
    views: Iterable[ProgrammeView],
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    policy: ReminderPolicy,
    mutes: Mutes | None = None,
) -> tuple[list[Reminder], int]:
    """(reminders due on ``today`` in e-mail order, how many were dropped as muted)."""
    if not calendar.is_working_day(today):
        return [], 0
    found: dict[str, Reminder] = {}
    muted = 0
    for view in views:
        silenced = (mutes or {}).get(view.key, frozenset())
        for reminder in programme_reminders(view, today, calendar, thresholds, policy):
            if reminder.recipient.email and reminder.recipient.email in silenced:
                muted += 1
                continue
            found.setdefault(reminder.key, reminder)
    return sorted(found.values(), key=order), muted


def by_recipient(reminders: Iterable[Reminder]) -> dict[str, tuple[Recipient, list[Reminder]]]:
    """One entry per person (by ``Recipient.who``), in first-seen order: one e-mail each."""
    grouped: dict[str, tuple[Recipient, list[Reminder]]] = {}
    for reminder in reminders:
        grouped.setdefault(reminder.recipient.who, (reminder.recipient, []))[1].append(reminder)
    return grouped


__all__ = ["Mutes", "by_recipient", "due_reminders", "order", "programme_reminders"]
