"""Observability: JSON log lines with request and correlation ids, the ids on every response
and in the events a request writes, the Prometheus figures at /metrics, and /ready's 503 when
the database is unreachable or the projector lags beyond the threshold."""

from __future__ import annotations

import io
import json
import logging
import re
import statistics
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.errors import tracker_problem
from api.observability import logged_path
from api.readiness import ProjectionLag, StoreSnapshot, judge
from tests.api.client import Api, running_api
from tests.databases import ADMIN_DSN
from tests.faults.processes import issue_admin_token, processes, tracker_env
from tracker.clock import FixedClock
from tracker.db import asyncpg_dsn, create_engine
from tracker.errors import InvalidInput, StreamConflict
from tracker.events.base import NewEvent, StoredEvent
from tracker.events.open import open_store
from tracker.events.reminders import ReminderSendFailed, ReminderSent
from tracker.events.store import StreamState
from tracker.logs import (
    ContextIds,
    JsonFormatter,
    LogConfig,
    TextFormatter,
    correlation_id,
    load_log_config,
    request_id,
)
from tracker.projections.read_model.projector import Projector
from tracker.settings import ApiSettings, Settings

pytestmark = [pytest.mark.db]

HEX32 = r"[0-9a-f]{32}"
PROGRAMME = {"key": "observed", "name": "Observed", "start": "2020-01-06"}


# The log formats, unit by unit.


def _log_into(formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ContextIds())
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"tests.observability.{id(out)}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, out


def test_a_json_line_holds_time_level_logger_message_process_ids_and_exception() -> None:
    logger, out = _log_into(JsonFormatter("tracker serve"))
    logger.info("leader: scheduling reminders at %s", "08:00")
    rid, cid = request_id.set("req-1"), correlation_id.set("case:42")
    try:
        try:
            raise ValueError('bad "quoted" value\nsecond line')
        except ValueError:
            logger.exception("projector: failed", extra={"fields": {"status": 503}})
    finally:
        request_id.reset(rid)
        correlation_id.reset(cid)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2  # one object per line, whatever the message or traceback holds
    plain, failed = (json.loads(line) for line in lines)
    assert plain["message"] == "leader: scheduling reminders at 08:00"
    assert "leader: scheduling reminders" in lines[0]  # plain text is not escaped
    assert plain["level"] == "INFO" and plain["logger"] == logger.name
    assert plain["process"] == "tracker serve" and isinstance(plain["pid"], int)
    assert datetime.fromisoformat(plain["time"]).utcoffset() == timedelta(0)
    assert plain["time"].endswith("Z")
    assert "request_id" not in plain and "correlation_id" not in plain and "exception" not in plain
    assert failed["level"] == "ERROR"
    assert failed["request_id"] == "req-1" and failed["correlation_id"] == "case:42"
    assert failed["status"] == 503
    assert failed["exception"].startswith("Traceback")
    assert 'ValueError: bad "quoted" value\nsecond line' in failed["exception"]


def test_the_text_format_is_a_plain_line_and_bad_settings_are_refused() -> None:
    logger, out = _log_into(TextFormatter())
    token = request_id.set("req-2")
    try:
        logger.info("scheduler stopped")
    finally:
        request_id.reset(token)
    line = out.getvalue().strip()
    assert " INFO " in line and "scheduler stopped [request_id=req-2]" in line
    assert load_log_config({}) == LogConfig(format="json", level="INFO")
    assert load_log_config({"TRACKER_LOG_FORMAT": "Text", "TRACKER_LOG_LEVEL": "debug"}) == (
        LogConfig(format="text", level="DEBUG")
    )
    with pytest.raises(InvalidInput, match="TRACKER_LOG_FORMAT"):
        load_log_config({"TRACKER_LOG_FORMAT": "xml"})
    with pytest.raises(InvalidInput, match="TRACKER_LOG_LEVEL"):
        load_log_config({"TRACKER_LOG_LEVEL": "loud"})


# Ids on responses and in events, in process.


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    async with running_api(database_url) as running:
        yield running


