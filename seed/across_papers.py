"""A milestone two papers date: baselined as the earlier paper (000, July 2012) has it, then
re-baselined as the later one (004, March 2014) has it, the later paper as the reason. One
stream across the papers, not a milestone per paper (issue 17)."""

from __future__ import annotations

from datetime import date
from typing import Final
from uuid import UUID

from seed import service_improvement_plans as sip
from seed.seeder import Seeder
from seed.source import at, paper_month, paper_title, row_text, source
from tracker.commands import BaselineMilestone, RebaselineMilestone
from tracker.events.values import DateValue

LATER_REPORT_ON: Final = date(2014, 3, 4)
"""004, line 657: "Meeting to be held on 4 March 2014"."""


async def dated_again(
    seeder: Seeder,
    *,
    milestone_id: UUID,
    title: str,
    workstream: str,
    plan_line: int,
    first: DateValue,
    later_document: str,
    later_line: int,
    later_month: str,
    later_provenance: dict[str, str],
) -> None:
    """Baseline ``first`` as the 2012 plan on ``plan_line`` dates it (entered on the 2012
    report's day), then re-baseline to ``later_month`` ("Jun 2014") as ``later_document``'s
    line ``later_line`` prints it (entered on 4 March 2014)."""
    plan = sip.PLAN_ROWS[plan_line]
    await seeder.baseline(
        BaselineMilestone(
            programme_key=seeder.key,
            milestone_id=milestone_id,
            title=title,
            baseline=first,
            workstream=workstream,
            occurred_at=at(sip.REPORT_ON, 9, 30),
            source=source(
                sip.DOCUMENT,
                sip.TABLE,
                plan.line,
                row_text(plan.project, plan.description, plan.status),
                status=plan.status,
                later=f"{later_document} line {later_line}",
            ),
        )
    )
    await seeder.rebaseline(
        RebaselineMilestone(
            milestone_id=milestone_id,
            baseline=paper_month(later_month),
            reason=f"{paper_title(later_document)} dates it {later_month} (line {later_line})",
            occurred_at=at(LATER_REPORT_ON, 9, 45),
            source=later_provenance,
        )
    )
