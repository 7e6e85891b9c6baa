"""Phase gates through HTTP: defined by R or A, listed with state, blocking sentences and RAG,
refused (409 naming every blocking item) until done, passed by the last approver; a deputy
approves for their principal; the gate's own read carries its ETag."""

from __future__ import annotations

from tests.api.builders import (
    ADVISER,
    DEPUTY,
    LEAD,
    OUTSIDER,
    SPONSOR,
    given_deliverable,
    given_milestone,
    given_programme,
)
from tests.api.client import Api


async def _gate(api: Api, key: str, deliverable: str, milestone: str, who: dict[str, str]) -> str:
    body = {
        "title": "Ready for go-live",
        "order": 1,
        "deliverables": [deliverable],
        "milestones": [milestone],
        "approvers": [SPONSOR, {"email": LEAD, "name": "Rob Cathey"}],
    }
    answer = await api.post(f"/api/v1/programmes/{key}/gates", who, body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["recorded"] == ["GateDefined"]
    gate: str = answer.json()["id"]
    return gate


async def test_a_gate_is_refused_naming_its_blockers_then_passes(api: Api) -> None:
    key = await given_programme(api)
    lead, sponsor = await api.as_(LEAD), await api.as_(SPONSOR)
    deliverable = await given_deliverable(api, key, approvers=(SPONSOR,), submitted=True)
    milestone = await given_milestone(api, key, baseline="2026-12", title="Go live")
    gate = await _gate(api, key, deliverable, milestone, lead)

    listed = await api.get(f"/api/v1/programmes/{key}/gates", sponsor)
    assert listed.status_code == 200
    [row] = listed.json()["gates"]
    assert (row["id"], row["title"], row["order"], row["state"]) == (
        gate,
        "Ready for go-live",
        1,
        "open",
    )
    assert row["blocking"] == [
        "Deliverable 'DR plan' is submitted: it waits for approval from: Mike Kirby",
        "Milestone 'Go live' is not achieved (forecast December 2026): it waits to be achieved",
    ]
    assert row["rag"] == "red" and row["rag_reasons"][0].startswith("Red: gate 'Ready for go-live'")
    assert listed.json()["open"] == 1

    refused = await api.post(f"/api/v1/gates/{gate}/approve", sponsor, {})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "gate_not_ready"
    assert problem["blocking"] == row["blocking"]
    assert "'DR plan'" in problem["detail"] and "'Go live'" in problem["detail"]

    signed = await api.post(f"/api/v1/deliverables/{deliverable}/approve", sponsor, {})
    assert signed.status_code == 200, signed.text
    achieved = await api.post(
        f"/api/v1/milestones/{milestone}/achieve", lead, {"date": "2026-11-20"}
    )
    assert achieved.status_code == 200, achieved.text

    ready = (await api.get(f"/api/v1/gates/{gate}", sponsor)).json()["item"]
    assert (ready["state"], ready["blocking"], ready["rag"]) == ("ready", [], "green")
    first = await api.post(f"/api/v1/gates/{gate}/approve", sponsor, {})
    assert first.status_code == 200 and first.json()["recorded"] == ["GateApproved"]
    assert first.headers["etag"] == '"2"'
    last = await api.post(f"/api/v1/gates/{gate}/approve", lead, {})
    assert last.json()["recorded"] == ["GateApproved", "GatePassed"]

    read = await api.get(f"/api/v1/gates/{gate}", lead)
    assert read.headers["etag"] == '"4"'
    item = read.json()["item"]
    assert item["state"] == "passed" and item["passed_on"] == item["defined_on"]  # today
    assert [a["shown"] for a in item["approvals"]] == ["Mike Kirby", "Rob Cathey"]
    again = await api.post(f"/api/v1/gates/{gate}/approve", lead, {})
    assert again.status_code == 200 and again.json()["written"] is False


async def test_who_may_define_and_approve_a_gate(api: Api) -> None:
    key = await given_programme(api)
    lead, adviser = await api.as_(LEAD), await api.as_(ADVISER)
    deliverable = await given_deliverable(api, key)
    milestone = await given_milestone(api, key)
    body = {
        "title": "Design complete",
        "order": 1,
        "milestones": [milestone],
        "approvers": [SPONSOR],
    }
    refused = await api.post(f"/api/v1/programmes/{key}/gates", adviser, body)
    assert refused.status_code == 403
    gate = await _gate(api, key, deliverable, milestone, lead)

    outsider = await api.post(f"/api/v1/gates/{gate}/approve", await api.as_(OUTSIDER), {})
    assert outsider.status_code == 403
    not_named = await api.post(f"/api/v1/gates/{gate}/approve", adviser, {})
    assert not_named.status_code == 403  # C is neither R/A nor named

    await api.token(DEPUTY, name="Glyn Peach")
    appointed = await api.post(
        f"/api/v1/programmes/{key}/delegations",
        await api.as_(SPONSOR),
        {"deputy": DEPUTY, "for": SPONSOR, "starts": "2026-11-01", "ends": "2026-12-31"},
    )
    assert appointed.status_code == 201, appointed.text
    as_deputy = await api.post(f"/api/v1/gates/{gate}/approve", await api.as_(DEPUTY), {})
    assert as_deputy.status_code == 409 and as_deputy.json()["code"] == "gate_not_ready"


async def test_a_gate_refers_only_to_items_of_its_programme(api: Api) -> None:
    key = await given_programme(api)
    other = await given_programme(api, "other-programme")
    lead = await api.as_(LEAD)
    elsewhere = await given_milestone(api, other)
    answer = await api.post(
        f"/api/v1/programmes/{key}/gates",
        lead,
        {"title": "Go", "order": 1, "milestones": [elsewhere], "approvers": [SPONSOR]},
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "gate_milestone_not_found"
    assert answer.json()["errors"][0]["field"] == "milestones"
    empty = await api.post(
        f"/api/v1/programmes/{key}/gates",
        lead,
        {"title": "Go", "order": 1, "approvers": [SPONSOR]},
    )
    assert empty.status_code == 422 and "at least one deliverable or milestone" in empty.text
    too_far = await api.post(
        f"/api/v1/programmes/{key}/gates",
        lead,
        {"title": "Go", "order": 1001, "milestones": [elsewhere], "approvers": [SPONSOR]},
    )
    assert too_far.status_code == 400
    missing = await api.get("/api/v1/gates/4a7b1c2d-3e4f-5a6b-8c7d-9e0f1a2b3c4d", lead)
    assert missing.status_code == 404 and missing.json()["code"] == "gate_not_found"