async def test_a_sane_request_id_is_echoed_and_a_missing_or_bad_one_replaced(api: Api) -> None:
    client = api.client
    echoed = await client.get("/health", headers={"X-Request-Id": "lb-7f.2:Z_9"})
    assert echoed.headers["x-request-id"] == "lb-7f.2:Z_9"
    assert echoed.headers["x-correlation-id"] == "lb-7f.2:Z_9"  # defaults to the request id
    made = await client.get("/health")
    assert re.fullmatch(HEX32, made.headers["x-request-id"])
    assert made.headers["x-correlation-id"] == made.headers["x-request-id"]
    for bad in ("a b", "x" * 129, "../etc", "id;drop", ""):
        answer = await client.get("/health", headers={"X-Request-Id": bad})
        assert re.fullmatch(HEX32, answer.headers["x-request-id"]), bad
    both = await client.get(
        "/health", headers={"X-Request-Id": "r1", "X-Correlation-Id": "c" * 128}
    )
    assert (both.headers["x-request-id"], both.headers["x-correlation-id"]) == ("r1", "c" * 128)
    # Errors carry them too: no route (404), no token (401), a refused body (400).
    for answer in (
        await client.get("/no/such/page", headers={"X-Request-Id": "e404"}),
        await client.get("/api/v1/programmes", headers={"X-Request-Id": "e401"}),
        await api.post(
            "/api/v1/programmes", await api.admin(), {"k": 1}, headers={"X-Request-Id": "e400"}
        ),
    ):
        assert answer.status_code in (404, 401, 400)
        assert answer.headers["x-request-id"] == f"e{answer.status_code}"
        assert answer.headers["x-correlation-id"] == f"e{answer.status_code}"


async def _events(database_url: str) -> list[StoredEvent]:
    store = open_store(Settings(database_url=database_url))
    try:
        return await store.read_all(0, 1000)
    finally:
        await store.close()


async def test_the_correlation_id_is_stored_in_the_metadata_of_the_events_written(
    api: Api,
) -> None:
    admin = await api.admin()
    before = {e.position for e in await _events(api.database_url)}
    sent = await api.post(
        "/api/v1/programmes", admin, PROGRAMME, headers={"X-Correlation-Id": "case-2026-0042"}
    )
    assert sent.status_code == 201 and sent.headers["x-correlation-id"] == "case-2026-0042"
    written = [e for e in await _events(api.database_url) if e.position not in before]
    assert written and {e.metadata.correlation_id for e in written} == {"case-2026-0042"}
    # Without the header the request id is the correlation id.
    seen = {e.position for e in await _events(api.database_url)}
    defaulted = await api.post(
        f"/api/v1/programmes/{PROGRAMME['key']}/outcomes", admin, {"number": 1, "title": "T"}
    )
    assert defaulted.status_code == 201, defaulted.text
    later = [e for e in await _events(api.database_url) if e.position not in seen]
    assert later
    assert {e.metadata.correlation_id for e in later} == {defaulted.headers["x-request-id"]}


# /metrics.


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample of the exposition, or None when it is not there."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return None


async def scrape(api: Api) -> str:
    answer = await api.client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


async def test_metrics_count_requests_appends_and_conflicts(api: Api) -> None:
    admin = await api.admin()
    health = {"method": "GET", "route": "/health", "status": "2xx"}
    writes = {"method": "POST", "route": "/api/v1/programmes", "status": "2xx"}
    before = await scrape(api)
    events_before = await api.event_count()
    for _ in range(3):
        await api.client.get("/health")
    created = await api.post("/api/v1/programmes", admin, PROGRAMME)
    assert created.status_code == 201
    etag = created.headers["etag"]
    await api.post(
        f"/api/v1/programmes/{PROGRAMME['key']}/outcomes", admin, {"number": 1, "title": "T"}
    )
    stale = await api.post(
        f"/api/v1/programmes/{PROGRAMME['key']}/outcomes",
        admin,
        {"number": 2, "title": "T"},
        headers={"If-Match": etag},
    )
    assert stale.status_code == 412  # StreamConflict, answered 412 because of If-Match
    after = await scrape(api)

    def delta(name: str, **labels: str) -> float:
        return (sample(after, name, **labels) or 0) - (sample(before, name, **labels) or 0)

    assert delta("tracker_http_requests_total", **health) == 3
    assert delta("tracker_http_request_duration_seconds_count", **health) == 3
    assert delta("tracker_http_requests_total", **writes) == 1
    assert delta("tracker_events_appended_total") == await api.event_count() - events_before
    assert delta("tracker_events_appended_total") >= 2
    assert delta("tracker_stream_conflicts_total", status="412") == 1
    # The 409 path of the one error map counts too.
    conflicts = sample(after, "tracker_stream_conflicts_total", status="409") or 0
    answer = tracker_problem(StreamConflict("programme:observed", 3, 4))
    assert answer.status_code == 409
    assert sample(await scrape(api), "tracker_stream_conflicts_total", status="409") == (
        conflicts + 1
    )
    assert sample(after, "tracker_database_up") == 1
    assert sample(after, "tracker_head_position") == sample(
        after, "tracker_committed_head_position"
    )
    assert sample(after, "tracker_projection_position", projection="read_model") is not None
    assert sample(after, "process_resident_memory_bytes") is not None


