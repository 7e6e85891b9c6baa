"""Milestones (with month precision), the iCalendar feed, and the RAID log through HTTP."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from tests.api.builders import LEAD, SPONSOR, given_milestone, given_programme
from tests.api.client import Api


async def test_a_month_precision_milestone_keeps_its_precision_through_its_life(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    milestone = await given_milestone(api, key, baseline="2014-03", title="Cycle 4 testing")
    base = f"/api/v1/milestones/{milestone}"
    forecast = await api.post(f"{base}/forecast", lead, {"date": "2014-04", "reason": "late"})
    assert forecast.status_code == 200 and forecast.json()["recorded"] == ["MilestoneReforecast"]
    rebaselined = await api.post(
        f"{base}/rebaseline", lead, {"date": "2014-04-30", "reason": "agreed"}
    )
    assert rebaselined.json()["recorded"] == ["MilestoneRebaselined"]
    achieved = await api.post(f"{base}/achieve", lead, {"date": "2014-04-28"})
    assert achieved.status_code == 200
    board = await api.get(
        f"/api/v1/programmes/{key}/milestones",
        lead,
    )
    row = board.json()["milestones"][0]
    assert row["id"] == milestone
    assert row["original_baseline"] == {
        "date": "2014-03-01",
        "precision": "month",
        "shown": "March 2014",
    }
    assert row["precision"] == "month" and row["achieved"] is True
    assert row["rag"] in {"green", "amber", "red"} and row["rag_reasons"]
    read = await api.get(base, lead)
    assert read.headers["etag"] == '"4"' and read.json()["item"]["title"] == "Cycle 4 testing"


async def test_bad_milestone_dates_are_400_naming_the_field(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    for bad in ("2021-02-30", "2021-13", "March 2014", "2021-3-1"):
        answer = await api.post(
            f"/api/v1/programmes/{key}/milestones", lead, {"title": "X", "baseline": bad}
        )
        assert answer.status_code == 400, bad
        assert answer.json()["errors"][0]["field"].endswith("baseline")


async def test_the_ics_feed_has_one_event_per_milestone_at_its_forecast(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    day = await given_milestone(api, key, baseline="2021-03-15", title="Go live")
    await given_milestone(api, key, baseline="2021-05", title="Decommission")
    moved = await api.post(
        f"/api/v1/milestones/{day}/forecast", lead, {"date": "2021-03-22", "reason": "late"}
    )
    assert moved.status_code == 200, moved.text
    answer = await api.get(
        f"/api/v1/programmes/{key}/milestones.ics",
        lead,
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Go live", "Decommission"}
    assert events["Go live"]["dtstart"].dt == dt.date(2021, 3, 22)
    assert events["Go live"]["uid"] == f"{day}@tracker"
    assert int(events["Go live"]["sequence"]) == 1
    assert events["Decommission"]["dtstart"].dt == dt.date(2021, 5, 1)
    assert events["Decommission"]["dtend"].dt == dt.date(2021, 6, 1)
    assert calendar["version"] == "2.0" and calendar["prodid"]
    for event in events.values():
        assert event["dtstamp"]


async def test_a_risk_is_raised_logged_rescored_and_closed(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    body = {
        "kind": "risk",
        "title": "Key staff leave",
        "description": "Two of three DBAs may leave",
        "likelihood": 3,
        "impact": 5,
        "owner": {"email": SPONSOR, "name": "Mike Kirby"},
    }
    raised = await api.post(f"/api/v1/programmes/{key}/risks", lead, body)
    assert raised.status_code == 201
    risk = raised.json()["id"]
    base = f"/api/v1/risks/{risk}"
    assert (
        await api.post(f"{base}/updates", lead, {"note": "Contractor found"})
    ).status_code == 200
    rescored = await api.post(
        f"{base}/rescore", lead, {"likelihood": 2, "impact": 5, "reason": "cover"}
    )
    assert rescored.json()["recorded"] == ["RiskRescored"]
    log = await api.get(
        f"/api/v1/programmes/{key}/risks",
        lead,
    )
    row = log.json()["open"][0]
    assert row["ref"] == "R1" and row["score"] == 10 and row["rag"] == "amber"
    assert row["description"].startswith("Key staff leave")
    assert row["latest_update"]["text"] == "Contractor found"
    closed = await api.post(f"{base}/close", lead, {"note": "Recruited"})
    assert closed.status_code == 200
    again = await api.post(f"{base}/close", lead, {"note": "Again"})
    assert again.status_code == 409
    read = await api.get(base, lead)
    assert read.json()["item"]["is_open"] is False


async def test_risk_scores_outside_one_to_five_are_400(api: Api) -> None:
    key = await given_programme(api)
    body = {"kind": "risk", "title": "T", "description": "", "impact": 6, "owner": SPONSOR}
    answer = await api.post(f"/api/v1/programmes/{key}/risks", await api.as_(LEAD), body)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "body.impact"
