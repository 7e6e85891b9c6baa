"""Queries through HTTP: time travel, read-after-write, portfolio, inbox, the event feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.api.builders import (
    ADVISER,
    DEPUTY,
    LEAD,
    OUTSIDER,
    SPONSOR,
    given_deliverable,
    given_programme,
)
from tests.api.client import Api, running_api


async def test_as_of_and_known_at_answer_what_was_true_then(api: Api) -> None:
    # 2021's paper records entered now: by the lead and the sponsor holding admin tokens, with
    # the reason the back-dating rule asks for (docs/domain.md, "Back-dated entries").
    paper = {"backdating_reason": "entered from the 2021 papers"}
    key = await given_programme(
        api, since="2020-01-06T09:00:00Z", reason=paper["backdating_reason"]
    )
    lead, sponsor = await api.as_(LEAD, "admin"), await api.as_(SPONSOR, "admin")
    planned = await api.post(
        f"/api/v1/programmes/{key}/deliverables",
        lead,
        {
            "title": "DR plan",
            "due": "2021-03-31",
            "approvers": [SPONSOR],
            "occurred_at": "2021-01-10T10:00:00Z",
            **paper,
        },
    )
    item = planned.json()["id"]
    await api.post(
        f"/api/v1/deliverables/{item}/submit",
        lead,
        {"occurred_at": "2021-02-01T10:00:00Z", **paper},
    )
    before_recording = datetime.now(UTC).isoformat()
    approved = await api.post(
        f"/api/v1/deliverables/{item}/approve",
        sponsor,
        {"occurred_at": "2021-03-01T10:00:00Z", **paper},
    )
    assert approved.status_code == 200, approved.text
    path = f"/api/v1/programmes/{key}/signoffs"

    def state(answer_json: dict[str, object]) -> object:
        items = answer_json["deliverables"]
        assert isinstance(items, list)
        return items[0]["state"]

    then = await api.get(path, sponsor, params={"as_of": "2021-02-15"})
    assert state(then.json()) == "submitted" and then.json()["today"] == "2021-02-15"
    after = await api.get(path, sponsor, params={"as_of": "2021-03-02"})
    assert state(after.json()) == "signed_off"
    unknown_yet = await api.get(
        path, sponsor, params={"as_of": "2021-03-02", "known_at": before_recording}
    )
    assert state(unknown_yet.json()) == "submitted"
    assert unknown_yet.json()["position"] < approved.json()["position"]
    bad = await api.get(path, sponsor, params={"known_at": "2021-03-02T10:00:00"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "query.known_at"


async def test_a_read_shows_the_write_answered_before_it_with_no_projector_at_all(
    database_url: str,
) -> None:
    from tracker.settings import ApiSettings

    settings = ApiSettings(token_cache_seconds=0)
    async with running_api(database_url, api_settings=settings, run_projector=False) as api:
        key = await given_programme(api)
        item = await given_deliverable(api, key, submitted=True)
        sponsor = await api.as_(SPONSOR)
        approved = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor)
        report = await api.get(f"/api/v1/programmes/{key}/signoffs", sponsor)
        assert report.status_code == 200
        assert report.json()["deliverables"][0]["state"] == "signed_off"
        assert report.json()["position"] == approved.json()["position"]
        # min_position is no longer needed; clients that still send it get the same answer.
        again = await api.get(
            f"/api/v1/programmes/{key}/signoffs",
            sponsor,
            params={"min_position": approved.json()["position"]},
        )
        assert again.json() == report.json()


async def test_the_portfolio_shows_a_member_only_their_programmes(api: Api) -> None:
    await given_programme(api, "ours")
    await given_programme(api, "theirs", roster={OUTSIDER: "A"})
    mine = await api.get("/api/v1/portfolio", await api.as_(SPONSOR))
    assert [row["id"] for row in mine.json()["programmes"]] == ["ours"]
    row = mine.json()["programmes"][0]
    assert row["rag"] in {"green", "amber", "red"} and row["rag_reasons"]
    everything = await api.get("/api/v1/portfolio", await api.as_(ADVISER, "reader"))
    assert [row["id"] for row in everything.json()["programmes"]] == ["ours", "theirs"]
    assert everything.json()["content_hash"]


async def test_the_inbox_lists_what_awaits_the_person_and_only_they_read_it(api: Api) -> None:
    key = await given_programme(api)
    item = await given_deliverable(api, key, endorsers=[ADVISER], submitted=True)
    inbox = await api.get(f"/api/v1/people/{ADVISER}/inbox", await api.as_(ADVISER))
    assert inbox.status_code == 200
    assert [(i["item_id"], i["action"]) for i in inbox.json()["items"]] == [(item, "endorse")]
    other = await api.get(f"/api/v1/people/{ADVISER}/inbox", await api.as_(LEAD))
    assert other.status_code == 403
    admin = await api.get(f"/api/v1/people/{ADVISER.upper()}/inbox", await api.admin())
    assert admin.status_code == 200 and admin.json()["person"] == ADVISER


async def test_the_feed_is_in_order_paginated_and_every_event_has_its_position(api: Api) -> None:
    await given_programme(api)
    reader = await api.as_(OUTSIDER, "reader")
    first = await api.get("/api/v1/events", reader, params={"limit": 3})
    assert first.status_code == 200
    page = first.json()
    positions = [e["position"] for e in page["events"]]
    assert positions == sorted(positions) and len(positions) == 3
    assert page["next_after"] == positions[-1]
    rest = await api.get("/api/v1/events", reader, params={"after": page["next_after"]})
    assert all(e["position"] > positions[-1] for e in rest.json()["events"])
    assert {"id", "type", "stream_id", "version", "data", "occurred_at"} <= set(page["events"][0])
    member = await api.get("/api/v1/events", await api.as_(SPONSOR))
    assert member.status_code == 403


async def test_the_event_stream_sends_positions_as_ids_and_resumes_after_last_event_id(
    api: Api,
) -> None:
    await given_programme(api)
    admin = await api.admin()
    whole = await api.get("/api/v1/events/stream", admin, params={"idle_timeout": 1})
    assert whole.headers["content-type"].startswith("text/event-stream")
    ids = [int(line[4:]) for line in whole.text.splitlines() if line.startswith("id: ")]
    assert ids == sorted(ids) and ids[-1] == api.position
    resumed = await api.get(
        "/api/v1/events/stream",
        admin,
        params={"idle_timeout": 1},
        headers={"Last-Event-ID": str(ids[2])},
    )
    again = [int(line[4:]) for line in resumed.text.splitlines() if line.startswith("id: ")]
    assert again == ids[3:]


async def test_a_deputy_reads_only_while_a_delegation_covers_today(api: Api) -> None:
    key = await given_programme(api)
    admin = await api.admin()
    today = date.today()
    path = f"/api/v1/programmes/{key}/delegations"
    ended = {
        "deputy": DEPUTY,
        "for": SPONSOR,
        "starts": (today - timedelta(days=400)).isoformat(),
        "ends": (today - timedelta(days=30)).isoformat(),
    }
    deputy = await api.as_(DEPUTY)
    assert (await api.post(path, admin, ended)).status_code == 201
    report = f"/api/v1/programmes/{key}/signoffs"
    assert (await api.get(report, deputy)).status_code == 403
    # Asking about the days the delegation covered does not borrow its authority now.
    then = {"as_of": (today - timedelta(days=60)).isoformat()}
    assert (await api.get(report, deputy, params=then)).status_code == 403
    assert (await api.get("/api/v1/portfolio", deputy, params=then)).json()["programmes"] == []
    later = {**ended, "starts": (today + timedelta(days=7)).isoformat()}
    later["ends"] = (today + timedelta(days=60)).isoformat()
    assert (await api.post(path, admin, later)).status_code == 201
    assert (await api.get(report, deputy)).status_code == 403
    current = {**ended, "ends": (today + timedelta(days=1)).isoformat()}
    assert (await api.post(path, admin, current)).status_code == 201
    assert (await api.get(report, deputy)).status_code == 200
    listed = (await api.get("/api/v1/portfolio", deputy)).json()["programmes"]
    assert [p["key"] for p in listed] == [key]
