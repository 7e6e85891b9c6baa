"""The webhook tables (migration 0009): subscriptions, the outbox of deliveries, attempts, and
the key that encrypts the signing secrets. Every write that must not be half done is one
transaction; instants are ``format_instant`` text, which sorts as time.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.db import WRITE_OPTION, own_key
from tracker.errors import InvalidInput, NotFound
from tracker.events.codec import format_instant
from tracker.settings import WebhookSettings, derive_key

SECRET_INFO: Final = b"tracker webhook secrets v1"
DATABASE_KEY: Final = "secrets"


class Subscription(msgspec.Struct, frozen=True, kw_only=True):
    subscription_id: str
    url: str
    kinds: tuple[str, ...]
    programmes: tuple[str, ...] | None
    """None: every programme."""
    format: str
    created_at: str
    created_by: str
    checkpoint: int
    state: str
    """active, paused or deleted."""
    consecutive_failures: int = 0
    paused_at: str | None = None
    paused_reason: str | None = None

    def wants(self, kind: str, programme: str) -> bool:
        return kind in self.kinds and (self.programmes is None or programme in self.programmes)


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    delivery_id: str
    subscription_id: str
    position: int | None
    programme_key: str
    kind: str
    event_type: str
    body: str
    state: str = "pending"
    """pending, delivered or expired."""
    attempts: int = 0
    created_at: str = ""
    first_attempt_at: str | None = None
    next_attempt_at: str = ""
    delivered_at: str | None = None


class Attempt(msgspec.Struct, frozen=True, kw_only=True):
    delivery_id: str
    attempt: int
    at: str
    status: int | None
    latency_ms: float | None
    error: str | None


async def _write(engine: AsyncEngine) -> AsyncConnection:
    conn = await engine.connect()
    return await conn.execution_options(**{WRITE_OPTION: True})


def _subscription(row: Any) -> Subscription:
    programmes = json.loads(row.programmes) if row.programmes is not None else None
    return Subscription(
        subscription_id=row.subscription_id,
        url=row.url,
        kinds=tuple(json.loads(row.kinds)),
        programmes=tuple(programmes) if programmes is not None else None,
        format=row.format,
        created_at=row.created_at,
        created_by=row.created_by,
        checkpoint=int(row.checkpoint),
        state=row.state,
        consecutive_failures=int(row.consecutive_failures),
        paused_at=row.paused_at,
        paused_reason=row.paused_reason,
    )


_SUBSCRIPTION_COLUMNS: Final = (
    "subscription_id, url, kinds, programmes, format, created_at, created_by, checkpoint, "
    "state, consecutive_failures, paused_at, paused_reason"
)


# The signing secrets: encrypted, as they are needed to sign.


async def secret_cipher(engine: AsyncEngine, settings: WebhookSettings) -> AESGCM:
    """AES-GCM with the key derived from ``TRACKER_WEBHOOK_KEY``, else the database's own
    (made once, at random)."""
    if settings.key is not None:
        return AESGCM(derive_key(settings.key, SECRET_INFO))
    key = await own_key(engine, "webhook_keys", DATABASE_KEY)
    return AESGCM(base64.b64decode(key))


def seal(cipher: AESGCM, secret: str, subscription_id: str) -> str:
    """``base64(nonce + ciphertext)``; the subscription id is the associated data, so a box
    copied onto another subscription does not open."""
    nonce = os.urandom(12)
    sealed = cipher.encrypt(nonce, secret.encode(), subscription_id.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(cipher: AESGCM, box: str, subscription_id: str) -> str:
    raw = base64.b64decode(box)
    return cipher.decrypt(raw[:12], raw[12:], subscription_id.encode()).decode()


# Subscriptions.


async def create(engine: AsyncEngine, subscription: Subscription, secret_box: str) -> None:
    conn = await _write(engine)
    try:
        async with conn.begin():
            await conn.execute(
                text(
                    f"INSERT INTO webhook_subscriptions ({_SUBSCRIPTION_COLUMNS}, secret_box) "
                    "VALUES (:subscription_id, :url, :kinds, :programmes, :format, :created_at, "
                    ":created_by, :checkpoint, :state, :consecutive_failures, :paused_at, "
                    ":paused_reason, :secret_box)"
                ),
                {
                    **msgspec.structs.asdict(subscription),
                    "kinds": json.dumps(list(subscription.kinds)),
                    "programmes": (
                        json.dumps(list(subscription.programmes))
                        if subscription.programmes is not None
                        else None
                    ),
                    "secret_box": secret_box,
                },
            )
    finally:
        await conn.close()


async def subscriptions(
    engine: AsyncEngine, *, states: Sequence[str] = ("active", "paused")
) -> list[Subscription]:
    marks = ", ".join(f":s{i}" for i in range(len(states)))
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    f"SELECT {_SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions "
                    f"WHERE state IN ({marks}) ORDER BY created_at, subscription_id"
                ),
                {f"s{i}": s for i, s in enumerate(states)},
            )
        ).all()
    return [_subscription(row) for row in rows]


async def subscription(engine: AsyncEngine, subscription_id: str) -> Subscription:
    """NotFound for an unknown or deleted subscription."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    f"SELECT {_SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions "
                    "WHERE subscription_id = :id AND state != 'deleted'"
                ),
                {"id": subscription_id},
            )
        ).first()
    if row is None:
        raise NotFound(f"webhook {subscription_id} does not exist", code="webhook_not_found")
    return _subscription(row)