def _reminder(person: str, key: str) -> ReminderSent:
    return ReminderSent(
        key=key,
        kind="milestone_due",
        programme_key="observed",
        item="m1",
        person=person,
        working_day=date(2026, 3, 16),
        message_id=f"<{key}@tracker>",
        summary="Milestone due",
    )


def _failure(person: str) -> ReminderSendFailed:
    return ReminderSendFailed(
        person=person,
        working_day=date(2026, 3, 16),
        keys=("k3",),
        message_id="<k3@tracker>",
        attempts=3,
        error="450 mailbox busy",
        permanent=False,
    )


async def test_reminders_sent_and_failed_are_counted_from_the_store(api: Api) -> None:
    # Written by another "process": a store of the test's own, not through the API.
    at = datetime.now(UTC)
    store = open_store(Settings(database_url=api.database_url), clock=FixedClock(at))
    try:
        await store.append(
            "reminders:ian@lancashire.gov.uk",
            [
                NewEvent(data=_reminder("ian@lancashire.gov.uk", "k1"), occurred_at=at),
                NewEvent(data=_reminder("ian@lancashire.gov.uk", "k2"), occurred_at=at),
                NewEvent(data=_failure("ian@lancashire.gov.uk"), occurred_at=at),
            ],
            StreamState.NO_STREAM,
        )
        first = await scrape(api)
        assert sample(first, "tracker_reminders_sent_total") == 2
        assert sample(first, "tracker_reminders_failed_total") == 1
        await store.append(
            "reminders:ian@lancashire.gov.uk",
            [NewEvent(data=_reminder("ian@lancashire.gov.uk", "k4"), occurred_at=at)],
            3,
        )
        second = await scrape(api)
        assert sample(second, "tracker_reminders_sent_total") == 3
        assert sample(second, "tracker_reminders_failed_total") == 1
    finally:
        await store.close()


# /ready.


async def test_ready_is_503_while_the_projector_lags_beyond_the_threshold(
    database_url: str,
) -> None:
    limits = ApiSettings(token_cache_seconds=0, ready_max_lag_seconds=30)
    async with running_api(database_url, api_settings=limits, run_projector=False) as api:
        caught_up = await api.client.get("/ready")
        assert caught_up.status_code == 200 and caught_up.json()["projector_lag_seconds"] == 0
        # Two events recorded two minutes ago that no projector has folded.
        recorded = datetime.now(UTC) - timedelta(minutes=2)
        settings = Settings(database_url=database_url)
        store = open_store(settings, clock=FixedClock(recorded))
        engine = create_engine(settings)
        try:
            await store.append(
                "reminders:ian@lancashire.gov.uk",
                [
                    NewEvent(data=_reminder("ian@lancashire.gov.uk", k), occurred_at=recorded)
                    for k in ("k1", "k2")
                ],
                StreamState.NO_STREAM,
            )
            lagging = await api.client.get("/ready")
            body = lagging.json()
            assert lagging.status_code == 503, body
            assert body["status"] == "unavailable" and body["reason"] == "projector_lagging"
            assert body["database"] == "reachable" and "limit 30 s" in body["detail"]
            assert 120 <= body["projector_lag_seconds"] < 180
            assert body["projector_lag"] == 2 and body["projector_position"] == 0
            assert body["head_position"] == body["committed_head_position"] == 2
            assert body["max_lag_seconds"] == 30
            metrics = await scrape(api)
            lag_seconds = sample(metrics, "tracker_projection_lag_seconds", projection="read_model")
            assert lag_seconds is not None and lag_seconds >= 120
            assert sample(metrics, "tracker_projection_lag_positions") == 2
            # The projector catches up: ready again.
            await Projector(store, engine).catch_up()
            ready = await api.client.get("/ready")
            assert ready.status_code == 200, ready.json()
            assert ready.json()["projector_lag"] == 0
            assert ready.json()["projector_lag_seconds"] == 0
        finally:
            await store.close()
            await engine.dispose()


