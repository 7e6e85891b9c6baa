"""Signing in to the pages: a session kept in the database, a random id in the cookie.

The cookie ``tracker_session`` (HttpOnly, SameSite=Lax, Secure over HTTPS) holds only the
session's random id: no token, nothing to replay once the session has ended. The session's row
(``tracker/auth/sessions.py``) names the token it was opened with, and is read with that token's
row on every page request, so the request runs as the same ``Principal`` (person and scope) an
API request with that token would. A session ends, and its row is deleted:

- at sign-out;
- when its token is revoked or expires (at once, in every process: no cache in between);
- when it has been idle ``session_idle_minutes`` (30);
- ``session_hours`` (8) after sign-in, however busy it has been.

"Seen" is written at most once a minute (``touch_seconds``), so a page costs no write most of
the time. The session also carries one-off messages ("flash") for the next page. It needs no
"last write" position: every read shows every write answered before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, State
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
)
from litestar.types import ASGIApp

from api.auth import Principal, as_principal
from api.services import Services
from tracker.auth.sessions import (
    SessionRow,
    end_session,
    load_session,
    set_flash,
    start_session,
    touch_session,
)
from tracker.auth.sessions import prune as prune_sessions
from tracker.auth.tokens import TokenRecord, instant
from tracker.settings import PageSettings

SESSION_COOKIE: Final = "tracker_session"
PUBLIC_OPT: Final = "page_public"
"""Route option: no sign-in needed (the sign-in page, the stylesheet and script)."""
LONGEST_ID: Final = 64
"""A session id is 43 characters; a longer cookie is not looked up."""


class Flash(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    """success or error."""
    text: str


@dataclass(kw_only=True)
class PageSession:
    """The signed-in session of one request (``request.state.page_session``)."""

    hashed: str
    flashes: list[Flash] = field(default_factory=list)
    """Messages for this page, taken from the session when it was loaded."""
    pending: list[Flash] = field(default_factory=list)
    """Messages this request leaves for the next page."""


PageRequest = Request[Principal, str, State]
"""A page request that passed sign-in: ``request.user`` is the person, as for the API."""


STATE_KEY: Final = "page_session"


def _services(connection: ASGIConnection[Any, Any, Any, Any]) -> Services:
    found: Services = connection.app.state.services
    return found


def current_session(connection: ASGIConnection[Any, Any, Any, Any]) -> PageSession | None:
    found = connection.state.get(STATE_KEY)
    return found if isinstance(found, PageSession) else None


def session_cookie(settings: PageSettings, session_id: str) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=session_id,
        path="/",
        max_age=int(settings.lifetime_seconds),
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def ended_cookie(settings: PageSettings) -> Cookie:
    """Tells the browser to forget the session cookie."""
    return Cookie(
        key=SESSION_COOKIE,
        value="",
        path="/",
        max_age=0,
        expires=0,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )


async def sign_in(
    request: Request[Any, Any, Any], token: TokenRecord, settings: PageSettings
) -> Cookie:
    """A new session (a new id): the browser's previous session, if any, ends. Sessions that
    ended unseen are deleted on the way."""
    services = _services(request)
    now = services.clock.now()
    await prune_sessions(
        services.engine,
        idle_before=now - timedelta(seconds=settings.idle_seconds),
        started_before=now - timedelta(seconds=settings.lifetime_seconds),
    )
    previous = request.cookies.get(SESSION_COOKIE)
    session_id = await start_session(services.engine, token, now, replacing=previous)
    return session_cookie(settings, session_id)


async def sign_out(request: Request[Any, Any, Any]) -> None:
    session = current_session(request)
    if session is not None:
        await end_session(_services(request).engine, session.hashed)


async def flash(request: Request[Any, Any, Any], kind: str, text: str) -> None:
    session = current_session(request)
    if session is not None:
        session.pending.append(Flash(kind=kind, text=text))
        encoded = msgspec.json.encode(session.pending).decode("utf-8")
        await set_flash(_services(request).engine, session.hashed, encoded)


def take_flashes(request: Request[Any, Any, Any]) -> list[Flash]:
    session = current_session(request)
    if session is None:
        return []
    taken, session.flashes = session.flashes, []
    return taken


def touch_seconds(settings: PageSettings) -> float:
    """How stale "last seen" may be before a request writes it: a minute, or a tenth of the
    idle timeout when that is shorter."""
    return min(60.0, settings.idle_seconds / 10)


def why_ended(row: SessionRow, now: datetime, settings: PageSettings) -> str | None:
    """The reason this session is over, or None while it lasts."""
    if row.token.revoked_at is not None:
        return "the token of this session was revoked: sign in again"
    if row.token.expired(now):
        return "the token of this session has expired: ask for a new one"
    if (now - instant(row.created_at)).total_seconds() >= settings.lifetime_seconds:
        return "your sign-in has expired: sign in again"
    if (now - instant(row.last_seen_at)).total_seconds() >= settings.idle_seconds:
        return "your session ended after a while unused: sign in again"
    return None


class PageAuthentication(AbstractAuthenticationMiddleware):
    """The session cookie to a ``Principal``; no session, an ended, idle, expired or revoked
    one: 401, which the pages answer with a redirect to the sign-in page."""

    def __init__(self, app: ASGIApp, *, settings: PageSettings) -> None:
        super().__init__(app, exclude_from_auth_key=PUBLIC_OPT)
        self.settings = settings

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        session_id = connection.cookies.get(SESSION_COOKIE, "")
        if not session_id or len(session_id) > LONGEST_ID:
            raise NotAuthorizedException("sign in to see this page")
        services = _services(connection)
        row = await load_session(services.engine, session_id)
        if row is None:
            raise NotAuthorizedException("this session has ended: sign in again")
        now = services.clock.now()
        ended = why_ended(row, now, self.settings)
        if ended is not None:
            await end_session(services.engine, row.session_hash)
            raise NotAuthorizedException(ended)
        seen = (now - instant(row.last_seen_at)).total_seconds()
        if row.flash is not None or seen >= touch_seconds(self.settings):
            await touch_session(services.engine, row.session_hash, now)
        flashes = msgspec.json.decode(row.flash, type=list[Flash]) if row.flash else []
        connection.state[STATE_KEY] = PageSession(hashed=row.session_hash, flashes=flashes)
        principal = as_principal(row.token)
        return AuthenticationResult(user=principal, auth=principal.token_id)
