"""Authentication: ``Authorization: Bearer <token>`` on every request but the process endpoints.

A token found in the database is trusted in this process for ``token_cache_seconds``; revoking
through the API drops it from the cache at once (see docs/api.md).
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

from api.errors import unauthorised
from tracker.auth.tokens import Scope, TokenRecord, find_token, hash_token

PUBLIC_PATHS: Final = ["^/health$", "^/ready$", "^/metrics$", "^/schema"]
"""No token needed: process probes, metrics, and the API's description."""


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

    def __init__(self, engine: AsyncEngine, seconds: float, *, size: int = 10_000) -> None:
        self._engine = engine
        self._seconds = seconds
        self._size = size
        self._entries: dict[str, tuple[float, TokenRecord]] = {}

    async def principal(self, secret: str) -> Principal | None:
        digest = hash_token(secret)
        now = time.monotonic()
        cached = self._entries.get(digest)
        if cached is not None and cached[0] > now:
            record: TokenRecord | None = cached[1]
        else:
            record = await find_token(self._engine, secret)
            if record is not None and self._seconds > 0:
                if len(self._entries) >= self._size:
                    self._entries.clear()
                self._entries[digest] = (now + self._seconds, record)
            else:
                self._entries.pop(digest, None)
        if record is None:
            return None
        return Principal(
            token_id=record.token_id, person=record.person, name=record.name, scope=record.scope
        )

    def forget(self, token_ids: set[str]) -> None:
        """Drop revoked tokens now (this process); other processes within the cache time."""
        for digest in [d for d, (_, r) in self._entries.items() if r.token_id in token_ids]:
            del self._entries[digest]


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
        principal = await tokens.principal(secret)
        if principal is None:
            raise unauthorised("the token is unknown or revoked: ask for a new one")
        return AuthenticationResult(user=principal, auth=principal.token_id)