@pytest.mark.postgres
async def test_ready_shows_an_open_append_holding_the_safe_head_back(postgres_url: str) -> None:
    """An append transaction still open (holding the appenders' shared lock, with a
    transaction id): events committed after it are above the safe head, and /ready says how
    old the open transaction is."""
    async with running_api(postgres_url, run_projector=False) as api:
        holder = await asyncpg.connect(asyncpg_dsn(postgres_url))
        store = open_store(Settings(database_url=postgres_url))
        try:
            open_append = holder.transaction()
            await open_append.start()
            await holder.execute("SELECT pg_advisory_xact_lock_shared(1953653099, 3)")
            await holder.execute("SELECT pg_current_xact_id()")
            at = datetime.now(UTC)
            await store.append(
                "reminders:ian@lancashire.gov.uk",
                [NewEvent(data=_reminder("ian@lancashire.gov.uk", "k1"), occurred_at=at)],
                StreamState.NO_STREAM,
            )
            held = (await api.client.get("/ready")).json()
            assert held["committed_head_position"] == 1 and held["head_position"] == 0
            assert held["oldest_append_seconds"] is not None and held["oldest_append_seconds"] >= 0
            assert held["projector_lag"] == 0  # by the safe head...
            assert held["projector_lag_seconds"] >= 0  # ...but the committed event is waiting
            await open_append.rollback()
            released = (await api.client.get("/ready")).json()
            assert released["committed_head_position"] == released["head_position"] == 1
            assert released["oldest_append_seconds"] is None
        finally:
            await store.close()
            await holder.close()


# A real `tracker serve` process: its log file and its answers.


def _json_lines(log: str) -> list[dict[str, object]]:
    """Every line of a served process's log: stdout's one banner, then JSON objects only."""
    found = []
    for line in log.splitlines():
        if not line.strip() or line.startswith("tracker on http://"):
            continue
        found.append(json.loads(line))  # fails the test on any line that is not JSON
    return found


@pytest.mark.slow
async def test_a_served_process_logs_json_with_the_ids_and_reports_lag(
    database_url: str, tmp_path: Path
) -> None:
    env = tracker_env(database_url, TRACKER_READY_MAX_LAG_SECONDS="0")
    token = issue_admin_token(env)
    admin = {"Authorization": f"Bearer {token}"}
    with processes(tmp_path) as group:
        serve, base = group.serve("serve", env)  # --no-projector: nothing folds the events
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            created = await client.post(
                "/api/v1/programmes",
                json=PROGRAMME,
                headers={**admin, "X-Request-Id": "req-post-1", "X-Correlation-Id": "case-7"},
            )
            assert created.status_code == 201, created.text
            listed = await client.get(
                "/api/v1/programmes", params={"secret": "hunter2"}, headers=admin
            )
            assert listed.status_code == 200
            lagging = await client.get("/ready")
            assert lagging.status_code == 503 and lagging.json()["reason"] == "projector_lagging"
            assert lagging.json()["max_lag_seconds"] == 0
            timings = []
            for _ in range(20):
                started = time.perf_counter()
                assert (await client.get("/ready")).status_code == 503
                timings.append(time.perf_counter() - started)
            assert statistics.median(timings) < 0.1, timings  # a few ms in practice
            metrics = (await client.get("/metrics")).text
        assert serve.stop(timeout=30) == 0, serve.text()
    log = serve.text()
    lines = _json_lines(log)
    assert any(
        line["logger"] == "uvicorn.error" and "Uvicorn running on" in str(line["message"])
        for line in lines
    )
    assert all(line["process"] == "tracker serve" and line["pid"] == serve.pid for line in lines)
    access = [line for line in lines if line["logger"] == "tracker.access"]
    post = [line for line in access if line.get("request_id") == "req-post-1"]
    assert len(post) == 1
    assert post[0]["correlation_id"] == "case-7"
    assert post[0]["method"] == "POST" and post[0]["route"] == "/api/v1/programmes"
    assert post[0]["status"] == 201 and isinstance(post[0]["duration_ms"], float)
    assert any(line["status"] == 503 and line["path"] == "/ready" for line in access)
    assert token not in log and "hunter2" not in log and "Bearer" not in log
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]
    written = [e for e in await _events(database_url) if e.stream_id.startswith("programme:")]
    assert written and {e.metadata.correlation_id for e in written} == {"case-7"}
    assert sample(metrics, "tracker_http_requests_total", method="POST", status="2xx") == 1
    assert sample(metrics, "tracker_events_appended_total") == len(written)


