"""Issue 18, "done when": a person who endorsed, approved as a deputy, owned RAID items and got
reminders is erased, on SQLite and on PostgreSQL. Afterwards their name and address are in no
API answer, page, export, e-mail or database byte; every report shows the same decisions,
dates and roles (with "Erased person 1" where they were); ``verify`` passes; an export
re-imports and verifies; erasing again changes nothing; a non-admin is refused."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.client import Api, running_api, sign_in_to_pages
from tests.databases import fresh_sqlite_database
from tests.projections.builders import append_all
from tests.reminders.scenario import GLYN, MIKE, MONDAY, d, digital_transition
from tests.reminders.smtp import mail_server
from tracker.clock import FixedClock
from tracker.db import create_engine, sqlite_path
from tracker.errors import InvalidInput
from tracker.events.base import NewEvent
from tracker.events.open import open_raw_store, open_store
from tracker.events.people import PersonRenamed
from tracker.events.store import StreamState
from tracker.events.transfer import export_events, import_events
from tracker.events.verify import verify_store
from tracker.people.erasure import erase_person, scrub_plain_copies
from tracker.people.store import SealingStore
from tracker.projections.read_model.projector import Projector
from tracker.projections.read_model.reader import Reader
from tracker.reminders.mailer import SmtpMailer, parse_smtp_url
from tracker.reminders.passes import run_pass
from tracker.settings import ReminderSettings, Settings

pytestmark = pytest.mark.db

KEY = "digital-transition"
GONE = re.compile(r"glyn|peach", re.IGNORECASE)
"""Glyn Peach's name and address, in any case (no other scenario text holds these letters)."""
SHOWN, SHOWN_EMAIL = "Erased person 1", "erased-1@erased.invalid"


PLACE = re.compile(r'"(version|position|content_hash)":("[0-9a-f]{64}"|\d+)')
"""Where the programme's stream stands (one event further after the erasure: it records
``ProgrammePersonErased``) and the seal over the report's text (which covers names as shown:
docs/privacy.md, "What erasure does not do"); neither is a decision."""


def scrubbed(body: str) -> str:
    """A report from before the erasure, with Glyn as the erasure shows him."""
    return unplaced(body.replace(GLYN.name, SHOWN).replace(GLYN.email, SHOWN_EMAIL))


SEAL = re.compile(r"\b[0-9a-f]{64}\b")


def unplaced(body: str) -> str:
    return SEAL.sub("<seal>", PLACE.sub(r'"\1":_', body))


async def given(database_url: str) -> None:
    """The reminder scenario, plus: Glyn endorses 'Payroll cutover' and approves 'DR plan' as
    Mike's deputy; then a reminder pass on Monday 15 March 2021 e-mails everyone due."""
    script, ids = digital_transition()
    extra = script.deliverable(
        "Payroll cutover", d("2021-03-31"), [MIKE], d("2021-01-06"), endorsers=[GLYN]
    )
    script.submit(extra, d("2021-03-02"))
    script.endorse(extra, GLYN, d("2021-03-03"))
    script.approve(ids.d3, GLYN, d("2021-03-10"), behalf=MIKE)
    clock = FixedClock(datetime(2021, 3, 15, 7, tzinfo=UTC))
    settings = Settings(database_url=database_url)
    store, engine = open_store(settings, clock=clock), create_engine(settings)
    try:
        await append_all(store, script, clock)
        await Projector(store, engine).catch_up()
        with mail_server() as server:
            mailer = SmtpMailer(parse_smtp_url(server.url), attempts=1, backoff=0)
            clock.set(datetime(2021, 3, 15, 12, tzinfo=UTC))
            await run_pass(
                Reader(store, engine),
                mailer,
                today=MONDAY,
                clock=clock,
                settings=ReminderSettings(
                    smtp_url=server.url, mail_from="tracker@lcc.example", base_url="http://t"
                ),
            )
            to_glyn = [r for r in server.handler.received if GLYN.email in r.recipients]
            assert to_glyn and "Glyn Peach" in to_glyn[0].message["To"]
    finally:
        await store.close()
        await engine.dispose()


