"""RAID log: risks, issues, assumptions and dependencies, open and closed, with score and RAG;
pure.

The RAG is ``tracker.rag.risk_rag``. An item raised with no impact cannot be scored: open, it is
amber with that reason (the gap is shown, as rag.py does for a missing likelihood); closed, it is
green. ``score`` is likelihood x impact, an issue with no likelihood scoring likelihood 5.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from tracker.calendar import WorkingCalendar
from tracker.projections.read_model.views import ProgrammeView, RaidView
from tracker.projections.reports.sealing import seal, source_of
from tracker.rag import ISSUE_ASSUMED_LIKELIHOOD, Rag, RagResult, RagThresholds, risk_rag


class RaidUpdateLine(msgspec.Struct, kw_only=True):
    on: date
    text: str


class RaidRow(msgspec.Struct, kw_only=True):
    id: str
    ref: str
    kind: str
    description: str
    owner: str
    owner_name: str
    raised_on: date
    impact: int | None
    likelihood: int | None
    score: int | None
    mitigation: str
    is_open: bool
    closed_on: date | None
    closing_note: str | None
    latest_update: RaidUpdateLine | None
    updates: list[RaidUpdateLine]
    rag: str
    rag_reasons: list[str]
    source: dict[str, str] = {}


class RaidLog(msgspec.Struct, kw_only=True):
    key: str
    name: str
    today: date
    open: list[RaidRow]
    closed: list[RaidRow]
    position: int
    as_of: datetime | None = None
    known_at: datetime | None = None
    content_hash: str = ""


def score(item: RaidView) -> int | None:
    if item.impact is None:
        return None
    if item.likelihood is None:
        return item.impact * ISSUE_ASSUMED_LIKELIHOOD if item.kind == "issue" else None
    return item.likelihood * item.impact


def rate_raid(item: RaidView, thresholds: RagThresholds) -> RagResult:
    if item.impact is None:
        if not item.is_open:
            return RagResult(Rag.GREEN, (f"Green: {item.ref} closed",))
        return RagResult(
            Rag.AMBER, (f"Amber: {item.ref} open {item.kind} with no impact, cannot be scored",)
        )
    return risk_rag(item.ref, item.kind, item.likelihood, item.impact, item.is_open, thresholds)


def raid_row(view: ProgrammeView, item: RaidView, thresholds: RagThresholds) -> RaidRow:
    updates = [RaidUpdateLine(on=u.on, text=u.text) for u in item.updates]
    latest = max(updates, key=lambda u: u.on) if updates else None
    rated = rate_raid(item, thresholds)
    return RaidRow(
        id=item.id,
        ref=item.ref,
        kind=item.kind,
        description=item.description,
        owner=item.owner.email,
        owner_name=item.owner.name or view.people.get(item.owner.email, item.owner.email),
        raised_on=item.raised_on,
        impact=item.impact,
        likelihood=item.likelihood,
        score=score(item),
        mitigation=item.mitigation,
        is_open=item.is_open,
        closed_on=item.closed_on,
        closing_note=item.closing_note,
        latest_update=latest,
        updates=updates,
        rag=rated.rag.value,
        rag_reasons=list(rated.reasons),
        source=source_of(item.provenance),
    )


def raid_log(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> RaidLog:
    """Open and closed items, each in the order raised. RAID RAG does not depend on the date;
    ``today`` is stamped for the record and ``calendar`` taken for a uniform signature."""
    rows = [raid_row(view, item, thresholds) for item in view.raid.values()]
    return seal(
        RaidLog(
            key=view.key,
            name=view.name,
            today=today,
            open=[row for row in rows if row.is_open],
            closed=[row for row in rows if not row.is_open],
            position=view.position,
            as_of=as_of,
            known_at=known_at,
        )
    )


__all__ = ["RaidLog", "RaidRow", "RaidUpdateLine", "raid_log", "raid_row", "rate_raid", "score"]
