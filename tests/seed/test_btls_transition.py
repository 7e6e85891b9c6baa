"""The BTLS transition as the Programme Closure Report of 20 April 2021 has it
(``003_b42c17e009099bb8.txt``), read back by folding its streams with the domain's ``evolve``.

The expected tables are typed here from the paper, independently of ``seed/``."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import NamedTuple

import pytest

from tests.seed.conftest import Seeded
from tests.seed.reading import closure, day_of, deliverable, end_of, programme, programme_events
from tracker.deliverables import DeliverableStatus, outcome_is_complete
from tracker.events.closure import (
    ClosureReportApproved,
    ClosureReportEndorsed,
    ClosureReportSubmitted,
    ProgrammeClosed,
)
from tracker.events.deliverables import DeliverableDeferred, DeliverableSignedOff
from tracker.events.programmes import RosterMemberAssigned

pytestmark = pytest.mark.asyncio(loop_scope="package")

KEY = "btls-transition"
REPORT_DAY = date(2021, 4, 20)
ALPHA, ES = "\u0391", "\u0421"  # GREEK CAPITAL LETTER ALPHA, CYRILLIC CAPITAL LETTER ES

# Key Transition Roles, lines 336-342: name, e-mail (ours), role, letter meant, letter printed.
ROSTER = [
    ("Mike Kirby", "mike.kirby@lancashire.example", "Sponsor", "A", ALPHA),
    ("Glyn Peach", "glyn.peach@lancashire.example", "Transition Lead Officer", "R", "R"),
    ("Rob Cathey", "rob.cathey@lancashire.example", "Legal Counsel", "R", "R"),
    ("Gabby Nelson", "gabby.nelson@lancashire.example", "Programme Assurance", "R", "R"),
    (
        "Antony Draper",
        "antony.draper@socitm-advisory.example",
        "SOCITM Advisory Programme Manager",
        "R",
        "R",
    ),
    ("Andrew Rogers", "andrew.rogers@socitm-advisory.example", "SOCITM Advisory Lead", "C", ES),
    ("Rachael Tanner", "rachael.tanner@lancashire.example", "Procurement", "R", "R"),
]

OUTCOMES = [
    "LCC have the management structure to run the service themselves",
    "LCC are able to fully support the business from an IT perspective",
    "Smooth transition for inflight projects",
    "LCC in a position to provide commercially viable services to external 3rd parties",
    "LCC able to put plans in place to continue to improve the quality of the IT service",
    "LCC are able to look at potential cost savings across the business",
    "LCC understand the cost of providing IT support at a business level and fully understand "
    "the breakdown of the cost and value of their returned services",
    "LCC have no licensing liabilities",
    "LCC have no unresolved compliancy issues",
    "LCC are able to procure new IT services for themselves",
]


class Expected(NamedTuple):
    line: int
    outcome: int
    title: str
    approved_by: tuple[str, ...]
    status: str
    date: str


# "4. Socitm deliverables" (1/3, 2/3, 3/3): every row, in the paper's order. The outcome is the
# one whose merged Outcome cell holds the row (labels sit near the middle of their cells).
DELIVERABLES = [
    Expected(389, 1, "Any management team TUPE'd", ("Glyn Peach",), "signed off", "01/03/2021"),
    Expected(390, 1, "Management team in place", ("Glyn Peach",), "signed off", "04/01/2021"),
    Expected(
        391,
        1,
        (
            "Data in the system to enable a relationship between workstyles and posts and "
            "therefore devices BCP Plan Reviewed Updated and Assured Service "
            "Specifications in place"
        ),
        (),
        "Post Transition",
        "",
    ),
    Expected(392, 1, "Key staff gaps filled", ("Glyn Peach",), "signed off", "01/03/2021"),
    Expected(393, 1, "Terms and Conditions aligned", ("Glyn Peach",), "signed off", "11/03/2021"),
    Expected(
        394,
        1,
        "Day 1 - Digital Request process in place",
        ("Glyn Peach",),
        "signed off",
        "31/03/2021",
    ),
    Expected(
        395,
        1,
        "Key applications identified and plan in place to secure",
        ("Paul Sutcliffe",),
        "signed off",
        "24/02/2021",
    ),
    Expected(
        396,
        2,
        "All critical items changed (logistics)",
        ("Glyn Peach",),
        "signed off",
        "31/03/2021",
    ),
    Expected(
        397, 2, "Plan in place for non-critical items", ("Glyn Peach",), "signed off", "31/03/2021"
    ),
    Expected(
        398, 2, "Digital Assessment Management service solution in place", (), "Post Transition", ""
    ),
    Expected(
        399,
        2,
        "Workstyle analysis to support the new device policy",
        ("Paul Sutcliffe",),
        "signed off",
        "23/12/2020",
    ),
    Expected(400, 2, "DR Plan Reviewed and Assured", ("Glyn Peach",), "signed off", "07/01/2021"),
    Expected(
        401, 2, "New KPIs and reporting in place", ("Sarah Oldendorp",), "signed off", "12/01/2021"
    ),
    Expected(
        402,
        2,
        "Catalogue Matrix of Services provided to LCC",
        ("Glyn Peach",),
        "signed off",
        "07/01/2021",
    ),
    Expected(
        403,
        2,
        "Service Description Template - Digital Towers",
        ("Glyn Peach",),
        "signed off",
        "07/01/2021",
    ),
    Expected(
        404,
        2,
        "Service Description Template - Services",
        ("Glyn Peach",),
        "signed off",
        "07/01/2021",
    ),
    Expected(405, 3, "Project costing policy", ("Glyn Peach",), "signed off", "01/03/2021"),
    Expected(406, 3, "Project costing spreadsheet", ("Glyn Peach",), "signed off", "01/03/2021"),
    Expected(
        407, 3, "Projects delivered to an agreed point", ("Glyn Peach",), "signed off", "19/02/2021"
    ),
    Expected(
        408,
        3,
        "Project handed over at an agreed point",
        ("Glyn Peach",),
        "signed off",
        "19/02/2021",
    ),
    Expected(
        409,
        3,
        "Plan in place to deliver all agreed infrastructure projects before Transition",
        ("Glyn Peach",),
        "signed off",
        "07/01/2021",
    ),
    Expected(
        410,
        3,
        "Plan in place to deliver remaining infrastructure projects following Transition",
        ("Glyn Peach",),
        "signed off",
        "07/02/2021",
    ),
    Expected(
        411,
        3,
        "Documented protocol for handling projects straddling the transition",
        ("Glyn Peach",),
        "signed off",
        "14/01/2021",
    ),
    Expected(
        412,
        3,
        "True-Up of payments with progress for the handover date for projects",
        (),
        "Post Transition",
        "",
    ),
    Expected(419, 4, "All supplier contracts novated to LCC", (), "Post Transition", ""),
    Expected(
        420,
        4,
        "Contracts agreed with all beneficiaries",
        ("Paul Sutcliffe",),
        "signed off",
        "25/03/2021",
    ),
    Expected(
        421,
        4,
        "Catalogue Matrix of Services provided to Beneficiaries",
        ("Gabby Nelson", "Paul Sutcliffe"),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        422,
        4,
        "Service Description Template - Services to Beneficiaries",
        ("Gabby Nelson", "Paul Sutcliffe"),
        "signed off",
        "02/02/2021",
    ),
    Expected(
        423,
        4,
        "Service descriptions agreed, contracts signed",
        ("Paul Sutcliffe",),
        "signed off",
        "25/03/2021",
    ),
    Expected(
        424,
        5,
        (
            "Digital Request Process incorporates all types of change (including "
            "identified continual improvement changes)"
        ),
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        425,
        5,
        "Create a Digital Request Process Boards Terms of Reference",
        ("Paul Sutcliffe",),
        "signed off",
        "31/03/2021",
    ),
    Expected(
        426,
        5,
        "Swim Lane process flows - Level 1 overview",
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        427,
        5,
        "Swim Lane process flows - Level 2 process - Customer Digital Requests Gateway",
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        428,
        5,
        "Swim Lane process flows - Level 2 process - Digital Requests Triage",
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        429,
        5,
        "Swim Lane process flows - Level 2 process - Digital Requests Governance",
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        430, 5, "Digital Requests Category Maps", ("Paul Sutcliffe",), "signed off", "31/03/2021"
    ),
    Expected(
        431,
        5,
        (
            "Document outlining principles/criteria & process for differentiating "
            "business-led from Digital-led Request types"
        ),
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        432,
        5,
        (
            "Document with criteria and Excel tool (algorithm) for differentiating "
            "Request types - Service Request or full Digital Request"
        ),
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        433,
        5,
        (
            "Document with criteria and Excel tool (algorithm) for differentiating "
            "Request types - Minor or Major Works"
        ),
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        434,
        5,
        (
            "Assessment of all Services not fit for purpose to clear efficiencies can be "
            "achieved (costs): RFP Process"
        ),
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        435,
        5,
        (
            "Assessment of all Services not fit for purpose so clear efficiencies can be "
            "achieved (costs): Starters, Leavers, Movers Process"
        ),
        (),
        "Post Transition",
        "",
    ),
    Expected(
        436,
        5,
        (
            "Assessment of all Services not fit for purpose to clear efficiencies can be "
            "achieved (costs): Incident Management"
        ),
        ("Paul Sutcliffe",),
        "signed off",
        "27/11/2021",
    ),
    Expected(
        437, 5, "Catalogue of Business Issues", ("Paul Sutcliffe",), "signed off", "15/07/2020"
    ),
    Expected(
        438,
        5,
        "Assessment of the Business Issues and prioritisation",
        ("Paul Sutcliffe",),
        "signed off",
        "25/03/2021",
    ),
    Expected(
        445,
        6,
        (
            "Licensing position understood and documented, allowing LCC to make "
            "evidence-based decisions"
        ),
        ("Glyn Peach",),
        "signed off",
        "11/03/2021",
    ),
    Expected(
        446,
        6,
        "Cloud feasibility study and PID delivered",
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        447,
        6,
        "Plan in place to review apps rationalisation following transition",
        ("Paul Sutcliffe",),
        "signed off",
        "25/03/2021",
    ),
    Expected(
        448,
        6,
        "Plan in place to review apps rationalisation following transition",
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        449,
        7,
        "One-Off Cost of delivering Digital Services",
        ("Glyn Peach",),
        "signed off",
        "18/02/2021",
    ),
    Expected(450, 7, "EA data loaded into Ardoq", ("Mark Greenwood",), "signed off", "23/12/2020"),
    Expected(
        451, 7, "Future EA Data Sources identified", ("Mark Greenwood",), "signed off", "23/12/2020"
    ),
    Expected(452, 7, "Account's structure set up", ("Sharon Porter",), "signed off", "05/03/2021"),
    Expected(
        453,
        7,
        "Service Description Template - Digital Towers (as above)",
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        454,
        7,
        "Service Description Template - Services (as above)",
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        455,
        7,
        "Application portfolio linked to services and processes",
        ("Mark Greenwood",),
        "signed off",
        "31/01/2021",
    ),
    Expected(
        456,
        8,
        "Plan in place for BTLS to resolve any key under licensing issues",
        ("Glyn Peach",),
        "signed off",
        "11/03/2021",
    ),
    Expected(
        457,
        8,
        "Plan in place to resolve all remaining licensing issues",
        ("Glyn Peach",),
        "signed off",
        "11/03/2021",
    ),
    Expected(
        458,
        8,
        "Audit of licensing identifying Under/Over licensing",
        ("Glyn Peach",),
        "signed off",
        "11/03/2021",
    ),
    Expected(
        459, 9, "Key GDPR issues resolved by BTLS", ("Glyn Peach",), "signed off", "18/03/2021"
    ),
    Expected(
        460,
        9,
        "Plan in place to resolve any remaining GDPR issues",
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        461, 9, "Key PSN issues resolved by BTLS", ("Glyn Peach",), "signed off", "18/03/2021"
    ),
    Expected(
        462,
        9,
        "Plan in place to resolve any remaining PSN issues",
        ("Glyn Peach",),
        "signed off",
        "18/03/2021",
    ),
    Expected(
        463, 9, "Key security issues resolved by BTLS", ("Glyn Peach",), "signed off", "07/01/2021"
    ),
    Expected(
        464,
        9,
        "Plan in place to resolve any remaining security issues",
        ("Glyn Peach",),
        "signed off",
        "07/01/2021",
    ),
    Expected(465, 9, "Key PCI issues resolved by BTLS", (), "Post Transition", ""),
    Expected(
        466, 9, "Plan in place to resolve any remaining PCI issues", (), "Post Transition", ""
    ),
    Expected(467, 10, "WLBC Service Schedule", ("Glyn Peach",), "signed off", "05/03/2021"),
    Expected(
        468,
        10,
        "All supplier contracts and key information stored in a repository",
        (),
        "Post Transition",
        "",
    ),
    Expected(
        469,
        10,
        "Staff in place who can deal with LA procurement",
        ("Rachel Tanner",),
        "signed off",
        "01/03/2021",
    ),
    Expected(470, 10, "All live Purchase Orders transferred to LCC", (), "Post Transition", ""),
]

EMAILS = {
    "Glyn Peach": "glyn.peach@lancashire.example",
    "Gabby Nelson": "gabby.nelson@lancashire.example",
    "Paul Sutcliffe": "paul.sutcliffe@lancashire.example",
    "Sarah Oldendorp": "sarah.oldendorp@lancashire.example",
    "Mark Greenwood": "mark.greenwood@lancashire.example",
    "Sharon Porter": "sharon.porter@lancashire.example",
    "Rachel Tanner": "rachael.tanner@lancashire.example",
}


def uk(text: str) -> date:
    day, month, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


async def test_the_roster_has_seven_members_with_latin_letters(seeded: Seeded) -> None:
    state = await programme(seeded.store, KEY)
    assert [(m.name, m.email, m.role_title, m.raci) for m in state.roster] == [
        (name, email, role, letter) for name, email, role, letter, _ in ROSTER
    ]
    sponsor = state.accountable()
    assert sponsor is not None and sponsor.name == "Mike Kirby"


async def test_the_printed_lookalike_letters_are_kept_in_the_provenance(seeded: Seeded) -> None:
    events = await programme_events(seeded.store, KEY)
    printed = {
        e.data.name: e.metadata.source["raci_raw"]
        for e in events
        if isinstance(e.data, RosterMemberAssigned)
    }
    assert printed == {name: raw for name, _, _, _, raw in ROSTER}
    assert printed["Mike Kirby"] == "\u0391" and printed["Andrew Rogers"] == "\u0421"


async def test_glyn_peach_deputises_for_mike_kirby(seeded: Seeded) -> None:
    state = await programme(seeded.store, KEY)
    assert len(state.delegations) == 1
    delegation = state.delegations[0]
    assert (delegation.deputy, delegation.principal) == (
        "glyn.peach@lancashire.example",
        "mike.kirby@lancashire.example",
    )
    assert delegation.covers(REPORT_DAY)
    assert delegation.covers(date(2020, 7, 15))
    [appointed] = [
        e for e in await programme_events(seeded.store, KEY) if e.type == "DeputyAppointed"
    ]
    assert appointed.metadata.source["line"] == "344"
    assert appointed.metadata.source["row"].endswith(
        "Glyn Peach deputized for Mike Kirby as appropriate"
    )


async def test_the_ten_outcomes_are_defined_in_order(seeded: Seeded) -> None:
    state = await programme(seeded.store, KEY)
    assert [(o.number, o.title) for o in state.outcomes] == list(enumerate(OUTCOMES, start=1))


async def test_every_deliverable_row_is_as_the_paper_says(seeded: Seeded) -> None:
    state = await programme(seeded.store, KEY)
    found: list[Expected] = []
    for deliverable_id in state.deliverables:
        item, events = await deliverable(seeded.store, deliverable_id)
        signed = [e for e in events if isinstance(e.data, DeliverableSignedOff)]
        deferred = [e for e in events if isinstance(e.data, DeliverableDeferred)]
        if item.status == "signed_off":
            status, on = "signed off", day_of(signed[-1]).strftime("%d/%m/%Y")
            assert item.due_on == day_of(signed[-1])
        else:
            assert item.status == "deferred" and item.destination == "Post Transition"
            assert day_of(deferred[-1]) == REPORT_DAY
            status, on = "Post Transition", ""
        line = int(events[0].metadata.source["line"])
        assert item.outcome_number is not None
        approvers = tuple(p.name for p in item.approvers)
        found.append(Expected(line, item.outcome_number, item.title, approvers, status, on))
    assert found == DELIVERABLES


async def test_rows_445_to_470_are_grouped_by_the_merged_cell_that_holds_them(
    seeded: Seeded,
) -> None:
    """003, page 3: label 8 (line 457) sits among the licensing rows 456-458, label 9 (lines
    462-463) among the GDPR, PSN, security and PCI rows 459-466, label 10 (lines 468-469) among
    rows 467-470. Grouping by the last label above a row gave outcomes 8/9/10 5/6/3 rows."""
    state = await programme(seeded.store, KEY)
    by_line: dict[int, tuple[int | None, str]] = {}
    for deliverable_id in state.deliverables:
        item, events = await deliverable(seeded.store, deliverable_id)
        source = events[0].metadata.source
        by_line[int(source["line"])] = (item.outcome_number, source["outcome_rule"])
    page_3 = {line: by_line[line][0] for line in range(445, 471)}
    assert page_3 == {
        445: 6, 446: 6, 447: 6, 448: 6,
        449: 7, 450: 7, 451: 7, 452: 7, 453: 7, 454: 7, 455: 7,
        456: 8, 457: 8, 458: 8,
        459: 9, 460: 9, 461: 9, 462: 9, 463: 9, 464: 9, 465: 9, 466: 9,
        467: 10, 468: 10, 469: 10, 470: 10,
    }  # fmt: skip
    assert Counter(page_3.values())[8] == 3
    assert Counter(page_3.values())[9] == 8
    assert Counter(page_3.values())[10] == 4
    assert by_line[459][1] == "outcome 9: the merged Outcome cell of lines 459-466"
    assert by_line[396][0] == 2 and by_line[419][0] == 4 and by_line[424][0] == 5


async def test_approvers_are_identified_by_email_whatever_the_spelling(seeded: Seeded) -> None:
    state = await programme(seeded.store, KEY)
    for deliverable_id in state.deliverables:
        item, _ = await deliverable(seeded.store, deliverable_id)
        for approver in item.approvers:
            assert approver.email == EMAILS[approver.name]
    tanner = state.member("rachael.tanner@lancashire.example")
    assert tanner is not None and tanner.name == "Rachael Tanner"


async def test_the_joint_approval_needed_both_approvers(seeded: Seeded) -> None:
    state = await programme(seeded.store, KEY)
    joint = 0
    for deliverable_id in state.deliverables:
        item, _ = await deliverable(seeded.store, deliverable_id)
        if len(item.approvers) == 2:
            joint += 1
            assert {s.signatory for s in item.round.approvals} == {
                "gabby.nelson@lancashire.example",
                "paul.sutcliffe@lancashire.example",
            }
    assert joint == 2


async def test_the_duplicated_deliverable_is_two_deliverables_under_outcome_6(
    seeded: Seeded,
) -> None:
    state = await programme(seeded.store, KEY)
    items = [(await deliverable(seeded.store, d))[0] for d in state.deliverables]
    titles = Counter((i.outcome_number, i.title) for i in items)
    title = "Plan in place to review apps rationalisation following transition"
    assert titles[(6, title)] == 2
    twins = [i for i in items if i.title == title]
    assert {twins[0].approvers[0].name, twins[1].approvers[0].name} == {
        "Paul Sutcliffe",
        "Glyn Peach",
    }
    assert twins[0].deliverable_id != twins[1].deliverable_id


async def test_the_sign_off_after_the_report_was_not_signed_off_as_of_the_report(
    seeded: Seeded,
) -> None:
    state = await programme(seeded.store, KEY)
    late = []
    for deliverable_id in state.deliverables:
        item, _ = await deliverable(seeded.store, deliverable_id)
        then, _ = await deliverable(seeded.store, deliverable_id, as_of=end_of(REPORT_DAY))
        if item.status == "signed_off" and then.status != "signed_off":
            late.append((item.title, item.due_on))
    assert late == [
        (
            "Assessment of all Services not fit for purpose to clear efficiencies can be "
            "achieved (costs): Incident Management",
            date(2021, 11, 27),
        )
    ]


async def test_every_outcome_is_complete_now_and_outcome_5_was_not_on_the_report_day(
    seeded: Seeded,
) -> None:
    state = await programme(seeded.store, KEY)
    now: dict[int, list[DeliverableStatus]] = {n: [] for n in range(1, 11)}
    then: dict[int, list[DeliverableStatus]] = {n: [] for n in range(1, 11)}
    for deliverable_id in state.deliverables:
        item, _ = await deliverable(seeded.store, deliverable_id)
        earlier, _ = await deliverable(seeded.store, deliverable_id, as_of=end_of(REPORT_DAY))
        assert item.outcome_number is not None
        now[item.outcome_number].append(item.status)
        then[item.outcome_number].append(earlier.status)
    assert all(outcome_is_complete(statuses) for statuses in now.values())
    incomplete = [n for n, s in then.items() if not outcome_is_complete(s)]
    assert incomplete == [5]


async def test_nine_rows_are_deferred_post_transition(seeded: Seeded) -> None:
    assert sum(1 for row in DELIVERABLES if row.status == "Post Transition") == 9


async def test_the_closing_notes_are_recorded(seeded: Seeded) -> None:
    state = await programme(seeded.store, KEY)
    assert [n.number for n in state.learning_points] == [1, 2, 3, 4, 5, 6]
    assert [n.number for n in state.recommendations] == [1, 2, 3, 4, 5]
    assert [n.number for n in state.next_steps] == [1]
    assert "feasable" in state.scope
    assert state.governance.startswith("The Programme consisted of a collaboration")


async def test_the_risk_and_issue_logs_are_empty(seeded: Seeded) -> None:
    state = await programme(seeded.store, KEY)
    assert state.raid_refs == ()
    risk_streams = [
        e for e in await programme_events(seeded.store, KEY) if e.type == "RaidRefReserved"
    ]
    assert risk_streams == []


async def test_the_closure_report_is_endorsed_by_every_r_and_c_and_approved_by_the_a(
    seeded: Seeded,
) -> None:
    report = await closure(seeded.store, KEY)
    assert report.status == "approved"
    assert report.override_reason is None and report.endorsements_missing == ()
    endorsers = [email for _, email, _, letter, _ in ROSTER if letter in ("R", "C")]
    assert [s.signatory for s in report.round.endorsements] == endorsers
    assert [s.signatory for s in report.round.approvals] == ["mike.kirby@lancashire.example"]
    assert (await programme(seeded.store, KEY)).lifecycle == "closed"
    closing = (
        ClosureReportSubmitted,
        ClosureReportEndorsed,
        ClosureReportApproved,
        ProgrammeClosed,
    )
    events = [e for e in await programme_events(seeded.store, KEY) if isinstance(e.data, closing)]
    assert len(events) == 1 + 6 + 1 + 1
    assert {day_of(e) for e in events} == {REPORT_DAY}


async def test_every_seeded_entry_says_it_was_entered_from_the_paper_as_the_council_cites_it(
    seeded: Seeded,
) -> None:
    events = await programme_events(seeded.store, KEY)
    reasons = {e.metadata.backdating_reason for e in events}
    assert reasons == {
        "entered from the papers of the Cabinet Committee on Performance Improvement, 20 April 2021"
    }
