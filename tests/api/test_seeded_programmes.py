"""Every seeded programme through HTTP, as a sponsor opening each one would (issue 17): the
pages, the closure report in each format and the milestone calendar answer, and show the
papers' dates at their precision, assumed dates marked, and the paper's words."""

from __future__ import annotations

import pytest

from seed import load_seed
from tests.api.client import Api, sign_in_to_pages
from tracker.clock import SystemClock
from tracker.events.open import open_store
from tracker.settings import Settings

PROGRAMMES = (
    "lancaster-shared-services",
    "service-improvement-plans-2012",
    "liquidlogic-social-care",
    "documentum-dms",
    "asset-management-system",
    "btls-transition",
)


@pytest.fixture
async def seeded(api: Api) -> Api:
    clock = SystemClock()
    store = open_store(Settings(database_url=api.database_url), clock=clock)
    try:
        await load_seed(store, clock)
    finally:
        await store.close()
    return api


async def test_every_seeded_programme_answers_in_every_format(seeded: Api) -> None:
    admin = await seeded.admin()
    listed = (await seeded.get("/api/v1/programmes", admin)).json()
    assert sorted(p["key"] for p in listed["items"]) == sorted(PROGRAMMES)
    await sign_in_to_pages(seeded, await seeded.token("ops@lancashire.example", "admin"))
    for key in PROGRAMMES:
        for path in (
            f"/api/v1/programmes/{key}",
            f"/api/v1/programmes/{key}/closure-report",
            f"/api/v1/programmes/{key}/closure-report?format=markdown",
            f"/api/v1/programmes/{key}/closure-report?format=csv",
            f"/api/v1/programmes/{key}/milestones.ics",
        ):
            answer = await seeded.get(path, admin)
            assert answer.status_code == 200, (path, answer.text[:300])
        for page in (
            f"/programmes/{key}",
            f"/programmes/{key}/closure-report",
            f"/programmes/{key}/closure-report.xlsx",
            f"/programmes/{key}/deliverables.csv",
        ):
            answer = await seeded.client.get(page)
            assert answer.status_code == 200, (page, answer.text[:300])


async def test_the_pages_show_the_papers_precision_assumptions_and_words(seeded: Api) -> None:
    await sign_in_to_pages(seeded, await seeded.token("ops@lancashire.example", "admin"))
    plans = (await seeded.client.get("/programmes/service-improvement-plans-2012")).text
    assert "March 2013 (assumed)" in plans  # 000 lines 280, 284: no date in the paper
    assert "A new centre is planned for 2013." in plans  # the plan's description (line 286)
    lancaster = (await seeded.client.get("/programmes/lancaster-shared-services")).text
    assert "Legal Services, Lancaster City Council" in lancaster
    assert "2011-10-04 (assumed)" in lancaster  # the MoU: signed by that meeting (002 line 22)
    documentum = (await seeded.client.get("/programmes/documentum-dms")).text
    assert '<h2 id="workstreams-heading">Workstreams</h2>' in documentum
    assert "Creation of an Electronic Social Care Record (ESCR) capability" in documentum
    liquidlogic = (await seeded.client.get("/programmes/liquidlogic-social-care")).text
    assert "Q2 2015 (assumed)" in liquidlogic  # 001 line 114: the review, undated
    closure = (await seeded.client.get("/programmes/btls-transition/closure-report")).text
    assert "Status in the paper" in closure and "Glyn Peach - Chief Digital Officer" in closure
