"""The closure report's sign-off and its three formats through HTTP."""

from __future__ import annotations

import csv
import io

import msgspec

from tests.api.builders import ADVISER, LEAD, OBSERVER, SPONSOR, given_deliverable, given_programme
from tests.api.client import Api
from tracker.projections.reports.closure_report import ClosureReport
from tracker.projections.reports.sealing import verify


async def test_approval_before_every_endorsement_is_refused_naming_who_is_missing(
    api: Api,
) -> None:
    key = await given_programme(api)
    submitted = await api.post(f"/api/v1/programmes/{key}/closure/submit", await api.as_(LEAD))
    assert submitted.status_code == 200 and submitted.json()["recorded"] == [
        "ClosureReportSubmitted"
    ]
    sponsor = await api.as_(SPONSOR)
    refused = await api.post(f"/api/v1/programmes/{key}/closure/approve", sponsor)
    assert refused.status_code == 409 and refused.json()["code"] == "endorsements_missing"
    assert "Rob Cathey" in refused.json()["detail"] and "Gabby Nelson" in refused.json()["detail"]
    endorsed = await api.post(f"/api/v1/programmes/{key}/closure/endorse", await api.as_(ADVISER))
    assert endorsed.status_code == 200
    approved = await api.post(
        f"/api/v1/programmes/{key}/closure/approve",
        sponsor,
        {"override_reason": "Rob has left the council"},
    )
    assert approved.status_code == 200, approved.text
    report = await api.get(
        f"/api/v1/programmes/{key}/closure-report",
        sponsor,
    )
    sign_off = report.json()["sign_off"]
    assert sign_off["state"] == "signed_off"
    assert sign_off["override_reason"] == "Rob has left the council"


async def test_an_informed_member_cannot_endorse_and_a_c_cannot_approve(api: Api) -> None:
    key = await given_programme(api)
    await api.post(f"/api/v1/programmes/{key}/closure/submit", await api.as_(LEAD))
    observer = await api.post(f"/api/v1/programmes/{key}/closure/endorse", await api.as_(OBSERVER))
    assert observer.status_code == 403
    adviser = await api.post(f"/api/v1/programmes/{key}/closure/approve", await api.as_(ADVISER))
    assert adviser.status_code == 403


async def test_the_closure_report_comes_as_json_markdown_or_csv(api: Api) -> None:
    key = await given_programme(api)
    item = await given_deliverable(api, key, submitted=True)
    sponsor = await api.as_(SPONSOR)
    approved = await api.post(f"/api/v1/deliverables/{item}/approve", sponsor)
    assert approved.status_code == 200, approved.text
    path = f"/api/v1/programmes/{key}/closure-report"

    as_json = await api.get(path, sponsor)
    assert as_json.headers["content-type"] == "application/json"
    report = msgspec.json.decode(as_json.content, type=ClosureReport)
    assert verify(report)
    assert as_json.headers["tracker-content-hash"] == report.content_hash
    assert as_json.headers["tracker-position"] == str(report.position)

    markdown = await api.get(path, sponsor, headers={"Accept": "text/markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.rstrip().endswith(f"Content hash: {report.content_hash}")

    by_query = await api.get(path, sponsor, params={"format": "csv"})
    assert by_query.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(by_query.text)))
    assert rows[0]["id"] == item and rows[0]["status"] == "Signed Off"

    unknown = await api.get(path, sponsor, params={"format": "pdf"})
    assert unknown.status_code == 400
