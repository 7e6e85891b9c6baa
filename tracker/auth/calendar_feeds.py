"""Personal calendar feeds: a private, read-only, revocable URL per person.

Calendar clients (Outlook, Google Calendar, Apple Calendar) subscribe to a URL and cannot send
an ``Authorization`` header, so the secret is the URL's last part: ``cal_`` and 43 URL-safe
characters (32 random bytes), stored as its SHA-256 only. A person has one feed at a time:
issuing a new one revokes the old (a leaked URL is replaced, not added to). What the feed
shows is read as the person may read now (``api.controllers.calendar_feed``).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final
from uuid import uuid4

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.clock import Clock
from tracker.db import WRITE_OPTION
from tracker.errors import NotFound
from tracker.ids import person_id

PREFIX: Final = "cal_"
MAX_SECRET_LENGTH: Final = 100


class FeedRecord(msgspec.Struct, frozen=True, kw_only=True):
    feed_id: str
    person: str
    created_at: str
    revoked_at: str | None = None


class IssuedFeed(msgspec.Struct, frozen=True, kw_only=True):
    record: FeedRecord
    secret: str
    """Shown once, in the URL; only its hash is stored."""


def feed_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


async def _write(engine: AsyncEngine) -> AsyncConnection:
    conn = await engine.connect()
    return await conn.execution_options(**{WRITE_OPTION: True})


async def issue_feed(engine: AsyncEngine, clock: Clock, email: str) -> IssuedFeed:
    """A new feed for the person; their previous one, if any, is revoked in the same
    transaction."""
    person = person_id(email)
    now = clock.now().isoformat()
    secret = PREFIX + secrets.token_urlsafe(32)
    record = FeedRecord(feed_id=str(uuid4()), person=person, created_at=now)
    conn = await _write(engine)
    try:
        async with conn.begin():
            await conn.execute(
                text(
                    "UPDATE calendar_feeds SET revoked_at = :now "
                    "WHERE person = :person AND revoked_at IS NULL"
                ),
                {"now": now, "person": person},
            )
            await conn.execute(
                text(
                    "INSERT INTO calendar_feeds (feed_id, feed_hash, person, created_at) "
                    "VALUES (:feed_id, :hash, :person, :created_at)"
                ),
                {**msgspec.structs.asdict(record), "hash": feed_hash(secret)},
            )
    finally:
        await conn.close()
    return IssuedFeed(record=record, secret=secret)


async def revoke_feed(engine: AsyncEngine, clock: Clock, email: str) -> FeedRecord:
    """Revoke the person's feed; NotFound when they have none."""
    person = person_id(email)
    now = clock.now().isoformat()
    conn = await _write(engine)
    try:
        async with conn.begin():
            row = (
                await conn.execute(
                    text(
                        "SELECT feed_id, person, created_at FROM calendar_feeds "
                        "WHERE person = :person AND revoked_at IS NULL"
                    ),
                    {"person": person},
                )
            ).first()
            if row is None:
                raise NotFound(f"{person} has no calendar feed", code="feed_not_found")
            await conn.execute(
                text("UPDATE calendar_feeds SET revoked_at = :now WHERE feed_id = :id"),
                {"now": now, "id": row.feed_id},
            )
    finally:
        await conn.close()
    return FeedRecord(
        feed_id=row.feed_id, person=row.person, created_at=row.created_at, revoked_at=now
    )


async def feed_owner(engine: AsyncEngine, secret: str) -> str | None:
    """The person whose active feed has this secret, or None (unknown, malformed, revoked)."""
    if not secret.startswith(PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT person FROM calendar_feeds WHERE feed_hash = :h AND revoked_at IS NULL"
                ),
                {"h": feed_hash(secret)},
            )
        ).first()
    return None if row is None else str(row.person)


__all__ = ["FeedRecord", "IssuedFeed", "feed_owner", "issue_feed", "revoke_feed"]
