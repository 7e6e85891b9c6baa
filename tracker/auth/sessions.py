"""Page sessions, kept in the database (``page_sessions``): the cookie holds only a random id.

- A session id is 32 random bytes (43 URL-safe characters); only its SHA-256 is stored, so a
  database dump opens no session, and the cookie carries no credential: no token, no person.
- A session belongs to one token. Loading it reads the token's row in the same statement, so
  a revoked or expired token ends its sessions on their next request, in every process, with
  no cache in between; revoking also deletes them (``tokens.revoke_tokens``).
- Ended means deleted: at sign-out, at revocation, and when a request finds it idle too long
  or past its lifetime (``api/pages/session.py`` decides which). Sessions nobody came back to
  are deleted when anyone signs in (``prune``).
- ``flash`` holds the one-off messages for the next page (JSON), taken when the session is
  next loaded.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.auth.tokens import TokenRecord, stamp, token_record
from tracker.db import WRITE_OPTION


class SessionRow(msgspec.Struct, frozen=True, kw_only=True):
    """A session with its token, as one statement reads them."""

    session_hash: str
    created_at: str
    last_seen_at: str
    flash: str | None
    token: TokenRecord


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


async def _execute(engine: AsyncEngine, statement: str, params: dict[str, object]) -> None:
    async with engine.connect() as conn:
        conn = await conn.execution_options(**{WRITE_OPTION: True})
        async with conn.begin():
            await conn.execute(text(statement), params)


async def start_session(
    engine: AsyncEngine, token: TokenRecord, now: datetime, *, replacing: str | None = None
) -> str:
    """A new session for ``token``; the one whose id is ``replacing`` (the browser's previous
    session, if any) ends. Returns the new id, for the cookie only."""
    session_id = new_session_id()
    async with engine.connect() as conn:
        conn = await conn.execution_options(**{WRITE_OPTION: True})
        async with conn.begin():
            if replacing:
                await conn.execute(
                    text("DELETE FROM page_sessions WHERE session_hash = :h"),
                    {"h": session_hash(replacing)},
                )
            await conn.execute(
                text(
                    "INSERT INTO page_sessions (session_hash, token_id, person, created_at, "
                    "last_seen_at) VALUES (:h, :token_id, :person, :now, :now)"
                ),
                {
                    "h": session_hash(session_id),
                    "token_id": token.token_id,
                    "person": token.person,
                    "now": stamp(now),
                },
            )
    return session_id


async def load_session(engine: AsyncEngine, session_id: str) -> SessionRow | None:
    """The session and its token (revoked or expired ones too: the caller says why it ended)."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT s.session_hash, s.created_at AS session_created_at, s.last_seen_at, "
                    "s.flash, t.token_id, t.prefix, t.person, t.name, t.scope, t.created_at, "
                    "t.revoked_at, t.expires_at FROM page_sessions s "
                    "JOIN api_tokens t ON t.token_id = s.token_id WHERE s.session_hash = :h"
                ),
                {"h": session_hash(session_id)},
            )
        ).first()
    if row is None:
        return None
    return SessionRow(
        session_hash=row.session_hash,
        created_at=row.session_created_at,
        last_seen_at=row.last_seen_at,
        flash=row.flash,
        token=token_record(row),
    )


async def touch_session(engine: AsyncEngine, hashed: str, now: datetime) -> None:
    """Seen now; any flash was taken by this request."""
    await _execute(
        engine,
        "UPDATE page_sessions SET last_seen_at = :now, flash = NULL WHERE session_hash = :h",
        {"now": stamp(now), "h": hashed},
    )


async def set_flash(engine: AsyncEngine, hashed: str, flash: str) -> None:
    await _execute(
        engine,
        "UPDATE page_sessions SET flash = :flash WHERE session_hash = :h",
        {"flash": flash, "h": hashed},
    )


async def end_session(engine: AsyncEngine, hashed: str) -> None:
    await _execute(engine, "DELETE FROM page_sessions WHERE session_hash = :h", {"h": hashed})


async def prune(engine: AsyncEngine, *, idle_before: datetime, started_before: datetime) -> None:
    """Delete sessions that ended unseen: idle since ``idle_before`` or begun before
    ``started_before``."""
    await _execute(
        engine,
        "DELETE FROM page_sessions WHERE last_seen_at < :idle OR created_at < :started",
        {"idle": stamp(idle_before), "started": stamp(started_before)},
    )