@pytest.mark.slow
@pytest.mark.postgres
async def test_a_served_process_is_not_ready_once_its_database_is_gone(
    postgres_url: str, tmp_path: Path
) -> None:
    env = tracker_env(postgres_url)
    with processes(tmp_path) as group:
        serve, base = group.serve("serve", env, projector=True)
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            assert (await client.get("/ready")).status_code == 200
            name = postgres_url.rsplit("/", 1)[1]
            admin = await asyncpg.connect(ADMIN_DSN)
            try:
                await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            finally:
                await admin.close()
            started = time.monotonic()
            gone = await client.get("/ready")
            took = time.monotonic() - started
            body = gone.json()
            assert gone.status_code == 503, body
            assert body["status"] == "unavailable" and body["database"] == "unreachable"
            assert body["reason"] == "database_unreachable" and body["detail"]
            assert took < 5
            assert gone.headers["x-request-id"]
            metrics = (await client.get("/metrics")).text
            assert sample(metrics, "tracker_database_up") == 0
            assert (await client.get("/health")).status_code == 200
        serve.stop(timeout=30)
    lines = _json_lines(serve.text())
    assert any(
        line["logger"] == "tracker.access" and line["path"] == "/ready" and line["status"] == 503
        for line in lines
    )


def _snapshot(lag_seconds: float) -> StoreSnapshot:
    return StoreSnapshot(
        committed_head=12,
        safe_head=10,
        projections=[
            ProjectionLag(
                name="read_model",
                position=9,
                events=9,
                lag_positions=1,
                lag_seconds=lag_seconds,
            )
        ],
        oldest_append_seconds=4.5,
    )


def test_readiness_is_judged_by_the_lag_in_seconds_against_the_limit() -> None:
    at_limit = judge(_snapshot(30.0), 30.0)
    assert (at_limit.status, at_limit.reason, at_limit.detail) == ("ready", None, None)
    assert (at_limit.head_position, at_limit.committed_head_position) == (10, 12)
    assert (at_limit.projector_lag, at_limit.oldest_append_seconds) == (1, 4.5)
    past = judge(_snapshot(30.5), 30.0)
    assert (past.status, past.reason) == ("unavailable", "projector_lagging")
    assert past.detail is not None and "30.5 s ago (limit 30 s)" in past.detail


def test_the_access_log_names_no_one_and_holds_no_feed_secret() -> None:
    assert logged_path("/api/v1/programmes/btls/roster/glyn.peach@lancashire.example") == (
        "/api/v1/programmes/btls/roster/<person>"
    )
    assert logged_path("/api/v1/people/glyn.peach%40lancashire.example/inbox") == (
        "/api/v1/people/<person>/inbox"
    )
    assert logged_path("/calendar/cal_abc.ics") == "/calendar/<secret>"
    assert logged_path("/api/v1/programmes/btls/closure-report") == (
        "/api/v1/programmes/btls/closure-report"
    )
