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


async def test_a_papers_headings_presenters_and_assumed_due_dates_come_through_http(
    api: Api,
) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    body = {"title": "All live Purchase Orders transferred", "due": "2021-04-01"}
    planned = await api.post(
        f"/api/v1/programmes/{key}/deliverables",
        lead,
        {**body, "approvers": [SPONSOR], "due_assumed": True},
    )
    assert planned.status_code == 201, planned.text
    item = planned.json()["id"]
    detail = (await api.get(f"/api/v1/deliverables/{item}", lead)).json()["item"]
    assert (detail["due_on"], detail["due_assumed"], detail["rag"]) == ("2021-04-01", True, "green")
    assert "is assumed" in detail["rag_reasons"][0]

    refused = await api.post(
        f"/api/v1/programmes/{key}/closure/submit",
        lead,
        {"sections": [{"part": "annex", "number": "9", "title": "Annex"}]},
    )
    assert refused.status_code == 400, refused.text
    submitted = await api.post(
        f"/api/v1/programmes/{key}/closure/submit",
        lead,
        {
            "presenters": ["Glyn Peach - Chief Digital Officer"],
            "sections": [
                {"part": "deliverables", "number": "4", "title": "Socitm deliverables"},
                {
                    "part": "next_steps",
                    "number": "8",
                    "title": "Next steps (agreed closure actions)",
                },
            ],
        },
    )
    assert submitted.status_code == 200, submitted.text

    path = f"/api/v1/programmes/{key}/closure-report"
    report = msgspec.json.decode((await api.get(path, lead)).content, type=ClosureReport)
    assert report.presenters == ["Glyn Peach - Chief Digital Officer"]
    assert report.report_date == report.sign_off.submitted_on
    [row] = report.deliverables
    assert (row.due_assumed, row.rag) == (True, "green")
    markdown = (await api.get(path, lead, headers={"Accept": "text/markdown"})).text
    assert "## 4. Socitm deliverables" in markdown
    assert "## 8. Next steps (agreed closure actions)" in markdown
    assert "## Governance" in markdown  # a part the paper does not head: unnumbered
    assert "| 01/04/2021 (assumed) |" in markdown
    assert "Presented by: Glyn Peach - Chief Digital Officer." in markdown
