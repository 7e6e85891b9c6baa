"""The security review of issue 14, the findings about reads: one regression test per finding,
named after it, through HTTP on SQLite and PostgreSQL.

- 5: revoking a token ends its open event stream within a heartbeat.
- 9: /schema serves its viewer from the package under a strict CSP; API answers are neither
  sniffed nor stored.
- 10: rendered PDFs are cached by content, streams are capped per token, expensive reads are
  limited per token.
- 14: every status the API sends is one the schema documents (the schemathesis run itself is
  tests/api/test_schemathesis.py).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import httpx
import uvicorn

from api.app import create_app
from api.document_cache import DocumentCache
from tests.api.builders import (
    LEAD,
    SPONSOR,
    given_deliverable,
    given_milestone,
    given_programme,
)
from tests.api.client import Api, running_api, sign_in_to_pages
from tests.api.test_observability import sample, scrape
from tests.api.test_serve import free_port
from tracker.clock import Clock, FixedClock
from tracker.settings import ApiSettings, Settings

MALFORMED_EMAILS = ["a@b.c!", "someone@-council-.gov.uk", "x@y_z.uk", "x@y..uk"]
"""Addresses the old path pattern let through to the domain, which refused them with 422."""


def documented_statuses(schema: dict[str, Any], path: str, method: str) -> set[int]:
    operation = schema["paths"][path][method]
    return {int(status) for status in operation["responses"]}


async def test_finding_14_a_malformed_address_in_a_path_is_the_documented_400(api: Api) -> None:
    key = await given_programme(api)
    schema = (await api.client.get("/schema/openapi.json")).json()
    admin = await api.admin()
    inbox = documented_statuses(schema, "/api/v1/people/{email}/inbox", "get")
    roster_put = documented_statuses(schema, "/api/v1/programmes/{key}/roster/{email}", "put")
    roster_delete = documented_statuses(schema, "/api/v1/programmes/{key}/roster/{email}", "delete")
    member = {"name": "Someone", "title": "R role", "raci": "R"}
    for address in MALFORMED_EMAILS:
        answers = [
            (inbox, await api.get(f"/api/v1/people/{address}/inbox", admin)),
            (
                roster_put,
                await api.put(f"/api/v1/programmes/{key}/roster/{address}", admin, member),
            ),
            (roster_delete, await api.delete(f"/api/v1/programmes/{key}/roster/{address}", admin)),
        ]
        for documented, answer in answers:
            assert answer.status_code == 400, (address, answer.status_code, answer.text)
            assert answer.status_code in documented
            problem = answer.json()
            assert problem["code"] in ("invalid_request", "invalid_parameter")
            assert "email" in problem["errors"][0]["field"]
    # A well-formed address still reaches the inbox's logic.
    assert (await api.get(f"/api/v1/people/{SPONSOR}/inbox", admin)).status_code == 200


SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)
STYLESHEET = re.compile(r"<link\b[^>]*rel=\"stylesheet\"[^>]*>")
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


async def test_finding_9_the_schema_viewer_is_this_sites_files_with_integrity_under_a_csp(
    api: Api,
) -> None:
    for path in ("/schema", "/schema/swagger"):
        page = await api.client.get(path)
        assert page.status_code == 200, path
        policy = page.headers["content-security-policy"]
        for directive in (
            "default-src 'none'",
            "script-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ):
            assert directive in policy, (path, directive)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "http" not in page.text and "//" not in page.text, "nothing from elsewhere"
        scripts = SCRIPT.findall(page.text)
        sheets = STYLESHEET.findall(page.text)
        assert scripts and sheets
        assert not any(inline.strip() for _, inline in scripts), "no inline script"
        for tag in [attributes for attributes, _ in scripts] + sheets:
            found = dict(ATTRIBUTE.findall(tag))
            source = found.get("src") or found["href"]
            assert source.startswith("/schema/assets/"), source
            algorithm, _, digest = found["integrity"].partition("-")
            asset = await api.client.get(source)
            assert asset.status_code == 200 and asset.headers["x-content-type-options"] == "nosniff"
            expected = base64.b64encode(hashlib.new(algorithm, asset.content).digest()).decode()
            assert digest == expected, source
    assert (await api.client.get("/schema/assets/LICENSE")).status_code == 200


async def test_finding_9_api_answers_are_neither_sniffed_nor_stored(api: Api) -> None:
    key = await given_programme(api)
    await given_milestone(api, key)
    sponsor = await api.as_(SPONSOR)
    answers = {
        "json": await api.get(f"/api/v1/programmes/{key}", sponsor),
        "problem": await api.get("/api/v1/programmes/no-such-programme", sponsor),
        "unauthorised": await api.client.get(f"/api/v1/programmes/{key}"),
        "unrouted": await api.get("/api/v1/no-such-path", sponsor),
        "csv": await api.get(
            f"/api/v1/programmes/{key}/closure-report", sponsor, params={"format": "csv"}
        ),
        "ics": await api.get(f"/api/v1/programmes/{key}/milestones.ics", sponsor),
        "write": await api.post(
            f"/api/v1/programmes/{key}/milestones",
            await api.as_(LEAD),
            {"title": "Cut-over", "baseline": "2021-06"},
        ),
    }
    expected = {
        "json": 200,
        "problem": 404,
        "unauthorised": 401,
        "unrouted": 404,
        "csv": 200,
        "ics": 200,
        "write": 201,
    }
    for kind, answer in answers.items():
        assert answer.status_code == expected[kind], (kind, answer.text)
        assert answer.headers["x-content-type-options"] == "nosniff", kind
        assert answer.headers.get_list("cache-control") == ["no-store"], kind
    assert answers["problem"].headers["content-type"].startswith("application/problem+json")
    assert answers["csv"].headers["content-type"].startswith("text/csv")
    assert answers["ics"].headers["content-type"].startswith("text/calendar")


@asynccontextmanager
async def served(
    database_url: str, settings: ApiSettings, clock: Clock | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind a real HTTP server (uvicorn, in this process, on a free port): a stream is
    read as it arrives, which the ASGI test client cannot do (it waits for the whole body). The
    test's own app projects; this one does not, as a second API process would not."""
    app = create_app(
        Settings(database_url=database_url),
        api_settings=settings,
        run_projector=False,
        clock=clock,
    )
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(20):
            while not server.started:
                assert not serving.done(), "the server did not start"
                await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        await serving


