"""The API under test: a running app (``AsyncTestClient`` over ``create_app``) and tokens.

``Api.token(email, scope)`` issues a real token the way ``tracker token issue`` does, straight
into the test database; every request then carries it like any API consumer's would.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from api.app import create_app
from tracker.auth.tokens import issue_token
from tracker.clock import Clock, SystemClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.settings import ApiSettings, PageSettings, Settings, WebhookSettings

ADMIN = "ada.admin@lancashire.gov.uk"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def person(name: str) -> str:
    return name.lower().replace(" ", ".") + "@lancashire.gov.uk"


class Api:
    def __init__(self, client: AsyncTestClient[Any], database_url: str) -> None:
        self.client = client
        self.database_url = database_url
        self._tokens: dict[tuple[str, str], str] = {}
        self.position = 0
        """The highest store position a write answered with."""

    async def token(self, email: str, scope: str = "member", name: str | None = None) -> str:
        key = (email, scope)
        if key not in self._tokens:
            settings = Settings(database_url=self.database_url)
            store, engine = open_store(settings), create_engine(settings)
            try:
                shown = name or email.split("@")[0].replace(".", " ").title()
                issued = await issue_token(
                    engine, store, SystemClock(), email=email, name=shown, scope=scope
                )
            finally:
                await store.close()
                await engine.dispose()
            self._tokens[key] = issued.secret
        return self._tokens[key]

    async def as_(self, email: str, scope: str = "member") -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(email, scope)}"}

    async def admin(self) -> dict[str, str]:
        return await self.as_(ADMIN, "admin")

    def _seen(self, answer: httpx.Response) -> httpx.Response:
        position = answer.headers.get("tracker-position")
        if position is not None:
            self.position = max(self.position, int(position))
        return answer

    async def post(
        self, path: str, who: dict[str, str], body: object = None, **kw: Any
    ) -> httpx.Response:
        headers = {**who, **kw.pop("headers", {})}
        answer = await self.client.post(
            path, json={} if body is None else body, headers=headers, **kw
        )
        return self._seen(answer)

    async def put(self, path: str, who: dict[str, str], body: object, **kw: Any) -> httpx.Response:
        headers = {**who, **kw.pop("headers", {})}
        return self._seen(await self.client.put(path, json=body, headers=headers, **kw))

    async def delete(self, path: str, who: dict[str, str], **kw: Any) -> httpx.Response:
        headers = {**who, **kw.pop("headers", {})}
        return self._seen(await self.client.delete(path, headers=headers, **kw))

    async def get(self, path: str, who: dict[str, str], **kw: Any) -> httpx.Response:
        headers = {**who, **kw.pop("headers", {})}
        return await self.client.get(path, headers=headers, **kw)

    async def event_count(self) -> int:
        """Events stored, counted in the database itself (not through the API)."""
        engine = create_engine(Settings(database_url=self.database_url))
        try:
            async with engine.connect() as conn:
                return int((await conn.execute(text("SELECT count(*) FROM events"))).scalar_one())
        finally:
            await engine.dispose()


@asynccontextmanager
async def running_api(
    database_url: str,
    *,
    api_settings: ApiSettings | None = None,
    run_projector: bool = True,
    clock: Clock | None = None,
    page_settings: PageSettings | None = None,
    webhooks: WebhookSettings | None = None,
    run_webhooks: bool = False,
) -> AsyncIterator[Api]:
    """``clock``: the app's (sessions, token expiry, recorded times); ``page_settings``: the
    pages' (by default from the environment); ``run_webhooks``: deliver webhooks in the app, as
    ``tracker serve`` does (off by default: only the webhook tests need it, and it costs every
    other test app its start and stop)."""
    settings = ApiSettings(token_cache_seconds=0) if api_settings is None else api_settings
    app = create_app(
        Settings(database_url=database_url, webhooks=webhooks or WebhookSettings()),
        api_settings=settings,
        run_projector=run_projector,
        run_webhooks=run_webhooks,
        clock=clock,
        page_settings=page_settings,
    )
    async with AsyncTestClient(app) as client:
        yield Api(client, database_url)


async def csrf_token(client: AsyncTestClient[Any], path: str) -> str:
    """The CSRF token of the form on the page at ``path`` (and its cookie, in the client)."""
    found = CSRF_FIELD.search((await client.get(path)).text)
    assert found is not None, path
    return found.group(1)


async def sign_in(client: AsyncTestClient[Any], token: str) -> httpx.Response:
    """The pages' sign-in form sent with ``token``: the answer itself (303 when it worked)."""
    form = {"_csrf_token": await csrf_token(client, "/sign-in"), "token": token, "next": "/"}
    return await client.post("/sign-in", data=form, follow_redirects=False)


async def sign_in_to_pages(api: Api, token: str) -> None:
    """Sign the test client in to the pages (a session cookie, as a browser would), and check
    that the portfolio then opens."""
    answer = await sign_in(api.client, token)
    assert answer.status_code == 303, answer.text
    portfolio = await api.client.get(answer.headers["location"])
    assert portfolio.status_code == 200 and "Sign out" in portfolio.text, portfolio.text
