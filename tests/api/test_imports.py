"""Importing a spreadsheet through the API: a dry run by default, every bad row named, written
as the caller, and refused to those who may not plan."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.builders import ADVISER, LEAD, OUTSIDER, SPONSOR, given_programme, name_of
from tests.api.client import Api
from tracker.imports.sheet import MAX_BYTES

GOOD = (
    "Deliverable,Due date,Approver(s)\n"
    f"Catalogue Matrix of Services,18/03/2021,{name_of(SPONSOR)}\n"
    f"DR plan,31/03/2021,{SPONSOR}\n"
)
BAD = GOOD + f"Novation schedule,March 2021,{name_of(SPONSOR)}\nKey staff,01/04/2021,J Smith\n"


async def _upload(
    api: Api, key: str, who: dict[str, str], text: str | bytes, **form: str
) -> httpx.Response:
    content = text.encode() if isinstance(text, str) else text
    answer = await api.client.post(
        f"/api/v1/programmes/{key}/imports",
        headers=who,
        files={"file": ("tracker.csv", content, "text/csv")},
        data=form,
    )
    return answer


def _titles(answer: dict[str, Any]) -> list[str]:
    return [a["title"] for a in answer["actions"]]


async def test_a_dry_run_names_every_bad_row_and_writes_nothing(api: Api) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    before = await api.event_count()
    dry = await _upload(api, key, lead, BAD)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (4, "Due date"),
        (5, "Approver(s)"),
    ]
    assert report["written"] is False and report["valid"] == 2
    assert _titles(report) == ["Catalogue Matrix of Services", "DR plan"]
    refused = await _upload(api, key, lead, BAD, dry_run="false")
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "import_rows_invalid"
    assert [e["field"] for e in problem["errors"]] == ["row 4, Due date", "row 5, Approver(s)"]
    assert await api.event_count() == before


async def test_the_corrected_file_is_written_as_the_caller_and_again_writes_nothing(
    api: Api,
) -> None:
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    written = await _upload(api, key, lead, GOOD, dry_run="false")
    assert written.status_code == 201, written.text
    assert written.json()["written"] is True
    signoffs = (await api.get(f"/api/v1/programmes/{key}/signoffs", lead)).json()
    titles = {d["title"] for d in signoffs["deliverables"]}
    assert titles == {"Catalogue Matrix of Services", "DR plan"}
    events = await api.event_count()
    again = await _upload(api, key, lead, GOOD, dry_run="false")
    assert again.status_code == 200, again.text
    assert again.json()["actions"] == [] and again.json()["unchanged"] == 2
    assert await api.event_count() == events


async def test_only_who_may_plan_imports_and_the_file_is_bounded(api: Api) -> None:
    key = await given_programme(api)
    for who in (await api.as_(OUTSIDER), await api.as_(ADVISER), await api.as_(SPONSOR, "reader")):
        refused = await _upload(api, key, who, BAD)  # even a dry run: it names the roster
        assert refused.status_code == 403, refused.text
    lead = await api.as_(LEAD)
    too_big = await _upload(api, key, lead, b"x" * (MAX_BYTES + 128 * 1024))
    assert too_big.status_code == 413
    wrong = await _upload(api, key, lead, GOOD, kind="budgets")
    assert wrong.status_code == 400


async def test_the_map_and_sheet_name_are_bounded_with_a_clear_422(api: Api) -> None:
    """Both are echoed in errors and reports: a 300 KB map or sheet name is refused at once,
    naming the limit, and nothing is written."""
    key = await given_programme(api)
    lead = await api.as_(LEAD)
    before = await api.event_count()
    long_map = ",".join(f"Heading {n}=title" for n in range(20_000))
    mapped = await _upload(api, key, lead, GOOD, map=long_map)
    assert mapped.status_code == 422, mapped.text
    assert "a column map takes at most 2,000" in mapped.json()["detail"]
    assert long_map[:200] not in mapped.text
    named = await _upload(api, key, lead, GOOD, sheet="S" * 300_000)
    assert named.status_code == 422, named.text
    assert "at most 31 characters" in named.json()["detail"]
    assert await api.event_count() == before
