"""The small programme the projection tests share, built event by event (the "given").

Two outcomes; four deliverables: D1 signed off by its approver, D2 approved by Glyn Peach as
deputy for Mike Kirby, D3 a joint approval (Gabby Nelson / Paul Sutcliffe) with an endorser,
returned once and resubmitted, D4 deferred to "Post Transition"; three milestones: M1 achieved
on baseline, M2 month precision re-forecast a month later, M3 re-baselined past Easter; two
RAID items: R1 an open risk with updates, I1 a closed issue; two phase gates: G1 (D1, M1)
approved by Glyn Peach for Mike Kirby and passed, G2 (D3, D4, M2, M3) open; the closure report
submitted and endorsed by two of its three endorsers. Today, for RAG, is Friday 12 March 2021.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from tests.projections.builders import Script, day, month, person
from tracker.calendar import WorkingCalendar
from tracker.rag import RagThresholds

TODAY = date(2021, 3, 12)

MIKE = person("mike.kirby@lcc.example", "Mike Kirby")
GLYN = person("glyn.peach@lcc.example", "Glyn Peach")
GABBY = person("gabby.nelson@lcc.example", "Gabby Nelson")
ANDREW = person("andrew.rogers@socitm.example", "Andrew Rogers")
IAN = person("ian.young@lcc.example", "Ian Young")
PAUL = person("paul.sutcliffe@lcc.example", "Paul Sutcliffe")


class Ids(msgspec.Struct, kw_only=True):
    delegation: UUID
    d1: UUID
    d2: UUID
    d3: UUID
    d4: UUID
    m1: UUID
    m2: UUID
    m3: UUID
    r1: UUID
    i1: UUID
    next_step: UUID
    g1: UUID
    g2: UUID


def d(text: str) -> date:
    return date.fromisoformat(text)


def small_programme(key: str = "test-transition") -> tuple[Script, Ids]:
    s = Script(key)
    s.register(
        "Test transition",
        d("2021-01-04"),
        starts_on=d("2021-01-04"),
        planned_end_on=d("2021-04-30"),
        purpose="Confirm the outcomes have been delivered.",
        scope="Bring the service back in house by 1 April 2021.",
        governance="A monthly programme board.",
    )
    s.member(MIKE, "Sponsor", "A", d("2021-01-04"), source={"document": "003", "row": "1"})
    s.member(GLYN, "Transition Lead Officer", "R", d("2021-01-04"))
    s.member(GABBY, "Programme Assurance", "R", d("2021-01-04"))
    s.member(ANDREW, "SOCITM Advisory Lead", "C", d("2021-01-04"))
    s.member(IAN, "Finance Lead", "I", d("2021-01-04"))
    delegation = s.deputy(GLYN, MIKE, d("2021-01-04"), d("2021-06-30"), d("2021-01-04"))
    s.outcome(1, "LCC have the management structure to run the service", d("2021-01-04"))
    s.outcome(2, "LCC are able to support the business", d("2021-01-04"))

    d1 = s.deliverable(
        "Management team in place",
        d("2021-01-04"),
        [GLYN],
        d("2021-01-04"),
        outcome=1,
        source={"document": "003", "table": "4", "row": "2"},
    )
    s.sign_off(d1, GLYN, d("2021-01-04"))
    m1 = s.milestone("Cycle 1 testing complete", day("2021-02-01"), d("2021-01-05"))
    m2 = s.milestone("Cycle 2 testing complete", month(2021, 3), d("2021-01-05"))
    m3 = s.milestone("Go live", day("2021-04-01"), d("2021-01-05"))
    r1 = s.raid(
        "R1",
        "risk",
        "Contracts not novated in time",
        GLYN,
        d("2021-01-06"),
        impact=4,
        likelihood=3,
    )
    i1 = s.raid("I1", "issue", "Laptop shortage", GABBY, d("2021-01-06"), impact=3)
    d2 = s.deliverable("Key staff gaps filled", d("2021-03-01"), [MIKE], d("2021-01-07"), outcome=1)
    d3 = s.deliverable(
        "Catalogue Matrix of Services",
        d("2021-03-18"),
        [GABBY, PAUL],
        d("2021-01-07"),
        outcome=2,
        endorsers=[ANDREW],
    )
    d4 = s.deliverable(
        "All supplier contracts novated", d("2021-03-31"), [GLYN], d("2021-01-07"), outcome=2
    )
    g1 = s.gate("Design complete", 1, [d1], [m1], [MIKE], d("2021-01-08"))
    g2 = s.gate("Ready for go-live", 2, [d3, d4], [m2, m3], [MIKE, GABBY], d("2021-01-08"))
    s.achieve(m1, day("2021-02-01"), d("2021-02-01"))
    s.approve_gate(g1, GLYN, d("2021-02-02"), behalf=MIKE, passes=True)
    s.raid_update(r1, "Supplier list agreed", d("2021-02-10"))
    s.reforecast(m2, month(2021, 4), month(2021, 3), "Supplier delay", d("2021-02-15"))
    s.submit(d2, d("2021-02-26"))
    s.approve(d2, GLYN, d("2021-03-01"), behalf=MIKE)
    s.signed_off(d2, [MIKE], d("2021-03-01"))
    s.rebaseline(m3, day("2021-04-07"), day("2021-04-01"), "Easter", d("2021-03-01"))
    s.submit(d3, d("2021-03-01"))
    s.raid_update(r1, "Novation letters sent", d("2021-03-02"))
    s.return_(d3, GABBY, "Add prices", d("2021-03-03"))
    s.close_raid(i1, "Stock arrived", d("2021-03-05"))
    s.submit(d3, d("2021-03-08"), round=2)
    s.endorse(d3, ANDREW, d("2021-03-09"), round=2)
    s.approve(d3, GABBY, d("2021-03-10"), round=2)
    s.defer(d4, "Novation continues after transition", "Post Transition", d("2021-03-11"))
    s.learning_point(
        1,
        "Face-to-face kick-off built one team",
        "Hold kick-offs face to face",
        "Socitm Advisory / LCC",
        d("2021-03-11"),
    )
    s.recommendation(1, "Review after 3 months", "Glyn Peach", d("2021-03-11"))
    step = s.next_step(
        1,
        "Joint lessons learned session to be held",
        "Glyn Peach / Antony Draper",
        d("2021-03-11"),
    )
    s.submit_closure(MIKE, [GLYN, GABBY, ANDREW], [IAN], d("2021-03-11"))
    s.endorse_closure(GLYN, d("2021-03-11"))
    s.endorse_closure(ANDREW, d("2021-03-12"))
    return s, Ids(
        delegation=delegation,
        d1=d1,
        d2=d2,
        d3=d3,
        d4=d4,
        m1=m1,
        m2=m2,
        m3=m3,
        r1=r1,
        i1=i1,
        next_step=step,
        g1=g1,
        g2=g2,
    )


CALENDAR = WorkingCalendar()
THRESHOLDS = RagThresholds()
