"""Webhooks through HTTP, delivered by the deliverer inside the app to a real receiver on
loopback: a sign-off arrives within 5 s, signed; subscriptions are for admins; URLs that would
reach inside the network are refused; ping, deliveries and delete."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Callable

import pytest

from tests.api.builders import LEAD, SPONSOR, given_deliverable, given_programme
from tests.api.client import Api, running_api
from tests.webhooks.receiver import Receiver, receiver
from tracker.settings import WebhookSettings

LOOPBACK = WebhookSettings(allow_http=True, allow_private=True)


@pytest.fixture
async def open_api(database_url: str) -> AsyncIterator[Api]:
    """The app allowing http and loopback receivers (as TRACKER_WEBHOOK_ALLOW_* would)."""
    async with running_api(database_url, webhooks=LOOPBACK, run_webhooks=True) as running:
        yield running


async def _until(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Poll ``check`` every 50 ms for up to ``seconds`` (the receiver is another thread)."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


async def _arrived(hook: Receiver, kind: str, seconds: float = 5.0) -> list[dict[str, object]]:
    def found() -> list[dict[str, object]]:
        return [r.json for r in hook.delivered() if r.json["type"] == kind]

    if await _until(lambda: bool(found()), seconds):
        return found()
    raise AssertionError(f"no {kind} within {seconds} s: {[r.json['type'] for r in hook.requests]}")


async def test_a_sign_off_arrives_within_five_seconds_signed(open_api: Api) -> None:
    api = open_api
    admin = await api.admin()
    key = await given_programme(api)
    with receiver() as hook:
        made = await api.post(
            "/api/v1/webhooks", admin, {"url": hook.url, "kinds": ["signoff"], "programmes": [key]}
        )
        assert made.status_code == 201, made.text
        webhook = made.json()
        assert webhook["secret"].startswith("whsec_") and webhook["state"] == "active"
        assert made.headers["cache-control"] == "no-store"
        item = await given_deliverable(api, key, approvers=(SPONSOR,), submitted=True)
        started = time.monotonic()
        approved = await api.post(f"/api/v1/deliverables/{item}/approve", await api.as_(SPONSOR))
        assert approved.status_code == 200
        [signed] = await _arrived(hook, "DeliverableSignedOff")
        assert time.monotonic() - started < 5
        request = next(r for r in hook.delivered() if r.json["type"] == "DeliverableSignedOff")
    assert signed["kind"] == "signoff" and signed["programme"] == key
    assert signed["summary"] == f"{key} programme: deliverable 'DR plan' signed off."
    assert signed["links"]["programme"].endswith(f"/programmes/{key}")
    assert request.headers["Tracker-Webhook-Id"] == webhook["id"]
    assert request.headers["Tracker-Delivery-Id"] == signed["id"]
    stamp, digest = (p.split("=", 1)[1] for p in request.headers["Tracker-Signature"].split(","))
    expected = hmac.new(
        webhook["secret"].encode(), f"{stamp}.".encode() + request.body, hashlib.sha256
    )
    assert hmac.compare_digest(digest, expected.hexdigest())

    listed = await api.get(f"/api/v1/webhooks/{webhook['id']}/deliveries", admin)
    lines = listed.json()["deliveries"]
    assert {d["type"] for d in lines} >= {"DeliverableSubmitted", "DeliverableSignedOff"}
    assert all(d["state"] == "delivered" and d["attempts"][0]["status"] == 200 for d in lines)
    assert "secret" not in (await api.get("/api/v1/webhooks", admin)).text


async def test_ping_delete_and_only_admins(open_api: Api) -> None:
    api = open_api
    admin = await api.admin()
    await given_programme(api)
    with receiver() as hook:
        made = (
            await api.post("/api/v1/webhooks", admin, {"url": hook.url, "kinds": ["rag"]})
        ).json()
        pinged = await api.post(f"/api/v1/webhooks/{made['id']}/ping", admin)
        assert pinged.status_code == 202
        [ping] = await _arrived(hook, "Ping")
        assert ping["id"] == pinged.json()["delivery_id"] and ping["kind"] == "ping"
    assert (await api.get("/api/v1/webhooks?state=paused", admin)).json()["webhooks"] == []
    [active] = (await api.get("/api/v1/webhooks?state=active", admin)).json()["webhooks"]
    assert active["id"] == made["id"] and active["kinds"] == ["rag"]
    member = await api.as_(LEAD)
    for method, path in (
        ("get", "/api/v1/webhooks"),
        ("post", f"/api/v1/webhooks/{made['id']}/ping"),
        ("get", f"/api/v1/webhooks/{made['id']}/deliveries"),
    ):
        refused = await getattr(api, method)(path, member)
        assert refused.status_code == 403, path
    created = await api.post(
        "/api/v1/webhooks", member, {"url": "https://example.org/h", "kinds": ["raid"]}
    )
    assert created.status_code == 403
    gone = await api.delete(f"/api/v1/webhooks/{made['id']}", admin)
    assert gone.status_code == 204
    assert (await api.get(f"/api/v1/webhooks/{made['id']}", admin)).status_code == 404
    assert (await api.get("/api/v1/webhooks", admin)).json()["webhooks"] == []


async def test_urls_reaching_inside_the_network_are_refused(api: Api) -> None:
    """The default settings: https only, and no loopback, private or link-local receiver."""
    admin = await api.admin()
    for url, why in (
        ("http://hooks.example.org/x", "https"),
        ("https://127.0.0.1/x", "loopback"),
        ("https://localhost:8443/x", "loopback"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://10.1.2.3/x", "private"),
        ("https://[::ffff:127.0.0.1]/x", "loopback"),
        ("https://user:pw@93.184.215.14/x", "user"),
    ):
        answer = await api.post("/api/v1/webhooks", admin, {"url": url, "kinds": ["signoff"]})
        assert answer.status_code == 422, url
        problem = answer.json()
        assert problem["code"] == "unsafe_url" and problem["errors"][0]["field"] == "url"
        assert why in problem["detail"].lower(), (url, problem["detail"])
    unknown = await api.post(
        "/api/v1/webhooks",
        admin,
        {"url": "https://93.184.215.14/x", "kinds": ["signoff"], "programmes": ["nope"]},
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "programme_not_found"
    bad_kind = await api.post(
        "/api/v1/webhooks", admin, {"url": "https://93.184.215.14/x", "kinds": ["all"]}
    )
    assert bad_kind.status_code == 400


async def test_a_redirect_is_not_followed_and_counts_as_a_failure(open_api: Api) -> None:
    api = open_api
    admin = await api.admin()
    with receiver() as hook:
        hook.status, hook.redirect_to = 302, "http://127.0.0.1:9/elsewhere"
        made = (
            await api.post("/api/v1/webhooks", admin, {"url": hook.url, "kinds": ["signoff"]})
        ).json()
        await api.post(f"/api/v1/webhooks/{made['id']}/ping", admin)
        assert await _until(lambda: bool(hook.requests))
        assert len(hook.requests) == 1
        await asyncio.sleep(0.3)
    [line] = (await api.get(f"/api/v1/webhooks/{made['id']}/deliveries", admin)).json()[
        "deliveries"
    ]
    assert line["state"] == "pending" and line["attempts"][0]["status"] == 302
    assert "redirects are not followed" in line["attempts"][0]["error"]
