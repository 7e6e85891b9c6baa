"""Tokens through the API (admin): issue, list, revoke. The command line does the same
(``tracker token ...``). A token's secret is answered once and never stored; Idempotency-Key is
not honoured here, because replaying the answer would mean keeping the secret. Every token
expires: ``expires_in_days`` (1 to 366, default 90) when issued."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from litestar import Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from api.auth import ApiRequest, Principal
from api.openapi import READ_PROBLEMS, WRITE_PROBLEMS, documented
from api.schemas import IssuedTokenOut, TokenIn, TokenList, TokenOut
from api.schemas.bodies import EMAIL
from api.services import Services
from tracker.auth.tokens import TokenRecord, issue_token, list_tokens, revoke_tokens, stamp
from tracker.permissions import Action, Involvement, require


def _admin(principal: Principal) -> None:
    require(principal, Action.ADMIN, Involvement(), "tokens")


def _out(record: TokenRecord, now: datetime) -> TokenOut:
    return TokenOut(
        id=record.token_id,
        prefix=record.prefix,
        person=record.person,
        name=record.name,
        scope=record.scope,
        created_at=record.created_at,
        revoked_at=record.revoked_at,
        expires_at=stamp(record.expires),
        expired=record.expired(now),
    )


@post(
    "/tokens",
    operation_id="tokens.issue",
    tags=["tokens"],
    summary="Issue a token for a person (admin); registers the person if new",
    responses=documented(201, IssuedTokenOut, "The new token, shown once", *WRITE_PROBLEMS),
)
async def issue(
    request: ApiRequest, services: NamedDependency[Services], data: JSONBody[TokenIn]
) -> Response[IssuedTokenOut]:
    _admin(request.user)
    await services.limiter.hit(request.user.token_id, "write")
    await services.limiter.hit(request.user.token_id, "token")
    issued = await issue_token(
        services.engine,
        services.store,
        services.clock,
        email=data.email,
        name=data.name or None,
        scope=data.scope,
        expires_at=services.clock.now() + timedelta(days=data.expires_in_days),
    )
    body = IssuedTokenOut(
        id=issued.record.token_id,
        token=issued.secret,
        person=issued.record.person,
        scope=issued.record.scope,
        expires_at=stamp(issued.record.expires),
    )
    return Response(body, status_code=201, headers={"Cache-Control": "no-store"})


@get(
    "/tokens",
    operation_id="tokens.list",
    tags=["tokens"],
    summary="Every token (admin): who, scope, when issued, expiring and revoked; never the secret",
    responses=documented(200, TokenList, "Tokens", *READ_PROBLEMS, 422),
)
async def tokens(
    request: ApiRequest,
    services: NamedDependency[Services],
    person: Annotated[
        str | None, QueryParameter(max_length=254, pattern=EMAIL, description="one person's")
    ] = None,
) -> TokenList:
    _admin(request.user)
    now = services.clock.now()
    records = await list_tokens(services.engine, person=person)
    return TokenList(items=[_out(r, now) for r in records])


@delete(
    "/tokens/{token_id:str}",
    operation_id="tokens.revoke",
    tags=["tokens"],
    status_code=200,
    summary="Revoke a token (admin); it stops working at once in this process",
    responses=documented(200, TokenList, "The tokens revoked now", *WRITE_PROBLEMS),
)
async def revoke(
    request: ApiRequest,
    services: NamedDependency[Services],
    token_id: Annotated[str, PathParameter(max_length=64)],
) -> TokenList:
    _admin(request.user)
    await services.limiter.hit(request.user.token_id, "write")
    revoked = await revoke_tokens(services.engine, services.clock, token_id=token_id)
    services.tokens.forget({r.token_id for r in revoked})
    now = services.clock.now()
    return TokenList(items=[_out(r, now) for r in revoked])


ROUTES = [issue, tokens, revoke]
