"""Whole passes on SQLite and PostgreSQL, delivering to a real SMTP server in the test process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest

from tests.conftest import ReadSide
from tests.projections.builders import Script, append_all, append_one, day, person
from tests.reminders.expected import BASE_URL, SUBJECTS, monday_texts
from tests.reminders.scenario import (
    ANDREW,
    GABBY,
    GLYN,
    IAN,
    MIKE,
    MONDAY,
    Ids,
    d,
    digital_transition,
    easter_cutover,
    payroll_transition,
)
from tests.reminders.smtp import MailServer, dropping_server, mail_server
from tracker.clock import FixedClock
from tracker.errors import StreamConflict
from tracker.events.base import NewEvent
from tracker.events.reminders import ReminderSendFailed, ReminderSent, ReminderSkipped
from tracker.events.store import EventStore
from tracker.locks import LockLost
from tracker.people.store import pseudonym_for
from tracker.reminders.compose import message_id
from tracker.reminders.history import reminder_stream
from tracker.reminders.mailer import SmtpMailer, parse_smtp_url
from tracker.reminders.muting import set_muted
from tracker.reminders.passes import PassReport, run_pass
from tracker.settings import ReminderSettings

pytestmark = pytest.mark.db

SENDER = "Programme tracker <tracker@lcc.example>"
PEOPLE = {ANDREW.email, GABBY.email, GLYN.email, IAN.email, MIKE.email}


@pytest.fixture
def server() -> Iterator[MailServer]:
    with mail_server() as running:
        yield running


def settings_for(url: str) -> ReminderSettings:
    return ReminderSettings(smtp_url=url, mail_from=SENDER, base_url=BASE_URL)


async def run(
    read_side: ReadSide, clock: FixedClock, url: str, today: date, *, attempts: int = 2
) -> PassReport:
    mailer = SmtpMailer(parse_smtp_url(url), attempts=attempts, backoff=0)
    return await run_pass(
        read_side.reader, mailer, today=today, clock=clock, settings=settings_for(url)
    )


async def given_the_scenario(store: EventStore, clock: FixedClock) -> Ids:
    script, ids = digital_transition()
    await append_all(store, script, clock)
    await append_all(store, payroll_transition(), clock)
    return ids


async def recorded(store: EventStore, who: str) -> list[object]:
    return [e.data for e in await store.read_stream(reminder_stream(who))]


async def test_the_built_scenario_sends_each_person_one_email_with_exactly_this_content(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    ids = await given_the_scenario(store, clock)
    report = await run(read_side, clock, server.url, MONDAY)

    received = {r.recipients[0]: r for r in server.handler.received}
    assert len(server.handler.received) == 5
    assert set(received) == PEOPLE
    texts = monday_texts(ids)
    for email, mail in received.items():
        assert mail.sender == "tracker@lcc.example"
        assert mail.message["Subject"] == SUBJECTS[email]
        assert mail.message["Auto-Submitted"] == "auto-generated"
        assert mail.text == texts[email], email
        assert f'href="{BASE_URL}/programmes/' in mail.html
    mike = received[MIKE.email]
    assert mike.message["To"] == "Mike Kirby <mike.kirby@lcc.example>"
    assert f'<a href="{BASE_URL}/programmes/digital-transition/deliverables/{ids.d3}">' in (
        mike.html
    )
    assert "<li><strong>Digital transition</strong>: 'DR plan' awaits your approval" in mike.html

    assert (report.due, report.already_sent, report.count("sent")) == (14, 0, 5)
    assert report.reminders("sent") == 13
    sent = [e for e in await recorded(store, MIKE.email) if isinstance(e, ReminderSent)]
    assert [e.kind for e in sent] == [
        "signoff_pending",
        "signoff_escalation",
        "milestone_overdue",
        "weekly_digest",
    ]
    assert {e.message_id for e in sent} == {mike.message["Message-ID"]}
    assert sent[0].key == f"reminder:signoff_pending:deliverable:{ids.d3}:{MIKE.email}:2021-03-15"
    # The id is stored in clear: it is a digest of the keys with Mike's pseudonym, so it cannot
    # confirm a guessed address (docs/privacy.md).
    pseudonym = await pseudonym_for(store, MIKE.email)
    assert pseudonym.startswith("p_")
    by_pseudonym = [e.key.replace(MIKE.email, pseudonym) for e in sent]
    assert mike.message["Message-ID"] == message_id(by_pseudonym, SENDER)
    assert mike.message["Message-ID"] != message_id([e.key for e in sent], SENDER)
    assert sent[-1].snapshot is not None and sent[-1].snapshot.rag == "red"


async def test_a_second_pass_the_same_day_sends_nothing(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    await given_the_scenario(store, clock)
    await run(read_side, clock, server.url, MONDAY)
    again = await run(read_side, clock, server.url, MONDAY)
    assert server.handler.count() == 5
    assert (again.already_sent, again.count("sent")) == (13, 0)
    for email in PEOPLE:
        keys = [e.key for e in await recorded(store, email) if isinstance(e, ReminderSent)]
        assert len(keys) == len(set(keys))


async def test_the_next_working_day_repeats_what_is_still_due_but_not_news_or_the_digest(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    await given_the_scenario(store, clock)
    await run(read_side, clock, server.url, MONDAY)
    tuesday = await run(read_side, clock, server.url, date(2021, 3, 16))
    later = server.handler.received[5:]
    assert {r.recipients[0] for r in later} == {ANDREW.email, GABBY.email, GLYN.email, MIKE.email}
    assert tuesday.count("sent") == 4
    mike = next(r for r in later if r.recipients[0] == MIKE.email)
    assert "Weekly RAG digest" not in mike.text
    assert "Tuesday 16 March 2021" in mike.text


async def test_next_weeks_digest_reports_the_rag_changes_since_the_last_one_with_reasons(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    script, ids = digital_transition()
    await append_all(store, script, clock)
    await run(read_side, clock, server.url, MONDAY)
    week = Script(script.key)
    week.approve(ids.d3, MIKE, date(2021, 3, 16))
    week.signed_off(ids.d3, [MIKE], date(2021, 3, 16))
    week.achieve(ids.m2, day("2021-03-17"), date(2021, 3, 17))
    for stream, event in week.entries:
        await append_one(store, stream, event)
    await run(read_side, clock, server.url, date(2021, 3, 22))

    digest = [r for r in server.handler.to(MIKE.email) if "Weekly RAG digest" in r.text]
    assert len(digest) == 2
    text = digest[1].text
    section = text[text.index("Weekly RAG digest") : text.index("-- ")]
    assert section == (
        "Weekly RAG digest\n"
        "- Digital transition: Red, unchanged since 15 March 2021; delivery confidence\n"
        "  Amber/Red (better), was Red.\n"
        "  Red: Digital transition: 2 of 12 parts red\n"
        "  Red: 'Key staff gaps filled' 1 working day past due, not signed off\n"
        "  Red: I1 score 15 (likelihood 5 assumed for an issue x impact 3), at or above\n"
        "  15\n"
        "  Changed: 'Service catalogue' green to amber. Amber: 'Service catalogue' due\n"
        "  in 7 working days (2021-03-31), within the 10-day window, not signed off\n"
        "  Changed: 'Key staff gaps filled' amber to red. Red: 'Key staff gaps filled'\n"
        "  1 working day past due, not signed off\n"
        "  Changed: 'DR plan' red to green. Green: 'DR plan' signed off\n"
        "  Changed: 'Data migration complete' red to amber. Amber: 'Data migration\n"
        "  complete' achieved 2021-03-17, 5 working days after baseline 2021-03-10,\n"
        "  within the 20-day tolerance\n"
        "  https://tracker.lcc.example/programmes/digital-transition\n\n"
    )


async def test_easter_nothing_is_sent_on_good_friday_or_easter_monday(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    script, _ = easter_cutover()
    await append_all(store, script, clock)
    reports = {
        on: await run(read_side, clock, server.url, on)
        for on in [date(2021, 4, n) for n in (2, 3, 4, 5, 6, 7, 8, 9)]
    }
    off = [on for on, report in reports.items() if not report.working_day]
    assert off == [date(2021, 4, 2), date(2021, 4, 3), date(2021, 4, 4), date(2021, 4, 5)]
    sent = {
        on: sorted(d.person for d in r.deliveries) for on, r in reports.items() if r.working_day
    }
    assert sent == {
        date(2021, 4, 6): [MIKE.email],  # the weekly digest, the day after Easter Monday
        date(2021, 4, 7): [],
        date(2021, 4, 8): [],  # 'Cutover plan' submitted 1 April: 3 working days
        date(2021, 4, 9): [GLYN.email],  # 4 working days: more than 3
    }
    glyn = server.handler.to(GLYN.email)
    assert len(glyn) == 1
    assert "submitted 1 April 2021, 4 working days ago" in glyn[0].text.replace("\n  ", " ")
    assert reports[date(2021, 4, 5)].describe() == (
        "Monday 2021-04-05 is not a working day: no reminders"
    )


async def test_a_refused_recipient_is_recorded_and_everyone_else_still_gets_theirs(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    await given_the_scenario(store, clock)
    server.handler.refuse.add(GLYN.email)
    report = await run(read_side, clock, server.url, MONDAY)
    assert {r.recipients[0] for r in server.handler.received} == PEOPLE - {GLYN.email}
    [failed] = [d for d in report.deliveries if d.status == "failed"]
    assert failed.person == GLYN.email and "550" in failed.detail
    [event] = await recorded(store, GLYN.email)
    assert isinstance(event, ReminderSendFailed)
    assert (event.permanent, event.attempts, len(event.keys)) == (True, 1, 4)

    server.handler.refuse.clear()
    retry = await run(read_side, clock, server.url, MONDAY)
    assert [d.person for d in retry.deliveries if d.status == "sent"] == [GLYN.email]
    assert len(server.handler.to(GLYN.email)) == 1


async def test_a_server_that_drops_the_connection_fails_each_send_without_stopping_the_pass(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    await given_the_scenario(store, clock)
    async with dropping_server(greet=True) as url:
        report = await run(read_side, clock, url, MONDAY, attempts=3)
    assert report.count("failed") == 5
    for email in PEOPLE:
        [event] = await recorded(store, email)
        assert isinstance(event, ReminderSendFailed)
        assert (event.permanent, event.attempts) == (False, 3)
        assert "SMTPServerDisconnected" in event.error

    later = await run(read_side, clock, server.url, MONDAY)
    assert later.count("sent") == 5


async def test_a_person_with_no_email_gets_a_recorded_skip_not_a_crash(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    ids = await given_the_scenario(store, clock)
    report = await run(read_side, clock, server.url, MONDAY)
    await run(read_side, clock, server.url, MONDAY)
    [skipped] = [d for d in report.deliveries if d.status == "skipped"]
    assert (skipped.person, skipped.detail) == ("name:Antony Draper", "no e-mail address")
    [event] = await recorded(store, "name:Antony Draper")  # once, though two passes ran
    assert isinstance(event, ReminderSkipped)
    assert (event.kind, event.item, event.name) == ("risk_stale", f"risk:{ids.r2}", "Antony Draper")
    assert event.reason == "no e-mail address"


async def test_a_muted_person_gets_nothing_about_that_programme_until_unmuted(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    await given_the_scenario(store, clock)
    assert await set_muted(store, "digital-transition", "Glyn.Peach@lcc.example", muted=True,
                           at=clock.now(), reason="on leave")  # fmt: skip
    assert not await set_muted(store, "digital-transition", GLYN.email, muted=True, at=clock.now())
    report = await run(read_side, clock, server.url, MONDAY)
    assert server.handler.to(GLYN.email) == []
    assert report.muted == 4

    assert await set_muted(store, "digital-transition", GLYN.email, muted=False, at=clock.now())
    await run(read_side, clock, server.url, MONDAY)
    assert len(server.handler.to(GLYN.email)) == 1


class LostLock:
    """A pass lock whose connection has gone."""

    async def acquire(self, wait: float = 0.0) -> bool:
        return True

    async def held(self) -> bool:
        return False

    async def release(self) -> None:
        return None


async def test_a_pass_that_has_lost_its_lock_stops_before_sending(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    await given_the_scenario(store, clock)
    mailer = SmtpMailer(parse_smtp_url(server.url))
    with pytest.raises(LockLost):
        await run_pass(
            read_side.reader,
            mailer,
            today=MONDAY,
            clock=clock,
            settings=settings_for(server.url),
            lock=LostLock(),
        )
    assert server.handler.received == []


async def test_a_dry_run_sends_and_records_nothing(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    await given_the_scenario(store, clock)
    report = await run_pass(
        read_side.reader, None, today=MONDAY, clock=clock, settings=settings_for(server.url)
    )
    assert report.count("planned") == 6
    assert server.handler.received == []
    assert await recorded(store, MIKE.email) == []


class Crash(BaseException):
    """The process dies."""


class CrashAfterAccept:
    """Delivers, then the process dies before the pass can record it."""

    def __init__(self, url: str) -> None:
        self.mailer = SmtpMailer(parse_smtp_url(url))

    async def send(self, message: EmailMessage) -> None:
        await self.mailer.send(message)
        raise Crash


async def test_a_crash_between_acceptance_and_record_resends_with_the_same_message_id(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    await given_the_scenario(store, clock)
    with pytest.raises(Crash):
        await run_pass(
            read_side.reader,
            CrashAfterAccept(server.url),
            today=MONDAY,
            clock=clock,
            settings=settings_for(server.url),
        )
    [first] = server.handler.received
    await run(read_side, clock, server.url, MONDAY)
    again = server.handler.to(first.recipients[0])
    assert len(again) == 2  # the documented window: one e-mail, sent twice
    assert again[0].message["Message-ID"] == again[1].message["Message-ID"]
    assert server.handler.count() == 6


async def test_a_pass_for_today_reads_the_rows_and_the_events_beyond_them(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    ids = await given_the_scenario(store, clock)
    await read_side.project()
    # Answered after the projector's last batch: Gabby approves D2, which signs it off.
    late = Script("digital-transition")
    late.approve(ids.d2, GABBY, MONDAY)
    late.signed_off(ids.d2, [GABBY], MONDAY)
    for stream, event in late.entries:
        await append_one(store, stream, event)
    settings = settings_for(server.url)
    clock.set(datetime(2021, 3, 15, 7, 59, tzinfo=UTC))  # the pass runs on the day itself
    today = await run_pass(read_side.reader, None, today=MONDAY, clock=clock, settings=settings)
    clock.set(datetime(2026, 11, 26, 12, tzinfo=UTC))  # the same day asked later: time travel
    later = await run_pass(read_side.reader, None, today=MONDAY, clock=clock, settings=settings)
    assert today == later
    planned = [s for d in today.deliveries for s in d.summaries]
    assert planned and not any("Key staff gaps filled" in s for s in planned)


EVE = person("eve.lowe@lcc.example", "Eve Lowe\r\nBcc: mallory@evil.example")
"""Stored before the API refused control characters in names (finding 4)."""
JOSE = person("josé.ruiz@lcc.example", "José Ruiz")
"""An address the mail library cannot put in a header without SMTPUTF8."""


def a_programme_with_bad_records() -> Script:
    s = Script("bad-records")
    s.register(
        "Bad records", d("2021-01-04"), starts_on=d("2021-01-04"), planned_end_on=d("2021-06-30")
    )
    s.member(EVE, "Sponsor", "A", d("2021-01-04"))
    s.member(JOSE, "Finance Lead", "A", d("2021-01-04"))
    for approver, title in ((EVE, "Plan\r\nBcc: mallory@evil.example"), (JOSE, "Budget")):
        item = s.deliverable(title, d("2021-03-31"), [approver], d("2021-01-05"))
        s.submit(item, d("2021-03-01"))
    return s


async def test_finding_4_a_crlf_in_a_name_or_title_neither_stops_the_pass_nor_adds_a_header(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    store = read_side.store
    await given_the_scenario(store, clock)
    await append_all(store, a_programme_with_bad_records(), clock)
    report = await run(read_side, clock, server.url, MONDAY)

    # Everyone in the scenario still gets their e-mail, and so does Eve, on one-line headers.
    assert {r.recipients[0] for r in server.handler.received} == PEOPLE | {EVE.email}
    [eve] = server.handler.to(EVE.email)
    assert eve.message["To"] == '"Eve Lowe Bcc: mallory@evil.example" <eve.lowe@lcc.example>'
    assert "Bcc" not in eve.message and "mallory@evil.example" not in eve.recipients
    assert "\n" not in str(eve.message["Subject"])
    # The one record the mail library refuses fails alone, recorded, and is not retried.
    [failed] = [d for d in report.deliveries if d.status == "failed"]
    assert failed.person == JOSE.email and "ascii" in failed.detail
    [event] = await recorded(store, JOSE.email)
    assert isinstance(event, ReminderSendFailed) and event.permanent


class AnotherPassRecordsMeanwhile:
    """Delivers, and meanwhile another pass (one that lost its lock and went on) records a
    send on the same person's stream."""

    def __init__(self, url: str, store: EventStore, clock: FixedClock) -> None:
        self.mailer = SmtpMailer(parse_smtp_url(url))
        self.store = store
        self.clock = clock

    async def send(self, message: EmailMessage) -> None:
        await self.mailer.send(message)
        person = str(message["To"]).split("<")[-1].rstrip(">")
        stream = reminder_stream(person)
        intruder = ReminderSkipped(
            key="other-pass",
            kind="signoff_pending",
            programme_key="digital-transition",
            item="other",
            person=person,
            name="",
            working_day=MONDAY,
            reason="another pass",
        )
        version = await self.store.stream_version(stream)
        await self.store.append(
            stream, [NewEvent(data=intruder, occurred_at=self.clock.now())], version
        )


async def test_a_write_by_another_pass_meanwhile_is_a_conflict_not_a_second_record(
    read_side: ReadSide, clock: FixedClock, server: MailServer
) -> None:
    """The pass records each send expecting the version it read the person's history at: it
    decided on that history, so it does not write on top of someone else's."""
    store = read_side.store
    await given_the_scenario(store, clock)
    with pytest.raises(StreamConflict):
        await run_pass(
            read_side.reader,
            AnotherPassRecordsMeanwhile(server.url, store, clock),
            today=MONDAY,
            clock=clock,
            settings=settings_for(server.url),
        )
    [sent] = server.handler.received
    person = sent.recipients[0]
    assert [type(e).__name__ for e in await recorded(store, person)] == ["ReminderSkipped"]
