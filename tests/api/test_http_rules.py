"""HTTP rules: problem+json, bad input is a 4xx, If-Match, Idempotency-Key, limits."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from api.writes import CONFLICT_ATTEMPTS, CONFLICT_PAUSE, conflict_pause
from tests.api.builders import LEAD, OUTSIDER, SPONSOR, given_deliverable, given_programme
from tests.api.client import Api, running_api
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.people.store import pseudonym_for
from tracker.settings import ApiSettings, Settings


def assert_problem(answer_json: dict[str, object], status: int) -> None:
    assert answer_json["status"] == status
    assert {"type", "title", "detail", "code"} <= set(answer_json)
    assert str(answer_json["type"]).startswith("/problems/")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": 5, "due": "2021-03-01", "approvers": [SPONSOR]}, "body.title"),
        ({"title": "T", "due": "2021-03", "approvers": [SPONSOR]}, "body.due"),
        ({"title": "T", "due": "2021-02-30", "approvers": [SPONSOR]}, "body.due"),
        ({"title": "T", "due": "2021-03-01", "approvers": []}, "body.approvers"),
        ({"title": "T", "due": "2021-03-01", "approvers": ["not-an-email"]}, "body.approvers[0]"),
        ({"title": "T", "due": "2021-03-01", "approvers": [SPONSOR], "actor": "x"}, "body.actor"),
        ({"due": "2021-03-01", "approvers": [SPONSOR]}, "body"),
        (
            {
                "title": "T",
                "due": "2021-03-01",
                "approvers": [SPONSOR],
                "occurred_at": "2021-03-01",
            },
            "body.occurred_at",
        ),
        (
            {
                "title": "T",
                "due": "2021-03-01",
                "approvers": [SPONSOR],
                "occurred_at": "2021-03-01T10:00:00",
            },
            "body.occurred_at",
        ),
    ],
)
async def test_bad_input_is_a_400_problem_naming_the_field(
    api: Api, body: dict[str, object], field: str
) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    before = await api.event_count()
    answer = await api.post(f"/api/v1/programmes/{key}/deliverables", lead, body)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert_problem(problem, 400)
    assert any(e["field"].startswith(field) for e in problem["errors"]), problem
    assert await api.event_count() == before


async def test_mass_assignment_of_actor_or_version_is_refused(api: Api) -> None:
    key = await given_programme(api)
    item = await given_deliverable(api, key, submitted=True)
    for extra in ({"actor": SPONSOR}, {"version": 3}, {"programme_id": "x"}, {"approved_by": "x"}):
        answer = await api.post(f"/api/v1/deliverables/{item}/approve", await api.as_(LEAD), extra)
        assert answer.status_code == 400, extra


async def test_not_json_and_future_dates_are_4xx(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    garbage = await api.client.post(
        f"/api/v1/programmes/{key}/outcomes",
        content=b"{not json",
        headers={**lead, "Content-Type": "application/json"},
    )
    assert garbage.status_code == 400 and garbage.json()["status"] == 400
    future = await api.post(
        f"/api/v1/programmes/{key}/outcomes",
        lead,
        {"number": 1, "title": "T", "occurred_at": "2199-01-01T00:00:00Z"},
    )
    assert future.status_code == 422 and future.json()["code"] == "occurred_in_future"


async def test_an_oversized_body_is_413(database_url: str) -> None:
    settings = ApiSettings(token_cache_seconds=0, max_body_bytes=1024)
    async with running_api(database_url, api_settings=settings) as api:
        key = await given_programme(api)
        body = {"number": 1, "title": "x" * 2000}
        answer = await api.post(f"/api/v1/programmes/{key}/outcomes", await api.as_(LEAD), body)
        assert answer.status_code == 413
        assert_problem(answer.json(), 413)


async def test_writes_and_token_issue_are_rate_limited_per_token(database_url: str) -> None:
    settings = ApiSettings(token_cache_seconds=0, writes_per_minute=3, token_issues_per_minute=1)
    async with running_api(database_url, api_settings=settings) as api:
        admin = await api.admin()
        first = await api.post("/api/v1/tokens", admin, {"email": OUTSIDER})
        assert first.status_code == 201
        second = await api.post("/api/v1/tokens", admin, {"email": OUTSIDER})
        assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1
        lead = await api.as_(LEAD)
        statuses = [
            (
                await api.post(
                    "/api/v1/programmes", lead, {"key": f"p{i}", "name": "N", "start": "2020-01-01"}
                )
            ).status_code
            for i in range(4)
        ]
        assert statuses[:3] == [403, 403, 403] and statuses[3] == 429
        assert (await api.get("/api/v1/programmes", lead)).status_code == 200


async def test_a_stale_if_match_is_412_and_writes_nothing(api: Api) -> None:
    key = await given_programme(api)
    item = await given_deliverable(api, key, submitted=True)
    sponsor = await api.as_(SPONSOR)
    read = await api.get(f"/api/v1/deliverables/{item}", sponsor)
    etag = read.headers["etag"]
    await api.post(
        f"/api/v1/deliverables/{item}/replan",
        await api.as_(LEAD),
        {"due": "2021-05-01", "reason": "r"},
    )
    before = await api.event_count()
    stale = await api.post(
        f"/api/v1/deliverables/{item}/approve", sponsor, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert stale.json()["current_version"] == int(etag.strip('"')) + 1
    assert await api.event_count() == before
    fresh = await api.get(f"/api/v1/deliverables/{item}", sponsor)
    approved = await api.post(
        f"/api/v1/deliverables/{item}/approve", sponsor, headers={"If-Match": fresh.headers["etag"]}
    )
    assert approved.status_code == 200
    assert approved.headers["etag"] == f'"{approved.json()["version"]}"'
    malformed = await api.post(
        f"/api/v1/deliverables/{item}/approve", sponsor, headers={"If-Match": "yesterday"}
    )
    assert malformed.status_code == 400


async def test_if_match_is_checked_once_after_the_rights_whether_or_not_it_would_write(
    api: Api,
) -> None:
    """The handler checks If-Match after permission and before deciding: a repeated approval
    (which writes nothing) with a stale ETag is 412, not 200; and someone who may not act at
    all is told 403 whatever ETag they send (RFC 9110, 13.2.2: preconditions come after
    authorisation)."""
    key = await given_programme(api)
    item = await given_deliverable(api, key, submitted=True)
    sponsor = await api.as_(SPONSOR)
    before = (await api.get(f"/api/v1/deliverables/{item}", sponsor)).headers["etag"]
    approved = await api.post(
        f"/api/v1/deliverables/{item}/approve", sponsor, headers={"If-Match": before}
    )
    assert approved.status_code == 200 and approved.json()["written"]
    again = await api.post(
        f"/api/v1/deliverables/{item}/approve", sponsor, headers={"If-Match": before}
    )
    assert again.status_code == 412
    assert again.json()["current_version"] == approved.json()["version"]
    current = approved.headers["etag"]
    repeat = await api.post(
        f"/api/v1/deliverables/{item}/approve", sponsor, headers={"If-Match": current}
    )
    assert repeat.status_code == 200 and not repeat.json()["written"]
    outsider = await api.as_(OUTSIDER)
    for etag in (before, current):
        refused = await api.post(
            f"/api/v1/deliverables/{item}/approve", outsider, headers={"If-Match": etag}
        )
        assert refused.status_code == 403


async def test_two_clients_racing_with_one_etag_one_wins_one_gets_412(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    etag = (await api.get(f"/api/v1/programmes/{key}", lead)).headers["etag"]
    before = await api.event_count()
    answers = await asyncio.gather(
        *(
            api.post(
                f"/api/v1/programmes/{key}/outcomes",
                lead,
                {"number": n, "title": "T"},
                headers={"If-Match": etag},
            )
            for n in (1, 2)
        )
    )
    assert sorted(a.status_code for a in answers) == [201, 412]
    assert await api.event_count() == before + 1


async def test_the_same_idempotency_key_and_body_replays_without_a_second_event(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    body = {"title": "DR plan", "due": "2021-03-01", "approvers": [SPONSOR]}
    retry = {"Idempotency-Key": "8e0c6f9a-5d7f-4a8e-9a52-3f1b2c9d0e11"}
    first = await api.post(f"/api/v1/programmes/{key}/deliverables", lead, body, headers=retry)
    before = await api.event_count()
    again = await api.post(f"/api/v1/programmes/{key}/deliverables", lead, body, headers=retry)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert await api.event_count() == before
    # The record names the caller by pseudonym, never by address (docs/privacy.md).
    settings = Settings(database_url=api.database_url)
    store, engine = open_store(settings), create_engine(settings)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(text("SELECT principal FROM idempotency_records"))
            assert [p for (p,) in found] == [await pseudonym_for(store, LEAD)]
    finally:
        await store.close()
        await engine.dispose()
    other = await api.post(
        f"/api/v1/programmes/{key}/deliverables", lead, {**body, "title": "Other"}, headers=retry
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    someone_else = await api.post(
        f"/api/v1/programmes/{key}/deliverables", await api.as_(SPONSOR), body, headers=retry
    )
    assert someone_else.status_code == 201
    assert someone_else.json()["id"] != first.json()["id"]
    assert someone_else.headers.get("idempotent-replayed") is None


async def test_a_refusal_is_replayed_too(api: Api) -> None:
    key = await given_programme(api)
    retry = {"Idempotency-Key": "refusal-1"}
    lead = await api.as_(LEAD)
    first = await api.post(f"/api/v1/programmes/{key}/outcomes", lead, {"number": 1, "title": "T"})
    assert first.status_code == 201
    refused = await api.post(
        f"/api/v1/programmes/{key}/outcomes", lead, {"number": 1, "title": "T"}, headers=retry
    )
    again = await api.post(
        f"/api/v1/programmes/{key}/outcomes", lead, {"number": 1, "title": "T"}, headers=retry
    )
    assert refused.status_code == again.status_code == 409
    assert again.json() == refused.json()


async def test_ten_concurrent_requests_with_one_key_write_once(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    before = await api.event_count()
    answers = await asyncio.gather(
        *(
            api.post(
                f"/api/v1/programmes/{key}/outcomes",
                lead,
                {"number": 3, "title": "Same"},
                headers={"Idempotency-Key": "concurrent-key"},
            )
            for _ in range(10)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}
    created = [a for a in answers if a.status_code == 201]
    assert len({a.json()["position"] for a in created}) == 1
    assert all(
        a.json()["code"] == "idempotency_key_in_flight" for a in answers if a.status_code == 409
    )
    assert await api.event_count() == before + 1


async def test_sixteen_people_planning_in_one_programme_at_once_all_succeed(api: Api) -> None:
    """Every creation appends to the programme's stream: in one process they take turns
    (api.write_turns), and a write that meets a writer elsewhere is decided again (with a random
    pause, api.writes.conflict_pause), so none of them sees 409 and each item is stored once."""
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    before = await api.event_count()
    answers = await asyncio.gather(
        *(
            api.post(
                f"/api/v1/programmes/{key}/deliverables",
                lead,
                {"title": f"At once {n}", "due": "2021-03-01", "approvers": [SPONSOR]},
            )
            for n in range(16)
        )
    )
    assert [a.status_code for a in answers] == [201] * 16, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 16
    assert await api.event_count() == before + 32  # the index entry and the item's first event


def test_the_pause_before_a_retry_is_random_and_bounded() -> None:
    for attempt in range(1, CONFLICT_ATTEMPTS):
        pauses = [conflict_pause(attempt) for _ in range(200)]
        assert all(0 <= p <= CONFLICT_PAUSE * 2 ** (attempt - 1) for p in pauses)
        assert len(set(pauses)) > 100
    worst = sum(CONFLICT_PAUSE * 2 ** (a - 1) for a in range(1, CONFLICT_ATTEMPTS))
    assert worst < 1.5


async def test_unsupported_methods_are_405_with_allow(api: Api) -> None:
    answer = await api.client.patch("/api/v1/programmes", headers=await api.admin(), json={})
    assert answer.status_code == 405
    assert "GET" in answer.headers["allow"] and "POST" in answer.headers["allow"]
    assert answer.headers["content-type"] == "application/problem+json"
    missing = await api.get("/api/v1/nowhere", await api.admin())
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


async def _forget_answers(api: Api) -> None:
    """The state a lost answer leaves: the events committed, then the connection died before
    the response was kept under its Idempotency-Key (so no record replays it)."""
    engine = create_engine(Settings(database_url=api.database_url))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM idempotency_records"))
    finally:
        await engine.dispose()


async def test_a_retry_after_a_lost_answer_finds_the_stored_events_and_writes_nothing(
    api: Api,
) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    body = {"title": "DR plan", "due": "2021-03-01", "approvers": [SPONSOR]}
    retry = {"Idempotency-Key": "lost-answer-1"}
    first = await api.post(f"/api/v1/programmes/{key}/deliverables", lead, body, headers=retry)
    assert first.status_code == 201
    await _forget_answers(api)
    before = await api.event_count()
    again = await api.post(f"/api/v1/programmes/{key}/deliverables", lead, body, headers=retry)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert await api.event_count() == before


async def test_a_retried_multi_event_command_is_stored_once(api: Api) -> None:
    """Approving signs off too (two events): a retry after a lost answer adds neither again."""
    key = await given_programme(api)
    item = await given_deliverable(api, key, submitted=True)
    sponsor = await api.as_(SPONSOR)
    retry = {"Idempotency-Key": "lost-answer-2"}
    first = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor, headers=retry)
    assert first.json()["recorded"] == ["DeliverableApproved", "DeliverableSignedOff"]
    await _forget_answers(api)
    before = await api.event_count()
    again = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor, headers=retry)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert await api.event_count() == before
