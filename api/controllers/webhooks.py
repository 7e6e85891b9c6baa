"""Webhooks through the API (admin): subscribe, list, read, delete, ping, resume, and the
deliveries with every attempt (docs/webhooks.md). The signing secret is answered once, when the
subscription is made, and kept encrypted (``tracker.webhooks.tables``)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID, uuid4

import msgspec
from litestar import Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.auth import ApiRequest, Principal
from api.errors import ApiProblem, FieldError
from api.openapi import READ_PROBLEMS, WRITE_PROBLEMS, documented
from api.schemas.bodies import WebhookIn
from api.services import Services
from tracker.errors import InvalidInput
from tracker.events.codec import format_instant
from tracker.permissions import Action, Involvement, require
from tracker.webhooks import tables
from tracker.webhooks.payload import ping_body
from tracker.webhooks.safety import check_url
from tracker.webhooks.signing import new_secret


class WebhookOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    url: str
    kinds: list[str]
    programmes: list[str] | None
    format: str
    state: str
    """active, paused (after 50 failures in a row; resume it) or deleted."""
    created_at: str
    created_by: str
    consecutive_failures: int
    paused_reason: str | None = None


class CreatedWebhookOut(WebhookOut, frozen=True, kw_only=True):
    secret: str
    """Shown once: the key of ``Tracker-Signature`` (docs/webhooks.md has the check)."""


class WebhookList(msgspec.Struct, frozen=True, kw_only=True):
    webhooks: list[WebhookOut]


class DeliveryList(msgspec.Struct, frozen=True, kw_only=True):
    deliveries: list[tables.DeliveryLine]


class PingOut(msgspec.Struct, frozen=True, kw_only=True):
    delivery_id: str


def _admin(principal: Principal) -> None:
    require(principal, Action.ADMIN, Involvement(), "webhooks")


async def _subscription(
    request: ApiRequest, services: Services, webhook_id: UUID, *, writes: bool = False
) -> tables.Subscription:
    """The subscription an admin asks about (404 when unknown or deleted); a write counts
    against the caller's rate limit, as every other write does."""
    _admin(request.user)
    if writes:
        await services.limiter.hit(request.user.token_id, "write")
    return await tables.subscription(services.engine, str(webhook_id))


def _out(sub: tables.Subscription) -> WebhookOut:
    return WebhookOut(
        id=sub.subscription_id,
        url=sub.url,
        kinds=list(sub.kinds),
        programmes=list(sub.programmes) if sub.programmes is not None else None,
        format=sub.format,
        state=sub.state,
        created_at=sub.created_at,
        created_by=sub.created_by,
        consecutive_failures=sub.consecutive_failures,
        paused_reason=sub.paused_reason,
    )


async def _checked_url(services: Services, url: str) -> str:
    settings = services.settings.webhooks
    try:
        return await check_url(
            url, allow_http=settings.allow_http, allow_private=settings.allow_private
        )
    except InvalidInput as exc:
        raise ApiProblem(
            422, "unsafe_url", str(exc), errors=[FieldError(field="url", message=str(exc))]
        ) from exc


@post(
    "/webhooks",
    operation_id="webhooks.create",
    tags=["webhooks"],
    summary="Subscribe a URL to sign-offs, closure, milestones, RAID or colour changes (admin)",
    responses=documented(
        201, CreatedWebhookOut, "The subscription and its secret, shown once", *WRITE_PROBLEMS
    ),
)
async def create(
    request: ApiRequest, services: NamedDependency[Services], data: JSONBody[WebhookIn]
) -> Response[CreatedWebhookOut]:
    _admin(request.user)
    await services.limiter.hit(request.user.token_id, "write")
    url = await _checked_url(services, data.url)
    if data.programmes is not None:
        known = {g.key for g in await services.reads.glances()}
        unknown = [key for key in data.programmes if key not in known]
        if unknown:
            message = "not registered: " + ", ".join(unknown)
            raise ApiProblem(
                422,
                "programme_not_found",
                message,
                errors=[FieldError(field="programmes", message=message)],
            )
    secret = new_secret()
    subscription_id = str(uuid4())
    cipher = await tables.secret_cipher(services.engine, services.settings.webhooks)
    sub = tables.Subscription(
        subscription_id=subscription_id,
        url=url,
        kinds=tuple(dict.fromkeys(data.kinds)),
        programmes=tuple(dict.fromkeys(data.programmes)) if data.programmes else None,
        format=data.format,
        created_at=format_instant(services.clock.now()),
        created_by=request.user.person,
        checkpoint=await services.store.head_position(),
        state="active",
    )
    await tables.create(services.engine, sub, tables.seal(cipher, secret, subscription_id))
    body = CreatedWebhookOut(**msgspec.structs.asdict(_out(sub)), secret=secret)
    return Response(
        body,
        status_code=201,
        headers={"Cache-Control": "no-store", "Location": f"/api/v1/webhooks/{subscription_id}"},
    )


