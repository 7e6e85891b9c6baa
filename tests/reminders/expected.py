"""The e-mails the scenario (scenario.py) must produce on Monday 15 March 2021, word for word."""

from __future__ import annotations

from tests.reminders.scenario import Ids

BASE_URL = "https://tracker.lcc.example"
HEAD = "Reminders from the programme tracker for Monday 15 March 2021.\n"
FOOTER = """-- 
You receive this because you are named on these programmes in the programme
tracker. Reminders repeat each working day while they stay due, in one e-mail
a day at most. To stop reminders about a programme, ask its programme manager
to mute you on it.
"""  # noqa: W291 (the signature separator is "-- " with its space)


def url(path: str) -> str:
    return f"{BASE_URL}/programmes/digital-transition{path}"


def monday_texts(ids: Ids) -> dict[str, str]:
    """The plain-text body for each recipient, by e-mail."""
    return {
        "andrew.rogers@socitm.example": f"""Dear Andrew Rogers,

{HEAD}
Sign-offs awaiting you
- Digital transition: 'Service catalogue' awaits your endorsement: submitted 1
  March 2021, 10 working days ago.
  {url(f"/deliverables/{ids.d1}")}

{FOOTER}""",
        "gabby.nelson@lcc.example": f"""Dear Gabby Nelson,

{HEAD}
Sign-offs awaiting you
- Digital transition: 'Key staff gaps filled' awaits your approval: submitted
  9 March 2021, 4 working days ago.
  Amber: 'Key staff gaps filled' due in 4 working days (2021-03-19), within
  the 10-day window, not signed off
  {url(f"/deliverables/{ids.d2}")}

Milestones overdue
- Digital transition: 'Data migration complete' is 3 working days past its
  baseline (10 March 2021) with no actual date.
  {url(f"/milestones/{ids.m2}")}

Milestones due soon
- Digital transition: 'Cycle 2 testing complete' is due 26 March 2021, in 9
  working days, and is not achieved.
  {url(f"/milestones/{ids.m1}")}

{FOOTER}""",
        "glyn.peach@lcc.example": f"""Dear Glyn Peach,

{HEAD}
Sign-offs awaiting you
- Digital transition: 'DR plan' awaits Mike Kirby's approval (you deputise for
  them until 31 March 2021): submitted 8 March 2021, 5 working days ago.
  Red: 'DR plan' 1 working day past due, not signed off
  {url(f"/deliverables/{ids.d3}")}

Milestones overdue
- Digital transition: 'Data migration complete' is 3 working days past its
  baseline (10 March 2021) with no actual date.
  {url(f"/milestones/{ids.m2}")}

Milestones due soon
- Digital transition: 'Cycle 2 testing complete' is due 26 March 2021, in 9
  working days, and is not achieved.
  {url(f"/milestones/{ids.m1}")}

Risks and issues you own with no recent update
- Digital transition: R1 'Contracts not novated in time' (risk) has had no
  update for 33 days: last update 10 February 2021.
  Latest update: Supplier list agreed
  Amber: R1 score 12 (likelihood 3 x impact 4), at or above 8
  {url(f"/raid/{ids.r1}")}

{FOOTER}""",
        "ian.young@lcc.example": f"""Dear Ian Young,

{HEAD}
Programme closure news
- Payroll transition: The Programme Closure Report of 'Payroll transition' was
  approved on 12 March 2021 by Sarah Oldendorp.
  {BASE_URL}/programmes/payroll-transition/closure

{FOOTER}""",
        "mike.kirby@lcc.example": f"""Dear Mike Kirby,

{HEAD}
Sign-offs awaiting you
- Digital transition: 'DR plan' awaits your approval: submitted 8 March 2021,
  5 working days ago.
  Red: 'DR plan' 1 working day past due, not signed off
  {url(f"/deliverables/{ids.d3}")}

Sign-offs held up (you are the Accountable owner)
- Digital transition: 'Service catalogue' was submitted 1 March 2021, 10
  working days ago, and is held up by Andrew Rogers (endorsement).
  {url(f"/deliverables/{ids.d1}")}

Milestones overdue
- Digital transition: 'Data migration complete' is 3 working days past its
  baseline (10 March 2021) with no actual date.
  {url(f"/milestones/{ids.m2}")}

Weekly RAG digest
- Digital transition: Red; delivery confidence Red (first weekly digest).
  Red: Digital transition: 3 of 12 parts red
  Red: 'DR plan' 1 working day past due, not signed off
  Red: 'Data migration complete' baseline 2021-03-10 passed 3 working days
  ago, not achieved
  Red: I1 score 15 (likelihood 5 assumed for an issue x impact 3), at or above
  15
  {BASE_URL}/programmes/digital-transition

{FOOTER}""",
    }


SUBJECTS = {
    "andrew.rogers@socitm.example": "Sign-off awaiting you: Service catalogue (Digital transition)",
    "gabby.nelson@lcc.example": "Programme tracker: 3 reminders, Monday 15 March 2021",
    "glyn.peach@lcc.example": "Programme tracker: 4 reminders, Monday 15 March 2021",
    "ian.young@lcc.example": "Programme closed: Payroll transition",
    "mike.kirby@lcc.example": "Programme tracker: 4 reminders, Monday 15 March 2021",
}