class Open(NamedTuple):
    """An event stream as the client has it: the response and its lines, read as they come."""

    response: httpx.Response
    lines: AsyncIterator[str]


async def opened(client: httpx.AsyncClient, who: dict[str, str]) -> Open:
    """An event stream, asked for; when it opened, its first line (a comment) is read."""
    request = client.build_request("GET", "/api/v1/events/stream", headers=who)
    response = await client.send(request, stream=True)
    lines = response.aiter_lines()
    if response.status_code == 200:
        assert (await anext(lines)).startswith(":")
    return Open(response, lines)


async def test_finding_5_revoking_a_token_ends_its_open_event_stream_within_a_heartbeat(
    api: Api,
) -> None:
    heartbeat = 1.0
    reader_email = "dashboard@lancashire.gov.uk"
    reader = await api.as_(reader_email, "reader")
    admin = await api.admin()
    # The token cache would trust the token for a minute: the stream must ask the database.
    settings = ApiSettings(sse_heartbeat_seconds=heartbeat, token_cache_seconds=60)
    async with served(api.database_url, settings) as client:
        stream = await opened(client, reader)
        assert stream.response.status_code == 200
        try:
            listed = await api.get("/api/v1/tokens", admin, params={"person": reader_email})
            (token,) = listed.json()["items"]
            # Revoked through another app on the same database, as from another process.
            revoked = await api.delete(f"/api/v1/tokens/{token['id']}", admin)
            assert revoked.status_code == 200, revoked.text
            started = time.monotonic()
            rest: list[str] = []
            async with asyncio.timeout(5 * heartbeat):
                rest.extend([line async for line in stream.lines])
            ended_after = time.monotonic() - started
        finally:
            await stream.response.aclose()
        print(f"stream ended {ended_after * 1000:.0f} ms after the revocation")
        assert ended_after < heartbeat + 0.5, ended_after  # one heartbeat, and the check
        assert ": token revoked or expired: stream ended" in rest


async def test_finding_5_a_token_that_expires_while_its_stream_is_open_ends_the_stream(
    api: Api,
) -> None:
    reader = await api.as_("dashboard@lancashire.gov.uk", "reader")
    clock = FixedClock(datetime.now(UTC))
    settings = ApiSettings(sse_heartbeat_seconds=0.5, token_cache_seconds=60)
    async with served(api.database_url, settings, clock) as client:
        stream = await opened(client, reader)
        assert stream.response.status_code == 200
        try:
            clock.advance(timedelta(days=400))  # past any token's expiry
            async with asyncio.timeout(5):
                rest = [line async for line in stream.lines]
        finally:
            await stream.response.aclose()
        assert ": token revoked or expired: stream ended" in rest


