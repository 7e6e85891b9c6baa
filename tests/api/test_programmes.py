"""Programmes, rosters, deputies, workstreams and outcomes through HTTP."""

from __future__ import annotations

import pytest

from tests.api.builders import ADVISER, LEAD, OBSERVER, OUTSIDER, SPONSOR, given_programme
from tests.api.client import Api, sign_in_to_pages


async def test_an_admin_registers_a_programme_answered_201_with_its_id(api: Api) -> None:
    body = {
        "key": "btls-transition",
        "name": "BTLS transition",
        "purpose": "Move BTLS services back in house",
        "start": "2020-01-06",
        "planned_end": "2021-06-30",
    }
    answer = await api.post("/api/v1/programmes", await api.admin(), body)
    assert answer.status_code == 201
    assert answer.json()["id"] == "btls-transition"
    assert answer.headers["location"] == "/api/v1/programmes/btls-transition"
    again = await api.post("/api/v1/programmes", await api.admin(), body)
    assert again.status_code == 409 and again.json()["code"] == "already_exists"


async def test_the_programme_reads_back_with_its_version_as_etag(api: Api) -> None:
    key = await given_programme(api)
    sponsor = await api.as_(SPONSOR)
    answer = await api.get(f"/api/v1/programmes/{key}", sponsor)
    assert answer.status_code == 200
    body = answer.json()
    assert answer.headers["etag"] == f'"{body["version"]}"'
    assert {r["id"]: r["raci"] for r in body["roster"]} == {
        f"roster:{SPONSOR}": "A",
        f"roster:{LEAD}": "R",
        f"roster:{ADVISER}": "C",
        f"roster:{OBSERVER}": "I",
    }


async def test_put_roster_creates_201_then_changes_200(api: Api) -> None:
    key = await given_programme(api)
    sponsor = await api.as_(SPONSOR)
    path = f"/api/v1/programmes/{key}/roster/{OUTSIDER}"
    created = await api.put(path, sponsor, {"name": "Paul Sutcliffe", "title": "Lead", "raci": "C"})
    assert created.status_code == 201 and created.json()["id"] == f"roster:{OUTSIDER}"
    changed = await api.put(path, sponsor, {"name": "Paul Sutcliffe", "title": "Lead", "raci": "R"})
    assert changed.status_code == 200 and changed.json()["recorded"] == ["RosterMemberChanged"]
    same = await api.put(path, sponsor, {"name": "Paul Sutcliffe", "title": "Lead", "raci": "R"})
    assert same.status_code == 200 and same.json()["written"] is False
    revoked = await api.delete(path, sponsor)
    assert revoked.status_code == 200 and revoked.json()["recorded"] == ["RosterMemberRevoked"]
    gone = await api.delete(path, sponsor)
    assert gone.status_code == 404 and gone.json()["code"] == "not_on_roster"


@pytest.mark.parametrize(
    ("letter", "named"),
    [("\u0391", "GREEK CAPITAL LETTER ALPHA"), ("\u0421", "CYRILLIC CAPITAL LETTER ES"), ("a", "")],
)
async def test_raci_letters_that_are_not_latin_capitals_are_refused_per_field(
    api: Api, letter: str, named: str
) -> None:
    key = await given_programme(api)
    path = f"/api/v1/programmes/{key}/roster/{OUTSIDER}"
    answer = await api.put(path, await api.admin(), {"name": "P", "title": "T", "raci": letter})
    assert answer.status_code == 422
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert problem["errors"][0]["field"] == "raci"
    assert named in problem["detail"]


async def test_a_second_accountable_is_refused_naming_the_current_one(api: Api) -> None:
    key = await given_programme(api)
    path = f"/api/v1/programmes/{key}/roster/{OUTSIDER}"
    answer = await api.put(path, await api.admin(), {"name": "P", "title": "T", "raci": "A"})
    assert answer.status_code == 409 and answer.json()["code"] == "accountable_exists"
    assert "Mike Kirby" in answer.json()["detail"]


