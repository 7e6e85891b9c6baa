"""Signing in to the pages: the person's API token, kept in an encrypted session cookie.

The cookie (AES-GCM, HttpOnly, SameSite=Lax, Secure over HTTPS) holds the token itself, so every
page request is checked exactly as an API request is: the same ``TokenCache`` turns the token
into the same ``Principal`` (person and scope), and a revoked token ends the session. A sign-in
lasts ``session_hours`` from the moment it was made, however busy the session is.

The session also carries one-off messages ("flash") for the next page. It needs no "last write"
position: every read shows every write answered before it.
"""

from __future__ import annotations

import time
from typing import Any, Final

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
)
from litestar.types import ASGIApp

from api.auth import Principal, TokenCache

PageRequest = Request[Principal, str, State]
"""A page request that passed sign-in: ``request.user`` is the person, as for the API."""

TOKEN: Final = "token"
SIGNED_IN_AT: Final = "signed_in_at"
FLASH: Final = "flash"
PUBLIC_OPT: Final = "page_public"
"""Route option: no sign-in needed (the sign-in page, the stylesheet and script)."""


class Flash(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    """success or error."""
    text: str


def sign_in(request: Request[Any, Any, Any], secret: str) -> None:
    """A new session (a new cookie): nothing of the previous one is kept."""
    request.set_session({TOKEN: secret, SIGNED_IN_AT: time.time()})


def sign_out(request: Request[Any, Any, Any]) -> None:
    request.clear_session()


def _session(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    found = connection.scope.get("session")
    return found if isinstance(found, dict) else {}


def flash(request: Request[Any, Any, Any], kind: str, text: str) -> None:
    session = _session(request)
    if session:
        session[FLASH] = [*session.get(FLASH, []), {"kind": kind, "text": text}]
        request.set_session(session)


def take_flashes(request: Request[Any, Any, Any]) -> list[Flash]:
    session = _session(request)
    raw = session.pop(FLASH, None)
    if raw is None:
        return []
    request.set_session(session)
    return msgspec.convert(raw, list[Flash])


class PageAuthentication(AbstractAuthenticationMiddleware):
    """The session's token to a ``Principal``; no session, an expired or a revoked one: 401,
    which the pages answer with a redirect to the sign-in page."""

    def __init__(self, app: ASGIApp, *, lifetime_seconds: float) -> None:
        super().__init__(app, exclude_from_auth_key=PUBLIC_OPT)
        self.lifetime_seconds = lifetime_seconds

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        session = _session(connection)
        secret = session.get(TOKEN)
        started = session.get(SIGNED_IN_AT)
        if not isinstance(secret, str) or not isinstance(started, int | float):
            raise NotAuthorizedException("sign in to see this page")
        if time.time() - started > self.lifetime_seconds:
            raise NotAuthorizedException("your sign-in has expired: sign in again")
        tokens: TokenCache = connection.app.state.services.tokens
        principal = await tokens.principal(secret)
        if principal is None:
            raise NotAuthorizedException("the token of this session was revoked: sign in again")
        return AuthenticationResult(user=principal, auth=principal.token_id)
