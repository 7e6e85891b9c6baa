"""One history across the five papers (issue 17): a milestone two papers date is one stream,
re-baselined by the later paper; 001 (2015) and 002 (January 2012) are loaded; today's
portfolio has no red the papers do not support.

Expected values are typed here from the papers, independently of ``seed/``: 000 lines 281, 283
and 289 (July 2012), 004 lines 777, 791 and 869 (March 2014), 001 lines 108, 114, 116 and 160,
002 lines 3-109."""

from __future__ import annotations

from datetime import date

import pytest

from seed.source import seed_id as seeded_id
from tests.conftest import NOW
from tests.seed.conftest import Seeded
from tests.seed.reading import end_of, milestone, programme
from tracker.calendar import WorkingCalendar
from tracker.events.values import DateValue
from tracker.projections.read_model.reader import fold_from_store
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.milestone_board import MilestoneRow, milestone_board
from tracker.projections.reports.portfolio import portfolio_row
from tracker.rag import RagThresholds

pytestmark = pytest.mark.asyncio(loop_scope="package")

LIQUIDLOGIC = "liquidlogic-social-care"
DOCUMENTUM = "documentum-dms"
JULY_2012 = date(2012, 7, 10)
MARCH_2014 = date(2014, 3, 4)
CALENDAR = WorkingCalendar()
THRESHOLDS = RagThresholds()


def year(value: int) -> DateValue:
    return DateValue(date=date(value, 1, 1), precision="year")


def month(value: int, number: int) -> DateValue:
    return DateValue(date=date(value, number, 1), precision="month")


async def board(
    seeded: Seeded, key: str, today: date
) -> dict[tuple[str | None, str], MilestoneRow]:
    view = await fold_from_store(seeded.store, key, as_of=end_of(today))
    rows = milestone_board(view, today, CALENDAR, THRESHOLDS).milestones
    return {(row.workstream, row.title): row for row in rows}


async def test_adult_social_care_go_live_moves_from_april_2013_to_june_2014_in_one_stream(
    seeded: Seeded,
) -> None:
    go_live = seeded_id(LIQUIDLOGIC, "milestone", "791")
    in_2012 = await milestone(seeded.store, go_live, as_of=end_of(JULY_2012))
    assert in_2012.baseline == DateValue(date=date(2013, 4, 1), precision="day")  # 000 line 283
    in_2014 = await milestone(seeded.store, go_live, as_of=end_of(MARCH_2014))
    assert in_2014.original_baseline == in_2012.baseline
    assert in_2014.baseline == month(2014, 6)  # 004 line 791
    row = (await board(seeded, LIQUIDLOGIC, MARCH_2014))[("ash-w", "Project Go Live")]
    assert (row.original_baseline.shown, row.baseline.shown) == ("2013-04-01", "June 2014")
    [change] = row.changes
    assert change.kind == "rebaseline" and change.on == MARCH_2014
    assert "4 March 2014" in change.reason and "(line 791)" in change.reason
    assert row.paper_status == "On Target"  # 004's words, not 2012's "On target"


async def test_cyp_go_live_is_2013_to_the_year_then_march_2014(seeded: Seeded) -> None:
    go_live = seeded_id(LIQUIDLOGIC, "milestone", "777")
    in_2012 = await milestone(seeded.store, go_live, as_of=end_of(JULY_2012))
    assert in_2012.baseline == year(2013)  # "on target for go live is 2013", 000 line 281
    assert str(in_2012.baseline) == "2013"
    in_2014 = await milestone(seeded.store, go_live, as_of=end_of(MARCH_2014))
    assert in_2014.baseline == month(2014, 3)  # 004 line 777


async def test_documentum_wp7_is_the_2012_electronic_records_plan(seeded: Seeded) -> None:
    wp7 = seeded_id(DOCUMENTUM, "milestone", "869")
    in_2012 = await milestone(seeded.store, wp7, as_of=end_of(JULY_2012))
    assert in_2012.baseline == year(2013)  # "during 2013", 000 line 289
    in_2014 = await milestone(seeded.store, wp7, as_of=end_of(MARCH_2014))
    assert in_2014.baseline == month(2014, 6)  # "Jun 2014", 004 line 869
    assert in_2014.original_baseline == year(2013)


async def test_the_2012_plans_are_not_tracked_twice(seeded: Seeded) -> None:
    plans = await programme(seeded.store, "service-improvement-plans-2012")
    titles = [w.title for w in plans.workstreams]
    assert not [t for t in titles if t.startswith("ISSIS Replacement")]
    assert not [t for t in titles if t.startswith("Electronic Systems Management")]
    assert len(titles) == 8


async def test_the_2015_review_is_achieved_as_of_the_paper_and_not_before(seeded: Seeded) -> None:
    """001 prints no date: the first year (from 1 April 2014) is over (line 108) and a survey
    is planned for July 2015 (line 160), so its facts are entered on 30 June 2015."""
    review = "Post implementation review of the Care Portal and elements of Liquid Logic"
    before = await board(seeded, LIQUIDLOGIC, date(2015, 6, 29))
    assert (None, review) not in before
    assert before[("cyp", "Project Go Live")].actual is None
    after = await board(seeded, LIQUIDLOGIC, date(2015, 6, 30))
    row = after[(None, review)]
    assert row.actual is not None and row.actual.shown == "Q2 2015 (assumed)"
    assert row.rag == "green"
    for key in (("cyp", "Project Go Live"), ("ash-w", "Project Go Live")):
        inferred = after[key]
        assert inferred.actual is not None and inferred.actual.shown.endswith("(assumed)")
        assert inferred.rag == "green"


