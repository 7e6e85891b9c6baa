"""``pages()``: the pages' router and template configuration, for ``create_app``.

Everything here sits outside ``/api/v1``: the API's bearer-token middleware is skipped for these
routes (``exclude_from_auth``), which instead sign in through an encrypted session cookie
(``api.pages.session``) and check a CSRF token on every form (Litestar's ``CSRFMiddleware``,
on this router only: the bearer-token API is not cookie-authenticated and needs none).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp

from api.pages import filters
from api.pages.controllers import ROUTES
from api.pages.errors import page_exception
from api.pages.session import PUBLIC_OPT, PageAuthentication
from api.pages.settings import PageSettings, load_page_settings

HERE: Final = Path(__file__).parent
STATIC_PATH: Final = "/static/pages"
SESSION_COOKIE: Final = "tracker_session"
CSRF_COOKIE: Final = "tracker_csrf"


@dataclass(frozen=True, kw_only=True)
class Pages:
    router: Router
    templates: TemplateConfig[JinjaTemplateEngine]


class PageSessions(SessionMiddleware[ClientSideSessionBackend]):
    """Litestar's cookie sessions (AES-GCM), made when the app is built: a router is copied when
    registered, and the cipher inside the backend cannot be."""

    def __init__(self, app: ASGIApp, *, secret: bytes, max_age: int, secure: bool) -> None:
        config = CookieBackendConfig(
            secret=secret,
            key=SESSION_COOKIE,
            max_age=max_age,
            secure=secure,
            httponly=True,
            samesite="lax",
        )
        super().__init__(app, backend=ClientSideSessionBackend(config=config))


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


def pages(settings: PageSettings | None = None) -> Pages:
    chosen = settings or load_page_settings()
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
    router = Router(
        path="/",
        route_handlers=[*ROUTES, static],
        middleware=[
            DefineMiddleware(
                PageSessions,
                secret=chosen.session_key,
                max_age=int(chosen.session_hours * 3600),
                secure=chosen.secure_cookies,
            ),
            DefineMiddleware(CSRFMiddleware, config=csrf),
            DefineMiddleware(PageAuthentication, lifetime_seconds=chosen.session_hours * 3600),
        ],
        exception_handlers={Exception: page_exception},
        opt={"exclude_from_auth": True},
        include_in_schema=False,
    )
    engine = JinjaTemplateEngine.from_environment(environment())
    return Pages(router=router, templates=TemplateConfig(instance=engine))
