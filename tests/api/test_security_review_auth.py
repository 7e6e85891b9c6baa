"""The security review of issue 14, findings 6, 7, 8 and 11: page sessions that end, tokens that
expire, keys that survive rotation, and a write limit shared by every API process. One
regression test per finding, named after it, through HTTP on SQLite and PostgreSQL.

The same findings against a served process: tests/pages/test_security.py; the key's
derivation and the secret's length: tests/pages/test_settings.py.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from alembic import command
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from api.errors import ApiProblem
from api.ratelimit import RateLimiter
from tests.api.builders import LEAD, OUTSIDER
from tests.api.client import ADMIN, Api, csrf_token, running_api, sign_in
from tests.api.test_security_review_reads import opened, served
from tests.api.test_serve import tracker
from tracker.auth.tokens import IssuedToken, issue_token, revoke_tokens
from tracker.clock import FixedClock, SystemClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.migrations import alembic_config, upgrade_async
from tracker.settings import ApiSettings, PageSettings, Settings

SESSION = "tracker_session"


def keys(secret: str = "k" * 43, **options: float) -> PageSettings:
    """Page settings with a fixed secret (as every replica would have)."""
    return PageSettings(secret=secret.encode(), **options)


async def sign_out(client: AsyncTestClient[object]) -> httpx.Response:
    form = {"_csrf_token": await csrf_token(client, "/")}
    return await client.post("/sign-out", data=form, follow_redirects=False)


async def page(client: AsyncTestClient[object], cookie: str | None = None) -> httpx.Response:
    """The portfolio, with the client's cookies or with exactly this session cookie."""
    if cookie is None:
        return await client.get("/", follow_redirects=False)
    client.cookies.clear()
    return await client.get("/", headers={"Cookie": f"{SESSION}={cookie}"}, follow_redirects=False)


