"""Erasing a person (UK GDPR article 17) without losing a decision.

In order, each step safe to run again if an earlier attempt stopped part-way:

1. the person's data key is deleted and they get their number ("Erased person N"); on SQLite the
   freed bytes are overwritten (``secure_delete``);
2. ``PersonErased`` is recorded in their person stream and ``ProgrammePersonErased`` in the
   stream of every programme whose history names them, so everything kept for an older version
   of those programmes (in this process and in others) is read again;
3. every plain copy outside the log is removed: their tokens are revoked and renamed, page
   sessions ended, calendar feeds revoked, idempotency records and webhook bodies that quote
   them deleted or blanked;
4. the read model is rebuilt from the log (now opening them as "Erased person N") and swapped in;
5. the database is compacted so no freed page keeps a copy (SQLite ``VACUUM``; PostgreSQL
   ``VACUUM FULL`` of the tables changed).

Erasing someone whose erasure finished (``person_keys.erasure_finished_at``) changes nothing;
an attempt that stopped part-way is finished by the next one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.clock import Clock
from tracker.db import WRITE_OPTION
from tracker.errors import InvalidInput
from tracker.events.base import Metadata, NewEvent
from tracker.events.people import PersonErased, ProgrammePersonErased
from tracker.events.store import StreamAppend, StreamState
from tracker.ids import person_id
from tracker.people.store import SealingStore
from tracker.projections.read_model.fold import belongs_to
from tracker.projections.read_model.rebuild import rebuild

MAX_REASON: int = 2000
SCRUBBED_TABLES = (
    "person_keys",
    "api_tokens",
    "page_sessions",
    "calendar_feeds",
    "idempotency_records",
    "webhook_deliveries",
)


class Erasure(msgspec.Struct, frozen=True, kw_only=True):
    """What ``erase`` did: ``erased`` False when the person had been erased before."""

    pseudonym: str
    number: int
    erased: bool
    programmes: list[str]
    tokens_revoked: int = 0
    records_removed: int = 0
    rebuilt_events: int = 0

    @property
    def shown(self) -> str:
        return f"Erased person {self.number}"


def _redacted(text_: str, names: Iterable[str], shown: str) -> str:
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text_ = re.sub(re.escape(name), shown, text_, flags=re.IGNORECASE)
    return text_


async def _programmes_naming(store: SealingStore, engine: AsyncEngine, pseudonym: str) -> list[str]:
    """Programmes whose history holds a value sealed for ``pseudonym``."""
    async with engine.connect() as conn:
        streams = [
            str(row.stream_id)
            for row in (
                await conn.execute(
                    text(
                        "SELECT DISTINCT stream_id FROM events "
                        f"WHERE {_holding('data')} OR {_holding('metadata')}"
                    ),
                    {"p": containing(pseudonym)},
                )
            ).all()
        ]
    keys: set[str] = set()
    for start in range(0, len(streams), 200):
        for event in await store.inner.read_streams(streams[start : start + 200]):
            owner = belongs_to(event)
            if owner is not None:
                keys.add(owner)
    return sorted(keys)


async def erase_person(
    store: SealingStore,
    engine: AsyncEngine,
    clock: Clock,
    *,
    email: str,
    reason: str,
    erased_by: str,
) -> Erasure:
    address = person_id(email)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("an erasure needs a reason: the request it answers")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason is {len(reason)} characters; at most {MAX_REASON}")
    keys = await store.keys()
    pseudonym = keys.keyring.pseudonym(address)
    await keys.refresh([pseudonym])
    names = set(keys.keyring.names.get(pseudonym, set())) | {address}
    number, now_erased = await keys.erase(pseudonym, clock.now())
    # Looked for once the key is gone: no append naming them passes its precondition after
    # that (on PostgreSQL, but for one already past its check: docs/privacy.md), so every
    # programme that ever names them is found and gets a new version.
    programmes = await _programmes_naming(store, engine, pseudonym)
    if not now_erased and await keys.erasure_finished(pseudonym):
        return Erasure(pseudonym=pseudonym, number=number, erased=False, programmes=programmes)
    # Erased now, or an earlier attempt stopped after deleting the key: every step that
    # follows is done (again), each safe to repeat.
    shown = f"Erased person {number}"
    person_stream = f"person:{address}"
    recorded = any(isinstance(e.data, PersonErased) for e in await store.read_stream(person_stream))
    at = clock.now()
    metadata = Metadata(actor=erased_by)
    appends = [
        StreamAppend(
            stream_id=person_stream,
            events=[
                NewEvent(
                    data=PersonErased(
                        pseudonym=pseudonym,
                        number=number,
                        reason=_redacted(reason, names, shown),
                        erased_by=erased_by,
                    ),
                    occurred_at=at,
                    metadata=metadata,
                )
            ],
            expected_version=StreamState.ANY,
        ),
        *(
            StreamAppend(
                stream_id=f"programme:{key}",
                events=[
                    NewEvent(
                        data=ProgrammePersonErased(programme_key=key, number=number),
                        occurred_at=at,
                        metadata=metadata,
                    )
                ],
                expected_version=StreamState.ANY,
            )
            for key in programmes
        ),
    ]
    if not recorded:
        await store.append_streams(appends)
    tokens, records = await scrub_plain_copies(
        engine, clock, address, names, number, pseudonym=pseudonym
    )
    report = await rebuild(store, engine, clock=clock)
    await compact(engine)
    await keys.finish_erasure(pseudonym, clock.now())
    return Erasure(
        pseudonym=pseudonym,
        number=number,
        erased=True,
        programmes=programmes,
        tokens_revoked=tokens,
        records_removed=records,
        rebuilt_events=report.events,
    )


def containing(value: str) -> str:
    """A LIKE pattern matching text that holds ``value`` literally: its ``%``, ``_`` and
    ``\\`` are escaped (used with ``ESCAPE '\\'``), so "Ann_Lee" does not match "AnnXLee"."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _holding(column: str, *, any_case: bool = False) -> str:
    """SQL: ``column`` holds the ``:p`` pattern (from ``containing``). ``any_case`` compares
    lower-cased text on both databases: PostgreSQL's LIKE folds no case and SQLite's only
    ASCII letters, as does SQLite's ``lower`` (so "SIÂN" still matches "Siân" on PostgreSQL
    only)."""
    if any_case:
        return f"lower({column}) LIKE lower(:p) ESCAPE '\\'"
    return f"{column} LIKE :p ESCAPE '\\'"