REPORTS = [
    f"/api/v1/programmes/{KEY}",
    f"/api/v1/programmes/{KEY}/signoffs",
    f"/api/v1/programmes/{KEY}/risks",
    f"/api/v1/programmes/{KEY}/closure-report?as_of=2021-03-15",
    f"/api/v1/programmes/{KEY}/closure-report?as_of=2021-03-15&format=csv",
    f"/api/v1/programmes/{KEY}/closure-report?as_of=2021-03-15&format=markdown",
    f"/api/v1/people/{MIKE.email}/inbox?as_of=2021-03-15",
]
PAGES = [f"/programmes/{KEY}", f"/programmes/{KEY}/closure-report", "/"]


async def answers(api: Api, admin: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in REPORTS:
        answer = await api.get(path, admin)
        assert answer.status_code == 200, (path, answer.text)
        found[path] = answer.text
    for path in PAGES:
        answer = await api.client.get(path)
        assert answer.status_code == 200, (path, answer.text)
        found[path] = answer.text
    return found


async def binary_exports(api: Api) -> list[str]:
    texts = []
    for path in (
        f"/programmes/{KEY}/closure-report.xlsx",
        f"/programmes/{KEY}/deliverables.xlsx",
    ):
        answer = await api.client.get(path)
        assert answer.status_code == 200, path
        with zipfile.ZipFile(io.BytesIO(answer.content)) as book:
            texts.extend(book.read(name).decode() for name in book.namelist())
    pdf = await api.client.get(f"/programmes/{KEY}/closure-report.pdf")
    assert pdf.status_code == 200
    texts.append("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages))
    texts.append((await api.client.get(f"/programmes/{KEY}/deliverables.csv")).text)
    return texts


async def events_text(engine: AsyncEngine) -> str:
    """The event log as stored: stream ids, data, metadata and idempotency keys."""
    async with engine.connect() as conn:
        found = await conn.execute(
            text("SELECT stream_id, data, metadata, idempotency_key FROM events")
        )
        return "\n".join(" ".join(str(v) for v in row) for row in found.all())


async def database_text(database_url: str, engine: AsyncEngine) -> str:
    """Everything the database holds: on SQLite the file's bytes (and its write-ahead log's),
    on PostgreSQL every row of every table as text."""
    if database_url.startswith("sqlite"):
        path = Path(sqlite_path(database_url))
        parts = [path] + [Path(f"{path}{end}") for end in ("-wal", "-journal")]
        return "".join(p.read_bytes().decode("latin-1") for p in parts if p.exists())
    async with engine.connect() as conn:
        tables = [
            str(r[0])
            for r in (
                await conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = 'public'"
                    )
                )
            ).all()
        ]
        rows = []
        for table in tables:
            found = await conn.execute(text(f'SELECT t::text FROM "{table}" t'))
            rows.extend(str(r[0]) for r in found.all())
    return "\n".join(rows)


