"""The deliverer against a real HTTP receiver on loopback, on SQLite and PostgreSQL, its clock
moved by hand: in order per programme and once per delivery id through a receiver that is down
for a while, a crash between sending and recording, two deliverers enqueueing at once, the
retry window, pausing after failures in a row, the Teams format, and colour changes."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text

from tests.builders import GABBY, GLYN, KEY, PaperHandlers, at, day
from tests.conftest import ReadSide
from tests.tracker.test_handlers import set_up_btls
from tests.webhooks.receiver import Receiver, receiver
from tracker.clock import FixedClock
from tracker.commands import (
    ApproveDeliverable,
    PlanDeliverable,
    RaiseRisk,
    RescoreRisk,
    SubmitDeliverable,
)
from tracker.settings import Settings, WebhookSettings
from tracker.webhooks import tables
from tracker.webhooks.deliverer import PAUSE_AFTER, Deliverer, backoff
from tracker.webhooks.service import run_deliverer
from tracker.webhooks.signing import new_secret
from tracker.webhooks.tables import Subscription

LOOPBACK = WebhookSettings(allow_http=True, allow_private=True)


def _settings(side: ReadSide) -> Settings:
    return Settings(
        database_url=str(side.engine.url.render_as_string(hide_password=False)), webhooks=LOOPBACK
    )


async def _subscribe(
    side: ReadSide, url: str, kinds: tuple[str, ...] = ("signoff",), fmt: str = "json"
) -> tuple[str, str]:
    secret, sid = new_secret(), str(uuid4())
    cipher = await tables.secret_cipher(side.engine, LOOPBACK)
    await tables.create(
        side.engine,
        Subscription(
            subscription_id=sid,
            url=url,
            kinds=kinds,
            programmes=None,
            format=fmt,
            created_at="2026-11-26T12:00:00.000000Z",
            created_by="programme.office@lancashire.example",
            checkpoint=0,
            state="active",
        ),
        tables.seal(cipher, secret, sid),
    )
    return sid, secret


async def _sign_off(handlers: PaperHandlers, title: str = "Catalogue Matrix") -> UUID:
    """Submitted, approved and signed off: three sign-off deliveries."""
    item = uuid4()
    await handlers.handle(
        PlanDeliverable(
            programme_key=KEY,
            title=title,
            due_on=day("2021-03-18"),
            approvers=(GABBY.ref,),
            deliverable_id=item,
            occurred_at=at("2020-11-01"),
        )
    )
    await handlers.handle(SubmitDeliverable(deliverable_id=item, occurred_at=at("2021-03-01")))
    await handlers.handle(
        ApproveDeliverable(deliverable_id=item, actor=GABBY.email, occurred_at=at("2021-03-18"))
    )
    return item


async def _signed_off_btls(side: ReadSide, clock: FixedClock) -> PaperHandlers:
    """BTLS with one deliverable submitted, approved and signed off: three deliveries."""
    handlers = PaperHandlers(side.store, clock)
    await set_up_btls(handlers)
    await _sign_off(handlers)
    return handlers


def _deliverer(side: ReadSide, clock: FixedClock, **options: object) -> Deliverer:
    return Deliverer(side.store, side.engine, _settings(side), clock, **options)  # type: ignore[arg-type]


async def _until_idle(deliverer: Deliverer, clock: FixedClock, rounds: int = 20) -> None:
    for _ in range(rounds):
        if not await deliverer.round():
            clock.advance(timedelta(minutes=90))  # past any back-off
            if not await deliverer.round():
                return


def _positions(hook: Receiver) -> list[int]:
    return [r.json["position"] for r in hook.delivered()]


async def test_a_receiver_down_then_up_gets_every_delivery_once_in_order(
    read_side: ReadSide, clock: FixedClock
) -> None:
    await _signed_off_btls(read_side, clock)
    with receiver() as hook:
        sid, _ = await _subscribe(read_side, hook.url)
        deliverer = _deliverer(read_side, clock)
        try:
            hook.status = 503
            assert await deliverer.round() == 3 + 1  # three enqueued, the first sent
            assert await deliverer.round() == 0  # nothing due before its back-off
            clock.advance(timedelta(seconds=10))
            hook.status = 0  # the connection dropped unanswered
            assert await deliverer.send_due() == 1
            clock.advance(timedelta(minutes=1))
            hook.status = 200
            await _until_idle(deliverer, clock)
        finally:
            await deliverer.close()
    types = [r.json["type"] for r in hook.delivered()]
    assert types == ["DeliverableSubmitted", "DeliverableApproved", "DeliverableSignedOff"]
    positions = _positions(hook)
    assert positions == sorted(positions)
    ids = [r.headers["Tracker-Delivery-Id"] for r in hook.delivered()]
    assert len(set(ids)) == 3 and ids == [r.json["id"] for r in hook.delivered()]
    [first, *_] = sorted(
        await tables.deliveries(read_side.engine, sid, 10), key=lambda d: d.position or 0
    )
    assert [a.status for a in first.attempts] == [503, None, 200]
    assert first.attempts[1].error and "RemoteProtocolError" in first.attempts[1].error
    assert first.state == "delivered" and all(a.latency_ms is not None for a in first.attempts)


async def test_a_crash_between_sending_and_recording_resends_the_same_delivery_id(
    read_side: ReadSide, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _signed_off_btls(read_side, clock)
    with receiver() as hook:
        await _subscribe(read_side, hook.url)
        crashing = _deliverer(read_side, clock)
        record = tables.record

        async def crash(*args: object, **kwargs: object) -> bool:
            raise ConnectionError("the deliverer died after the POST")

        monkeypatch.setattr(tables, "record", crash)
        with pytest.raises(ConnectionError):
            await crashing.round()
        await crashing.close()
        monkeypatch.setattr(tables, "record", record)
        fresh = _deliverer(read_side, clock)
        try:
            await _until_idle(fresh, clock)
        finally:
            await fresh.close()
    ids = [r.headers["Tracker-Delivery-Id"] for r in hook.delivered()]
    # The lane's three were sent, not recorded, and sent again: each id twice, in order each
    # time, so a receiver that dedupes on the id sees each once.
    assert len(ids) == 6 and ids[:3] == ids[3:] and len(set(ids)) == 3
    assert _positions(hook)[:3] == sorted(_positions(hook)[:3]) == _positions(hook)[3:]


async def test_two_deliverers_enqueueing_at_once_add_each_delivery_once(
    read_side: ReadSide, clock: FixedClock
) -> None:
    handlers = await _signed_off_btls(read_side, clock)
    await _sign_off(handlers, "Second deliverable")
    await _subscribe(read_side, "http://127.0.0.1:9/never")
    one, two = _deliverer(read_side, clock), _deliverer(read_side, clock)
    try:
        added = await asyncio.gather(one.enqueue(), two.enqueue(), one.enqueue())
    finally:
        await one.close()
        await two.close()
    async with read_side.engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM webhook_deliveries"))).scalar_one()
    assert count == 6 and sum(a for a, _ in added) == 6


async def test_a_delivery_failing_past_the_retry_window_expires_and_the_next_goes(
    read_side: ReadSide, clock: FixedClock
) -> None:
    await _signed_off_btls(read_side, clock)
    with receiver() as hook:
        sid, _ = await _subscribe(read_side, hook.url)
        deliverer = _deliverer(read_side, clock)
        try:
            hook.status = 500
            await deliverer.round()
            clock.advance(timedelta(hours=25))
            await deliverer.send_due()  # past the window: expired
            hook.status = 200
            await _until_idle(deliverer, clock)
        finally:
            await deliverer.close()
    states = {d.type: d.state for d in await tables.deliveries(read_side.engine, sid, 10)}
    assert states == {
        "DeliverableSubmitted": "expired",
        "DeliverableApproved": "delivered",
        "DeliverableSignedOff": "delivered",
    }


async def test_failures_in_a_row_pause_the_subscription_and_tell_and_resume_delivers(
    read_side: ReadSide, clock: FixedClock
) -> None:
    assert PAUSE_AFTER == 50
    await _signed_off_btls(read_side, clock)
    told: list[str] = []

    async def notify(sub: Subscription, reason: str) -> None:
        told.append(f"{sub.subscription_id}: {reason}")

    with receiver() as hook:
        sid, _ = await _subscribe(read_side, hook.url)
        deliverer = _deliverer(read_side, clock, notify=notify, pause_after=3)
        try:
            hook.status = 500
            for _ in range(3):
                await deliverer.round()
                clock.advance(timedelta(minutes=5))
            sub = await tables.subscription(read_side.engine, sid)
            assert sub.state == "paused" and sub.consecutive_failures == 3
            assert told == [f"{sid}: 3 deliveries failed in a row; the last: HTTP 500"]
            clock.advance(timedelta(hours=2))
            assert await deliverer.send_due() == 0  # paused: nothing is sent
            await tables.set_state(read_side.engine, sid, "active", clock.now())
            hook.status = 200
            await _until_idle(deliverer, clock)
        finally:
            await deliverer.close()
    assert [r.json["type"] for r in hook.delivered()] == [
        "DeliverableSubmitted",
        "DeliverableApproved",
        "DeliverableSignedOff",
    ]
    assert (await tables.subscription(read_side.engine, sid)).consecutive_failures == 0


async def test_the_teams_format_is_a_signed_adaptive_card_message(
    read_side: ReadSide, clock: FixedClock
) -> None:
    await _signed_off_btls(read_side, clock)
    with receiver() as hook:
        _, secret = await _subscribe(read_side, hook.url, fmt="teams")
        deliverer = _deliverer(read_side, clock)
        try:
            await _until_idle(deliverer, clock)
        finally:
            await deliverer.close()
    last = hook.delivered()[-1]
    message = last.json
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card_text = str(attachment["content"])
    assert "signed off" in card_text and "Catalogue Matrix" in card_text
    stamp, signature = (
        part.split("=", 1)[1] for part in last.headers["Tracker-Signature"].split(",")
    )
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + last.body, hashlib.sha256)
    assert hmac.compare_digest(signature, expected.hexdigest())


async def test_a_colour_change_is_delivered_with_what_changed_and_why(
    read_side: ReadSide, clock: FixedClock
) -> None:
    handlers = PaperHandlers(read_side.store, clock)
    await set_up_btls(handlers)
    risk = uuid4()
    await handlers.handle(
        RaiseRisk(
            programme_key=KEY,
            kind="risk",
            description="Contracts not novated in time",
            owner=GLYN.ref,
            ref="R1",
            impact=2,
            likelihood=2,
            item_id=risk,
            occurred_at=at("2026-11-20"),
        )
    )
    with receiver() as hook:
        await _subscribe(read_side, hook.url, kinds=("rag",))
        deliverer = _deliverer(read_side, clock)
        try:
            await _until_idle(deliverer, clock)
            assert hook.delivered() == []  # the first look is a baseline, not a change
            await handlers.handle(
                RescoreRisk(item_id=risk, impact=5, likelihood=4, reason="Supplier failed")
            )
            await _until_idle(deliverer, clock)
        finally:
            await deliverer.close()
    changes = {r.json["data"]["subject"]: r.json for r in hook.delivered()}
    moved = changes[f"raid:{risk}"]
    assert moved["kind"] == "rag" and moved["type"] == "ColourChanged"
    assert moved["summary"].startswith("BTLS transition: R1 Green -> Red: Red: R1 score 20")
    assert changes["programme"]["summary"].startswith(
        "BTLS transition: BTLS transition Green -> Red"
    )
    assert date.fromisoformat(moved["occurred_at"][:10]) == clock.now().date()


def test_back_off_doubles_from_five_seconds_to_an_hour_with_jitter() -> None:
    rng = __import__("random").Random(7)
    assert 2.5 <= backoff(1, rng) <= 5
    assert 20 <= backoff(4, rng) <= 40
    assert 1800 <= backoff(30, rng) <= 3600


async def test_the_deliverer_connects_to_the_address_it_checked_not_a_new_lookup(
    read_side: ReadSide, clock: FixedClock
) -> None:
    """``hook.test`` is unknown to the system's resolver: the delivery arrives only because the
    deliverer connects to the address its own check resolved, naming the host in ``Host``."""
    await _signed_off_btls(read_side, clock)
    looked_up: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"]

    with receiver() as hook:
        port = hook.url.rsplit(":", 1)[1].split("/")[0]
        await _subscribe(read_side, f"http://hook.test:{port}/hook")
        deliverer = _deliverer(read_side, clock, resolve=resolve)
        try:
            await _until_idle(deliverer, clock)
        finally:
            await deliverer.close()
    assert len(hook.delivered()) == 3 and set(looked_up) == {"hook.test"}
    assert hook.delivered()[0].headers["Host"] == f"hook.test:{port}"


async def test_a_name_that_now_resolves_inside_is_refused_before_connecting(
    read_side: ReadSide, clock: FixedClock
) -> None:
    """Accepted when subscribed, the name later points at a private address (DNS rebinding):
    the attempt fails naming why, and nothing is sent."""
    await _signed_off_btls(read_side, clock)

    async def rebound(host: str, port: int) -> list[str]:
        return ["10.0.0.5"]

    sid, _ = await _subscribe(read_side, "http://hooks.example.org/in")
    strict = Settings(
        database_url=_settings(read_side).database_url,
        webhooks=WebhookSettings(allow_http=True, allow_private=False),
    )
    deliverer = Deliverer(read_side.store, read_side.engine, strict, clock, resolve=rebound)
    try:
        await deliverer.round()
    finally:
        await deliverer.close()
    [tried] = [d for d in await tables.deliveries(read_side.engine, sid, 10) if d.attempts]
    assert tried.state == "pending" and tried.attempts[0].status is None
    assert "private" in (tried.attempts[0].error or "")


async def test_one_deliverer_sends_at_a_time_and_a_standby_takes_over(
    read_side: ReadSide, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Two ``run_deliverer`` loops on one database (the leader lock: a file lock beside SQLite,
    an advisory lock on PostgreSQL): one leads and the other stands by; every delivery arrives
    once; when the leader stops, the standby takes over and delivers what comes next."""
    caplog.set_level("INFO", logger="tracker.webhooks.service")
    handlers = PaperHandlers(read_side.store, clock)
    await set_up_btls(handlers)
    settings = _settings(read_side)
    with receiver() as hook:
        await _subscribe(read_side, hook.url)
        stop_a, stop_b = asyncio.Event(), asyncio.Event()
        first = asyncio.create_task(run_deliverer(settings, stop_a))
        await asyncio.sleep(0.3)
        second = asyncio.create_task(run_deliverer(settings, stop_b))
        try:
            await _sign_off(handlers)
            assert await _waited(lambda: len(hook.delivered()) == 3)
            stop_a.set()
            await asyncio.wait_for(first, 10)
            await _sign_off(handlers, "After the hand-over")
            assert await _waited(lambda: len(hook.delivered()) == 6, seconds=10)
        finally:
            stop_a.set()
            stop_b.set()
            await asyncio.wait_for(asyncio.gather(first, second), 10)
    ids = [r.headers["Tracker-Delivery-Id"] for r in hook.delivered()]
    assert len(ids) == len(set(ids)) == 6
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("webhooks: leader, delivering") == 2  # A, then B after A stopped
    assert "webhooks: standby, another deliverer is the leader" in messages


async def _waited(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()