async def test_the_2015_highways_blueprint_is_achieved_and_the_2014_stages_stay_open(
    seeded: Seeded,
) -> None:
    rows = await board(seeded, "asset-management-system", NOW.date())
    blueprint = rows[(None, "Blueprint for the system: highways element")]
    assert blueprint.actual is not None and blueprint.actual.shown == "Q2 2015 (assumed)"
    # "The Asset Management Programme is continuing in earnest" (001 line 116).
    assert rows[(None, "Obtain County Council Sign off")].actual is None


async def test_lancaster_s_shared_services_are_loaded_from_the_january_2012_report(
    seeded: Seeded,
) -> None:
    key = "lancaster-shared-services"
    state = await programme(seeded.store, key)
    assert state.name == "Shared Services Programme \u2013 Oneconnect Limited"  # line 3
    assert [(m.name, m.raci) for m in state.roster] == [
        ("Chief Executive, Lancaster City Council", "A"),  # "Report of Chief Executive", line 5
        ("Legal Services, Lancaster City Council", "C"),  # approves the documents, line 91
    ]
    rows = await board(seeded, key, date(2012, 1, 17))
    achieved = {title: row.actual.shown for (_, title), row in rows.items() if row.actual}
    assert achieved == {
        "Benefits of the Strategic Partnership reported to Cabinet; Lancaster on the OJEU notice": (
            "2011-04-19"
        ),
        "OneConnect Limited formed (reported to Cabinet)": "2011-07-26",
        "Memorandum of Understanding signed by both Chief Executives": "2011-10-04 (assumed)",
        "Progress and proposals reported to Cabinet": "2012-01-17",
    }
    final = rows[(None, "Cabinet's final decision on the shared services")]
    assert final.actual is None and final.baseline.shown == "2012 (assumed)"
    view = await fold_from_store(seeded.store, key)
    documents = {d.title: d for d in view.deliverables.values()}
    assert sorted(documents) == [  # lines 27-30, being drafted
        "Customer Services Call Handling Service Provision Agreement",
        "Customer Services Face to Face Service Provision Agreement",
        "ICT Service Provision Agreement",
        "Shared Services Agreement between Lancaster City Council and Lancashire County Council",
    ]
    assert all(d.state == "planned" and d.due_assumed for d in documents.values())
    assert {a.email for d in documents.values() for a in d.approvers} == {
        "legal.services@lancaster.example"
    }


async def test_documentum_s_work_packages_carry_the_paper_s_descriptions(seeded: Seeded) -> None:
    view = await fold_from_store(seeded.store, DOCUMENTUM)
    described = view.workstream_descriptions
    assert described["wp2"].startswith(  # line 839
        "Creation of an Electronic Social Care Record (ESCR) capability"
    )
    assert described["wp6"].splitlines()[1:] == [  # lines 849-852
        "- Configure and administrate all aspects of the product.",
        "- Support the creation, deployment and maintenance of complex workflows.",
        "- Develop and integrate interfaces to other line of business applications.",
        "- Provide staff with the tools and skills to manage the future migration of content "
        "from fileshares and other repositories.",
    ]
    assert described["wp7"].splitlines()[1:] == [  # lines 856-858
        "- Social Care finance systems/Oracle Financials",
        "- Social Care Printing",
        "- Emergency Planning",
    ]
    plans = await fold_from_store(seeded.store, "service-improvement-plans-2012")
    assert plans.workstream_descriptions["sip-07"].endswith("A new centre is planned for 2013.")


def _red_parts_are_printed_dates_passed(view: ProgrammeView, today: date) -> list[str]:
    """Each red milestone of the programme: its date must be one a paper printed (not
    assumed), passed, with no later paper reporting it achieved."""
    rows = milestone_board(view, today, CALENDAR, THRESHOLDS).milestones
    unsupported = []
    for row in rows:
        if row.rag != "red":
            continue
        printed = not row.baseline.assumed and not row.forecast.assumed
        if not printed or row.actual is not None:
            unsupported.append(f"{view.key}: {row.title}")
    return unsupported


async def test_today_s_portfolio_has_no_red_the_papers_do_not_support(seeded: Seeded) -> None:
    today = NOW.date()
    colours = {}
    for report in seeded.report.programmes:
        view = await fold_from_store(seeded.store, report.key)
        assert _red_parts_are_printed_dates_passed(view, today) == []
        colours[report.key] = portfolio_row(view, today, CALENDAR, THRESHOLDS).rag
    assert colours == {
        # 001 (2015) reports the post-implementation review: delivered.
        LIQUIDLOGIC: "green",
        # Every date it holds is done (the decisions) or assumed (the agreements, the decision).
        "lancaster-shared-services": "green",
        # Closed; nine rows carried forward to business as usual.
        "btls-transition": "amber",
        # Printed dates passed and no later paper reports them: still open, honestly red.
        "service-improvement-plans-2012": "red",  # CMS 2012, network 2012, data centre 2013
        DOCUMENTUM: "red",  # WP2, 4, 6 and 7 (2014)
        "asset-management-system": "red",  # "continuing in earnest" in 2015 (001 line 116)
    }