async def test_an_erased_person_is_gone_and_every_decision_stays(
    database_url: str, tmp_path: Path
) -> None:
    await given(database_url)
    settings = Settings(database_url=database_url)
    engine = create_engine(settings)
    try:
        async with running_api(database_url) as api:
            admin = await api.admin()
            glyn = await api.as_(GLYN.email)
            await sign_in_to_pages(api, await api.token("sponsor.admin@lcc.example", "admin"))
            before = await answers(api, admin)
            for path, body in before.items():
                assert "sealed:" not in body and "⟦" not in body, path  # opened everywhere
            for path in REPORTS[:-1]:
                assert GLYN.name in before[path], path
            assert GONE.search(await events_text(engine)) is None, "sealed from the start"

            refused = await api.post(
                f"/api/v1/people/{GLYN.email}/erase", glyn, {"reason": "asked"}
            )
            assert refused.status_code == 403, refused.text

            erased = await api.post(
                f"/api/v1/people/{GLYN.email}/erase",
                admin,
                {"reason": "Erasure request from Glyn Peach, ref SAR-2026-41"},
            )
            assert erased.status_code == 200, erased.text
            done = erased.json()
            assert (done["number"], done["shown"], done["erased"]) == (1, SHOWN, True)
            assert done["programmes"] == [KEY, "easter-cutover"] or KEY in done["programmes"]
            assert done["tokens_revoked"] == 1

            after = await answers(api, admin)
            for path, body in after.items():
                assert GONE.search(body) is None, (path, GONE.search(body))
                assert "sealed:" not in body and "⟦" not in body, path
            for path in REPORTS[:-1]:
                assert SHOWN in after[path], path
            # Same decisions, dates and roles: each JSON report and export is the one from
            # before with Glyn shown as Erased person 1.
            for path in REPORTS:
                assert unplaced(after[path]) == scrubbed(before[path]), path
            signoffs = after[f"/api/v1/programmes/{KEY}/signoffs"]
            assert SHOWN in signoffs and "Mike Kirby" in signoffs
            for body in await binary_exports(api):
                assert GONE.search(body) is None
            events = await api.get("/api/v1/events?limit=1000", admin)
            assert events.status_code == 200 and GONE.search(events.text) is None
            assert SHOWN in events.text

            assert (await api.get(f"/api/v1/programmes/{KEY}", glyn)).status_code == 401

            again = await api.post(
                f"/api/v1/people/{GLYN.email}/erase", admin, {"reason": "asked twice"}
            )
            assert again.status_code == 200 and again.json()["erased"] is False
            assert after == await answers(api, admin), "erasing again changed something"

        found = GONE.search(await database_text(database_url, engine))
        assert found is None, found

        raw = open_raw_store(settings)
        try:
            assert (await verify_store(raw)).ok
            export = tmp_path / "events.jsonl"
            with export.open("wb") as out:
                await export_events(raw, out)
        finally:
            await raw.close()
        assert GONE.search(export.read_text()) is None

        sealing = open_store(settings)
        assert isinstance(sealing, SealingStore)
        keys = await (await sealing.keys()).export()
        await sealing.close()
        assert GONE.search(str(keys)) is None
    finally:
        await engine.dispose()

    # Export, import (with the key backup) and verify, into a new store.
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    async with fresh_sqlite_database(copy_dir) as copy_url:
        copy_settings = Settings(database_url=copy_url, people_key=None)
        copy = open_store(copy_settings)
        assert isinstance(copy, SealingStore)
        try:
            assert await import_events(copy, export) > 0
            await copy.import_keys(keys)
            assert (await verify_store(copy.inner)).ok
            copy_engine = create_engine(copy_settings)
            try:
                await Projector(copy, copy_engine).catch_up()
                view = await Reader(copy, copy_engine).view(
                    await Reader(copy, copy_engine).glance(KEY)
                )
            finally:
                await copy_engine.dispose()
            names = {m.name for m in view.roster.values()}
            assert SHOWN in names and "Mike Kirby" in names
            assert not any(GONE.search(n) for n in names)
        finally:
            await copy.close()


async def test_the_clean_up_matches_a_name_literally_and_in_any_case(database_url: str) -> None:
    """Idempotency records that quote the person go, whatever the case; one that only
    matches the name read as a LIKE pattern ("_" as any letter) stays."""
    engine = create_engine(Settings(database_url=database_url))
    bodies = {
        "theirs": '{"endorser": "ANN_LEE@lcc.example"}',
        "by-name": '{"owner": "ann_lee"}',
        "someone-else": '{"endorser": "annXlee@lcc.example", "owner": "Ann%Lee"}',
    }
    try:
        async with engine.begin() as conn:
            for key, body in bodies.items():
                await conn.execute(
                    text(
                        "INSERT INTO idempotency_records (principal, key, fingerprint, state, "
                        "status_code, headers, body, created_at) "
                        "VALUES ('admin', :k, 'f', 'done', 201, '{}', :b, '2021-03-15')"
                    ),
                    {"k": key, "b": body},
                )
        clock = FixedClock(datetime(2021, 3, 15, 12, tzinfo=UTC))
        _, removed = await scrub_plain_copies(
            engine, clock, "ann_lee@lcc.example", {"Ann_Lee"}, 1, pseudonym="p_ANN"
        )
        async with engine.connect() as conn:
            kept = (await conn.execute(text("SELECT key FROM idempotency_records"))).all()
        assert [row.key for row in kept] == ["someone-else"]
        assert removed == 2
    finally:
        await engine.dispose()


