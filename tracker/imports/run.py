"""Running an import: what each valid row means for the programme as it stands (a new item, a
change, or nothing), and, unless it is a dry run, the commands given through the handlers, so
the domain's rules and permissions apply as to any other caller.

The batch rule (docs/import.md): a sheet with any bad row writes nothing. A valid sheet is
written a command at a time, each carrying its provenance (file, its SHA-256, sheet, row); if
one is refused (a rule, a permission) the import stops there and says which rows were written.
Importing the same file again writes nothing new (items are found by programme, kind and
title), so fixing the cause and running it again finishes the rest.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import msgspec

from tracker import commands as c
from tracker.commands import Scope
from tracker.context import local_date
from tracker.deliverables import deliverable_stream
from tracker.errors import TrackerError
from tracker.handlers import Handlers
from tracker.imports.rows import Draft, RowError, parse_map, parse_rows
from tracker.imports.sheet import read_sheet
from tracker.milestones import milestone_stream
from tracker.permissions import Acting, Action, involvement, require
from tracker.risks import risk_stream


class RowAction(msgspec.Struct, frozen=True, kw_only=True):
    row: int
    action: str
    """"plan", "replan", "baseline", "reforecast", "achieve", "raise", "rescore"."""
    item_id: str
    title: str


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    programme_key: str
    kind: str
    file: str
    sha256: str
    sheet: str
    columns: dict[str, str]
    rows: int
    valid: int
    errors: list[RowError]
    actions: list[RowAction]
    """What the import gives (a dry run) or gave, in row order."""
    unchanged: int
    """Valid rows whose item already says what the row says."""
    written: bool
    stopped: str | None = None
    """Why writing stopped part-way (a refused command), if it did."""

    def describe(self) -> str:
        lines = [
            f"{self.file} ({self.sheet}), {self.kind}: {self.rows} rows read, {self.valid} valid, "
            f"{len(self.errors)} errors"
        ]
        lines += [f"  {error}" for error in self.errors]
        verb = "written" if self.written else "would write"
        lines += [f"  row {a.row}: {a.action} {a.title!r} ({verb})" for a in self.actions]
        rows = "row" if self.unchanged == 1 else "rows"
        lines.append(f"{self.unchanged} {rows} already as the sheet says")
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
        elif not self.written:
            lines.append("nothing written" + (" (dry run)" if not self.errors else ""))
        return "\n".join(lines)


async def import_sheet(
    handlers: Handlers,
    *,
    programme_key: str,
    filename: str,
    content: bytes,
    kind: str = "deliverables",
    sheet: str | None = None,
    column_map: str | None = None,
    dry_run: bool = False,
    actor: str | None = None,
    acting_as: Scope = "admin",
    now: datetime | None = None,
) -> ImportReport:
    programme = (await handlers.load_registered(programme_key)).state
    if acting_as != "admin":
        # Before the sheet is read: a dry run's messages name people on the roster.
        caller = Acting(person=actor or "", scope=acting_as)
        today = local_date(handlers.clock.now())
        who = involvement(caller.person, today, programme)
        require(caller, Action.PLAN, who, programme.key)
    table = read_sheet(filename, content, sheet)
    parsed = parse_rows(table, kind, programme, parse_map(column_map))
    digest = hashlib.sha256(content).hexdigest()
    planned: list[tuple[Draft, str, c.Command]] = []
    unchanged = 0
    for draft in parsed.drafts:
        source = {
            "document": filename,
            "sha256": digest,
            "sheet": table.name,
            "row": str(draft.row),
        }
        given = await _commands(handlers, programme_key, kind, draft, filename)
        if not given:
            unchanged += 1
        for action, command in given:
            stamped = msgspec.structs.replace(
                command, actor=actor, acting_as=acting_as, source=source
            )
            planned.append((draft, action, stamped))
    report = ImportReport(
        programme_key=programme_key,
        kind=kind,
        file=filename,
        sha256=digest,
        sheet=table.name,
        columns=parsed.columns,
        rows=parsed.rows,
        valid=len(parsed.drafts),
        errors=parsed.errors,
        actions=[
            RowAction(row=d.row, action=a, item_id=str(d.item_id), title=d.title)
            for d, a, _ in planned
        ],
        unchanged=unchanged,
        written=False,
    )
    if dry_run or parsed.errors:
        return report
    written = 0
    for draft, action, command in planned:
        try:
            await handlers.handle(command)
        except TrackerError as exc:
            done = ", ".join(str(d.row) for d, _, _ in planned[:written]) or "none"
            return msgspec.structs.replace(
                report,
                written=written > 0,
                actions=report.actions[:written],
                stopped=f"row {draft.row} ({action} {draft.title!r}) was refused: {exc}; "
                f"rows written before it: {done}",
            )
        written += 1
    return msgspec.structs.replace(report, written=True)


async def _commands(
    handlers: Handlers, key: str, kind: str, draft: Draft, filename: str
) -> list[tuple[str, c.Command]]:
    """The commands that make the item what the row says, from what it is now."""
    reason = f"imported from {filename}, row {draft.row}"
    if kind == "deliverables":
        assert draft.due is not None
        deliverable = (await handlers.load_deliverable(deliverable_stream(draft.item_id))).state
        if not deliverable.exists:
            return [
                (
                    "plan",
                    c.PlanDeliverable(
                        programme_key=key,
                        title=draft.title,
                        due_on=draft.due,
                        approvers=draft.approvers,
                        endorsers=draft.endorsers,
                        deliverable_id=draft.item_id,
                    ),
                )
            ]
        if deliverable.due_on != draft.due:
            replan = c.ReplanDeliverable(
                deliverable_id=draft.item_id, due_on=draft.due, reason=reason
            )
            return [("replan", replan)]
        return []
    if kind == "milestones":
        assert draft.baseline is not None
        milestone = (await handlers.load_milestone(milestone_stream(draft.item_id))).state
        found: list[tuple[str, c.Command]] = []
        forecast = milestone.forecast if milestone.exists else draft.baseline
        if not milestone.exists:
            found.append(
                (
                    "baseline",
                    c.BaselineMilestone(
                        programme_key=key,
                        title=draft.title,
                        baseline=draft.baseline,
                        milestone_id=draft.item_id,
                    ),
                )
            )
        if draft.forecast is not None and draft.forecast != forecast:
            found.append(
                (
                    "reforecast",
                    c.ReforecastMilestone(
                        milestone_id=draft.item_id, forecast=draft.forecast, reason=reason
                    ),
                )
            )
        if draft.actual is not None and (not milestone.exists or milestone.actual is None):
            found.append(
                ("achieve", c.AchieveMilestone(milestone_id=draft.item_id, actual=draft.actual))
            )
        return found
    assert draft.owner is not None
    risk = (await handlers.load_risk(risk_stream(draft.item_id))).state
    if not risk.exists:
        return [
            (
                "raise",
                c.RaiseRisk(
                    programme_key=key,
                    kind=draft.kind,  # type: ignore[arg-type]
                    description=draft.title,
                    owner=draft.owner,
                    ref=draft.ref,
                    impact=draft.impact,
                    likelihood=draft.likelihood,
                    mitigation=draft.mitigation,
                    item_id=draft.item_id,
                ),
            )
        ]
    if (risk.impact, risk.likelihood) != (draft.impact, draft.likelihood):
        rescore = c.RescoreRisk(
            item_id=draft.item_id,
            impact=draft.impact,
            likelihood=draft.likelihood,
            reason=reason,
        )
        return [("rescore", rescore)]
    return []


__all__ = ["ImportReport", "RowAction", "import_sheet"]
