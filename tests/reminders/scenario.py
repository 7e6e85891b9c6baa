"""The programmes the reminder tests share, built event by event (the "given").

**Digital transition** (``digital-transition``), as of Monday 15 March 2021:

- roster: Mike Kirby (A), Glyn Peach (R), Gabby Nelson (R), Andrew Rogers (C), Ian Young (I);
  Glyn Peach deputises for Mike Kirby from 1 to 31 March 2021;
- D1 'Service catalogue' (approver Mike, endorser Andrew) submitted Monday 1 March: 10 working
  days, Andrew has not endorsed (so Mike's approval is not yet asked for), Mike is told;
- D2 'Key staff gaps filled' (approver Gabby) submitted Tuesday 9 March: 4 working days;
- D3 'DR plan' (approver Mike) submitted Monday 8 March: 5 working days, due 12 March;
- D4 'Data retention policy' (approver Glyn) submitted Friday 12 March: 1 working day;
- D5 'Management team in place' signed off;
- M1 'Cycle 2 testing complete' baseline 26 March 2021 (9 working days ahead);
- M2 'Data migration complete' baseline 10 March 2021, no actual date (3 working days late);
- M3 'Go live' baseline April 2021 (deadline 30 April); M4 'Cycle 1 testing complete' achieved;
- R1 (owner Glyn) last updated 10 February (33 days); R2 (owner Antony Draper, **no e-mail**)
  raised 1 February (42 days); I1 (owner Gabby) raised 1 March (14 days).

**Payroll transition** (``payroll-transition``): Sarah Oldendorp (A), Rob Cathey (R), Ian Young
(I); its closure report approved on Friday 12 March 2021, so the programme is closed.

**Easter** (``easter-cutover``): Mike Kirby (A), Glyn Peach (R); 'Cutover plan' (approver Glyn)
submitted Thursday 1 April 2021, the day before Good Friday.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from tests.projections.builders import Script, day, month, person
from tracker.events.closure import ProgrammeClosed

MONDAY = date(2021, 3, 15)

MIKE = person("mike.kirby@lcc.example", "Mike Kirby")
GLYN = person("glyn.peach@lcc.example", "Glyn Peach")
GABBY = person("gabby.nelson@lcc.example", "Gabby Nelson")
ANDREW = person("andrew.rogers@socitm.example", "Andrew Rogers")
IAN = person("ian.young@lcc.example", "Ian Young")
SARAH = person("sarah.oldendorp@lcc.example", "Sarah Oldendorp")
ROB = person("rob.cathey@lcc.example", "Rob Cathey")
ANTONY = person("", "Antony Draper")
"""Named in the paper's RAID log without an address."""


class Ids(msgspec.Struct, kw_only=True):
    d1: UUID
    d2: UUID
    d3: UUID
    d4: UUID
    d5: UUID
    m1: UUID
    m2: UUID
    m3: UUID
    m4: UUID
    r1: UUID
    r2: UUID
    i1: UUID


def d(text: str) -> date:
    return date.fromisoformat(text)


def digital_transition() -> tuple[Script, Ids]:
    s = Script("digital-transition")
    s.register(
        "Digital transition",
        d("2021-01-04"),
        starts_on=d("2021-01-04"),
        planned_end_on=d("2021-06-30"),
    )
    s.member(MIKE, "Sponsor", "A", d("2021-01-04"))
    s.member(GLYN, "Transition Lead Officer", "R", d("2021-01-04"))
    s.member(GABBY, "Programme Assurance", "R", d("2021-01-04"))
    s.member(ANDREW, "SOCITM Advisory Lead", "C", d("2021-01-04"))
    s.member(IAN, "Finance Lead", "I", d("2021-01-04"))
    s.deputy(GLYN, MIKE, d("2021-03-01"), d("2021-03-31"), d("2021-01-04"))
    d5 = s.deliverable("Management team in place", d("2021-01-29"), [GLYN], d("2021-01-04"))
    s.sign_off(d5, GLYN, d("2021-01-29"))
    d1 = s.deliverable(
        "Service catalogue", d("2021-03-31"), [MIKE], d("2021-01-05"), endorsers=[ANDREW]
    )
    d2 = s.deliverable("Key staff gaps filled", d("2021-03-19"), [GABBY], d("2021-01-05"))
    d3 = s.deliverable("DR plan", d("2021-03-12"), [MIKE], d("2021-01-05"))
    d4 = s.deliverable("Data retention policy", d("2021-04-30"), [GLYN], d("2021-01-05"))
    m1 = s.milestone("Cycle 2 testing complete", day("2021-03-26"), d("2021-01-05"))
    m2 = s.milestone("Data migration complete", day("2021-03-10"), d("2021-01-05"))
    m3 = s.milestone("Go live", month(2021, 4), d("2021-01-05"))
    m4 = s.milestone("Cycle 1 testing complete", day("2021-02-01"), d("2021-01-05"))
    r1 = s.raid(
        "R1", "risk", "Contracts not novated in time", GLYN, d("2021-01-11"), impact=4, likelihood=3
    )
    r2 = s.raid(
        "R2",
        "risk",
        "Key supplier exits the market",
        ANTONY,
        d("2021-02-01"),
        impact=3,
        likelihood=2,
    )
    s.achieve(m4, day("2021-02-01"), d("2021-02-01"))
    s.raid_update(r1, "Supplier list agreed", d("2021-02-10"))
    s.submit(d1, d("2021-03-01"))
    i1 = s.raid("I1", "issue", "Laptop shortage", GABBY, d("2021-03-01"), impact=3)
    s.submit(d3, d("2021-03-08"))
    s.submit(d2, d("2021-03-09"))
    s.submit(d4, d("2021-03-12"))
    return s, Ids(
        d1=d1, d2=d2, d3=d3, d4=d4, d5=d5, m1=m1, m2=m2, m3=m3, m4=m4, r1=r1, r2=r2, i1=i1
    )


def payroll_transition() -> Script:
    s = Script("payroll-transition")
    s.register(
        "Payroll transition",
        d("2021-01-04"),
        starts_on=d("2021-01-04"),
        planned_end_on=d("2021-03-31"),
    )
    s.member(SARAH, "Sponsor", "A", d("2021-01-04"))
    s.member(ROB, "Legal Counsel", "R", d("2021-01-04"))
    s.member(IAN, "Finance Lead", "I", d("2021-01-04"))
    s.submit_closure(SARAH, [ROB], [IAN], d("2021-03-08"))
    s.endorse_closure(ROB, d("2021-03-09"))
    s.approve_closure(SARAH, d("2021-03-12"))
    s.add(
        s.stream,
        ProgrammeClosed(programme_key=s.key, closed_on=d("2021-03-12")),
        d("2021-03-12"),
    )
    return s


def easter_cutover() -> tuple[Script, UUID]:
    s = Script("easter-cutover")
    s.register(
        "Easter cutover", d("2021-03-01"), starts_on=d("2021-03-01"), planned_end_on=d("2021-05-28")
    )
    s.member(MIKE, "Sponsor", "A", d("2021-03-01"))
    s.member(GLYN, "Transition Lead Officer", "R", d("2021-03-01"))
    plan = s.deliverable("Cutover plan", d("2021-04-30"), [GLYN], d("2021-03-01"))
    s.submit(plan, d("2021-04-01"))
    return s, plan
