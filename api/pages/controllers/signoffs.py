"""My sign-offs: what awaits the signed-in person (and them as deputy), with the actions."""

from __future__ import annotations

from typing import Annotated
from uuid import uuid4

from litestar import get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter
from litestar.response import Redirect, Template

from api.pages.actions import SignOffForm, Verb, back_to, run_sign_off
from api.pages.reading import inbox_of, services, when_of
from api.pages.render import page
from api.pages.session import PageRequest, flash

PATH = "/my/sign-offs"


@get(PATH)
async def sign_offs_page(request: PageRequest) -> Template:
    inbox, names = await inbox_of(request.user, services(request), when_of(request))
    by_programme: dict[str, list[object]] = {}
    for item in inbox.items:
        by_programme.setdefault(item.programme_key, []).append(item)
    return page(
        request,
        "signoffs.html",
        title="My sign-offs",
        inbox=inbox,
        by_programme=by_programme,
        names=names,
        new_key=lambda: str(uuid4()),
    )


@post(PATH + "/{verb:str}", status_code=303)
async def sign_off_action(
    request: PageRequest,
    verb: Annotated[Verb, PathParameter()],
    data: Annotated[SignOffForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    outcome = await run_sign_off(request, verb, data)
    await flash(request, "success" if outcome.ok else "error", outcome.text)
    return Redirect(back_to(data, PATH), status_code=303)


ROUTES = [sign_offs_page, sign_off_action]
