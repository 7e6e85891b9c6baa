"""Signing in with one's API token, and out: a session in the database, its id in a cookie."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from api.pages.errors import safe_next
from api.pages.reading import services
from api.pages.render import page
from api.pages.session import PUBLIC_OPT, ended_cookie, sign_in, sign_out
from tracker.settings import PageSettings

PUBLIC = {PUBLIC_OPT: True}


class SignInForm(msgspec.Struct, frozen=True, kw_only=True):
    token: str = ""
    next: str = "/"


@get("/sign-in", opt=PUBLIC)
async def sign_in_page(
    request: Request[Any, Any, Any],
    next_: Annotated[str | None, QueryParameter(name="next", max_length=2000)] = None,
) -> Template:
    return page(request, "sign_in.html", title="Sign in", next=safe_next(next_), error=None)


@post("/sign-in", opt=PUBLIC, status_code=303)
async def sign_in_submit(
    request: Request[Any, Any, Any],
    data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    page_settings: NamedDependency[PageSettings],
) -> Template | Redirect:
    secret = data.token.strip()
    tokens = services(request).tokens
    record = await tokens.record(secret) if secret else None
    if record is None or record.expired(tokens.clock.now()):
        if not secret:
            error = "Enter your access token"
        elif record is None:
            error = "That token is not known or has been revoked: check it, or ask for a new one"
        else:
            when = record.expires.strftime("%d/%m/%Y %H:%M UTC")
            error = f"That token expired on {when}: ask an administrator for a new one"
        return page(
            request,
            "sign_in.html",
            title="Sign in",
            status_code=400 if not secret else 401,
            next=safe_next(data.next),
            error=error,
        )
    cookie = await sign_in(request, record, page_settings)
    return Redirect(safe_next(data.next), status_code=303, cookies=[cookie])


@post("/sign-out", status_code=303)
async def sign_out_submit(
    request: Request[Any, Any, Any], page_settings: NamedDependency[PageSettings]
) -> Redirect:
    await sign_out(request)
    return Redirect("/sign-in", status_code=303, cookies=[ended_cookie(page_settings)])


ROUTES = [sign_in_page, sign_in_submit, sign_out_submit]
