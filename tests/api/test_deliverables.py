"""Deliverables through HTTP: plan, submit, endorse, approve, return, defer, reopen, replan."""

from __future__ import annotations

from tests.api.builders import (
    ADVISER,
    DEPUTY,
    LEAD,
    SPONSOR,
    given_deliverable,
    given_programme,
)
from tests.api.client import Api


async def test_planning_answers_201_with_the_id_its_location_etag_and_position(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    body = {"title": "DR plan", "due": "2021-03-01", "approvers": [SPONSOR]}
    answer = await api.post(f"/api/v1/programmes/{key}/deliverables", lead, body)
    assert answer.status_code == 201
    created = answer.json()
    assert created["written"] is True and created["recorded"] == ["DeliverablePlanned"]
    assert answer.headers["location"] == f"/api/v1/deliverables/{created['id']}"
    assert answer.headers["etag"] == '"1"'
    assert answer.headers["tracker-position"] == str(created["position"])
    read = await api.get(answer.headers["location"], lead)
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    assert read.json()["item"]["state"] == "planned"
    assert read.json()["item"]["rag"] in {"green", "amber", "red"}
    assert read.json()["item"]["rag_reasons"]


async def test_an_approval_waits_for_endorsement_then_signs_the_deliverable_off(api: Api) -> None:
    key = await given_programme(api)
    item = await given_deliverable(api, key, endorsers=[ADVISER], submitted=True)
    sponsor, adviser = await api.as_(SPONSOR), await api.as_(ADVISER)

    early = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor)
    assert early.status_code == 409
    assert early.json()["code"] == "endorsements_missing"
    assert "Gabby Nelson" in early.json()["detail"]

    endorsed = await api.post(f"/api/v1/deliverables/{item}/endorse", adviser)
    assert endorsed.status_code == 200 and endorsed.json()["recorded"] == ["DeliverableEndorsed"]
    approved = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor)
    assert approved.status_code == 200
    assert approved.json()["recorded"] == ["DeliverableApproved", "DeliverableSignedOff"]

    report = await api.get(
        f"/api/v1/programmes/{key}/signoffs",
        sponsor,
    )
    line = next(d for d in report.json()["deliverables"] if d["id"] == item)
    assert line["state"] == "signed_off"
    assert line["rag"] == "green" and line["rag_reasons"]


async def test_a_repeated_approval_is_a_no_op_not_a_second_event(api: Api) -> None:
    key = await given_programme(api)
    item = await given_deliverable(api, key, submitted=True)
    sponsor = await api.as_(SPONSOR)
    first = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor)
    head = await api.event_count()
    again = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor)
    assert again.status_code == 200
    assert again.json()["written"] is False and again.json()["recorded"] == []
    assert again.json()["version"] == first.json()["version"]
    assert await api.event_count() == head


async def test_only_the_named_approver_approves_even_with_the_right_letter(api: Api) -> None:
    key = await given_programme(api)
    item = await given_deliverable(api, key, approvers=[SPONSOR], submitted=True)
    head = await api.event_count()
    refused = await api.post(f"/api/v1/deliverables/{item}/approve", await api.as_(LEAD))
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_a_signatory"
    assert await api.event_count() == head


async def test_a_deputy_approves_for_the_sponsor_and_the_report_shows_both(api: Api) -> None:
    key = await given_programme(api)
    item = await given_deliverable(api, key, submitted=True)
    sponsor, deputy = await api.as_(SPONSOR), await api.as_(DEPUTY)
    appointed = await api.post(
        f"/api/v1/programmes/{key}/delegations",
        sponsor,
        {"deputy": DEPUTY, "for": SPONSOR, "starts": "2020-01-06", "ends": "2030-12-31"},
    )
    assert appointed.status_code == 201 and appointed.json()["id"]
    approved = await api.post(f"/api/v1/deliverables/{item}/approve", deputy)
    assert approved.status_code == 200, approved.text
    report = await api.get(
        f"/api/v1/programmes/{key}/closure-report",
        sponsor,
    )
    row = next(d for d in report.json()["deliverables"] if d["id"] == item)
    assert row["approved_by"] == ["Glyn Peach on behalf of Mike Kirby"]


async def test_returned_then_resubmitted_by_submit(api: Api) -> None:
    key = await given_programme(api)
    item = await given_deliverable(api, key, submitted=True)
    returned = await api.post(
        f"/api/v1/deliverables/{item}/return", await api.as_(SPONSOR), {"comment": "Add DR tests"}
    )
    assert returned.status_code == 200 and returned.json()["recorded"] == ["DeliverableReturned"]
    again = await api.post(f"/api/v1/deliverables/{item}/submit", await api.as_(LEAD))
    assert again.status_code == 200 and again.json()["recorded"] == ["DeliverableResubmitted"]


async def test_defer_reinstate_reopen_and_replan(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    item = await given_deliverable(api, key)
    base = f"/api/v1/deliverables/{item}"
    deferred = await api.post(
        f"{base}/defer", lead, {"reason": "BAU owns it", "destination": "Post Transition"}
    )
    assert deferred.json()["recorded"] == ["DeliverableDeferred"]
    assert (await api.post(f"{base}/reinstate", lead)).json()["recorded"] == [
        "DeliverableReinstated"
    ]
    replanned = await api.post(f"{base}/replan", lead, {"due": "2021-04-01", "reason": "slip"})
    assert replanned.json()["recorded"] == ["DeliverableReplanned"]
    await api.post(f"{base}/submit", lead)
    await api.post(f"{base}/approve", await api.as_(SPONSOR))
    reopened = await api.post(f"{base}/reopen", lead, {"reason": "DR test failed"})
    assert reopened.status_code == 200 and reopened.json()["recorded"] == ["DeliverableReopened"]
    wrong = await api.post(f"{base}/reinstate", lead)
    assert wrong.status_code == 409 and wrong.json()["code"] == "deliverable_planned"


async def test_an_unknown_outcome_is_blamed_on_the_outcome_field(api: Api) -> None:
    key = await given_programme(api)
    body = {"title": "DR plan", "due": "2021-03-01", "approvers": [SPONSOR], "outcome": 7}
    answer = await api.post(f"/api/v1/programmes/{key}/deliverables", await api.as_(LEAD), body)
    assert answer.status_code == 422
    assert answer.json()["code"] == "outcome_not_found"
    assert answer.json()["errors"][0]["field"] == "outcome"


async def test_unknown_deliverable_ids_are_404(api: Api) -> None:
    await given_programme(api)
    missing = "/api/v1/deliverables/00000000-0000-4000-8000-000000000000"
    lead = await api.as_(LEAD)
    assert (await api.post(f"{missing}/submit", lead)).status_code == 404
    assert (await api.get(missing, lead)).status_code == 404
    assert (await api.post("/api/v1/deliverables/not-a-uuid/submit", lead)).status_code in {
        400,
        404,
    }