async def test_workstreams_and_outcomes_answer_201_with_their_ids(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    workstream = await api.post(
        f"/api/v1/programmes/{key}/workstreams", lead, {"key": "CYP", "name": "Children"}
    )
    assert workstream.status_code == 201 and workstream.json()["id"] == "CYP"
    outcome = await api.post(
        f"/api/v1/programmes/{key}/outcomes", lead, {"number": 1, "title": "Services run"}
    )
    assert outcome.status_code == 201 and outcome.json()["id"] == "outcome:1"
    duplicate = await api.post(
        f"/api/v1/programmes/{key}/outcomes", lead, {"number": 1, "title": "Again"}
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate_outcome"


async def test_a_workstream_keeps_its_description_in_the_api_and_on_the_page(api: Api) -> None:
    """Documentum's work packages have the paper's prose (issue 17): multi-line text, shown as
    text, never markup."""
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    description = "Creation of an ESCR capability.\n- Social Care Printing\n<b>bold</b>"
    answer = await api.post(
        f"/api/v1/programmes/{key}/workstreams",
        lead,
        {"key": "wp2", "name": "Work Package Two", "description": description},
    )
    assert answer.status_code == 201, answer.text
    plain = await api.post(
        f"/api/v1/programmes/{key}/workstreams", lead, {"key": "wp3", "name": "Three"}
    )
    assert plain.status_code == 201
    read = (await api.get(f"/api/v1/programmes/{key}", lead)).json()
    assert [(w["key"], w["description"]) for w in read["workstreams"]] == [
        ("wp2", description),
        ("wp3", ""),
    ]
    too_long = await api.post(
        f"/api/v1/programmes/{key}/workstreams",
        lead,
        {"key": "wp4", "name": "Four", "description": "x" * 10_001},
    )
    assert too_long.status_code == 400 and "description" in too_long.text
    await sign_in_to_pages(api, await api.token(SPONSOR))
    page = (await api.client.get(f"/programmes/{key}")).text
    assert "<dt>Work Package Two</dt>" in page
    assert "- Social Care Printing\n&lt;b&gt;bold&lt;/b&gt;</dd>" in page


async def test_closing_notes_answer_201_with_their_ids(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    notes = {
        "learning-points": {
            "description": "Start early",
            "recommendation": "Plan",
            "responsible": "PMO",
        },
        "recommendations": {"description": "Keep the DR test", "responsible": "ICT"},
        "next-steps": {"description": "Hand over", "responsible": "BAU"},
    }
    for path, body in notes.items():
        answer = await api.post(f"/api/v1/programmes/{key}/{path}", lead, body)
        assert answer.status_code == 201, answer.text
        assert answer.json()["id"]


async def test_a_delegation_is_made_by_the_person_delegating_the_a_or_an_admin(api: Api) -> None:
    key = await given_programme(api)
    path = f"/api/v1/programmes/{key}/delegations"
    for_lead = {"deputy": OUTSIDER, "for": LEAD, "starts": "2021-01-01", "ends": "2021-06-30"}
    await api.token(OUTSIDER)  # a deputy must be registered with the tracker
    by_self = await api.post(path, await api.as_(LEAD), for_lead)
    assert by_self.status_code == 201
    by_a = await api.post(path, await api.as_(SPONSOR), for_lead)
    assert by_a.status_code == 201
    by_admin = await api.post(path, await api.admin(), for_lead)
    assert by_admin.status_code == 201
    by_other = await api.post(path, await api.as_(ADVISER), for_lead)
    assert by_other.status_code == 403
    backwards = {**for_lead, "starts": "2021-06-30", "ends": "2021-01-01"}
    refused = await api.post(path, await api.as_(LEAD), backwards)
    assert refused.status_code == 422


async def test_the_list_is_paginated_and_a_member_sees_only_their_programmes(api: Api) -> None:
    for key in ("alpha", "bravo", "charlie"):
        await given_programme(api, key, roster={SPONSOR: "A"} if key != "bravo" else {})
    admin = await api.admin()
    first = await api.get("/api/v1/programmes", admin, params={"limit": 2})
    assert [p["id"] for p in first.json()["items"]] == ["alpha", "bravo"]
    assert first.json()["next_after"] == "bravo"
    rest = await api.get("/api/v1/programmes", admin, params={"limit": 2, "after": "bravo"})
    assert [p["id"] for p in rest.json()["items"]] == ["charlie"]
    assert rest.json()["next_after"] is None
    mine = await api.get("/api/v1/programmes", await api.as_(SPONSOR))
    assert [p["key"] for p in mine.json()["items"]] == ["alpha", "charlie"]
    too_many = await api.get("/api/v1/programmes", admin, params={"limit": 5000})
    assert too_many.status_code == 400