async def test_finding_10_a_token_holds_at_most_the_configured_number_of_open_streams(
    api: Api,
) -> None:
    reader = await api.as_("dashboard@lancashire.gov.uk", "reader")
    other = await api.as_("another.dashboard@lancashire.gov.uk", "reader")
    settings = ApiSettings(streams_per_token=2, sse_heartbeat_seconds=5)
    async with served(api.database_url, settings) as client:
        first, second = await opened(client, reader), await opened(client, reader)
        third = await opened(client, reader)
        try:
            assert [s.response.status_code for s in (first, second)] == [200, 200]
            assert third.response.status_code == 429
            await third.response.aread()
            problem = third.response.json()
            assert third.response.headers["content-type"].startswith("application/problem+json")
            assert problem["code"] == "too_many_streams"
            assert "2 open event streams" in problem["detail"]
            assert int(third.response.headers["retry-after"]) >= 1
            # Another token is not held back by this one's streams.
            elsewhere = await opened(client, other)
            assert elsewhere.response.status_code == 200
            await elsewhere.response.aclose()
            # Closing a stream gives its place back.
            await first.response.aclose()
            async with asyncio.timeout(5):
                while True:
                    again = await opened(client, reader)
                    await again.response.aclose()
                    if again.response.status_code == 200:
                        break
                    await asyncio.sleep(0.05)
        finally:
            for stream in (first, second, third):
                await stream.response.aclose()


async def pdf_lookups(api: Api) -> dict[str, float]:
    text = await scrape(api)
    return {
        result: sample(text, "tracker_document_cache_total", kind="pdf", result=result) or 0
        for result in ("hit", "render")
    }


async def test_finding_10_a_closure_report_pdf_is_made_once_per_content_and_then_kept(
    api: Api,
) -> None:
    key = await given_programme(api)
    await given_deliverable(api, key, submitted=True)
    await sign_in_to_pages(api, await api.token(SPONSOR))
    pdf = f"/programmes/{key}/closure-report.pdf"

    async def made_by(path: str, **params: str) -> tuple[bytes, dict[str, float]]:
        before = await pdf_lookups(api)
        answer = await api.client.get(path, params=params)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/pdf"
        after = await pdf_lookups(api)
        return answer.content, {k: after[k] - before[k] for k in after}

    first, counted = await made_by(pdf)
    assert counted == {"hit": 0, "render": 1}
    again, counted = await made_by(pdf)
    assert counted == {"hit": 1, "render": 0} and again == first
    # Another question is another document: as of a date, and the report once it changed.
    _, counted = await made_by(pdf, as_of="2021-01-01")
    assert counted == {"hit": 0, "render": 1}
    await given_deliverable(api, key, title="Second deliverable")
    changed, counted = await made_by(pdf)
    assert counted == {"hit": 0, "render": 1} and changed != first
    _, counted = await made_by(pdf)
    assert counted == {"hit": 1, "render": 0}


async def test_finding_10_the_pdf_cache_is_bounded_in_bytes_least_recently_used_out() -> None:
    cache = DocumentCache("test", max_bytes=250)
    made: list[str] = []

    def maker(name: str, size: int) -> Any:
        async def make() -> bytes:
            made.append(name)
            await asyncio.sleep(0.01)
            return name.encode() * size

        return make

    # Two requests at once for one document: made once.
    both = await asyncio.gather(
        cache.get_or_make("a", maker("a", 100)), cache.get_or_make("a", maker("a", 100))
    )
    assert both[0] == both[1] and made == ["a"]
    await cache.get_or_make("b", maker("b", 100))
    assert cache.get("a") is not None  # a is now the most recently used
    await cache.get_or_make("c", maker("c", 100))
    assert cache.size_bytes <= 250
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    await cache.get_or_make("huge", maker("h", 1000))  # larger than the bound: not kept
    assert cache.get("huge") is None and cache.size_bytes <= 250


async def test_finding_10_pdf_and_workbook_downloads_are_limited_per_token_per_minute(
    database_url: str,
) -> None:
    settings = ApiSettings(expensive_reads_per_minute=3, token_cache_seconds=0)
    async with running_api(database_url, api_settings=settings) as api:
        key = await given_programme(api)
        await given_deliverable(api, key)
        await sign_in_to_pages(api, await api.token(SPONSOR))
        expensive = [
            f"/programmes/{key}/closure-report.pdf",
            f"/programmes/{key}/closure-report.xlsx",
            f"/programmes/{key}/deliverables.xlsx",
        ]
        if time.time() % 60 > 50:  # the windows are clock minutes: start early in one
            await asyncio.sleep(61 - time.time() % 60)
        for path in expensive:
            assert (await api.client.get(path)).status_code == 200, path
        refused = await api.client.get(expensive[0], params={"as_of": "2021-01-01"})
        assert refused.status_code == 429 and "Too many requests" in refused.text
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # What costs about a page is not counted: the CSV exports and the pages themselves.
        for path in (
            f"/programmes/{key}/closure-report.csv",
            f"/programmes/{key}/deliverables.csv",
        ):
            assert (await api.client.get(path)).status_code == 200, path
        # Another token has its own count.
        api.client.cookies.clear()
        await sign_in_to_pages(api, await api.token(LEAD))
        assert (await api.client.get(expensive[1])).status_code == 200
