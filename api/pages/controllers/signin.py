"""Signing in with one's API token, and out."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from api.pages.errors import safe_next
from api.pages.reading import services
from api.pages.render import page
from api.pages.session import PUBLIC_OPT, sign_in, sign_out

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
) -> Template | Redirect:
    secret = data.token.strip()
    principal = await services(request).tokens.principal(secret) if secret else None
    if principal is None:
        error = (
            "Enter your access token"
            if not secret
            else "That token is not known or has been revoked: check it, or ask for a new one"
        )
        return page(
            request,
            "sign_in.html",
            title="Sign in",
            status_code=400 if not secret else 401,
            next=safe_next(data.next),
            error=error,
        )
    sign_in(request, secret)
    return Redirect(safe_next(data.next), status_code=303)


@post("/sign-out", status_code=303)
async def sign_out_submit(request: Request[Any, Any, Any]) -> Redirect:
    sign_out(request)
    return Redirect("/sign-in", status_code=303)


ROUTES = [sign_in_page, sign_in_submit, sign_out_submit]
