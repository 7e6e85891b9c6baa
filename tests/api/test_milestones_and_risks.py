"""Milestones (with month precision), the iCalendar feed, and the RAID log through HTTP."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from tests.api.builders import LEAD, SPONSOR, given_milestone, given_programme
from tests.api.client import Api
from tracker.calendar import WorkingCalendar


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


async def test_year_and_quarter_milestones_read_back_with_their_shown_text_and_deadline(
    api: Api,
) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    year = await given_milestone(api, key, baseline="2013", title="Go live")
    quarter = await given_milestone(api, key, baseline="2013-Q2", title="Cycle 4 testing")
    board = (await api.get(f"/api/v1/programmes/{key}/milestones", lead)).json()
    rows = {row["id"]: row for row in board["milestones"]}
    assert rows[year]["baseline"] == {"date": "2013-01-01", "precision": "year", "shown": "2013"}
    assert rows[quarter]["baseline"] == {
        "date": "2013-04-01",
        "precision": "quarter",
        "shown": "Q2 2013",
    }
    assert (rows[year]["precision"], rows[quarter]["precision"]) == ("year", "quarter")
    today = dt.date.fromisoformat(board["today"])
    # Due on the last working day of the year (Tuesday 31 December 2013) and of the quarter
    # (Friday 28 June 2013: the 30th is a Sunday).
    for row, due, shown in ((rows[year], dt.date(2013, 12, 31), "2013"),
                            (rows[quarter], dt.date(2013, 6, 28), "Q2 2013")):  # fmt: skip
        ago = WorkingCalendar().working_days_between(due, today)
        assert row["rag_reasons"][0] == (
            f"Red: '{row['title']}' baseline {shown} passed {ago} working days ago, not achieved"
        )
    feed = Calendar.from_ical(
        (await api.get(f"/api/v1/programmes/{key}/milestones.ics", lead)).content
    )
    spans = {str(e["summary"]): (e["dtstart"].dt, e["dtend"].dt) for e in feed.walk("VEVENT")}
    assert spans == {
        "Go live": (dt.date(2013, 1, 1), dt.date(2014, 1, 1)),
        "Cycle 4 testing": (dt.date(2013, 4, 1), dt.date(2013, 7, 1)),
    }


async def test_bad_quarters_and_years_are_400_naming_the_field(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    for bad in ("2013-Q5", "2013-Q0", "2013-Q", "Q1 2013", "13", "1899", "2013-q1"):
        answer = await api.post(
            f"/api/v1/programmes/{key}/milestones", lead, {"title": "X", "baseline": bad}
        )
        assert answer.status_code == 400, bad
        assert answer.json()["errors"][0]["field"].endswith("baseline"), bad


async def test_an_assumed_baseline_passed_years_ago_is_green_saying_why(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    body = {"title": "Go live", "baseline": "2013-03", "baseline_assumed": True}
    made = await api.post(f"/api/v1/programmes/{key}/milestones", lead, body)
    assert made.status_code == 201, made.text
    row = (await api.get(f"/api/v1/programmes/{key}/milestones", lead)).json()["milestones"][0]
    assert row["baseline"] == {
        "date": "2013-03-01",
        "precision": "month",
        "shown": "March 2013 (assumed)",
        "assumed": True,
    }
    assert (row["rag"], row["slippage_vs_baseline"]) == ("green", 0)
    assert row["rag_reasons"] == [
        "Green: 'Go live' not rated: its date, March 2013, is assumed (not in the source)"
    ]
    moved = await api.post(
        f"/api/v1/milestones/{made.json()['id']}/forecast",
        lead,
        {"date": "2014", "reason": "the 2014 paper gives the year", "assumed": False},
    )
    assert moved.status_code == 200, moved.text
    row = (await api.get(f"/api/v1/programmes/{key}/milestones", lead)).json()["milestones"][0]
    assert row["forecast"] == {"date": "2014-01-01", "precision": "year", "shown": "2014"}
    assert row["rag"] == "red", "the forecast the paper gives is judged: 2014 has passed"
    assert row["rag_reasons"][0].endswith("not achieved (baseline March 2013 assumed)")


async def test_an_achievement_the_source_does_not_date_is_assumed_and_not_rated(
    api: Api,
) -> None:
    """001 says the review happened, not when: achieved on an assumed date, shown so, and
    neither late nor early against the baseline."""
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    made = await given_milestone(api, key, baseline="2014-06", title="Go live")
    achieved = await api.post(
        f"/api/v1/milestones/{made}/achieve", lead, {"date": "2015-Q2", "assumed": True}
    )
    assert achieved.status_code == 200, achieved.text
    row = (await api.get(f"/api/v1/programmes/{key}/milestones", lead)).json()["milestones"][0]
    assert row["actual"]["shown"] == "Q2 2015 (assumed)" and row["actual"]["assumed"] is True
    assert (row["rag"], row["slippage_vs_baseline"]) == ("green", 0)
    assert "is assumed (not in the source)" in row["rag_reasons"][0]


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
