"""API bearer tokens: issued to a person with a scope, stored hashed, revocable.

- A token is ``trk_`` followed by 43 URL-safe characters (32 random bytes). Only its SHA-256 is
  stored: a database dump does not hand out credentials. Tokens are random, not passwords, so a
  slow hash would add nothing.
- Scopes: ``admin`` (programmes, rosters, people, tokens), ``member`` (rights from the roster of
  each programme), ``reader`` (read-only, for API consumers).
- Issuing a token for an e-mail nobody has used yet registers the person (``PersonRegistered``
  in the stream ``person:<email>``): people are facts of the log, tokens are not.
- Every token expires: ``expires_at``, by default 90 days after issue, at most 366 (an admin
  issues a new one; nothing renews a token). A row without one expires 90 days after
  ``created_at``. Expired and revoked tokens are refused the same way, with their own problem.
- Revoking sets ``revoked_at`` and ends the token's page sessions in the same transaction; rows
  are kept so ``tracker token list`` shows the history.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, get_args
from uuid import uuid4

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.clock import Clock
from tracker.commands import Scope
from tracker.db import WRITE_OPTION
from tracker.errors import InvalidInput, NotFound, StreamConflict
from tracker.events.base import NewEvent
from tracker.events.people import PersonRegistered, PersonRenamed
from tracker.events.store import EventStore
from tracker.ids import PersonId, person_id

SCOPES: Final[tuple[str, ...]] = get_args(Scope)
PREFIX: Final = "trk_"
SHOWN_PREFIX_LENGTH: Final = 10
DEFAULT_DAYS: Final = 90
"""How long a token lasts unless its issuer says otherwise."""
MAX_DAYS: Final = 366
"""The longest a token may last: a year, leap days included."""


def stamp(at: datetime) -> str:
    """A UTC instant as stored: one fixed ISO 8601 shape, so text order is time order."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def instant(stored: str) -> datetime:
    found = datetime.fromisoformat(stored)
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


class TokenRecord(msgspec.Struct, frozen=True, kw_only=True):
    token_id: str
    prefix: str
    """The token's first characters, to tell tokens apart; never enough to use one."""
    person: str
    name: str
    scope: Scope
    created_at: str
    revoked_at: str | None = None
    expires_at: str | None = None
    """``None`` only on a row written by hand: it then expires ``DEFAULT_DAYS`` after issue."""

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def expires(self) -> datetime:
        if self.expires_at is not None:
            return instant(self.expires_at)
        return instant(self.created_at) + timedelta(days=DEFAULT_DAYS)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires


class IssuedToken(msgspec.Struct, frozen=True, kw_only=True):
    record: TokenRecord
    secret: str
    """Shown once; only its hash is stored."""


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_scope(scope: str) -> Scope:
    for known in get_args(Scope):
        if scope == known:
            return known  # type: ignore[no-any-return]
    raise InvalidInput(f"scope {scope!r} is not one of: {', '.join(SCOPES)}", code="invalid_scope")


def person_stream(person: PersonId) -> str:
    return f"person:{person}"


async def _person_log(store: EventStore, person: PersonId) -> tuple[str | None, int]:
    """The display name the person's stream holds (None: not known) and its version."""
    known: str | None = None
    stored = await store.read_stream(person_stream(person))
    for item in stored:
        if isinstance(item.data, PersonRegistered | PersonRenamed):
            known = item.data.name
    return known, stored[-1].version if stored else 0


async def registered_name(store: EventStore, email: str) -> str | None:
    """The display name the log holds for a person, or None when it does not know them."""
    known, _ = await _person_log(store, person_id(email))
    return known


async def ensure_person(store: EventStore, clock: Clock, email: str, name: str | None) -> str:
    """Register the person if the log does not know them yet; return their display name.

    A different ``name`` for a known person records ``PersonRenamed``."""
    person = person_id(email)
    stream = person_stream(person)
    known, version = await _person_log(store, person)
    wanted = (name or "").strip()
    if known is not None and (not wanted or wanted == known):
        return known
    shown = wanted or person.split("@", 1)[0]
    event = (
        PersonRegistered(email=person, name=shown)
        if known is None
        else PersonRenamed(email=person, name=shown)
    )
    try:
        await store.append(stream, [NewEvent(data=event, occurred_at=clock.now())], version)
    except StreamConflict:
        pass  # someone registered or renamed them meanwhile: their fact stands
    return shown


def expiry(now: datetime, *, days: int | None = None, on: date | None = None) -> datetime:
    """When a token issued ``now`` expires: after ``days`` days, or at the end of the day ``on``
    (UTC); by default ``DEFAULT_DAYS``. Refused unless it falls in the next ``MAX_DAYS``."""
    if days is not None and on is not None:
        raise InvalidInput("give the expiry in days or as a date, not both")
    if on is not None:
        chosen = datetime.combine(on + timedelta(days=1), time(), tzinfo=UTC)
    else:
        chosen = now + timedelta(days=DEFAULT_DAYS if days is None else days)
    return checked_expiry(now, chosen)


def checked_expiry(now: datetime, chosen: datetime) -> datetime:
    if chosen <= now or chosen > now + timedelta(days=MAX_DAYS):
        raise InvalidInput(
            f"a token must expire within the next {MAX_DAYS} days, not at {stamp(chosen)}",
            code="invalid_expiry",
        )
    return chosen