async def test_an_erasure_between_sealing_and_storing_is_caught_by_the_append(
    database_url: str,
) -> None:
    """Two processes' stores on one database. While the first seals an event naming Ann with
    the key it holds, the second erases Ann. The append checks that no one was erased since
    the keys were loaded: it stores nothing, reloads, and refuses to name Ann again."""
    settings = Settings(database_url=database_url)
    clock = FixedClock(datetime(2021, 3, 15, 12, tzinfo=UTC))
    writer, eraser = open_store(settings, clock=clock), open_store(settings, clock=clock)
    engine = create_engine(settings)
    ann, stream = "ann@lcc.example", "person:ann@lcc.example"

    def renamed(name: str) -> NewEvent:
        return NewEvent(data=PersonRenamed(email=ann, name=name), occurred_at=clock.now())

    try:
        assert isinstance(writer, SealingStore) and isinstance(eraser, SealingStore)
        await writer.append(stream, [renamed("Ann Lee")], 0)
        keys = await writer.keys()
        sealing_with = keys.ensure

        async def erased_meanwhile(identities: Mapping[str, set[str]], now: datetime) -> None:
            await sealing_with(identities, now)  # the writer holds Ann's key: it seals with it
            if ann in identities and not keys.keyring.erased:
                await erase_person(
                    eraser, engine, clock, email=ann, reason="asked", erased_by="dpo"
                )

        keys.ensure = erased_meanwhile  # type: ignore[method-assign]
        with pytest.raises(InvalidInput) as refused:
            await writer.append(stream, [renamed("Ann B. Lee")], StreamState.ANY)
        assert refused.value.code == "person_erased"
        history = await eraser.read_stream(stream)
        assert [e.type for e in history] == ["PersonRenamed", "PersonErased"]
    finally:
        await writer.close()
        await eraser.close()
        await engine.dispose()


async def test_two_erasures_at_once_in_two_processes_both_finish_with_their_own_numbers(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    clock = FixedClock(datetime(2021, 3, 15, 12, tzinfo=UTC))
    first, second = open_store(settings, clock=clock), open_store(settings, clock=clock)
    engines = [create_engine(settings), create_engine(settings)]
    people = ["ann@lcc.example", "bob@lcc.example"]
    try:
        for email in people:
            event = PersonRenamed(email=email, name=email.split("@")[0].title())
            await first.append(
                f"person:{email}", [NewEvent(data=event, occurred_at=clock.now())], 0
            )
        assert isinstance(first, SealingStore) and isinstance(second, SealingStore)
        erasures = await asyncio.gather(
            *(
                erase_person(store, engine, clock, email=email, reason="asked", erased_by="dpo")
                for store, engine, email in zip((first, second), engines, people, strict=True)
            )
        )
        assert sorted(e.number for e in erasures) == [1, 2]
        assert all(e.erased for e in erasures)
        for email in people:
            history = await second.read_stream(f"person:{email}")
            assert [e.type for e in history] == ["PersonRenamed", "PersonErased"]
            assert email not in str([e.data for e in history])
    finally:
        await first.close()
        await second.close()
        for engine in engines:
            await engine.dispose()


async def test_a_process_that_read_a_name_reads_it_erased_right_after_another_erases_it(
    database_url: str,
) -> None:
    """The erasure count is read beside the stream, not before it: the next read still sees
    an erasure answered before it was sent."""
    settings = Settings(database_url=database_url)
    clock = FixedClock(datetime(2021, 3, 15, 12, tzinfo=UTC))
    reader, eraser = open_store(settings, clock=clock), open_store(settings, clock=clock)
    engine = create_engine(settings)
    stream = "person:ann@lcc.example"
    try:
        event = PersonRenamed(email="ann@lcc.example", name="Ann Lee")
        await reader.append(stream, [NewEvent(data=event, occurred_at=clock.now())], 0)
        (before,) = await reader.read_stream(stream)
        assert isinstance(before.data, PersonRenamed) and before.data.name == "Ann Lee"
        assert isinstance(eraser, SealingStore)
        await erase_person(
            eraser, engine, clock, email="ann@lcc.example", reason="asked", erased_by="dpo"
        )
        renamed, erased = await reader.read_stream(stream)
        assert isinstance(renamed.data, PersonRenamed)
        assert (renamed.data.name, renamed.data.email) == ("Erased person 1", SHOWN_EMAIL)
        assert erased.type == "PersonErased"
        (page,) = [e for e in await reader.read_streams([stream]) if e.type == "PersonRenamed"]
        assert isinstance(page.data, PersonRenamed) and page.data.name == "Erased person 1"
    finally:
        await reader.close()
        await eraser.close()
        await engine.dispose()