async def scrub_plain_copies(
    engine: AsyncEngine,
    clock: Clock,
    address: str,
    names: set[str],
    number: int,
    *,
    pseudonym: str,
) -> tuple[int, int]:
    """Remove every plain copy of the person outside the log; returns (tokens revoked,
    records deleted or blanked). A record quotes the person when it holds their address or a
    name of theirs, literally and in any case."""
    now = clock.now().isoformat()
    erased_email, erased_name = f"erased-{number}@erased.invalid", f"Erased person {number}"
    quoted = sorted(names | {address}, key=len, reverse=True)
    conn = await (await engine.connect()).execution_options(**{WRITE_OPTION: True})
    removed = 0
    try:
        async with conn.begin():
            if engine.dialect.name == "sqlite":
                await conn.exec_driver_sql("PRAGMA secure_delete=ON")
            result = await conn.execute(
                text(
                    "UPDATE api_tokens SET person = :e, name = :n, "
                    "revoked_at = COALESCE(revoked_at, :now) WHERE person = :a"
                ),
                {"e": erased_email, "n": erased_name, "now": now, "a": address},
            )
            tokens = result.rowcount or 0
            result = await conn.execute(
                text("DELETE FROM page_sessions WHERE person = :a"), {"a": address}
            )
            removed += result.rowcount or 0
            result = await conn.execute(
                text(
                    "UPDATE calendar_feeds SET person = :e, "
                    "revoked_at = COALESCE(revoked_at, :now) WHERE person = :a"
                ),
                {"e": erased_email, "now": now, "a": address},
            )
            removed += result.rowcount or 0
            # Their records: by pseudonym since 2026-12-06 (api/writes.py), by address before.
            result = await conn.execute(
                text("DELETE FROM idempotency_records WHERE principal IN (:a, :p)"),
                {"a": address, "p": pseudonym},
            )
            removed += result.rowcount or 0
            for value in quoted:
                like = {"p": containing(value)}
                body, headers, flash = (
                    _holding(c, any_case=True) for c in ("body", "headers", "flash")
                )
                for sql in (
                    f"DELETE FROM idempotency_records WHERE {body} OR {headers}",
                    f"UPDATE page_sessions SET flash = NULL WHERE {flash}",
                    f"UPDATE webhook_deliveries SET body = '{{\"erased\": true}}' WHERE {body}",
                ):
                    result = await conn.execute(text(sql), like)
                    removed += result.rowcount or 0
    finally:
        await conn.close()
    return tokens, removed


async def compact(engine: AsyncEngine) -> None:
    """Leave no freed page holding an erased value: SQLite rewrites the file and empties its
    write-ahead log; PostgreSQL rewrites the tables erasure changes (the rebuilt read model's
    old tables were dropped whole)."""
    async with engine.connect() as conn:
        # Outside a transaction (neither statement runs in one): the driver's own connection.
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        if engine.dialect.name == "sqlite":
            await driver.execute("VACUUM")
            await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            for table in SCRUBBED_TABLES:
                await driver.execute(f"VACUUM FULL {table}")