def sent_to_sign_in(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")


async def sessions_of(database_url: str, token_id: str | None = None) -> int:
    engine = create_engine(Settings(database_url=database_url))
    try:
        async with engine.connect() as conn:
            query = "SELECT count(*) FROM page_sessions"
            if token_id is None:
                return int((await conn.execute(text(query))).scalar_one())
            query += " WHERE token_id = :t"
            return int((await conn.execute(text(query), {"t": token_id})).scalar_one())
    finally:
        await engine.dispose()


async def issued(
    database_url: str, email: str, *, at: datetime | None = None, scope: str = "member"
) -> IssuedToken:
    """A token issued ``at`` (default now) for the default 90 days."""
    settings = Settings(database_url=database_url)
    store, engine = open_store(settings), create_engine(settings)
    clock = SystemClock() if at is None else FixedClock(at)
    try:
        return await issue_token(engine, store, clock, email=email, scope=scope)
    finally:
        await store.close()
        await engine.dispose()


async def revoked(database_url: str, token_id: str) -> None:
    """As ``tracker token revoke`` does it: in the database, no process told."""
    engine = create_engine(Settings(database_url=database_url))
    try:
        await revoke_tokens(engine, SystemClock(), token_id=token_id)
    finally:
        await engine.dispose()


# Finding 6: signing out ends the session; so do idleness, the lifetime and revocation.


async def test_finding_6_after_sign_out_the_old_session_cookie_opens_nothing(api: Api) -> None:
    token = await api.token(LEAD)
    assert (await sign_in(api.client, token)).status_code == 303
    cookie = api.client.cookies[SESSION]
    assert token not in cookie and "trk_" not in cookie and len(cookie) == 43  # a random id
    assert (await page(api.client)).status_code == 200
    assert await sessions_of(api.database_url) == 1
    out = await sign_out(api.client)
    assert sent_to_sign_in(out) and f"{SESSION}=" in out.headers["set-cookie"]
    assert await sessions_of(api.database_url) == 0
    assert sent_to_sign_in(await page(api.client, cookie))  # the replayed cookie opens nothing


async def test_finding_6_a_session_idle_longer_than_the_timeout_ends(database_url: str) -> None:
    clock = FixedClock(datetime.now(UTC))
    settings = keys(session_idle_minutes=30, session_hours=8)
    async with running_api(database_url, clock=clock, page_settings=settings) as api:
        await sign_in(api.client, await api.token(LEAD))
        for _ in range(3):  # busy: each visit within 30 minutes of the last
            clock.advance(timedelta(minutes=29))
            assert (await page(api.client)).status_code == 200
        clock.advance(timedelta(minutes=30))
        assert sent_to_sign_in(await page(api.client))
        assert await sessions_of(database_url) == 0


async def test_finding_6_a_busy_session_still_ends_at_its_lifetime(database_url: str) -> None:
    clock = FixedClock(datetime.now(UTC))
    settings = keys(session_idle_minutes=30, session_hours=8)
    async with running_api(database_url, clock=clock, page_settings=settings) as api:
        await sign_in(api.client, await api.token(LEAD))
        for _ in range(19):  # 7 h 55 min of visits 25 minutes apart
            clock.advance(timedelta(minutes=25))
            assert (await page(api.client)).status_code == 200
        clock.advance(timedelta(minutes=5))
        assert sent_to_sign_in(await page(api.client))


async def test_finding_6_revoking_the_token_ends_its_sessions_at_once(database_url: str) -> None:
    # A long token cache: the session must not be kept alive by a process's trust in its token.
    async with running_api(
        database_url, api_settings=ApiSettings(token_cache_seconds=300), page_settings=keys()
    ) as api:
        made = await issued(database_url, OUTSIDER)
        await sign_in(api.client, made.secret)
        assert (await page(api.client)).status_code == 200
        await revoked(database_url, made.record.token_id)
        assert await sessions_of(database_url, made.record.token_id) == 0
        assert sent_to_sign_in(await page(api.client))


# Finding 7: tokens expire.


async def test_finding_7_an_expired_token_is_refused_with_a_token_expired_problem(
    api: Api,
) -> None:
    old = await issued(api.database_url, LEAD, at=datetime.now(UTC) - timedelta(days=91))
    answer = await api.get("/api/v1/programmes", {"Authorization": f"Bearer {old.secret}"})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "token_expired"
    when = old.record.expires.strftime("%Y-%m-%d %H:%M UTC")
    assert when in problem["detail"] and "new one" in problem["detail"]
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]
    signing_in = await sign_in(api.client, old.secret)
    assert signing_in.status_code == 401 and "expired" in signing_in.text


async def test_finding_7_a_cached_token_is_not_accepted_past_its_expiry(database_url: str) -> None:
    almost = datetime.now(UTC) - timedelta(days=90) + timedelta(seconds=2)
    made = await issued(database_url, LEAD, at=almost)
    bearer = {"Authorization": f"Bearer {made.secret}"}
    cached = ApiSettings(token_cache_seconds=600)
    async with running_api(database_url, api_settings=cached, page_settings=keys()) as api:
        assert (await api.get("/api/v1/programmes", bearer)).status_code == 200
        await sign_in(api.client, made.secret)
        assert (await page(api.client)).status_code == 200
        await asyncio.sleep(max(0.0, (made.record.expires - datetime.now(UTC)).total_seconds()))
        await asyncio.sleep(0.1)
        answer = await api.get("/api/v1/programmes", bearer)
        assert answer.status_code == 401 and answer.json()["code"] == "token_expired"
        assert sent_to_sign_in(await page(api.client))


async def test_finding_7_an_open_event_stream_ends_once_its_token_expires(
    database_url: str,
) -> None:
    almost = datetime.now(UTC) - timedelta(days=90) + timedelta(seconds=1.5)
    made = await issued(database_url, "dashboard@lancashire.gov.uk", at=almost, scope="reader")
    settings = ApiSettings(sse_heartbeat_seconds=0.3, token_cache_seconds=60)
    async with served(database_url, settings) as client:
        stream = await opened(client, {"Authorization": f"Bearer {made.secret}"})
        assert stream.response.status_code == 200
        try:
            async with asyncio.timeout(10):
                rest = [line async for line in stream.lines]
        finally:
            await stream.response.aclose()
    assert datetime.now(UTC) >= made.record.expires
    assert any("stream ended" in line for line in rest)


