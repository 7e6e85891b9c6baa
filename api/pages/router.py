"""``pages()``: the pages' router and template configuration, for ``create_app``.

Everything here sits outside ``/api/v1``: the API's bearer-token middleware is skipped for these
routes (``exclude_from_auth``), which instead sign in through a session kept in the database
(``api.pages.session``: the cookie holds a random id) and check a CSRF token on every form
(Litestar's ``CSRFMiddleware``, on this router only: the bearer-token API is not
cookie-authenticated and needs none).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Receive, Scope, Send

from api.pages import filters
from api.pages.controllers import ROUTES
from api.pages.errors import page_exception
from api.pages.session import PUBLIC_OPT, PageAuthentication
from tracker.settings import PageSettings

HERE: Final = Path(__file__).parent
STATIC_PATH: Final = "/static/pages"
CSRF_COOKIE: Final = "tracker_csrf"


@dataclass(frozen=True, kw_only=True)
class Pages:
    router: Router
    templates: TemplateConfig[JinjaTemplateEngine]


class PageCSRF(CSRFMiddleware):
    """Litestar's CSRF middleware keeps, on a page load, whatever CSRF cookie the browser sends,
    so a cookie signed with another key (the secret was rotated, or a process without
    ``TRACKER_SESSION_SECRET`` restarted) would fail every form until the browser closed. This
    one drops such a cookie on a page load and issues a new one: a reload mends the forms."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["method"] in self.config.safe_methods:
            # The parsed cookies are kept in the scope's state: the parent reads the same dict.
            cookies = scope["litestar_app"].request_class(scope=scope, receive=receive).cookies
            sent = cookies.get(self.config.cookie_name)
            if sent is not None and self._decode_csrf_token(sent) is None:
                del cookies[self.config.cookie_name]
        await super().__call__(scope, receive, send)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters.register(env)
    return env


def pages(settings: PageSettings) -> Pages:
    chosen = settings
    csrf = CSRFConfig(
        secret=chosen.csrf_key,
        cookie_name=CSRF_COOKIE,
        cookie_secure=chosen.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
    )
    static = create_static_files_router(
        path=STATIC_PATH,
        directories=[HERE / "static"],
        opt={"exclude_from_auth": True, PUBLIC_OPT: True},
        include_in_schema=False,
        cache_control=None,
    )

    def page_settings() -> PageSettings:
        return chosen

    router = Router(
        path="/",
        route_handlers=[*ROUTES, static],
        middleware=[
            DefineMiddleware(PageCSRF, config=csrf),
            DefineMiddleware(PageAuthentication, settings=chosen),
        ],
        dependencies={"page_settings": Provide(page_settings, sync_to_thread=False)},
        exception_handlers={Exception: page_exception},
        opt={"exclude_from_auth": True},
        include_in_schema=False,
    )
    engine = JinjaTemplateEngine.from_environment(environment())
    return Pages(router=router, templates=TemplateConfig(instance=engine))
