"""My calendar: a private feed URL per person that shows what awaits them, follows the
sign-offs as they move, and stops when revoked."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from tests.api.builders import (
    ADVISER,
    LEAD,
    OBSERVER,
    OUTSIDER,
    SPONSOR,
    given_deliverable,
    given_milestone,
    given_programme,
)
from tests.api.client import Api
from tracker.context import local_date


def _path(url: str) -> str:
    return url[url.index("/calendar/") :]


async def _events(api: Api, url: str) -> dict[str, dict[str, object]]:
    """The feed fetched as a calendar client does (no Authorization header), parsed back."""
    answer = await api.client.get(_path(url))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    assert "no-store" in answer.headers["cache-control"]
    calendar = Calendar.from_ical(answer.content)
    return {
        str(e["summary"]): {
            "uid": str(e["uid"]),
            "start": e["dtstart"].dt,
            "description": str(e.get("description", "")),
        }
        for e in calendar.walk("VEVENT")
    }


async def _feed(api: Api, email: str, who: dict[str, str]) -> str:
    answer = await api.post(f"/api/v1/people/{email}/calendar-feed", who, {})
    assert answer.status_code == 201, answer.text
    url: str = answer.json()["url"]
    assert "/calendar/cal_" in url and url.endswith(".ics")
    return url


async def test_the_feed_follows_a_sign_off_from_submitted_to_approved_and_ends_when_revoked(
    api: Api,
) -> None:
    key = await given_programme(api)
    milestone = await given_milestone(api, key, baseline="2021-05", title="Decommission")
    item = await given_deliverable(api, key, title="DR plan", due="2021-03-31")
    sponsor = await api.as_(SPONSOR)
    url = await _feed(api, SPONSOR, sponsor)

    planned = await _events(api, url)
    assert list(planned) == ["Decommission"]  # the A sees the milestones; nothing to sign yet
    assert planned["Decommission"]["uid"] == f"{milestone}@tracker"
    assert planned["Decommission"]["start"] == date(2021, 5, 1)

    submitted = await api.post(f"/api/v1/deliverables/{item}/submit", await api.as_(LEAD))
    assert submitted.status_code == 200, submitted.text
    waiting = await _events(api, url)
    assert set(waiting) == {"Decommission", "Approve: DR plan"}
    approve = waiting["Approve: DR plan"]
    assert approve["start"] == date(2021, 3, 31)
    assert f"/programmes/{key}" in str(approve["description"])
    assert SPONSOR not in str(approve["uid"])  # the UID names no one

    approved = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor)
    assert approved.status_code == 200, approved.text
    assert list(await _events(api, url)) == ["Decommission"]

    revoked = await api.delete(f"/api/v1/people/{SPONSOR}/calendar-feed", sponsor)
    assert revoked.status_code == 204, revoked.text
    assert (await api.client.get(_path(url))).status_code == 404
    again = await api.delete(f"/api/v1/people/{SPONSOR}/calendar-feed", sponsor)
    assert again.status_code == 404


async def test_only_the_person_or_an_admin_issues_it_and_a_new_url_replaces_the_old(
    api: Api,
) -> None:
    key = await given_programme(api)
    await given_milestone(api, key)
    path = f"/api/v1/people/{SPONSOR}/calendar-feed"
    for who in (await api.as_(OUTSIDER), await api.as_(ADVISER, "reader")):
        refused = await api.post(path, who, {})
        assert refused.status_code == 403, refused.text
    first = await _feed(api, SPONSOR, await api.as_(SPONSOR))
    second = await _feed(api, SPONSOR, await api.admin())
    assert first != second
    assert (await api.client.get(_path(first))).status_code == 404
    assert (await api.client.get(_path(second))).status_code == 200
    # An I on the roster reads the programme, but its milestones are for the R and the A.
    observer = await _feed(api, OBSERVER, await api.as_(OBSERVER))
    assert await _events(api, observer) == {}


async def test_a_guessed_or_malformed_url_is_404_and_says_nothing_more(api: Api) -> None:
    await given_programme(api)
    for path in (
        "/calendar/cal_" + "A" * 43 + ".ics",
        "/calendar/trk_" + "A" * 43 + ".ics",
        "/calendar/cal_" + "A" * 500 + ".ics",
        "/calendar/cal_x",
    ):
        answer = await api.client.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["detail"] == "no such calendar feed"


async def test_the_access_log_records_that_a_feed_was_read_not_its_secret(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    key = await given_programme(api)
    await given_milestone(api, key)
    url = await _feed(api, SPONSOR, await api.as_(SPONSOR))
    secret = url.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="tracker.access"):
        await _events(api, url)
    lines = [r.getMessage() for r in caplog.records if r.name == "tracker.access"]
    assert any(line.startswith("GET /calendar/<secret> 200") for line in lines), lines
    assert all(secret not in line for line in lines)


async def test_a_gate_the_person_approves_is_due_then_awaits_approval_then_leaves_the_feed(
    api: Api,
) -> None:
    key = await given_programme(api)
    lead, sponsor = await api.as_(LEAD), await api.as_(SPONSOR)
    item = await given_deliverable(api, key, title="DR plan", due="2021-03-31", submitted=True)
    body = {"title": "Go-live", "order": 1, "deliverables": [item], "approvers": [SPONSOR]}
    defined = await api.post(f"/api/v1/programmes/{key}/gates", lead, body)
    assert defined.status_code == 201, defined.text
    url = await _feed(api, SPONSOR, sponsor)

    due = await _events(api, url)
    assert set(due) == {"Approve: DR plan", "Gate due: Go-live"}
    gate = due["Gate due: Go-live"]
    assert gate["start"] == date(2021, 3, 31)
    assert "Deliverable 'DR plan' is submitted: it waits for approval from" in str(
        gate["description"]
    )

    approved = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor)
    assert approved.status_code == 200, approved.text
    ready = await _events(api, url)
    assert set(ready) == {"Approve gate: Go-live"}
    assert ready["Approve gate: Go-live"]["uid"] == gate["uid"]  # the same event, moved on
    signed_on = local_date(datetime.now(UTC))
    assert ready["Approve gate: Go-live"]["start"] == signed_on  # signed off today

    inbox = await api.get(f"/api/v1/people/{SPONSOR}/inbox", sponsor)
    [waiting] = inbox.json()["items"]
    assert (waiting["kind"], waiting["action"], waiting["title"]) == ("gate", "approve", "Go-live")

    passed = await api.post(f"/api/v1/gates/{defined.json()['id']}/approve", sponsor, {})
    assert passed.json()["recorded"] == ["GateApproved", "GatePassed"]
    assert await _events(api, url) == {}
    assert (await api.get(f"/api/v1/people/{SPONSOR}/inbox", sponsor)).json()["items"] == []