async def test_finding_7_tokens_expire_after_90_days_by_default_and_the_api_says_when(
    api: Api,
) -> None:
    admin = await api.admin()
    before = datetime.now(UTC)
    default = await api.post("/api/v1/tokens", admin, {"email": OUTSIDER})
    week = await api.post("/api/v1/tokens", admin, {"email": OUTSIDER, "expires_in_days": 7})
    assert default.status_code == 201 and week.status_code == 201
    expires = datetime.fromisoformat(default.json()["expires_at"])
    assert timedelta(days=90) <= expires - before < timedelta(days=90, minutes=1)
    expires = datetime.fromisoformat(week.json()["expires_at"])
    assert timedelta(days=7) <= expires - before < timedelta(days=7, minutes=1)
    listed = await api.get("/api/v1/tokens", admin, params={"person": OUTSIDER})
    shown = {t["id"]: t for t in listed.json()["items"]}
    assert shown[week.json()["id"]]["expires_at"] == week.json()["expires_at"]
    assert not shown[week.json()["id"]]["expired"]
    for days in (0, 367, -1):
        refused = await api.post(
            "/api/v1/tokens", admin, {"email": OUTSIDER, "expires_in_days": days}
        )
        assert refused.status_code == 400, days


async def test_finding_7_token_issue_takes_expires_and_token_list_shows_it(
    database_url: str,
) -> None:
    code, out, _ = await tracker(
        database_url, "token", "issue", "--email", "ada@lancashire.gov.uk", "--expires", "30"
    )
    in_30_days = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")
    assert code == 0 and f"expires {in_30_days}" in out
    on = (datetime.now(UTC) + timedelta(days=10)).date()
    code, out, _ = await tracker(
        database_url, "token", "issue", "--email", "bo@lancashire.gov.uk", "--expires", str(on)
    )
    assert code == 0 and f"expires {on + timedelta(days=1)} 00:00 UTC" in out
    code, out, _ = await tracker(database_url, "token", "list")
    assert code == 0 and f"expires {in_30_days}" in out and "active" in out
    for bad in ("400", "0", "soon", "2001-01-01"):
        code, _, err = await tracker(
            database_url, "token", "issue", "--email", "cy@lancashire.gov.uk", "--expires", bad
        )
        assert code == 2 and "expire" in err, bad
    _, out, _ = await tracker(database_url, "token", "list", "--email", "cy@lancashire.gov.uk")
    assert "no tokens" in out


