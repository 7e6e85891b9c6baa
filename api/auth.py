"""Authentication: ``Authorization: Bearer <token>`` on every request but the process endpoints.

A token found in the database is trusted in this process for ``token_cache_seconds``; revoking
through the API drops it from the cache at once (see docs/api.md). Its expiry is compared with
the clock on every request, cached or not: a token is never accepted past ``expires_at``.
"""

from __future__ import annotations

import time
from typing import Final

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.middleware.authentication import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from api.errors import ApiProblem, unauthorised
from tracker.auth.tokens import TokenRecord, hash_token, lookup_token
from tracker.clock import Clock
from tracker.commands import Scope

PUBLIC_PATHS: Final = ["^/health$", "^/ready$", "^/metrics$", "^/schema", "^/calendar/"]
"""No token needed: process probes, metrics, the API's description, and personal calendar
feeds (their secret is in the URL: ``api.controllers.my_calendar``)."""


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who is calling: the token's person and scope."""

    token_id: str
    person: str
    name: str
    scope: Scope

    @property
    def is_admin(self) -> bool:
        return self.scope == "admin"


ApiRequest = Request[Principal, str, State]
"""A request that passed authentication: ``request.user`` is the caller."""


class TokenCache:
    """Checked tokens by hash, each trusted until its deadline."""

    def __init__(
        self, engine: AsyncEngine, seconds: float, clock: Clock, *, size: int = 10_000
    ) -> None:
        self._engine = engine
        self._seconds = seconds
        self.clock = clock
        self._size = size
        self._entries: dict[str, tuple[float, TokenRecord]] = {}

    async def principal(self, secret: str) -> Principal | None:
        """Who the token speaks for; None when it is unknown, revoked or expired."""
        record = await self.record(secret)
        if record is None or record.expired(self.clock.now()):
            return None
        return as_principal(record)

    async def record(self, secret: str) -> TokenRecord | None:
        """The unrevoked token with this secret, expired or not (see ``TokenRecord.expired``)."""
        digest = hash_token(secret)
        now = time.monotonic()
        cached = self._entries.get(digest)
        if cached is not None and cached[0] > now:
            record: TokenRecord | None = cached[1]
        else:
            record = await lookup_token(self._engine, secret)
            if record is not None and self._seconds > 0:
                if len(self._entries) >= self._size:
                    self._entries.clear()
                self._entries[digest] = (now + self._seconds, record)
            else:
                self._entries.pop(digest, None)
        return record

    def forget_all(self) -> None:
        self._entries.clear()

    def forget(self, token_ids: set[str]) -> None:
        """Drop revoked tokens now (this process); other processes within the cache time."""
        for digest in [d for d, (_, r) in self._entries.items() if r.token_id in token_ids]:
            del self._entries[digest]


def as_principal(record: TokenRecord) -> Principal:
    return Principal(
        token_id=record.token_id, person=record.person, name=record.name, scope=record.scope
    )


def token_expired(record: TokenRecord) -> ApiProblem:
    when = record.expires.strftime("%Y-%m-%d %H:%M UTC")
    return ApiProblem(
        401,
        "token_expired",
        f"this token ({record.prefix}...) expired on {when}: ask an admin for a new one "
        "(tracker token issue, or POST /api/v1/tokens)",
        headers={
            "WWW-Authenticate": 'Bearer realm="tracker", error="invalid_token", '
            'error_description="the token expired"'
        },
    )


def bearer_secret(header: str | None) -> str:
    if not header:
        raise unauthorised("this request needs a token: send 'Authorization: Bearer <token>'")
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise unauthorised("the Authorization header must be 'Bearer <token>'")
    return secret.strip()


class BearerAuthentication(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:  # type: ignore[type-arg]
        secret = bearer_secret(connection.headers.get("authorization"))
        tokens: TokenCache = connection.app.state.services.tokens
        record = await tokens.record(secret)
        if record is None:
            raise unauthorised("the token is unknown or revoked: ask for a new one")
        if record.expired(tokens.clock.now()):
            raise token_expired(record)
        principal = as_principal(record)
        return AuthenticationResult(user=principal, auth=principal.token_id)
