"""A programme in brief: what lists and access checks need, without its items.

A view of a big programme holds thousands of rows; a digest holds its name, dates, lifecycle,
who is on the roster with which letter, every delegation with its dates, and who is named to
sign. The projector stores one beside each programme's header, so listing 500 programmes or
deciding who may read them does not read any item."""

from __future__ import annotations

from datetime import date

import msgspec

from tracker.projections.read_model.views import ProgrammeView


class DelegationLine(msgspec.Struct, frozen=True, kw_only=True, array_like=True):
    deputy: str
    principal: str
    starts_on: date
    ends_on: date
    revoked_on: date | None

    def covers(self, day: date) -> bool:
        """From ``starts_on`` to ``ends_on`` inclusive, until a revocation takes effect."""
        if self.revoked_on is not None and day >= self.revoked_on:
            return False
        return self.starts_on <= day <= self.ends_on


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
    delegations: tuple[DelegationLine, ...]
    named: frozenset[str]
    """People named as endorser or approver of a deliverable, the closure report or a gate."""

    def deputy_on(self, person: str, day: date) -> bool:
        """Whether ``person`` deputises for someone here by a delegation covering ``day``."""
        return any(d.deputy == person and d.covers(day) for d in self.delegations)

    def concerns(self, person: str) -> bool:
        """Whether anything here could await ``person`` (or a principal of theirs), on any day."""
        return (
            person in self.roster
            or person in self.named
            or any(person in (d.deputy, d.principal) for d in self.delegations)
        )


def digest(view: ProgrammeView) -> Digest:
    """The digest of a header or of a whole view (the same: it reads no item)."""
    closure = view.closure
    named = set(view.named)
    named.update(p.email for p in closure.endorsers)
    if closure.approver is not None:
        named.add(closure.approver.email)
    for gate in view.gates.values():
        named.update(p.email for p in gate.approvers)
    return Digest(
        key=view.key,
        position=view.position,
        name=view.name,
        lifecycle=view.lifecycle,
        starts_on=view.starts_on,
        planned_end_on=view.planned_end_on,
        closed_on=view.closed_on,
        roster={email: entry.raci for email, entry in view.roster.items()},
        delegations=tuple(
            DelegationLine(
                deputy=d.deputy,
                principal=d.principal,
                starts_on=d.starts_on,
                ends_on=d.ends_on,
                revoked_on=d.revoked_on,
            )
            for d in view.delegations.values()
        ),
        named=frozenset(named),
    )
