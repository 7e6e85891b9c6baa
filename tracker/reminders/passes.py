"""One reminders pass: select what is due, drop what was sent, send one e-mail per person, and
record each reminder. The caller holds the pass lock (``service.run_reminders`` does).

Order of a pass, for each recipient in turn:

1. read their reminder stream and keep what is ``still_due``;
2. no usable address: record a ``ReminderSkipped`` per reminder (idempotent by key) and go on;
3. otherwise compose one e-mail, check the lock is still held, and send it (with retries);
4. the server accepted: append a ``ReminderSent`` per reminder, its key as the idempotency key;
   every attempt failed: append a ``ReminderSendFailed`` and go on with the next person.

"Sent" is recorded only **after** the server accepted. A crash between the two (or the store
failing then) sends that one e-mail again on the next pass, with the same Message-ID.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from uuid import uuid4

import msgspec

from tracker.calendar import WorkingCalendar
from tracker.clock import Clock
from tracker.events.base import NewEvent, StoredEvent
from tracker.events.reminders import ReminderSendFailed, ReminderSent, ReminderSkipped
from tracker.events.store import EventStore
from tracker.ids import deterministic_uuid
from tracker.locks import Lock, LockLost
from tracker.people.store import pseudonym_for
from tracker.projections.read_model.reader import Reader
from tracker.projections.read_model.views import ProgrammeView
from tracker.rag import RagThresholds
from tracker.reminders.compose import compose
from tracker.reminders.compose import message_id as message_id_of
from tracker.reminders.digest import digest_day
from tracker.reminders.history import (
    History,
    digest_sent_that_week,
    history_of,
    reminder_stream,
    still_due,
    with_previous,
)
from tracker.reminders.items import members
from tracker.reminders.mailer import Mailer, SendFailed
from tracker.reminders.model import Recipient, Reminder, policy_from, reminder_key
from tracker.reminders.muting import load_mutes
from tracker.reminders.reading import programmes_for
from tracker.reminders.selection import by_recipient, due_reminders
from tracker.reminders.zone import today_in
from tracker.settings import ReminderSettings


class Delivery(msgspec.Struct, kw_only=True):
    """What happened to one recipient's reminders in a pass."""

    person: str
    status: str
    """sent, failed, skipped or planned (a dry run)."""
    keys: list[str]
    message_id: str = ""
    detail: str = ""
    summaries: list[str] = []
    """A dry run: what each reminder would say."""


class PassReport(msgspec.Struct, kw_only=True):
    today: date
    working_day: bool
    due: int = 0
    """Reminders due today, mutes applied, before what was already sent is dropped."""
    muted: int = 0
    already_sent: int = 0
    deliveries: list[Delivery] = []

    def count(self, status: str) -> int:
        return sum(1 for d in self.deliveries if d.status == status)

    def reminders(self, status: str) -> int:
        return sum(len(d.keys) for d in self.deliveries if d.status == status)

    def describe(self) -> str:
        if not self.working_day:
            return f"{self.today:%A} {self.today} is not a working day: no reminders"
        return (
            f"reminders for {self.today}: {self.due} due ({self.muted} more muted), "
            f"{self.already_sent} already sent; {self.count('sent')} e-mails sent "
            f"({self.reminders('sent')} reminders), {self.count('failed')} failed, "
            f"{self.reminders('skipped')} reminders skipped, {self.count('planned')} planned"
        )


async def _append(
    store: EventStore,
    stream: str,
    history: History,
    event: ReminderSent | ReminderSkipped | ReminderSendFailed,
    clock: Clock,
    key: str | None,
) -> None:
    """Record ``event`` on the recipient's stream, expecting the version this pass read it at
    (``history.version``, moved on by each record): the pass decided on that history, so a
    write by anyone else meanwhile (a pass that lost its lock) is a conflict, not a second
    record. The idempotency key keeps each reminder once across passes."""
    event_id = deterministic_uuid("reminder-event", key) if key else uuid4()
    new = NewEvent(data=event, occurred_at=clock.now(), event_id=event_id)
    result = await store.append(stream, [new], history.version, idempotency_key=key)
    history.version = max(history.version, result.last_version)


async def _skip(
    store: EventStore,
    stream: str,
    history: History,
    who: Recipient,
    items: Sequence[Reminder],
    clock: Clock,
) -> Delivery:
    reason = "no e-mail address" if not who.email else f"{who.email!r} is not an e-mail address"
    for r in items:
        event = ReminderSkipped(
            key=r.key,
            kind=r.kind,
            programme_key=r.programme_key,
            item=r.item,
            person=who.who,
            name=who.name,
            working_day=r.day,
            reason=reason,
        )
        await _append(store, stream, history, event, clock, f"skipped:{r.key}")
    return Delivery(person=who.who, status="skipped", keys=[r.key for r in items], detail=reason)


class Histories:
    """Recipients' histories, read in one query for many people, each person once a pass."""

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._found: dict[str, History] = {}

    async def read(self, people: Iterable[str]) -> None:
        streams = [
            s for s in dict.fromkeys(reminder_stream(who) for who in people) if s not in self._found
        ]
        if not streams:
            return
        grouped: dict[str, list[StoredEvent]] = {stream: [] for stream in streams}
        for stored in await self._store.read_streams(streams):
            grouped[stored.stream_id].append(stored)
        for stream, events in grouped.items():
            self._found[stream] = history_of(events)

    def of(self, who: str) -> History:
        return self._found[reminder_stream(who)]


