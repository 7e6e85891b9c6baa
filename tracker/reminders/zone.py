"""The reminders' time zone, and the working day a pass is for."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.clock import Clock
from tracker.errors import InvalidInput
from tracker.settings import ReminderSettings


def zone(settings: ReminderSettings) -> ZoneInfo:
    try:
        return ZoneInfo(settings.reminders_timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"TRACKER_REMINDERS_TIMEZONE {settings.reminders_timezone!r} is not a time zone"
        ) from exc


def today_in(settings: ReminderSettings, clock: Clock) -> date:
    """The working day a pass is for: the clock's date in the reminders' time zone."""
    return clock.now().astimezone(zone(settings)).date()


__all__ = ["today_in", "zone"]
