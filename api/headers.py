"""Headers on every API response (``/api/...``): ``X-Content-Type-Options: nosniff`` and
``Cache-Control: no-store``.

An API answer holds what one token may see, so no cache (a browser's, a proxy's) keeps it, and
no browser guesses its type (a CSV or an error rendered as HTML). Successes, problems,
exports, the event stream, 401s from the authentication middleware and 404s for paths no route
serves alike: so this wraps the application's whole ASGI handler, as ``api.observability`` does,
rather than being a route middleware that would miss the last ones. The pages send their own
headers (``api.pages.render``).
"""

from __future__ import annotations

from typing import Final

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX: Final = "/api/"
SET: Final = ((b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"))
REPLACED: Final = frozenset(name for name, _ in SET)


class ApiHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *((k, v) for k, v in message.get("headers", []) if k.lower() not in REPLACED),
                    *SET,
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: Litestar) -> Litestar:
    app.asgi_handler = ApiHeaders(app.asgi_handler)
    return app
