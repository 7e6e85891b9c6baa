"""Confidence over time: the trend's points are the portfolio as of each date, a back-dated
entry changes the points it belongs to, and the ranges are bounded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.api.builders import ADVISER, LEAD, OUTSIDER, SPONSOR, given_programme
from tests.api.client import Api

PAPER = {"backdating_reason": "entered from the 2021 papers"}
WINDOW = {"from": "2021-01-04", "to": "2021-04-30", "every": "week"}


async def _programme_with_a_late_deliverable(api: Api) -> str:
    """A deliverable due 31 March 2021, submitted in February, signed off on 6 April."""
    key = await given_programme(
        api, since="2020-01-06T09:00:00Z", reason=PAPER["backdating_reason"]
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
            **PAPER,
        },
    )
    item = planned.json()["id"]
    submitted = await api.post(
        f"/api/v1/deliverables/{item}/submit",
        lead,
        {"occurred_at": "2021-02-01T10:00:00Z", **PAPER},
    )
    assert submitted.status_code == 200, submitted.text
    approved = await api.post(
        f"/api/v1/deliverables/{item}/approve",
        sponsor,
        {"occurred_at": "2021-04-06T10:00:00Z", **PAPER},
    )
    assert approved.status_code == 200, approved.text
    return key


def _points(answer: dict[str, Any], key: str) -> list[dict[str, Any]]:
    (programme,) = [p for p in answer["programmes"] if p["key"] == key]
    points: list[dict[str, Any]] = programme["points"]
    return points


async def test_each_point_is_the_portfolio_as_of_its_date(api: Api) -> None:
    key = await _programme_with_a_late_deliverable(api)
    sponsor = await api.as_(SPONSOR)
    answer = await api.get(f"/api/v1/programmes/{key}/trend", sponsor, params=WINDOW)
    assert answer.status_code == 200, answer.text
    trend = answer.json()
    assert trend["dates"][0] == "2021-01-04" and trend["dates"][-1] == "2021-04-30"
    assert len(trend["dates"]) == 18  # 17 Mondays from 4 January, then 30 April
    points = _points(trend, key)
    assert [p["on"] for p in points] == trend["dates"]
    for p in points:
        then = await api.get("/api/v1/portfolio", sponsor, params={"as_of": p["on"]})
        (row,) = [r for r in then.json()["programmes"] if r["key"] == key]
        assert (p["rag"], p["confidence"], p["deliverables"], p["milestones"]) == (
            row["rag"],
            row["confidence"],
            row["deliverables"],
            row["milestones"],
        ), p["on"]
        assert p["position"] == row["position"]
    by_day = {p["on"]: p for p in points}
    assert by_day["2021-03-29"]["deliverables"]["submitted"] == 1
    assert by_day["2021-03-29"]["rag"] != "red"  # due on the 31st: not late yet
    assert by_day["2021-04-05"]["rag"] == "red"  # past due, still awaiting approval
    assert by_day["2021-04-12"]["deliverables"]["signed_off"] == 1
    assert trend["programmes"][0]["direction"] in {"better", "worse", "steady"}
    assert answer.headers["tracker-content-hash"] == trend["content_hash"]


async def test_a_back_dated_entry_changes_the_past_points_and_known_at_shows_what_was_known(
    api: Api,
) -> None:
    key = await _programme_with_a_late_deliverable(api)
    sponsor = await api.as_(SPONSOR)
    path = f"/api/v1/programmes/{key}/trend"
    earlier = _points((await api.get(path, sponsor, params=WINDOW)).json(), key)
    assert all(p["open_raid"] == 0 for p in earlier)  # remembered now: the write must undo it
    before = datetime.now(UTC).isoformat()
    raised = await api.post(
        f"/api/v1/programmes/{key}/risks",
        await api.as_(LEAD, "admin"),
        {
            "kind": "issue",
            "title": "Supplier insolvent",
            "description": "",
            "impact": 5,
            "owner": LEAD,
            "occurred_at": "2021-02-15T09:00:00Z",
            **PAPER,
        },
    )
    assert raised.status_code == 201, raised.text
    now = _points((await api.get(path, sponsor, params=WINDOW)).json(), key)
    then = _points(
        (await api.get(path, sponsor, params={**WINDOW, "known_at": before})).json(), key
    )
    on = {p["on"]: p for p in now}
    assert on["2021-02-08"]["open_raid"] == 0 and on["2021-02-15"]["open_raid"] == 1
    assert all(p["open_raid"] == 0 for p in then)
    assert on["2021-02-15"]["rag"] == "red"  # an open issue of impact 5


async def test_the_portfolio_trend_holds_only_what_the_caller_may_read(api: Api) -> None:
    key = await _programme_with_a_late_deliverable(api)
    mine = await api.get("/api/v1/portfolio/trend", await api.as_(ADVISER), params=WINDOW)
    assert mine.status_code == 200, mine.text
    assert [p["key"] for p in mine.json()["programmes"]] == [key]
    outsider = await api.get("/api/v1/portfolio/trend", await api.as_(OUTSIDER), params=WINDOW)
    assert outsider.json()["programmes"] == []
    refused = await api.get(f"/api/v1/programmes/{key}/trend", await api.as_(OUTSIDER))
    assert refused.status_code in (403, 404)


async def test_ranges_are_checked_and_bounded(api: Api) -> None:
    key = await _programme_with_a_late_deliverable(api)
    sponsor = await api.as_(SPONSOR)
    path = f"/api/v1/programmes/{key}/trend"
    for params, field in (
        ({"from": "2021-02-30"}, "query.from"),
        ({"to": "2200-01-01"}, "query.to"),
        ({"from": "1899-12-31"}, "query.from"),
        ({"as_of": "2021-03-01"}, "query.as_of"),
    ):
        answer = await api.get(path, sponsor, params=params)
        assert answer.status_code == 400, (params, answer.text)
        assert answer.json()["errors"][0]["field"] == field, params
    reversed_ = await api.get(path, sponsor, params={"from": "2021-04-30", "to": "2021-01-04"})
    assert reversed_.status_code == 400 and "before from" in reversed_.json()["detail"]
    too_long = await api.get(path, sponsor, params={"from": "2015-01-01", "to": "2021-01-01"})
    assert too_long.status_code == 400 and "more than 60 points" in too_long.json()["detail"]
    by_month = await api.get(
        path, sponsor, params={"from": "2017-01-31", "to": "2021-01-01", "every": "month"}
    )
    assert by_month.status_code == 200, by_month.text
    assert by_month.json()["dates"][:3] == ["2017-01-31", "2017-02-28", "2017-03-31"]
    wrong_step = await api.get(path, sponsor, params={"every": "day"})
    assert wrong_step.status_code == 400