async def _digests_due(
    views: Iterable[ProgrammeView], histories: Histories, today: date
) -> set[str]:
    """Programmes whose weekly digest some sponsor has not had this week: only those are read
    whole (a digest describes the whole programme)."""
    sponsors = {
        view.key: [r.who for r in members(view, "A")]
        for view in views
        if view.lifecycle != "closed"
    }
    await histories.read(who for people in sponsors.values() for who in people)
    return {
        key
        for key, people in sponsors.items()
        if any(not digest_sent_that_week(histories.of(who), key, today) for who in people)
    }


async def run_pass(
    reader: Reader,
    mailer: Mailer | None,
    *,
    today: date,
    clock: Clock,
    settings: ReminderSettings,
    lock: Lock | None = None,
    calendar: WorkingCalendar | None = None,
    thresholds: RagThresholds | None = None,
) -> PassReport:
    """One pass for ``today``. With no ``mailer`` it is a dry run: nothing sent or recorded."""
    store = reader.store
    calendar = calendar or WorkingCalendar()
    report = PassReport(today=today, working_day=calendar.is_working_day(today))
    if not report.working_day:
        return report
    policy = policy_from(settings)
    reading = await programmes_for(reader, today, now=today_in(settings, clock))
    histories = Histories(store)
    if digest_day(today, calendar, policy.digest_weekday) <= today:
        await reading.complete(await _digests_due(reading.views.values(), histories, today))
    views = reading.ordered()
    due, report.muted = due_reminders(
        views,
        today,
        calendar,
        thresholds or RagThresholds(),
        policy,
        await load_mutes(store, [view.key for view in views]),
    )
    report.due = len(due)
    recipients = by_recipient(due)
    await histories.read([who.who for who, _ in recipients.values()])
    for who, items in recipients.values():
        stream = reminder_stream(who.who)
        history = histories.of(who.who)
        pending = [with_previous(r, history) for r in items if still_due(r, history)]
        report.already_sent += len(items) - len(pending)
        if not pending:
            continue
        if mailer is None:
            report.deliveries.append(
                Delivery(
                    person=who.who,
                    status="planned",
                    keys=[r.key for r in pending],
                    summaries=[f"{r.programme_name}: {r.summary}" for r in pending],
                )
            )
        elif not who.addressable:
            report.deliveries.append(await _skip(store, stream, history, who, pending, clock))
        else:
            report.deliveries.append(
                await _deliver(
                    store, mailer, stream, history, who, pending, today, clock, settings, lock
                )
            )
    return report


async def _failed(
    store: EventStore,
    stream: str,
    history: History,
    who: Recipient,
    keys: list[str],
    today: date,
    clock: Clock,
    message_id: str,
    error: object,
    *,
    permanent: bool,
    attempts: int = 0,
) -> Delivery:
    event = ReminderSendFailed(
        person=who.who,
        working_day=today,
        keys=tuple(keys),
        message_id=message_id,
        attempts=attempts,
        error=str(error),
        permanent=permanent,
    )
    await _append(store, stream, history, event, clock, None)
    return Delivery(
        person=who.who, status="failed", keys=keys, message_id=message_id, detail=str(error)
    )


async def _deliver(
    store: EventStore,
    mailer: Mailer,
    stream: str,
    history: History,
    who: Recipient,
    items: Sequence[Reminder],
    today: date,
    clock: Clock,
    settings: ReminderSettings,
    lock: Lock | None,
) -> Delivery:
    keys = [r.key for r in items]
    pseudonym = await pseudonym_for(store, who.who)
    try:
        message = compose(
            who,
            items,
            day=today,
            sender=settings.mail_from,
            base_url=settings.base_url,
            now=clock.now(),
            message_id=message_id_of(
                [reminder_key(r.kind, r.item, pseudonym, r.day) for r in items],
                settings.mail_from,
            ),
        )
    except ValueError as exc:
        # One bad record (an address or text the mail library refuses) fails this person's
        # e-mail, recorded as failed, and the pass goes on with everyone else.
        return await _failed(
            store, stream, history, who, keys, today, clock, "", exc, permanent=True
        )
    message_id = str(message["Message-ID"])
    if lock is not None and not await lock.held():
        raise LockLost("the reminders pass lost its lock: stopping before sending more")
    try:
        await mailer.send(message)
    except SendFailed as failure:
        return await _failed(
            store,
            stream,
            history,
            who,
            keys,
            today,
            clock,
            message_id,
            failure.message,
            permanent=failure.permanent,
            attempts=failure.attempts,
        )
    for r in items:
        sent = ReminderSent(
            key=r.key,
            kind=r.kind,
            programme_key=r.programme_key,
            item=r.item,
            person=who.who,
            working_day=today,
            message_id=message_id,
            summary=r.summary,
            snapshot=r.snapshot,
        )
        await _append(store, stream, history, sent, clock, r.key)
    return Delivery(person=who.who, status="sent", keys=keys, message_id=message_id)


__all__ = ["Delivery", "Histories", "PassReport", "run_pass"]
