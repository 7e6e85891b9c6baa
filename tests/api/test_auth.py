"""Authentication and object-level authorisation through HTTP."""

from __future__ import annotations

import pytest

from tests.api.builders import LEAD, OUTSIDER, SPONSOR, given_deliverable, given_programme
from tests.api.client import Api

PROTECTED = [
    ("GET", "/api/v1/programmes"),
    ("POST", "/api/v1/programmes"),
    ("GET", "/api/v1/portfolio"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/programmes/btls-transition/closure-report"),
    ("POST", "/api/v1/deliverables/00000000-0000-4000-8000-000000000000/approve"),
    ("GET", "/api/v1/tokens"),
]


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer trk_not-a-real-token", "Bearer nonsense"],
)
async def test_without_a_valid_token_every_api_route_is_401_with_www_authenticate(
    api: Api, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path in PROTECTED:
        answer = await api.client.request(method, path, headers=headers, json={})
        assert answer.status_code == 401, (method, path)
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "unauthorised"


async def test_health_ready_metrics_and_the_schema_need_no_token(api: Api) -> None:
    for path in ("/health", "/ready", "/metrics", "/schema/openapi.json"):
        assert (await api.client.get(path)).status_code == 200, path


async def test_a_revoked_token_stops_working_at_once(api: Api) -> None:
    lead = await api.as_(LEAD)
    assert (await api.get("/api/v1/programmes", lead)).status_code == 200
    tokens = await api.get("/api/v1/tokens", await api.admin(), params={"person": LEAD})
    (record,) = tokens.json()["items"]
    revoked = await api.delete(f"/api/v1/tokens/{record['id']}", await api.admin())
    assert revoked.status_code == 200 and revoked.json()["items"][0]["revoked_at"]
    assert (await api.get("/api/v1/programmes", lead)).status_code == 401


async def test_an_admin_issues_tokens_through_the_api_and_the_secret_is_shown_once(
    api: Api,
) -> None:
    issued = await api.post(
        "/api/v1/tokens", await api.admin(), {"email": OUTSIDER, "scope": "reader"}
    )
    assert issued.status_code == 201
    secret = issued.json()["token"]
    reader = {"Authorization": f"Bearer {secret}"}
    assert (await api.get("/api/v1/portfolio", reader)).status_code == 200
    listed = await api.get("/api/v1/tokens", await api.admin())
    assert secret not in listed.text
    member = await api.post("/api/v1/tokens", await api.as_(LEAD), {"email": LEAD})
    assert member.status_code == 403


async def test_a_reader_reads_everything_and_writes_nothing(api: Api) -> None:
    key = await given_programme(api)
    reader = await api.as_(OUTSIDER, "reader")
    for path in ("signoffs", "milestones", "risks", "closure-report", "milestones.ics"):
        answer = await api.get(f"/api/v1/programmes/{key}/{path}", reader)
        assert answer.status_code == 200, path
    before = await api.event_count()
    refused = await api.post(
        f"/api/v1/programmes/{key}/outcomes", reader, {"number": 1, "title": "T"}
    )
    assert refused.status_code == 403
    assert await api.event_count() == before


async def test_a_member_of_another_programme_gets_403_on_every_route_and_nothing_is_written(
    api: Api,
) -> None:
    key = await given_programme(api)
    await given_programme(api, "elsewhere", roster={OUTSIDER: "A"})
    item = await given_deliverable(api, key, approvers=[SPONSOR, OUTSIDER], submitted=True)
    stranger = await api.as_(OUTSIDER)
    before = await api.event_count()
    writes = [
        (f"/api/v1/deliverables/{item}/approve", {}),
        (f"/api/v1/deliverables/{item}/submit", {}),
        (f"/api/v1/deliverables/{item}/replan", {"due": "2022-01-01", "reason": "x"}),
        (f"/api/v1/programmes/{key}/outcomes", {"number": 9, "title": "x"}),
        (f"/api/v1/programmes/{key}/closure/submit", {}),
    ]
    for path, body in writes:
        answer = await api.post(path, stranger, body)
        # Named on the deliverable, the stranger may approve it; nothing else.
        expected = 200 if path.endswith("/approve") else 403
        assert answer.status_code == expected, (path, answer.text)
    reads = ["signoffs", "milestones", "risks", "closure-report", "milestones.ics", ""]
    for path in reads:
        answer = await api.get(f"/api/v1/programmes/{key}/{path}".rstrip("/"), stranger)
        assert answer.status_code == 200 if path == "" else answer.status_code in {200, 403}
    assert await api.event_count() == before + 1


async def test_bola_sweep_a_member_never_reads_or_changes_another_programme(api: Api) -> None:
    key = await given_programme(api)
    await given_programme(api, "elsewhere", roster={OUTSIDER: "A"})
    item = await given_deliverable(api, key, submitted=True)
    stranger = await api.as_(OUTSIDER)
    before = await api.event_count()
    for path in ("", "/signoffs", "/milestones", "/risks", "/closure-report", "/milestones.ics"):
        answer = await api.get(f"/api/v1/programmes/{key}{path}", stranger)
        assert answer.status_code == 403, path
        assert "DR plan" not in answer.text
    assert (await api.get(f"/api/v1/deliverables/{item}", stranger)).status_code == 403
    bodies: dict[str, dict[str, str]] = {
        "approve": {},
        "endorse": {},
        "submit": {},
        "return": {"comment": "x"},
        "defer": {"reason": "x", "destination": "BAU"},
        "reopen": {"reason": "x"},
    }
    for action, body in bodies.items():
        answer = await api.post(f"/api/v1/deliverables/{item}/{action}", stranger, body)
        assert answer.status_code == 403, (action, answer.text)
    listed = await api.get("/api/v1/programmes", stranger)
    assert [p["key"] for p in listed.json()["items"]] == ["elsewhere"]
    assert await api.event_count() == before
