"""A programme in brief: what lists and access checks need, without its deliverables.

A view of a big programme holds thousands of rows; a digest holds its name, dates, lifecycle,
who is on the roster with which letter, who deputises for whom, and who is named to sign. The
read side keeps one per programme, so listing 500 programmes or deciding who may read them does
not decode 500 views."""

from __future__ import annotations

from datetime import date

import msgspec

from api.schemas import ProgrammeSummary
from tracker.projections.views import ProgrammeView


class Digest(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    position: int
    name: str
    lifecycle: str
    starts_on: date | None
    planned_end_on: date | None
    closed_on: date | None
    roster: dict[str, str]
    """RACI letter by e-mail."""
    deputies: frozenset[str]
    """People appointed as someone's deputy here (not revoked)."""
    principals: frozenset[str]
    """People someone deputises for here (not revoked)."""
    named: frozenset[str]
    """People named as endorser or approver of a deliverable or of the closure report."""

    def concerns(self, person: str) -> bool:
        """Whether anything here could await ``person`` (or a principal of theirs)."""
        return (
            person in self.roster
            or person in self.deputies
            or person in self.principals
            or person in self.named
        )


def digest(view: ProgrammeView) -> Digest:
    named: set[str] = set()
    for item in view.deliverables.values():
        named.update(p.email for p in (*item.approvers, *item.endorsers))
    closure = view.closure
    named.update(p.email for p in closure.endorsers)
    if closure.approver is not None:
        named.add(closure.approver.email)
    live = [d for d in view.delegations.values() if d.revoked_on is None]
    return Digest(
        key=view.key,
        position=view.position,
        name=view.name,
        lifecycle=view.lifecycle,
        starts_on=view.starts_on,
        planned_end_on=view.planned_end_on,
        closed_on=view.closed_on,
        roster={email: entry.raci for email, entry in view.roster.items()},
        deputies=frozenset(d.deputy for d in live),
        principals=frozenset(d.principal for d in live),
        named=frozenset(named),
    )


def summary(d: Digest) -> ProgrammeSummary:
    return ProgrammeSummary(
        id=d.key,
        key=d.key,
        name=d.name,
        lifecycle=d.lifecycle,
        starts_on=d.starts_on,
        planned_end_on=d.planned_end_on,
        closed_on=d.closed_on,
        position=d.position,
    )