async def secret_box(engine: AsyncEngine, subscription_id: str) -> str:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT secret_box FROM webhook_subscriptions WHERE subscription_id = :id"),
                {"id": subscription_id},
            )
        ).first()
    if row is None:
        raise NotFound(f"webhook {subscription_id} does not exist", code="webhook_not_found")
    return str(row.secret_box)


async def set_state(
    engine: AsyncEngine, subscription_id: str, state: str, at: datetime, reason: str = ""
) -> None:
    """Delete (kept for its deliveries' history), pause with a reason, or resume."""
    now = format_instant(at)
    changes = {
        "deleted": "state = 'deleted', deleted_at = :now",
        "paused": "state = 'paused', paused_at = :now, paused_reason = :reason",
        "active": "state = 'active', paused_at = NULL, paused_reason = NULL, "
        "consecutive_failures = 0",
    }
    if state not in changes:
        raise InvalidInput(f"a webhook's state is active, paused or deleted, not {state!r}")
    conn = await _write(engine)
    try:
        async with conn.begin():
            await conn.execute(
                text(
                    f"UPDATE webhook_subscriptions SET {changes[state]} "
                    "WHERE subscription_id = :id AND state != 'deleted'"
                ),
                {"id": subscription_id, "now": now, "reason": reason},
            )
    finally:
        await conn.close()


# The outbox.

_DELIVERY_INSERT: Final = text(
    "INSERT INTO webhook_deliveries (delivery_id, subscription_id, position, programme_key, kind, "
    "event_type, body, state, attempts, created_at, next_attempt_at) VALUES (:delivery_id, "
    ":subscription_id, :position, :programme_key, :kind, :event_type, :body, 'pending', 0, "
    ":created_at, :next_attempt_at)"
)


def _delivery_row(delivery: Delivery) -> dict[str, Any]:
    return {
        "delivery_id": delivery.delivery_id,
        "subscription_id": delivery.subscription_id,
        "position": delivery.position,
        "programme_key": delivery.programme_key,
        "kind": delivery.kind,
        "event_type": delivery.event_type,
        "body": delivery.body,
        "created_at": delivery.created_at,
        "next_attempt_at": delivery.next_attempt_at,
    }


