"""Erasing a person (admin): ``POST /api/v1/people/{email}/erase``. The command line does the
same (``tracker people erase``); what erasure does is in ``tracker.people.erasure``."""

from __future__ import annotations

from typing import Annotated

from litestar import post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from api.auth import ApiRequest
from api.openapi import WRITE_PROBLEMS, documented
from api.schemas import ErasureIn, ErasureOut
from api.schemas.bodies import EMAIL
from api.services import Services
from tracker.errors import InvalidInput
from tracker.people.erasure import erase_person
from tracker.people.store import SealingStore
from tracker.permissions import Action, Involvement, require


@post(
    "/people/{email:str}/erase",
    operation_id="people.erase",
    tags=["people"],
    status_code=200,
    summary="Erase a person (admin): their name and address go; their decisions stay, shown "
    "as 'Erased person N'",
    responses=documented(
        200, ErasureOut, "The erasure (erased false: done before)", *WRITE_PROBLEMS
    ),
)
async def erase(
    request: ApiRequest,
    services: NamedDependency[Services],
    email: Annotated[str, PathParameter(max_length=254, pattern=EMAIL)],
    data: JSONBody[ErasureIn],
) -> ErasureOut:
    require(request.user, Action.ADMIN, Involvement(), "people")
    await services.limiter.hit(request.user.token_id, "write")
    store = services.store
    if not isinstance(store, SealingStore):
        raise InvalidInput("this store does not seal people's data: no one can be erased")
    done = await erase_person(
        store,
        services.engine,
        services.clock,
        email=email,
        reason=data.reason,
        erased_by=request.user.person,
    )
    if done.erased:
        services.tokens.forget_all()
        services.reads.forget()
        services.streams.clear()
        services.pdfs.clear()
    return ErasureOut(
        pseudonym=done.pseudonym,
        number=done.number,
        shown=done.shown,
        erased=done.erased,
        programmes=done.programmes,
        tokens_revoked=done.tokens_revoked,
        records_removed=done.records_removed,
    )


ROUTES = [erase]
