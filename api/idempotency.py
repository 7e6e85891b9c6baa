"""Idempotency-Key (draft-ietf-httpapi-idempotency-key-header), scoped to the caller.

- The first request with a key claims it (a row in ``in_flight`` state, inserted or nothing:
  of concurrent requests exactly one wins) and runs; its response, success or refusal, is kept.
- The same key and the same body (method, path and the decoded body re-encoded, so whitespace
  and key order do not matter) get that response again, marked ``Idempotent-Replayed: true``,
  and write nothing.
- The same key with another body: 422. While the first is still running: 409.
- Keys belong to the calling person: another person's identical key is another record, so a
  response is never replayed to anyone but its caller.
- A server error (5xx) releases the key so a retry runs again. A claim still in flight after
  ``idempotency_in_flight_seconds`` is taken as dead and may be claimed again. Records expire
  after ``idempotency_hours``.
- When the database went away mid-request, the release itself fails: the process remembers it
  and deletes the claim before its next claim, so the client's retry is not refused for
  ``idempotency_in_flight_seconds``. On PostgreSQL a claim made before the server last started
  is dead too (its request's work died with the server), whichever process retries.
  Taking a claim over never writes twice: the events carry the key, and a retry whose
  first attempt committed answers from them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from datetime import datetime, timedelta
from typing import Final

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.errors import ApiProblem, FieldError, is_unavailable
from tracker.clock import Clock
from tracker.db import WRITE_OPTION
from tracker.settings import ApiSettings

KEY: Final = re.compile(r'^"?([\x21\x23-\x7e]{1,255})"?$')
CLEANUP_EVERY_SECONDS: Final = 600.0
MAX_PENDING_RELEASES: Final = 10_000
"""Releases kept for later while the database is away; past this the oldest are left to expire."""

log = logging.getLogger(__name__)


class StoredResponse(msgspec.Struct, frozen=True, kw_only=True):
    status: int
    headers: dict[str, str]
    body: bytes


def parse_key(header: str | None) -> str | None:
    """The key from the header (a Structured Field string, quotes optional)."""
    if header is None:
        return None
    found = KEY.match(header.strip())
    if found is None:
        raise ApiProblem(
            400,
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is ideal)",
            errors=[FieldError(field="header.Idempotency-Key", message="malformed")],
        )
    return found.group(1)


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class Idempotency:
    def __init__(self, engine: AsyncEngine, settings: ApiSettings, clock: Clock) -> None:
        self._engine = engine
        self._settings = settings
        self._clock = clock
        self._last_cleanup = 0.0
        self._claims: dict[tuple[str, str], str] = {}
        """Claims this process holds: (principal, key) -> the claim's ``created_at``."""
        self._pending: dict[tuple[str, str], str] = {}
        """Claims whose release failed because the database was away: deleted when it is back."""

    def _now(self) -> str:
        return self._clock.now().isoformat()

    def _ago(self, seconds: float) -> str:
        return (self._clock.now() - timedelta(seconds=seconds)).isoformat()

    async def begin(self, principal: str, key: str, print_: str) -> StoredResponse | None:
        """Claim the key (None: go ahead) or return the response to replay."""
        now = self._now()
        await self._cleanup()
        await self._release_pending()
        async with self._engine.connect() as plain:
            conn = await plain.execution_options(**{WRITE_OPTION: True})
            async with conn.begin():
                claimed = await conn.execute(
                    text(
                        "INSERT INTO idempotency_records (principal, key, fingerprint, state, "
                        "created_at) VALUES (:p, :k, :f, 'in_flight', :now) "
                        "ON CONFLICT (principal, key) DO NOTHING"
                    ),
                    {"p": principal, "k": key, "f": print_, "now": now},
                )
                if claimed.rowcount == 1:
                    self._claims[(principal, key)] = now
                    return None
                row = (
                    await conn.execute(
                        text(
                            "SELECT fingerprint, state, status_code, headers, body, created_at "
                            "FROM idempotency_records WHERE principal = :p AND key = :k"
                        ),
                        {"p": principal, "k": key},
                    )
                ).one()
                if row.fingerprint != print_:
                    raise ApiProblem(
                        422,
                        "idempotency_key_reused",
                        f"Idempotency-Key {key!r} was used for a different request: use a new "
                        "key for a new request",
                    )
                if row.state == "done":
                    return StoredResponse(
                        status=int(row.status_code),
                        headers=msgspec.json.decode(row.headers, type=dict[str, str]),
                        body=row.body.encode("utf-8"),
                    )
                if row.created_at < self._ago(
                    self._settings.idempotency_in_flight_seconds
                ) or await _claimed_before_server_start(conn, row.created_at):
                    taken = await conn.execute(
                        text(
                            "UPDATE idempotency_records SET created_at = :now WHERE principal = :p "
                            "AND key = :k AND state = 'in_flight' AND created_at = :old"
                        ),
                        {"p": principal, "k": key, "now": now, "old": row.created_at},
                    )
                    if taken.rowcount == 1:
                        self._claims[(principal, key)] = now
                        return None
        raise ApiProblem(
            409,
            "idempotency_key_in_flight",
            f"a request with Idempotency-Key {key!r} is still being processed: retry shortly",
            headers={"Retry-After": "1"},
        )

    async def finish(self, principal: str, key: str, response: StoredResponse) -> None:
        await self._execute(
            "UPDATE idempotency_records SET state = 'done', status_code = :s, headers = :h, "
            "body = :b WHERE principal = :p AND key = :k",
            {
                "p": principal,
                "k": key,
                "s": response.status,
                "h": msgspec.json.encode(response.headers).decode(),
                "b": response.body.decode("utf-8"),
            },
        )
        self._claims.pop((principal, key), None)

    async def release(self, principal: str, key: str) -> None:
        claimed_at = self._claims.pop((principal, key), None)
        try:
            await self._delete_claim(principal, key, claimed_at)
        except Exception as exc:
            if not is_unavailable(exc) or claimed_at is None:
                raise
            if len(self._pending) < MAX_PENDING_RELEASES:
                self._pending[(principal, key)] = claimed_at
            raise

    async def _delete_claim(self, principal: str, key: str, claimed_at: str | None) -> None:
        """Delete an in-flight claim: only the one made at ``claimed_at`` when that is known,
        never a later claim of the same key by a retry."""
        sql = (
            "DELETE FROM idempotency_records WHERE principal = :p AND key = :k "
            "AND state = 'in_flight'"
        )
        params: dict[str, object] = {"p": principal, "k": key}
        if claimed_at is not None:
            sql += " AND created_at = :c"
            params["c"] = claimed_at
        await self._execute(sql, params)

    async def _release_pending(self) -> None:
        """Delete the claims whose release failed while the database was away. Still away: keep
        them for the next time (this request's own claim then fails with a 503 anyway)."""
        while self._pending:
            (principal, key), claimed_at = next(iter(self._pending.items()))
            try:
                await self._delete_claim(principal, key, claimed_at)
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                return
            self._pending.pop((principal, key), None)
            log.info("idempotency: released the claim on %r left by a database failure", key)

    async def _cleanup(self) -> None:
        if time.monotonic() - self._last_cleanup < CLEANUP_EVERY_SECONDS:
            return
        self._last_cleanup = time.monotonic()
        cutoff = self._ago(self._settings.idempotency_hours * 3600)
        await self._execute("DELETE FROM idempotency_records WHERE created_at < :c", {"c": cutoff})

    async def _execute(self, sql: str, params: dict[str, object]) -> None:
        async with self._engine.connect() as plain:
            conn = await plain.execution_options(**{WRITE_OPTION: True})
            async with conn.begin():
                await conn.execute(text(sql), params)


async def _claimed_before_server_start(conn: AsyncConnection, created_at: str) -> bool:
    """PostgreSQL: the claim was made before the server last started, so the request that made
    it lost its connections and its work with the server. (SQLite: never.)"""
    if conn.dialect.name != "postgresql":
        return False
    started = (await conn.execute(text("SELECT pg_postmaster_start_time()"))).scalar_one()
    return isinstance(started, datetime) and datetime.fromisoformat(created_at) < started