async def enqueue(
    engine: AsyncEngine,
    subscription_id: str,
    old_checkpoint: int,
    new_checkpoint: int,
    deliveries: Sequence[Delivery],
) -> bool:
    """Add the deliveries and move the checkpoint from ``old_checkpoint``, in one transaction;
    False (nothing written) when another deliverer moved it first."""
    conn = await _write(engine)
    try:
        async with conn.begin():
            moved = await conn.execute(
                text(
                    "UPDATE webhook_subscriptions SET checkpoint = :new "
                    "WHERE subscription_id = :id AND checkpoint = :old"
                ),
                {"id": subscription_id, "old": old_checkpoint, "new": new_checkpoint},
            )
            if moved.rowcount != 1:
                await conn.rollback()
                return False
            if deliveries:
                await conn.execute(_DELIVERY_INSERT, [_delivery_row(d) for d in deliveries])
    finally:
        await conn.close()
    return True


async def add_ping(engine: AsyncEngine, delivery: Delivery) -> None:
    conn = await _write(engine)
    try:
        async with conn.begin():
            await conn.execute(_DELIVERY_INSERT, [_delivery_row(delivery)])
    finally:
        await conn.close()


_DELIVERY_COLUMNS: Final = (
    "d.delivery_id, d.subscription_id, d.position, d.programme_key, d.kind, d.event_type, "
    "d.body, d.state, d.attempts, d.created_at, d.first_attempt_at, d.next_attempt_at, "
    "d.delivered_at"
)


def _delivery(row: Any) -> Delivery:
    return Delivery(
        delivery_id=row.delivery_id,
        subscription_id=row.subscription_id,
        position=int(row.position) if row.position is not None else None,
        programme_key=row.programme_key,
        kind=row.kind,
        event_type=row.event_type,
        body=row.body,
        state=row.state,
        attempts=int(row.attempts),
        created_at=row.created_at,
        first_attempt_at=row.first_attempt_at,
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
    )


async def pending(engine: AsyncEngine, per_lane: int) -> list[Delivery]:
    """The pending deliveries of active subscriptions, the first ``per_lane`` of each lane (a
    subscription and a programme) in the store's order, lane by lane. One statement, whose
    cost follows the pending rows (the index on state, subscription, programme, position)."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    f"SELECT * FROM (SELECT {_DELIVERY_COLUMNS}, ROW_NUMBER() OVER ("
                    "PARTITION BY d.subscription_id, d.programme_key "
                    "ORDER BY d.position, d.created_at) AS n "
                    "FROM webhook_deliveries d JOIN webhook_subscriptions s "
                    "ON s.subscription_id = d.subscription_id "
                    "WHERE s.state = 'active' AND d.state = 'pending') ranked "
                    "WHERE n <= :per_lane ORDER BY subscription_id, programme_key, n"
                ),
                {"per_lane": per_lane},
            )
        ).all()
    return [_delivery(row) for row in rows]


def due_lanes(found: Sequence[Delivery], at: datetime) -> list[list[Delivery]]:
    """``pending``'s rows as lanes whose first delivery is due at ``at``: a programme's
    deliveries go in order, and one waiting for its retry holds back the later ones of its
    programme only."""
    lanes: dict[tuple[str, str], list[Delivery]] = {}
    for delivery in found:
        lanes.setdefault((delivery.subscription_id, delivery.programme_key), []).append(delivery)
    now = format_instant(at)
    return [lane for lane in lanes.values() if lane[0].next_attempt_at <= now]


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt and what it made of its delivery: ``delivered``, ``retry`` at
    ``next_attempt_at``, or ``expired``."""

    delivery: Delivery
    attempt: Attempt
    outcome: str
    next_attempt_at: str | None = None