def parse_expiry(raw: str, now: datetime) -> datetime:
    """``tracker token issue --expires``: a number of days (``30``) or a date (``2027-03-31``,
    the token works to the end of that day, UTC)."""
    given = raw.strip()
    if given.isdigit():
        return expiry(now, days=int(given))
    try:
        on = date.fromisoformat(given)
    except ValueError as exc:
        raise InvalidInput(
            f"--expires must be a number of days or a date (YYYY-MM-DD), got {raw!r}",
            code="invalid_expiry",
        ) from exc
    return expiry(now, on=on)


def token_record(row: object) -> TokenRecord:
    """A row (or any object) with the ``_COLUMNS`` attributes, as a ``TokenRecord``."""
    return msgspec.convert(row, TokenRecord, from_attributes=True)


_COLUMNS = "token_id, prefix, person, name, scope, created_at, revoked_at, expires_at"


async def _write(engine: AsyncEngine) -> AsyncConnection:
    conn = await engine.connect()
    return await conn.execution_options(**{WRITE_OPTION: True})


async def issue_token(
    engine: AsyncEngine,
    store: EventStore,
    clock: Clock,
    *,
    email: str,
    name: str | None = None,
    scope: str = "member",
    expires_at: datetime | None = None,
) -> IssuedToken:
    """``expires_at``: by default ``DEFAULT_DAYS`` from now; see ``expiry``."""
    checked_scope = parse_scope(scope)
    now = clock.now()
    expires = expiry(now) if expires_at is None else checked_expiry(now, expires_at)
    person = person_id(email)
    shown = await ensure_person(store, clock, person, name)
    secret = PREFIX + secrets.token_urlsafe(32)
    record = TokenRecord(
        token_id=str(uuid4()),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        person=person,
        name=shown,
        scope=checked_scope,
        created_at=now.isoformat(),
        expires_at=stamp(expires),
    )
    conn = await _write(engine)
    try:
        async with conn.begin():
            await conn.execute(
                text(
                    "INSERT INTO api_tokens (token_id, token_hash, prefix, person, name, scope, "
                    "created_at, expires_at) VALUES (:token_id, :hash, :prefix, :person, :name, "
                    ":scope, :created_at, :expires_at)"
                ),
                {**msgspec.structs.asdict(record), "hash": hash_token(secret)},
            )
    finally:
        await conn.close()
    return IssuedToken(record=record, secret=secret)


async def lookup_token(engine: AsyncEngine, secret: str) -> TokenRecord | None:
    """The unrevoked token with this secret, or None (unknown, malformed or revoked). It may
    have expired: the caller compares ``expires`` with its clock, every time it uses it."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(f"SELECT {_COLUMNS} FROM api_tokens WHERE token_hash = :h"),
                {"h": hash_token(secret)},
            )
        ).first()
    if row is None or row.revoked_at is not None:
        return None
    return token_record(row)


async def find_token(engine: AsyncEngine, secret: str, now: datetime) -> TokenRecord | None:
    """The active token with this secret, or None (unknown, malformed, revoked, or expired at
    ``now``)."""
    record = await lookup_token(engine, secret)
    if record is None or record.expired(now):
        return None
    return record


async def list_tokens(engine: AsyncEngine, *, person: str | None = None) -> list[TokenRecord]:
    query = f"SELECT {_COLUMNS} FROM api_tokens"
    params: dict[str, str] = {}
    if person is not None:
        query += " WHERE person = :person"
        params["person"] = person_id(person)
    async with engine.connect() as conn:
        rows = (await conn.execute(text(query + " ORDER BY created_at, token_id"), params)).all()
    return [token_record(r) for r in rows]


async def revoke_tokens(
    engine: AsyncEngine, clock: Clock, *, token_id: str | None = None, email: str | None = None
) -> list[TokenRecord]:
    """Revoke one token (by id or by its shown prefix) or every token of a person.

    Returns the tokens revoked now; raises NotFound when nothing matched at all."""
    if (token_id is None) == (email is None):
        raise InvalidInput("revoke one token (its id or prefix) or every token of one e-mail")
    if token_id is not None:
        where, params = "(token_id = :t OR prefix = :t)", {"t": token_id.strip()}
    else:
        where, params = "person = :p", {"p": person_id(email or "")}
    conn = await _write(engine)
    try:
        async with conn.begin():
            rows = (
                await conn.execute(text(f"SELECT {_COLUMNS} FROM api_tokens WHERE {where}"), params)
            ).all()
            if not rows:
                raise NotFound("no token matches " + next(iter(params.values())))
            if token_id is not None and len(rows) > 1:
                raise InvalidInput(f"{token_id!r} matches {len(rows)} tokens: give the token id")
            now = clock.now().isoformat()
            await conn.execute(
                text(
                    f"UPDATE api_tokens SET revoked_at = :now WHERE {where} AND revoked_at IS NULL"
                ),
                {**params, "now": now},
            )
            # A revoked token's page sessions end with it (tracker/auth/sessions.py).
            await conn.execute(
                text(
                    "DELETE FROM page_sessions WHERE token_id IN "
                    f"(SELECT token_id FROM api_tokens WHERE {where})"
                ),
                params,
            )
    finally:
        await conn.close()
    return [
        msgspec.structs.replace(token_record(r), revoked_at=now)
        for r in rows
        if r.revoked_at is None
    ]
