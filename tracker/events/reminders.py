"""Events of the reminder jobs: what was sent, skipped or failed, and who is muted.

Reminder outcomes live in one stream per recipient (``reminders:<e-mail>``, see
``tracker.reminders.history``); mutes in one stream per programme
(``reminder_mutes:<programme key>``). The programme's own streams never hold them: reminders
are a consequence of the programme's state, not part of it.

A ``ReminderSent`` is appended with its ``key`` as the append's idempotency key, so the store
holds each (kind, item, person, working day) at most once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar, Literal

import msgspec

from tracker.events.base import Event, event_type

ReminderKind = Literal[
    "signoff_pending",
    "signoff_escalation",
    "milestone_due",
    "milestone_overdue",
    "risk_stale",
    "closure_approved",
    "weekly_digest",
]


class ItemRag(msgspec.Struct, frozen=True, kw_only=True):
    """One part of a programme's RAG: a deliverable, milestone or open RAID item."""

    item: str
    title: str
    rag: str
    reason: str = ""


class RagSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """A programme's RAG as a weekly digest reported it, to diff the next digest against."""

    rag: str
    confidence: str
    reasons: tuple[str, ...] = ()
    items: tuple[ItemRag, ...] = ()


@event_type
class ReminderSent(Event, frozen=True, kw_only=True):
    """The SMTP server accepted an e-mail holding this reminder. Recorded after acceptance."""

    personal_fields: ClassVar[Mapping[str, str]] = {"person": "person"}

    key: str
    kind: ReminderKind
    programme_key: str
    item: str
    person: str
    working_day: date
    message_id: str
    summary: str
    snapshot: RagSnapshot | None = None
    """Weekly digests: the programme's RAG as reported."""


@event_type
class ReminderSkipped(Event, frozen=True, kw_only=True):
    """A reminder that could not be sent for a reason retrying will not fix (no e-mail)."""

    personal_fields: ClassVar[Mapping[str, str]] = {"person": "person", "name": "person"}

    key: str
    kind: ReminderKind
    programme_key: str
    item: str
    person: str
    name: str
    working_day: date
    reason: str


@event_type
class ReminderSendFailed(Event, frozen=True, kw_only=True):
    """Every attempt to send one recipient's e-mail failed; its reminders stay due."""

    personal_fields: ClassVar[Mapping[str, str]] = {"person": "person"}

    person: str
    working_day: date
    keys: tuple[str, ...]
    message_id: str
    attempts: int
    error: str
    permanent: bool
    """True when the server refused (5xx): retrying the same message would not help."""


@event_type
class RemindersMuted(Event, frozen=True, kw_only=True):
    """``person`` gets no reminders about this programme until unmuted."""

    personal_fields: ClassVar[Mapping[str, str]] = {"person": "person"}

    programme_key: str
    person: str
    reason: str = ""


@event_type
class RemindersUnmuted(Event, frozen=True, kw_only=True):
    personal_fields: ClassVar[Mapping[str, str]] = {"person": "person"}
    programme_key: str
    person: str
    reason: str = ""
