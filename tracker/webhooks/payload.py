"""A delivery's JSON body, made when the event is put in the outbox; pure.

``{id, kind, type, position, programme, programme_name, occurred_at, recorded_at, summary,
data, links}``: ``id`` is the delivery's (the same on every retry: receivers dedupe on it),
``data`` the event's own fields as the event log holds them, ``links`` the programme's page and
the event in the API's feed. A ping has kind ``ping``, no position and no programme.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final

import msgspec

from tracker.events.base import StoredEvent
from tracker.events.codec import format_instant
from tracker.projections.read_model.views import ProgrammeView
from tracker.webhooks.kinds import summary

DELIVERY_NAMESPACE: Final = uuid.UUID("6d9b5c3e-2f41-5a7c-9e0d-7b1f4c2a8e63")


def delivery_id(subscription_id: str, position: int) -> str:
    """Stable: the same subscription and event always make the same delivery id."""
    return str(uuid.uuid5(DELIVERY_NAMESPACE, f"{subscription_id}:{position}"))


def links(base_url: str, programme: str, position: int | None) -> dict[str, str]:
    base = base_url.rstrip("/")
    found: dict[str, str] = {}
    if programme:
        found["programme"] = f"{base}/programmes/{programme}"
    if position is not None:
        found["event"] = f"{base}/api/v1/events?after={position - 1}&limit=1"
    return found


def event_body(
    *,
    delivery: str,
    kind: str,
    event: StoredEvent,
    view: ProgrammeView | None,
    base_url: str,
) -> dict[str, Any]:
    key = str(getattr(event.data, "programme_key", ""))
    return {
        "id": delivery,
        "kind": kind,
        "type": event.type,
        "position": event.position,
        "programme": key,
        "programme_name": (view.name if view is not None else "") or key,
        "occurred_at": format_instant(event.occurred_at),
        "recorded_at": format_instant(event.recorded_at),
        "summary": summary(event.data, event.type, view),
        "data": msgspec.to_builtins(event.data),
        "links": links(base_url, key, event.position),
    }


def ping_body(
    *, delivery: str, subscription_id: str, at: datetime, base_url: str
) -> dict[str, Any]:
    stamp = format_instant(at)
    return {
        "id": delivery,
        "kind": "ping",
        "type": "Ping",
        "position": None,
        "programme": "",
        "programme_name": "",
        "occurred_at": stamp,
        "recorded_at": stamp,
        "summary": f"Ping for webhook subscription {subscription_id}: the tracker can reach you.",
        "data": {"subscription_id": subscription_id},
        "links": links(base_url, "", None),
    }