@get(
    "/webhooks",
    operation_id="webhooks.list",
    tags=["webhooks"],
    summary="Every webhook subscription (admin), never its secret",
    responses=documented(200, WebhookList, "Subscriptions", *READ_PROBLEMS),
)
async def list_webhooks(
    request: ApiRequest,
    services: NamedDependency[Services],
    only: Annotated[
        Literal["active", "paused"] | None,
        QueryParameter(name="state", description="only those active, or only those paused"),
    ] = None,
) -> WebhookList:
    _admin(request.user)
    states = (only,) if only is not None else ("active", "paused")
    found = await tables.subscriptions(services.engine, states=states)
    return WebhookList(webhooks=[_out(s) for s in found])


@get(
    "/webhooks/{webhook_id:uuid}",
    operation_id="webhooks.read",
    tags=["webhooks"],
    summary="One webhook subscription (admin)",
    responses=documented(200, WebhookOut, "The subscription", *READ_PROBLEMS),
)
async def read(
    request: ApiRequest, services: NamedDependency[Services], webhook_id: FromPath[UUID]
) -> WebhookOut:
    return _out(await _subscription(request, services, webhook_id))


@delete(
    "/webhooks/{webhook_id:uuid}",
    operation_id="webhooks.delete",
    tags=["webhooks"],
    summary="Stop a webhook (admin); its deliveries' history is kept",
    status_code=204,
    responses=documented(204, None, "Deleted", *WRITE_PROBLEMS),
)
async def remove(
    request: ApiRequest, services: NamedDependency[Services], webhook_id: FromPath[UUID]
) -> None:
    sub = await _subscription(request, services, webhook_id, writes=True)
    await tables.set_state(services.engine, sub.subscription_id, "deleted", services.clock.now())


@post(
    "/webhooks/{webhook_id:uuid}/ping",
    operation_id="webhooks.ping",
    tags=["webhooks"],
    summary="Send a signed ping to the webhook's URL (admin); see it in its deliveries",
    status_code=202,
    responses=documented(202, PingOut, "Queued", *WRITE_PROBLEMS),
)
async def ping(
    request: ApiRequest, services: NamedDependency[Services], webhook_id: FromPath[UUID]
) -> PingOut:
    sub = await _subscription(request, services, webhook_id, writes=True)
    now = services.clock.now()
    delivery = str(uuid4())
    body = ping_body(
        delivery=delivery,
        subscription_id=sub.subscription_id,
        at=now,
        base_url=services.settings.reminders.base_url,
    )
    stamp = format_instant(now)
    await tables.add_ping(
        services.engine,
        tables.Delivery(
            delivery_id=delivery,
            subscription_id=sub.subscription_id,
            position=None,
            programme_key="",
            kind="ping",
            event_type="Ping",
            body=msgspec.json.encode(body).decode(),
            created_at=stamp,
            next_attempt_at=stamp,
        ),
    )
    return PingOut(delivery_id=delivery)


@post(
    "/webhooks/{webhook_id:uuid}/resume",
    operation_id="webhooks.resume",
    tags=["webhooks"],
    summary="Resume a paused webhook (admin): its waiting deliveries go out in order",
    status_code=200,
    responses=documented(200, WebhookOut, "Resumed", *WRITE_PROBLEMS),
)
async def resume(
    request: ApiRequest, services: NamedDependency[Services], webhook_id: FromPath[UUID]
) -> WebhookOut:
    sub = await _subscription(request, services, webhook_id, writes=True)
    await tables.set_state(services.engine, sub.subscription_id, "active", services.clock.now())
    return _out(await tables.subscription(services.engine, sub.subscription_id))


@get(
    "/webhooks/{webhook_id:uuid}/deliveries",
    operation_id="webhooks.deliveries",
    tags=["webhooks"],
    summary="The webhook's newest deliveries (admin), each attempt with status, latency, error",
    responses=documented(200, DeliveryList, "Deliveries", *READ_PROBLEMS),
)
async def deliveries(
    request: ApiRequest,
    services: NamedDependency[Services],
    webhook_id: FromPath[UUID],
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> DeliveryList:
    sub = await _subscription(request, services, webhook_id)
    return DeliveryList(
        deliveries=await tables.deliveries(services.engine, sub.subscription_id, limit)
    )


ROUTES = [create, list_webhooks, read, remove, ping, resume, deliveries]