async def test_finding_7_tokens_issued_before_the_upgrade_get_an_expiry(database_url: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0005")
    now = datetime.now(UTC)
    recent, old = now - timedelta(days=10), now - timedelta(days=200)
    engine = create_engine(Settings(database_url=database_url))
    try:
        async with engine.begin() as conn:
            for token_id, created in (("recent", recent), ("old", old)):
                await conn.execute(
                    text(
                        "INSERT INTO api_tokens (token_id, token_hash, prefix, person, name, "
                        "scope, created_at) VALUES (:t, :t, 'trk_x', :p, 'P', 'member', :c)"
                    ),
                    {"t": token_id, "p": ADMIN, "c": created.isoformat()},
                )
        await upgrade_async(database_url)
        async with engine.connect() as conn:
            rows = dict(
                (await conn.execute(text("SELECT token_id, expires_at FROM api_tokens"))).all()
            )
    finally:
        await engine.dispose()
    assert datetime.fromisoformat(rows["recent"]) == recent + timedelta(days=90)
    grace = datetime.fromisoformat(rows["old"]) - now  # not locked out by the upgrade itself
    assert timedelta(days=30) <= grace < timedelta(days=30, minutes=5)


# Finding 8: rotating the secret keeps sessions, and one reload mends the forms.


async def test_finding_8_rotating_the_secret_keeps_sessions_and_a_reload_mends_the_forms(
    database_url: str,
) -> None:
    before, after = keys("a" * 43), keys("b" * 43)
    async with running_api(database_url, page_settings=before) as old:
        await sign_in(old.client, await old.token(LEAD))
        stale_form = await csrf_token(old.client, "/")
        cookies = dict(old.client.cookies)
    async with running_api(database_url, page_settings=after) as new:
        new.client.cookies.update(cookies)
        refused = await new.client.post("/sign-out", data={"_csrf_token": stale_form})
        assert refused.status_code == 403  # a form made under the old key, once
        reloaded = await new.client.get("/", follow_redirects=False)
        assert reloaded.status_code == 200  # still signed in: the session is a row
        assert "tracker_csrf=" in reloaded.headers.get("set-cookie", "")
        assert sent_to_sign_in(await sign_out(new.client))


# Finding 11: one write limit for every API process.


def not_near_a_minute_boundary() -> None:
    """The limit counts per clock minute: start a test early in one."""
    second = time.time() % 60
    if second > 45:
        time.sleep(60.5 - second)


async def test_finding_11_the_write_limit_holds_across_two_api_processes(
    database_url: str,
) -> None:
    limits = ApiSettings(token_cache_seconds=0, writes_per_minute=4)
    async with (
        running_api(database_url, api_settings=limits) as first,
        running_api(database_url, api_settings=limits, run_projector=False) as second,
    ):
        admin = await first.admin()
        not_near_a_minute_boundary()
        statuses = []
        for n in range(5):
            replica = (first, second)[n % 2]
            body = {"key": f"p{n}", "name": "N", "start": "2020-01-06"}
            answer = await replica.post("/api/v1/programmes", admin, body)
            statuses.append(answer.status_code)
        assert statuses == [201, 201, 201, 201, 429]
        assert 1 <= int(answer.headers["retry-after"]) <= 60
        assert answer.headers["ratelimit-limit"] == "4" and answer.json()["code"] == "rate_limited"
        again = {"key": "p9", "name": "N", "start": "2020-01-06"}
        assert (await first.post("/api/v1/programmes", admin, again)).status_code == 429
        assert (await second.get("/api/v1/programmes", admin)).status_code == 200  # reads go on


async def test_finding_11_writes_at_once_through_two_processes_never_pass_the_limit(
    database_url: str,
) -> None:
    engines = [create_engine(Settings(database_url=database_url)) for _ in range(2)]
    at = 1_800_000_000.0  # one fixed window for the whole test
    limiters = [RateLimiter(engine, {"write": 10}, clock=lambda: at) for engine in engines]

    async def hit(n: int) -> int:
        try:
            await limiters[n % 2].hit("token-1", "write")
        except ApiProblem as refused:
            return refused.status
        return 200

    try:
        statuses = await asyncio.gather(*(hit(n) for n in range(30)))
    finally:
        for engine in engines:
            await engine.dispose()
    assert statuses.count(200) == 10 and statuses.count(429) == 20


async def test_finding_11_windows_before_the_current_one_are_deleted(database_url: str) -> None:
    engine = create_engine(Settings(database_url=database_url))
    now = [1_800_000_000.0]
    limiter = RateLimiter(engine, {"write": 1}, clock=lambda: now[0])
    try:
        await limiter.hit("token-1", "write")
        await limiter.hit("token-2", "write")
        with pytest.raises(ApiProblem):
            await limiter.hit("token-1", "write")
        now[0] += 60  # the next minute: a fresh count, and the old one is gone
        await limiter.hit("token-1", "write")
        async with engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT token_id, window_start FROM rate_limit_windows"))
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [("token-1", 1_800_000_060)]