async def record(
    engine: AsyncEngine, subscription_id: str, outcomes: Sequence[Outcome], *, pause_after: int
) -> bool:
    """Record a lane's attempts and their outcomes, and the subscription's run of failures in
    a row, in one transaction; True when the run reached ``pause_after`` and paused it."""
    if not outcomes:
        return False
    conn = await _write(engine)
    try:
        async with conn.begin():
            await conn.execute(
                text(
                    "INSERT INTO webhook_attempts (delivery_id, attempt, at, status, latency_ms, "
                    "error) VALUES (:delivery_id, :attempt, :at, :status, :latency_ms, :error)"
                ),
                [msgspec.structs.asdict(o.attempt) for o in outcomes],
            )
            await conn.execute(
                text(
                    "UPDATE webhook_deliveries SET attempts = :attempt, "
                    "first_attempt_at = COALESCE(first_attempt_at, :at), "
                    "state = :state, next_attempt_at = :next, delivered_at = :delivered "
                    "WHERE delivery_id = :id"
                ),
                [
                    {
                        "id": o.delivery.delivery_id,
                        "attempt": o.attempt.attempt,
                        "at": o.attempt.at,
                        "state": {"delivered": "delivered", "retry": "pending"}.get(
                            o.outcome, "expired"
                        ),
                        "next": o.next_attempt_at or o.delivery.next_attempt_at,
                        "delivered": o.attempt.at if o.outcome == "delivered" else None,
                    }
                    for o in outcomes
                ],
            )
            row = (
                await conn.execute(
                    text(
                        "SELECT consecutive_failures, state FROM webhook_subscriptions "
                        "WHERE subscription_id = :id"
                    ),
                    {"id": subscription_id},
                )
            ).first()
            run = int(row.consecutive_failures) if row is not None else 0
            for o in outcomes:
                run = 0 if o.outcome == "delivered" else run + 1
            last = outcomes[-1].attempt
            pause = row is not None and row.state == "active" and run >= pause_after
            await conn.execute(
                text(
                    "UPDATE webhook_subscriptions SET consecutive_failures = :run"
                    + (
                        ", state = 'paused', paused_at = :at, paused_reason = :reason"
                        if pause
                        else ""
                    )
                    + " WHERE subscription_id = :id"
                ),
                {
                    "id": subscription_id,
                    "run": run,
                    "at": last.at,
                    "reason": f"{pause_after} deliveries failed in a row; the last: "
                    f"{last.error or last.status}",
                },
            )
    finally:
        await conn.close()
    return pause


class DeliveryLine(msgspec.Struct, frozen=True, kw_only=True):
    """A delivery and its attempts, for ``GET /webhooks/{id}/deliveries``."""

    id: str
    position: int | None
    programme: str
    kind: str
    type: str
    state: str
    attempts: list[Attempt]
    created_at: str
    delivered_at: str | None


async def deliveries(engine: AsyncEngine, subscription_id: str, limit: int) -> list[DeliveryLine]:
    """The newest ``limit`` deliveries, newest first, each with every attempt."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    f"SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries d "
                    "WHERE d.subscription_id = :id ORDER BY d.created_at DESC, "
                    "d.position DESC LIMIT :limit"
                ),
                {"id": subscription_id, "limit": limit},
            )
        ).all()
        found = [_delivery(row) for row in rows]
        tried: dict[str, list[Attempt]] = {d.delivery_id: [] for d in found}
        if found:
            marks = ", ".join(f":d{i}" for i in range(len(found)))
            attempts = (
                await conn.execute(
                    text(
                        "SELECT delivery_id, attempt, at, status, latency_ms, error "
                        f"FROM webhook_attempts WHERE delivery_id IN ({marks}) "
                        "ORDER BY delivery_id, attempt"
                    ),
                    {f"d{i}": d.delivery_id for i, d in enumerate(found)},
                )
            ).all()
            for a in attempts:
                tried[a.delivery_id].append(
                    Attempt(
                        delivery_id=a.delivery_id,
                        attempt=int(a.attempt),
                        at=a.at,
                        status=a.status,
                        latency_ms=a.latency_ms,
                        error=a.error,
                    )
                )
    return [
        DeliveryLine(
            id=d.delivery_id,
            position=d.position,
            programme=d.programme_key,
            kind=d.kind,
            type=d.event_type,
            state=d.state,
            attempts=tried[d.delivery_id],
            created_at=d.created_at,
            delivered_at=d.delivered_at,
        )
        for d in found
    ]
